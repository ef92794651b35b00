//! Optional front matter: a title page and an inline table of contents,
//! both set in the book's writing mode.

use crate::document::{self, Element, Node};
use crate::lang::strings;
use crate::package::nav::within_depth;
use crate::publication::Publication;
use crate::typeset::cjk::{self, TextRules};
use crate::typeset::split::split;
use crate::typeset::{NavEntry, Page, xhtml};

/// Name of the title page inside the publication.
pub const TITLE_PAGE: &str = "titlepage.xhtml";
/// Name of the table-of-contents page inside the publication.
pub const TOC_PAGE: &str = "toc.xhtml";

/// The title page: title and authors.
pub fn title_page(publication: &Publication, rules: &TextRules) -> Page {
    let xhtml = xhtml::document(
        publication,
        &publication.title,
        &[("epub:type", "frontmatter")],
        |out| {
            out.start(
                "section",
                &[("class", "titlepage"), ("epub:type", "titlepage")],
            )
            .newline();
            out.start("h1", &[("class", "book-title")])
                .raw(&set_text(&publication.title, rules))
                .end()
                .newline();
            for author in publication.authors {
                out.start("p", &[("class", "author")])
                    .raw(&set_text(author, rules))
                    .end()
                    .newline();
            }
            out.end().newline();
        },
    );
    Page {
        name: TITLE_PAGE.to_string(),
        xhtml,
    }
}

/// `text` set by the text `rules`, as XHTML.
fn set_text(text: &str, rules: &TextRules) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    cjk::write_text(&mut out, text, rules);
    out
}

/// Room for the page frame around a table-of-contents page's list, as
/// chapter pages leave.
const LIST_BUDGET: usize = xhtml::MAX_PAGE_BYTES - 8 * 1024;

/// Pages listing the chapters and their sections (down to the `toc_depth`
/// setting's level), with links: the first
/// named [`TOC_PAGE`], further ones (`toc-2.xhtml`, …) when the list is
/// too long for one file, continuing its numbering.
pub fn toc_pages(publication: &Publication, toc: &[NavEntry], rules: &TextRules) -> Vec<Page> {
    let heading = strings(publication.lang).contents;
    let toc = within_depth(toc, publication.typography.toc_depth);
    let list = [Node::Element(list(&toc))];
    let mut entries = String::new();
    cjk::write_nodes(&mut entries, &list, rules);
    let pieces = if entries.len() > LIST_BUDGET {
        split(&list, rules, LIST_BUDGET, LIST_BUDGET)
    } else {
        vec![entries]
    };
    pieces
        .iter()
        .enumerate()
        .map(|(index, piece)| {
            let xhtml = xhtml::document(
                publication,
                heading,
                &[("epub:type", "frontmatter")],
                |out| {
                    let nav = [("class", "toc-page"), ("role", "doc-toc")];
                    if index == 0 {
                        out.start("nav", &[nav[0], nav[1], ("aria-labelledby", "toc-title")])
                            .newline()
                            .element("h1", &[("id", "toc-title")], heading);
                    } else {
                        out.start("nav", &[nav[0], nav[1], ("aria-label", heading)]);
                    }
                    out.newline().raw(piece).end().newline();
                },
            );
            Page {
                name: toc_page_name(index),
                xhtml,
            }
        })
        .collect()
}

/// The name of table-of-contents page `index` (from 0).
fn toc_page_name(index: usize) -> String {
    if index == 0 {
        TOC_PAGE.to_string()
    } else {
        format!("toc-{}.xhtml", index + 1)
    }
}

/// The entries as an ordered list of links, sections nested.
fn list(entries: &[NavEntry]) -> Element {
    let items = entries
        .iter()
        .map(|entry| {
            let mut link = Element::new("a", document::text_with_ruby(&entry.title));
            link.attrs.push(("href", entry.href.clone()));
            let mut item = vec![Node::Element(link)];
            if !entry.children.is_empty() {
                item.push(Node::Element(list(&entry.children)));
            }
            Node::Element(Element::new("li", item))
        })
        .collect();
    Element::new("ol", items)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::publication::sample;

    fn entries(count: usize) -> Vec<NavEntry> {
        vec![NavEntry {
            title: "章".into(),
            href: "c0001.xhtml".into(),
            children: (0..count)
                .map(|n| NavEntry {
                    title: format!("第{n}节的标题"),
                    href: format!("c0001.xhtml#s{n}"),
                    children: Vec::new(),
                })
                .collect(),
        }]
    }

    #[test]
    fn a_long_table_of_contents_continues_on_further_pages() {
        let book = sample(false);
        let rules = book.text_rules();
        assert_eq!(toc_pages(&book, &entries(10), &rules).len(), 1);
        let pages = toc_pages(&book, &entries(20_000), &rules);
        assert!(pages.len() > 2);
        assert_eq!(pages[0].name, TOC_PAGE);
        assert_eq!(pages[1].name, "toc-2.xhtml");
        let mut listed = 0;
        for page in &pages {
            assert!(page.xhtml.len() <= xhtml::MAX_PAGE_BYTES);
            let options = roxmltree::ParsingOptions {
                allow_dtd: true,
                ..Default::default()
            };
            let document = roxmltree::Document::parse_with_options(&page.xhtml, options).unwrap();
            listed += document
                .descendants()
                .filter(|n| n.has_tag_name("a"))
                .count();
        }
        assert_eq!(listed, 20_001);
        // The chapter's item goes on, and its sections keep their numbers.
        assert!(pages[1].xhtml.contains("<ol start=\"1\"><li><ol start=\""));
    }
}
