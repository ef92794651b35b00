//! `wenji.toml`: the book's settings, so that a book folder builds the same
//! way every time. This is the file's shape only: every key is optional, and
//! [`crate::settings::resolve`] merges it with the flags (which win) and the
//! defaults. Relative paths in the file are relative to the file's folder.

use std::num::NonZeroUsize;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::edition::Editions;
use crate::error::{Error, Result};
use crate::metadata::{ContributorKey, MetaKeys};
use crate::typeset::Layout;
use crate::typeset::cjk::{BookTitleMarks, QuoteStyle};

/// The name looked for beside the inputs when `--config` is not given.
pub const DEFAULT_NAME: &str = "wenji.toml";

/// The contents of a `wenji.toml`.
#[derive(Debug, Default, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Book title (default: the essay's title, or the folder's name).
    pub title: Option<String>,
    /// Authors, in order; one name alone (`authors = "某某"`) is one author.
    /// `author` is the same key.
    #[serde(default, alias = "author", deserialize_with = "one_or_many")]
    pub authors: Option<Vec<String>>,
    /// BCP 47 language tag (default: detected from the text).
    pub lang: Option<String>,
    /// `horizontal` or `vertical`.
    pub layout: Option<Layout>,
    /// `preview`, `full` or `both`.
    pub edition: Option<Editions>,
    /// A fixed `dc:identifier` for the full edition.
    pub identifier: Option<String>,
    /// An ISBN (full edition only), checked and written as `urn:isbn:`.
    pub isbn: Option<String>,
    /// `dc:description`.
    pub description: Option<String>,
    /// `dc:publisher`.
    pub publisher: Option<String>,
    /// `dc:date`, W3CDTF (`2024-03-01`); quoted or a TOML date.
    #[serde(default, deserialize_with = "crate::metadata::date_text")]
    pub date: Option<String>,
    /// `dc:subject`s; one alone may be a string. `tags` is the same key.
    #[serde(default, alias = "tags", deserialize_with = "one_or_many")]
    pub subject: Option<Vec<String>>,
    /// `dc:rights`.
    pub rights: Option<String>,
    /// The series the book belongs to.
    pub series: Option<String>,
    /// The book's position in its series.
    pub series_index: Option<f64>,
    /// Translators, editors and illustrators: `[{ name = "…", role = "translator" }]`.
    #[serde(default)]
    pub contributors: Vec<ContributorKey>,
    /// Cover image.
    pub cover: Option<PathBuf>,
    /// Draw a generated cover as a PNG too (default true); false keeps the SVG alone.
    pub raster_cover: Option<bool>,
    /// Stylesheet added after the built-in one.
    pub css: Option<PathBuf>,
    /// Encoding label forced on every essay.
    pub encoding: Option<String>,
    /// How every essay is read (`aozora`, `plain`, `markdown`); default: by
    /// extension, a `.txt` in the Aozora Bunko shape as Aozora.
    pub format: Option<String>,
    /// How plain text marks paragraphs (`auto`, `line`, `blank`, `indent`).
    pub paragraphs: Option<String>,
    /// A TrueType or OpenType font to embed, subset to the book's characters.
    pub font: Option<PathBuf>,
    /// Add a title page after the cover.
    pub title_page: Option<bool>,
    /// Add a table-of-contents page before the first chapter.
    pub toc_page: Option<bool>,
    /// How many heading levels the navigation lists (chapters are 1); at least 1.
    #[serde(default, deserialize_with = "toc_depth")]
    pub toc_depth: Option<NonZeroUsize>,
    /// Every warning is an error: nothing is written (for CI pipelines).
    pub strict: Option<bool>,
    /// Folders where site-root image paths (`/images/a.png`), and relative
    /// ones not found beside the essay, are looked for; relative to this file.
    pub resource_path: Option<Vec<PathBuf>>,
    /// The book's essay files in chapter order, relative to this file;
    /// essays of the folder not listed are left out.
    pub chapters: Option<Vec<PathBuf>>,
    /// Wording of the preview edition.
    #[serde(default)]
    pub preview: PreviewConfig,
    /// Vertical-text rules.
    #[serde(default)]
    pub typography: TypographyConfig,
    /// Heading detection in plain text.
    #[serde(default)]
    pub headings: HeadingsConfig,
}

/// The `[typography]` table.
#[derive(Debug, Default, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TypographyConfig {
    /// Lengths of half-width digit runs set upright in vertical text
    /// (default `[1, 2]`; a single digit only in CJK text).
    pub tate_chu_yoko: Option<Vec<usize>>,
    /// Convert quotes to corner brackets and ASCII punctuation between CJK
    /// characters to full width in vertical text (default true).
    pub vertical_punctuation: Option<bool>,
    /// `"standard"` (default: the locale's order, 『』 outside in Simplified
    /// Chinese per GB/T 15834—2011 §5.2.3) or `"corner-outside"` (「」
    /// outside, 『』 inside): the corner brackets of vertical text.
    pub quotes: Option<QuoteStyle>,
    /// `"brackets"` (default: 《》) or `"wavy-line"` (a wavy line on the
    /// left of the title, GB/T 15834—2011 §5.2.4): book titles in vertical text.
    pub book_title_marks: Option<BookTitleMarks>,
}

/// The `[headings]` table.
#[derive(Debug, Default, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HeadingsConfig {
    /// Detect headings such as 第一章 in plain text (default true).
    pub detect: Option<bool>,
    /// More regular expressions a whole line must match to be a heading (level 2).
    #[serde(default)]
    pub patterns: Vec<String>,
}

/// The `[preview]` table.
#[derive(Debug, Default, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PreviewConfig {
    /// Stands where a paid part was left out.
    pub notice: Option<String>,
    /// Appended to the title of the preview edition.
    pub title_suffix: Option<String>,
}

impl Config {
    /// The book-level metadata keys of the file, to be checked.
    pub fn meta_keys(&self) -> MetaKeys {
        MetaKeys {
            description: self.description.clone(),
            publisher: self.publisher.clone(),
            date: self.date.clone(),
            subject: self.subject.clone(),
            rights: self.rights.clone(),
            identifier: self.identifier.clone(),
            isbn: self.isbn.clone(),
            series: self.series.clone(),
            series_index: self.series_index,
        }
    }

    /// Reads and parses the file at `path`, resolving its relative paths.
    pub fn load(path: &Path) -> Result<Config> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::read(path, e))?;
        let mut config: Config = toml::from_str(&text).map_err(|e| Error::Config {
            path: path.to_path_buf(),
            message: format!(
                "{}; see wenji.toml in the wenji repository for the keys",
                e.message()
            ) + &line_of(&text, e.span()),
        })?;
        let base = path.parent().unwrap_or(Path::new(""));
        let listed = config.resource_path.iter_mut().flatten();
        for file in [&mut config.cover, &mut config.css, &mut config.font]
            .into_iter()
            .flatten()
            .chain(listed)
        {
            *file = base.join(&*file);
        }
        Ok(config)
    }
}

/// Reads `toc_depth`: a whole number of levels, 1 (chapters only) or more.
fn toc_depth<'de, D>(deserializer: D) -> std::result::Result<Option<NonZeroUsize>, D::Error>
where
    D: serde::Deserializer<'de>,
{
    let levels = i64::deserialize(deserializer)?;
    usize::try_from(levels)
        .ok()
        .and_then(NonZeroUsize::new)
        .map(Some)
        .ok_or_else(|| {
            serde::de::Error::custom(format!(
                "toc_depth = {levels}: give the number of heading levels the table of \
                 contents lists, 1 (chapters only) or more"
            ))
        })
}

/// Reads a string as a list of one, and an array of strings as it is.
pub(crate) fn one_or_many<'de, D>(
    deserializer: D,
) -> std::result::Result<Option<Vec<String>>, D::Error>
where
    D: serde::Deserializer<'de>,
{
    struct Names;
    impl<'de> serde::de::Visitor<'de> for Names {
        type Value = Vec<String>;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("a name or an array of names")
        }
        fn visit_str<E: serde::de::Error>(self, name: &str) -> std::result::Result<Self::Value, E> {
            Ok(vec![name.to_string()])
        }
        fn visit_seq<A: serde::de::SeqAccess<'de>>(
            self,
            mut names: A,
        ) -> std::result::Result<Self::Value, A::Error> {
            let mut all = Vec::new();
            while let Some(name) = names.next_element::<String>()? {
                all.push(name);
            }
            Ok(all)
        }
    }
    deserializer.deserialize_any(Names).map(Some)
}

fn line_of(text: &str, span: Option<std::ops::Range<usize>>) -> String {
    match span {
        Some(span) => {
            let line = text.as_bytes()[..span.start.min(text.len())]
                .iter()
                .filter(|&&b| b == b'\n')
                .count()
                + 1;
            format!(" (line {line})")
        }
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_key() {
        let config: Config = toml::from_str(
            "title = \"文集\"\nauthors = [\"甲\", \"乙\"]\nlang = \"zh-Hant\"\nlayout = \"vertical\"\n\
             edition = \"both\"\nidentifier = \"urn:isbn:9780000000000\"\ncover = \"covers/a.png\"\n\
             raster_cover = false\n\
             css = \"extra.css\"\nencoding = \"big5\"\ntitle_page = true\ntoc_page = true\n\
             isbn = \"7-5321-4567-0\"\ndescription = \"D\"\npublisher = \"P\"\ndate = 2024-03-01\n\
             tags = \"T\"\nrights = \"R\"\nseries = \"S\"\nseries_index = 2\n\
             contributors = [{ name = \"丙\", role = \"editor\" }]\n\
             strict = true\nresource_path = [\"site/static\"]\nchapters = [\"b.md\", \"a.md\"]\n\
             [preview]\nnotice = \"N\"\ntitle_suffix = \"S\"\n\
             [typography]\ntate_chu_yoko = [1, 2]\nvertical_punctuation = false\n\
             [headings]\ndetect = false\npatterns = [\"^序$\"]\n",
        )
        .unwrap();
        assert_eq!(config.layout, Some(Layout::Vertical));
        assert_eq!(config.edition, Some(Editions::Both));
        assert_eq!(config.authors, Some(vec!["甲".into(), "乙".into()]));
        assert_eq!(config.preview.title_suffix.as_deref(), Some("S"));
        assert_eq!(config.typography.tate_chu_yoko, Some(vec![1, 2]));
        assert_eq!(config.headings.patterns, ["^序$"]);
        let meta = config.meta_keys().check().unwrap();
        assert_eq!(meta.isbn.as_deref(), Some("urn:isbn:9787532145676"));
        assert_eq!(meta.about.date.as_deref(), Some("2024-03-01"));
        assert_eq!(meta.about.subjects, ["T"]);
        assert_eq!(meta.keys_set().len(), 8);
        assert_eq!(
            config.contributors[0].creator().unwrap().role.marc_code(),
            "edt"
        );
        assert_eq!(config.strict, Some(true));
        assert_eq!(config.raster_cover, Some(false));
        assert_eq!(
            config.resource_path,
            Some(vec![PathBuf::from("site/static")])
        );
        assert_eq!(
            config.chapters,
            Some(vec![PathBuf::from("b.md"), PathBuf::from("a.md")])
        );
        assert_eq!(
            (config.title_page, config.toc_page),
            (Some(true), Some(true))
        );
    }

    #[test]
    fn one_author_may_be_a_string() {
        let config: Config = toml::from_str("authors = \"某某\"").unwrap();
        assert_eq!(config.authors, Some(vec!["某某".to_string()]));
        let err = toml::from_str::<Config>("authors = 3").unwrap_err();
        assert!(
            err.message().contains("a name or an array of names"),
            "{err}"
        );
    }

    #[test]
    fn typography_values_are_named_and_a_wrong_one_is_refused_with_its_line() {
        let config: Config = toml::from_str(
            "[typography]\nquotes = \"standard\"\nbook_title_marks = \"brackets\"\n",
        )
        .unwrap();
        assert_eq!(config.typography.quotes, Some(QuoteStyle::Standard));
        assert_eq!(
            config.typography.book_title_marks,
            Some(BookTitleMarks::Brackets)
        );
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("wenji.toml");
        std::fs::write(&path, "[typography]\nquotes = \"taiwan\"\n").unwrap();
        let err = Config::load(&path).unwrap_err().to_string();
        assert!(
            err.contains("taiwan") && err.contains("corner-outside") && err.contains("line 2"),
            "{err}"
        );
    }

    #[test]
    fn unknown_keys_are_errors_with_a_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("wenji.toml");
        std::fs::write(&path, "title = \"x\"\nlayuot = \"vertical\"\n").unwrap();
        let err = Config::load(&path).unwrap_err().to_string();
        assert!(err.contains("layuot") && err.contains("line 2"), "{err}");
    }
}
