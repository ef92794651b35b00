//! Footnotes on chapter pages. References are numbered per chapter in the
//! order this edition first cites them (so a preview's numbers have no gaps
//! where paid notes were), and each note is set as an EPUB 3 footnote
//! (`aside epub:type="footnote"`) at the end of the block that cites it, on
//! the same page: every link stays inside one XHTML file, however the
//! chapter is split into files. A reference to a note this edition does not
//! hold is left out.

use std::collections::{HashMap, HashSet};

use crate::document::{Element, Node};
use crate::essay::Note;
use crate::publication::ChapterNote;
use crate::typeset::cjk::{self, TextRules};
use crate::typeset::links::Anchors;

/// The notes of one chapter and the numbers its references got.
#[derive(Debug)]
pub struct ChapterNotes<'a> {
    /// The notes this edition holds, by key.
    notes: HashMap<&'a str, &'a [Node]>,
    /// The number each cited note got.
    numbers: HashMap<&'a str, usize>,
    /// References written so far (for unique ids).
    references: usize,
    /// Notes already set on the current page.
    on_page: HashSet<usize>,
}

impl<'a> ChapterNotes<'a> {
    /// The notes of a chapter.
    pub fn new(notes: &[ChapterNote<'a>]) -> Self {
        ChapterNotes {
            notes: notes.iter().map(|n| (n.key, n.content)).collect(),
            numbers: HashMap::new(),
            references: 0,
            on_page: HashSet::new(),
        }
    }

    /// `nodes` with their reference placeholders resolved: numbered links
    /// for the notes this edition holds, nothing for the others. `None`
    /// when `nodes` cite no note (the common case: nothing is copied).
    pub fn resolve(&mut self, nodes: &[Node]) -> Option<Vec<Node>> {
        if !nodes.iter().any(cites) {
            return None;
        }
        Some(self.resolve_all(nodes))
    }

    fn resolve_all(&mut self, nodes: &[Node]) -> Vec<Node> {
        let mut out = Vec::with_capacity(nodes.len());
        for node in nodes {
            match node {
                Node::Element(element) => match Note::key_of(element) {
                    Some(key) => out.extend(self.reference(key)),
                    None if element.children.iter().any(cites) => {
                        out.push(Node::Element(Element {
                            name: element.name,
                            attrs: element.attrs.clone(),
                            children: self.resolve_all(&element.children),
                        }));
                    }
                    None => out.push(node.clone()),
                },
                other => out.push(other.clone()),
            }
        }
        out
    }

    /// The link a reference to `key` becomes, if this edition holds the note.
    fn reference(&mut self, key: &str) -> Option<Node> {
        let (&key, _) = self.notes.get_key_value(key)?;
        let next = self.numbers.len() + 1;
        let number = *self.numbers.entry(key).or_insert(next);
        self.references += 1;
        Some(Node::Element(Element {
            name: "a",
            attrs: vec![
                ("epub:type", "noteref".to_string()),
                ("role", "doc-noteref".to_string()),
                ("id", format!("fnref-{}", self.references)),
                ("href", format!("#fn-{number}")),
            ],
            children: vec![Node::Text(number.to_string())],
        }))
    }

    /// The footnotes `xhtml` (a piece of a page) cites and the current page
    /// does not hold yet, as markup to write right after it.
    pub fn asides(&mut self, xhtml: &str, rules: &TextRules, anchors: Option<&Anchors>) -> String {
        let (out, set) = self.render(xhtml, rules, anchors, &self.on_page);
        self.on_page.extend(set);
        out
    }

    /// The footnotes `xhtml` cites that are not in `on_page`, and their numbers.
    pub fn render(
        &self,
        xhtml: &str,
        rules: &TextRules,
        anchors: Option<&Anchors>,
        on_page: &HashSet<usize>,
    ) -> (String, Vec<usize>) {
        let mut out = String::new();
        let mut set = Vec::new();
        for (reference, number) in citations(xhtml) {
            if on_page.contains(&number) || set.contains(&number) {
                continue;
            }
            set.push(number);
            let Some(content) = self
                .numbers
                .iter()
                .find(|&(_, &n)| n == number)
                .and_then(|(key, _)| self.notes.get(key))
            else {
                continue;
            };
            out.push_str(&format!(
                "\n<aside epub:type=\"footnote\" role=\"doc-footnote\" id=\"fn-{number}\">"
            ));
            let back = Node::Element(Element {
                name: "a",
                attrs: vec![
                    ("href", format!("#fnref-{reference}")),
                    ("role", "doc-backlink".to_string()),
                ],
                children: vec![Node::Text(number.to_string())],
            });
            let content = with_backlink(content, back);
            let linked = anchors.and_then(|a| a.resolve(&content));
            cjk::write_nodes(&mut out, linked.as_deref().unwrap_or(&content), rules);
            out.push_str("</aside>");
        }
        (out, set)
    }

    /// A new page starts: its notes are set again where they are cited.
    pub fn new_page(&mut self) {
        self.on_page.clear();
    }
}

/// `content` with `back` opening its first paragraph (or a paragraph of its own).
fn with_backlink(content: &[Node], back: Node) -> Vec<Node> {
    let mut nodes = content.to_vec();
    match nodes.first_mut() {
        Some(Node::Element(p)) if p.name == "p" => {
            p.children.insert(0, Node::Text(" ".to_string()));
            p.children.insert(0, back);
        }
        _ => nodes.insert(0, Node::Element(Element::new("p", vec![back]))),
    }
    nodes
}

/// Whether `node` holds a reference placeholder.
fn cites(node: &Node) -> bool {
    match node {
        Node::Element(element) => {
            Note::key_of(element).is_some() || element.children.iter().any(cites)
        }
        _ => false,
    }
}

/// The (reference, note number) pairs of the note links in `xhtml`, in order.
fn citations(xhtml: &str) -> Vec<(usize, usize)> {
    const ID: &str = "id=\"fnref-";
    const HREF: &str = "\" href=\"#fn-";
    let mut out = Vec::new();
    let mut rest = xhtml;
    while let Some(at) = rest.find(ID) {
        rest = &rest[at + ID.len()..];
        let digits = |s: &str| s.bytes().take_while(u8::is_ascii_digit).count();
        let n = digits(rest);
        let Ok(reference) = rest[..n].parse() else {
            continue;
        };
        let Some(after) = rest[n..].strip_prefix(HREF) else {
            continue;
        };
        let m = digits(after);
        if let Ok(number) = after[..m].parse() {
            out.push((reference, number));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules() -> TextRules {
        TextRules {
            vertical: false,
            tcy_digits: vec![2],
            punctuation: true,
            locale: cjk::Locale::Other,
            quotes: crate::typeset::cjk::QuoteStyle::Standard,
            book_titles: crate::typeset::cjk::BookTitleMarks::Brackets,
        }
    }

    fn paragraph(children: Vec<Node>) -> Vec<Node> {
        vec![Node::Element(Element::new("p", children))]
    }

    #[test]
    fn references_are_numbered_in_order_and_unknown_ones_left_out() {
        let free = paragraph(vec![Node::Text("free note".into())]);
        let notes = [ChapterNote {
            key: "b",
            content: &free,
        }];
        let mut chapter = ChapterNotes::new(&notes);
        let text = paragraph(vec![
            Node::Text("x".into()),
            Note::reference("a"),
            Node::Text("y".into()),
            Note::reference("b"),
            Note::reference("b"),
        ]);
        let resolved = chapter.resolve(&text).unwrap();
        let mut out = String::new();
        cjk::write_nodes(&mut out, &resolved, &rules());
        assert_eq!(
            out,
            "<p>xy<a epub:type=\"noteref\" role=\"doc-noteref\" id=\"fnref-1\" href=\"#fn-1\">1</a>\
             <a epub:type=\"noteref\" role=\"doc-noteref\" id=\"fnref-2\" href=\"#fn-1\">1</a></p>"
        );
        let asides = chapter.asides(&out, &rules(), None);
        assert_eq!(
            asides,
            "\n<aside epub:type=\"footnote\" role=\"doc-footnote\" id=\"fn-1\">\
             <p><a href=\"#fnref-1\" role=\"doc-backlink\">1</a> free note</p></aside>"
        );
        // Once on a page; again on the next.
        assert_eq!(chapter.asides(&out, &rules(), None), "");
        chapter.new_page();
        assert!(chapter.asides(&out, &rules(), None).contains("id=\"fn-1\""));
        assert!(
            chapter
                .resolve(&paragraph(vec![Node::Text("z".into())]))
                .is_none()
        );
    }
}
