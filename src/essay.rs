//! The essay model every input format is parsed into: a title and a sequence
//! of free and paid parts, each a list of blocks. Editions and typesetting
//! work on this model only, never on the source text.

use std::path::PathBuf;
use std::sync::Arc;

pub use crate::paid::Access;

/// One essay: the unit that becomes one chapter.
#[derive(Debug, Clone)]
pub struct Essay {
    /// The file it came from (for messages and covers).
    pub path: PathBuf,
    /// The title; always free text.
    pub title: String,
    /// Free and paid stretches in reading order.
    pub parts: Vec<Part>,
}

/// A stretch of blocks with one access.
#[derive(Debug, Clone)]
pub struct Part {
    /// Free or paid.
    pub access: Access,
    /// The blocks, in order.
    pub blocks: Vec<Block>,
}

/// A unit of body text; books are split into files only between blocks.
#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    /// A paragraph of plain text (not yet escaped).
    Paragraph(String),
    /// A section heading inside the essay; `level` 1 is the outermost.
    Heading {
        /// Nesting level, 1–6.
        level: u8,
        /// Plain text of the heading.
        text: String,
    },
    /// Well-formed, sanitised XHTML from Markdown, with the images it uses.
    Markup {
        /// The XHTML fragment: usually one top-level element, several (or bare
        /// text) when the sanitiser unwrapped a stray element such as `<li>`.
        xhtml: String,
        /// Images the fragment references.
        images: Vec<Image>,
    },
}

/// An image packed into the book.
#[derive(Debug, Clone, PartialEq)]
pub struct Image {
    /// Path inside the publication, relative to the package document (`images/…`).
    pub href: String,
    /// The image's media type.
    pub media_type: &'static str,
    /// The file's bytes.
    pub data: Arc<Vec<u8>>,
}

impl Block {
    /// Number of characters of reader-visible text (markup excluded).
    pub fn char_count(&self) -> usize {
        match self {
            Block::Paragraph(text) | Block::Heading { text, .. } => text.chars().count(),
            Block::Markup { xhtml, .. } => crate::xml::text_outside_tags(xhtml).count(),
        }
    }
}

impl Essay {
    /// Whether any part is paid.
    pub fn has_paid(&self) -> bool {
        self.parts.iter().any(|p| p.access == Access::Paid)
    }

    /// Characters of free and paid text, in that order.
    pub fn char_counts(&self) -> (usize, usize) {
        let mut counts = (self.title.chars().count(), 0);
        for part in &self.parts {
            let n: usize = part.blocks.iter().map(Block::char_count).sum();
            match part.access {
                Access::Free => counts.0 += n,
                Access::Paid => counts.1 += n,
            }
        }
        counts
    }

    /// Appends `block` with `access`, opening a new part when access changes.
    pub fn push(&mut self, access: Access, block: Block) {
        match self.parts.last_mut() {
            Some(part) if part.access == access => part.blocks.push(block),
            _ => self.parts.push(Part {
                access,
                blocks: vec![block],
            }),
        }
    }
}
