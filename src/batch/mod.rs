//! `wenji batch`: one book per essay for a whole folder tree, in parallel.
//! Each essay is planned (its outputs under the output folder), skipped when
//! its books were built from exactly what it is made of now (see
//! [`freshness`]), and otherwise built with the same pipeline as `wenji
//! build`. A failing essay is recorded and the others go on; its old books,
//! which no longer match it, are removed. Books are written atomically, so a
//! killed batch leaves only whole books; the next run removes its temporary
//! files and builds what is missing.

pub mod freshness;
pub mod report;
pub mod shard;

use std::collections::HashMap;
use std::ffi::OsStr;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::build::{self, Options};
use crate::edition::{Edition, Editions};
use crate::error::{Error, Result, Warning};
use crate::media;
use crate::output;
use crate::parse::Format;
use freshness::Fingerprints;
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
    /// Where the digest of what its books were built from is kept.
    pub digest_file: PathBuf,
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
    // A missing folder is "cannot read it", not "give a folder".
    if !std::fs::metadata(dir)
        .map_err(|e| Error::read(dir, e))?
        .is_dir()
    {
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
            digest_file: freshness::sidecar_path(outdir, &relative),
            input,
            relative,
            outputs,
            conflict,
        });
    }
    Ok((jobs, warnings))
}

/// Refuses a `--report` path that is one of the batch's inputs: an essay or
/// image under `dir`, or the cover, stylesheet, font or config file. The
/// report is written by renaming over its path, which would destroy it.
pub fn refuse_report_over_inputs(report: &Path, dir: &Path, options: &Options) -> Result<()> {
    let refusal = |path| Error::ReportIsInput { path };
    if let (Ok(report_file), Ok(essays)) = (report.canonicalize(), dir.canonicalize()) {
        let is_source =
            Format::of(&report_file).is_some() || media::image_type(&report_file).is_some();
        if is_source && report_file.starts_with(essays) {
            return Err(refusal(report.to_path_buf()));
        }
    }
    let files = [&options.cover, &options.css, &options.font, &options.config];
    output::refuse_overwriting_inputs(
        report,
        files.into_iter().flatten().map(PathBuf::as_path),
        refusal,
    )
}

/// Runs `jobs` on `options.jobs` threads, calling `done` as each finishes
/// (from the worker thread). Outcomes come back in the order of `jobs`.
pub fn run(jobs: &[Job], options: &BatchOptions, done: &(dyn Fn(&Outcome) + Sync)) -> Vec<Outcome> {
    let fingerprints = Fingerprints::new(&options.book);
    let work = || {
        jobs.par_iter()
            .map(|job| {
                let outcome = run_one(job, options, &fingerprints);
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

fn run_one(job: &Job, options: &BatchOptions, fingerprints: &Fingerprints) -> Outcome {
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
    // Digested before the build reads anything: should a source change
    // meanwhile, the recorded digest is the older one and the next run rebuilds.
    let digest = fingerprints.digest(job, &options.book);
    if !options.force
        && digest
            .as_ref()
            .is_some_and(|digest| freshness::is_recorded(job, digest))
    {
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
            match digest {
                Some(digest) if digest.covers_images_of(&book) => freshness::record(job, &digest),
                _ => {
                    freshness::forget(job);
                    Ok(())
                }
            }
        },
    );
    match result {
        Ok(()) => outcome.status = Status::Built,
        Err(err) => {
            // The old books were made from an earlier essay; the one now
            // given may have moved text into a paid part. Keep none of them.
            freshness::forget(job);
            for (_, path) in &job.outputs {
                let _ = std::fs::remove_file(path);
            }
            outcome.error = Some(err.to_string());
        }
    }
    outcome
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
