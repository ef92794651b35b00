//! The one document tree for body content. Every input format builds these
//! nodes — plain-text paragraphs, Markdown with its sanitised raw HTML, ruby
//! annotations — and everything after parsing walks them: character counts,
//! language detection, CJK rules, page splitting and the XHTML serializer.
//! Nothing downstream re-reads markup from strings.
//!
//! Element names come from a fixed set (the sanitiser's allow-list and
//! wenji's own), so a tree is valid EPUB XHTML by construction. Nesting is
//! bounded by the parsers ([`crate::parse::nesting::MAX_DEPTH`]), which
//! keeps the recursive walks here shallow.

use std::sync::Arc;

use crate::xml::{escape_into, open_tag_into};

/// A node of body content.
#[derive(Debug, Clone, PartialEq)]
pub enum Node {
    /// Text, not escaped.
    Text(String),
    /// An element with attributes and children.
    Element(Element),
    /// An image packed into the book.
    Image(Image),
}

/// An XHTML element.
#[derive(Debug, Clone, PartialEq)]
pub struct Element {
    /// Its name (`p`, `em`, `ruby`, …).
    pub name: &'static str,
    /// Attributes in order, values not escaped.
    pub attrs: Vec<(&'static str, String)>,
    /// Its content.
    pub children: Vec<Node>,
}

/// An image packed into the book, written as `<img src alt/>`.
#[derive(Debug, Clone, PartialEq)]
pub struct Image {
    /// Path inside the publication, relative to the package document (`images/…`).
    pub href: String,
    /// The image's media type.
    pub media_type: &'static str,
    /// The file's bytes.
    pub data: Arc<Vec<u8>>,
    /// Its text alternative.
    pub alt: String,
}

/// Elements whose text is written as it stands: no CJK rules apply inside.
pub const VERBATIM: &[&str] = &["pre", "code", "kbd", "samp"];

/// Classes of runs already set apart from the vertical flow (an Aozora
/// 縦中横 or 横組み run): CJK rules do not apply inside either.
pub const VERBATIM_CLASSES: &[&str] = &["tcy", "yoko"];

/// Elements written as `<x/>`.
pub const VOID: &[&str] = &["br", "hr", "wbr"];

/// The class of the empty `div` that ends a page: what follows starts a
/// new XHTML file, the one page break every reading engine honours.
pub const PAGE_BREAK: &str = "page-break";

impl Element {
    /// An element without attributes.
    pub fn new(name: &'static str, children: Vec<Node>) -> Self {
        Element {
            name,
            attrs: Vec::new(),
            children,
        }
    }

    /// An empty block after which a new page starts (see [`PAGE_BREAK`]).
    pub fn page_break() -> Self {
        Element {
            name: "div",
            attrs: vec![("class", PAGE_BREAK.to_string())],
            children: Vec::new(),
        }
    }

    /// Whether this is a [`Element::page_break`].
    pub fn is_page_break(&self) -> bool {
        self.name == "div" && self.children.is_empty() && self.attr("class") == Some(PAGE_BREAK)
    }

    /// The value of attribute `key`, if set.
    pub fn attr(&self, key: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, v)| v.as_str())
    }

    /// Calls `visit` with every text below this element, in order: text
    /// nodes and image alternatives. Ruby readings are included when
    /// `readings` is set; ruby's fallback parentheses never are.
    pub fn for_each_text(&self, readings: bool, visit: &mut impl FnMut(&str)) {
        for_each_text(&self.children, readings, visit);
    }

    /// Calls `visit` with every image below this element.
    pub fn for_each_image<'a>(&'a self, visit: &mut impl FnMut(&'a Image)) {
        for child in &self.children {
            match child {
                Node::Image(image) => visit(image),
                Node::Element(element) => element.for_each_image(visit),
                Node::Text(_) => {}
            }
        }
    }
}

/// Calls `visit` with every text of `nodes` (see [`Element::for_each_text`]).
pub fn for_each_text(nodes: &[Node], readings: bool, visit: &mut impl FnMut(&str)) {
    for node in nodes {
        match node {
            Node::Text(text) => visit(text),
            Node::Image(image) => visit(&image.alt),
            Node::Element(e) if e.name == "rp" || (e.name == "rt" && !readings) => {}
            Node::Element(e) => e.for_each_text(readings, visit),
        }
    }
}

/// The text a reader sees in `nodes` as one line (ruby readings left out,
/// ASCII whitespace collapsed, an ideographic space kept): for navigation
/// labels and titles.
pub fn plain_text(nodes: &[Node]) -> String {
    let mut raw = String::new();
    for_each_text(nodes, false, &mut |t| raw.push_str(t));
    let mut out = String::with_capacity(raw.len());
    for word in raw.split_ascii_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

/// Characters of reader-visible text in `nodes`, readings included.
pub fn char_count(nodes: &[Node]) -> usize {
    let mut count = 0;
    for_each_text(nodes, true, &mut |t| count += t.chars().count());
    count
}

/// Writes `nodes` as XHTML into `out`. `text` writes each text node,
/// escaped, and is told whether it stands inside a [`VERBATIM`] element
/// (where CJK rules must not change it); [`escape_text`] writes it as it is.
pub fn write_xhtml(
    nodes: &[Node],
    out: &mut String,
    text: &mut impl FnMut(&mut String, &str, bool),
) {
    write_nodes(nodes, false, out, text);
}

fn write_nodes(
    nodes: &[Node],
    verbatim: bool,
    out: &mut String,
    text: &mut impl FnMut(&mut String, &str, bool),
) {
    for node in nodes {
        match node {
            Node::Text(t) => text(out, t, verbatim),
            Node::Image(image) => {
                open_tag_into(out, "img", &[("src", &image.href), ("alt", &image.alt)]);
                out.push_str("/>");
            }
            Node::Element(element) => {
                if VOID.contains(&element.name) {
                    open_tag_into(out, element.name, &element.attrs);
                    out.push_str("/>");
                    continue;
                }
                write_start_tag(out, element.name, &element.attrs);
                let verbatim = verbatim
                    || VERBATIM.contains(&element.name)
                    || element
                        .attr("class")
                        .is_some_and(|c| VERBATIM_CLASSES.contains(&c));
                write_nodes(&element.children, verbatim, out, text);
                out.push_str("</");
                out.push_str(element.name);
                out.push('>');
            }
        }
    }
}

/// Writes `<name key="value"…>`.
pub fn write_start_tag(out: &mut String, name: &str, attrs: &[(&str, String)]) {
    open_tag_into(out, name, attrs);
    out.push('>');
}

/// Writes text escaped and otherwise unchanged (for [`write_xhtml`]).
pub fn escape_text(out: &mut String, text: &str, _verbatim: bool) {
    escape_into(out, text);
}

/// Text with Aozora-style ruby as nodes: `｜漢字《かんじ》` (explicit base) and
/// `漢字《かんじ》` (the run of kanji before a kana reading) become `ruby`
/// elements with `rp` fallbacks; `《…》` that is not a reading (a Chinese
/// book title such as 《红楼梦》) stays text.
pub fn text_with_ruby(text: &str) -> Vec<Node> {
    let mut nodes: Vec<Node> = ruby_spans(text)
        .into_iter()
        .map(|span| match span {
            RubySpan::Text(text) => Node::Text(text.to_string()),
            RubySpan::Ruby { base, reading } => ruby(base, reading),
        })
        .collect();
    if nodes.is_empty() {
        nodes.push(Node::Text(String::new()));
    }
    nodes
}

/// A stretch of text read for Aozora-style ruby (see [`ruby_spans`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RubySpan<'a> {
    /// Text without ruby, never empty.
    Text(&'a str),
    /// A base annotated with its reading.
    Ruby {
        /// The annotated text.
        base: &'a str,
        /// Its reading, without the 《》.
        reading: &'a str,
    },
}

/// `text` cut at its Aozora-style ruby (`｜漢字《かんじ》`, `漢字《かんじ》`),
/// in order: the one scanner behind [`text_with_ruby`] and ruby in Markdown.
pub fn ruby_spans(text: &str) -> Vec<RubySpan<'_>> {
    // Most text has no ruby: one span, allocated once.
    let mut spans = Vec::with_capacity(1);
    let mut rest = text;
    while let Some((before, base, reading, after)) = next_ruby(rest) {
        if !before.is_empty() {
            spans.push(RubySpan::Text(before));
        }
        spans.push(RubySpan::Ruby { base, reading });
        rest = after;
    }
    if !rest.is_empty() {
        spans.push(RubySpan::Text(rest));
    }
    spans
}

/// A `ruby` element: `base` with `reading`, and parentheses for readers
/// without ruby support.
pub fn ruby(base: &str, reading: &str) -> Node {
    let text = |t: &str| vec![Node::Text(t.to_string())];
    Node::Element(Element::new(
        "ruby",
        vec![
            Node::Text(base.to_string()),
            Node::Element(Element::new("rp", text("（"))),
            Node::Element(Element::new("rt", text(reading))),
            Node::Element(Element::new("rp", text("）"))),
        ],
    ))
}

/// The next ruby in `text`: (text before, base, reading, text after).
fn next_ruby(text: &str) -> Option<(&str, &str, &str, &str)> {
    const MARK: usize = '《'.len_utf8(); // 《, 》 and ｜ are all three bytes
    let mut search = 0;
    // The last bar before `scanned`: each stretch of text is searched for
    // bars once, so a line of a million `《…》` costs linear time.
    let mut scanned = 0;
    let mut last_bar = None;
    while let Some(found) = text[search..].find('《') {
        let open = search + found;
        let close = open + text[open..].find('》')?;
        if let Some(bar) = text[scanned..open].rfind('｜') {
            last_bar = Some(scanned + bar);
        }
        scanned = open;
        let reading = &text[open + MARK..close];
        let head = &text[..open];
        let after = &text[close + MARK..];
        if !reading.is_empty() && !reading.contains('《') {
            if let Some(bar) = last_bar {
                let base = &head[bar + MARK..];
                if !base.is_empty() {
                    return Some((&head[..bar], base, reading, after));
                }
            }
            let start = head
                .char_indices()
                .rev()
                .take_while(|(_, c)| is_kanji(*c))
                .last()
                .map(|(i, _)| i);
            if let Some(start) = start.filter(|_| is_reading(reading)) {
                return Some((&head[..start], &head[start..], reading, after));
            }
        }
        search = close + MARK;
    }
    None
}

fn is_kanji(c: char) -> bool {
    matches!(c, '\u{4e00}'..='\u{9fff}' | '\u{3400}'..='\u{4dbf}' | '\u{f900}'..='\u{faff}' | '\u{20000}'..='\u{3134f}' | '々' | '〆' | '〻' | 'ヶ')
}

/// Readings are kana (with the prolonged sound mark and the kana
/// iteration marks 〱〲〳〴〵, joined by a word joiner); anything else in
/// 《》 after kanji is a title mark, as in Chinese 《书名》.
fn is_reading(text: &str) -> bool {
    text.chars().all(|c| {
        matches!(c, '\u{3041}'..='\u{309f}' | '\u{30a0}'..='\u{30ff}' | '\u{3031}'..='\u{3035}' | '\u{2060}')
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shape(nodes: &[Node]) -> String {
        let mut out = String::new();
        for node in nodes {
            match node {
                Node::Text(t) => out.push_str(t),
                Node::Element(e) => {
                    out.push_str(&format!("[{}:", e.name));
                    out.push_str(&shape(&e.children));
                    out.push(']');
                }
                Node::Image(i) => out.push_str(&format!("[img {}]", i.alt)),
            }
        }
        out
    }

    #[test]
    fn ruby_notation_becomes_ruby_elements() {
        assert_eq!(
            shape(&text_with_ruby(
                "｜東京《とうきょう》の漢字《かんじ》と《红楼梦》"
            )),
            "[ruby:東京[rp:（][rt:とうきょう][rp:）]]の[ruby:漢字[rp:（][rt:かんじ][rp:）]]と《红楼梦》"
        );
        assert_eq!(shape(&text_with_ruby("")), "");
        assert_eq!(
            shape(&text_with_ruby("《书》と漢字《かんじ》")),
            "《书》と[ruby:漢字[rp:（][rt:かんじ][rp:）]]"
        );
        // Without a bar the base is the whole run of kanji before the reading.
        assert_eq!(
            shape(&text_with_ruby("与漢字《かんじ》")),
            "[ruby:与漢字[rp:（][rt:かんじ][rp:）]]"
        );
        // A bar stays the base's start past text in 《》 that is no reading.
        assert_eq!(
            shape(&text_with_ruby("a｜甲《》乙《かな》《书》")),
            "a[ruby:甲《》乙[rp:（][rt:かな][rp:）]]《书》"
        );
        assert_eq!(text_with_ruby("读《红楼梦》").len(), 1);
    }

    #[test]
    fn a_million_title_marks_cost_linear_time() {
        let text = "｜《》".repeat(200_000);
        assert_eq!(text_with_ruby(&text).len(), 1);
    }

    #[test]
    fn text_counts_and_labels() {
        let nodes = text_with_ruby("漢字《かんじ》 と\n 字");
        assert_eq!(plain_text(&nodes), "漢字 と 字");
        assert_eq!(
            plain_text(&text_with_ruby("第一章\u{3000}朝")),
            "第一章\u{3000}朝"
        );
        // Readings count; the fallback parentheses do not.
        assert_eq!(char_count(&nodes), "漢字かんじ と\n 字".chars().count());
    }
}
