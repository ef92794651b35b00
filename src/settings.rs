//! The settings a book is built with, decided once. Two raw layers, every
//! value optional — a `wenji.toml` ([`Config`]) and the command-line
//! [`Flags`] — are merged by [`resolve`] alone into the [`Options`] that
//! `wenji build` and `wenji batch` both use: a flag wins over the config, the
//! config over the default, and every default is written in
//! [`Options::default`]. What can only be known from the essays (the title,
//! the language, the placeholder author and the preview's wording in that
//! language) stays unset here and is settled by [`crate::build::load_book`]
//! from the text and [`crate::lang::strings`].

use std::path::{Path, PathBuf};

use encoding_rs::Encoding;

use crate::book::Typography;
use crate::config::{self, Config};
use crate::creator::Creator;
use crate::decode::{self, Reading};
use crate::edition::Editions;
use crate::error::{Error, Result};
use crate::lang;
use crate::metadata::{BookMeta, ContributorKey};
use crate::parse::{HeadingRules, InputFormat, Paragraphs, PlainRules};
use crate::typeset::Layout;
use crate::typeset::cjk::{BookTitleMarks, QuoteStyle};

/// Resolved settings for one book: config file and flags merged, defaults filled in.
#[derive(Debug, Clone)]
pub struct Options {
    /// Book title; unset: the essay's, or the folder's name.
    pub title: Option<String>,
    /// Authors; empty: a placeholder in the book's language.
    pub authors: Vec<String>,
    /// BCP 47 tag; unset: detected from the free text.
    pub lang: Option<String>,
    /// Text direction.
    pub layout: Layout,
    /// Which editions to write.
    pub editions: Editions,
    /// Book metadata from the config (identifier, ISBN, publisher…),
    /// checked; unset keys may come from a single essay's front matter.
    pub meta: BookMeta,
    /// Translators, editors and illustrators from the config; empty: those
    /// the essays credit.
    pub contributors: Vec<Creator>,
    /// An explicit cover image.
    pub cover: Option<PathBuf>,
    /// Whether a generated cover is also drawn as a PNG.
    pub raster_cover: bool,
    /// A stylesheet to add.
    pub css: Option<PathBuf>,
    /// A font to embed (subset per edition).
    pub font: Option<PathBuf>,
    /// How essays are decoded (forced encoding, `--lossy`).
    pub reading: Reading,
    /// How essays are parsed; unset: by extension, a `.txt` in the Aozora
    /// Bunko shape as Aozora ([`InputFormat::detect`]).
    pub format: Option<InputFormat>,
    /// The config's `encoding` value, when it is the encoding in force (no
    /// `--encoding`): a decoding error then names the key that caused it.
    pub config_encoding: Option<String>,
    /// The folder whose `covers/` is searched: the config's, else the inputs'.
    pub base_dir: PathBuf,
    /// The config file the options came from, if any.
    pub config: Option<PathBuf>,
    /// Preview notice; unset: in each chapter's language.
    pub notice: Option<String>,
    /// Preview title suffix; unset: in the book's language.
    pub title_suffix: Option<String>,
    /// Fixed modification time (`SOURCE_DATE_EPOCH`); unset: the newest input's.
    pub modified: Option<i64>,
    /// Vertical-text rules and extra pages.
    pub typography: Typography,
    /// How plain text is read: headings and paragraphs.
    pub plain: PlainRules,
    /// Every warning is an error and nothing is written (`--strict`).
    pub strict: bool,
    /// Where images not beside the essay are looked for (`--resource-path`).
    pub resource_dirs: Vec<PathBuf>,
    /// The chapter files in order (`chapters` in the config, relative to it).
    pub chapters: Option<Vec<PathBuf>>,
}

impl Default for Options {
    /// Every default of every setting, in one place.
    fn default() -> Self {
        Options {
            title: None,
            authors: Vec::new(),
            lang: None,
            layout: Layout::Horizontal,
            editions: Editions::Preview,
            meta: BookMeta::default(),
            contributors: Vec::new(),
            cover: None,
            raster_cover: true,
            css: None,
            font: None,
            reading: Reading {
                encoding: None,
                lossy: false,
            },
            format: None,
            config_encoding: None,
            base_dir: PathBuf::new(),
            config: None,
            notice: None,
            title_suffix: None,
            modified: None,
            typography: Typography {
                tcy_digits: vec![1, 2],
                vertical_punctuation: true,
                quotes: QuoteStyle::Standard,
                book_title_marks: BookTitleMarks::Brackets,
                title_page: false,
                toc_page: false,
                toc_depth: None,
            },
            plain: PlainRules {
                headings: HeadingRules {
                    detect: true,
                    extra: Vec::new(),
                },
                paragraphs: Paragraphs::Auto,
            },
            strict: false,
            resource_dirs: Vec::new(),
            chapters: None,
        }
    }
}

/// The settings given on the command line; `None` (or empty) where a flag
/// was not given, so that the config or the default applies.
#[derive(Debug, Clone, Default)]
pub struct Flags {
    /// `--title`.
    pub title: Option<String>,
    /// `--author`, repeated.
    pub authors: Vec<String>,
    /// `--lang`.
    pub lang: Option<String>,
    /// `--layout`.
    pub layout: Option<Layout>,
    /// `--edition`, or `--full`.
    pub editions: Option<Editions>,
    /// `--cover`.
    pub cover: Option<PathBuf>,
    /// `Some(false)` for `--no-raster-cover`.
    pub raster_cover: Option<bool>,
    /// `--css`.
    pub css: Option<PathBuf>,
    /// `--font`.
    pub font: Option<PathBuf>,
    /// `--encoding`.
    pub encoding: Option<&'static Encoding>,
    /// `--lossy`.
    pub lossy: bool,
    /// `--input-format`.
    pub format: Option<InputFormat>,
    /// `--paragraphs`.
    pub paragraphs: Option<Paragraphs>,
    /// `Some(false)` for `--no-detect-headings`.
    pub detect_headings: Option<bool>,
    /// `Some(true)` for `--title-page`.
    pub title_page: Option<bool>,
    /// `Some(true)` for `--toc-page`.
    pub toc_page: Option<bool>,
    /// `--toc-depth N`.
    pub toc_depth: Option<std::num::NonZeroUsize>,
    /// `SOURCE_DATE_EPOCH`.
    pub modified: Option<i64>,
    /// `--strict`.
    pub strict: bool,
    /// `--resource-path`, repeated.
    pub resource_dirs: Vec<PathBuf>,
}

/// The folder a book's settings and covers belong to: the first input when
/// it is a folder, else the folder holding it.
pub fn inputs_folder(inputs: &[PathBuf]) -> PathBuf {
    match inputs.first() {
        Some(input) if input.is_dir() => input.clone(),
        Some(input) => input
            .parent()
            .filter(|parent| !parent.as_os_str().is_empty())
            .map_or_else(|| PathBuf::from("."), Path::to_path_buf),
        None => PathBuf::from("."),
    }
}

/// The config file of a book: `explicit` (`--config`) when given, else the
/// `wenji.toml` in `folder` (see [`inputs_folder`]) when there is one.
pub fn config_path(explicit: Option<&Path>, folder: &Path) -> Option<PathBuf> {
    match explicit {
        Some(path) => Some(path.to_path_buf()),
        None => Some(folder.join(config::DEFAULT_NAME)).filter(|path| path.is_file()),
    }
}

/// Merges `flags` with `config` (its path and contents, if the book has
/// one): flags win, then the config, then [`Options::default`]. Values of
/// the config are checked here, whether or not a flag overrides them, and a
/// bad one is an error naming its key. Without a config, covers are looked
/// for in `inputs_folder`.
pub fn resolve(
    flags: Flags,
    config: Option<(PathBuf, Config)>,
    inputs_folder: &Path,
) -> Result<Options> {
    let defaults = Options::default();
    let (path, config) = match config {
        Some((path, config)) => (Some(path), config),
        None => (None, Config::default()),
    };
    let bad_value = |key: &str, value: &str, problem: String| Error::ConfigValue {
        path: path.clone().unwrap_or_default(),
        key: key.to_string(),
        value: value.to_string(),
        problem,
    };

    let config_encoding = match &config.encoding {
        Some(label) => Some(
            decode::encoding_for_label(label)
                .map_err(|e| bad_value("encoding", label, e.to_string()))?,
        ),
        None => None,
    };
    let config_format = match &config.format {
        Some(name) => Some(InputFormat::named(name).ok_or_else(|| {
            let problem = "not an input format: use \"aozora\", \"plain\" or \"markdown\", \
                           or leave the key out to go by extension"
                .to_string();
            bad_value("format", name, problem)
        })?),
        None => None,
    };
    let config_paragraphs = match &config.paragraphs {
        Some(name) => Some(Paragraphs::named(name).ok_or_else(|| {
            let problem = "not a paragraph shape: use \"auto\", \"line\", \"blank\" or \"indent\""
                .to_string();
            bad_value("paragraphs", name, problem)
        })?),
        None => None,
    };
    if let Some(tag) = &config.lang
        && !lang::is_valid_tag(tag)
    {
        let problem = Error::InvalidLanguage(tag.clone()).to_string();
        return Err(bad_value("lang", tag, problem));
    }
    let extra_headings = config
        .headings
        .patterns
        .iter()
        .map(|pattern| {
            regex::Regex::new(pattern).map_err(|e| {
                bad_value(
                    "[headings] patterns",
                    pattern,
                    format!("not a regular expression: {e}"),
                )
            })
        })
        .collect::<Result<Vec<_>>>()?;

    let meta = config
        .meta_keys()
        .check()
        .map_err(|bad| bad_value(bad.key, &bad.value, bad.problem))?;

    let authors = if flags.authors.is_empty() {
        config.authors.unwrap_or(defaults.authors)
    } else {
        flags.authors
    };
    let typography = Typography {
        tcy_digits: config
            .typography
            .tate_chu_yoko
            .unwrap_or(defaults.typography.tcy_digits),
        vertical_punctuation: config
            .typography
            .vertical_punctuation
            .unwrap_or(defaults.typography.vertical_punctuation),
        quotes: config
            .typography
            .quotes
            .unwrap_or(defaults.typography.quotes),
        book_title_marks: config
            .typography
            .book_title_marks
            .unwrap_or(defaults.typography.book_title_marks),
        title_page: flags
            .title_page
            .or(config.title_page)
            .unwrap_or(defaults.typography.title_page),
        toc_page: flags
            .toc_page
            .or(config.toc_page)
            .unwrap_or(defaults.typography.toc_page),
        toc_depth: flags
            .toc_depth
            .or(config.toc_depth)
            .or(defaults.typography.toc_depth),
    };
    Ok(Options {
        title: flags.title.or(config.title),
        authors,
        lang: flags.lang.or(config.lang),
        layout: flags.layout.or(config.layout).unwrap_or(defaults.layout),
        editions: flags
            .editions
            .or(config.edition)
            .unwrap_or(defaults.editions),
        meta,
        contributors: config
            .contributors
            .iter()
            .filter_map(ContributorKey::creator)
            .collect(),
        cover: flags.cover.or(config.cover),
        raster_cover: flags
            .raster_cover
            .or(config.raster_cover)
            .unwrap_or(defaults.raster_cover),
        css: flags.css.or(config.css),
        font: flags.font.or(config.font),
        reading: Reading {
            encoding: flags.encoding.or(config_encoding),
            lossy: flags.lossy || defaults.reading.lossy,
        },
        format: flags.format.or(config_format).or(defaults.format),
        config_encoding: config.encoding.filter(|_| flags.encoding.is_none()),
        base_dir: match &path {
            Some(path) => path.parent().unwrap_or(Path::new("")).to_path_buf(),
            None => inputs_folder.to_path_buf(),
        },
        config: path,
        notice: config.preview.notice,
        title_suffix: config.preview.title_suffix,
        modified: flags.modified,
        typography,
        plain: PlainRules {
            headings: HeadingRules {
                detect: flags
                    .detect_headings
                    .or(config.headings.detect)
                    .unwrap_or(defaults.plain.headings.detect),
                extra: extra_headings,
            },
            paragraphs: flags
                .paragraphs
                .or(config_paragraphs)
                .unwrap_or(defaults.plain.paragraphs),
        },
        strict: flags.strict || config.strict.unwrap_or(defaults.strict),
        resource_dirs: if flags.resource_dirs.is_empty() {
            config.resource_path.unwrap_or(defaults.resource_dirs)
        } else {
            flags.resource_dirs
        },
        chapters: config.chapters,
    })
}

impl Options {
    /// `error` as a book built with these options reports it: when decoding
    /// failed in the encoding the config forced, the error names that key.
    pub fn explain(&self, error: Error) -> Error {
        let caused_by_encoding = matches!(
            error,
            Error::Decode { .. }
                | Error::WrongEncoding { .. }
                | Error::MarkerHiddenByEncoding { .. }
                | Error::ByteOrder { .. }
                | Error::LossyMarker { .. }
        );
        match (&self.config_encoding, &self.config) {
            (Some(label), Some(config)) if caused_by_encoding => Error::ConfigEncoding {
                config: config.clone(),
                label: label.clone(),
                source: Box::new(error),
            },
            _ => error,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(text: &str) -> Option<(PathBuf, Config)> {
        Some((
            PathBuf::from("book/wenji.toml"),
            toml::from_str(text).unwrap(),
        ))
    }

    #[test]
    fn flags_win_over_the_config_and_the_config_over_the_defaults() {
        let from_config = config(
            "title = \"配置\"\nauthors = [\"甲\"]\nlayout = \"vertical\"\nedition = \"both\"\n\
             title_page = true\ntoc_depth = 2\n[headings]\ndetect = false\n[typography]\ntate_chu_yoko = [3]\n",
        );
        let options = resolve(Flags::default(), from_config.clone(), Path::new("in")).unwrap();
        assert_eq!(options.title.as_deref(), Some("配置"));
        assert_eq!(options.authors, ["甲"]);
        assert_eq!(options.layout, Layout::Vertical);
        assert_eq!(options.editions, Editions::Both);
        assert!(options.typography.title_page && !options.typography.toc_page);
        assert!(!options.plain.headings.detect);
        assert_eq!(options.typography.tcy_digits, [3]);
        assert_eq!(options.base_dir, Path::new("book"));
        assert_eq!(options.typography.toc_depth.map(|d| d.get()), Some(2));

        let flags = Flags {
            title: Some("旗".into()),
            authors: vec!["乙".into()],
            layout: Some(Layout::Horizontal),
            editions: Some(Editions::Full),
            toc_page: Some(true),
            toc_depth: std::num::NonZeroUsize::new(3),
            ..Flags::default()
        };
        let options = resolve(flags, from_config, Path::new("in")).unwrap();
        assert_eq!(options.typography.toc_depth.map(|d| d.get()), Some(3));
        assert_eq!(options.title.as_deref(), Some("旗"));
        assert_eq!(options.authors, ["乙"]);
        assert_eq!(options.layout, Layout::Horizontal);
        assert_eq!(options.editions, Editions::Full);
        assert!(options.typography.title_page && options.typography.toc_page);

        let options = resolve(Flags::default(), None, Path::new("in")).unwrap();
        assert_eq!(options.typography.toc_depth, None);
        let defaults = Options::default();
        assert_eq!(options.layout, defaults.layout);
        assert_eq!(options.editions, defaults.editions);
        assert_eq!(options.typography, defaults.typography);
        assert!(options.plain.headings.detect);
        assert_eq!(options.base_dir, Path::new("in"));
    }

    #[test]
    fn quote_order_and_book_title_marks_come_from_the_config() {
        let defaults = resolve(Flags::default(), None, Path::new("in")).unwrap();
        assert_eq!(defaults.typography.quotes, QuoteStyle::Standard);
        assert_eq!(
            defaults.typography.book_title_marks,
            BookTitleMarks::Brackets
        );
        assert_eq!(defaults.typography.tcy_digits, [1, 2]);
        let set =
            config("[typography]\nquotes = \"corner-outside\"\nbook_title_marks = \"wavy-line\"\n");
        let options = resolve(Flags::default(), set, Path::new("in")).unwrap();
        assert_eq!(options.typography.quotes, QuoteStyle::CornerOutside);
        assert_eq!(
            options.typography.book_title_marks,
            BookTitleMarks::WavyLine
        );
    }

    #[test]
    fn a_bad_config_value_names_its_key_and_file() {
        for (text, expected) in [
            (
                "encoding = \"klingon\"",
                "encoding = \"klingon\" in book/wenji.toml: ",
            ),
            ("lang = \"中文\"", "lang = \"中文\" in book/wenji.toml: "),
            (
                "format = \"aozorra\"",
                "format = \"aozorra\" in book/wenji.toml: not an input format",
            ),
            (
                "[headings]\npatterns = [\"(\"]",
                "[headings] patterns = \"(\" in book/wenji.toml: not a regular expression",
            ),
        ] {
            let err = resolve(Flags::default(), config(text), Path::new("."))
                .unwrap_err()
                .to_string();
            assert!(err.starts_with(expected), "{err}");
        }
    }

    #[test]
    fn the_paragraph_shape_is_the_flags_else_the_configs_else_auto() {
        let resolved = |flag, config_text: &str| {
            let flags = Flags {
                paragraphs: flag,
                ..Flags::default()
            };
            resolve(flags, config(config_text), Path::new(".")).map(|o| o.plain.paragraphs)
        };
        assert_eq!(resolved(None, "").unwrap(), Paragraphs::Auto);
        for shape in [Paragraphs::Line, Paragraphs::Blank, Paragraphs::Indent] {
            let text = format!("paragraphs = \"{}\"", shape.name());
            assert_eq!(resolved(None, &text).unwrap(), shape);
            assert_eq!(
                resolved(Some(Paragraphs::Auto), &text).unwrap(),
                Paragraphs::Auto
            );
        }
        let err = resolved(None, "paragraphs = \"lines\"").unwrap_err();
        assert!(err.to_string().contains("paragraphs = \"lines\""), "{err}");
    }

    #[test]
    fn the_input_format_is_the_flags_else_the_configs_else_detected() {
        let resolved = |flag, config_text: &str| {
            let flags = Flags {
                format: flag,
                ..Flags::default()
            };
            resolve(flags, config(config_text), Path::new("."))
                .unwrap()
                .format
        };
        assert_eq!(resolved(None, ""), None);
        for (name, format) in [
            ("aozora", InputFormat::Aozora),
            ("plain", InputFormat::Plain),
            ("markdown", InputFormat::Markdown),
        ] {
            assert_eq!(
                resolved(None, &format!("format = \"{name}\"")),
                Some(format)
            );
        }
        let flag = Some(InputFormat::Plain);
        assert_eq!(resolved(flag, "format = \"markdown\""), flag);
        assert_eq!(resolved(flag, ""), flag);
        // A bad value is refused even when the flag overrides it.
        let flags = Flags {
            format: flag,
            ..Flags::default()
        };
        assert!(resolve(flags, config("format = \"txt\""), Path::new(".")).is_err());
    }

    #[test]
    fn only_an_encoding_the_config_forced_is_blamed_on_it() {
        let decode_error = || Error::Decode {
            path: "e.txt".into(),
            line: 3,
            encoding: "GB18030",
        };
        let forced = resolve(
            Flags::default(),
            config("encoding = \"gb18030\""),
            Path::new("."),
        )
        .unwrap();
        let message = forced.explain(decode_error()).to_string();
        assert!(message.starts_with("e.txt:3: "), "{message}");
        assert!(
            message.contains("encoding = \"gb18030\" in book/wenji.toml"),
            "{message}"
        );
        let flagged = Flags {
            encoding: Some(encoding_rs::BIG5),
            ..Flags::default()
        };
        let overridden =
            resolve(flagged, config("encoding = \"gb18030\""), Path::new(".")).unwrap();
        let message = overridden.explain(decode_error()).to_string();
        assert!(!message.contains("wenji.toml"), "{message}");
    }
}
