//! Aozora Bunko texts (青空文庫注記), read as plain text with the notation
//! understood: the header's title and author become metadata, the notation
//! legend is dropped, headings written as `［＃「X」は中見出し］` become
//! headings, page breaks (改ページ and the like) start a new page, a line
//! without the source's full-width indent (dialogue opening with 「) gets
//! none, gaiji notes with a `U+` code become their character, and every
//! other `［＃…］` annotation is left out of the text with one warning —
//! never printed. Ruby (`｜漢字《かんじ》`) is read as in every plain text.
//!
//! The colophon (`底本：` to the end) goes on a page of its own at the end
//! of the book. This is the first part of issue 10: indents, emphasis dots
//! and the other annotation families are not rendered yet.

use std::path::Path;

use crate::document::{self, Element};
use crate::error::{Error, Result, Warning};
use crate::essay::{Access, Block, Creator, Essay};
use crate::paid;
use crate::parse::checked_title;

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
        colophon: Vec::new(),
        parts: Vec::new(),
    };
    // The last line opening with 底本： starts the colophon.
    let colophon_start = text
        .lines()
        .enumerate()
        .filter(|(i, l)| *i >= shape.legend_end && l.trim_start().starts_with("底本："))
        .last()
        .map_or(usize::MAX, |(i, _)| i + 1);
    let mut left_out = LeftOut::default();
    for segment in segments {
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
                let (text, _) = read_line(line, number, &mut left_out, &mut warnings, path);
                if !text.trim().is_empty() {
                    essay.colophon.push(unindented(text.trim()));
                }
                continue;
            }
            let (text, kind) = read_line(line, number, &mut left_out, &mut warnings, path);
            if kind == LineKind::PageBreak {
                essay.push(segment.access, page_break());
            }
            let indented = text.starts_with('　');
            let text = text.trim();
            if text.is_empty() {
                continue;
            }
            match kind {
                LineKind::Heading(level) => essay.push(segment.access, Block::heading(level, text)),
                // The source's own indent: a line that does not open with a
                // full-width space (dialogue opening with 「) has none.
                _ if indented => essay.push(segment.access, Block::paragraph(text)),
                _ => essay.push(segment.access, unindented(text)),
            }
        }
    }
    normalise_heading_levels(&mut essay);
    if let Some(first) = left_out.first_line {
        warnings.push(Warning::new(
            path,
            Some(first),
            format!(
                "{} Aozora annotation(s) wenji does not render yet were left out of the text \
                 (this is the first)",
                left_out.count
            ),
        ));
    }
    Ok((essay, warnings))
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
        let (read, _) = read_line(
            line,
            index + 1,
            &mut LeftOut::default(),
            &mut Vec::new(),
            path,
        );
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

/// Annotations left out of the text, counted for one warning.
#[derive(Default)]
struct LeftOut {
    count: usize,
    first_line: Option<usize>,
}

/// What an annotation makes of its line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum LineKind {
    /// A paragraph.
    Text,
    /// A heading of this level (大見出し 1, 中 2, 小 3).
    Heading(u8),
    /// A page break (改ページ, 改丁, 改見開き, 改段) before the line's text.
    PageBreak,
}

/// A paragraph of `text` without first-line indent.
fn unindented(text: &str) -> Block {
    let mut paragraph = Element::new("p", document::text_with_ruby(text));
    paragraph.attrs.push(("class", "noindent".to_string()));
    Block::Element(paragraph)
}

/// An empty block that starts a new page.
fn page_break() -> Block {
    let mut div = Element::new("div", Vec::new());
    div.attrs.push(("class", "page-break".to_string()));
    Block::Element(div)
}

/// `line` without its annotations, gaiji resolved; and what the
/// annotations make of it.
fn read_line(
    line: &str,
    number: usize,
    left_out: &mut LeftOut,
    warnings: &mut Vec<Warning>,
    path: &Path,
) -> (String, LineKind) {
    let mut out = String::with_capacity(line.len());
    let mut kind = LineKind::Text;
    let mut rest = line;
    while let Some(open) = rest.find('［') {
        let Some(close) = rest[open..].find('］').map(|i| open + i) else {
            break;
        };
        let inner = &rest[open + '［'.len_utf8()..close];
        let Some(note) = inner.strip_prefix('＃') else {
            out.push_str(&rest[..close + '］'.len_utf8()]);
            rest = &rest[close + '］'.len_utf8()..];
            continue;
        };
        let before = &rest[..open];
        let gaiji = before.ends_with('※');
        out.push_str(if gaiji {
            &before[..before.len() - '※'.len_utf8()]
        } else {
            before
        });
        if gaiji {
            out.push_str(&gaiji_text(note, number, warnings, path));
        } else if let Some(level) = heading_level(note) {
            kind = LineKind::Heading(level);
        } else if ["改ページ", "改丁", "改見開き", "改段"].contains(&note) {
            kind = LineKind::PageBreak;
        } else {
            left_out.count += 1;
            left_out.first_line.get_or_insert(number);
        }
        rest = &rest[close + '］'.len_utf8()..];
    }
    out.push_str(rest);
    (out, kind)
}

/// The heading level an annotation such as `「一」は中見出し` gives.
fn heading_level(note: &str) -> Option<u8> {
    let kind = note.strip_suffix("見出し")?;
    let kind = kind.rsplit('は').next()?;
    match kind {
        "大" => Some(1),
        "中" => Some(2),
        "小" => Some(3),
        _ => None,
    }
}

/// The character a gaiji note stands for: its `U+XXXX` code; without one,
/// its description in 〔〕, with a warning.
fn gaiji_text(note: &str, number: usize, warnings: &mut Vec<Warning>, path: &Path) -> String {
    let code = note.find("U+").and_then(|at| {
        let hex: String = note[at + 2..]
            .chars()
            .take_while(char::is_ascii_hexdigit)
            .collect();
        u32::from_str_radix(&hex, 16).ok().and_then(char::from_u32)
    });
    if let Some(c) = code {
        return c.to_string();
    }
    let description = note
        .split_once('「')
        .and_then(|(_, rest)| rest.split_once('」'))
        .map_or(note, |(description, _)| description);
    warnings.push(Warning::new(
        path,
        Some(number),
        "a gaiji note without a U+ code is shown as its description in 〔〕 \
         (JIS X 0213 codes are not resolved yet)",
    ));
    format!("〔{description}〕")
}

/// Makes the shallowest heading level used level 1 (a text whose headings
/// are all 中見出し has no level 1 otherwise).
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
                *level -= shallowest - 1;
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

    fn texts(essay: &Essay) -> Vec<String> {
        essay
            .blocks()
            .map(|b| match b {
                Block::Heading { level, content } => format!("h{level}:{}", plain_text(content)),
                Block::Element(e) => match e.attr("class") {
                    Some(class) => format!("{class}:{}", plain_text(&e.children)),
                    None => plain_text(&e.children),
                },
            })
            .collect()
    }

    #[test]
    fn header_and_legend_become_metadata_and_nothing() {
        let (essay, warnings) = parse_str("　雨の朝だった。\n");
        assert!(warnings.is_empty(), "{warnings:?}");
        assert_eq!(essay.title, "窓辺の記録");
        assert_eq!(essay.creators, [Creator::author("山田花子")]);
        assert_eq!(texts(&essay), ["雨の朝だった。"]);
        assert!(looks_like(HEADER));
        assert!(!looks_like("题\n正文\n"));
    }

    #[test]
    fn headings_annotations_and_gaiji() {
        let (essay, warnings) = parse_str(
            "［＃５字下げ］一［＃「一」は中見出し］\n　猫は※［＃「てへん＋丑」、U+626D、12-3］った。［＃「猫」に傍点］\n［＃改ページ］\n［＃３字下げ］二［＃「二」は小見出し］\n「※［＃「口＋世」、第3水準1-14-87］」と言った。\n",
        );
        assert_eq!(
            texts(&essay),
            [
                "h1:一",
                "猫は扭った。",
                "page-break:",
                "h2:二",
                "noindent:「〔口＋世〕」と言った。"
            ]
        );
        let messages: Vec<String> = warnings.iter().map(ToString::to_string).collect();
        assert_eq!(messages.len(), 2, "{messages:?}");
        assert!(
            messages
                .iter()
                .any(|m| m.contains("3 Aozora annotation(s)")),
            "{messages:?}"
        );
        assert!(messages.iter().any(|m| m.contains("〔〕")), "{messages:?}");
    }

    #[test]
    fn the_colophon_is_kept_apart() {
        let (essay, _) =
            parse_str("　本文。\n\n\n\n底本：「架空の本」架空書房\n　　　2024年発行\n入力：某\n");
        assert_eq!(texts(&essay), ["本文。"]);
        let colophon: Vec<String> = essay
            .colophon
            .iter()
            .map(|b| plain_text(b.nodes()))
            .collect();
        assert_eq!(
            colophon,
            ["底本：「架空の本」架空書房", "2024年発行", "入力：某"]
        );
        // Paid text there stays in the body, where editions choose.
        let (essay, _) = parse_str("　本文。\n底本：甲\n##paidbegin##\n秘密\n##paidend##\n");
        assert_eq!(essay.colophon.len(), 1);
        assert_eq!(texts(&essay), ["本文。", "noindent:秘密"]);
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
