//! The essay model every input format is parsed into: a title and a sequence
//! of free and paid parts, each a list of blocks. Editions and typesetting
//! work on this model only, never on the source text.

use std::path::PathBuf;

pub use crate::creator::Creator;
use crate::document;
pub use crate::document::{Element, Image, Node};
pub(crate) use crate::paid::Access;

/// One essay: the unit that becomes one chapter.
#[derive(Debug, Clone)]
pub struct Essay {
    /// The file it came from (for messages and covers).
    pub path: PathBuf,
    /// The title; always free text.
    pub title: String,
    /// The people the essay itself credits (an Aozora Bunko header: its
    /// author, then translators, editors, illustrators), in order; empty for
    /// formats without one.
    pub creators: Vec<Creator>,
    /// The essay's language, a BCP 47 tag: as parsed, the one its own
    /// metadata names (a Project Gutenberg `Language:` line, front matter's
    /// `lang`), `None` for most essays; [`crate::build`] then settles it for
    /// every essay (`--lang`, else its own, else detected from its free text).
    pub lang: Option<String>,
    /// Book-level metadata the essay's front matter gives (publisher, ISBN,
    /// series…): the book's when the book is this essay alone. Public.
    pub meta: crate::metadata::BookMeta,
    /// The essay's colophon (an Aozora Bunko text's `底本：` notes): free
    /// text, set on a page of its own at the end of the book.
    pub colophon: Vec<Block>,
    /// Free and paid stretches in reading order; only parsing and edition
    /// selection see them.
    pub(crate) parts: Vec<Part>,
    /// Footnotes (Markdown `[^label]`), each free or paid as a whole.
    pub(crate) notes: Vec<Note>,
}

/// A footnote: referenced in the text as an `a.noteref` element whose
/// `data-note` is its key (see [`Note::reference`]); typesetting numbers
/// the references and sets the notes beside them.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Note {
    /// Its key, unique in the essay.
    pub(crate) key: String,
    /// Paid when it is defined in a paid part or referenced from one: the
    /// preview holds free notes only.
    pub(crate) access: Access,
    /// Its content: block-level elements.
    pub(crate) content: Vec<Node>,
}

impl Note {
    /// The class of the placeholder element a reference is parsed into.
    pub(crate) const REFERENCE_CLASS: &'static str = "noteref";

    /// The placeholder for a reference to the note `key`.
    pub(crate) fn reference(key: &str) -> Node {
        Node::Element(Element {
            name: "a",
            attrs: vec![
                ("class", Self::REFERENCE_CLASS.to_string()),
                ("data-note", key.to_string()),
            ],
            children: Vec::new(),
        })
    }

    /// The key `element` refers to, if it is a reference placeholder.
    pub(crate) fn key_of(element: &Element) -> Option<&str> {
        (element.name == "a" && element.attr("class") == Some(Self::REFERENCE_CLASS))
            .then(|| element.attr("data-note"))
            .flatten()
    }
}

/// A stretch of blocks with one access.
#[derive(Debug, Clone)]
pub(crate) struct Part {
    /// Free or paid.
    pub(crate) access: Access,
    /// The blocks, in order.
    pub(crate) blocks: Vec<Block>,
}

/// A unit of body text; books are split into files only between blocks
/// (or, for a block too large for one file, inside it at sentence ends).
#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    /// A section heading inside the essay; `level` 1 is the outermost.
    Heading {
        /// Nesting level, 1–6.
        level: u8,
        /// Its inline content.
        content: Vec<Node>,
    },
    /// Any other top-level element: a paragraph, list, quotation, table…
    Element(Element),
}

impl Block {
    /// A paragraph of plain text, with Aozora-style ruby read from it.
    pub fn paragraph(text: &str) -> Block {
        Block::Element(Element::new("p", document::text_with_ruby(text)))
    }

    /// A heading of plain text, with Aozora-style ruby read from it.
    pub fn heading(level: u8, text: &str) -> Block {
        Block::Heading {
            level,
            content: document::text_with_ruby(text),
        }
    }

    /// The content below the block.
    pub fn nodes(&self) -> &[Node] {
        match self {
            Block::Heading { content, .. } => content,
            Block::Element(element) => &element.children,
        }
    }

    /// Number of characters of reader-visible text (readings included).
    pub fn char_count(&self) -> usize {
        document::char_count(self.nodes())
    }

    /// Calls `visit` with every image in the block.
    pub fn for_each_image<'a>(&'a self, visit: &mut impl FnMut(&'a Image)) {
        for node in self.nodes() {
            match node {
                Node::Image(image) => visit(image),
                Node::Element(element) => element.for_each_image(visit),
                Node::Text(_) => {}
            }
        }
    }
}

impl Essay {
    /// Whether any part or note is paid.
    pub fn has_paid(&self) -> bool {
        self.parts.iter().any(|p| p.access == Access::Paid)
            || self.notes.iter().any(|n| n.access == Access::Paid)
    }

    /// Characters of free and paid text, in that order.
    pub fn char_counts(&self) -> (usize, usize) {
        self.text_counts(|text| text.chars().count())
    }

    /// `measure` summed over the free text (title included) and over the
    /// paid text, in that order; readings count, as a reader sees them.
    pub fn text_counts(&self, measure: impl Fn(&str) -> usize) -> (usize, usize) {
        let mut counts = (measure(&self.title), 0);
        let mut add = |access: Access, nodes: &[Node]| {
            let mut n = 0;
            crate::document::for_each_text(nodes, true, &mut |text| n += measure(text));
            match access {
                Access::Free => counts.0 += n,
                Access::Paid => counts.1 += n,
            }
        };
        for part in &self.parts {
            for block in &part.blocks {
                add(part.access, block.nodes());
            }
        }
        for note in &self.notes {
            add(note.access, &note.content);
        }
        counts
    }

    /// The free and paid stretches in order, for tests and fuzzing: which
    /// of them an edition holds is decided by [`crate::edition::select`] only.
    pub fn parts(&self) -> impl Iterator<Item = (crate::paid::Access, &[Block])> {
        self.parts.iter().map(|p| (p.access, p.blocks.as_slice()))
    }

    /// Every block, free and paid, in order.
    pub fn blocks(&self) -> impl Iterator<Item = &Block> {
        self.parts.iter().flat_map(|p| &p.blocks)
    }

    /// Calls `visit` with the free text of the essay, title first, a line
    /// break after each block.
    pub fn for_each_free_text(&self, visit: &mut impl FnMut(&str)) {
        visit(&self.title);
        visit("\n");
        let free = self.parts.iter().filter(|p| p.access == Access::Free);
        for block in free.flat_map(|p| &p.blocks) {
            crate::document::for_each_text(block.nodes(), true, visit);
            visit("\n");
        }
        for note in self.notes.iter().filter(|n| n.access == Access::Free) {
            crate::document::for_each_text(&note.content, true, visit);
            visit("\n");
        }
    }

    /// Appends `block` with `access`, opening a new part when access changes.
    pub(crate) fn push(&mut self, access: Access, block: Block) {
        match self.parts.last_mut() {
            Some(part) if part.access == access => part.blocks.push(block),
            _ => self.parts.push(Part {
                access,
                blocks: vec![block],
            }),
        }
    }
}
