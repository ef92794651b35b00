//! How a plain-text file marks its paragraphs, and lines joined into them.
//!
//! Three shapes are common: one line per paragraph (essays, most Chinese
//! files, the sample); paragraphs separated by blank lines and hard-wrapped
//! at a fixed width (Project Gutenberg); and hard-wrapped lines where an
//! indented line starts a paragraph (older Chinese e-texts). The shape is
//! read from the file's own statistics: the width lines are wrapped at, how
//! many lines run up to it, blank lines and indents. A line that runs
//! (nearly) to the wrap width goes on in the next; between blank lines, a
//! shorter one ends a line of the paragraph (verse keeps its lines, as
//! [`LINE_BREAK`]s), and in indent-marked text it ends the paragraph.
//! Headings, list items and (in indent-marked text) dialogue are never
//! joined into a paragraph.

use super::Line;

/// How paragraphs are marked: `--paragraphs` and `paragraphs` in
/// `wenji.toml`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Paragraphs {
    /// Read from the file (the default).
    #[default]
    Auto,
    /// Every line is a paragraph.
    Line,
    /// Blank lines separate paragraphs; the lines between are joined.
    Blank,
    /// An indented line starts a paragraph; the lines after it are joined.
    Indent,
}

impl Paragraphs {
    /// The value named `name`, as `wenji.toml` writes it.
    pub fn named(name: &str) -> Option<Paragraphs> {
        <Paragraphs as clap::ValueEnum>::from_str(name, false).ok()
    }

    /// The name `wenji.toml` and the flag use.
    pub fn name(self) -> &'static str {
        match self {
            Paragraphs::Auto => "auto",
            Paragraphs::Line => "line",
            Paragraphs::Blank => "blank",
            Paragraphs::Indent => "indent",
        }
    }
}

/// Where a joined paragraph keeps a line break of the source (a line of
/// verse between blank lines).
pub(super) const LINE_BREAK: char = '\n';

/// A line of wrapped text reaching this share of the wrap width is full:
/// the text went on in the next line.
const FULL: f64 = 0.7;
/// Text is wrapped at least this wide (in columns, CJK characters two):
/// lines that happen to be alike in a short essay are no wrapping.
const MIN_WRAP: usize = 40;
/// Fewer non-blank lines than this say too little: one line, one paragraph.
const MIN_LINES: usize = 6;

/// The shape of `lines` when `chosen` is [`Paragraphs::Auto`], else `chosen`.
pub(super) fn shape(lines: &[Line<'_>], chosen: Paragraphs) -> Paragraphs {
    if chosen != Paragraphs::Auto {
        return chosen;
    }
    let (wrap, nonblank) = wrap_width(lines);
    if nonblank < MIN_LINES || wrap < MIN_WRAP {
        return Paragraphs::Line;
    }
    // Lines followed by another non-blank line: in wrapped text nearly all
    // of them are full; in one-line paragraphs their lengths vary freely.
    let mut followed = 0;
    let mut followed_full = 0;
    let mut followed_unindented = 0;
    let mut blank = 0;
    let mut indented = 0;
    // Blank lines after the last text say nothing of the shape.
    let end = lines
        .iter()
        .rposition(|l| !l.text.trim().is_empty())
        .map_or(0, |last| last + 1);
    for pair in lines[..end].windows(2) {
        let (this, next) = (&pair[0].text, &pair[1].text);
        if this.trim().is_empty() {
            continue;
        }
        if next.trim().is_empty() {
            blank += 1;
            continue;
        }
        followed += 1;
        if is_full(this, wrap) {
            followed_full += 1;
            if !is_indented(next) {
                followed_unindented += 1;
            }
        }
    }
    for line in lines.iter().filter(|l| !l.text.trim().is_empty()) {
        if is_indented(&line.text) {
            indented += 1;
        }
    }
    let share = |n: usize, of: usize| n as f64 / of.max(1) as f64;
    let wrapped = followed >= nonblank / 3 && share(followed_full, followed) >= 0.6;
    if !wrapped {
        return Paragraphs::Line;
    }
    let indent_marked = share(indented, nonblank) >= 0.05
        && share(indented, nonblank) <= 0.7
        && share(blank, nonblank) < 0.1
        && followed_unindented > 0;
    if indent_marked {
        Paragraphs::Indent
    } else if blank > 0 {
        Paragraphs::Blank
    } else {
        Paragraphs::Line
    }
}

/// The lines of `lines` joined into paragraphs as `shape` says: each item
/// is the text of one paragraph and the line it starts on. `never_joined`
/// tells headings and the like, which stay lines of their own.
pub(super) fn join<'a>(
    lines: Vec<Line<'a>>,
    shape: Paragraphs,
    never_joined: impl Fn(&str) -> bool,
) -> Vec<Line<'a>> {
    if matches!(shape, Paragraphs::Line | Paragraphs::Auto) {
        return lines;
    }
    let (wrap, _) = wrap_width(&lines);
    let mut out: Vec<Line<'a>> = Vec::with_capacity(lines.len());
    // How the last line pushed takes the next one, if it does.
    let mut open = None;
    for line in lines {
        let text = line.text.trim();
        if text.is_empty() {
            open = None;
            out.push(line);
            continue;
        }
        let kept_apart = never_joined(text);
        let starts = kept_apart
            || (shape == Paragraphs::Indent && (is_indented(&line.text) || opens_dialogue(text)));
        let full = is_full(&line.text, wrap);
        match out.last_mut() {
            Some(last) if open.is_some() && !starts && last.access == line.access => {
                let before = last.text.trim_end();
                last.text = match open {
                    Some(Open::Wrapped) => join_text(before, line.text.trim()),
                    _ => format!("{before}{LINE_BREAK}{}", line.text.trim()),
                }
                .into();
            }
            _ => out.push(line),
        }
        open = match (kept_apart, full, shape) {
            (true, _, _) => None,
            (false, true, _) => Some(Open::Wrapped),
            (false, false, Paragraphs::Blank) => Some(Open::LineBreak),
            (false, false, _) => None,
        };
    }
    out
}

/// How a paragraph being joined goes on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Open {
    /// The last line was wrapped: the next continues it.
    Wrapped,
    /// The last line was short (verse): the next is a new line of it.
    LineBreak,
}

/// `before` and `after` as one line: CJK text joins without a space,
/// other text with one.
fn join_text(before: &str, after: &str) -> String {
    let last = before.chars().next_back();
    let first = after.chars().next();
    let tight = last.is_some_and(is_wide) || first.is_some_and(is_wide);
    let mut out = String::with_capacity(before.len() + after.len() + 1);
    out.push_str(before);
    if !tight {
        out.push(' ');
    }
    out.push_str(after);
    out
}

/// The width `lines` were wrapped at (nearly the longest, ignoring a few
/// overlong lines), and how many are not blank.
fn wrap_width(lines: &[Line<'_>]) -> (usize, usize) {
    let mut widths: Vec<usize> = lines
        .iter()
        .filter(|l| !l.text.trim().is_empty())
        .map(|l| width(&l.text))
        .collect();
    widths.sort_unstable();
    let wrap = widths
        .get(widths.len().saturating_sub(1) * 95 / 100)
        .copied()
        .unwrap_or(0);
    (wrap, widths.len())
}

/// Whether `text` runs (nearly) to the wrap width.
fn is_full(text: &str, wrap: usize) -> bool {
    wrap > 0 && width(text) as f64 >= FULL * wrap as f64
}

/// Columns `text` takes: CJK characters count two, as in a monospaced
/// editor, so that mixed text wraps at one width.
fn width(text: &str) -> usize {
    text.trim_end()
        .chars()
        .map(|c| if is_wide(c) { 2 } else { 1 })
        .sum()
}

/// Whether `text` opens with indentation: a full-width space, a tab or two
/// ASCII spaces.
fn is_indented(text: &str) -> bool {
    text.starts_with(['\u{3000}', '\t']) || text.starts_with("  ")
}

/// Whether `text` opens a quotation, as a line of dialogue does.
fn opens_dialogue(text: &str) -> bool {
    text.starts_with(['「', '『', '“', '"', '‘'])
}

/// CJK characters and full-width punctuation.
fn is_wide(c: char) -> bool {
    matches!(c,
        '\u{1100}'..='\u{115f}' | '\u{2e80}'..='\u{303e}' | '\u{3041}'..='\u{33ff}'
        | '\u{3400}'..='\u{4dbf}' | '\u{4e00}'..='\u{9fff}' | '\u{a000}'..='\u{a4cf}'
        | '\u{ac00}'..='\u{d7a3}' | '\u{f900}'..='\u{faff}' | '\u{fe30}'..='\u{fe4f}'
        | '\u{ff00}'..='\u{ff60}' | '\u{ffe0}'..='\u{ffe6}' | '\u{20000}'..='\u{3fffd}')
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::essay::Access;
    use crate::parse::text::free_lines as lines;

    fn reflow(text: &str, chosen: Paragraphs) -> (Paragraphs, Vec<String>) {
        let lines = lines(text);
        let shape = shape(&lines, chosen);
        let joined = join(lines, shape, |l| l.starts_with("CHAPTER"))
            .into_iter()
            .map(|l| l.text.trim().to_string())
            .filter(|t| !t.is_empty())
            .collect();
        (shape, joined)
    }

    const WRAPPED: &str = "CHAPTER I. The Walk\n\nThe morning was grey and the road ran down\nto the river, where a boat lay on its side in\nthe reeds.\n\nNobody had seen the boat move for a year, and\nnobody knew whose it was.\n\n  Row, row, the water said,\n  Row until the light is gone.\n\nThe walkers went on towards the old mill and\nthe bridge.";

    #[test]
    fn blank_separated_wrapped_text_is_reflowed() {
        let (shape, paragraphs) = reflow(WRAPPED, Paragraphs::Auto);
        assert_eq!(shape, Paragraphs::Blank);
        assert_eq!(
            paragraphs,
            [
                "CHAPTER I. The Walk",
                "The morning was grey and the road ran down to the river, where a boat lay on its side in the reeds.",
                "Nobody had seen the boat move for a year, and nobody knew whose it was.",
                // Verse: short lines stay lines of one paragraph.
                "Row, row, the water said,\nRow until the light is gone.",
                "The walkers went on towards the old mill and the bridge.",
            ]
        );
        // Forced, the file keeps one paragraph per line.
        assert_eq!(reflow(WRAPPED, Paragraphs::Line).1.len(), 10);
    }

    #[test]
    fn indent_marked_cjk_text_joins_without_spaces() {
        let text = "　　天色将晚，村口的老槐树下坐着几个人，说着今年\n的收成，又说到河对岸新修的那座桥。\n　　有人问起桥是谁出钱修的，大家都不作声，过了半\n晌才有人说是东头的老陈家。\n「真的么？」一个孩子问。\n　　老人点点头，把烟袋在鞋底上磕了磕，站起身来\n往家里走。";
        let (shape, paragraphs) = reflow(text, Paragraphs::Auto);
        assert_eq!(shape, Paragraphs::Indent);
        assert_eq!(
            paragraphs,
            [
                "天色将晚，村口的老槐树下坐着几个人，说着今年的收成，又说到河对岸新修的那座桥。",
                "有人问起桥是谁出钱修的，大家都不作声，过了半晌才有人说是东头的老陈家。",
                "「真的么？」一个孩子问。",
                "老人点点头，把烟袋在鞋底上磕了磕，站起身来往家里走。",
            ]
        );
    }

    #[test]
    fn one_line_paragraphs_stay_as_they_are() {
        // Lines of every length, with and without blank lines between.
        let text = "第一段很短。\n\n第二段长一些，说了几句话，又说了几句话，然后停下来想了想，再说下去，一直说到天黑。\n\n第三段。\n\n第四段也不长，但比第三段长。\n\n好。";
        assert_eq!(reflow(text, Paragraphs::Auto).0, Paragraphs::Line);
        let tight = text.replace("\n\n", "\n");
        assert_eq!(reflow(&tight, Paragraphs::Auto).0, Paragraphs::Line);
    }

    #[test]
    fn paid_and_free_lines_are_never_joined() {
        let mut lines = lines(WRAPPED);
        lines[3].access = Access::Paid;
        let joined = join(lines.clone(), Paragraphs::Blank, |_| false);
        assert!(
            joined
                .iter()
                .any(|l| l.access == Access::Paid && l.text.starts_with("to the river"))
        );
    }
}
