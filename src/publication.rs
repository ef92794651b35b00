//! What typesetting and packaging see: one edition of a book, already
//! chosen by [`crate::edition::select`]. It holds no notion of free or paid
//! text — the preview's notices already stand where paid parts were — so
//! nothing after this point can put paid text into a preview.

use std::sync::Arc;

use crate::book::{Cover, Typography};
pub use crate::essay::{Block, Creator, Image};
use crate::metadata::About;
use crate::typeset::Layout;
use crate::typeset::cjk::{Locale, TextRules};

/// One edition of a book, ready to typeset and package.
#[derive(Debug, Clone)]
pub struct Publication<'a> {
    /// The title as this edition shows it (a preview's with its suffix).
    pub title: String,
    /// The book's own title, without any suffix.
    pub own_title: &'a str,
    /// The mark a preview's generated cover sets under the title.
    pub mark: Option<&'a str>,
    /// This edition's `dc:identifier`.
    pub identifier: String,
    /// The ISBN (`urn:isbn:…`); the full edition's only, never a preview's.
    pub isbn: Option<&'a str>,
    /// Description, publisher, date, subjects, rights, series: public, the
    /// same in every edition.
    pub about: &'a About,
    /// Authors, in order; never empty.
    pub authors: &'a [String],
    /// Translators, editors and illustrators, in order.
    pub contributors: &'a [Creator],
    /// The book's main language (BCP 47): navigation, cover, title and
    /// contents pages, colophon. The first of `languages`.
    pub lang: &'a str,
    /// Every chapter's language, the largest share of free text first.
    pub languages: &'a [String],
    /// Horizontal or vertical text.
    pub layout: Layout,
    /// Seconds since 1970 for `dcterms:modified` and zip timestamps.
    pub modified: i64,
    /// The cover image.
    pub cover: &'a Cover,
    /// A stylesheet added after the built-in one.
    pub extra_css: Option<&'a str>,
    /// A font to embed, subset to the characters this edition draws.
    /// Shared, not copied: the generated cover may draw with it too.
    pub font: Option<&'a Arc<Vec<u8>>>,
    /// Typographic choices.
    pub typography: &'a Typography,
    /// The chapters, in reading order.
    pub chapters: Vec<Chapter<'a>>,
    /// The essays' colophons, in order (free text in every edition).
    pub colophon: Vec<&'a Block>,
}

/// One chapter of a publication.
#[derive(Debug, Clone)]
pub struct Chapter<'a> {
    /// Its title.
    pub title: &'a str,
    /// Its language (BCP 47): its pages' `xml:lang`, its quotation rules.
    pub lang: &'a str,
    /// Its content, in order.
    pub content: Vec<Content<'a>>,
    /// Its depth in the navigation: 1 at the top, deeper when nested under
    /// the chapter before it (a `SUMMARY.md` outline).
    pub depth: u8,
    /// The footnotes this edition holds; a reference to any other note is
    /// left out when the chapter is typeset.
    pub notes: Vec<ChapterNote<'a>>,
}

/// A footnote of a chapter.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ChapterNote<'a> {
    /// The key its references name.
    pub key: &'a str,
    /// Its content: block-level elements.
    pub content: &'a [crate::document::Node],
}

/// A unit of a chapter's content.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Content<'a> {
    /// A block of the essay.
    Block(&'a Block),
    /// A notice standing where something was left out (a preview's paid part).
    Notice(&'a str),
}

impl Publication<'_> {
    /// The text rules of this publication's layout, main language and typography.
    pub fn text_rules(&self) -> TextRules {
        self.text_rules_in(self.lang)
    }

    /// The text rules of this publication's layout and typography for text
    /// in language `lang` (a chapter's).
    pub fn text_rules_in(&self, lang: &str) -> TextRules {
        TextRules {
            vertical: self.layout == Layout::Vertical,
            tcy_digits: self.typography.tcy_digits.clone(),
            punctuation: self.typography.vertical_punctuation,
            locale: Locale::of(lang),
            quotes: self.typography.quotes,
            book_titles: self.typography.book_title_marks,
        }
    }
}

/// A publication of the sample book of [`crate::book::tests::sample`]
/// (with a paid part): its preview, or its full edition.
#[cfg(test)]
pub(crate) fn sample(preview: bool) -> Publication<'static> {
    use crate::edition::{Edition, select};
    let book = Box::leak(Box::new(crate::book::tests::sample(true)));
    select(
        book,
        if preview {
            Edition::Preview
        } else {
            Edition::Full
        },
    )
}
