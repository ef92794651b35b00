//! Errors and warnings. The library never prints: it returns an [`Error`] that
//! names the file (and line where it helps) and says what to do, and it hands
//! back [`Warning`]s for the caller to show.

use std::fmt;
use std::io;
use std::path::{Path, PathBuf};

/// Everything that can stop a book from being built.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A file or folder could not be read.
    #[error("{}: cannot read it: {source}; check that it exists and is readable", .path.display())]
    Read {
        /// The file that failed.
        path: PathBuf,
        /// The underlying I/O error.
        source: io::Error,
    },
    /// The output could not be written.
    #[error("{}: cannot write the book: {source}; check that the folder is writable", .path.display())]
    Write {
        /// The output path.
        path: PathBuf,
        /// The underlying I/O error.
        source: io::Error,
    },
    /// The bytes of an essay are not text in the detected (or forced) encoding.
    #[error(
        "{}:{line}: this line is not valid {encoding} text; \
         convert the file to UTF-8, name its encoding with --encoding (e.g. gb18030, big5), \
         or replace bad bytes with --lossy",
        .path.display()
    )]
    Decode {
        /// The essay file.
        path: PathBuf,
        /// First line (1-based) that does not decode.
        line: usize,
        /// Name of the encoding that was tried.
        encoding: &'static str,
    },
    /// The decoded text lost the paid markers the bytes hold: the encoding is wrong.
    #[error(
        "{}: read as {encoding}, the paid markers in this file disappear, so the encoding is wrong; \
         drop --encoding or name the file's real encoding",
        .path.display()
    )]
    WrongEncoding {
        /// The essay file.
        path: PathBuf,
        /// The encoding that was used.
        encoding: &'static str,
    },
    /// Read in the forced (or --lossy) encoding the file shows no paid
    /// marker, but read in another encoding that fits its bytes it does.
    #[error(
        "{}: read as {encoding} this file holds no paid marker, but read as {reveals} it does, \
         so {encoding} is probably the wrong encoding and a preview could show paid text; \
         name the file's real encoding with --encoding (or `encoding` in wenji.toml), \
         or convert it to UTF-8",
        .path.display()
    )]
    MarkerHiddenByEncoding {
        /// The essay file.
        path: PathBuf,
        /// The encoding the file was read in.
        encoding: &'static str,
        /// The encodings in which the bytes show a paid marker ("Big5 or EUC-KR").
        reveals: String,
    },
    /// UTF-16 read in the wrong byte order: the other order has far more line breaks.
    #[error(
        "{}: read as {encoding} this file has {breaks} line break(s), read as {other} it has \
         {other_breaks}, so its byte order is wrong; name its real encoding \
         (--encoding {other}, or `encoding` in wenji.toml), or convert it to UTF-8",
        .path.display()
    )]
    ByteOrder {
        /// The essay file.
        path: PathBuf,
        /// The UTF-16 variant the file was read in.
        encoding: &'static str,
        /// Line breaks in that reading.
        breaks: usize,
        /// The other byte order.
        other: &'static str,
        /// Line breaks when read in the other byte order.
        other_breaks: usize,
    },
    /// A byte-order mark the rest of the file contradicts.
    #[error(
        "{}: the file starts with a {encoding} byte-order mark but is not {encoding} text; \
         convert it to UTF-8, or name its real encoding with --encoding",
        .path.display()
    )]
    BomMismatch {
        /// The essay file.
        path: PathBuf,
        /// The encoding the BOM claims.
        encoding: &'static str,
    },
    /// `--lossy` would have to repair a line that may hold a paid marker.
    #[error(
        "{}:{line}: this line is not valid {encoding} text and may hold a paid marker, \
         which --lossy cannot repair safely; fix the line or name the right --encoding",
        .path.display()
    )]
    LossyMarker {
        /// The essay file.
        path: PathBuf,
        /// The line (1-based).
        line: usize,
        /// The encoding that was used.
        encoding: &'static str,
    },
    /// `--encoding` named something that is not an encoding label.
    #[error(
        "unknown encoding '{0}'; use a WHATWG label such as utf-8, gb18030, gbk, big5, utf-16le"
    )]
    UnknownEncoding(String),
    /// `--lang` or the config's `lang` is not a BCP 47 tag.
    #[error("'{0}' is not a BCP 47 language tag; use one such as zh-Hans, zh-Hant, ja or en")]
    InvalidLanguage(String),
    /// The file holds binary data, not text.
    #[error(
        "{}: this is not a text file (it contains binary data); essays must be plain text or Markdown",
        .path.display()
    )]
    Binary {
        /// The offending file.
        path: PathBuf,
    },
    /// The essay has no title line or nothing at all.
    #[error("{}: the essay is empty; its first non-blank line must be the title", .path.display())]
    Empty {
        /// The essay file.
        path: PathBuf,
    },
    /// The title line lies inside a paid part, so a preview would leak it.
    #[error(
        "{}:{line}: the title is inside a paid part; put ##paidbegin## after the title line",
        .path.display()
    )]
    PaidTitle {
        /// The essay file.
        path: PathBuf,
        /// Line of the title.
        line: usize,
    },
    /// The title is too long to be one.
    #[error(
        "{}: the title is {chars} characters long (at most 1000); \
         put a short title on the first line, or pass --title",
        .path.display()
    )]
    LongTitle {
        /// The essay file.
        path: PathBuf,
        /// The title's length in characters.
        chars: usize,
    },
    /// An input is neither an essay file nor a folder.
    #[error(
        "{}: not an essay; inputs must be .txt, .md or .markdown files or folders holding them",
        .path.display()
    )]
    NotAnEssay {
        /// The input path.
        path: PathBuf,
    },
    /// An Aozora annotation splits a paid marker: once the annotation is
    /// left out, the line shows one, so which text is paid is unclear.
    #[error(
        "{}:{line}: an Aozora annotation inside this line hides a paid marker; write ##paidbegin## \
         and ##paidend## whole, with no ［＃…］ inside them",
        .path.display()
    )]
    AnnotatedMarker {
        /// The essay.
        path: PathBuf,
        /// The 1-based line.
        line: usize,
    },
    /// `-` was given as an input: essays are read from files only.
    #[error(
        "-: essays are not read from standard input; save the essay as a .txt or .md file and give its path"
    )]
    StdinInput,
    /// `wenji batch` was given a file.
    #[error("{}: wenji batch takes a folder of essays; use wenji build for one essay", .path.display())]
    NotAFolder {
        /// The path given.
        path: PathBuf,
    },
    /// Two essays of a batch would write the same book.
    #[error("{} would overwrite the book of {}; rename one of them", .path.display(), .other.display())]
    BookConflict {
        /// The later essay, which is not built.
        path: PathBuf,
        /// The essay that claimed the book first.
        other: PathBuf,
    },
    /// A folder input holds no essays.
    #[error("{}: this folder holds no .txt, .md or .markdown essays", .path.display())]
    NoEssays {
        /// The folder.
        path: PathBuf,
    },
    /// An image (an Aozora illustration) that cannot be packed into the book.
    #[error("{}: {image} {problem}", .path.display())]
    Image {
        /// The essay that references the image.
        path: PathBuf,
        /// Which image: `image 'src'` as written, or, inside a paid part,
        /// only where that part starts (a preview's messages never quote it).
        image: String,
        /// What is wrong and what to do.
        problem: String,
    },
    /// A Markdown essay's front matter is unreadable, or holds a paid marker.
    #[error("{}:{line}: front matter: {message}", .path.display())]
    FrontMatter {
        /// The essay.
        path: PathBuf,
        /// The 1-based line.
        line: usize,
        /// What is wrong and what to do.
        message: String,
    },
    /// A chapter list (`chapters` in `wenji.toml`, a `SUMMARY.md`) names
    /// a file that is not an essay, or names none.
    #[error("{}{}: {message}", .path.display(), .line.map(|l| format!(":{l}")).unwrap_or_default())]
    ChapterList {
        /// The list: the config file or the `SUMMARY.md`.
        path: PathBuf,
        /// The entry's line in a `SUMMARY.md`.
        line: Option<usize>,
        /// What is wrong and what to do.
        message: String,
    },
    /// `--strict` (`strict = true`): the build warned, and every warning
    /// counts as an error; nothing was written.
    #[error(
        "{} warning(s) with --strict (strict = true in wenji.toml), so nothing was written; \
         fix each, or build without --strict:{}",
        .warnings.len(),
        .warnings.iter().map(|w| format!("\n  {w}")).collect::<String>()
    )]
    Strict {
        /// The warnings, in the order they were given.
        warnings: Vec<Warning>,
    },
    /// The configuration file is malformed.
    #[error("{}: {message}", .path.display())]
    Config {
        /// The config file.
        path: PathBuf,
        /// What serde/toml reported.
        message: String,
    },
    /// A value in the configuration file is unusable.
    #[error("{key} = \"{value}\" in {}: {problem}", .path.display())]
    ConfigValue {
        /// The config file.
        path: PathBuf,
        /// The key, with its table (`[headings] patterns`).
        key: String,
        /// The value as written.
        value: String,
        /// What is wrong and what to do.
        problem: String,
    },
    /// An essay did not decode in the encoding the config's `encoding` key forced.
    #[error(
        "{source}; the encoding was set by encoding = \"{label}\" in {}: \
         correct or remove that key",
        .config.display()
    )]
    ConfigEncoding {
        /// The config file.
        config: PathBuf,
        /// The `encoding` value as written.
        label: String,
        /// The decoding error.
        source: Box<Error>,
    },
    /// The font to embed cannot be read or subset.
    #[error(
        "{}: cannot embed this font: {reason}; give a TrueType or OpenType font \
         (.ttf, .otf or .ttc) that holds the book's characters, or leave --font out",
        .path.display()
    )]
    Font {
        /// The font file.
        path: PathBuf,
        /// What went wrong.
        reason: String,
    },
    /// A cover or stylesheet given by the user is unusable.
    #[error("{}: {message}", .path.display())]
    Asset {
        /// The asset.
        path: PathBuf,
        /// What is wrong and what to do.
        message: String,
    },
    /// The output would overwrite one of the inputs.
    #[error("{}: the output path is one of the inputs; choose another -o", .path.display())]
    OutputIsInput {
        /// The path given twice.
        path: PathBuf,
    },
    /// The output path is a folder.
    #[error("{}: this is a folder; give the book a file name, such as -o book.epub", .path.display())]
    OutputIsFolder {
        /// The folder given as the output.
        path: PathBuf,
    },
    /// `--report` names one of the inputs, which writing the report would destroy.
    #[error(
        "{}: the report path is one of the inputs, and writing the report would replace it; \
         choose another --report path",
        .path.display()
    )]
    ReportIsInput {
        /// The input the report would replace.
        path: PathBuf,
    },
    /// The book could not be packaged: the zip writer failed, or a preview
    /// would show a paid marker.
    #[error("{}: {source}", .path.display())]
    Package {
        /// The output path.
        path: PathBuf,
        /// What went wrong.
        source: crate::package::PackageError,
    },
}

impl Error {
    /// Wraps an I/O error on reading `path`.
    pub fn read(path: &Path, source: io::Error) -> Self {
        Error::Read {
            path: path.to_path_buf(),
            source,
        }
    }
}

/// Something the user should know that does not stop the build.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Warning {
    /// The file the warning is about.
    pub path: PathBuf,
    /// 1-based line, when known.
    pub line: Option<usize>,
    /// What happened and what was done about it.
    pub message: String,
}

impl Warning {
    /// A warning about `path`, optionally at `line`.
    pub fn new(path: &Path, line: Option<usize>, message: impl Into<String>) -> Self {
        Warning {
            path: path.to_path_buf(),
            line,
            message: message.into(),
        }
    }
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{}: {}", self.path.display(), line, self.message),
            None => write!(f, "{}: {}", self.path.display(), self.message),
        }
    }
}

/// Result alias for the library.
pub type Result<T> = std::result::Result<T, Error>;
