//! CJK text rules applied to the text nodes of the document tree as they
//! are written (never inside `pre`, `code` and the like, nor in runs
//! already set apart: [`document::VERBATIM`], [`document::VERBATIM_CLASSES`]).
//! Ruby is a node kind of its own ([`crate::document::text_with_ruby`]).
//!
//! Quotation marks are converted by role, not by glyph: each block (a
//! paragraph, a list item, a heading) is read as a whole, across its text
//! nodes (a quotation may open before a `<b>` and close inside it), and
//! every quotation gets the mark of its nesting level — the outermost the
//! locale's outer mark, one inside it the inner mark, one inside that the
//! outer again — whatever the author typed (“” or ‘’). ASCII `"` and `'`
//! are paired by nesting (a `"` closes an open `"`, else opens one); an
//! apostrophe between letters (don't) or after a word (students') is not a
//! quote. A quotation with no CJK letter inside (“Hello, world”) is an
//! English run and keeps its marks as typed, in either layout. Marks:
//! - vertical, Simplified Chinese: GB/T 15834—2011 §5.2.3 sets double
//!   quotes as ﹃﹄ and single quotes as ﹁﹂, the vertical forms of 『』 and
//!   「」; Chinese quotes double first, so the outer mark is 『』 and the
//!   inner 「」 (Noto Serif CJK SC's own `vert` feature agrees: “ → ﹃).
//!   [`QuoteStyle::CornerOutside`] chooses the Taiwan and Japan order
//!   instead;
//! - vertical, Traditional Chinese: 「」 outside, 『』 inside (clreq,
//!   “Quotation marks”: Taiwan quotes single first); Japanese likewise
//!   (jlreq: かぎ括弧 「」, inside them 二重かぎ括弧 『』);
//! - horizontal: typed curly quotes stay as they are; ASCII quotes become
//!   “” outside and ‘’ inside in Simplified Chinese, 「」 and 『』 in
//!   Traditional Chinese and Japanese, whose horizontal text uses the
//!   same corner brackets as vertical text (clreq; jlreq).
//!
//! Unpaired curly quotes keep their role (a quotation running over several
//! paragraphs opens each of them and closes only the last); an unpaired
//! ASCII quote is an opening one.
//!
//! Book titles: with [`BookTitleMarks::WavyLine`], a 《title》 in vertical
//! text loses its brackets and gets a wavy line on its left (GB/T
//! 15834—2011 §5.2.4), drawn by CSS on `span.book-title`.
//!
//! Also in vertical books only:
//! - tate-chu-yoko: a run of two half-width digits (lengths are
//!   configurable), `!!`, `!?` or `?!`, with no half-width letter or digit
//!   next to it, is set upright in one em (`span.tcy`); a single digit only
//!   in CJK context (第5章, 1.苹果, not iPhone 5), so that 1–9 stand upright
//!   as 10–99 do;
//! - ASCII punctuation between two CJK characters becomes its full-width form.
//!
//! Vertical presentation forms (U+FE10…) are never produced: the reader's
//! font turns the ordinary characters in vertical text.

use std::borrow::Cow;
use std::ops::Range;

use serde::Deserialize;

use crate::document::{self, Element, Node};
use crate::lang;
use crate::xml::escape_into;

/// The rules for one book.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextRules {
    /// Whether the book is vertical (tate-chu-yoko and punctuation apply).
    pub vertical: bool,
    /// Lengths of half-width digit runs set upright.
    pub tcy_digits: Vec<usize>,
    /// Whether quotes and ASCII punctuation are converted in vertical books.
    pub punctuation: bool,
    /// Whose conventions quotation marks follow.
    pub locale: Locale,
    /// The order of corner brackets in vertical text.
    pub quotes: QuoteStyle,
    /// How book titles are marked in vertical text.
    pub book_titles: BookTitleMarks,
}

/// Whose quotation conventions a book follows, from its language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Locale {
    /// Mainland Chinese (`zh`, `zh-Hans`, `zh-CN`): GB/T 15834—2011.
    SimplifiedChinese,
    /// Taiwan, Hong Kong, Macao (`zh-Hant`, `zh-TW`…): clreq.
    TraditionalChinese,
    /// Japanese: jlreq.
    Japanese,
    /// Any other language: ASCII quotes are left alone.
    Other,
}

impl Locale {
    /// The locale of BCP 47 tag `lang`.
    pub fn of(lang: &str) -> Locale {
        let primary = lang.split('-').next().unwrap_or_default();
        if lang::is_traditional_chinese(lang) {
            Locale::TraditionalChinese
        } else if primary.eq_ignore_ascii_case("zh") {
            Locale::SimplifiedChinese
        } else if primary.eq_ignore_ascii_case("ja") {
            Locale::Japanese
        } else {
            Locale::Other
        }
    }
}

/// `[typography] quotes`: the order of corner brackets in vertical text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum QuoteStyle {
    /// The locale's own: 『』 outside in Simplified Chinese (GB/T
    /// 15834—2011 §5.2.3), 「」 outside in Traditional Chinese and Japanese.
    #[default]
    Standard,
    /// 「」 outside and 『』 inside whatever the locale (the Taiwan and
    /// Japan convention).
    CornerOutside,
}

/// `[typography] book_title_marks`: how 《titles》 look in vertical text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum BookTitleMarks {
    /// 《》 as typed, turned by the font (what most books do).
    #[default]
    Brackets,
    /// No brackets; a wavy line on the left of the title (GB/T 15834—2011 §5.2.4).
    WavyLine,
}

/// The class of the span that marks a book title with a wavy line.
pub const BOOK_TITLE_CLASS: &str = "book-title";

/// Writes plain `text` (a title, an author) as XHTML: Aozora-style ruby
/// read from it, the rules applied.
pub fn write_text(out: &mut String, text: &str, rules: &TextRules) {
    write_nodes(out, &document::text_with_ruby(text), rules);
}

/// Writes the nodes of one block (a paragraph's children, a heading's) as
/// XHTML with the rules applied: [`prepare`], then [`write_prepared`].
pub fn write_nodes(out: &mut String, nodes: &[Node], rules: &TextRules) {
    write_prepared(out, &prepare(nodes, rules), rules);
}

/// Writes nodes that went through [`prepare`] (or a part of them) as XHTML:
/// tate-chu-yoko and full-width punctuation applied, quotes left as they are.
pub fn write_prepared(out: &mut String, nodes: &[Node], rules: &TextRules) {
    document::write_xhtml(nodes, out, &mut |out, text, verbatim| {
        write_run(out, text, rules, verbatim)
    });
}

/// The nodes of one block with quotation marks set by role and, if asked
/// for, book titles marked with a wavy line; borrowed when nothing changes.
/// Block elements inside (`p` in `blockquote`, `li`) are blocks of their own.
pub fn prepare<'a>(nodes: &'a [Node], rules: &TextRules) -> Cow<'a, [Node]> {
    let mut texts = Vec::new();
    let mut blocks = vec![Vec::new()];
    collect_texts(nodes, 0, &mut texts, &mut blocks);
    let mut edits: Vec<Option<Edit>> = vec![None; texts.len()];
    let mut changed = false;
    for block in &blocks {
        let parts: Vec<&str> = block.iter().map(|&i| texts[i]).collect();
        for (&index, edit) in block.iter().zip(edit_block(&parts, rules)) {
            changed |= edit.is_some();
            edits[index] = edit;
        }
    }
    if !changed {
        return Cow::Borrowed(nodes);
    }
    let mut next = 0;
    Cow::Owned(apply_edits(nodes, &edits, &mut next))
}

/// Block elements: each one's text is a quotation scope of its own.
const BLOCKS: &[&str] = &[
    "p",
    "div",
    "blockquote",
    "li",
    "ul",
    "ol",
    "dl",
    "dt",
    "dd",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "table",
    "tr",
    "td",
    "th",
    "figure",
    "figcaption",
    "section",
    "aside",
];

/// Whether the text below `element` is left out of quotation pairing:
/// verbatim runs, and ruby's readings and fallback parentheses.
fn is_skipped(element: &Element) -> bool {
    document::VERBATIM.contains(&element.name)
        || element
            .attr("class")
            .is_some_and(|c| document::VERBATIM_CLASSES.contains(&c))
        || element.name == "rt"
        || element.name == "rp"
}

/// Numbers the text nodes of `nodes` in document order (skipped elements
/// left out) into `texts`, and lists each block's in `blocks`.
fn collect_texts<'a>(
    nodes: &'a [Node],
    block: usize,
    texts: &mut Vec<&'a str>,
    blocks: &mut Vec<Vec<usize>>,
) {
    for node in nodes {
        match node {
            Node::Text(text) => {
                blocks[block].push(texts.len());
                texts.push(text);
            }
            Node::Image(_) => {}
            Node::Element(element) if is_skipped(element) => {}
            Node::Element(element) if BLOCKS.contains(&element.name) => {
                blocks.push(Vec::new());
                let inner = blocks.len() - 1;
                collect_texts(&element.children, inner, texts, blocks);
            }
            Node::Element(element) => collect_texts(&element.children, block, texts, blocks),
        }
    }
}

/// The new content of one text node.
#[derive(Debug, Clone, PartialEq)]
struct Edit {
    text: String,
    /// Byte ranges of `text` that are (part of) a book title.
    titles: Vec<Range<usize>>,
}

/// `nodes` again with the text nodes numbered as [`collect_texts`] numbers
/// them replaced by their edits.
fn apply_edits(nodes: &[Node], edits: &[Option<Edit>], next: &mut usize) -> Vec<Node> {
    let mut out = Vec::with_capacity(nodes.len());
    for node in nodes {
        match node {
            Node::Text(text) => {
                match &edits[*next] {
                    Some(edit) => push_edited(&mut out, edit),
                    None => out.push(Node::Text(text.clone())),
                }
                *next += 1;
            }
            Node::Element(element) if !is_skipped(element) => {
                out.push(Node::Element(Element {
                    name: element.name,
                    attrs: element.attrs.clone(),
                    children: apply_edits(&element.children, edits, next),
                }));
            }
            other => out.push(other.clone()),
        }
    }
    out
}

/// Pushes the text of `edit`, its book titles wrapped in `span.book-title`.
fn push_edited(out: &mut Vec<Node>, edit: &Edit) {
    let push_text = |out: &mut Vec<Node>, text: &str| {
        if !text.is_empty() {
            out.push(Node::Text(text.to_string()));
        }
    };
    let mut at = 0;
    for range in &edit.titles {
        push_text(out, &edit.text[at..range.start]);
        let mut span = Element::new(
            "span",
            vec![Node::Text(edit.text[range.clone()].to_string())],
        );
        span.attrs.push(("class", BOOK_TITLE_CLASS.to_string()));
        out.push(Node::Element(span));
        at = range.end;
    }
    push_text(out, &edit.text[at..]);
}

/// The outer and inner quotation marks of `rules`, and whether typed curly
/// quotes are converted too (vertical text) or only ASCII ones; `None`
/// where no quote is converted.
fn quote_marks(rules: &TextRules) -> Option<QuoteMarks> {
    const CURLY: [(char, char); 2] = [('“', '”'), ('‘', '’')];
    const CORNER_OUTSIDE: [(char, char); 2] = [('「', '」'), ('『', '』')];
    const WHITE_OUTSIDE: [(char, char); 2] = [('『', '』'), ('「', '」')];
    let (levels, curly) = match (rules.vertical, rules.locale) {
        (true, _) if !rules.punctuation => return None,
        (true, Locale::SimplifiedChinese) if rules.quotes == QuoteStyle::Standard => {
            (WHITE_OUTSIDE, true)
        }
        (true, _) => (CORNER_OUTSIDE, true),
        (false, Locale::SimplifiedChinese) => (CURLY, false),
        (false, Locale::TraditionalChinese | Locale::Japanese) => (CORNER_OUTSIDE, false),
        (false, Locale::Other) => return None,
    };
    Some(QuoteMarks { levels, curly })
}

/// The marks quotations get, by nesting level.
struct QuoteMarks {
    /// Opening and closing marks of even levels (the outermost is 0) and odd ones.
    levels: [(char, char); 2],
    /// Whether typed curly quotes are converted, not only ASCII ones.
    curly: bool,
}

/// Double or single quotes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Double,
    Single,
}

/// One quotation of a block: where its marks are (an unpaired mark has
/// only one) and how deep it is nested.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Quotation {
    open: Option<usize>,
    close: Option<usize>,
    level: usize,
    ascii: bool,
}

/// A quotation whose opening mark has been read and its closing not yet.
struct Open {
    at: usize,
    kind: Kind,
    ascii: bool,
}

/// The quotations of `chars`, paired by nesting: a closing mark closes the
/// innermost open quotation of its kind (curly or ASCII, double or single),
/// leaving those opened inside it unpaired.
fn quotations(chars: &[char]) -> Vec<Quotation> {
    let latin = |c: Option<&char>| c.is_some_and(|&c| c.is_alphanumeric() && !lang::is_cjk_char(c));
    let mut found = Vec::new();
    let mut open: Vec<Open> = Vec::new();
    for (i, &c) in chars.iter().enumerate() {
        let before = i.checked_sub(1).and_then(|j| chars.get(j));
        let after = chars.get(i + 1);
        let is_open =
            |open: &[Open], kind, ascii| open.iter().any(|o| o.kind == kind && o.ascii == ascii);
        // An apostrophe: inside a word (don't), or after one with no single
        // quote open (students').
        let apostrophe = |open: &[Open], ascii| {
            (latin(before) && latin(after))
                || (latin(before) && !is_open(open, Kind::Single, ascii))
        };
        let (kind, ascii, opening) = match c {
            '“' => (Kind::Double, false, true),
            '”' => (Kind::Double, false, false),
            '‘' => (Kind::Single, false, true),
            '’' if apostrophe(&open, false) => continue,
            '’' => (Kind::Single, false, false),
            '"' => (Kind::Double, true, !is_open(&open, Kind::Double, true)),
            '\'' if apostrophe(&open, true) => continue,
            '\'' => (Kind::Single, true, !is_open(&open, Kind::Single, true)),
            _ => continue,
        };
        if opening {
            open.push(Open { at: i, kind, ascii });
            continue;
        }
        match open
            .iter()
            .rposition(|o| o.kind == kind && o.ascii == ascii)
        {
            Some(p) => {
                while open.len() > p + 1 {
                    let inner = open.pop().expect("longer than p + 1");
                    found.push(unpaired_opening(&inner, open.len()));
                }
                let outer = open.pop().expect("p is an index of open");
                found.push(Quotation {
                    open: Some(outer.at),
                    close: Some(i),
                    level: open.len(),
                    ascii,
                });
            }
            None => found.push(Quotation {
                open: None,
                close: Some(i),
                level: open.len(),
                ascii,
            }),
        }
    }
    while let Some(unpaired) = open.pop() {
        found.push(unpaired_opening(&unpaired, open.len()));
    }
    found
}

fn unpaired_opening(mark: &Open, level: usize) -> Quotation {
    Quotation {
        open: Some(mark.at),
        close: None,
        level,
        ascii: mark.ascii,
    }
}

/// The marks of `chars` that change: quotations with CJK text inside get
/// the marks of their level; English ones keep theirs.
fn quote_replacements(chars: &[char], marks: &QuoteMarks) -> Vec<(usize, char)> {
    let mut replaced = Vec::new();
    for quotation in quotations(chars) {
        if !quotation.ascii && !marks.curly {
            continue;
        }
        let inside = quotation.open.map_or(0, |o| o + 1)..quotation.close.unwrap_or(chars.len());
        let cjk = chars[inside]
            .iter()
            .any(|&c| c.is_alphabetic() && lang::is_cjk_char(c));
        if !cjk {
            continue;
        }
        let (opening, closing) = marks.levels[quotation.level % 2];
        replaced.extend(quotation.open.map(|o| (o, opening)));
        replaced.extend(quotation.close.map(|c| (c, closing)));
    }
    replaced.sort_unstable();
    replaced
}

/// The outermost 《…》 of `chars` with text inside: the brackets' positions.
fn book_titles(chars: &[char]) -> Vec<(usize, usize)> {
    let mut open = Vec::new();
    let mut titles = Vec::new();
    for (i, &c) in chars.iter().enumerate() {
        match c {
            '《' => open.push(i),
            '》' => {
                if let Some(start) = open.pop()
                    && open.is_empty()
                    && start + 1 < i
                {
                    titles.push((start, i));
                }
            }
            _ => {}
        }
    }
    titles
}

/// The edits of the text nodes `parts` of one block, one per part (`None`
/// where a part does not change).
fn edit_block(parts: &[&str], rules: &TextRules) -> Vec<Option<Edit>> {
    let marks = quote_marks(rules);
    let wavy = rules.vertical && rules.book_titles == BookTitleMarks::WavyLine;
    let relevant = |c: char| {
        (marks.is_some() && matches!(c, '"' | '\'' | '“' | '”' | '‘' | '’')) || (wavy && c == '《')
    };
    if !parts.iter().any(|p| p.chars().any(relevant)) {
        return vec![None; parts.len()];
    }
    let chars: Vec<char> = parts.iter().flat_map(|p| p.chars()).collect();
    let replaced = marks.map_or_else(Vec::new, |m| quote_replacements(&chars, &m));
    let titles = if wavy {
        book_titles(&chars)
    } else {
        Vec::new()
    };
    let mut replaced = replaced.into_iter().peekable();
    let mut next_title = titles.iter().peekable();
    let mut at = 0;
    let mut edits = Vec::with_capacity(parts.len());
    for part in parts {
        let mut edit = Edit {
            text: String::with_capacity(part.len()),
            titles: Vec::new(),
        };
        let mut changed = false;
        let mut title_start = None;
        for c in part.chars() {
            while next_title.peek().is_some_and(|&&(_, end)| end < at) {
                next_title.next();
            }
            let title = next_title.peek().copied().copied();
            if title.is_some_and(|(start, end)| at == start || at == end) {
                // A bracket the wavy line replaces.
                changed = true;
                if let Some(start) = title_start.take() {
                    edit.titles.push(start..edit.text.len());
                }
            } else {
                let inside = title.is_some_and(|(start, end)| start < at && at < end);
                if inside && title_start.is_none() {
                    title_start = Some(edit.text.len());
                }
                match replaced.next_if(|&(i, _)| i == at) {
                    Some((_, mark)) => {
                        changed |= mark != c;
                        edit.text.push(mark);
                    }
                    None => edit.text.push(c),
                }
            }
            at += 1;
        }
        if let Some(start) = title_start {
            edit.titles.push(start..edit.text.len());
        }
        let changed = changed || !edit.titles.is_empty();
        edits.push(changed.then_some(edit));
    }
    edits
}

/// Writes one text node, escaped; outside verbatim elements of vertical
/// books with tate-chu-yoko and converted punctuation. Quotes are set by
/// [`prepare`], which sees the whole block.
pub fn write_run(out: &mut String, text: &str, rules: &TextRules, verbatim: bool) {
    if verbatim || !rules.vertical {
        escape_into(out, text);
        return;
    }
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    let mut buf = [0u8; 4];
    while i < chars.len() {
        let c = chars[i];
        if let Some(len) = tcy_run(&chars, i, rules) {
            out.push_str("<span class=\"tcy\">");
            out.extend(&chars[i..i + len]);
            out.push_str("</span>");
            i += len;
            continue;
        }
        let before = i.checked_sub(1).map(|j| chars[j]);
        let after = chars.get(i + 1).copied();
        let c = if rules.punctuation {
            widen(c, before, after)
        } else {
            c
        };
        escape_into(out, c.encode_utf8(&mut buf));
        i += 1;
    }
}

/// The length of a tate-chu-yoko run starting at `i`, if there is one.
fn tcy_run(chars: &[char], i: usize, rules: &TextRules) -> Option<usize> {
    let half = |c: char| c.is_ascii_alphanumeric();
    if i > 0 && (half(chars[i - 1]) || chars[i - 1] == '!' || chars[i - 1] == '?') {
        return None;
    }
    // A decimal point makes the digits part of a longer number.
    let digit_at = |j: Option<usize>| {
        j.and_then(|j| chars.get(j))
            .is_some_and(|c| c.is_ascii_digit())
    };
    if i > 1 && chars[i - 1] == '.' && digit_at(Some(i - 2)) {
        return None;
    }
    let c = chars[i];
    let len = if c.is_ascii_digit() {
        chars[i..].iter().take_while(|c| c.is_ascii_digit()).count()
    } else if c == '!' || c == '?' {
        let run = chars[i..]
            .iter()
            .take_while(|&&c| c == '!' || c == '?')
            .count();
        if run != 2 || (chars[i], chars[i + 1]) == ('?', '?') {
            return None;
        }
        run
    } else {
        return None;
    };
    let next = chars.get(i + len).copied();
    if next.is_some_and(|n| half(n) || n == '!' || n == '?') {
        return None;
    }
    if c.is_ascii_digit() && next == Some('.') && digit_at(Some(i + len + 1)) {
        return None;
    }
    if c.is_ascii_digit() && !rules.tcy_digits.contains(&len) {
        return None;
    }
    // One digit is a word of its own in Latin text (iPhone 5, 5 apples).
    if len == 1 && c.is_ascii_digit() && !in_cjk_context(chars, i, i + 1) {
        return None;
    }
    Some(len)
}

/// Whether `chars[start..end]` stands in CJK text: the nearest characters
/// on both sides that are not ASCII or general punctuation (the `.` of
/// `1.`, a curly quote) are CJK or the edge of the text, and at least one
/// is CJK.
fn in_cjk_context(chars: &[char], start: usize, end: usize) -> bool {
    let skip = |c: &&char| c.is_ascii_punctuation() || ('\u{2010}'..='\u{206f}').contains(*c);
    let before = chars[..start].iter().rev().find(|c| !skip(c)).copied();
    let after = chars[end..].iter().find(|c| !skip(c)).copied();
    before.is_none_or(is_cjk)
        && after.is_none_or(is_cjk)
        && (before.is_some_and(is_cjk) || after.is_some_and(is_cjk))
}

/// The full-width form of ASCII punctuation `c` between two CJK characters.
fn widen(c: char, before: Option<char>, after: Option<char>) -> char {
    let between_cjk = before.is_some_and(is_cjk) && after.is_some_and(is_cjk);
    if !between_cjk {
        return c;
    }
    match c {
        ',' => '，',
        '.' => '。',
        '!' => '！',
        '?' => '？',
        ':' => '：',
        ';' => '；',
        '(' => '（',
        ')' => '）',
        _ => c,
    }
}

fn is_cjk(c: char) -> bool {
    matches!(c,
        '\u{3040}'..='\u{30ff}' | '\u{3400}'..='\u{4dbf}' | '\u{4e00}'..='\u{9fff}' | '\u{f900}'..='\u{faff}'
        | '\u{3000}'..='\u{303f}' | '\u{ff00}'..='\u{ffef}')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules(locale: Locale, vertical: bool) -> TextRules {
        TextRules {
            vertical,
            tcy_digits: vec![1, 2],
            punctuation: true,
            locale,
            quotes: QuoteStyle::Standard,
            book_titles: BookTitleMarks::Brackets,
        }
    }

    fn vertical() -> TextRules {
        rules(Locale::SimplifiedChinese, true)
    }

    fn horizontal() -> TextRules {
        rules(Locale::SimplifiedChinese, false)
    }

    /// `input` written with `rules`, `&quot;` read back as `"` for legibility.
    fn text(input: &str, rules: &TextRules) -> String {
        let mut out = String::new();
        write_text(&mut out, input, rules);
        out.replace("&quot;", "\"")
    }

    fn nodes(nodes: &[Node], rules: &TextRules) -> String {
        let mut out = String::new();
        write_nodes(&mut out, nodes, rules);
        out
    }

    fn t(text: &str) -> Node {
        Node::Text(text.into())
    }

    fn e(name: &'static str, children: Vec<Node>) -> Node {
        Node::Element(Element::new(name, children))
    }

    #[test]
    fn digit_runs_stand_upright_and_others_do_not() {
        let r = vertical();
        assert_eq!(text("第12章", &r), "第<span class=\"tcy\">12</span>章");
        assert_eq!(text("2023年", &r), "2023年");
        assert_eq!(text("A12", &r), "A12");
        assert_eq!(text("12B", &r), "12B");
        assert_eq!(text("1.25", &r), "1.25");
        assert_eq!(text("12.5", &r), "12.5");
        assert_eq!(text("共12。", &r), "共<span class=\"tcy\">12</span>。");
        assert_eq!(text("真的!?好", &r), "真的<span class=\"tcy\">!?</span>好");
        assert_eq!(text("啊!!!", &r), "啊!!!");
        let wider = TextRules {
            tcy_digits: vec![1, 2, 3],
            ..vertical()
        };
        assert_eq!(
            text("5月365天", &wider),
            "<span class=\"tcy\">5</span>月<span class=\"tcy\">365</span>天"
        );
        let two_only = TextRules {
            tcy_digits: vec![2],
            ..vertical()
        };
        assert_eq!(text("5月", &two_only), "5月");
        assert_eq!(text("第12章", &horizontal()), "第12章");
    }

    #[test]
    fn single_digits_stand_upright_in_cjk_text_only() {
        let r = vertical();
        let tcy = |d: &str| format!("<span class=\"tcy\">{d}</span>");
        assert_eq!(text("第5章", &r), format!("第{}章", tcy("5")));
        assert_eq!(text("共5。", &r), format!("共{}。", tcy("5")));
        assert_eq!(text("1.苹果", &r), format!("{}.苹果", tcy("1")));
        assert_eq!(text("「5」号", &r), format!("「{}」号", tcy("5")));
        assert_eq!(text("“好”,5月", &r), format!("『好』,{}月", tcy("5")));
        for latin in ["iPhone 5", "A4纸", "买了 5 个", "5 apples", "5", "第1.5章"] {
            assert_eq!(text(latin, &r), latin);
        }
    }

    #[test]
    fn vertical_quotes_follow_the_nesting_level_and_the_locale() {
        let hans = vertical();
        assert_eq!(text("他说：“她说‘好’。”", &hans), "他说：『她说「好」。』");
        assert_eq!(
            text("甲“乙‘丙“丁”丙’乙”甲", &hans),
            "甲『乙「丙『丁』丙」乙』甲"
        );
        let corner_outside = TextRules {
            quotes: QuoteStyle::CornerOutside,
            ..vertical()
        };
        assert_eq!(
            text("他说：“她说‘好’。”", &corner_outside),
            "他说：「她说『好』。」"
        );
        // Taiwan: 「」 outside whichever marks the author typed.
        let hant = rules(Locale::TraditionalChinese, true);
        assert_eq!(text("他說：“她說‘好’。”", &hant), "他說：「她說『好』。」");
        assert_eq!(text("他說：‘她說“好”。’", &hant), "他說：「她說『好』。」");
        let ja = rules(Locale::Japanese, true);
        assert_eq!(text("彼は“はい‘うん’”と", &ja), "彼は「はい『うん』」と");
        let off = TextRules {
            punctuation: false,
            ..vertical()
        };
        assert_eq!(text("“好”,是", &off), "“好”,是");
        assert!(
            !text("“好”,是", &hans)
                .chars()
                .any(|c| ('\u{fe10}'..='\u{fe4f}').contains(&c))
        );
    }

    #[test]
    fn nesting_is_counted_across_the_text_nodes_of_a_block() {
        let r = vertical();
        let paragraph = [t("他说：“看"), e("b", vec![t("‘这")]), t("本’书”。")];
        assert_eq!(nodes(&paragraph, &r), "他说：『看<b>「这</b>本」书』。");
        // Verbatim text is neither converted nor counted.
        let with_code = [t("“甲"), e("code", vec![t("”‘")]), t("乙”")];
        assert_eq!(nodes(&with_code, &r), "『甲<code>”‘</code>乙』");
        // Each paragraph of a quotation running over two opens it again.
        let quote = [e(
            "blockquote",
            vec![e("p", vec![t("“第一段")]), e("p", vec![t("“第二段。”")])],
        )];
        assert_eq!(
            nodes(&quote, &r),
            "<blockquote><p>『第一段</p><p>『第二段。』</p></blockquote>"
        );
        assert_eq!(text("第二段完。”", &r), "第二段完。』");
    }

    #[test]
    fn ascii_quotes_are_paired_and_converted_in_both_layouts() {
        assert_eq!(
            text("他说:\"她说'好'。\"", &horizontal()),
            "他说:“她说‘好’。”"
        );
        assert_eq!(
            text("他说:\"她说'好'。\"", &vertical()),
            "他说：『她说「好」。』"
        );
        let hant = rules(Locale::TraditionalChinese, false);
        assert_eq!(text("他說\"好\"", &hant), "他說「好」");
        let ja = rules(Locale::Japanese, false);
        assert_eq!(text("彼は\"はい\"と", &ja), "彼は「はい」と");
        let en = rules(Locale::Other, false);
        assert_eq!(text("他说\"好\"", &en), "他说\"好\"");
        // Curly quotes in horizontal text stay as typed.
        assert_eq!(
            text("“她说‘好’”", &rules(Locale::TraditionalChinese, false)),
            "“她说‘好’”"
        );
        // An unpaired ASCII quote opens a quotation.
        assert_eq!(text("他说\"好", &vertical()), "他说『好");
    }

    #[test]
    fn apostrophes_are_not_quotes() {
        let h = horizontal();
        assert_eq!(
            text("他说\"我不懂 don't 的意思\"", &h),
            "他说“我不懂 don't 的意思”"
        );
        assert_eq!(
            text("“他不懂 don’t 的意思”", &vertical()),
            "『他不懂 don’t 的意思』"
        );
        assert_eq!(text("\"书是 students' 的\"", &h), "“书是 students' 的”");
    }

    #[test]
    fn english_runs_keep_their_quotes() {
        let r = vertical();
        for english in [
            "他说“Hello, world”。",
            "他说\"Hello\"。",
            "It's “fine”, 'really'",
        ] {
            assert_eq!(text(english, &r), english);
        }
        assert_eq!(text("“他说‘hello’。”", &r), "『他说‘hello’。』");
        assert_eq!(text("他说\"Hello\"", &horizontal()), "他说\"Hello\"");
    }

    #[test]
    fn book_titles_can_take_a_wavy_line() {
        let wavy = TextRules {
            book_titles: BookTitleMarks::WavyLine,
            ..vertical()
        };
        let span = |title: &str| format!("<span class=\"book-title\">{title}</span>");
        assert_eq!(
            text("读《红楼梦》吧", &wavy),
            format!("读{}吧", span("红楼梦"))
        );
        assert_eq!(text("《甲〈乙〉》", &wavy), span("甲〈乙〉"));
        assert_eq!(
            nodes(
                &[t("读《"), e("i", vec![t("红楼梦")]), t("第5回》吧")],
                &wavy
            ),
            format!(
                "读<i>{}</i>{}吧",
                span("红楼梦"),
                span("第<span class=\"tcy\">5</span>回")
            )
        );
        for untouched in ["读《红楼梦吧", "读《》吧"] {
            assert_eq!(text(untouched, &wavy), untouched);
        }
        assert_eq!(text("读《红楼梦》吧", &vertical()), "读《红楼梦》吧");
        let horizontal_wavy = TextRules {
            vertical: false,
            ..wavy
        };
        assert_eq!(text("读《红楼梦》吧", &horizontal_wavy), "读《红楼梦》吧");
    }

    #[test]
    fn locales_come_from_the_language_tag() {
        assert_eq!(Locale::of("zh-Hans"), Locale::SimplifiedChinese);
        assert_eq!(Locale::of("zh"), Locale::SimplifiedChinese);
        assert_eq!(Locale::of("zh-TW"), Locale::TraditionalChinese);
        assert_eq!(Locale::of("ja-JP"), Locale::Japanese);
        assert_eq!(Locale::of("en"), Locale::Other);
    }

    #[test]
    fn ruby_in_titles() {
        assert_eq!(
            text("私は漢字《かんじ》を", &horizontal()),
            "私は<ruby>漢字<rp>（</rp><rt>かんじ</rt><rp>）</rp></ruby>を"
        );
        assert_eq!(text("a<b《》", &horizontal()), "a&lt;b《》");
    }

    #[test]
    fn text_is_converted_outside_code_and_escaped_once() {
        let r = vertical();
        let (parsed, _) = crate::parse::sanitize::to_nodes(
            "<p>第12章“好”<code>a12 “x”</code> a &amp; 12</p>",
            &mut |_| Ok(None),
        )
        .unwrap();
        assert_eq!(
            nodes(&parsed, &r),
            "<p>第<span class=\"tcy\">12</span>章『好』<code>a12 “x”</code> a &amp; <span class=\"tcy\">12</span></p>"
        );
    }

    #[test]
    fn runs_set_apart_keep_their_text() {
        let span = |class: &str, text: &str| {
            let mut e = Element::new("span", vec![t(text)]);
            e.attrs.push(("class", class.into()));
            Node::Element(e)
        };
        assert_eq!(
            nodes(&[span("tcy", "12"), span("yoko", "“No. 12”")], &vertical()),
            "<span class=\"tcy\">12</span><span class=\"yoko\">“No. 12”</span>"
        );
    }
}
