//! Plain-text essays. The pipeline: paid parts are split off first (see
//! [`crate::paid`]); the text becomes [`Line`]s that keep their access and
//! line number; `frontmatter.rs` takes the title (and any metadata and
//! boilerplate) off the top; `paragraphs.rs` decides how the file marks
//! paragraphs and joins lines into them; headings become headings.

mod frontmatter;
mod paragraphs;
mod residue;

use std::borrow::Cow;
use std::path::Path;

use crate::document::{self, Element, Node};
use crate::error::{Result, Warning};
use crate::essay::{Access, Block, Essay};
use crate::paid;
use crate::parse::HeadingRules;
pub use paragraphs::Paragraphs;

/// How plain text is read.
#[derive(Debug, Clone)]
pub struct PlainRules {
    /// How headings are found.
    pub headings: HeadingRules,
    /// How paragraphs are marked.
    pub paragraphs: Paragraphs,
}

impl Default for PlainRules {
    /// The rules of a book without settings (every default lives in
    /// [`crate::settings`]).
    fn default() -> Self {
        crate::settings::Options::default().plain
    }
}

/// One line of the source, trimmed of its line ending.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Line<'a> {
    /// Its text.
    pub(crate) text: Cow<'a, str>,
    /// Free or paid.
    pub(crate) access: Access,
    /// Its 1-based number in the file.
    pub(crate) number: usize,
}

/// The lines of `text` after paid parts are split off.
fn lines<'a>(segments: &'a [paid::Segment<'a>]) -> Vec<Line<'a>> {
    segments
        .iter()
        .flat_map(|segment| {
            segment
                .text
                .split('\n')
                .enumerate()
                .map(|(offset, text)| Line {
                    text: Cow::Borrowed(text),
                    access: segment.access,
                    number: segment.line + offset,
                })
        })
        .collect()
}

/// `text` as free lines numbered from 1, for tests.
#[cfg(test)]
pub(super) fn free_lines(text: &str) -> Vec<Line<'_>> {
    text.split('\n')
        .enumerate()
        .map(|(i, t)| Line {
            text: Cow::Borrowed(t),
            access: Access::Free,
            number: i + 1,
        })
        .collect()
}

/// Parses a plain-text essay as `rules` say.
pub fn parse(path: &Path, text: &str, rules: &PlainRules) -> Result<(Essay, Vec<Warning>)> {
    let headings = &rules.headings;
    let (segments, mut warnings) = paid::split(path, text, paid::Rendering::Literal);
    let mut lines = lines(&segments);
    lines = residue::clean(path, lines, &mut warnings);
    let front = frontmatter::take(path, &mut lines, headings, &mut warnings)?;
    let mut essay = Essay {
        path: path.to_path_buf(),
        title: front.title,
        creators: front.creators,
        lang: front.lang,
        meta: Default::default(),
        colophon: Vec::new(),
        parts: Vec::new(),
        notes: Vec::new(),
    };
    let shape = paragraphs::shape(&lines, rules.paragraphs);
    if rules.paragraphs == Paragraphs::Auto && shape != Paragraphs::Line {
        let how = match shape {
            Paragraphs::Blank => "blank lines separate paragraphs",
            _ => "an indented line starts a paragraph",
        };
        warnings.push(Warning::new(
            path,
            None,
            format!(
                "the lines are hard-wrapped and {how}: lines are joined into paragraphs \
                 (--paragraphs line keeps every line a paragraph)"
            ),
        ));
    }
    let lines = paragraphs::join(lines, shape, |line| {
        headings.level(line).is_some() || is_list_item(line)
    });
    let mut pending_heading: Option<(Access, u8, String)> = None;
    for line in &lines {
        let text = line.text.trim();
        if text.is_empty() {
            continue;
        }
        // A bare `第一回` or `CHAPTER I.` takes the short line after it as
        // its title.
        if let Some((access, level, number)) = pending_heading.take() {
            if access == line.access && headings.is_subtitle(text) {
                let gap = if number.is_ascii() { ' ' } else { '\u{3000}' };
                let joined = format!("{number}{gap}{text}");
                essay.push(access, Block::heading(level, &joined));
                continue;
            }
            essay.push(access, Block::heading(level, &number));
        }
        match headings.level(text) {
            Some(level) if headings.is_bare(text) => {
                pending_heading = Some((line.access, level, text.to_string()));
            }
            Some(level) => essay.push(line.access, Block::heading(level, text)),
            None => essay.push(line.access, paragraph(text)),
        }
    }
    if let Some((access, level, number)) = pending_heading {
        essay.push(access, Block::heading(level, &number));
    }
    Ok((essay, warnings))
}

/// A paragraph of `text`, its [`paragraphs::LINE_BREAK`]s kept as `br`
/// (verse, an address), set without a first-line indent.
fn paragraph(text: &str) -> Block {
    if !text.contains(paragraphs::LINE_BREAK) {
        return Block::paragraph(text);
    }
    let mut nodes = Vec::new();
    for (n, line) in text.split(paragraphs::LINE_BREAK).enumerate() {
        if n > 0 {
            nodes.push(Node::Element(Element::new("br", Vec::new())));
        }
        nodes.extend(document::text_with_ruby(line));
    }
    let mut p = Element::new("p", nodes);
    p.attrs.push(("class", "noindent".to_string()));
    Block::Element(p)
}

/// Whether `line` is a list item (`- `, `* `, `• `, `1. `, `1) `), which
/// is never joined into a paragraph.
fn is_list_item(line: &str) -> bool {
    if line.starts_with(['-', '*', '•', '·'])
        && line.chars().nth(1).is_some_and(char::is_whitespace)
    {
        return true;
    }
    let digits = line.chars().take_while(char::is_ascii_digit).count();
    digits > 0
        && digits <= 3
        && line[digits..].starts_with(['.', ')'])
        && line[digits + 1..].starts_with(char::is_whitespace)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Error;

    fn parse_text(text: &str) -> Result<(Essay, Vec<Warning>)> {
        parse(Path::new("a.txt"), text, &PlainRules::default())
    }

    fn paragraphs(essay: &Essay, access: Access) -> Vec<String> {
        essay
            .parts
            .iter()
            .filter(|p| p.access == access)
            .flat_map(|p| p.blocks.iter())
            .map(|b| match b {
                Block::Element(p) if p.name == "p" => crate::document::plain_text(&p.children),
                other => panic!("unexpected {other:?}"),
            })
            .collect()
    }

    #[test]
    fn title_paragraphs_and_indentation() {
        let (essay, warnings) =
            parse_text("\n  标题 \n\u{3000}\u{3000}第一段。\n\n  第二段。\n").unwrap();
        assert!(warnings.is_empty());
        assert_eq!(essay.title, "标题");
        assert_eq!(paragraphs(&essay, Access::Free), ["第一段。", "第二段。"]);
        assert!(!essay.has_paid());
    }

    #[test]
    fn paid_parts_are_separate() {
        let text = "标题\n免费。\n##paidbegin##付费一。\n付费二。\n\n##paidend##\n又免费。";
        let (essay, _) = parse_text(text).unwrap();
        assert_eq!(essay.parts.len(), 3);
        assert_eq!(paragraphs(&essay, Access::Paid), ["付费一。", "付费二。"]);
        assert_eq!(paragraphs(&essay, Access::Free), ["免费。", "又免费。"]);
        assert_eq!(essay.char_counts(), (2 + 3 + 4, 8));
    }

    #[test]
    fn a_paid_title_is_refused() {
        let err = parse_text("\n##paidbegin##标题\n正文").unwrap_err();
        assert!(matches!(err, Error::PaidTitle { line: 2, .. }), "{err}");
    }

    #[test]
    fn heading_lines_become_headings() {
        let (essay, _) = parse_text("书名\n第一章 起\n正文。\n一、小节\n正文。").unwrap();
        let blocks = &essay.parts[0].blocks;
        assert_eq!(blocks[0], Block::heading(2, "第一章 起"));
        assert_eq!(blocks[2], Block::heading(3, "一、小节"));
        assert_eq!(blocks[1], Block::paragraph("正文。"));
    }

    #[test]
    fn a_bare_chapter_number_takes_its_title_from_the_next_line() {
        let (essay, _) = parse_text("书名\n第一回\n石头记缘起\n正文。\n第二回\n正文二。").unwrap();
        let blocks = &essay.parts[0].blocks;
        assert_eq!(blocks[0], Block::heading(2, "第一回\u{3000}石头记缘起"));
        assert_eq!(blocks[1], Block::paragraph("正文。"));
        // A sentence after it is no title.
        assert_eq!(blocks[2], Block::heading(2, "第二回"));
        assert_eq!(blocks[3], Block::paragraph("正文二。"));
    }

    #[test]
    fn wrapped_lines_join_but_lists_and_verse_keep_their_lines() {
        let wrapped = "The Walk\n\nThe morning was grey and the road ran down towards\nthe river, where a boat lay on its side in the reeds.\n\n- a list item that is long enough to be wrapped text\n- and another list item that is also long enough\n\nRow, row, the water said,\nRow until the light is gone.\n\nThe walkers went on towards the old mill and the\nbridge, and nobody spoke until they reached it.";
        let (essay, warnings) = parse_text(wrapped).unwrap();
        assert!(
            warnings[0]
                .to_string()
                .contains("blank lines separate paragraphs")
        );
        let blocks: Vec<String> = essay
            .blocks()
            .map(|b| {
                let mut out = String::new();
                crate::document::write_xhtml(
                    b.nodes(),
                    &mut out,
                    &mut crate::document::escape_text,
                );
                out
            })
            .collect();
        assert_eq!(
            blocks,
            [
                "The morning was grey and the road ran down towards the river, where a boat lay on its side in the reeds.",
                "- a list item that is long enough to be wrapped text",
                "- and another list item that is also long enough",
                "Row, row, the water said,<br/>Row until the light is gone.",
                "The walkers went on towards the old mill and the bridge, and nobody spoke until they reached it.",
            ]
        );
        assert!(is_list_item("1. one") && is_list_item("* star") && !is_list_item("1.5 km"));
    }

    #[test]
    fn a_first_line_too_long_for_a_title_is_text() {
        let long = "长".repeat(51);
        let (essay, warnings) = parse_text(&format!("{long}\n正文")).unwrap();
        assert_eq!(essay.title, "a");
        assert!(warnings[0].message.contains("too long for a title"));
        assert_eq!(paragraphs(&essay, Access::Free)[0], long);
    }

    #[test]
    fn empty_and_blank_essays_are_errors() {
        assert!(matches!(parse_text(""), Err(Error::Empty { .. })));
        assert!(matches!(
            parse_text(" \n\u{3000}\n"),
            Err(Error::Empty { .. })
        ));
    }
}
