//! Markdown footnotes (`text[^1]` … `[^1]: the note`). pulldown-cmark
//! finds them within one segment; a reference and its definition on two
//! sides of a paid marker are found too, by the definition labels of the
//! whole file. References become placeholders ([`Note::reference`]) and
//! definitions [`Note`]s, paid when defined in a paid part or cited from
//! one, so that the preview never holds a paid note.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use pulldown_cmark::{CowStr, Event, Tag, TagEnd};

use crate::document::Node;
use crate::error::Warning;
use crate::essay::{Access, Essay, Note};

/// Marks a reference in the text until the nodes are built: the private-use
/// characters never survive in text (see [`Collector`]).
const OPEN: char = '\u{F8F0}';
const CLOSE: char = '\u{F8F1}';

/// The key of a label: labels match without regard to case.
pub(crate) fn key(label: &str) -> String {
    label.to_lowercase()
}

/// The labels of every footnote definition in `text` (all segments).
pub(crate) fn labels(text: &str) -> HashSet<String> {
    text.lines()
        .filter_map(|line| {
            let line = line
                .strip_prefix("   ")
                .or(line.strip_prefix("  "))
                .or(line.strip_prefix(' '))
                .unwrap_or(line);
            let rest = line.strip_prefix("[^")?;
            let (label, after) = rest.split_once(']')?;
            (after.starts_with(':') && !label.is_empty() && !label.contains(char::is_whitespace))
                .then(|| key(label))
        })
        .collect()
}

/// A footnote definition: its key and its events.
pub(crate) type Definition<'a> = (String, Vec<Event<'a>>);

/// An event filter: takes footnote definitions out of the stream and turns
/// references into placeholders.
pub(crate) struct Collector<'a, I> {
    inner: I,
    /// The labels referenced, in order; a placeholder holds its index.
    pub(crate) references: Vec<String>,
    /// The definitions taken out of the stream.
    pub(crate) definitions: Vec<Definition<'a>>,
}

impl<'a, I: Iterator<Item = Event<'a>>> Collector<'a, I> {
    /// Filters `inner`.
    pub(crate) fn new(inner: I) -> Self {
        Collector {
            inner,
            references: Vec::new(),
            definitions: Vec::new(),
        }
    }

    /// The labels referenced (a placeholder holds its index) and the
    /// definitions taken out, once the stream is read.
    pub(crate) fn into_parts(self) -> (Vec<String>, Vec<Definition<'a>>) {
        (self.references, self.definitions)
    }

    fn placeholder(&mut self, label: &str) -> Event<'a> {
        self.references.push(key(label));
        Event::Text(CowStr::from(format!(
            "{OPEN}{}{CLOSE}",
            self.references.len() - 1
        )))
    }
}

impl<'a, I: Iterator<Item = Event<'a>>> Iterator for Collector<'a, I> {
    type Item = Event<'a>;

    fn next(&mut self) -> Option<Event<'a>> {
        loop {
            match self.inner.next()? {
                Event::Start(Tag::FootnoteDefinition(label)) => {
                    let mut body = Vec::new();
                    for event in self.inner.by_ref() {
                        match event {
                            Event::End(TagEnd::FootnoteDefinition) => break,
                            // A note citing a note: the citation is left out.
                            Event::FootnoteReference(_) => {}
                            other => body.push(clean(other)),
                        }
                    }
                    self.definitions.push((key(&label), body));
                }
                Event::FootnoteReference(label) => return Some(self.placeholder(&label)),
                other => return Some(clean(other)),
            }
        }
    }
}

/// `event` with the placeholder characters taken out of its text, so that
/// no text can pose as a reference.
fn clean(event: Event<'_>) -> Event<'_> {
    match event {
        Event::Text(text) if text.contains([OPEN, CLOSE]) => {
            Event::Text(CowStr::from(text.replace([OPEN, CLOSE], "\u{FFFD}")))
        }
        other => other,
    }
}

/// Puts reference placeholders in `nodes`: those the collector left
/// (`references`), and literal `[^label]` text for a label defined in
/// another segment (`elsewhere`). A reference inside a link goes after it.
pub(crate) fn place(nodes: &mut Vec<Node>, references: &[String], elsewhere: &HashSet<String>) {
    let mut out = Vec::with_capacity(nodes.len());
    for node in std::mem::take(nodes) {
        match node {
            Node::Text(text) if text.contains(OPEN) || text.contains("[^") => {
                split_text(&text, references, elsewhere, &mut out);
            }
            Node::Element(mut element) => {
                place(&mut element.children, references, elsewhere);
                // Links cannot hold links: citations inside go after it.
                let moved = if element.name == "a" {
                    take_references(&mut element.children)
                } else {
                    Vec::new()
                };
                out.push(Node::Element(element));
                out.extend(moved);
            }
            other => out.push(other),
        }
    }
    *nodes = out;
}

/// Takes the reference placeholders out of `nodes` (at any depth).
fn take_references(nodes: &mut Vec<Node>) -> Vec<Node> {
    let mut taken = Vec::new();
    nodes.retain_mut(|node| match node {
        Node::Element(element) if Note::key_of(element).is_some() => {
            taken.push(node.clone());
            false
        }
        Node::Element(element) => {
            taken.extend(take_references(&mut element.children));
            true
        }
        _ => true,
    });
    taken
}

/// `text` as text and reference nodes.
fn split_text(text: &str, references: &[String], elsewhere: &HashSet<String>, out: &mut Vec<Node>) {
    let mut plain = String::new();
    let mut rest = text;
    while !rest.is_empty() {
        let found = if let Some(after) = rest.strip_prefix(OPEN) {
            after.split_once(CLOSE).and_then(|(index, after)| {
                let label = references.get(index.parse::<usize>().ok()?)?;
                Some((label.clone(), after))
            })
        } else if let Some(after) = rest.strip_prefix("[^") {
            after.split_once(']').and_then(|(label, after)| {
                let key = key(label);
                elsewhere.contains(&key).then_some((key, after))
            })
        } else {
            None
        };
        match found {
            Some((label, after)) => {
                if !plain.is_empty() {
                    out.push(Node::Text(std::mem::take(&mut plain)));
                }
                out.push(Note::reference(&label));
                rest = after;
            }
            None => {
                let c = rest.chars().next().unwrap_or_default();
                plain.push(if c == OPEN || c == CLOSE {
                    '\u{FFFD}'
                } else {
                    c
                });
                rest = &rest[c.len_utf8()..];
            }
        }
    }
    if !plain.is_empty() {
        out.push(Node::Text(plain));
    }
}

/// The keys cited in `nodes`.
pub(crate) fn cited(nodes: &[Node], out: &mut Vec<String>) {
    for node in nodes {
        if let Node::Element(element) = node {
            match Note::key_of(element) {
                Some(key) => out.push(key.to_string()),
                None => cited(&element.children, out),
            }
        }
    }
}

/// Makes the essay's notes from the definitions found (key, access, content,
/// in order) and the citations (key, access): a note is free only when it
/// is defined in a free part and cited from free parts only. Definitions
/// never cited are left out, the second of two with one label too; each
/// with a warning that names a free label only.
pub(crate) fn assemble(
    path: &Path,
    essay: &mut Essay,
    definitions: Vec<(String, Access, Vec<Node>)>,
    citations: &[(String, Access)],
    warnings: &mut Vec<Warning>,
) {
    let mut access_of: HashMap<&str, Access> = HashMap::new();
    for (key, access) in citations {
        let entry = access_of.entry(key).or_insert(Access::Free);
        if *access == Access::Paid {
            *entry = Access::Paid;
        }
    }
    let mut seen = HashSet::new();
    for (key, defined, content) in definitions {
        let name = match defined {
            Access::Free => format!("footnote [^{key}]"),
            Access::Paid => "a footnote in a paid part".to_string(),
        };
        if !seen.insert(key.clone()) {
            warnings.push(Warning::new(
                path,
                None,
                format!("{name} is defined twice; the first is used"),
            ));
            continue;
        }
        let Some(&cited) = access_of.get(key.as_str()) else {
            warnings.push(Warning::new(
                path,
                None,
                format!("{name} is never cited; left out"),
            ));
            continue;
        };
        let access = if defined == Access::Free && cited == Access::Free {
            Access::Free
        } else {
            Access::Paid
        };
        essay.notes.push(Note {
            key,
            access,
            content,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_are_found_in_every_segment() {
        let labels = labels("a[^1]\n\n[^1]: one\n   [^Two]: two\n[^x] y\n    [^code]: no\n");
        assert_eq!(labels, HashSet::from(["1".to_string(), "two".to_string()]));
    }

    #[test]
    fn placeholders_and_literal_citations_become_references() {
        let references = vec!["1".to_string()];
        let elsewhere = HashSet::from(["paid".to_string()]);
        let mut nodes = vec![
            Node::Text(format!("a{OPEN}0{CLOSE}b[^paid]c[^none]{OPEN}9{CLOSE}")),
            Node::Element(crate::document::Element::new(
                "a",
                vec![Node::Text(format!("link{OPEN}0{CLOSE}"))],
            )),
        ];
        place(&mut nodes, &references, &elsewhere);
        let mut keys = Vec::new();
        cited(&nodes, &mut keys);
        assert_eq!(keys, ["1", "paid", "1"]);
        // The citation inside the link went after it; a stray mark is text.
        let Node::Element(link) = &nodes[nodes.len() - 2] else {
            panic!("{nodes:?}")
        };
        assert_eq!(link.children, [Node::Text("link".into())]);
        assert!(matches!(&nodes[4], Node::Text(t) if t == "c[^none]\u{FFFD}9\u{FFFD}"));
    }
}
