//! The `--report` JSON: every essay with its input, outputs, title,
//! character counts, status and error, then the totals. Outcomes become
//! text here, at the edge.

use std::io::Write;
use std::path::Path;
use std::time::Duration;

use serde::Serialize;

use crate::batch::{Outcome, Status};
use crate::error::{Error, Result};
use crate::output::write_atomically;

/// The whole report.
#[derive(Debug, Serialize)]
pub struct Report {
    /// One entry per essay, in catalogue order.
    pub essays: Vec<EssayEntry>,
    /// Sums over all essays.
    pub totals: Totals,
}

/// One essay's line in the report.
#[derive(Debug, Serialize)]
pub struct EssayEntry {
    /// The essay file.
    pub input: String,
    /// The books it makes (whether or not written in this run).
    pub outputs: Vec<String>,
    /// Its title, when it was read in this run.
    pub title: Option<String>,
    /// Characters of free text (title included), when read.
    pub free_chars: Option<usize>,
    /// Characters of paid text, when read.
    pub paid_chars: Option<usize>,
    /// `built`, `skipped` or `failed`.
    pub status: Status,
    /// Why it failed.
    pub error: Option<String>,
    /// Warnings about it.
    pub warnings: Vec<String>,
}

/// Sums over a batch.
#[derive(Debug, Default, Serialize, PartialEq)]
pub struct Totals {
    /// Essays in the batch (this shard's).
    pub essays: usize,
    /// Essays whose books were written.
    pub built: usize,
    /// Essays whose books were up to date.
    pub skipped: usize,
    /// Essays that failed.
    pub failed: usize,
    /// Books (EPUB files) written.
    pub books_written: usize,
    /// Free characters over the essays read.
    pub free_chars: usize,
    /// Paid characters over the essays read.
    pub paid_chars: usize,
    /// Wall-clock time of the batch.
    pub seconds: f64,
}

/// Sums `outcomes`.
pub fn totals(outcomes: &[Outcome], elapsed: Duration) -> Totals {
    let mut totals = Totals {
        essays: outcomes.len(),
        seconds: elapsed.as_secs_f64(),
        ..Totals::default()
    };
    for outcome in outcomes {
        match outcome.status() {
            Status::Built => {
                totals.built += 1;
                totals.books_written += outcome.job.outputs.len();
            }
            Status::Skipped => totals.skipped += 1,
            Status::Failed => totals.failed += 1,
        }
        if let Some((free, paid)) = outcome.summary().and_then(|s| s.chars) {
            totals.free_chars += free;
            totals.paid_chars += paid;
        }
    }
    totals
}

/// The report of a batch.
pub fn report(outcomes: &[Outcome], elapsed: Duration) -> Report {
    let essays = outcomes
        .iter()
        .map(|o| EssayEntry {
            input: o.job.input.display().to_string(),
            outputs: o
                .job
                .outputs
                .iter()
                .map(|(_, p)| p.display().to_string())
                .collect(),
            title: o.summary().map(|s| s.title.clone()),
            free_chars: o.summary().and_then(|s| s.chars).map(|c| c.0),
            paid_chars: o.summary().and_then(|s| s.chars).map(|c| c.1),
            status: o.status(),
            error: o.error().map(ToString::to_string),
            warnings: o.warnings.iter().map(ToString::to_string).collect(),
        })
        .collect();
    Report {
        essays,
        totals: totals(outcomes, elapsed),
    }
}

/// Writes `report` as pretty JSON to `path`, atomically.
pub fn write(report: &Report, path: &Path) -> Result<()> {
    write_atomically(path, |file| {
        let mut writer = std::io::BufWriter::new(file);
        serde_json::to_writer_pretty(&mut writer, report)
            .map_err(std::io::Error::from)
            .and_then(|()| writer.write_all(b"\n"))
            .and_then(|()| writer.flush())
            .map_err(|source| Error::Write {
                path: path.to_path_buf(),
                source,
            })
    })
}
