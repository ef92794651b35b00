//! One source line of an Aozora text to inline nodes: ruby, gaiji,
//! annotations that style the text before them (`［＃「X」に傍点］`) or
//! between two of them (`［＃傍点］…［＃傍点終わり］`), kanbun marks; and
//! what the line's annotations ask of the paragraph (page break, indent,
//! alignment, illustrations, stretches opened or closed).
//!
//! A reference styles the nearest X before it in the line's base text
//! (ruby readings left out), searched within [`WINDOW`] bytes, so a line
//! costs linear time however many annotations it holds.

use std::borrow::Cow;

use crate::document::{self, Element, Node};

use super::gaiji;
use super::note::{self, Block, BlockFamily, Note, Style};

/// How far back, in bytes of base text, a reference looks for its target.
const WINDOW: usize = 4096;

/// What one line holds.
#[derive(Debug, Default)]
pub(super) struct Line {
    /// Its inline content. A top-level `h1`–`h3` is a heading run, a
    /// top-level `figcaption` an illustration's caption.
    pub(super) nodes: Vec<Node>,
    /// A page break comes before the line.
    pub(super) page_break: bool,
    /// `N字下げ`: the line's own indent.
    pub(super) indent: Option<u8>,
    /// `地付き`, `地からN字上げ`: the line ends this far from the foot.
    pub(super) align_end: Option<u8>,
    /// Illustrations (file names) placed after the line.
    pub(super) illustrations: Vec<String>,
    /// Stretches opened (before the line's text applies) …
    pub(super) opened: Vec<Block>,
    /// … and closed (after it).
    pub(super) closed: Vec<BlockFamily>,
}

/// Reads lines, carrying inline ranges (`［＃傍点］…`) from one line to
/// the next and counting what could not be shown.
#[derive(Debug, Default)]
pub(super) struct Reader {
    /// Inline styles opened and not closed by the end of the last line.
    carried: Vec<Style>,
    /// Lines holding annotations that were left out.
    pub(super) left_out: Vec<usize>,
    /// Lines holding gaiji notes shown as their description.
    pub(super) unresolved: Vec<usize>,
}

impl Reader {
    /// Reads `text`, line `number` of the file.
    pub(super) fn read(&mut self, text: &str, number: usize) -> Line {
        let text = kunojiten(text);
        let text = text.as_ref();
        let mut builder = Builder::default();
        for style in std::mem::take(&mut self.carried) {
            builder.open.push((style, 0));
        }
        let mut line = Line::default();
        let mut rest = text;
        while let Some(open) = rest.find("［＃") {
            let Some(close) = rest[open..].find('］').map(|i| open + i) else {
                break;
            };
            let note = &rest[open + "［＃".len()..close];
            let before = &rest[..open];
            rest = &rest[close + '］'.len_utf8()..];
            // `※［＃…］` is always a gaiji note.
            if let Some(head) = before.strip_suffix('※') {
                builder.pending.push_str(head);
                match gaiji::resolve(note) {
                    Ok(text) => builder.pending.push_str(&text),
                    Err(description) => {
                        self.unresolved.push(number);
                        // A reading after it takes the description as its base.
                        if rest.starts_with('《') {
                            builder.pending.push('｜');
                        }
                        builder.pending.push('〔');
                        builder.pending.push_str(&description);
                        builder.pending.push('〕');
                    }
                }
                continue;
            }
            builder.pending.push_str(before);
            if !self.apply(&mut builder, &mut line, note::classify(note)) {
                self.left_out.push(number);
            }
        }
        builder.pending.push_str(rest);
        builder.flush();
        // Ranges still open style the rest of the line and go on in the next.
        while let Some((style, start)) = builder.open.pop() {
            builder.wrap(start, builder.nodes.len(), style);
            self.carried.insert(0, style);
        }
        line.nodes = builder.nodes;
        line
    }

    /// Applies `note`; whether it could be.
    fn apply(&mut self, builder: &mut Builder, line: &mut Line, note: Note) -> bool {
        match note {
            Note::PageBreak => line.page_break = true,
            Note::Indent(n) => line.indent = Some(n),
            Note::AlignEnd(n) => line.align_end = Some(n),
            Note::BlockOpen(block) => line.opened.push(block),
            Note::BlockClose(family) => line.closed.push(family),
            Note::Apply { target, style } => {
                builder.flush();
                let Some((start, end)) = builder.find(&target) else {
                    return false;
                };
                builder.wrap(start, end, style);
            }
            Note::Open(style) => {
                builder.flush();
                builder.open.push((style, builder.nodes.len()));
            }
            Note::Close(family) => {
                builder.flush();
                let Some(at) = builder
                    .open
                    .iter()
                    .rposition(|(style, _)| style.family() == family)
                else {
                    return false;
                };
                let (style, start) = builder.open.remove(at);
                builder.wrap(start, builder.nodes.len(), style);
            }
            Note::Ruby {
                target,
                reading,
                left,
            } => {
                builder.flush();
                let Some((start, end)) = builder.find(&target) else {
                    return false;
                };
                // Ruby cannot hold ruby: a second reading is not shown.
                if builder.nodes[start..end].iter().any(has_ruby) {
                    return false;
                }
                builder.replace(start, end, |base| ruby(base, &reading, left));
            }
            Note::Kaeriten(mark) => builder.push_mark("sub", "kaeriten", mark),
            Note::Okurigana(kana) => builder.push_mark("sup", "okurigana", kana),
            Note::Illustration(file) => line.illustrations.push(file),
            Note::Silent => {}
            Note::Unknown => return false,
        }
        true
    }
}

/// `text` with くの字点 written as Aozora texts write them (`／＼`, voiced
/// `／″＼`) as the characters 〳〵 and 〴〵, joined by a word joiner so
/// that no line break parts them.
fn kunojiten(text: &str) -> Cow<'_, str> {
    if !text.contains('／') {
        return Cow::Borrowed(text);
    }
    Cow::Owned(
        text.replace("／″＼", "〴\u{2060}〵")
            .replace("／＼", "〳\u{2060}〵"),
    )
}

/// The element a style wraps its run in.
pub(super) fn styled(style: Style, children: Vec<Node>) -> Element {
    let classed = |name, class: String| Element {
        name,
        attrs: vec![("class", class)],
        children: Vec::new(),
    };
    let side = |left: bool| if left { " left" } else { "" };
    let mut element = match style {
        Style::Bouten { mark, left } => {
            classed("em", format!("bouten {}{}", mark.class(), side(left)))
        }
        Style::Bosen { line, left } => {
            classed("span", format!("bosen {}{}", line.class(), side(left)))
        }
        Style::Bold => Element::new("b", Vec::new()),
        Style::Italic => Element::new("i", Vec::new()),
        Style::Upright => classed("span", "tcy".into()),
        Style::Horizontal => classed("span", "yoko".into()),
        Style::Warichu => classed("span", "warichu".into()),
        Style::Boxed => classed("span", "kakomi".into()),
        Style::Superscript => Element::new("sup", Vec::new()),
        Style::Subscript => Element::new("sub", Vec::new()),
        Style::Small => classed("span", "kogaki".into()),
        Style::Size(steps) if steps < 0 => classed("span", format!("smaller-{}", -steps)),
        Style::Size(steps) => classed("span", format!("larger-{steps}")),
        Style::Heading(1) => Element::new("h1", Vec::new()),
        Style::Heading(2) => Element::new("h2", Vec::new()),
        Style::Heading(_) => Element::new("h3", Vec::new()),
        Style::Caption => Element::new("figcaption", Vec::new()),
    };
    element.children = children;
    element
}

fn ruby(base: Vec<Node>, reading: &str, left: bool) -> Node {
    let text = |t: &str| vec![Node::Text(t.to_string())];
    let mut children = base;
    children.extend([
        Node::Element(Element::new("rp", text("（"))),
        Node::Element(Element::new("rt", text(reading))),
        Node::Element(Element::new("rp", text("）"))),
    ]);
    let mut element = Element::new("ruby", children);
    if left {
        element.attrs.push(("class", "left".to_string()));
    }
    Node::Element(element)
}

fn has_ruby(node: &Node) -> bool {
    match node {
        Node::Element(e) => e.name == "ruby" || e.children.iter().any(has_ruby),
        _ => false,
    }
}

/// A line's nodes as they are built, with their base text kept beside
/// them so that references are found without walking the nodes.
#[derive(Debug, Default)]
struct Builder {
    /// Finished nodes.
    nodes: Vec<Node>,
    /// Text not yet made into nodes (ruby is read when it is).
    pending: String,
    /// The base text of `nodes`, concatenated.
    base: String,
    /// Where each node's base text starts in `base`.
    starts: Vec<usize>,
    /// Inline styles opened in this line: the style and the node it starts at.
    open: Vec<(Style, usize)>,
}

impl Builder {
    /// Makes the pending text into nodes.
    fn flush(&mut self) {
        if self.pending.is_empty() {
            return;
        }
        for node in document::text_with_ruby(&self.pending) {
            self.push(node);
        }
        self.pending.clear();
    }

    fn push(&mut self, node: Node) {
        self.starts.push(self.base.len());
        let base = &mut self.base;
        document::for_each_text(std::slice::from_ref(&node), false, &mut |t| {
            base.push_str(t)
        });
        self.nodes.push(node);
    }

    /// Adds a kanbun mark (`name` with `class`).
    fn push_mark(&mut self, name: &'static str, class: &str, text: String) {
        self.flush();
        let mut element = Element::new(name, vec![Node::Text(text)]);
        element.attrs.push(("class", class.to_string()));
        self.push(Node::Element(element));
    }

    /// The nodes `start..end` that hold exactly the nearest `target` in
    /// the base text, splitting text nodes at its edges; `None` when it is
    /// not there or would cut through an element.
    fn find(&mut self, target: &str) -> Option<(usize, usize)> {
        let mut from = self.base.len().saturating_sub(WINDOW + target.len());
        while !self.base.is_char_boundary(from) {
            from += 1;
        }
        let (start, end) = self.base[from..]
            .rmatch_indices(target)
            .map(|(at, _)| (from + at, from + at + target.len()))
            .find(|&(start, end)| self.can_cut(start) && self.can_cut(end))?;
        let first = self.split_at(start);
        let last = self.split_at(end);
        Some((first, last))
    }

    /// The node holding base byte `at`.
    fn node_at(&self, at: usize) -> usize {
        self.starts.partition_point(|&s| s <= at) - 1
    }

    /// Whether base byte `at` is a node edge or inside a text node.
    fn can_cut(&self, at: usize) -> bool {
        if at == self.base.len() || self.starts.binary_search(&at).is_ok() {
            return true;
        }
        matches!(self.nodes[self.node_at(at)], Node::Text(_))
    }

    /// Makes base byte `at` a node edge; the index of the node starting there.
    fn split_at(&mut self, at: usize) -> usize {
        if at == self.base.len() {
            return self.nodes.len();
        }
        if let Ok(index) = self.starts.binary_search(&at) {
            return index;
        }
        let index = self.node_at(at);
        let Node::Text(text) = &mut self.nodes[index] else {
            unreachable!("can_cut allows cuts inside text nodes only");
        };
        let tail = text.split_off(at - self.starts[index]);
        self.nodes.insert(index + 1, Node::Text(tail));
        self.starts.insert(index + 1, at);
        for (_, open) in &mut self.open {
            if *open > index {
                *open += 1;
            }
        }
        index + 1
    }

    /// Wraps nodes `start..end` in the element for `style`.
    fn wrap(&mut self, start: usize, end: usize, style: Style) {
        self.replace(start, end, |children| {
            Node::Element(styled(style, children))
        });
    }

    /// Replaces nodes `start..end` with one made of them.
    fn replace(&mut self, start: usize, end: usize, make: impl FnOnce(Vec<Node>) -> Node) {
        if start >= end {
            return;
        }
        let children: Vec<Node> = self.nodes.drain(start..end).collect();
        self.nodes.insert(start, make(children));
        // The base text does not change: only the node edges inside go.
        self.starts.drain(start + 1..end);
        let removed = end - start - 1;
        for (_, open) in &mut self.open {
            if *open >= end {
                *open -= removed;
            } else if *open > start {
                *open = start;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::aozora::tests::shape;

    fn read(text: &str) -> (String, Reader) {
        let mut reader = Reader::default();
        let line = reader.read(text, 7);
        (shape(&line.nodes), reader)
    }

    #[test]
    fn references_style_the_nearest_text_before_them() {
        assert_eq!(
            read("鳥と鳥の形。［＃「鳥」に傍点］").0,
            "鳥と[em.bouten.sesame:鳥]の形。"
        );
        assert_eq!(
            read("鳥の形［＃「鳥の形」の左に白丸傍点］").0,
            "[em.bouten.open-circle.left:鳥の形]"
        );
        // Ruby readings are not base text: the target skips them.
        assert_eq!(
            read("五、天気輪《てんきりん》の柱［＃「五、天気輪の柱」は中見出し］").0,
            "[h2:五、[ruby:天気輪《てんきりん》]の柱]"
        );
        // A target that would cut an element in two is not styled.
        let (shape, reader) = read("天気輪《てんきりん》［＃「気輪」に傍点］");
        assert_eq!(shape, "[ruby:天気輪《てんきりん》]");
        assert_eq!(reader.left_out, [7]);
        // Styles nest.
        assert_eq!(
            read("甲乙丙［＃「乙」に傍線］［＃「甲乙丙」は太字］").0,
            "[b:甲[span.bosen.solid:乙]丙]"
        );
    }

    #[test]
    fn ranges_and_ranges_over_lines() {
        assert_eq!(
            read("前［＃傍点］中［＃傍点終わり］後").0,
            "前[em.bouten.sesame:中]後"
        );
        assert_eq!(
            read("［＃２段階小さな文字］注［＃小さな文字終わり］").0,
            "[span.smaller-2:注]"
        );
        let mut reader = Reader::default();
        let first = reader.read("甲［＃太字］乙", 1);
        let second = reader.read("丙［＃太字終わり］丁", 2);
        assert_eq!(shape(&first.nodes), "甲[b:乙]");
        assert_eq!(shape(&second.nodes), "[b:丙]丁");
        assert!(reader.left_out.is_empty());
        // A close without an open is left out.
        assert_eq!(read("甲［＃傍点終わり］").1.left_out, [7]);
    }

    #[test]
    fn ruby_kanbun_gaiji_and_unknown_notes() {
        assert_eq!(
            read("鳥が鳴く［＃「鳥」の左に「とり」のルビ］").0,
            "[ruby.left:鳥《とり》]が鳴く"
        );
        assert_eq!(
            read("学［＃二］而時習［＃一レ］之").0,
            "学[sub.kaeriten:二]而時習[sub.kaeriten:一レ]之"
        );
        assert_eq!(read("不［＃（ズ）］").0, "不[sup.okurigana:ズ]");
        // くの字点, in the text and in a reading.
        assert_eq!(
            read("悉《こと／＼》く、ドロ／″＼と").0,
            "[ruby:悉《こと〳\u{2060}〵》]く、ドロ〴\u{2060}〵と"
        );
        assert_eq!(
            read("滔※［＃二の字点、1-2-22］《たう／＼》").0,
            "[ruby:滔〻《たう〳\u{2060}〵》]"
        );
        assert_eq!(
            read("猫が※［＃「てへん＋丑」、U+626D、8-4］《ね》った").0,
            "猫が[ruby:扭《ね》]った"
        );
        let (shape, reader) = read("※［＃「口＋世」、123-4］《せ》だ");
        assert_eq!(shape, "[ruby:〔口＋世〕《せ》]だ");
        assert_eq!(reader.unresolved, [7]);
        let (shape, reader) = read("甲［＃謎の注記］乙［＃「私に」は底本では「私は」］");
        assert_eq!(shape, "甲乙");
        assert_eq!(reader.left_out, [7]);
        // Brackets that are no annotation stay text.
        assert_eq!(read("［注］と［＃").0, "［注］と［＃");
    }

    #[test]
    fn line_notes_are_reported_not_printed() {
        let mut reader = Reader::default();
        let line = reader.read(
            "［＃ここから２字下げ］［＃３字下げ］甲［＃地付き］［＃挿絵（a.png）入る］",
            1,
        );
        assert_eq!(shape(&line.nodes), "甲");
        assert_eq!(line.indent, Some(3));
        assert_eq!(line.align_end, Some(0));
        assert_eq!(line.illustrations, ["a.png"]);
        assert_eq!(line.opened, [Block::Indent { first: 2, rest: 2 }]);
    }

    #[test]
    fn a_long_line_of_references_costs_linear_time() {
        // Quadratic work here would take minutes, not milliseconds.
        let line = "あ".repeat(100) + &"い［＃「い」に傍点］".repeat(50_000);
        let (_, reader) = read(&line);
        assert!(reader.left_out.is_empty());
    }
}
