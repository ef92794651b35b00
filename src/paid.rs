//! Paid markers. `##paidbegin##` and `##paidend##` may stand anywhere in a
//! line, in plain text and Markdown alike, so they are found in the raw text
//! before any parsing: a marker inside a code block or a heading still counts.
//!
//! Whatever is ambiguous is paid (fail closed), with a warning:
//! - an unclosed begin makes the rest paid; a nested begin needs its own end;
//! - a stray end makes everything before it paid, back to the previous marker
//!   (or to the title line, which stays free);
//! - a marker in a near-miss shape counts as a marker: other case, full-width
//!   `＃＃ｐａｉｄｂｅｇｉｎ＃＃`, spaces (any kind) or `_`/`-` inside, one or three `#`,
//!   `\#` or `&#35;` escapes, or the bare word `paidbegin`.

use std::path::Path;
use std::sync::LazyLock;

use regex::Regex;

use crate::error::Warning;

/// Opens a paid part.
pub const BEGIN: &str = "##paidbegin##";
/// Closes a paid part.
pub const END: &str = "##paidend##";

/// Every shape that is read as a marker. `(?i)` folds full-width letters
/// too; the `word` group tells begin from end.
static MARKER: LazyLock<Regex> = LazyLock::new(|| {
    let hash = r"(?:\\?[#＃]|&\#0*35;|&\#x0*23;|&num;)";
    let space = r"[\s&&[^\n]]";
    let letters = |word: &str| -> String {
        word.chars()
            .map(|c| {
                let wide = char::from_u32(c as u32 + 0xfee0).unwrap_or(c);
                format!("[{c}{wide}]")
            })
            .collect()
    };
    let pattern = format!(
        r"(?i)(?P<open>{hash}*){space}*{paid}(?P<sep>[\s_\-&&[^\n]]*)(?:(?P<begin>{begin})|{end}){space}*(?P<close>{hash}*)",
        paid = letters("paid"),
        begin = letters("begin"),
        end = letters("end"),
    );
    Regex::new(&pattern).expect("the marker pattern is valid")
});

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

/// A marker found in the text.
struct Marker {
    start: usize,
    end: usize,
    is_begin: bool,
    /// Written exactly as [`BEGIN`] or [`END`] (ASCII case aside).
    exact: bool,
}

/// The markers of `text` in order. A word with a separator inside
/// (`paid begin`) only counts when `#` signs stand beside it: prose may say
/// "paid end", but not "##paid end##".
fn markers(text: &str) -> impl Iterator<Item = Marker> + '_ {
    MARKER.captures_iter(text).filter_map(|found| {
        let whole = found.get(0)?;
        let hashes = !found["open"].is_empty() || !found["close"].is_empty();
        if !found["sep"].is_empty() && !hashes {
            return None;
        }
        let is_begin = found.name("begin").is_some();
        let exact_form = if is_begin { BEGIN } else { END };
        Some(Marker {
            start: whole.start(),
            end: whole.end(),
            is_begin,
            exact: whole.as_str().eq_ignore_ascii_case(exact_form),
        })
    })
}

/// Splits `text` at paid markers into alternating free and paid segments.
/// Warnings about malformed markers name `path`.
pub fn split<'a>(path: &Path, text: &'a str) -> (Vec<Segment<'a>>, Vec<Warning>) {
    let mut segments = Vec::new();
    let mut warnings = Vec::new();
    let mut depth = 0usize;
    let mut start = 0usize;
    let mut start_line = 1usize;
    let mut line = 1usize;
    let mut scanned = 0usize;
    let mut last_begin_line = 0usize;
    for marker in markers(text) {
        line += count_newlines(&text[scanned..marker.start]);
        scanned = marker.start;
        if !marker.exact {
            let shape = &text[marker.start..marker.end];
            let meant = if marker.is_begin { BEGIN } else { END };
            warnings.push(Warning::new(
                path,
                Some(line),
                format!("'{}' read as {meant}; write it exactly so", shape.trim()),
            ));
        }
        let before = &text[start..marker.start];
        if marker.is_begin {
            if depth > 0 {
                warnings.push(Warning::new(
                    path,
                    Some(line),
                    "##paidbegin## inside a paid part; it needs its own ##paidend## (treated as paid)",
                ));
            }
            push(&mut segments, access_of(depth), before, start_line);
            depth += 1;
            last_begin_line = line;
        } else if depth == 0 {
            warnings.push(Warning::new(
                path,
                Some(line),
                "##paidend## without a ##paidbegin## before it: the text before it is treated as paid",
            ));
            // Fail closed: the begin may have been lost anywhere before, so
            // all of it is paid, except the title line of the essay.
            let title_end = if start == 0 {
                title_line_end(before)
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
        } else {
            push(&mut segments, Access::Paid, before, start_line);
            depth -= 1;
        }
        start_line = line;
        start = marker.end;
    }
    push(&mut segments, access_of(depth), &text[start..], start_line);
    if depth > 0 {
        warnings.push(Warning::new(
            path,
            Some(last_begin_line),
            "##paidbegin## is never closed: the rest of the essay is paid",
        ));
    }
    (segments, warnings)
}

/// Whether `text` holds a paid marker in any shape [`split`] reads as one.
pub fn has_marker(text: &str) -> bool {
    markers(text).next().is_some()
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

/// The byte offset just past the first non-blank line of `text`, with the
/// `===`/`---` line under it when it is a Markdown Setext title (the end of
/// `text` if there is no line break after it).
fn title_line_end(text: &str) -> usize {
    let mut lines = text.split_inclusive('\n');
    let mut offset = 0;
    for line in lines.by_ref() {
        offset += line.len();
        if !line.trim().is_empty() {
            break;
        }
    }
    if let Some(next) = lines.next() {
        let underline = next.trim();
        let setext = !underline.is_empty()
            && (underline.bytes().all(|b| b == b'=') || underline.bytes().all(|b| b == b'-'));
        if setext {
            offset += next.len();
        }
    }
    offset
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
        split(Path::new("e.txt"), text)
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
        let (segments, warnings) = split(Path::new("e.txt"), "a\n##paidbegin##b\nc");
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
        let (segments, warnings) = split(Path::new("e.txt"), "\n题目\na\nb##paidend##c");
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
            "＃＃paidbegin＃＃",
            "##ｐａｉｄｂｅｇｉｎ##",
            "## paidbegin ##",
            "##paid begin##",
            "##paid_begin##",
            "##paid \t\u{a0}\u{3000}begin##",
            "#paidbegin#",
            "###PaidBegin###",
            "\\#\\#paidbegin\\#\\#",
            "&#35;&#35;paidbegin&#x23;&#x23;",
            "paidbegin",
        ] {
            let text = format!("题目\n免费\n{shape}付费\n##paidend##尾");
            let (segments, warnings) = split(Path::new("e.txt"), &text);
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
