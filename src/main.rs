//! The `wenji` command: parses arguments, runs the library, prints warnings
//! and errors, and chooses the exit code (0 success, 1 failure, 2 usage).

mod cli;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;

use cli::{BuildArgs, Cli, Command};
use wenji::{Result, build, output};

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Build(args) => run_build(&args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err}");
            ExitCode::FAILURE
        }
    }
}

fn run_build(args: &BuildArgs) -> Result<()> {
    let options = args.options(source_date_epoch())?;
    let (book, warnings) = build::load_book(&args.inputs, &options)?;
    for warning in &warnings {
        eprintln!("warning: {warning}");
    }
    let target = args
        .output
        .clone()
        .unwrap_or_else(|| PathBuf::from(format!("{}.epub", output::slug(&book.title))));
    for &edition in options.editions.list() {
        let path = output::edition_path(&target, options.editions, edition);
        output::refuse_overwriting_inputs(&path, &book)?;
        output::write_book(&book, edition, &path)?;
        println!("{}", path.display());
    }
    Ok(())
}

/// `SOURCE_DATE_EPOCH`, when set to a number of seconds.
fn source_date_epoch() -> Option<i64> {
    let value = std::env::var("SOURCE_DATE_EPOCH").ok()?;
    match value.trim().parse() {
        Ok(seconds) => Some(seconds),
        Err(_) => {
            eprintln!("warning: SOURCE_DATE_EPOCH='{value}' is not a number of seconds; ignored");
            None
        }
    }
}
