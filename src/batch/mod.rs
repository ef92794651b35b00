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

use crate::build;
use crate::edition::{Edition, Editions};
use crate::error::{Error, Result, Warning};
use crate::media;
use crate::output;
use crate::parse::Format;
use crate::settings::Options;
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
    /// Batch settings; the book title, identifier and ISBN are dropped because
    /// every essay's book has its own.
    pub fn new(mut book: Options, jobs: usize, force: bool, shard: Option<Shard>) -> Self {
        book.title = None;
        book.meta.identifier = None;
        book.meta.isbn = None;
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
    /// An earlier essay whose books these would overwrite, found while planning.
    pub conflict: Option<PathBuf>,
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

/// What reading an essay told: its title and characters of free and paid text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Summary {
    /// The essay's title.
    pub title: String,
    /// Characters of free and paid text.
    pub chars: Option<(usize, usize)>,
}

/// How one job ended. Errors stay typed until they are printed or reported.
#[derive(Debug)]
pub enum Verdict {
    /// Its books were written.
    Built(Summary),
    /// Its books were up to date.
    Skipped,
    /// It could not be built; the summary when the essay was read.
    Failed(Error, Option<Summary>),
}

/// The result of one job.
#[derive(Debug)]
pub struct Outcome {
    /// The job.
    pub job: Job,
    /// Built, skipped or failed.
    pub verdict: Verdict,
    /// Warnings about the essay.
    pub warnings: Vec<Warning>,
}

impl Outcome {
    /// Built, skipped or failed.
    pub fn status(&self) -> Status {
        match self.verdict {
            Verdict::Built(_) => Status::Built,
            Verdict::Skipped => Status::Skipped,
            Verdict::Failed(..) => Status::Failed,
        }
    }

    /// What reading the essay told, when it was read in this run.
    pub fn summary(&self) -> Option<&Summary> {
        match &self.verdict {
            Verdict::Built(summary) | Verdict::Failed(_, Some(summary)) => Some(summary),
            Verdict::Skipped | Verdict::Failed(_, None) => None,
        }
    }

    /// Why it failed.
    pub fn error(&self) -> Option<&Error> {
        match &self.verdict {
            Verdict::Failed(error, _) => Some(error),
            _ => None,
        }
    }
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
        let conflict = outputs
            .iter()
            .find_map(|(_, out)| claimed.get(out).cloned());
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
    let mut warnings = Vec::new();
    let verdict = verdict(job, options, fingerprints, &mut warnings);
    Outcome {
        job: job.clone(),
        verdict,
        warnings,
    }
}

fn verdict(
    job: &Job,
    options: &BatchOptions,
    fingerprints: &Fingerprints,
    warnings: &mut Vec<Warning>,
) -> Verdict {
    if let Some(other) = &job.conflict {
        let error = Error::BookConflict {
            path: job.input.clone(),
            other: other.clone(),
        };
        return Verdict::Failed(error, None);
    }
    // Digested before the build reads anything: should a source change
    // meanwhile, the recorded digest is the older one and the next run rebuilds.
    let digest = fingerprints.digest(job, &options.book);
    if !options.force
        && digest
            .as_ref()
            .is_some_and(|digest| freshness::is_recorded(job, digest))
    {
        return Verdict::Skipped;
    }
    let (book, book_warnings) =
        match build::load_book(std::slice::from_ref(&job.input), &options.book) {
            Ok(loaded) => loaded,
            Err(error) => return failed(job, error, None),
        };
    *warnings = book_warnings;
    let summary = Summary {
        title: book.title.clone(),
        chars: book.essays.first().map(|e| e.char_counts()),
    };
    let written = job
        .outputs
        .iter()
        .try_for_each(|(edition, path)| output::write_book(&book, *edition, path))
        .and_then(|()| match digest {
            Some(digest) if digest.covers_images_of(&book) => freshness::record(job, &digest),
            _ => {
                freshness::forget(job);
                Ok(())
            }
        });
    match written {
        Ok(()) => Verdict::Built(summary),
        Err(error) => failed(job, error, Some(summary)),
    }
}

/// A failed job: the old books were made from an earlier essay, and the one
/// now given may have moved text into a paid part, so none of them is kept.
fn failed(job: &Job, error: Error, summary: Option<Summary>) -> Verdict {
    freshness::forget(job);
    for (_, path) in &job.outputs {
        let _ = std::fs::remove_file(path);
    }
    Verdict::Failed(error, summary)
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
    fn outcomes_keep_their_errors_typed_until_the_report() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a.md"), "# A\n\nx").unwrap();
        std::fs::write(dir.path().join("a.txt"), "A\nx").unwrap();
        std::fs::write(dir.path().join("b.txt"), "").unwrap();
        let out = dir.path().join("out");
        let (jobs, _) = plan(dir.path(), &out, Editions::Preview, None).unwrap();
        let book = Options {
            base_dir: dir.path().to_path_buf(),
            modified: Some(0),
            ..Options::default()
        };
        let outcomes = run(&jobs, &BatchOptions::new(book, 1, false, None), &|_| {});
        let built = Summary {
            title: "A".into(),
            chars: Some((2, 0)),
        };
        assert!(matches!(&outcomes[0].verdict, Verdict::Built(summary) if *summary == built));
        assert!(matches!(
            &outcomes[1].verdict,
            Verdict::Failed(Error::BookConflict { other, .. }, None) if *other == jobs[0].input
        ));
        assert!(matches!(
            &outcomes[2].verdict,
            Verdict::Failed(Error::Empty { .. }, None)
        ));
        let report = report::report(&outcomes, std::time::Duration::ZERO);
        let statuses: Vec<_> = report.essays.iter().map(|e| e.status).collect();
        assert_eq!(statuses, [Status::Built, Status::Failed, Status::Failed]);
        let conflict = report.essays[1].error.as_deref().unwrap();
        assert!(conflict.ends_with("; rename one of them"), "{conflict}");
        assert_eq!(report.essays[0].title.as_deref(), Some("A"));
        assert_eq!(report.essays[2].title, None);
    }

    #[test]
    fn two_essays_with_one_stem_conflict() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a.md"), "# A\n\nx").unwrap();
        std::fs::write(dir.path().join("a.txt"), "A\nx").unwrap();
        let (jobs, _) = plan(dir.path(), &dir.path().join("out"), Editions::Preview, None).unwrap();
        assert_eq!(jobs.len(), 2);
        assert!(jobs[0].conflict.is_none());
        assert_eq!(jobs[1].conflict.as_deref(), Some(jobs[0].input.as_path()));
    }
}
