//! Stage 4: typesetting. Turns a [`Publication`] into the navigation tree
//! and the [resources](resource) to pack: XHTML pages (one chapter per
//! essay, continued in further files before 256 KiB), the cover and its
//! page, the stylesheets and the images the pages show.

pub mod cjk;
pub mod cover;
pub mod font;
pub mod front;
pub mod links;
pub mod notes;
pub mod resource;
pub mod split;
pub mod style;
pub mod xhtml;

use links::Anchors;

use std::borrow::Cow;
use std::collections::HashSet;

use serde::Deserialize;

use crate::document::{Element, Node};
use crate::lang::strings;
use crate::publication::{Block, Content, Image, Publication};
pub use resource::{Bytes, Resource};

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
pub struct Typeset<'a> {
    /// Stylesheets, cover image, cover page, front pages, chapter pages
    /// (in reading order) and the images they show, each once.
    pub resources: Vec<Resource<'a>>,
    /// The table of contents, one entry per chapter with its sections nested.
    pub toc: Vec<NavEntry>,
}

/// The stem of the file names of chapter `index`'s pages (from 0):
/// `c0001` for the first chapter, whose first page is `c0001.xhtml`. Links
/// between chapters lead there.
pub fn chapter_stem(index: usize) -> String {
    format!("c{:04}", index + 1)
}

/// Typesets `publication`. Each chapter page goes to `pack` as soon as it
/// is complete, which returns the bytes to keep for it (packaging checks
/// and compresses large pages there, so a huge book is never held whole as
/// text).
pub fn typeset<'a, E>(
    publication: &Publication<'a>,
    pack: &mut impl FnMut(Page) -> Result<Bytes<'a>, E>,
) -> Result<Typeset<'a>, E> {
    // Links to headings of other chapters need to know where this edition
    // sets each heading: a first pass, pages discarded, finds out.
    let links_to_headings = publication.chapters.iter().any(|chapter| {
        chapter.content.iter().any(|content| match content {
            Content::Block(block) => block.nodes().iter().any(links::holds_chapter_link),
            Content::Notice(_) => false,
        })
    });
    let anchors = if links_to_headings {
        let mut discard = |_: Page| Ok(Bytes::Fixed(&[]));
        Anchors::of(&typeset_with(publication, &mut discard, &Anchors::default())?.toc)
    } else {
        Anchors::default()
    };
    typeset_with(publication, pack, &anchors)
}

/// Typesets `publication` with links to headings resolved by `anchors`.
fn typeset_with<'a, E>(
    publication: &Publication<'a>,
    pack: &mut impl FnMut(Page) -> Result<Bytes<'a>, E>,
    anchors: &Anchors,
) -> Result<Typeset<'a>, E> {
    let rules = publication.text_rules();
    let mut pages = Vec::new();
    let mut toc = Vec::new();
    let mut images: Vec<&'a Image> = Vec::new();
    let mut packed = HashSet::new();
    let mut keep = |page: Page, pages: &mut Vec<Resource<'a>>| -> Result<(), E> {
        let name = page.name.clone();
        pages.push(Resource::page_holding(name, pack(page)?));
        Ok(())
    };
    for (index, chapter) in publication.chapters.iter().enumerate() {
        let stem = chapter_stem(index);
        let mut writer =
            xhtml::ChapterWriter::new(publication, &stem, chapter).with_anchors(anchors);
        let mut sections = Vec::new();
        for note in &chapter.notes {
            for node in note.content {
                if let Node::Element(element) = node {
                    element.for_each_image(&mut |image| {
                        if packed.insert(image.href.as_str()) {
                            images.push(image);
                        }
                    });
                }
            }
        }
        for content in &chapter.content {
            if let Content::Block(block) = *content {
                block.for_each_image(&mut |image| {
                    if packed.insert(image.href.as_str()) {
                        images.push(image);
                    }
                });
            }
            if let Some((level, entry)) = writer.push(*content) {
                sections.push((level, entry));
            }
            for page in writer.take_pages() {
                keep(page, &mut pages)?;
            }
        }
        let first = writer.first_page_name();
        for page in writer.finish() {
            keep(page, &mut pages)?;
        }
        toc.push((
            chapter.depth,
            NavEntry {
                title: chapter.title.to_string(),
                href: first,
                children: nest(sections),
            },
        ));
    }
    // Chapters nest as their outline says (a `SUMMARY.md`).
    let toc = nest(toc);
    let front = front_pages(publication, &toc, &rules);
    let mut resources = stylesheets(publication);
    resources.extend(book_pages(publication, front, pages));
    resources.extend(images.into_iter().map(image));
    Ok(Typeset { resources, toc })
}

/// The title page and the table-of-contents pages, when asked for.
fn front_pages<'a>(
    publication: &Publication,
    toc: &[NavEntry],
    rules: &cjk::TextRules,
) -> Vec<Resource<'a>> {
    let mut front = Vec::new();
    if publication.typography.title_page {
        let page = Resource::page(front::title_page(publication, rules));
        front.push(page.with_landmark("titlepage", &publication.title));
    }
    if publication.typography.toc_page {
        let contents = strings(publication.lang).contents;
        let mut pages = front::toc_pages(publication, toc, rules).into_iter();
        front.extend(
            pages
                .next()
                .map(|first| Resource::page(first).with_landmark("toc", contents)),
        );
        front.extend(pages.map(Resource::page));
    }
    front
}

/// An image the pages show.
fn image(image: &Image) -> Resource<'_> {
    // The href's name (hash and extension) is unique; the id must be too.
    let name = image.href.trim_start_matches("images/").replace('.', "-");
    let bytes = Bytes::Book(Cow::Borrowed(&image.data[..]));
    Resource::file(format!("img-{name}"), &image.href, image.media_type, bytes)
}

/// The built-in stylesheet of the layout, and the user's, if any.
fn stylesheets<'a>(publication: &Publication<'a>) -> Vec<Resource<'a>> {
    let builtin = style::stylesheet(publication.layout).as_bytes();
    let mut sheets = vec![Resource::file(
        "css",
        xhtml::STYLESHEET,
        resource::CSS,
        Bytes::Fixed(builtin),
    )];
    if let Some(extra) = publication.extra_css {
        let bytes = Bytes::Book(Cow::Borrowed(extra.as_bytes()));
        sheets.push(Resource::file(
            "css-extra",
            xhtml::EXTRA_STYLESHEET,
            resource::CSS,
            bytes,
        ));
    }
    sheets
}

/// The cover image and the pages in reading order: the cover page, the
/// `front` pages and the chapter `pages`, the first of them a landmark.
fn book_pages<'a>(
    publication: &Publication<'a>,
    front: Vec<Resource<'a>>,
    pages: Vec<Resource<'a>>,
) -> Vec<Resource<'a>> {
    let image = cover::image(publication);
    let cover_page = cover::page(publication, &image.href);
    let label = strings(publication.lang).cover;
    let mut resources = vec![
        image,
        Resource::page(cover_page).with_landmark("cover", label),
    ];
    resources.extend(front);
    let mut pages = pages.into_iter();
    let first = pages.next().zip(publication.chapters.first());
    resources.extend(first.map(|(page, chapter)| page.with_landmark("bodymatter", chapter.title)));
    resources.extend(pages);
    resources.extend(colophon_page(publication).map(Resource::page));
    resources
}

/// The page holding the essays' colophons (an Aozora text's `底本：`
/// notes), last in reading order, if any essay has one.
fn colophon_page(publication: &Publication) -> Option<Page> {
    if publication.colophon.is_empty() {
        return None;
    }
    let rules = publication.text_rules();
    let xhtml = xhtml::document(
        publication,
        &publication.title,
        &[("epub:type", "backmatter")],
        |out| {
            out.start(
                "section",
                &[
                    ("class", "colophon"),
                    ("epub:type", "colophon"),
                    ("role", "doc-colophon"),
                ],
            )
            .newline();
            let mut body = String::new();
            for block in &publication.colophon {
                let node = match block {
                    Block::Element(element) => Node::Element(element.clone()),
                    Block::Heading { content, .. } => {
                        Node::Element(Element::new("p", content.clone()))
                    }
                };
                cjk::write_nodes(&mut body, &[node], &rules);
                body.push('\n');
            }
            out.raw(&body).end().newline();
        },
    );
    Some(Page {
        name: COLOPHON_PAGE.to_string(),
        xhtml,
    })
}

/// Name of the colophon page inside the publication.
pub const COLOPHON_PAGE: &str = "colophon.xhtml";

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
