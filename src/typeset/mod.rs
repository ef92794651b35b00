//! Stage 4: typesetting. Turns a [`Publication`] into XHTML pages (one
//! chapter per essay, continued in further files before 256 KiB), the
//! navigation tree, the cover page and the list of images to pack.

pub mod cjk;
pub mod cover;
pub mod font;
pub mod front;
pub mod split;
pub mod style;
pub mod xhtml;

use std::collections::HashSet;

use serde::Deserialize;

use crate::publication::{Content, Image, Publication};

/// Horizontal or vertical text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Layout {
    /// Left to right, top to bottom; pages turn left to right.
    Horizontal,
    /// Top to bottom, columns right to left (`vertical-rl`); pages turn right to left.
    Vertical,
}

impl Layout {
    /// The spine's `page-progression-direction`.
    pub fn page_progression(self) -> &'static str {
        match self {
            Layout::Horizontal => "ltr",
            Layout::Vertical => "rtl",
        }
    }
}

/// One XHTML file of the book.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page {
    /// File name inside the publication folder.
    pub name: String,
    /// The whole document.
    pub xhtml: String,
}

/// An entry of the table of contents.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NavEntry {
    /// Its label.
    pub title: String,
    /// Page and fragment it points to.
    pub href: String,
    /// Nested entries.
    pub children: Vec<NavEntry>,
}

/// A typeset publication, ready to package.
#[derive(Debug)]
pub struct Typeset {
    /// Chapter pages in reading order (the cover page is separate).
    pub pages: Vec<Page>,
    /// The table of contents, one entry per chapter with its sections nested.
    pub toc: Vec<NavEntry>,
    /// The cover page.
    pub cover_page: Page,
    /// Title page and table-of-contents page, when asked for.
    pub front: Vec<Page>,
    /// The images the pages use, each once.
    pub images: Vec<Image>,
}

/// Typesets `publication`.
pub fn typeset(publication: &Publication) -> Typeset {
    let rules = publication.text_rules();
    let mut pages = Vec::new();
    let mut toc = Vec::new();
    let mut images: Vec<Image> = Vec::new();
    let mut packed = HashSet::new();
    for (index, chapter) in publication.chapters.iter().enumerate() {
        let stem = format!("c{:04}", index + 1);
        let mut writer = xhtml::ChapterWriter::new(publication, &stem, chapter.title, &rules);
        let mut sections = Vec::new();
        for content in &chapter.content {
            if let Content::Block(block) = content {
                block.for_each_image(&mut |image| {
                    if packed.insert(image.href.as_str()) {
                        images.push(image.clone());
                    }
                });
            }
            if let Some((level, entry)) = writer.push(*content) {
                sections.push((level, entry));
            }
        }
        let first = writer.first_page_name();
        pages.extend(writer.finish());
        toc.push(NavEntry {
            title: chapter.title.to_string(),
            href: first,
            children: nest(sections),
        });
    }
    let mut front = Vec::new();
    if publication.typography.title_page {
        front.push(front::title_page(publication, &rules));
    }
    if publication.typography.toc_page {
        front.extend(front::toc_pages(publication, &toc, &rules));
    }
    Typeset {
        pages,
        toc,
        cover_page: cover::page(publication),
        front,
        images,
    }
}

/// Nests a flat list of headings by level: each entry goes under the
/// nearest earlier entry of a lower level.
fn nest(flat: Vec<(u8, NavEntry)>) -> Vec<NavEntry> {
    let mut roots = Vec::new();
    let mut stack: Vec<(u8, NavEntry)> = Vec::new();
    let attach =
        |stack: &mut Vec<(u8, NavEntry)>, roots: &mut Vec<NavEntry>, entry: NavEntry| match stack
            .last_mut()
        {
            Some((_, parent)) => parent.children.push(entry),
            None => roots.push(entry),
        };
    for (level, entry) in flat {
        while stack.last().is_some_and(|(top, _)| *top >= level) {
            if let Some((_, done)) = stack.pop() {
                attach(&mut stack, &mut roots, done);
            }
        }
        stack.push((level, entry));
    }
    while let Some((_, done)) = stack.pop() {
        attach(&mut stack, &mut roots, done);
    }
    roots
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(title: &str) -> NavEntry {
        NavEntry {
            title: title.into(),
            href: String::new(),
            children: vec![],
        }
    }

    #[test]
    fn headings_nest_by_level() {
        let flat = vec![
            (2, entry("a")),
            (3, entry("a1")),
            (3, entry("a2")),
            (2, entry("b")),
            (4, entry("b1")),
            (1, entry("c")),
        ];
        let tree = nest(flat);
        let shape: Vec<(String, Vec<String>)> = tree
            .iter()
            .map(|e| {
                (
                    e.title.clone(),
                    e.children.iter().map(|c| c.title.clone()).collect(),
                )
            })
            .collect();
        assert_eq!(
            shape,
            vec![
                ("a".into(), vec!["a1".into(), "a2".into()]),
                ("b".into(), vec!["b1".into()]),
                ("c".into(), vec![]),
            ]
        );
    }
}
