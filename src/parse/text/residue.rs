//! Web residue in plain text: novels scraped from web pages often keep their
//! HTML — `<p>`, `</p><p>`, `<br>`, `&nbsp;`, `&amp;` — as literal text.
//! When a file shows such markup, it is read rather than printed: paragraph
//! and break tags become line breaks, a few inline tags are left out and
//! character references become their characters. A file without any break
//! tag or character reference is left exactly as written, so prose such as
//! `a < b` or `AT&T` never changes.

use std::borrow::Cow;
use std::path::Path;
use std::sync::LazyLock;

use regex::Regex;

use crate::error::Warning;
use crate::paid;

use super::Line;

/// A tag at the start of the text: its closing slash, name and the rest.
static TAG: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^<\s*(/?)\s*([A-Za-z][A-Za-z0-9]*)(?:\s[^<>]*)?/?\s*>")
        .expect("the tag pattern is valid")
});

/// Tags that end a line: paragraphs, breaks, divisions, rules, headings.
const BREAKING: [&str; 11] = [
    "p", "br", "div", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "li",
];

/// Inline tags that are left out, their content kept.
const INLINE: [&str; 19] = [
    "span", "font", "b", "i", "u", "s", "strong", "em", "a", "small", "big", "center", "strike",
    "del", "ins", "mark", "sup", "sub", "tt",
];

/// What a piece of markup at the start of some text is.
enum Markup {
    /// A tag that ends the line, and its length in bytes.
    Break(usize),
    /// A tag to leave out, and its length.
    Dropped(usize),
    /// A character reference: its characters and length.
    Reference(Vec<char>, usize),
}

/// The markup at the start of `text`, if it is one this module reads.
fn markup_at(text: &str) -> Option<Markup> {
    match text.as_bytes().first()? {
        b'<' if text.starts_with("<!--") => text.find("-->").map(|end| Markup::Dropped(end + 3)),
        b'<' => {
            let tag = TAG.captures(text)?;
            let name = tag[2].to_ascii_lowercase();
            let len = tag[0].len();
            if BREAKING.contains(&name.as_str()) {
                Some(Markup::Break(len))
            } else {
                INLINE
                    .contains(&name.as_str())
                    .then_some(Markup::Dropped(len))
            }
        }
        b'&' => paid::markers::entity(text).map(|(chars, len)| Markup::Reference(chars, len)),
        _ => None,
    }
}

/// Whether `text` holds markup that shows it came from a web page: a break
/// tag or a character reference (inline tags alone are not enough).
fn shows_residue(text: &str) -> bool {
    text.match_indices(['<', '&']).any(|(at, _)| {
        matches!(
            markup_at(&text[at..]),
            Some(Markup::Break(_) | Markup::Reference(..))
        )
    })
}

/// The pieces `text` reads as: the text between break tags, with inline
/// tags left out and references decoded (`&nbsp;` as a space, control
/// characters dropped). `None` when the text holds no markup at all.
fn read(text: &str) -> Option<Vec<String>> {
    let mut pieces = vec![String::new()];
    let mut changed = false;
    let mut at = 0;
    while let Some(found) = text[at..].find(['<', '&']) {
        let start = at + found;
        let current = pieces.last_mut().expect("there is always a piece");
        current.push_str(&text[at..start]);
        at = start;
        match markup_at(&text[start..]) {
            Some(Markup::Break(len)) => {
                pieces.push(String::new());
                at += len;
            }
            Some(Markup::Dropped(len)) => at += len,
            Some(Markup::Reference(chars, len)) => {
                current.extend(chars.into_iter().filter_map(|c| match c {
                    '\u{a0}' | '\t' => Some(' '),
                    c if c.is_control() => None,
                    c => Some(c),
                }));
                at += len;
            }
            None => {
                current.push_str(&text[start..=start]);
                at += 1;
                continue;
            }
        }
        changed = true;
    }
    let current = pieces.last_mut().expect("there is always a piece");
    current.push_str(&text[at..]);
    changed.then_some(pieces)
}

/// Reads the web markup of `lines` if the file shows any (see the module
/// documentation), with one warning at the line of the first. A line with
/// break tags becomes several lines, each with its access and number, so
/// no text crosses into or out of a paid part. A line whose reading would
/// show a paid marker (`##&#112;aidbegin##`) is kept as written, with a
/// warning: paid parts were split on the text as written, which did not
/// hold that marker, and what is printed must be what the split saw.
pub(super) fn clean<'a>(
    path: &Path,
    lines: Vec<Line<'a>>,
    warnings: &mut Vec<Warning>,
) -> Vec<Line<'a>> {
    let Some(first) = lines.iter().find(|line| shows_residue(&line.text)) else {
        return lines;
    };
    warnings.push(Warning::new(
        path,
        Some(first.number),
        "this text holds web page markup (such as <p>, <br> or &nbsp;): paragraph and break \
         tags were read as line breaks and character references as their characters",
    ));
    let mut cleaned = Vec::with_capacity(lines.len());
    for line in lines {
        let Some(pieces) = read(&line.text) else {
            cleaned.push(line);
            continue;
        };
        if pieces
            .iter()
            .any(|piece| paid::markers::any(piece, paid::Rendering::Literal))
        {
            warnings.push(Warning::new(
                path,
                Some(line.number),
                "the markup in this line spells a paid marker once read, so the line is kept as \
                 written; write ##paidbegin## and ##paidend## whole, with no tag or &…; \
                 reference inside them",
            ));
            cleaned.push(line);
            continue;
        }
        cleaned.extend(pieces.into_iter().map(|piece| Line {
            text: Cow::Owned(piece),
            access: line.access,
            number: line.number,
        }));
    }
    cleaned
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::essay::Access;

    fn line(text: &str, access: Access, number: usize) -> Line<'_> {
        Line {
            text: Cow::Borrowed(text),
            access,
            number,
        }
    }

    fn cleaned(texts: &[&str]) -> (Vec<String>, Vec<Warning>) {
        let lines = texts
            .iter()
            .enumerate()
            .map(|(i, t)| line(t, Access::Free, i + 1))
            .collect();
        let mut warnings = Vec::new();
        let lines = clean(Path::new("w.txt"), lines, &mut warnings);
        (
            lines.into_iter().map(|l| l.text.into_owned()).collect(),
            warnings,
        )
    }

    #[test]
    fn prose_with_angle_brackets_and_ampersands_is_untouched() {
        let prose = [
            "若 a < b 且 b > c，则……",
            "AT&T 与 R&D 部门",
            "<b>粗</b> 与 <未知>",
        ];
        let (lines, warnings) = cleaned(&prose);
        assert_eq!(lines, prose);
        assert!(warnings.is_empty());
    }

    #[test]
    fn paragraph_tags_break_lines_and_references_decode() {
        let (lines, warnings) = cleaned(&[
            "书页",
            "<p>&nbsp;&nbsp;第一段，<span class=\"x\">风</span>起。</p><p>第二段&amp;尾声</p>",
            "甲<br/>乙<BR>丙 &lt;p&gt; &#x4E01;&#25098;",
        ]);
        assert_eq!(
            lines,
            [
                "书页",
                "",
                "  第一段，风起。",
                "",
                "第二段&尾声",
                "",
                "甲",
                "乙",
                "丙 <p> 丁戊",
            ]
        );
        assert_eq!(warnings.len(), 1);
        assert_eq!(warnings[0].line, Some(2));
        assert!(warnings[0].message.contains("web page markup"));
    }

    #[test]
    fn split_lines_keep_their_access_and_number() {
        let lines = vec![
            line("免费<br>", Access::Free, 1),
            line("付费一</p><p>付费二", Access::Paid, 2),
        ];
        let mut warnings = Vec::new();
        let lines = clean(Path::new("w.txt"), lines, &mut warnings);
        let shape: Vec<_> = lines
            .iter()
            .map(|l| (l.text.as_ref(), l.access, l.number))
            .collect();
        assert_eq!(
            shape,
            [
                ("免费", Access::Free, 1),
                ("", Access::Free, 1),
                ("付费一", Access::Paid, 2),
                ("", Access::Paid, 2),
                ("付费二", Access::Paid, 2),
            ]
        );
    }

    #[test]
    fn a_line_whose_markup_spells_a_marker_is_kept_as_written() {
        let spelled = "##&#112;aidbegin##不是付费";
        let lines = vec![
            line("<p>正文</p>", Access::Free, 1),
            line(spelled, Access::Free, 2),
        ];
        let mut warnings = Vec::new();
        let lines = clean(Path::new("w.txt"), lines, &mut warnings);
        assert_eq!(lines.last().unwrap().text, spelled);
        assert_eq!(warnings.len(), 2);
        assert_eq!(warnings[1].line, Some(2));
        assert!(warnings[1].message.contains("kept as written"));
    }
}
