//! Optional front matter: a title page and an inline table of contents,
//! both set in the book's writing mode.

use crate::book::Book;
use crate::edition::Edition;
use crate::lang::strings;
use crate::typeset::cjk::{self, TextRules};
use crate::typeset::{NavEntry, Page, xhtml};
use crate::xml::escape_into;

/// Name of the title page inside the publication.
pub const TITLE_PAGE: &str = "titlepage.xhtml";
/// Name of the table-of-contents page inside the publication.
pub const TOC_PAGE: &str = "toc.xhtml";

/// The title page of `edition`: title and authors.
pub fn title_page(book: &Book, edition: Edition, rules: &TextRules) -> Page {
    let title = book.title_for(edition);
    let mut body = String::from(
        "<section class=\"titlepage\" epub:type=\"titlepage\">\n<h1 class=\"book-title\">",
    );
    cjk::write_text(&mut body, &title, rules);
    body.push_str("</h1>\n");
    for author in &book.authors {
        body.push_str("<p class=\"author\">");
        cjk::write_text(&mut body, author, rules);
        body.push_str("</p>\n");
    }
    body.push_str("</section>\n");
    Page {
        name: TITLE_PAGE.to_string(),
        xhtml: xhtml::document(book, &title, " epub:type=\"frontmatter\"", &body),
    }
}

/// A page listing the chapters and their sections, with links.
pub fn toc_page(book: &Book, toc: &[NavEntry], rules: &TextRules) -> Page {
    let heading = strings(&book.lang).contents;
    let mut body = String::from(
        "<nav class=\"toc-page\" role=\"doc-toc\" aria-labelledby=\"toc-title\">\n<h1 id=\"toc-title\">",
    );
    escape_into(&mut body, heading);
    body.push_str("</h1>\n");
    list(&mut body, toc, rules);
    body.push_str("</nav>\n");
    Page {
        name: TOC_PAGE.to_string(),
        xhtml: xhtml::document(book, heading, " epub:type=\"frontmatter\"", &body),
    }
}

fn list(out: &mut String, entries: &[NavEntry], rules: &TextRules) {
    out.push_str("<ol>\n");
    for entry in entries {
        out.push_str("<li><a href=\"");
        escape_into(out, &entry.href);
        out.push_str("\">");
        cjk::write_text(out, &entry.title, rules);
        out.push_str("</a>");
        if !entry.children.is_empty() {
            list(out, &entry.children, rules);
        }
        out.push_str("</li>\n");
    }
    out.push_str("</ol>\n");
}
