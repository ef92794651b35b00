//! Stage 3: choosing the edition. [`select`] turns a book into the
//! [`Publication`] of one edition: the preview drops every paid part and
//! puts a notice where each one was; the full edition keeps everything.
//! This is the only place that decides what paid text a book contains, and
//! nothing downstream knows that text was ever paid.

use serde::Deserialize;

use crate::book::Book;
use crate::essay::{Access, Essay};
use crate::lang;
use crate::publication::{Chapter, ChapterNote, Content, Publication};

/// Which edition of a book to make.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Edition {
    /// Free text only, with notices where paid parts were.
    Preview,
    /// Everything.
    Full,
}

/// The editions a build writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Editions {
    /// The preview edition only.
    Preview,
    /// The full edition only.
    Full,
    /// The preview, and the full edition beside it as `<stem>.full.epub`.
    Both,
}

impl Editions {
    /// The editions to write, preview first.
    pub fn list(self) -> &'static [Edition] {
        match self {
            Editions::Preview => &[Edition::Preview],
            Editions::Full => &[Edition::Full],
            Editions::Both => &[Edition::Preview, Edition::Full],
        }
    }
}

/// The publication of `edition` of `book`: in a preview each paid part is
/// replaced by one notice (the configured one, else the notice in the
/// chapter's language), and title and identifier are the preview's. A
/// preview of a book without paid text is the full book.
pub fn select(book: &Book, edition: Edition) -> Publication<'_> {
    let edition = effective(book, edition);
    let chapters = book
        .essays
        .iter()
        .enumerate()
        .map(|(index, essay)| {
            let lang = essay.lang.as_deref().unwrap_or(book.lang());
            let notice = match &book.preview.notice {
                Some(notice) => notice.as_str(),
                None => lang::strings(lang).paid_notice,
            };
            Chapter {
                title: &essay.title,
                lang,
                depth: book.chapter_depths.get(index).copied().unwrap_or(1),
                content: content(essay, edition, notice),
                notes: notes(essay, edition),
            }
        })
        .collect();
    let mark = (edition == Edition::Preview).then_some(book.preview.title_suffix.as_str());
    Publication {
        title: format!("{}{}", book.title, mark.unwrap_or_default()),
        own_title: &book.title,
        mark: mark.map(str::trim).filter(|m| !m.is_empty()),
        identifier: identifier(book, edition),
        // A preview is another product: it never carries the book's ISBN.
        isbn: match edition {
            Edition::Full => book.meta.isbn.as_deref(),
            Edition::Preview => None,
        },
        about: &book.meta.about,
        authors: &book.authors,
        contributors: &book.contributors,
        lang: book.lang(),
        languages: &book.languages,
        layout: book.layout,
        modified: book.modified,
        cover: &book.cover,
        extra_css: book.extra_css.as_deref(),
        font: book.font.as_ref().map(|font| &font.data),
        typography: &book.typography,
        chapters,
        colophon: book.essays.iter().flat_map(|e| &e.colophon).collect(),
    }
}

/// The edition actually made: a preview of a book without paid text is the full book.
fn effective(book: &Book, edition: Edition) -> Edition {
    if book.has_paid() {
        edition
    } else {
        Edition::Full
    }
}

/// The content of `essay` in `edition`; in a preview each paid part is
/// replaced by `notice`.
fn content<'a>(essay: &'a Essay, edition: Edition, notice: &'a str) -> Vec<Content<'a>> {
    let mut content = Vec::new();
    for part in &essay.parts {
        match (edition, part.access) {
            (Edition::Preview, Access::Paid) => content.push(Content::Notice(notice)),
            _ => content.extend(part.blocks.iter().map(Content::Block)),
        }
    }
    content
}

/// The footnotes of `essay` that `edition` holds: the preview's are free.
fn notes(essay: &Essay, edition: Edition) -> Vec<ChapterNote<'_>> {
    essay
        .notes
        .iter()
        .filter(|note| edition == Edition::Full || note.access == Access::Free)
        .map(|note| ChapterNote {
            key: &note.key,
            content: &note.content,
        })
        .collect()
}

/// The `dc:identifier` of `edition` (already [`effective`]): the configured
/// one, else the ISBN, for the full edition (a UUID derived from it for the
/// preview), else a name-based UUID of title, authors and edition, so that
/// a rebuild is the same book to a reader.
fn identifier(book: &Book, edition: Edition) -> String {
    let suffix = match edition {
        Edition::Preview => "preview",
        Edition::Full => "full",
    };
    let configured = book.meta.identifier.as_ref().or(book.meta.isbn.as_ref());
    let name = match (configured, edition) {
        (Some(id), Edition::Full) => return id.clone(),
        (Some(id), Edition::Preview) => format!("{id}\u{1f}{suffix}"),
        (None, _) => format!(
            "wenji\u{1f}{}\u{1f}{}\u{1f}{suffix}",
            book.title,
            book.authors.join("\u{1e}")
        ),
    };
    let uuid = uuid::Uuid::new_v5(&WENJI_NAMESPACE, name.as_bytes());
    format!("urn:uuid:{uuid}")
}

/// The namespace of wenji's name-based identifiers (a fixed random UUID).
const WENJI_NAMESPACE: uuid::Uuid =
    uuid::Uuid::from_u128(0x6b1f_3c2e_9d4a_4e57_8a0c_51d2_7f3e_b941);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::book::tests::sample;
    use crate::essay::{Block, Part};

    fn essay() -> Essay {
        let p = |t: &str| Block::paragraph(t);
        Essay {
            path: "e.txt".into(),
            title: "T".into(),
            creators: Vec::new(),
            lang: None,
            meta: Default::default(),
            colophon: Vec::new(),
            parts: vec![
                Part {
                    access: Access::Free,
                    blocks: vec![p("free1")],
                },
                Part {
                    access: Access::Paid,
                    blocks: vec![p("paid1"), p("paid2")],
                },
                Part {
                    access: Access::Free,
                    blocks: vec![p("free2")],
                },
                Part {
                    access: Access::Paid,
                    blocks: vec![p("paid3")],
                },
            ],
            notes: Vec::new(),
        }
    }

    #[test]
    fn preview_replaces_each_paid_part_with_one_notice() {
        let essay = essay();
        let got = content(&essay, Edition::Preview, "N");
        let p = |t: &str| Block::paragraph(t);
        let (free1, free2) = (p("free1"), p("free2"));
        assert_eq!(
            got,
            [
                Content::Block(&free1),
                Content::Notice("N"),
                Content::Block(&free2),
                Content::Notice("N")
            ]
        );
    }

    #[test]
    fn full_keeps_everything() {
        assert_eq!(content(&essay(), Edition::Full, "N").len(), 5);
    }

    #[test]
    fn both_lists_preview_first() {
        assert_eq!(Editions::Both.list(), [Edition::Preview, Edition::Full]);
    }

    #[test]
    fn editions_differ_only_when_there_is_paid_text() {
        let book = sample(true);
        let (preview, full) = (
            select(&book, Edition::Preview),
            select(&book, Edition::Full),
        );
        assert_eq!(preview.title, "书（试读）");
        assert_eq!(preview.mark, Some("（试读）"));
        assert_eq!(full.title, "书");
        assert_ne!(preview.identifier, full.identifier);
        let free = sample(false);
        let (preview, full) = (
            select(&free, Edition::Preview),
            select(&free, Edition::Full),
        );
        assert_eq!(preview.title, "书");
        assert_eq!(preview.identifier, full.identifier);
        assert_eq!(preview.chapters[0].content, full.chapters[0].content);
    }

    #[test]
    fn each_chapter_has_its_language_and_its_notice() {
        let mut book = sample(true);
        book.preview.notice = None;
        book.languages = vec!["zh-Hans".into(), "ja".into()];
        let mut japanese = book.essays[0].clone();
        japanese.lang = Some("ja".into());
        book.essays.push(japanese);
        let preview = select(&book, Edition::Preview);
        let chapters: Vec<(&str, &Content)> = preview
            .chapters
            .iter()
            .map(|c| (c.lang, &c.content[1]))
            .collect();
        // The first essay names no language: the book's main one.
        assert_eq!(
            chapters,
            [
                ("zh-Hans", &Content::Notice(lang::strings("zh").paid_notice)),
                ("ja", &Content::Notice(lang::strings("ja").paid_notice)),
            ]
        );
        assert_eq!(preview.lang, "zh-Hans");
        assert_eq!(preview.languages, ["zh-Hans", "ja"]);
        // A configured notice stands in every chapter.
        book.preview.notice = Some("N".into());
        let preview = select(&book, Edition::Preview);
        assert!(
            preview
                .chapters
                .iter()
                .all(|c| c.content[1] == Content::Notice("N"))
        );
    }

    #[test]
    fn identifiers_are_stable_name_based_uuids() {
        let id = select(&sample(true), Edition::Full).identifier;
        assert!(id.starts_with("urn:uuid:"));
        assert_eq!(id, select(&sample(true), Edition::Full).identifier);
        let mut other = sample(true);
        other.authors.push("另一位".into());
        assert_ne!(id, select(&other, Edition::Full).identifier);
    }
}
