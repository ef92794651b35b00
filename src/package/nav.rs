//! The navigation document (EPUB 3) and the NCX (for EPUB 2 readers), both
//! written from the same table of contents.

use crate::lang::strings;
use crate::publication::Publication;
use crate::typeset::{NavEntry, cover, front, xhtml};
use crate::xml::{escape, escape_into};

/// Name of the navigation document inside the publication.
pub const NAV_NAME: &str = "nav.xhtml";
/// Name of the NCX inside the publication.
pub const NCX_NAME: &str = "toc.ncx";

/// The EPUB 3 navigation document: the table of contents and landmarks.
/// It must be one file, yet no XHTML file may pass 256 KiB: when the whole
/// tree does not fit, it lists fewer levels of sections (chapters always;
/// the table-of-contents page, split across files, lists them all).
pub fn nav_document(publication: &Publication, toc: &[NavEntry]) -> String {
    let mut levels = depth(toc).max(1);
    loop {
        let nav = nav_document_to(publication, toc, levels);
        if nav.len() <= xhtml::MAX_PAGE_BYTES || levels == 1 {
            return nav;
        }
        levels -= 1;
    }
}

/// The navigation document listing `levels` levels of the table of contents.
fn nav_document_to(publication: &Publication, toc: &[NavEntry], levels: usize) -> String {
    let words = strings(publication.lang);
    let mut body = String::from("<nav epub:type=\"toc\" id=\"toc\" role=\"doc-toc\">\n<h1>");
    escape_into(&mut body, words.contents);
    body.push_str("</h1>\n");
    nav_list(&mut body, toc, levels);
    body.push_str("</nav>\n<nav epub:type=\"landmarks\" id=\"landmarks\" aria-label=\"Landmarks\" hidden=\"hidden\">\n<h2>");
    escape_into(&mut body, words.contents);
    body.push_str("</h2>\n<ol>\n");
    body.push_str(&format!(
        "<li><a epub:type=\"cover\" href=\"{}\">{}</a></li>\n",
        cover::PAGE_NAME,
        escape(words.cover)
    ));
    if publication.typography.title_page {
        body.push_str(&format!(
            "<li><a epub:type=\"titlepage\" href=\"{}\">{}</a></li>\n",
            front::TITLE_PAGE,
            escape(&publication.title)
        ));
    }
    if publication.typography.toc_page {
        body.push_str(&format!(
            "<li><a epub:type=\"toc\" href=\"{}\">{}</a></li>\n",
            front::TOC_PAGE,
            escape(words.contents)
        ));
    }
    if let Some(first) = toc.first() {
        body.push_str(&format!(
            "<li><a epub:type=\"bodymatter\" href=\"{}\">{}</a></li>\n",
            escape(&first.href),
            escape(&first.title)
        ));
    }
    body.push_str("</ol>\n</nav>\n");
    xhtml::document(publication, words.contents, "", &body)
}

fn nav_list(out: &mut String, entries: &[NavEntry], levels: usize) {
    out.push_str("<ol>\n");
    for entry in entries {
        out.push_str("<li><a href=\"");
        escape_into(out, &entry.href);
        out.push_str("\">");
        escape_into(out, &entry.title);
        out.push_str("</a>");
        if levels > 1 && !entry.children.is_empty() {
            out.push('\n');
            nav_list(out, &entry.children, levels - 1);
        }
        out.push_str("</li>\n");
    }
    out.push_str("</ol>\n");
}

/// The NCX table of contents.
pub fn ncx(publication: &Publication, toc: &[NavEntry]) -> String {
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    out.push_str(&format!(
        "<ncx xmlns=\"http://www.daisy.org/z3986/2005/ncx/\" version=\"2005-1\" xml:lang=\"{}\">\n<head>\n",
        escape(publication.lang)
    ));
    out.push_str(&format!(
        "<meta name=\"dtb:uid\" content=\"{}\"/>\n<meta name=\"dtb:depth\" content=\"{}\"/>\n",
        escape(&publication.identifier.clone()),
        depth(toc).max(1)
    ));
    out.push_str("<meta name=\"dtb:totalPageCount\" content=\"0\"/>\n<meta name=\"dtb:maxPageNumber\" content=\"0\"/>\n</head>\n");
    out.push_str(&format!(
        "<docTitle><text>{}</text></docTitle>\n",
        escape(&publication.title.clone())
    ));
    out.push_str("<navMap>\n");
    let mut order = 0;
    nav_points(&mut out, toc, &mut order);
    out.push_str("</navMap>\n</ncx>\n");
    out
}

fn nav_points(out: &mut String, entries: &[NavEntry], order: &mut usize) {
    for entry in entries {
        *order += 1;
        out.push_str(&format!(
            "<navPoint id=\"np{order}\" playOrder=\"{order}\"><navLabel><text>"
        ));
        escape_into(out, &entry.title);
        out.push_str("</text></navLabel><content src=\"");
        escape_into(out, &entry.href);
        out.push_str("\"/>\n");
        nav_points(out, &entry.children, order);
        out.push_str("</navPoint>\n");
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

    #[test]
    fn nav_nests_and_escapes() {
        let nav = nav_document(&sample(false), &toc());
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
        let small = nav_document(&sample(false), &[chapter(100)]);
        assert!(small.contains("c0001.xhtml#s99"));
        let large = nav_document(&sample(false), &[chapter(20_000), toc().remove(0)]);
        assert!(large.len() <= xhtml::MAX_PAGE_BYTES);
        assert!(!large.contains("#s"));
        assert_eq!(large.matches("<li><a href=\"c0001.xhtml\">").count(), 2);
    }

    #[test]
    fn ncx_play_order_and_depth() {
        let ncx = ncx(&sample(false), &toc());
        assert!(ncx.contains("<meta name=\"dtb:depth\" content=\"2\"/>"));
        assert!(ncx.contains("id=\"np2\" playOrder=\"2\""));
    }
}
