//! The last line of defence for the preview. Paid parts are dropped long
//! before packaging, by markers found in the source; if a marker shape ever
//! reaches a book's pages (a rendering the source matcher did not foresee,
//! a title or setting holding one), the text after it may be paid. So every
//! XML entry of every book — packaging cannot tell a preview from a full
//! edition, and need not — is read back as a reader sees it —
//! text nodes with entities decoded, joined across inline elements, and
//! every attribute value — and a marker shape in it refuses the book.

use roxmltree::{Document, Node, ParsingOptions};

use crate::paid::markers::{self, Rendering};

/// Elements that do not break the text a reader sees: a marker may run
/// across them (`##paid<em>begin</em>##`).
const INLINE: &[&str] = &[
    "a", "abbr", "b", "bdi", "bdo", "cite", "code", "data", "del", "dfn", "em", "i", "ins", "kbd",
    "mark", "q", "rb", "rp", "rt", "ruby", "s", "samp", "small", "span", "strong", "sub", "sup",
    "time", "tspan", "u", "var",
];

/// Where in an entry a marker shape was found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Survivor {
    /// The entry's name inside the publication.
    pub entry: String,
    /// The 1-based line of the entry.
    pub line: usize,
}

/// Checks one XML entry of a preview; `Err` names where a marker shape
/// survived. Entries that are not well-formed XML are refused too: what
/// cannot be read cannot be vouched for.
pub fn check(entry: &str, xml: &str) -> Result<(), Survivor> {
    let survivor = |line: usize| Survivor {
        entry: entry.to_string(),
        line,
    };
    let options = ParsingOptions {
        allow_dtd: true,
        ..ParsingOptions::default()
    };
    let document =
        Document::parse_with_options(xml, options).map_err(|e| survivor(e.pos().row as usize))?;
    // Nodes come in document order: count lines forward, once.
    let mut counted = (0, 1);
    let mut line_of = |node: Node| {
        let start = node.range().start.max(counted.0);
        counted.1 += xml.as_bytes()[counted.0..start]
            .iter()
            .filter(|&&b| b == b'\n')
            .count();
        counted.0 = start;
        counted.1
    };
    // The base text a reader sees, and apart from it the ruby annotations
    // above it: `##paid<ruby>b<rt>x</rt></ruby>egin##` shows a marker.
    let mut run = String::new();
    let mut notes = String::new();
    let mut run_line = 1;
    let flush = |run: &mut String, line: usize| -> Result<(), Survivor> {
        let found = markers::any(run, Rendering::Literal);
        run.clear();
        if found { Err(survivor(line)) } else { Ok(()) }
    };
    for node in document.descendants() {
        if node.is_element() {
            for attribute in node.attributes() {
                if markers::any(attribute.value(), Rendering::Literal) {
                    return Err(survivor(line_of(node)));
                }
            }
            if !INLINE.contains(&node.tag_name().name()) {
                flush(&mut run, run_line)?;
                flush(&mut notes, run_line)?;
                run_line = line_of(node);
            }
        } else if let Some(text) = node.text().filter(|_| node.is_text()) {
            if run.is_empty() && notes.is_empty() {
                run_line = line_of(node);
            }
            let annotation = node
                .ancestors()
                .any(|a| matches!(a.tag_name().name(), "rt" | "rp"));
            let buffer = if annotation { &mut notes } else { &mut run };
            // Inside one block a line break shows as a space.
            buffer.extend(text.chars().map(|c| if c == '\n' { ' ' } else { c }));
        }
    }
    flush(&mut run, run_line)?;
    flush(&mut notes, run_line)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(body: &str) -> String {
        format!(
            "<?xml version=\"1.0\"?>\n<html xmlns=\"http://www.w3.org/1999/xhtml\">\n<body>\n{body}\n</body>\n</html>\n"
        )
    }

    #[test]
    fn clean_pages_pass() {
        let ok = page("<p>I paid the <em>end</em> of it.</p>\n<p>paid</p><p>begin</p>");
        assert_eq!(check("c.xhtml", &ok), Ok(()));
    }

    #[test]
    fn a_marker_shape_anywhere_a_reader_sees_it_is_refused() {
        for (body, line) in [
            ("<p>ok</p>\n<p>##paidbegin##</p>", 5),
            ("<p>x ##paid<em>be</em>gin## y</p>", 4),
            ("<p>&#x23;&#x23;pa&#x200b;idend##</p>", 4),
            ("<p>＃＃ｐａｉｄ\nｅｎｄ＃＃</p>", 4),
            ("<p>##paid<ruby>b<rt>x</rt></ruby>egin##</p>", 4),
            ("<p><ruby>字<rt>##paidend##</rt></ruby></p>", 4),
            ("<p><img alt=\"##paidbegin##\" src=\"a.png\"/></p>", 4),
        ] {
            let got = check("c.xhtml", &page(body));
            assert_eq!(
                got,
                Err(Survivor {
                    entry: "c.xhtml".into(),
                    line
                }),
                "{body}"
            );
        }
    }

    #[test]
    fn unreadable_xml_is_refused() {
        assert!(check("c.xhtml", "<p>open").is_err());
    }
}
