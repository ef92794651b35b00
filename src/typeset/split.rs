//! Splits content too large for one page (a paragraph or list of
//! megabytes) into several well-formed XHTML fragments. Where a cut falls
//! inside elements, they are closed and opened again in the next fragment
//! with the same attributes (a paragraph goes on as `p.continued`, without
//! first-line indent); an ordered list carries its numbering on through
//! `start`. Text is cut after a sentence end where one is near, else
//! anywhere.

use crate::document::{Element, Node, VERBATIM, VOID, write_start_tag};
use crate::typeset::cjk::{self, TextRules};
use crate::typeset::xhtml::cut;

/// `nodes` written with `rules`, in pieces of at most `budget` bytes, the
/// first of at most `first` (the room left on the page being filled; an
/// empty first piece is left out).
pub fn split(nodes: &[Node], rules: &TextRules, first: usize, budget: usize) -> Vec<String> {
    let mut splitter = Splitter {
        budget,
        limit: first.min(budget),
        rules,
        pieces: Vec::new(),
        current: String::new(),
        open: Vec::new(),
        closing_len: 0,
        reopening_len: 0,
        verbatim: 0,
    };
    // Quotes are paired over the whole block, not piece by piece.
    for node in cjk::prepare(nodes, rules).iter() {
        splitter.node(node);
    }
    splitter.close_all();
    let last = std::mem::take(&mut splitter.current);
    if !last.is_empty() {
        splitter.pieces.push(last);
    }
    splitter.pieces
}

/// An element whose start tag has been written and whose end has not.
struct Open {
    name: &'static str,
    /// The start tag as written, for opening it again after a cut.
    start_tag: String,
    /// For `ol`: its first number and how many items have begun in it.
    numbering: Option<(i64, i64)>,
}

struct Splitter<'a> {
    budget: usize,
    /// The size of the piece being written.
    limit: usize,
    rules: &'a TextRules,
    pieces: Vec<String>,
    current: String,
    open: Vec<Open>,
    /// Bytes of the end tags of the open elements.
    closing_len: usize,
    /// Bytes of the start tags that open them again after a cut.
    reopening_len: usize,
    /// How many open elements keep their text verbatim.
    verbatim: usize,
}

impl Splitter<'_> {
    /// Writes `node` and its subtree (depth is bounded by the parsers).
    fn node(&mut self, node: &Node) {
        match node {
            Node::Text(text) => {
                let mut written = String::with_capacity(text.len());
                cjk::write_run(&mut written, text, self.rules, self.verbatim > 0);
                self.text(&written);
            }
            Node::Image(_) => {
                let mut written = String::new();
                cjk::write_prepared(&mut written, std::slice::from_ref(node), self.rules);
                self.atom(&written);
            }
            Node::Element(element) if VOID.contains(&element.name) => {
                self.atom(&format!("<{}/>", element.name));
            }
            Node::Element(element) if self.verbatim == 0 && self.is_small(element) => {
                // A small element (a list item, a link) moves to the next
                // piece whole rather than be cut.
                let mut written = String::new();
                cjk::write_prepared(&mut written, std::slice::from_ref(node), self.rules);
                self.atom(&written);
                if element.name == "li" {
                    self.count_item();
                }
            }
            Node::Element(element) => {
                self.start(element);
                for child in &element.children {
                    self.node(child);
                }
                self.end();
            }
        }
    }

    /// Writes something that cannot be cut (an image, a line break).
    fn atom(&mut self, written: &str) {
        if written.len() > self.room() && !self.only_reopened_tags() {
            self.cut();
        }
        self.current.push_str(written);
    }

    /// Whether `element` is small enough to write without cutting it: its
    /// text and tags (estimated, stopping early) within an eighth of a piece.
    fn is_small(&self, element: &Element) -> bool {
        fn size(nodes: &[Node], limit: usize) -> Option<usize> {
            let mut total = 0;
            for node in nodes {
                total += match node {
                    Node::Text(text) => text.len(),
                    Node::Image(image) => image.href.len() + image.alt.len() + 20,
                    Node::Element(e) => 2 * e.name.len() + 5 + size(&e.children, limit)?,
                };
                if total > limit {
                    return None;
                }
            }
            Some(total)
        }
        let limit = self.budget / 8;
        size(&element.children, limit).is_some_and(|n| n + 2 * element.name.len() + 5 <= limit)
    }

    /// Counts an item of the innermost open ordered list.
    fn count_item(&mut self) {
        if let Some(list) = self.open.last_mut()
            && let Some((_, begun)) = &mut list.numbering
        {
            *begun += 1;
        }
    }

    fn start(&mut self, element: &Element) {
        let name = element.name;
        if name == "li" {
            self.count_item();
        }
        let mut tag = String::new();
        write_start_tag(&mut tag, name, &element.attrs);
        let numbering = (name == "ol").then(|| {
            let first = element
                .attr("start")
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
        if VERBATIM.contains(&name) {
            self.verbatim += 1;
        }
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
            if VERBATIM.contains(&open.name) {
                self.verbatim -= 1;
            }
            self.current.push_str("</");
            self.current.push_str(open.name);
            self.current.push('>');
        }
    }

    /// Writes text already escaped (and perhaps holding tate-chu-yoko spans).
    fn text(&mut self, escaped: &str) {
        let mut rest = escaped;
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
        self.limit
            .saturating_sub(self.current.len())
            .saturating_sub(self.closing_len)
    }

    /// Whether the current piece holds nothing but elements opened again.
    /// (The first piece may stay empty: the page it would end is not.)
    fn only_reopened_tags(&self) -> bool {
        self.current.len() <= self.reopening_len && self.limit == self.budget
    }

    /// Ends this piece and starts the next with the same elements open.
    fn cut(&mut self) {
        self.close_all();
        let piece = std::mem::take(&mut self.current);
        if self.pieces.is_empty() && piece.len() <= self.closing_len + self.reopening_len {
            // Nothing but tags fitted in the first piece's room.
        } else {
            self.pieces.push(piece);
        }
        self.limit = self.budget;
        self.reopening_len = 0;
        for index in 0..self.open.len() {
            if let Some((first, begun)) = self.open[index].numbering {
                // An item in progress keeps its number; else the next one follows.
                let in_item = self.open.get(index + 1).is_some_and(|o| o.name == "li");
                let next = first + begun - i64::from(in_item);
                self.open[index].start_tag = with_start(&self.open[index].start_tag, next);
            }
            if self.open[index].name == "p" {
                self.open[index].start_tag = CONTINUED.to_string();
            }
            self.current.push_str(&self.open[index].start_tag);
            self.reopening_len += self.open[index].start_tag.len();
        }
    }

    fn close_all(&mut self) {
        for open in self.open.iter().rev() {
            self.current.push_str("</");
            self.current.push_str(open.name);
            self.current.push('>');
        }
    }
}

/// How a paragraph cut in two goes on.
const CONTINUED: &str = "<p class=\"continued\">";

/// The longest prefix of written `text` within `budget` bytes, preferring a
/// sentence end, never inside an `&…;` escape or a tate-chu-yoko span.
fn safe_cut(text: &str, budget: usize) -> &str {
    let mut piece = cut(text, budget);
    if let Some(amp) = piece.rfind('&')
        && !piece[amp..].contains(';')
    {
        piece = &piece[..amp];
    }
    if let Some(span) = piece.rfind("<span")
        && !piece[span..].contains("</span>")
    {
        piece = &piece[..span];
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

#[cfg(test)]
mod tests {
    use roxmltree::Document;

    use super::*;

    fn split_markup(html: &str, budget: usize) -> Option<Vec<String>> {
        let (nodes, _) = crate::parse::sanitize::to_nodes(html, &mut |_| Ok(None)).unwrap();
        let rules = TextRules {
            vertical: false,
            tcy_digits: vec![2],
            punctuation: true,
            locale: cjk::Locale::SimplifiedChinese,
            quotes: cjk::QuoteStyle::Standard,
            book_titles: cjk::BookTitleMarks::Brackets,
        };
        Some(split(&nodes, &rules, budget, budget))
    }

    fn assert_well_formed(pieces: &[String], budget: usize) {
        for piece in pieces {
            assert!(piece.len() <= budget, "{} > {budget}", piece.len());
            Document::parse(piece).unwrap_or_else(|e| panic!("{e}: {piece}"));
        }
    }

    #[test]
    fn a_long_paragraph_is_cut_at_sentences_keeping_its_markup() {
        let fragment = format!(
            "<p title=\"x\">{}<em>强调。</em>{}</p>",
            "第一句话。".repeat(100),
            "后来的话，&amp;继续。".repeat(100)
        );
        let pieces = split_markup(&fragment, 600).unwrap();
        assert!(pieces.len() > 4);
        assert_well_formed(&pieces, 600);
        assert!(pieces[0].starts_with("<p title=\"x\">"));
        assert!(pieces[1..].iter().all(|p| p.starts_with(CONTINUED)));
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

    #[test]
    fn upright_digits_are_never_cut_apart() {
        let rules = TextRules {
            vertical: true,
            tcy_digits: vec![2],
            punctuation: true,
            locale: cjk::Locale::SimplifiedChinese,
            quotes: cjk::QuoteStyle::Standard,
            book_titles: cjk::BookTitleMarks::Brackets,
        };
        let nodes = [Node::Element(Element::new(
            "p",
            vec![Node::Text("第12章".repeat(5_000))],
        ))];
        for budget in [997, 1000, 1003, 1009] {
            let pieces = split(&nodes, &rules, budget / 3, budget);
            assert_well_formed(&pieces, budget);
            let spans: usize = pieces
                .iter()
                .map(|p| p.matches("<span class=\"tcy\">12</span>").count())
                .sum();
            assert_eq!(spans, 5_000, "{budget}");
            assert!(pieces[0].len() <= budget / 3);
        }
    }
}
