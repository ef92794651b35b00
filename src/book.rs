//! A book: its metadata, cover, extra style and essays, ready for an edition
//! to be typeset and packaged. Built by [`crate::build`] from files and options.

use std::sync::Arc;

use crate::edition::Edition;
use crate::essay::Essay;
use crate::lang;
use crate::typeset::Layout;
use crate::typeset::cjk::TextRules;

/// Everything needed to make any edition of one book.
#[derive(Debug, Clone)]
pub struct Book {
    /// The title of the full edition.
    pub title: String,
    /// Authors, in order; never empty.
    pub authors: Vec<String>,
    /// BCP 47 language tag used everywhere in the book.
    pub lang: String,
    /// Horizontal or vertical text.
    pub layout: Layout,
    /// A configured `dc:identifier`; derived from title and authors if `None`.
    pub identifier: Option<String>,
    /// Seconds since 1970 for `dcterms:modified` and zip timestamps.
    pub modified: i64,
    /// The cover image.
    pub cover: Cover,
    /// A stylesheet added after the built-in one.
    pub extra_css: Option<String>,
    /// A font to embed, subset per edition.
    pub font: Option<Arc<Vec<u8>>>,
    /// Wording of the preview edition.
    pub preview: PreviewText,
    /// Typographic choices.
    pub typography: Typography,
    /// The chapters, in reading order.
    pub essays: Vec<Essay>,
}

/// Typographic choices beyond the layout.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Typography {
    /// Lengths of half-width digit runs set upright in vertical text.
    pub tcy_digits: Vec<usize>,
    /// Convert quotes and ASCII punctuation in vertical text.
    pub vertical_punctuation: bool,
    /// Add a title page after the cover.
    pub title_page: bool,
    /// Add a table-of-contents page before the first chapter.
    pub toc_page: bool,
}

impl Default for Typography {
    fn default() -> Self {
        Typography {
            tcy_digits: vec![2],
            vertical_punctuation: true,
            title_page: false,
            toc_page: false,
        }
    }
}

/// What tells a preview apart from the full book.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PreviewText {
    /// Stands where a paid part was left out.
    pub notice: String,
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
    /// An SVG drawn from the title and authors.
    Generated,
}

impl Book {
    /// Whether any essay has paid text; a book without is complete in both editions.
    pub fn has_paid(&self) -> bool {
        self.essays.iter().any(Essay::has_paid)
    }

    /// The edition actually made: a preview of a book without paid text is the full book.
    pub fn effective(&self, edition: Edition) -> Edition {
        if self.has_paid() {
            edition
        } else {
            Edition::Full
        }
    }

    /// The text rules of this book's layout, language and typography.
    pub fn text_rules(&self) -> TextRules {
        TextRules {
            vertical: self.layout == Layout::Vertical,
            tcy_digits: self.typography.tcy_digits.clone(),
            punctuation: self.typography.vertical_punctuation,
            taiwan_quotes: lang::is_traditional_chinese(&self.lang),
        }
    }

    /// The title shown for `edition`.
    pub fn title_for(&self, edition: Edition) -> String {
        match self.effective(edition) {
            Edition::Preview => format!("{}{}", self.title, self.preview.title_suffix),
            Edition::Full => self.title.clone(),
        }
    }

    /// The `dc:identifier` of `edition`: the configured one for the full
    /// edition (a UUID derived from it for the preview), else a name-based UUID of title, authors and
    /// edition, so that a rebuild is the same book to a reader.
    pub fn identifier_for(&self, edition: Edition) -> String {
        let edition = self.effective(edition);
        let suffix = match edition {
            Edition::Preview => "preview",
            Edition::Full => "full",
        };
        let name = match (&self.identifier, edition) {
            (Some(id), Edition::Full) => return id.clone(),
            (Some(id), Edition::Preview) => format!("{id}\u{1f}{suffix}"),
            (None, _) => format!(
                "wenji\u{1f}{}\u{1f}{}\u{1f}{suffix}",
                self.title,
                self.authors.join("\u{1e}")
            ),
        };
        let uuid = uuid::Uuid::new_v5(&WENJI_NAMESPACE, name.as_bytes());
        format!("urn:uuid:{uuid}")
    }
}

/// The namespace of wenji's name-based identifiers (a fixed random UUID).
const WENJI_NAMESPACE: uuid::Uuid =
    uuid::Uuid::from_u128(0x6b1f_3c2e_9d4a_4e57_8a0c_51d2_7f3e_b941);

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::essay::{Access, Block, Part};

    pub(crate) fn sample(paid: bool) -> Book {
        let mut parts = vec![Part {
            access: Access::Free,
            blocks: vec![Block::Paragraph("免费".into())],
        }];
        if paid {
            parts.push(Part {
                access: Access::Paid,
                blocks: vec![Block::Paragraph("付费".into())],
            });
        }
        Book {
            title: "书".into(),
            authors: vec!["某".into()],
            lang: "zh-Hans".into(),
            layout: Layout::Horizontal,
            identifier: None,
            modified: 0,
            cover: Cover::Generated,
            extra_css: None,
            font: None,
            typography: Typography::default(),
            preview: PreviewText {
                notice: "N".into(),
                title_suffix: "（试读）".into(),
            },
            essays: vec![Essay {
                path: "e.txt".into(),
                title: "题".into(),
                parts,
            }],
        }
    }

    #[test]
    fn editions_differ_only_when_there_is_paid_text() {
        let book = sample(true);
        assert_eq!(book.title_for(Edition::Preview), "书（试读）");
        assert_eq!(book.title_for(Edition::Full), "书");
        assert_ne!(
            book.identifier_for(Edition::Preview),
            book.identifier_for(Edition::Full)
        );
        let free = sample(false);
        assert_eq!(free.title_for(Edition::Preview), "书");
        assert_eq!(
            free.identifier_for(Edition::Preview),
            free.identifier_for(Edition::Full)
        );
    }

    #[test]
    fn identifiers_are_stable_name_based_uuids() {
        let id = sample(true).identifier_for(Edition::Full);
        assert!(id.starts_with("urn:uuid:"));
        assert_eq!(id, sample(true).identifier_for(Edition::Full));
        let mut other = sample(true);
        other.authors.push("另一位".into());
        assert_ne!(id, other.identifier_for(Edition::Full));
    }
}
