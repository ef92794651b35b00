//! Aozora Bunko texts (青空文庫注記), with the notation understood: the
//! header's title and author become metadata, the notation legend is
//! dropped, the colophon (`底本：` to the end) goes on a page of its own,
//! and every annotation wenji renders becomes part of the document tree —
//! headings, page breaks, indents, emphasis dots and side lines, ruby,
//! kanbun marks, gaiji, illustrations (`note.rs` lists them). An
//! annotation wenji does not know is left out of the text with a warning
//! naming its lines, never printed.
//!
//! `note.rs` classifies one annotation, `line.rs` builds one line's inline
//! content, `gaiji.rs` resolves gaiji notes; this file turns lines into
//! blocks, keeping the stretches `［＃ここから…］` opens.

mod gaiji;
mod jisx0213;
mod line;
mod note;

use std::path::{Path, PathBuf};

use crate::document::{self, Element, Node};
use crate::error::{Error, Result, Warning};
use crate::essay::{Access, Block, Creator, Essay};
use crate::paid;
use crate::parse::checked_title;
use crate::parse::images::ImagePacker;
use line::{Line, Reader};
use note::BlockFamily;

/// The deepest indent, in characters, with a class of its own in the
/// stylesheet; deeper `字下げ` are set this deep.
pub const MAX_INDENT: u8 = 20;

/// How many lines from the top the notation legend may start.
const LEGEND_WITHIN: usize = 40;
/// The shortest line of hyphens that frames the legend.
const RULE_LEN: usize = 20;

/// Where an Aozora text's header and legend end, if `text` has that shape:
/// a title, an author, then the legend framed by lines of hyphens with
/// `【テキスト中に現れる記号について】` after the first.
struct Shape {
    /// The header's non-blank lines (title first).
    header: Vec<String>,
    /// The 1-based line of the legend's closing rule.
    legend_end: usize,
}

impl Shape {
    /// A text without the legend read as Aozora anyway (`--input-format
    /// aozora`): its first non-blank line is the title and the whole header.
    fn title_only(text: &str) -> Option<Shape> {
        let (index, title) = text
            .lines()
            .enumerate()
            .find(|(_, l)| !l.trim().is_empty())?;
        Some(Shape {
            header: vec![title.trim().to_string()],
            legend_end: index + 1,
        })
    }
}

/// Whether `text` is an Aozora Bunko text.
pub fn looks_like(text: &str) -> bool {
    shape(text).is_some()
}

fn is_rule(line: &str) -> bool {
    let line = line.trim();
    line.chars().count() >= RULE_LEN && line.chars().all(|c| c == '-' || c == '－')
}

fn shape(text: &str) -> Option<Shape> {
    let lines: Vec<&str> = text.lines().take(LEGEND_WITHIN).collect();
    let open = lines.iter().position(|l| is_rule(l))?;
    if !lines
        .get(open + 1)?
        .contains("【テキスト中に現れる記号について】")
    {
        return None;
    }
    let header: Vec<String> = lines[..open]
        .iter()
        .map(|l| l.trim())
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect();
    if header.is_empty() {
        return None;
    }
    let close = text
        .lines()
        .enumerate()
        .skip(open + 1)
        .find(|(_, l)| is_rule(l))?
        .0;
    Some(Shape {
        header,
        legend_end: close + 1,
    })
}

/// Parses an Aozora Bunko text (see [`looks_like`]); one without the
/// header and legend has its first line as title.
pub fn parse(path: &Path, text: &str) -> Result<(Essay, Vec<Warning>)> {
    let Some(shape) = shape(text).or_else(|| Shape::title_only(text)) else {
        return Err(Error::Empty {
            path: path.to_path_buf(),
        });
    };
    refuse_annotated_markers(path, text, shape.legend_end)?;
    let (segments, mut warnings) = paid::split(path, text, paid::Rendering::Literal);
    let title = shape.header[0].clone();
    let mut essay = Essay {
        path: path.to_path_buf(),
        title: checked_title(path, title)?,
        creators: header_creators(&shape.header),
        lang: None,
        meta: Default::default(),
        colophon: Vec::new(),
        parts: Vec::new(),
        notes: Vec::new(),
    };
    // The last line opening with 底本： starts the colophon.
    let colophon_start = text
        .lines()
        .enumerate()
        .filter(|(i, l)| *i >= shape.legend_end && l.trim_start().starts_with("底本："))
        .last()
        .map_or(usize::MAX, |(i, _)| i + 1);
    let mut body = Body::new(path);
    let mut colophon = Reader::default();
    for segment in segments {
        body.images.paid_part_line = (segment.access == Access::Paid).then_some(segment.line);
        for (offset, line) in segment.text.split('\n').enumerate() {
            let number = segment.line + offset;
            if number <= shape.legend_end {
                // The header and the legend are free text, or the book
                // could show paid text as its title or author.
                if segment.access == Access::Paid {
                    return Err(Error::PaidTitle {
                        path: path.to_path_buf(),
                        line: number,
                    });
                }
                continue;
            }
            // The colophon (底本：… to the end) goes on a page of its own;
            // a paid part there stays in the body, where editions choose.
            if number >= colophon_start && segment.access == Access::Free {
                let mut nodes = colophon.read(line, number).nodes;
                // Dates under a 底本 line keep the source's indent.
                let layout = Layout {
                    own_indent: leading_spaces(&nodes),
                    ..Layout::default()
                };
                trim(&mut nodes);
                if !nodes.is_empty() {
                    essay.colophon.push(paragraph_with(nodes, &layout));
                }
                continue;
            }
            let read = body.reader.read(line, number);
            body.add(&mut essay, segment.access, read, number, &mut warnings);
        }
    }
    body.finish(&mut essay, &mut warnings);
    let reader = std::mem::take(&mut body.reader);
    for (lines, what) in [
        (
            reader.left_out.iter().chain(&colophon.left_out),
            "annotation(s) wenji does not render were left out of the text",
        ),
        (
            reader.unresolved.iter().chain(&colophon.unresolved),
            "gaiji note(s) without a Unicode or JIS X 0213 code are shown as their description in 〔〕",
        ),
    ] {
        let lines: Vec<usize> = lines.copied().collect();
        if let Some(&first) = lines.first() {
            warnings.push(Warning::new(
                path,
                Some(first),
                format!("{} {what} ({})", lines.len(), line_list(&lines)),
            ));
        }
    }
    normalise_heading_levels(&mut essay);
    Ok((essay, warnings))
}

/// `lines` for a message: the first few, then how many more.
fn line_list(lines: &[usize]) -> String {
    const SHOWN: usize = 5;
    let mut shown: Vec<String> = lines.iter().take(SHOWN).map(ToString::to_string).collect();
    if lines.len() > SHOWN {
        shown.push(format!("and {} more", lines.len() - SHOWN));
    }
    format!("line {}", shown.join(", "))
}

/// The body's lines to blocks, with the stretches (`［＃ここから…］`) open.
struct Body {
    path: PathBuf,
    reader: Reader,
    images: ImagePacker,
    /// Open stretches and the line that opened each.
    stretches: Vec<(note::Block, usize)>,
    /// The last illustration, held back while a caption on the next line
    /// could still be its, with the access of the part it is in.
    figure: Option<(Element, Access)>,
    /// The last line was part of a heading stretch's heading.
    joining_heading: bool,
}

impl Body {
    fn new(path: &Path) -> Self {
        Body {
            path: path.to_path_buf(),
            reader: Reader::default(),
            images: ImagePacker::new(path),
            stretches: Vec::new(),
            figure: None,
            joining_heading: false,
        }
    }

    /// Adds the blocks `line` (line `number`, in a part with `access`) makes.
    fn add(
        &mut self,
        essay: &mut Essay,
        access: Access,
        mut line: Line,
        number: usize,
        warnings: &mut Vec<Warning>,
    ) {
        let mut nodes = std::mem::take(&mut line.nodes);
        let own_indent = leading_spaces(&nodes);
        let mut caption = take_top_level(&mut nodes, "figcaption");
        if line.illustrations.is_empty()
            && let Some((figure, figure_access)) = &mut self.figure
            && *figure_access == access
            && let Some(caption) = caption.take()
        {
            figure.children.push(Node::Element(caption));
        }
        self.flush_figure(essay);
        if let Some(caption) = caption.take().filter(|_| line.illustrations.is_empty()) {
            // A caption with no illustration to go with is text.
            nodes.extend(caption.children);
        }
        let heading = |b: &note::Block| matches!(b, note::Block::Style(note::Style::Heading(_)));
        if line.opened.iter().any(heading) || !self.stretches.iter().any(|(b, _)| heading(b)) {
            self.joining_heading = false;
        }
        self.stretches
            .extend(line.opened.iter().map(|b| (b.clone(), number)));
        if line.page_break {
            essay.push(access, Block::Element(Element::page_break()));
        }
        trim(&mut nodes);
        if !nodes.is_empty() {
            let mut whole_heading = None;
            for (block, _) in self.stretches.iter().rev() {
                match block {
                    note::Block::Style(note::Style::Heading(level)) => {
                        whole_heading.get_or_insert(*level);
                    }
                    note::Block::Style(style) => {
                        nodes = vec![Node::Element(line::styled(*style, nodes))];
                    }
                    _ => {}
                }
            }
            if let Some(level) = whole_heading {
                // The lines of one ［＃ここから…見出し］ stretch are one heading.
                match last_heading(essay, access).filter(|_| self.joining_heading) {
                    Some(content) => {
                        content.push(Node::Element(Element::new("br", Vec::new())));
                        content.extend(nodes);
                    }
                    None => essay.push(
                        access,
                        Block::Heading {
                            level,
                            content: nodes,
                        },
                    ),
                }
                self.joining_heading = true;
            } else {
                let (before, heading, after) = split_heading(nodes);
                let layout = self.layout(&line, own_indent);
                if !before.is_empty() {
                    essay.push(access, paragraph_with(before, &layout));
                }
                if let Some(heading) = heading {
                    essay.push(access, heading);
                    if !after.is_empty() {
                        essay.push(access, paragraph_with(after, &Layout::default()));
                    }
                }
            }
        }
        for file in &line.illustrations {
            self.flush_figure(essay);
            let mut figure = self.illustration(file, number, warnings);
            if let Some(caption) = caption.take() {
                figure.children.push(Node::Element(caption));
            }
            self.figure = Some((figure, access));
        }
        for family in &line.closed {
            match self.stretches.iter().rposition(|(b, _)| closes(*family, b)) {
                Some(at) => {
                    self.stretches.remove(at);
                }
                None => self.reader.left_out.push(number),
            }
        }
    }

    /// How a paragraph of `line` is set: the indent of its own `N字下げ` or
    /// of the innermost indent stretch, and its alignment to the foot.
    fn layout(&self, line: &Line, own_indent: usize) -> Layout {
        let innermost = |pick: fn(&note::Block) -> Option<(u8, u8)>| {
            self.stretches.iter().rev().find_map(|(b, _)| pick(b))
        };
        let indent = line.indent.map(|n| (n, n)).or_else(|| {
            innermost(|b| match b {
                note::Block::Indent { first, rest } => Some((*first, *rest)),
                _ => None,
            })
        });
        let align_end = line.align_end.or_else(|| {
            innermost(|b| match b {
                note::Block::AlignEnd(n) => Some((*n, 0)),
                _ => None,
            })
            .map(|(n, _)| n)
        });
        Layout {
            indent,
            align_end,
            own_indent,
        }
    }

    /// The figure for illustration `file`; its file missing, a warning and
    /// a figure holding only what is written about it.
    fn illustration(&mut self, file: &str, number: usize, warnings: &mut Vec<Warning>) -> Element {
        let mut figure = Element::new("figure", Vec::new());
        figure.attrs.push(("class", "illustration".to_string()));
        match self.images.pack(file, warnings) {
            Ok(Some(mut image)) => {
                image.alt = "挿絵".to_string();
                figure.children.push(Node::Image(image));
            }
            Ok(None) => {}
            Err(error) => warnings.push(Warning::new(
                &self.path,
                Some(number),
                format!("{error}; the illustration is left out"),
            )),
        }
        figure
    }

    /// Adds the held-back illustration, if any.
    fn flush_figure(&mut self, essay: &mut Essay) {
        if let Some((mut figure, access)) = self.figure.take() {
            // An illustration that could not be packed and has no caption
            // shows nothing.
            if !figure.children.is_empty() {
                set_alt_from_caption(&mut figure);
                essay.push(access, Block::Element(figure));
            }
        }
    }

    /// Ends the body: the held-back illustration goes in, and stretches
    /// still open are reported.
    fn finish(&mut self, essay: &mut Essay, warnings: &mut Vec<Warning>) {
        self.flush_figure(essay);
        if let Some((_, line)) = self.stretches.first() {
            warnings.push(Warning::new(
                &self.path,
                Some(*line),
                "a ［＃ここから…］ stretch opened here is never closed; it runs to the end",
            ));
        }
    }
}

/// How a paragraph is set.
#[derive(Debug, Default)]
struct Layout {
    /// `(first line, other lines)` indent from a `字下げ` annotation.
    indent: Option<(u8, u8)>,
    /// Distance from the foot of a line set against it.
    align_end: Option<u8>,
    /// Full-width spaces the source line opens with.
    own_indent: usize,
}

/// A paragraph of `nodes` set as `layout` says. Indents are classes the
/// stylesheet defines: `jisage-N` indents every line N characters,
/// `indent-N`/`hang-N` move the first line N characters in or out from
/// there, `noindent` sets it flush; `chitsuki` and `chiage-N` set the line
/// against the foot.
fn paragraph_with(nodes: Vec<Node>, layout: &Layout) -> Block {
    let (first, rest) = layout.indent.unwrap_or((0, 0));
    let own = u8::try_from(layout.own_indent).unwrap_or(MAX_INDENT);
    let first = first.saturating_add(own).min(MAX_INDENT);
    let mut classes = Vec::new();
    if rest > 0 {
        classes.push(format!("jisage-{rest}"));
    }
    match layout.align_end {
        Some(0) => classes.push("chitsuki".to_string()),
        Some(n) => classes.push(format!("chiage-{n}")),
        None => {}
    }
    let shift = i16::from(first) - i16::from(rest);
    match shift {
        _ if layout.align_end.is_some() => classes.push("noindent".to_string()),
        0 => classes.push("noindent".to_string()),
        // One character is the book's own paragraph indent.
        1 if rest == 0 => {}
        n if n > 0 => classes.push(format!("indent-{n}")),
        n => classes.push(format!("hang-{}", -n)),
    }
    paragraph(nodes, classes.join(" "))
}

/// A paragraph with `class` (none when empty).
fn paragraph(nodes: Vec<Node>, class: String) -> Block {
    let mut p = Element::new("p", nodes);
    if !class.is_empty() {
        p.attrs.push(("class", class));
    }
    Block::Element(p)
}

/// Whether a `ここで…終わり` of `family` closes `block`.
fn closes(family: BlockFamily, block: &note::Block) -> bool {
    match (family, block) {
        (BlockFamily::Indent, note::Block::Indent { .. }) => true,
        (BlockFamily::AlignEnd, note::Block::AlignEnd(_)) => true,
        (BlockFamily::Style(family), note::Block::Style(style)) => style.family() == family,
        _ => false,
    }
}

/// The content of the essay's last block if it is a heading in a part with
/// `access`.
fn last_heading(essay: &mut Essay, access: Access) -> Option<&mut Vec<Node>> {
    let part = essay.parts.last_mut().filter(|p| p.access == access)?;
    match part.blocks.last_mut()? {
        Block::Heading { content, .. } => Some(content),
        Block::Element(_) => None,
    }
}

/// Takes the first top-level element called `name` out of `nodes`.
fn take_top_level(nodes: &mut Vec<Node>, name: &str) -> Option<Element> {
    let at = nodes
        .iter()
        .position(|n| matches!(n, Node::Element(e) if e.name == name))?;
    match nodes.remove(at) {
        Node::Element(element) => Some(element),
        _ => None,
    }
}

/// Splits a line around its heading run (a top-level `h1`–`h3`): the text
/// before it, the heading, the text after it (同行見出し).
fn split_heading(mut nodes: Vec<Node>) -> (Vec<Node>, Option<Block>, Vec<Node>) {
    let Some(at) = nodes
        .iter()
        .position(|n| matches!(n, Node::Element(e) if matches!(e.name, "h1" | "h2" | "h3")))
    else {
        return (nodes, None, Vec::new());
    };
    let mut after = nodes.split_off(at + 1);
    let Some(Node::Element(heading)) = nodes.pop() else {
        return (nodes, None, after);
    };
    trim(&mut nodes);
    trim(&mut after);
    let level = heading.name.as_bytes()[1] - b'0';
    let block = Block::Heading {
        level,
        content: heading.children,
    };
    (nodes, Some(block), after)
}

/// Strips whitespace at both ends of `nodes` (text nodes only), dropping
/// text nodes left empty.
fn trim(nodes: &mut Vec<Node>) {
    while let Some(Node::Text(text)) = nodes.first_mut() {
        let trimmed = text.trim_start();
        if trimmed.is_empty() {
            nodes.remove(0);
        } else {
            *text = trimmed.to_string();
            break;
        }
    }
    while let Some(Node::Text(text)) = nodes.last_mut() {
        let trimmed = text.trim_end();
        if trimmed.is_empty() {
            nodes.pop();
        } else {
            text.truncate(trimmed.len());
            break;
        }
    }
}

/// Gives a figure's image its caption as text alternative.
fn set_alt_from_caption(figure: &mut Element) {
    let caption = figure.children.iter().find_map(|n| match n {
        Node::Element(e) if e.name == "figcaption" => Some(document::plain_text(&e.children)),
        _ => None,
    });
    if let Some(caption) = caption.filter(|c| !c.is_empty()) {
        for child in &mut figure.children {
            if let Node::Image(image) = child {
                image.alt = caption.clone();
            }
        }
    }
}

/// How many full-width spaces `nodes` open with (the source's own indent).
fn leading_spaces(nodes: &[Node]) -> usize {
    match nodes.first() {
        Some(Node::Text(text)) => text.chars().take_while(|&c| c == '\u{3000}').count(),
        _ => 0,
    }
}

/// Refuses a marker an annotation splits (`##paid［＃…］begin##`): paid
/// parts are found on the text as written, but readers would see the text
/// with the annotation left out. Checked before anything else, so the
/// message names the line rather than what the split made of it.
fn refuse_annotated_markers(path: &Path, text: &str, legend_end: usize) -> Result<()> {
    for (index, line) in text.lines().enumerate().skip(legend_end) {
        if !line.contains('［') {
            continue;
        }
        let mut read = String::new();
        let nodes = Reader::default().read(line, index + 1).nodes;
        document::for_each_text(&nodes, true, &mut |t| read.push_str(t));
        if paid::has_marker(&read) && !paid::has_marker(line) {
            return Err(Error::AnnotatedMarker {
                path: path.to_path_buf(),
                line: index + 1,
            });
        }
    }
    Ok(())
}

/// The people the header credits: the author (the last line after the
/// title that is not a credit such as `山田太郎訳`), then the translators,
/// editors and illustrators credited after it, in order.
fn header_creators(header: &[String]) -> Vec<Creator> {
    let lines = &header[1..];
    let author = lines
        .iter()
        .rposition(|l| Creator::contributor_of(l).is_none());
    let credits = &lines[author.map_or(0, |at| at + 1)..];
    author
        .map(|at| Creator::author(lines[at].clone()))
        .into_iter()
        .chain(credits.iter().filter_map(|l| Creator::contributor_of(l)))
        .collect()
}

/// Makes the shallowest heading level used level 2, the first below the
/// essay's own title: 大, 中 and 小見出し become `h2`–`h4` when all three
/// are used, and a text whose headings are all 中見出し gets `h2`.
fn normalise_heading_levels(essay: &mut Essay) {
    let levels = essay
        .parts
        .iter()
        .flat_map(|p| &p.blocks)
        .filter_map(|b| match b {
            Block::Heading { level, .. } => Some(*level),
            Block::Element(_) => None,
        });
    let Some(shallowest) = levels.min() else {
        return;
    };
    for part in &mut essay.parts {
        for block in &mut part.blocks {
            if let Block::Heading { level, .. } = block {
                *level = *level + 2 - shallowest;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::plain_text;

    const HEADER: &str = "窓辺の記録\n山田花子\n\n-------------------------------------------------------\n【テキスト中に現れる記号について】\n\n《》：ルビ\n（例）窓辺《まどべ》\n\n［＃］：入力者注\n-------------------------------------------------------\n\n";

    fn parse_str(body: &str) -> (Essay, Vec<Warning>) {
        parse(Path::new("a.txt"), &format!("{HEADER}{body}")).unwrap()
    }

    /// The nodes as compact text: `[name.class:children]`, ruby readings in 《》.
    pub(super) fn shape(nodes: &[Node]) -> String {
        let mut out = String::new();
        for node in nodes {
            match node {
                Node::Text(t) => out.push_str(t),
                Node::Image(i) => out.push_str(&format!("[img {}]", i.href)),
                Node::Element(e) if e.name == "rp" => {}
                Node::Element(e) if e.name == "rt" => {
                    out.push_str(&format!("《{}》", shape(&e.children)));
                }
                Node::Element(e) => {
                    out.push('[');
                    out.push_str(e.name);
                    if let Some(class) = e.attr("class") {
                        out.push('.');
                        out.push_str(&class.replace(' ', "."));
                    }
                    out.push(':');
                    out.push_str(&shape(&e.children));
                    out.push(']');
                }
            }
        }
        out
    }

    /// The body as one line per block: `h1:…`, `p.class:…`.
    fn texts(essay: &Essay) -> Vec<String> {
        essay
            .blocks()
            .map(|b| match b {
                Block::Heading { level, content } => format!("h{level}:{}", shape(content)),
                Block::Element(e) => {
                    let shaped = shape(&[Node::Element(e.clone())]);
                    shaped[1..shaped.len() - 1].to_string()
                }
            })
            .collect()
    }

    #[test]
    fn header_and_legend_become_metadata_and_nothing() {
        let (essay, warnings) = parse_str("　雨の朝だった。\n");
        assert!(warnings.is_empty(), "{warnings:?}");
        assert_eq!(essay.title, "窓辺の記録");
        assert_eq!(essay.creators, [Creator::author("山田花子")]);
        assert_eq!(texts(&essay), ["p:雨の朝だった。"]);
        assert!(looks_like(HEADER));
        assert!(!looks_like("题\n正文\n"));
    }

    #[test]
    fn headings_breaks_and_gaiji() {
        let (essay, warnings) = parse_str(
            "［＃５字下げ］一［＃「一」は中見出し］\n　猫は※［＃「てへん＋丑」、U+626D、12-3］った。［＃「猫」に傍点］\n［＃改ページ］\n［＃３字下げ］二［＃「二」は小見出し］\n「※［＃「口＋世」、12-3］」と言った。［＃謎］\n三［＃「三」は同行小見出し］　本文\n［＃ここから大見出し］\n四\n\n　――副題――\n［＃ここで大見出し終わり］\n",
        );
        assert_eq!(
            texts(&essay),
            [
                "h3:一",
                "p:[em.bouten.sesame:猫]は扭った。",
                "div.page-break:",
                "h4:二",
                "p.noindent:「〔口＋世〕」と言った。",
                "h4:三",
                "p.noindent:本文",
                "h2:四[br:]――副題――",
            ]
        );
        let messages: Vec<String> = warnings.iter().map(ToString::to_string).collect();
        assert_eq!(messages.len(), 2, "{messages:?}");
        assert!(
            messages[0].contains(
                ":17: 1 annotation(s) wenji does not render were left out of the text (line 17)"
            ),
            "{messages:?}"
        );
        assert!(messages[1].contains("〔〕 (line 17)"), "{messages:?}");
    }

    #[test]
    fn indents_follow_the_source() {
        let (essay, warnings) = parse_str(concat!(
            "　一字。\n",
            "「無字」\n",
            "　　二字。\n",
            "［＃３字下げ］三字。\n",
            "［＃ここから２字下げ］\n",
            "甲。\n",
            "　乙。\n",
            "［＃ここで字下げ終わり］\n",
            "［＃ここから改行天付き、折り返して３字下げ］\n",
            "丙。\n",
            "［＃ここで字下げ終わり］\n",
            "［＃ここから１字下げ、折り返して４字下げ］\n",
            "丁。\n",
            "［＃ここで字下げ終わり］\n",
            "［＃地付き］戊\n",
            "［＃地から２字上げ］己\n",
            "［＃ここから太字］\n",
            "庚\n",
            "［＃ここで太字終わり］\n",
        ));
        assert!(warnings.is_empty(), "{warnings:?}");
        assert_eq!(
            texts(&essay),
            [
                "p:一字。",
                "p.noindent:「無字」",
                "p.indent-2:二字。",
                "p.jisage-3.noindent:三字。",
                "p.jisage-2.noindent:甲。",
                "p.jisage-2.indent-1:乙。",
                "p.jisage-3.hang-3:丙。",
                "p.jisage-4.hang-3:丁。",
                "p.chitsuki.noindent:戊",
                "p.chiage-2.noindent:己",
                "p.noindent:[b:庚]",
            ]
        );
        // A stretch never closed is reported at the line that opened it.
        let (_, warnings) = parse_str("［＃ここから２字下げ］\n甲\n");
        assert!(warnings[0].to_string().contains(":13: a ［＃ここから…］"));
    }

    #[test]
    fn illustrations_are_packed_with_their_captions() {
        let dir = tempfile::tempdir().unwrap();
        let png = include_bytes!("../../../tests/fixtures/aozora/sashie/window.png");
        std::fs::write(dir.path().join("fig.png"), png).unwrap();
        let path = dir.path().join("a.txt");
        let body = "　前。\n［＃挿絵（fig.png、横32×縦32）入る］\n窓の絵［＃「窓の絵」はキャプション］\n［＃挿絵（missing.png）入る］\n";
        let (essay, warnings) = parse(&path, &format!("{HEADER}{body}")).unwrap();
        let shapes = texts(&essay);
        assert_eq!(shapes[0], "p:前。");
        assert!(
            shapes[1].starts_with("figure.illustration:[img images/")
                && shapes[1].ends_with("][figcaption:窓の絵]"),
            "{shapes:?}"
        );
        assert_eq!(shapes.len(), 2, "{shapes:?}");
        let Block::Element(figure) = essay.blocks().nth(1).unwrap() else {
            panic!()
        };
        let mut alt = String::new();
        figure.for_each_image(&mut |i| alt = i.alt.clone());
        assert_eq!(alt, "窓の絵");
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        assert!(warnings[0].to_string().contains("missing.png"));
        // A paid illustration's caption is not taken by a free figure, nor
        // the other way round.
        let body =
            "［＃挿絵（fig.png）入る］\n##paidbegin##\n秘［＃「秘」はキャプション］\n##paidend##\n";
        let (essay, _) = parse(&path, &format!("{HEADER}{body}")).unwrap();
        let free: Vec<String> = essay
            .parts()
            .filter(|(access, _)| *access == Access::Free)
            .flat_map(|(_, blocks)| blocks)
            .map(|b| shape(b.nodes()))
            .collect();
        assert!(free.iter().all(|s| !s.contains('秘')), "{free:?}");
    }

    #[test]
    fn the_colophon_is_kept_apart() {
        let (essay, _) =
            parse_str("　本文。\n\n\n\n底本：「架空の本」架空書房\n　　　2024年発行\n入力：某\n");
        assert_eq!(texts(&essay), ["p:本文。"]);
        let colophon: Vec<String> = essay
            .colophon
            .iter()
            .map(|b| plain_text(b.nodes()))
            .collect();
        assert_eq!(
            colophon,
            ["底本：「架空の本」架空書房", "2024年発行", "入力：某"]
        );
        // The dates keep the source's indent.
        let Block::Element(dates) = &essay.colophon[1] else {
            panic!()
        };
        assert_eq!(dates.attr("class"), Some("indent-3"));
        // Paid text there stays in the body, where editions choose.
        let (essay, _) = parse_str("　本文。\n底本：甲\n##paidbegin##\n秘密\n##paidend##\n");
        assert_eq!(essay.colophon.len(), 1);
        assert_eq!(texts(&essay), ["p:本文。", "p.noindent:秘密"]);
    }

    #[test]
    fn a_translator_is_not_the_author() {
        let creators = |lines: &[&str]| -> Vec<(String, &'static str)> {
            let header: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
            header_creators(&header)
                .into_iter()
                .map(|c| (c.name, c.role.marc_code()))
                .collect()
        };
        assert_eq!(
            creators(&["題", "副題", "作者甲", "訳者乙訳", "編者丙編"]),
            [
                ("作者甲".into(), "aut"),
                ("訳者乙".into(), "trl"),
                ("編者丙".into(), "edt")
            ]
        );
        // A title alone credits nobody; a credit alone is no author.
        assert!(creators(&["題"]).is_empty());
        assert_eq!(creators(&["題", "丁絵"]), [("丁".into(), "ill")]);
    }

    #[test]
    fn a_marker_split_by_an_annotation_is_refused() {
        for (body, at) in [
            ("　甲。\n##paid［＃「甲」に傍点］begin##\n　秘密。\n", 14),
            (
                "　甲。\n##paid※［＃「x」、U+200B］begin##\n　秘密。\n##paidend##\n",
                14,
            ),
            (
                "　甲。\n##paidbegin##\n　秘密。\n##paid［＃改ページ］end##\n",
                16,
            ),
        ] {
            let err = parse(Path::new("a.txt"), &format!("{HEADER}{body}")).unwrap_err();
            assert!(
                matches!(err, Error::AnnotatedMarker { line, .. } if line == at),
                "{err}"
            );
        }
    }

    #[test]
    fn a_paid_header_is_refused() {
        let text = HEADER.replacen("山田花子", "##paidbegin##山田花子", 1) + "本文\n##paidend##\n";
        assert!(matches!(
            parse(Path::new("a.txt"), &text),
            Err(Error::PaidTitle { .. })
        ));
    }
}
