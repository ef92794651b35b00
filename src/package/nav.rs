//! The navigation document (EPUB 3) and the NCX (for EPUB 2 readers), both
//! written from the same table of contents.

use std::borrow::Cow;
use std::num::NonZeroUsize;

use crate::lang::strings;
use crate::publication::Publication;
use crate::typeset::{NavEntry, Resource, xhtml};
use crate::xml::Writer;

/// Name of the navigation document inside the publication.
pub const NAV_NAME: &str = "nav.xhtml";
/// Name of the NCX inside the publication.
pub const NCX_NAME: &str = "toc.ncx";

/// The entries of `toc` down to level `toc_depth` (the `toc_depth`
/// setting; chapters are level 1, their sections level 2): what the
/// navigation document, the NCX and the table-of-contents page list. All of
/// them when `toc_depth` is `None` or deeper than the tree.
pub fn within_depth(toc: &[NavEntry], toc_depth: Option<NonZeroUsize>) -> Cow<'_, [NavEntry]> {
    match toc_depth {
        Some(levels) if depth(toc) > levels.get() => Cow::Owned(trimmed(toc, levels.get())),
        _ => Cow::Borrowed(toc),
    }
}

/// `entries` with `levels` levels (at least 1) kept.
fn trimmed(entries: &[NavEntry], levels: usize) -> Vec<NavEntry> {
    entries
        .iter()
        .map(|entry| NavEntry {
            title: entry.title.clone(),
            href: entry.href.clone(),
            children: if levels > 1 {
                trimmed(&entry.children, levels - 1)
            } else {
                Vec::new()
            },
        })
        .collect()
}

/// The EPUB 3 navigation document: the table of contents down to the
/// `toc_depth` setting's level ([`within_depth`]), and the landmarks among
/// `resources`. It must be one file, yet no XHTML file may pass 256 KiB:
/// when the whole tree does not fit, it lists fewer levels of sections
/// (chapters always; the table-of-contents page, split across files, lists
/// them all).
pub fn nav_document(publication: &Publication, toc: &[NavEntry], resources: &[Resource]) -> String {
    let toc = within_depth(toc, publication.typography.toc_depth);
    let toc = toc.as_ref();
    let mut levels = depth(toc).max(1);
    loop {
        let nav = nav_document_to(publication, toc, resources, levels);
        if nav.len() <= xhtml::MAX_PAGE_BYTES || levels == 1 {
            return nav;
        }
        levels -= 1;
    }
}

/// The navigation document listing `levels` levels of the table of contents.
fn nav_document_to(
    publication: &Publication,
    toc: &[NavEntry],
    resources: &[Resource],
    levels: usize,
) -> String {
    let contents = strings(publication.lang).contents;
    xhtml::document(publication, contents, &[], |out| {
        out.start(
            "nav",
            &[("epub:type", "toc"), ("id", "toc"), ("role", "doc-toc")],
        )
        .newline();
        out.element("h1", &[], contents).newline();
        nav_list(out, toc, levels);
        out.end().newline();
        out.start(
            "nav",
            &[
                ("epub:type", "landmarks"),
                ("id", "landmarks"),
                ("aria-label", "Landmarks"),
                ("hidden", "hidden"),
            ],
        )
        .newline();
        out.element("h2", &[], contents).newline();
        out.start("ol", &[]).newline();
        for resource in resources {
            if let Some(landmark) = &resource.landmark {
                out.start("li", &[])
                    .element(
                        "a",
                        &[("epub:type", landmark.kind), ("href", &resource.href)],
                        &landmark.label,
                    )
                    .end()
                    .newline();
            }
        }
        out.end().newline();
        out.end().newline();
    })
}

fn nav_list(out: &mut Writer, entries: &[NavEntry], levels: usize) {
    out.start("ol", &[]).newline();
    for entry in entries {
        out.start("li", &[])
            .element("a", &[("href", &entry.href)], &entry.title);
        if levels > 1 && !entry.children.is_empty() {
            out.newline();
            nav_list(out, &entry.children, levels - 1);
        }
        out.end().newline();
    }
    out.end().newline();
}

/// The NCX table of contents, down to the `toc_depth` setting's level.
pub fn ncx(publication: &Publication, toc: &[NavEntry]) -> String {
    let toc = within_depth(toc, publication.typography.toc_depth);
    let toc = toc.as_ref();
    let mut out = Writer::document();
    out.start(
        "ncx",
        &[
            ("xmlns", "http://www.daisy.org/z3986/2005/ncx/"),
            ("version", "2005-1"),
            ("xml:lang", publication.lang),
        ],
    )
    .newline();
    out.start("head", &[]).newline();
    let depth = depth(toc).max(1).to_string();
    for (name, content) in [
        ("dtb:uid", publication.identifier.as_str()),
        ("dtb:depth", &depth),
        ("dtb:totalPageCount", "0"),
        ("dtb:maxPageNumber", "0"),
    ] {
        out.empty("meta", &[("name", name), ("content", content)])
            .newline();
    }
    out.end().newline();
    out.start("docTitle", &[])
        .element("text", &[], &publication.title)
        .end()
        .newline();
    out.start("navMap", &[]).newline();
    nav_points(&mut out, toc, &mut 0);
    out.end().newline();
    out.end().newline();
    out.finish()
}

fn nav_points(out: &mut Writer, entries: &[NavEntry], order: &mut usize) {
    for entry in entries {
        *order += 1;
        let id = format!("np{order}");
        let play_order = order.to_string();
        out.start("navPoint", &[("id", &id), ("playOrder", &play_order)]);
        out.start("navLabel", &[])
            .element("text", &[], &entry.title)
            .end();
        out.empty("content", &[("src", &entry.href)]).newline();
        nav_points(out, &entry.children, order);
        out.end().newline();
    }
}

fn depth(entries: &[NavEntry]) -> usize {
    entries
        .iter()
        .map(|e| 1 + depth(&e.children))
        .max()
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::publication::sample;
    use crate::typeset::Page;

    fn toc() -> Vec<NavEntry> {
        vec![NavEntry {
            title: "一".into(),
            href: "c0001.xhtml".into(),
            children: vec![NavEntry {
                title: "<节>".into(),
                href: "c0001.xhtml#s1".into(),
                children: vec![],
            }],
        }]
    }

    /// The first chapter page, as typesetting marks it.
    fn pages() -> Vec<Resource<'static>> {
        let page = Page {
            name: "c0001.xhtml".into(),
            xhtml: String::new(),
        };
        vec![Resource::page(page).with_landmark("bodymatter", "一")]
    }

    #[test]
    fn nav_nests_and_escapes() {
        let nav = nav_document(&sample(false), &toc(), &pages());
        assert!(nav.contains("<li><a href=\"c0001.xhtml\">一</a>\n<ol>\n<li><a href=\"c0001.xhtml#s1\">&lt;节&gt;</a></li>\n</ol>\n</li>"));
        assert!(nav.contains("epub:type=\"bodymatter\" href=\"c0001.xhtml\""));
        assert!(nav.contains("lang=\"zh-Hans\" xml:lang=\"zh-Hans\""));
    }

    #[test]
    fn a_nav_too_large_for_one_file_lists_fewer_levels() {
        let chapter = |count: usize| NavEntry {
            title: "章".into(),
            href: "c0001.xhtml".into(),
            children: (0..count)
                .map(|n| NavEntry {
                    title: format!("第{n}节"),
                    href: format!("c0001.xhtml#s{n}"),
                    children: Vec::new(),
                })
                .collect(),
        };
        let small = nav_document(&sample(false), &[chapter(100)], &pages());
        assert!(small.contains("c0001.xhtml#s99"));
        let large = nav_document(
            &sample(false),
            &[chapter(20_000), toc().remove(0)],
            &pages(),
        );
        assert!(large.len() <= xhtml::MAX_PAGE_BYTES);
        assert!(!large.contains("#s"));
        assert_eq!(large.matches("<li><a href=\"c0001.xhtml\">").count(), 2);
    }

    #[test]
    fn toc_depth_limits_the_nav_and_the_ncx() {
        let sample = sample(false);
        let mut toc = toc();
        toc[0].children[0].children.push(NavEntry {
            title: "小节".into(),
            href: "c0001.xhtml#s2".into(),
            children: vec![],
        });
        for (depth, links, ncx_depth) in [
            (None, 3, 3),
            (Some(2), 2, 2),
            (Some(1), 1, 1),
            (Some(9), 3, 3),
        ] {
            let typography = crate::book::Typography {
                toc_depth: depth.and_then(NonZeroUsize::new),
                ..sample.typography.clone()
            };
            let publication = Publication {
                typography: &typography,
                ..sample.clone()
            };
            let nav = nav_document(&publication, &toc, &pages());
            let listed = &nav[..nav.find("landmarks").unwrap()];
            assert_eq!(listed.matches("<a href=").count(), links, "{depth:?}");
            let ncx = ncx(&publication, &toc);
            assert_eq!(ncx.matches("<navPoint").count(), links, "{depth:?}");
            let meta = format!("<meta name=\"dtb:depth\" content=\"{ncx_depth}\"/>");
            assert!(ncx.contains(&meta), "{depth:?}");
        }
    }

    #[test]
    fn ncx_play_order_and_depth() {
        let ncx = ncx(&sample(false), &toc());
        assert!(ncx.contains("<meta name=\"dtb:depth\" content=\"2\"/>"));
        assert!(ncx.contains("id=\"np2\" playOrder=\"2\""));
    }
}
