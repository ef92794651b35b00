//! Command-line arguments. Parsing only: [`BookArgs::options`] hands the
//! flags and the config file to [`settings::resolve`], which makes the
//! [`Options`]; `main` does the work.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};
use encoding_rs::Encoding;

use wenji::batch::Shard;
use wenji::config::Config;
use wenji::parse::{InputFormat, Paragraphs};
use wenji::settings::{self, Flags, Options};
use wenji::{Editions, Error, Layout, Result, decode, lang};

/// Turn essays into EPUB 3 books: CJK-friendly horizontal or vertical text,
/// a free preview edition without a byte of paid text, or the full book.
#[derive(Debug, Parser)]
#[command(name = "wenji", version, propagate_version = true)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Build one book from essay files and folders.
    #[command(after_help = BUILD_EXAMPLES)]
    Build(BuildArgs),
    /// Build one book per essay for a whole folder tree, in parallel.
    #[command(after_help = BATCH_EXAMPLES)]
    Batch(BatchArgs),
    /// Show the book in a reader in the browser, rebuilt on every save.
    #[command(after_help = SERVE_EXAMPLES)]
    Serve(ServeArgs),
    /// Make a book folder to start from: settings, an example essay, covers/.
    #[command(after_help = INIT_EXAMPLES)]
    Init(InitArgs),
}

const INIT_EXAMPLES: &str = "\
Examples:
  wenji init mybook && wenji build mybook/content/ -o book.epub

Writes DIR/content/wenji.toml (every setting, commented), an example essay
with a paid part in DIR/content/, DIR/covers/ and DIR/.gitignore.
An existing file is never overwritten.";

/// Arguments of `wenji init`.
#[derive(Debug, Args)]
pub struct InitArgs {
    /// The book folder, created when missing [default: the current folder].
    #[arg(value_name = "DIR", default_value = ".", hide_default_value = true)]
    pub dir: PathBuf,
}

const BUILD_EXAMPLES: &str = "\
Examples:
  wenji build content/ -o book.epub
  wenji build essay.txt --layout vertical --full -o essay.epub
  wenji build a.txt b.md notes/ --title 文集 --author 某某 --edition both -o book.epub

Plain-text essays: a short first line is the title (else a Gutenberg Title:
line, else the file name); paragraphs are one per line, or hard-wrapped lines
joined as the file shows (--paragraphs). Text between ##paidbegin## and ##paidend## is paid: left out of the
preview edition, kept in the full one. SOURCE_DATE_EPOCH fixes every date.";

const BATCH_EXAMPLES: &str = "\
Examples:
  wenji batch essays/ -o books/ --edition both --layout vertical --report report.json
  wenji batch essays/ -o books/ --shard 2/8        # the 2nd of 8 disjoint parts
  wenji batch essays/ -o books/ --shard auto       # part from Kubernetes or Slurm variables

Each essay DIR/a/b.txt becomes OUTDIR/a/b.epub (preview) and OUTDIR/a/b.full.epub
(full). An essay is skipped (unless --force) when its books were built from the
same bytes (essay, images, cover, stylesheet, font, config), settings and wenji
version, as recorded in OUTDIR/.wenji/. Exit status 1 if any essay failed.";

const SERVE_EXAMPLES: &str = "\
Examples:
  wenji serve content/                  # http://127.0.0.1:3000/
  wenji serve content/ --layout vertical --open
  wenji serve essay.md --port 0         # any free port, printed on start

Both editions are built in memory (nothing is written to disk) and rebuilt
when an essay, image, cover, stylesheet, font or the config changes. Routes:
/ (the reader), /book.epub (preview), /book.full.epub (full; both take
?layout=vertical|horizontal), /status (JSON), /events (server-sent events).
A build error is shown over the last good book; Ctrl-C stops.";

/// Which editions `build` and `batch` write (`serve` serves both).
#[derive(Debug, Args)]
pub struct EditionArgs {
    /// Which edition to write.
    #[arg(long, value_enum, value_name = "EDITION")]
    pub edition: Option<Editions>,

    /// Same as --edition full.
    #[arg(long, conflicts_with = "edition")]
    pub full: bool,
}

impl EditionArgs {
    /// The editions asked for, if any: `--full` is `--edition full`.
    pub fn editions(&self) -> Option<Editions> {
        if self.full {
            Some(Editions::Full)
        } else {
            self.edition
        }
    }
}

/// Book settings shared by `build`, `batch` and `serve`.
#[derive(Debug, Clone, Args)]
pub struct BookArgs {
    /// Text direction [default: horizontal].
    #[arg(long, value_enum)]
    pub layout: Option<Layout>,

    /// An author; repeat for several.
    #[arg(long = "author", value_name = "NAME")]
    pub authors: Vec<String>,

    /// Language as a BCP 47 tag (zh-Hans, zh-Hant, ja, en, …) [default: detected].
    #[arg(long, value_name = "TAG", value_parser = parse_lang)]
    pub lang: Option<String>,

    /// A stylesheet added after the built-in one.
    #[arg(long, value_name = "FILE")]
    pub css: Option<PathBuf>,

    /// Read every essay in this encoding (utf-8, gb18030, big5, utf-16le, …) [default: detected].
    #[arg(long, value_name = "LABEL", value_parser = parse_encoding)]
    pub encoding: Option<&'static Encoding>,

    /// Read every essay as this format, whatever its extension [default: by extension;
    /// a .txt with the Aozora Bunko header (title, author, notation legend) as aozora].
    #[arg(long = "input-format", value_enum, value_name = "FORMAT")]
    pub input_format: Option<InputFormat>,

    /// How plain text marks its paragraphs [default: auto, read from each file]:
    /// line = every line is one; blank = blank lines separate hard-wrapped ones;
    /// indent = an indented line starts one.
    #[arg(long, value_enum, value_name = "SHAPE")]
    pub paragraphs: Option<Paragraphs>,

    /// Replace bytes that are not valid in the encoding with U+FFFD (and warn) instead of failing.
    #[arg(long)]
    pub lossy: bool,

    /// Settings file [default: wenji.toml in the first input folder, or beside the first essay].
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// Do not turn lines such as 第一章 or 一、 in plain text into headings.
    #[arg(long)]
    pub no_detect_headings: bool,

    /// Add a title page after the cover.
    #[arg(long)]
    pub title_page: bool,

    /// Add a table-of-contents page before the first chapter.
    #[arg(long)]
    pub toc_page: bool,

    /// How many heading levels the navigation and the table-of-contents page list
    /// (chapters are 1, their sections 2, …); default: all.
    #[arg(long, value_name = "N")]
    pub toc_depth: Option<std::num::NonZeroUsize>,

    /// Keep a generated cover an SVG: do not also draw it as a 1600×2560 PNG
    /// (which needs a CJK font and costs some milliseconds per book).
    #[arg(long)]
    pub no_raster_cover: bool,

    /// Embed this font (.ttf, .otf, .ttc), subset to the characters each edition uses.
    #[arg(long, value_name = "FILE")]
    pub font: Option<PathBuf>,

    /// Treat every warning as an error: print them all and write nothing (for CI pipelines).
    #[arg(long)]
    pub strict: bool,

    /// Also look for images in this folder: site-root paths (/images/a.png) and
    /// relative ones not found beside the essay; repeat for several, searched in order.
    #[arg(long = "resource-path", value_name = "DIR")]
    pub resource_path: Vec<PathBuf>,
}

/// Arguments of `wenji build`.
#[derive(Debug, Args)]
pub struct BuildArgs {
    /// Essay files (.txt, .md, .markdown) and folders of them; all go into one book.
    #[arg(required = true, value_name = "INPUT")]
    pub inputs: Vec<PathBuf>,

    /// Where to write the book (`.epub` is added to a name without an extension; `-` writes
    /// one edition to standard output); with --edition both the full edition goes beside
    /// it as <stem>.full.epub [default: <title>.epub in the current folder].
    #[arg(short, long, value_name = "FILE.epub")]
    pub output: Option<PathBuf>,

    /// Book title [default: the essay's title, or the folder's name].
    #[arg(long)]
    pub title: Option<String>,

    /// Cover image (.jpg, .png, .webp, .svg) [default: covers/<essay>.* or covers/cover.*, else drawn].
    #[arg(long, value_name = "IMAGE")]
    pub cover: Option<PathBuf>,

    #[command(flatten)]
    pub editions: EditionArgs,

    #[command(flatten)]
    pub book: BookArgs,
}

/// Arguments of `wenji batch`.
#[derive(Debug, Args)]
pub struct BatchArgs {
    /// The folder of essays, searched recursively.
    #[arg(value_name = "DIR")]
    pub dir: PathBuf,

    /// The folder the books go to, mirroring DIR's tree.
    #[arg(short, long, value_name = "OUTDIR")]
    pub output: PathBuf,

    /// Worker threads [default: all cores].
    #[arg(short, long, value_name = "N")]
    pub jobs: Option<usize>,

    /// Write a JSON report of every essay and the totals.
    #[arg(long, value_name = "FILE.json")]
    pub report: Option<PathBuf>,

    /// Rebuild books that look up to date.
    #[arg(long)]
    pub force: bool,

    /// Build only part K of N (1 ≤ K ≤ N), or `auto` from JOB_COMPLETION_INDEX and
    /// WENJI_SHARD_COUNT (Kubernetes) or SLURM_ARRAY_TASK_ID/_MIN/_COUNT (Slurm).
    #[arg(long, value_name = "K/N|auto", value_parser = parse_shard)]
    pub shard: Option<ShardArg>,

    /// Print nothing but errors.
    #[arg(short, long)]
    pub quiet: bool,

    #[command(flatten)]
    pub editions: EditionArgs,

    #[command(flatten)]
    pub book: BookArgs,
}

/// Arguments of `wenji serve`: `build`'s inputs and book settings, and
/// where to listen.
#[derive(Debug, Clone, Args)]
pub struct ServeArgs {
    /// Essay files (.txt, .md, .markdown) and folders of them; all go into one book.
    #[arg(required = true, value_name = "INPUT")]
    pub inputs: Vec<PathBuf>,

    /// Book title [default: the essay's title, or the folder's name].
    #[arg(long)]
    pub title: Option<String>,

    /// Cover image (.jpg, .png, .webp, .svg) [default: covers/<essay>.* or covers/cover.*, else drawn].
    #[arg(long, value_name = "IMAGE")]
    pub cover: Option<PathBuf>,

    /// The port to listen on; 0 picks a free one (printed on start).
    #[arg(long, value_name = "N", default_value_t = 3000)]
    pub port: u16,

    /// The address to listen on. Any other than this computer's own (127.0.0.1, ::1)
    /// makes the book, paid text and all, reachable from the network.
    #[arg(long, value_name = "ADDRESS", default_value = "127.0.0.1")]
    pub host: String,

    /// Open the reader in the system's web browser.
    #[arg(long)]
    pub open: bool,

    #[command(flatten)]
    pub book: BookArgs,
}

/// `--shard` as given: a part, or `auto` (read from the scheduler's variables).
#[derive(Debug, Clone, Copy)]
pub enum ShardArg {
    /// `K/N`.
    Part(Shard),
    /// `auto`.
    Auto,
}

/// Parses `--shard` while arguments are parsed, so a malformed one is a
/// usage mistake (exit 2).
fn parse_shard(text: &str) -> std::result::Result<ShardArg, String> {
    match text {
        "auto" => Ok(ShardArg::Auto),
        _ => text.parse().map(ShardArg::Part),
    }
}

impl BatchArgs {
    /// The shard to build, if any; `auto` is resolved from the environment.
    pub fn shard(&self) -> std::result::Result<Option<Shard>, String> {
        match self.shard {
            None => Ok(None),
            Some(ShardArg::Auto) => Shard::from_env(|name| std::env::var(name).ok()).map(Some),
            Some(ShardArg::Part(shard)) => Ok(Some(shard)),
        }
    }
}

impl BookArgs {
    /// The settings of the book made of `inputs`: these flags (and `title`,
    /// `cover` and `editions`, which not every command has) merged with the
    /// config file — explicit, or `wenji.toml` beside the inputs, named on
    /// stderr when `announce` is set. `modified` is `SOURCE_DATE_EPOCH`, if set.
    pub fn options(
        &self,
        inputs: &[PathBuf],
        title: Option<String>,
        cover: Option<PathBuf>,
        editions: Option<Editions>,
        modified: Option<i64>,
        announce: bool,
    ) -> Result<Options> {
        let folder = settings::inputs_folder(inputs);
        let config = match settings::config_path(self.config.as_deref(), &folder) {
            Some(path) => {
                if announce {
                    eprintln!("settings: {}", path.display());
                }
                let config = Config::load(&path)?;
                Some((path, config))
            }
            None => None,
        };
        let flags = Flags {
            title,
            authors: self.authors.clone(),
            lang: self.lang.clone(),
            layout: self.layout,
            editions,
            cover,
            raster_cover: self.no_raster_cover.then_some(false),
            css: self.css.clone(),
            font: self.font.clone(),
            encoding: self.encoding,
            lossy: self.lossy,
            format: self.input_format,
            paragraphs: self.paragraphs,
            detect_headings: self.no_detect_headings.then_some(false),
            title_page: self.title_page.then_some(true),
            toc_page: self.toc_page.then_some(true),
            toc_depth: self.toc_depth,
            modified,
            strict: self.strict,
            resource_dirs: self.resource_path.clone(),
        };
        settings::resolve(flags, config, &folder)
    }
}

/// Validates `--lang` while arguments are parsed, so a bad tag is a usage
/// mistake (exit 2).
fn parse_lang(tag: &str) -> std::result::Result<String, String> {
    if lang::is_valid_tag(tag) {
        Ok(tag.to_string())
    } else {
        Err(Error::InvalidLanguage(tag.to_string()).to_string())
    }
}

/// Looks `--encoding` up while arguments are parsed, so an unknown label is
/// a usage mistake (exit 2).
fn parse_encoding(label: &str) -> std::result::Result<&'static Encoding, String> {
    decode::encoding_for_label(label).map_err(|e| e.to_string())
}
