//! `wenji batch`: one book per essay for a whole folder tree, in parallel.
//! Each essay is planned (its outputs under the output folder), skipped when
//! its books are newer than everything they are made from, and otherwise
//! built with the same pipeline as `wenji build`. A failing essay is recorded
//! and the others go on. Books are written atomically, so a killed batch
//! leaves only whole books; the next run removes its temporary files and
//! builds what is missing.

pub mod report;
pub mod shard;

use std::collections::HashMap;
use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use rayon::prelude::*;

use crate::build::{self, Options};
use crate::edition::{Edition, Editions};
use crate::error::{Error, Result, Warning};
use crate::output;
pub use shard::Shard;

/// Settings of a batch beyond the book options.
#[derive(Debug, Clone)]
pub struct BatchOptions {
    /// Options every book is built with (no title: each essay has its own).
    pub book: Options,
    /// Worker threads.
    pub jobs: usize,
    /// Rebuild books that look up to date.
    pub force: bool,
    /// Build only this part of the catalogue.
    pub shard: Option<Shard>,
}

impl BatchOptions {
    /// Batch settings; the book title and identifier are dropped because
    /// every essay's book has its own.
    pub fn new(mut book: Options, jobs: usize, force: bool, shard: Option<Shard>) -> Self {
        book.title = None;
        book.identifier = None;
        BatchOptions {
            book,
            jobs,
            force,
            shard,
        }
    }
}

/// One essay to turn into books.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Job {
    /// The essay file.
    pub input: PathBuf,
    /// Its path relative to the batch folder.
    pub relative: PathBuf,
    /// Each edition and where it goes.
    pub outputs: Vec<(Edition, PathBuf)>,
    /// Why the job cannot run, found while planning.
    pub conflict: Option<String>,
}

/// What happened to one essay.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Its books were written.
    Built,
    /// Its books were up to date.
    Skipped,
    /// It could not be built.
    Failed,
}

/// The result of one job.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// The job.
    pub job: Job,
    /// Built, skipped or failed.
    pub status: Status,
    /// The essay's title (when it was read).
    pub title: Option<String>,
    /// Characters of free and paid text (when it was read).
    pub chars: Option<(usize, usize)>,
    /// Why it failed.
    pub error: Option<String>,
    /// Warnings about the essay.
    pub warnings: Vec<Warning>,
}

/// Where `relative`'s books go under `outdir`: `<stem>.epub` for the
/// preview, `<stem>.full.epub` for the full edition.
pub fn outputs_for(relative: &Path, outdir: &Path, editions: Editions) -> Vec<(Edition, PathBuf)> {
    let stem = relative
        .file_stem()
        .unwrap_or(OsStr::new("essay"))
        .to_string_lossy();
    let folder = outdir.join(relative.parent().unwrap_or(Path::new("")));
    editions
        .list()
        .iter()
        .map(|&edition| {
            let name = match edition {
                Edition::Preview => format!("{stem}.epub"),
                Edition::Full => format!("{stem}.full.epub"),
            };
            (edition, folder.join(name))
        })
        .collect()
}

/// Plans a job for every essay under `dir` that belongs to `shard`; the
/// warnings are about the folder (links skipped).
pub fn plan(
    dir: &Path,
    outdir: &Path,
    editions: Editions,
    shard: Option<Shard>,
) -> Result<(Vec<Job>, Vec<Warning>)> {
    if !dir.is_dir() {
        return Err(Error::NotAFolder {
            path: dir.to_path_buf(),
        });
    }
    let (files, warnings) = build::essay_files(&[dir.to_path_buf()])?;
    let mut claimed: HashMap<PathBuf, PathBuf> = HashMap::new();
    let mut jobs = Vec::new();
    for input in files {
        let relative = input.strip_prefix(dir).unwrap_or(&input).to_path_buf();
        let outputs = outputs_for(&relative, outdir, editions);
        let conflict = outputs.iter().find_map(|(_, out)| {
            claimed.get(out).map(|other| {
                format!(
                    "{} would overwrite the book of {}; rename one of them",
                    input.display(),
                    other.display()
                )
            })
        });
        for (_, out) in &outputs {
            claimed.entry(out.clone()).or_insert_with(|| input.clone());
        }
        // Conflicts are found over the whole catalogue, then the shard is taken.
        if shard.is_some_and(|s| !s.contains(&relative)) {
            continue;
        }
        jobs.push(Job {
            input,
            relative,
            outputs,
            conflict,
        });
    }
    Ok((jobs, warnings))
}

/// Runs `jobs` on `options.jobs` threads, calling `done` as each finishes
/// (from the worker thread). Outcomes come back in the order of `jobs`.
pub fn run(jobs: &[Job], options: &BatchOptions, done: &(dyn Fn(&Outcome) + Sync)) -> Vec<Outcome> {
    let work = || {
        jobs.par_iter()
            .map(|job| {
                let outcome = run_one(job, options);
                done(&outcome);
                outcome
            })
            .collect()
    };
    match rayon::ThreadPoolBuilder::new()
        .num_threads(options.jobs.max(1))
        .build()
    {
        Ok(pool) => pool.install(work),
        Err(_) => work(),
    }
}

fn run_one(job: &Job, options: &BatchOptions) -> Outcome {
    let mut outcome = Outcome {
        job: job.clone(),
        status: Status::Failed,
        title: None,
        chars: None,
        error: job.conflict.clone(),
        warnings: Vec::new(),
    };
    if outcome.error.is_some() {
        return outcome;
    }
    if !options.force && is_up_to_date(job, &options.book) {
        outcome.status = Status::Skipped;
        return outcome;
    }
    let result = build::load_book(std::slice::from_ref(&job.input), &options.book).and_then(
        |(book, warnings)| {
            outcome.title = Some(book.title.clone());
            outcome.chars = book.essays.first().map(|e| e.char_counts());
            outcome.warnings = warnings;
            for (edition, path) in &job.outputs {
                output::write_book(&book, *edition, path)?;
            }
            Ok(())
        },
    );
    match result {
        Ok(()) => outcome.status = Status::Built,
        Err(err) => outcome.error = Some(err.to_string()),
    }
    outcome
}

/// Whether every output exists and is newer than the essay, its cover, the
/// extra stylesheet and the config file.
fn is_up_to_date(job: &Job, options: &Options) -> bool {
    let modified = |path: &Path| std::fs::metadata(path).and_then(|m| m.modified()).ok();
    let cover = options
        .cover
        .clone()
        .or_else(|| build::find_cover(&options.base_dir, job.input.file_stem()));
    let sources = [
        Some(job.input.as_path()),
        cover.as_deref(),
        options.css.as_deref(),
        options.config.as_deref(),
    ];
    let mut newest_source = SystemTime::UNIX_EPOCH;
    for source in sources.into_iter().flatten() {
        match modified(source) {
            Some(time) => newest_source = newest_source.max(time),
            None => return false,
        }
    }
    job.outputs
        .iter()
        .all(|(_, out)| modified(out).is_some_and(|time| time > newest_source))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outputs_mirror_the_tree() {
        let outs = outputs_for(
            Path::new("a/b/essay.md"),
            Path::new("books"),
            Editions::Both,
        );
        assert_eq!(
            outs,
            vec![
                (Edition::Preview, PathBuf::from("books/a/b/essay.epub")),
                (Edition::Full, PathBuf::from("books/a/b/essay.full.epub")),
            ]
        );
        let full = outputs_for(Path::new("x.txt"), Path::new("o"), Editions::Full);
        assert_eq!(full, vec![(Edition::Full, PathBuf::from("o/x.full.epub"))]);
    }

    #[test]
    fn two_essays_with_one_stem_conflict() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a.md"), "# A\n\nx").unwrap();
        std::fs::write(dir.path().join("a.txt"), "A\nx").unwrap();
        let (jobs, _) = plan(dir.path(), &dir.path().join("out"), Editions::Preview, None).unwrap();
        assert_eq!(jobs.len(), 2);
        assert!(jobs[0].conflict.is_none());
        assert!(
            jobs[1]
                .conflict
                .as_deref()
                .unwrap()
                .contains("rename one of them")
        );
    }
}
