//! The `wenji` command: parses arguments, runs the library, prints warnings,
//! errors and progress, and chooses the exit code (0 success, 1 failure,
//! 2 usage).

mod cli;
mod serve;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use clap::Parser;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use cli::{BatchArgs, BuildArgs, Cli, Command, InitArgs};
use wenji::batch::{self, BatchOptions, Status, report};
use wenji::error::Warning;
use wenji::output::Sweep;
use wenji::summary::Summary;
use wenji::{Edition, Editions, Error, Result, build, output};

fn main() -> ExitCode {
    let cli = Cli::parse();
    // The summary `build` ends with: printed last, after the cover warning.
    let mut summary = None;
    let result = match cli.command {
        Command::Build(args) => run_build(&args, &mut summary),
        Command::Batch(args) => run_batch(&args),
        Command::Serve(args) => serve::run(&args),
        Command::Init(args) => Ok(run_init(&args)),
    };
    // Once per run, however many covers stayed SVG.
    if let Some(warning) = wenji::typeset::cover::raster_warning() {
        eprintln!("warning: {warning}");
    }
    if let Some(summary) = summary {
        eprintln!("{summary}");
    }
    match result {
        Ok(code) => code,
        Err(err) => {
            eprintln!("error: {err}");
            ExitCode::FAILURE
        }
    }
}

/// Builds the book; once it is written, `summary` sums it up.
fn run_build(args: &BuildArgs, summary: &mut Option<Summary>) -> Result<ExitCode> {
    let options = args.book.options(
        &args.inputs,
        args.title.clone(),
        args.cover.clone(),
        args.editions.editions(),
        source_date_epoch(args.book.strict)?,
        true,
    )?;
    let (book, warnings) = build::load_book(&args.inputs, &options)?;
    for warning in &warnings {
        eprintln!("warning: {warning}");
    }
    let target = match &args.output {
        Some(path) if path.as_os_str() == "-" => {
            return write_to_stdout(&book, options.editions, summary);
        }
        Some(path) => match epub_path(path) {
            Ok(path) => path,
            Err(message) => {
                eprintln!("error: {message}");
                return Ok(ExitCode::from(2));
            }
        },
        None => PathBuf::from(format!("{}.epub", output::slug(&book.title))),
    };
    let books: Vec<(Edition, PathBuf)> = options
        .editions
        .list()
        .iter()
        .map(|&edition| {
            (
                edition,
                output::edition_path(&target, options.editions, edition),
            )
        })
        .collect();
    for (_, path) in &books {
        output::refuse_overwriting_inputs(path, output::book_inputs(&book, &options), |path| {
            Error::OutputIsInput { path }
        })?;
    }
    // A killed build may have left a partial book (a full edition, paid
    // text and all) beside the preview: remove it when its writer is gone.
    output::remove_stale_temp_files(output::folder_of(&target), Sweep::Folder);
    let mut stdout = Stdout::default();
    for (edition, path) in &books {
        output::write_book(&book, *edition, path)?;
        stdout.line(&path.display().to_string());
    }
    let written = books
        .iter()
        .map(|(e, path)| (*e, path.display().to_string()));
    *summary = Some(Summary::new(&book, written.collect()));
    Ok(ExitCode::SUCCESS)
}

fn run_init(args: &InitArgs) -> ExitCode {
    let scaffold = match wenji::init::init(&args.dir) {
        Ok(scaffold) => scaffold,
        Err(err) => {
            eprintln!("error: {err}");
            return ExitCode::FAILURE;
        }
    };
    let mut stdout = Stdout::default();
    // `wenji init` alone speaks of content/…, not ./content/….
    let shown = |path: &Path| {
        let path = path.strip_prefix(".").unwrap_or(path);
        path.display().to_string()
    };
    for path in &scaffold.created {
        stdout.line(&format!("created {}", shown(path)));
    }
    for path in &scaffold.kept {
        stdout.line(&format!("kept existing {}", shown(path)));
    }
    let content = shown(&args.dir.join(wenji::init::CONTENT_DIR));
    let content = shell_word(&format!("{content}/"));
    stdout.line("next:");
    stdout.line(&format!("  wenji build {content} -o book.epub"));
    stdout.line(&format!("  wenji serve {content}"));
    ExitCode::SUCCESS
}

/// `word` as one word for a POSIX shell: quoted when it holds anything but
/// letters, digits and `/._-`.
fn shell_word(word: &str) -> String {
    if word
        .chars()
        .all(|c| c.is_alphanumeric() || "/._-".contains(c))
    {
        word.to_string()
    } else {
        format!("'{}'", word.replace('\'', "'\\''"))
    }
}

fn run_batch(args: &BatchArgs) -> Result<ExitCode> {
    let started = Instant::now();
    let shard = match args.shard() {
        Ok(shard) => shard,
        Err(message) => {
            eprintln!("error: {message}");
            return Ok(ExitCode::from(2));
        }
    };
    let jobs = args
        .jobs
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    let options = BatchOptions::new(
        args.book.options(
            std::slice::from_ref(&args.dir),
            None,
            None,
            args.editions.editions(),
            source_date_epoch(args.book.strict)?,
            true,
        )?,
        jobs,
        args.force,
        shard,
    );
    if let Some(report) = &args.report {
        batch::refuse_report_over_inputs(report, &args.dir, &options.book)?;
    }
    output::remove_stale_temp_files(&args.output, Sweep::Tree);
    let (jobs, warnings) = batch::plan(&args.dir, &args.output, options.book.editions, shard)?;
    if options.book.strict && !warnings.is_empty() {
        return Err(Error::Strict { warnings });
    }
    if !args.quiet {
        for warning in &warnings {
            eprintln!("warning: {warning}");
        }
    }

    let bar = if args.quiet {
        ProgressBar::hidden()
    } else {
        ProgressBar::with_draw_target(Some(jobs.len() as u64), ProgressDrawTarget::stderr())
    };
    bar.set_style(
        ProgressStyle::with_template("{bar:40} {pos}/{len} essays  {per_sec}  ETA {eta}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let quiet = args.quiet;
    let outcomes = batch::run(&jobs, &options, &|outcome| {
        bar.suspend(|| {
            if let Some(error) = outcome.error() {
                eprintln!("error: {error}");
            }
            if !quiet {
                for warning in &outcome.warnings {
                    eprintln!("warning: {warning}");
                }
            }
        });
        bar.inc(1);
    });
    bar.finish_and_clear();

    let elapsed = started.elapsed();
    let totals = report::totals(&outcomes, elapsed);
    if let Some(path) = &args.report {
        report::write(&report::report(&outcomes, elapsed), path)?;
    }
    if !quiet {
        eprintln!(
            "{} built ({} books), {} skipped, {} failed, {:.1} s",
            totals.built,
            totals.books_written,
            totals.skipped,
            totals.failed,
            elapsed.as_secs_f64()
        );
    }
    let failed = outcomes.iter().any(|o| o.status() == Status::Failed);
    Ok(if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

/// The book's path for `-o PATH`: `.epub` added when it has no extension
/// (a folder stays as it is, for writing to refuse by name); any other
/// extension is a usage mistake.
fn epub_path(path: &Path) -> std::result::Result<PathBuf, String> {
    match path.extension().and_then(|e| e.to_str()) {
        _ if path.is_dir() => Ok(path.to_path_buf()),
        None => {
            let mut name = path.as_os_str().to_owned();
            name.push(".epub");
            Ok(PathBuf::from(name))
        }
        Some(ext) if ext.eq_ignore_ascii_case("epub") => Ok(path.to_path_buf()),
        Some(ext) => Err(format!(
            "-o {}: a book is an EPUB; give a name ending in .epub, not .{ext}",
            path.display()
        )),
    }
}

/// `-o -`: the one edition asked for, to standard output.
fn write_to_stdout(
    book: &wenji::Book,
    editions: Editions,
    summary: &mut Option<Summary>,
) -> Result<ExitCode> {
    let [edition] = editions.list() else {
        eprintln!("error: -o - writes one book to standard output; use --edition preview or full");
        return Ok(ExitCode::from(2));
    };
    let bytes = output::epub_bytes(book, *edition, Path::new("-"))?;
    match std::io::stdout().lock().write_all(&bytes) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(Error::Write {
            path: PathBuf::from("-"),
            source: e,
        }),
        _ => {
            *summary = Some(Summary::new(
                book,
                vec![(*edition, "standard output".into())],
            ));
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// Standard output that a closed pipe (`wenji build … | head`) silences
/// instead of stopping the run: every book is still written.
#[derive(Default)]
struct Stdout {
    closed: bool,
}

impl Stdout {
    /// Prints `line`, unless the reader has gone away.
    fn line(&mut self, line: &str) {
        if self.closed {
            return;
        }
        if let Err(error) = writeln!(std::io::stdout().lock(), "{line}") {
            self.closed = true;
            if error.kind() != std::io::ErrorKind::BrokenPipe {
                eprintln!("warning: cannot print to standard output: {error}");
            }
        }
    }
}

/// `SOURCE_DATE_EPOCH`, when set to a number of seconds.
/// `SOURCE_DATE_EPOCH`, if set; a value that is not a number of seconds
/// is ignored with a warning, printed here (an error with `strict`).
pub(crate) fn source_date_epoch(strict: bool) -> Result<Option<i64>> {
    let Ok(value) = std::env::var("SOURCE_DATE_EPOCH") else {
        return Ok(None);
    };
    match value.trim().parse() {
        Ok(seconds) => Ok(Some(seconds)),
        Err(_) => {
            let warning = Warning::new(
                Path::new("SOURCE_DATE_EPOCH"),
                None,
                format!("'{value}' is not a number of seconds; ignored"),
            );
            if strict {
                return Err(Error::Strict {
                    warnings: vec![warning],
                });
            }
            eprintln!("warning: {warning}");
            Ok(None)
        }
    }
}
