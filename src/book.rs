//! A book: its metadata, cover, extra style and essays, ready for an edition
//! to be typeset and packaged. Built by [`crate::build`] from files and options.

use std::path::PathBuf;
use std::sync::Arc;

use crate::essay::{Creator, Essay};
use crate::metadata::BookMeta;
use crate::typeset::Layout;
use crate::typeset::cjk::{BookTitleMarks, QuoteStyle};

/// Everything needed to make any edition of one book.
#[derive(Debug, Clone)]
pub struct Book {
    /// The title of the full edition.
    pub title: String,
    /// Authors, in order; never empty.
    pub authors: Vec<String>,
    /// Translators, editors and illustrators the essays credit, in order.
    pub contributors: Vec<Creator>,
    /// The BCP 47 tags of the chapters' languages, the largest share of
    /// free text first; never empty. The first is the book's main language
    /// (navigation, title page, cover); each chapter is in its essay's.
    pub languages: Vec<String>,
    /// Horizontal or vertical text.
    pub layout: Layout,
    /// Identifier, ISBN, publisher, date, series…: config first, then a
    /// single essay's front matter. With no identifier or ISBN, the
    /// `dc:identifier` is derived from title and authors.
    pub meta: BookMeta,
    /// Seconds since 1970 for `dcterms:modified` and zip timestamps.
    pub modified: i64,
    /// The cover image.
    pub cover: Cover,
    /// A stylesheet added after the built-in one.
    pub extra_css: Option<String>,
    /// A font to embed, subset per edition.
    pub font: Option<FontFile>,
    /// Wording of the preview edition.
    pub preview: PreviewText,
    /// Typographic choices.
    pub typography: Typography,
    /// The chapters, in reading order.
    pub essays: Vec<Essay>,
    /// Each essay's chapter depth in the navigation (1 at the top; a
    /// `SUMMARY.md` entry nested under another is deeper); missing entries
    /// are 1.
    pub chapter_depths: Vec<u8>,
}

/// Typographic choices beyond the layout; defaults in
/// [`crate::settings::Options::default`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Typography {
    /// Lengths of half-width digit runs set upright in vertical text.
    pub tcy_digits: Vec<usize>,
    /// Convert quotes and ASCII punctuation in vertical text.
    pub vertical_punctuation: bool,
    /// The order of corner brackets in vertical text.
    pub quotes: QuoteStyle,
    /// How book titles are marked in vertical text.
    pub book_title_marks: BookTitleMarks,
    /// Add a title page after the cover.
    pub title_page: bool,
    /// Add a table-of-contents page before the first chapter.
    pub toc_page: bool,
    /// How many heading levels the navigation (nav document, NCX, table-of-
    /// contents page) lists: chapters are level 1, their sections level 2;
    /// `None` lists them all.
    pub toc_depth: Option<std::num::NonZeroUsize>,
}

/// A font file to embed.
#[derive(Debug, Clone)]
pub struct FontFile {
    /// Where it was read from, for messages.
    pub path: PathBuf,
    /// Its bytes.
    pub data: Arc<Vec<u8>>,
}

/// What tells a preview apart from the full book.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PreviewText {
    /// Stands where a paid part was left out, in every chapter; `None`: the
    /// notice of each chapter's own language.
    pub notice: Option<String>,
    /// Appended to the title.
    pub title_suffix: String,
}

/// The cover of a book.
#[derive(Debug, Clone)]
pub enum Cover {
    /// An image file supplied by the user.
    Image {
        /// File extension used inside the book (`jpg`, `png`, `webp`, `svg`).
        extension: String,
        /// Its media type.
        media_type: &'static str,
        /// Its bytes.
        data: Arc<Vec<u8>>,
    },
    /// Drawn from the title and authors: an SVG, and from it a PNG when
    /// `raster` is set and a font has every character it draws.
    Generated {
        /// Whether to draw the PNG (`--no-raster-cover` unsets it).
        raster: bool,
    },
}

impl Book {
    /// The book's main language: the one with the largest share of its text
    /// (`und`, undetermined, should `languages` be empty).
    pub fn lang(&self) -> &str {
        self.languages.first().map_or("und", String::as_str)
    }

    /// Whether any essay has paid text; a book without is complete in both editions.
    pub fn has_paid(&self) -> bool {
        self.essays.iter().any(Essay::has_paid)
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::essay::{Access, Block, Part};

    pub(crate) fn sample(paid: bool) -> Book {
        let mut parts = vec![Part {
            access: Access::Free,
            blocks: vec![Block::paragraph("免费")],
        }];
        if paid {
            parts.push(Part {
                access: Access::Paid,
                blocks: vec![Block::paragraph("付费")],
            });
        }
        Book {
            title: "书".into(),
            authors: vec!["某".into()],
            contributors: Vec::new(),
            languages: vec!["zh-Hans".into()],
            layout: Layout::Horizontal,
            meta: BookMeta::default(),
            modified: 0,
            cover: Cover::Generated { raster: false },
            extra_css: None,
            font: None,
            typography: crate::settings::Options::default().typography,
            preview: PreviewText {
                notice: Some("N".into()),
                title_suffix: "（试读）".into(),
            },
            essays: vec![Essay {
                path: "e.txt".into(),
                title: "题".into(),
                creators: Vec::new(),
                lang: None,
                meta: Default::default(),
                colophon: Vec::new(),
                parts,
                notes: Vec::new(),
            }],
            chapter_depths: vec![1],
        }
    }
}
