//! Paid markers: `##paidbegin##` opens a paid part and `##paidend##` closes
//! it. They may stand anywhere in a line, in plain text and Markdown alike,
//! so they are found in the text before any parsing: a marker inside a code
//! block or a heading still counts.
//!
//! The grammar is asymmetric and fails closed:
//! - anything that could be a begin marker opens a paid part: the exact
//!   marker, and near misses ([`markers`] lists the shapes) with a warning;
//! - only an exact `##paidend##` (in [canonical](canonical) form: any case or
//!   width, invisible characters and look-alike letters aside) closes one;
//! - a near-miss end inside a paid part is removed and the part goes on,
//!   with a warning; outside any paid part, any end marker makes the text
//!   before it paid (the begin may have been lost), back to the previous
//!   marker or the title line;
//! - an unclosed begin makes the rest paid; a nested begin needs its own end.
//!
//! Warnings name the file and line only: they never quote the text.

pub mod canonical;
pub mod markers;

use std::path::Path;

pub use markers::{Kind, Marker, Rendering};

use crate::error::Warning;

/// Opens a paid part.
pub const BEGIN: &str = "##paidbegin##";
/// Closes a paid part.
pub const END: &str = "##paidend##";

/// Whether a stretch of an essay is free to read or paid.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// In every edition.
    Free,
    /// Only in the full edition.
    Paid,
}

/// A maximal stretch of text with one access, markers removed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Segment<'a> {
    /// Free or paid.
    pub access: Access,
    /// The text between markers (may be empty or blank).
    pub text: &'a str,
    /// The 1-based line the segment starts on.
    pub line: usize,
}

/// Splits `text` at paid markers into alternating free and paid segments.
/// Warnings about malformed markers name `path` and the line.
pub fn split<'a>(
    path: &Path,
    text: &'a str,
    rendering: Rendering,
) -> (Vec<Segment<'a>>, Vec<Warning>) {
    let mut segments = Vec::new();
    let mut warnings = Vec::new();
    let mut depth = 0usize;
    let mut start = 0usize;
    let mut start_line = 1usize;
    let mut last_begin_line = 0usize;
    let warn = |warnings: &mut Vec<Warning>, line: usize, message: &str| {
        warnings.push(Warning::new(path, Some(line), message));
    };
    for marker in markers::find(text, rendering) {
        let line = marker.line;
        let before = &text[start..marker.start];
        match (marker.kind, depth) {
            (Kind::Begin, _) => {
                if !marker.exact {
                    warn(
                        &mut warnings,
                        line,
                        "a paid marker not written exactly was read as ##paidbegin##; write it exactly so",
                    );
                }
                if depth > 0 {
                    warn(
                        &mut warnings,
                        line,
                        "##paidbegin## inside a paid part; it needs its own ##paidend## (treated as paid)",
                    );
                }
                push(&mut segments, access_of(depth), before, start_line);
                depth += 1;
                last_begin_line = line;
            }
            (Kind::End, 0) => {
                let how = if marker.exact {
                    "##paidend##"
                } else {
                    "a paid end marker not written exactly"
                };
                warn(
                    &mut warnings,
                    line,
                    &format!(
                        "{how} without a ##paidbegin## before it: the text before it is treated as paid"
                    ),
                );
                // Fail closed: the begin may have been lost anywhere before,
                // so all of it is paid, except the title of the essay.
                let title_end = if start == 0 {
                    title_line_end(before, rendering)
                } else {
                    0
                };
                push(
                    &mut segments,
                    Access::Free,
                    &before[..title_end],
                    start_line,
                );
                let paid_line = start_line + count_newlines(&before[..title_end]);
                push(&mut segments, Access::Paid, &before[title_end..], paid_line);
            }
            (Kind::End, _) if marker.exact => {
                push(&mut segments, Access::Paid, before, start_line);
                depth -= 1;
            }
            (Kind::End, _) => {
                warn(
                    &mut warnings,
                    line,
                    "a paid end marker not written exactly does not close the paid part, which goes on; write ##paidend## exactly",
                );
                push(&mut segments, Access::Paid, before, start_line);
            }
        }
        start_line = line + count_newlines(&text[marker.start..marker.end]);
        start = marker.end;
    }
    push(&mut segments, access_of(depth), &text[start..], start_line);
    if depth > 0 {
        warn(
            &mut warnings,
            last_begin_line,
            "##paidbegin## is never closed: the rest of the essay is paid",
        );
    }
    (segments, warnings)
}

/// Whether `text`, shown as written, holds a paid marker in any shape
/// [`split`] reads as one.
pub fn has_marker(text: &str) -> bool {
    markers::any(text, Rendering::Literal)
}

/// Whether raw bytes hold an exact marker in an ASCII-compatible encoding:
/// if they do, the decoded text must too, or the encoding is wrong.
pub fn has_marker_bytes(bytes: &[u8]) -> bool {
    let starts_marker = |at: usize| {
        [BEGIN, END].iter().any(|marker| {
            bytes[at..]
                .get(..marker.len())
                .is_some_and(|b| b.eq_ignore_ascii_case(marker.as_bytes()))
        })
    };
    bytes
        .windows(2)
        .enumerate()
        .any(|(at, pair)| pair == b"##" && starts_marker(at))
}

/// The byte offset just past the title at the start of `text`, which a
/// stray end leaves free: the first non-blank line, with the `===` or `---`
/// line under it. In Markdown only a `# heading` or a title underlined with
/// `===` is the title: any other first line is paid. 0 if there is none.
fn title_line_end(text: &str, rendering: Rendering) -> usize {
    let mut lines = text.split_inclusive('\n');
    let mut offset = 0;
    let mut first = "";
    for line in lines.by_ref() {
        offset += line.len();
        if !line.trim().is_empty() {
            first = line.trim();
            break;
        }
    }
    let underline = lines.next().map(str::trim).filter(|next| {
        let rule = |b: u8| !next.is_empty() && next.bytes().all(|x| x == b);
        rule(b'=') || (rendering == Rendering::Literal && rule(b'-'))
    });
    let with_underline = offset + underline.map_or(0, |_| lines_len(text, offset));
    match rendering {
        Rendering::Literal => with_underline,
        Rendering::Markdown if underline.is_some() => with_underline,
        Rendering::Markdown if first == "#" || first.starts_with("# ") => offset,
        Rendering::Markdown => 0,
    }
}

/// The length of the line starting at `offset` in `text`, its break included.
fn lines_len(text: &str, offset: usize) -> usize {
    text[offset..]
        .split_inclusive('\n')
        .next()
        .map_or(0, str::len)
}

fn access_of(depth: usize) -> Access {
    if depth == 0 {
        Access::Free
    } else {
        Access::Paid
    }
}

/// Appends a non-empty segment.
fn push<'a>(segments: &mut Vec<Segment<'a>>, access: Access, text: &'a str, line: usize) {
    if text.is_empty() {
        return;
    }
    segments.push(Segment { access, text, line });
}

fn count_newlines(text: &str) -> usize {
    text.bytes().filter(|&b| b == b'\n').count()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn accesses(text: &str) -> Vec<(Access, &str, usize)> {
        split(Path::new("e.txt"), text, Rendering::Literal)
            .0
            .into_iter()
            .map(|s| (s.access, s.text, s.line))
            .collect()
    }

    #[test]
    fn the_seed_shape() {
        let text = "题目\n免费\n##paidbegin##付费一\n付费二\n\n\n##paidend##\n";
        assert_eq!(
            accesses(text),
            vec![
                (Access::Free, "题目\n免费\n", 1),
                (Access::Paid, "付费一\n付费二\n\n\n", 3),
                (Access::Free, "\n", 7),
            ]
        );
    }

    #[test]
    fn inline_markers_and_several_parts() {
        let text = "a ##paidbegin##b##PAIDEND## c\n##paidbegin## d ##paidend##";
        let got = accesses(text);
        assert_eq!(
            got,
            vec![
                (Access::Free, "a ", 1),
                (Access::Paid, "b", 1),
                (Access::Free, " c\n", 1),
                (Access::Paid, " d ", 2),
            ]
        );
    }

    #[test]
    fn unclosed_begin_makes_the_rest_paid() {
        let (segments, warnings) = split(
            Path::new("e.txt"),
            "a\n##paidbegin##b\nc",
            Rendering::Literal,
        );
        assert_eq!(segments.last().unwrap().access, Access::Paid);
        assert_eq!(segments.last().unwrap().text, "b\nc");
        assert_eq!(warnings.len(), 1);
        assert_eq!(warnings[0].line, Some(2));
    }

    #[test]
    fn nested_begin_stays_paid_until_both_close() {
        let text = "a##paidbegin##b##paidbegin##c##paidend##d##paidend##e";
        let got: Vec<_> = accesses(text).into_iter().map(|(a, t, _)| (a, t)).collect();
        assert_eq!(
            got,
            vec![
                (Access::Free, "a"),
                (Access::Paid, "b"),
                (Access::Paid, "c"),
                (Access::Paid, "d"),
                (Access::Free, "e"),
            ]
        );
    }

    #[test]
    fn a_stray_end_makes_what_precedes_it_paid_except_the_title() {
        let (segments, warnings) = split(
            Path::new("e.txt"),
            "\n题目\na\nb##paidend##c",
            Rendering::Literal,
        );
        let got: Vec<_> = segments
            .iter()
            .map(|s| (s.access, s.text, s.line))
            .collect();
        assert_eq!(
            got,
            vec![
                (Access::Free, "\n题目\n", 1),
                (Access::Paid, "a\nb", 3),
                (Access::Free, "c", 4),
            ]
        );
        assert_eq!(warnings[0].line, Some(4));
        let setext = accesses("Title\n=====\nfree?\n##paidend##");
        assert_eq!(setext[0], (Access::Free, "Title\n=====\n", 1));
        assert_eq!(setext[1], (Access::Paid, "free?\n", 3));
        let after_a_part = "t\n##paidbegin##p##paidend##f\ng##paidend##h";
        let got: Vec<_> = accesses(after_a_part)
            .into_iter()
            .map(|(a, t, _)| (a, t))
            .collect();
        assert_eq!(
            got,
            vec![
                (Access::Free, "t\n"),
                (Access::Paid, "p"),
                (Access::Paid, "f\ng"),
                (Access::Free, "h"),
            ]
        );
    }

    #[test]
    fn near_miss_shapes_are_markers_with_a_warning() {
        for shape in [
            "## paidbegin ##",
            "##paid begin##",
            "##paid_begin##",
            "##paid \t\u{a0}\u{3000}begin##",
            "#paidbegin#",
            "###PaidBegin###",
            "\\#\\#paidbegin\\#\\#",
            "&#35;&#35;paidbegin&#x23;&#x23;",
            "paidbegin",
            "##paid\\_begin##",
            "＃＃ｐａｉｄ＿ｂｅｇｉｎ＃＃",
            "##paid－begin##",
            "##paid\u{2010}begin##",
        ] {
            let text = format!("题目\n免费\n{shape}付费\n##paidend##尾");
            let (segments, warnings) = split(Path::new("e.txt"), &text, Rendering::Literal);
            let paid: Vec<_> = segments
                .iter()
                .filter(|s| s.access == Access::Paid)
                .map(|s| s.text)
                .collect();
            assert_eq!(paid, ["付费\n"], "{shape}");
            assert!(segments.iter().all(|s| !s.text.contains("paid")), "{shape}");
            assert_eq!(warnings.len(), 1, "{shape}");
            assert_eq!(warnings[0].line, Some(3), "{shape}");
        }
    }

    #[test]
    fn markers_are_exact_in_canonical_form() {
        for (begin, end) in [
            ("＃＃paidbegin＃＃", "##ｐａｉｄｅｎｄ##"),
            ("##paid\u{200b}begin##", "##paid\u{ad}end##"),
            ("##pаidbеgіn##", "##рaidend##"), // Cyrillic а е і р
            ("##ραidbegin##", "##paιdend##"), // Greek ρ α ι
            ("##paıdbegin##", "##PAIDEND##"), // dotless ı
            ("##pa\u{301}idbegin##", "##paid\u{fe0f}end##"),
        ] {
            let text = format!("题目\n免费\n{begin}付费\n{end}尾");
            let (segments, warnings) = split(Path::new("e.txt"), &text, Rendering::Literal);
            let got: Vec<_> = segments.iter().map(|s| (s.access, s.text)).collect();
            assert_eq!(
                got,
                [
                    (Access::Free, "题目\n免费\n"),
                    (Access::Paid, "付费\n"),
                    (Access::Free, "尾")
                ],
                "{begin} {end}"
            );
            assert!(warnings.is_empty(), "{begin} {end}: {warnings:?}");
        }
    }

    #[test]
    fn only_an_exact_end_closes_a_paid_part() {
        for (near_miss, warnings_expected) in [
            ("## Paid endorsements", 1),
            ("#paid endorsement", 1),
            ("#paidend of year", 2),
            ("##paid_end##", 2),
            ("## paidend ##", 2),
            ("###paidend###", 2),
            ("\\#\\#paidend\\#\\#", 2),
            ("paidend", 2),
        ] {
            let text = format!("题目\n免费\n##paidbegin##秘密一\n{near_miss}\n秘密二\n");
            let (segments, warnings) = split(Path::new("e.txt"), &text, Rendering::Literal);
            let free: String = segments
                .iter()
                .filter(|s| s.access == Access::Free)
                .map(|s| s.text)
                .collect();
            assert_eq!(free, "题目\n免费\n", "{near_miss}");
            assert_eq!(
                warnings.len(),
                warnings_expected,
                "{near_miss}: {warnings:?}"
            );
        }
        // Rendered Markdown never closes either.
        let text = "# T\n\n##paidbegin##\n秘密一\n##paid**end**##\n秘密二\n";
        let (segments, _) = split(Path::new("e.md"), text, Rendering::Markdown);
        assert_eq!(
            segments.last().map(|s| (s.access, s.text)),
            Some((Access::Paid, "\n秘密二\n"))
        );
    }

    #[test]
    fn a_near_miss_end_outside_a_paid_part_frees_nothing() {
        let got = accesses("题目\n免费？\n##paid_end##\n尾");
        assert_eq!(
            got,
            [
                (Access::Free, "题目\n", 1),
                (Access::Paid, "免费？\n", 2),
                (Access::Free, "\n尾", 3)
            ]
        );
    }

    #[test]
    fn markdown_keeps_only_a_heading_title_free_before_a_stray_end() {
        let split_md = |text| {
            split(Path::new("e.md"), text, Rendering::Markdown)
                .0
                .into_iter()
                .map(|s| (s.access, s.text))
                .collect::<Vec<_>>()
        };
        assert_eq!(
            split_md("# 题\n秘\n##paidend##"),
            [(Access::Free, "# 题\n"), (Access::Paid, "秘\n")]
        );
        assert_eq!(
            split_md("题\n===\n秘\n##paidend##"),
            [(Access::Free, "题\n===\n"), (Access::Paid, "秘\n")]
        );
        assert_eq!(
            split_md("秘一\n秘二\n##paidend##"),
            [(Access::Paid, "秘一\n秘二\n")]
        );
        assert_eq!(
            split_md("![秘](a.png)\n##paidend##"),
            [(Access::Paid, "![秘](a.png)\n")]
        );
    }

    #[test]
    fn markdown_that_renders_a_begin_opens_a_paid_part() {
        for begin in [
            "##&#112;aidbegin##",
            "##paid*begin*##",
            "##paid<i>begin</i>##",
            "&#x23;&num;paidbegin##",
        ] {
            let text = format!("# 题\n\n免费\n\n{begin}秘密\n\n##paidend##\n\n尾");
            let (segments, warnings) = split(Path::new("e.md"), &text, Rendering::Markdown);
            let paid: Vec<_> = segments
                .iter()
                .filter(|s| s.access == Access::Paid)
                .map(|s| s.text)
                .collect();
            assert_eq!(paid, ["秘密\n\n"], "{begin}");
            assert_eq!(warnings.len(), 1, "{begin}");
        }
    }

    #[test]
    fn warnings_never_quote_the_text() {
        let text = "题\n##paidbegin##秘密\n#paid_end 秘密\n##paidbegin##秘密";
        let (_, warnings) = split(Path::new("e.txt"), text, Rendering::Literal);
        assert_eq!(warnings.len(), 3);
        assert!(
            warnings
                .iter()
                .all(|w| !w.message.contains("秘密") && w.line.is_some()),
            "{warnings:?}"
        );
    }

    #[test]
    fn prose_is_not_a_marker() {
        assert_eq!(
            accesses("## heading\n##paid##\nthe paid end of it"),
            vec![(Access::Free, "## heading\n##paid##\nthe paid end of it", 1)]
        );
        assert!(!has_marker("I paid Begin's bill"));
        assert!(has_marker("x##PaidBegin##"));
    }

    #[test]
    fn exact_markers_in_bytes() {
        assert!(has_marker_bytes(b"a##PAIDEND##"));
        assert!(!has_marker_bytes(b"a##paid##end"));
    }
}
