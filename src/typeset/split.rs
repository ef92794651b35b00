//! Splits one XHTML fragment too large for a page (a Markdown paragraph or
//! list of megabytes) into several well-formed fragments. Where a cut falls
//! inside elements, they are closed and opened again in the next fragment
//! with the same attributes; an ordered list carries its numbering on
//! through `start`. Text is cut after a sentence end where one is near,
//! else anywhere.

use roxmltree::{Document, Node, NodeType};

use crate::typeset::xhtml::cut;
use crate::xml::escape_into;

/// Namespace prefixes a fragment may use besides XHTML's own.
const NAMESPACES: &str = "xmlns:epub=\"http://www.idpf.org/2007/ops\"";

/// `fragment` in pieces of at most `budget` bytes, or `None` when it is not
/// one well-formed element (then it is left whole).
pub fn split_markup(fragment: &str, budget: usize) -> Option<Vec<String>> {
    let wrapped = format!("<wrap {NAMESPACES}>{fragment}</wrap>");
    let document = Document::parse(&wrapped).ok()?;
    let mut splitter = Splitter {
        budget,
        pieces: Vec::new(),
        current: String::new(),
        open: Vec::new(),
        closing_len: 0,
        reopening_len: 0,
    };
    for child in document.root_element().children() {
        splitter.node(child);
    }
    splitter.close_all();
    let last = std::mem::take(&mut splitter.current);
    if !last.is_empty() {
        splitter.pieces.push(last);
    }
    Some(splitter.pieces)
}

/// An element whose start tag has been written and whose end has not.
struct Open {
    name: String,
    /// The start tag as written, for opening it again after a cut.
    start_tag: String,
    /// For `ol`: its first number and how many items have begun in it.
    numbering: Option<(i64, i64)>,
}

struct Splitter {
    budget: usize,
    pieces: Vec<String>,
    current: String,
    open: Vec<Open>,
    /// Bytes of the end tags of the open elements.
    closing_len: usize,
    /// Bytes of the start tags that open them again after a cut.
    reopening_len: usize,
}

impl Splitter {
    /// Writes `node` and its subtree, iteratively (fragments may nest deeply).
    fn node(&mut self, root: Node) {
        let mut stack = vec![(root, false)];
        while let Some((node, done)) = stack.pop() {
            match node.node_type() {
                NodeType::Text => self.text(node.text().unwrap_or_default()),
                NodeType::Element if done => self.end(),
                NodeType::Element => {
                    self.start(node);
                    stack.push((node, true));
                    let children: Vec<_> = node.children().collect();
                    stack.extend(children.into_iter().rev().map(|c| (c, false)));
                }
                _ => {}
            }
        }
    }

    fn start(&mut self, node: Node) {
        let name = qualified(node.tag_name().namespace(), node.tag_name().name());
        if name == "li"
            && let Some(list) = self.open.last_mut()
            && let Some((_, begun)) = &mut list.numbering
        {
            *begun += 1;
        }
        let mut tag = format!("<{name}");
        for attribute in node.attributes() {
            tag.push(' ');
            tag.push_str(&qualified(attribute.namespace(), attribute.name()));
            tag.push_str("=\"");
            escape_into(&mut tag, attribute.value());
            tag.push('"');
        }
        tag.push('>');
        let numbering = (name == "ol").then(|| {
            let first = node
                .attribute("start")
                .and_then(|s| s.trim().parse().ok())
                .unwrap_or(1);
            (first, 0)
        });
        // Every piece opens the open elements again: start tags that would
        // fill more than a quarter of a piece (deep elements with long
        // attributes) lose their attributes, so pieces hold mostly content.
        if self.reopening_len + tag.len() > self.budget / 4 {
            tag = format!("<{name}>");
            if let Some((first, _)) = numbering {
                tag = with_start(&tag, first);
            }
        }
        // Room for the start tag and for the end tag it will need.
        if tag.len() + name.len() + 3 > self.room() && !self.only_reopened_tags() {
            self.cut();
        }
        self.current.push_str(&tag);
        self.closing_len += name.len() + 3;
        self.reopening_len += tag.len();
        self.open.push(Open {
            name,
            start_tag: tag,
            numbering,
        });
    }

    fn end(&mut self) {
        if let Some(open) = self.open.pop() {
            self.closing_len -= open.name.len() + 3;
            self.reopening_len -= open.start_tag.len();
            self.current.push_str("</");
            self.current.push_str(&open.name);
            self.current.push('>');
        }
    }

    fn text(&mut self, text: &str) {
        let mut escaped = String::with_capacity(text.len());
        escape_into(&mut escaped, text);
        let mut rest = escaped.as_str();
        while !rest.is_empty() {
            let room = self.room();
            // Short text moves to the next piece whole rather than be cut.
            if rest.len() > room && rest.len() <= self.budget / 4 && !self.only_reopened_tags() {
                self.cut();
                continue;
            }
            let piece = if rest.len() <= room {
                rest
            } else {
                let piece = safe_cut(rest, room);
                if piece.is_empty() && !self.only_reopened_tags() {
                    self.cut();
                    continue;
                }
                // Nothing fits even on a fresh page: take at least one character.
                if piece.is_empty() {
                    let first = rest.chars().next().map_or(0, char::len_utf8);
                    &rest[..first]
                } else {
                    piece
                }
            };
            self.current.push_str(piece);
            rest = &rest[piece.len()..];
            if !rest.is_empty() {
                self.cut();
            }
        }
    }

    /// Bytes left on this piece, keeping room to close every open element.
    fn room(&self) -> usize {
        self.budget
            .saturating_sub(self.current.len())
            .saturating_sub(self.closing_len)
    }

    /// Whether the current piece holds nothing but elements opened again.
    fn only_reopened_tags(&self) -> bool {
        self.current.len() <= self.reopening_len
    }

    /// Ends this piece and starts the next with the same elements open.
    fn cut(&mut self) {
        self.close_all();
        self.pieces.push(std::mem::take(&mut self.current));
        self.reopening_len = 0;
        for index in 0..self.open.len() {
            if let Some((first, begun)) = self.open[index].numbering {
                // An item in progress keeps its number; else the next one follows.
                let in_item = self.open.get(index + 1).is_some_and(|o| o.name == "li");
                let next = first + begun - i64::from(in_item);
                self.open[index].start_tag = with_start(&self.open[index].start_tag, next);
            }
            self.current.push_str(&self.open[index].start_tag);
            self.reopening_len += self.open[index].start_tag.len();
        }
    }

    fn close_all(&mut self) {
        for open in self.open.iter().rev() {
            self.current.push_str("</");
            self.current.push_str(&open.name);
            self.current.push('>');
        }
    }
}

/// The longest prefix of escaped `text` within `budget` bytes, preferring a
/// sentence end, never inside an `&…;` escape.
fn safe_cut(text: &str, budget: usize) -> &str {
    let mut piece = cut(text, budget);
    if let Some(amp) = piece.rfind('&')
        && !piece[amp..].contains(';')
    {
        piece = &piece[..amp];
    }
    piece
}

/// `tag` (an `<ol …>` start tag) with its `start` attribute set to `next`.
fn with_start(tag: &str, next: i64) -> String {
    let without = match tag.find(" start=\"") {
        Some(at) => {
            let end = tag[at + 8..]
                .find('"')
                .map_or(tag.len(), |e| at + 8 + e + 1);
            format!("{}{}", &tag[..at], &tag[end..])
        }
        None => tag.to_string(),
    };
    format!("{} start=\"{next}\">", without.trim_end_matches('>'))
}

fn qualified(namespace: Option<&str>, name: &str) -> String {
    match namespace {
        Some("http://www.idpf.org/2007/ops") => format!("epub:{name}"),
        Some("http://www.w3.org/XML/1998/namespace") => format!("xml:{name}"),
        _ => name.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_well_formed(pieces: &[String], budget: usize) {
        for piece in pieces {
            assert!(piece.len() <= budget, "{} > {budget}", piece.len());
            Document::parse(piece).unwrap_or_else(|e| panic!("{e}: {piece}"));
        }
    }

    #[test]
    fn a_long_paragraph_is_cut_at_sentences_keeping_its_markup() {
        let fragment = format!(
            "<p class=\"x\">{}<em>强调。</em>{}</p>",
            "第一句话。".repeat(100),
            "后来的话，&amp;继续。".repeat(100)
        );
        let pieces = split_markup(&fragment, 600).unwrap();
        assert!(pieces.len() > 4);
        assert_well_formed(&pieces, 600);
        assert!(pieces.iter().all(|p| p.starts_with("<p class=\"x\">")));
        assert!(pieces[0].ends_with("。</p>"));
        let mut text = String::new();
        for piece in &pieces {
            let document = Document::parse(piece).unwrap();
            text.extend(
                document
                    .descendants()
                    .filter(|n| n.is_text())
                    .filter_map(|n| n.text()),
            );
        }
        assert_eq!(text.matches("第一句话。").count(), 100);
        assert_eq!(text.matches("后来的话，&继续。").count(), 100);
    }

    #[test]
    fn a_long_ordered_list_keeps_counting() {
        let items: String = (0..300).map(|i| format!("<li>第{i}项</li>")).collect();
        let pieces = split_markup(&format!("<ol start=\"5\">{items}</ol>"), 500).unwrap();
        assert_well_formed(&pieces, 500);
        let second = Document::parse(&pieces[1]).unwrap();
        let first_item = second.root_element().first_element_child().unwrap();
        let number: i64 = second
            .root_element()
            .attribute("start")
            .unwrap()
            .parse()
            .unwrap();
        let index: i64 = first_item.text().unwrap()[3..]
            .trim_end_matches('项')
            .parse()
            .unwrap();
        assert_eq!(number, 5 + index);
    }

    #[test]
    fn deep_elements_with_long_attributes_are_reopened_bare() {
        let title = "题".repeat(100);
        let fragment = format!(
            "{}{}{}",
            format!("<span title=\"{title}\">").repeat(90),
            "字。".repeat(20_000),
            "</span>".repeat(90)
        );
        let budget = 20_000;
        let pieces = split_markup(&fragment, budget).unwrap();
        assert_well_formed(&pieces, budget);
        // Each piece carries mostly text, so there are few of them.
        assert!(
            pieces.len() < 2 * fragment.len() / budget,
            "{}",
            pieces.len()
        );
        assert!(pieces[0].starts_with(&format!("<span title=\"{title}\">")));
        assert!(pieces[1].ends_with("</span></span>"));
        assert_eq!(pieces.concat().matches('字').count(), 20_000);
    }

    #[test]
    fn text_without_any_break_is_cut_anywhere() {
        let fragment = format!("<blockquote><p>{}</p></blockquote>", "字".repeat(10_000));
        let pieces = split_markup(&fragment, 1000).unwrap();
        assert_well_formed(&pieces, 1000);
        assert_eq!(pieces.concat().matches('字').count(), 10_000);
    }
}
