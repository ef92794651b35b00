//! Plain-text essays: the first non-blank line is the title, every further
//! non-blank line one paragraph. Indentation (ASCII or full-width spaces) is
//! dropped because the stylesheet indents.

use std::path::Path;

use crate::error::{Error, Result, Warning};
use crate::essay::{Access, Block, Essay};
use crate::paid;
use crate::parse::{HeadingRules, checked_title};

/// Parses a plain-text essay, finding headings with `headings`.
pub fn parse(path: &Path, text: &str, headings: &HeadingRules) -> Result<(Essay, Vec<Warning>)> {
    let (segments, warnings) = paid::split(path, text, paid::Rendering::Literal);
    let mut title = None;
    let mut essay = Essay {
        path: path.to_path_buf(),
        title: String::new(),
        creators: Vec::new(),
        colophon: Vec::new(),
        parts: Vec::new(),
    };
    for segment in segments {
        for (offset, line) in segment.text.split('\n').enumerate() {
            let line = line.trim();
            if line.is_empty() {
                continue;
            }
            if title.is_none() {
                if segment.access == Access::Paid {
                    return Err(Error::PaidTitle {
                        path: path.to_path_buf(),
                        line: segment.line + offset,
                    });
                }
                title = Some(line.to_string());
                continue;
            }
            let block = match headings.level(line) {
                Some(level) => Block::heading(level, line),
                None => Block::paragraph(line),
            };
            essay.push(segment.access, block);
        }
    }
    let title = title.ok_or_else(|| Error::Empty {
        path: path.to_path_buf(),
    })?;
    essay.title = checked_title(path, title)?;
    Ok((essay, warnings))
}

#[cfg(test)]
mod tests {
    use super::*;

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
