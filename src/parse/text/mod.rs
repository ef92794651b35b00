//! Plain-text essays. The pipeline: paid parts are split off first (see
//! [`crate::paid`]); the text becomes [`Line`]s that keep their access and
//! line number; `frontmatter.rs` takes the title (and any metadata and
//! boilerplate) off the top; `paragraphs.rs` decides how the file marks
//! paragraphs and joins lines into them; headings become headings.

mod frontmatter;
mod residue;

use std::borrow::Cow;
use std::path::Path;

use crate::error::{Result, Warning};
use crate::essay::{Access, Block, Essay};
use crate::paid;
use crate::parse::HeadingRules;

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

/// Parses a plain-text essay, finding headings with `headings`.
pub fn parse(path: &Path, text: &str, headings: &HeadingRules) -> Result<(Essay, Vec<Warning>)> {
    let (segments, mut warnings) = paid::split(path, text, paid::Rendering::Literal);
    let mut lines = lines(&segments);
    lines = residue::clean(path, lines, &mut warnings);
    let front = frontmatter::take(path, &mut lines, headings, &mut warnings)?;
    let mut essay = Essay {
        path: path.to_path_buf(),
        title: front.title,
        creators: front.creators,
        colophon: Vec::new(),
        parts: Vec::new(),
    };
    for line in &lines {
        let text = line.text.trim();
        if text.is_empty() {
            continue;
        }
        let block = match headings.level(text) {
            Some(level) => Block::heading(level, text),
            None => Block::paragraph(text),
        };
        essay.push(line.access, block);
    }
    Ok((essay, warnings))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Error;

    fn parse_text(text: &str) -> Result<(Essay, Vec<Warning>)> {
        parse(Path::new("a.txt"), text, &HeadingRules::default())
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
    fn a_first_line_too_long_for_a_title_is_an_error() {
        let long = "长".repeat(crate::parse::MAX_TITLE_CHARS + 1);
        let err = parse_text(&format!("{long}\n正文")).unwrap_err();
        assert!(matches!(err, Error::LongTitle { chars: 1001, .. }), "{err}");
        let (essay, _) = parse_text(&format!("{}\n正文", &long[3..])).unwrap();
        assert_eq!(essay.title.chars().count(), 1000);
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
