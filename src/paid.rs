//! Paid markers. `##paidbegin##` and `##paidend##` may stand anywhere in a
//! line, in plain text and Markdown alike, so they are found in the raw text
//! before any parsing: a marker inside a code block or a heading still counts.
//! Whatever is ambiguous is paid (fail closed): an unclosed begin makes the
//! rest paid, a nested begin needs its own end.

use std::path::Path;

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
    let mut search = 0usize;
    while let Some(found) = text[search..].find("##") {
        let at = search + found;
        let marker = marker_at(&text.as_bytes()[at..]);
        let Some((is_begin, len)) = marker else {
            search = at + 1;
            continue;
        };
        line += count_newlines(&text[scanned..at]);
        scanned = at;
        let before = access_of(depth);
        if is_begin {
            if depth > 0 {
                warnings.push(Warning::new(
                    path,
                    Some(line),
                    "##paidbegin## inside a paid part; it needs its own ##paidend## (treated as paid)",
                ));
            }
            depth += 1;
            last_begin_line = line;
        } else if depth == 0 {
            warnings.push(Warning::new(
                path,
                Some(line),
                "##paidend## without a ##paidbegin## before it; ignored",
            ));
        } else {
            depth -= 1;
        }
        // Every marker ends a segment, even one that changes nothing, so that
        // the marker itself never reaches the book.
        push(&mut segments, before, &text[start..at], start_line);
        start_line = line;
        start = at + len;
        search = at + len;
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

/// Whether any paid marker occurs in `text` (case-insensitive, as [`split`]).
pub fn has_marker(text: &str) -> bool {
    has_marker_bytes(text.as_bytes())
}

/// Whether raw bytes hold a marker in an ASCII-compatible encoding (the
/// same test as [`has_marker`], before decoding).
pub fn has_marker_bytes(bytes: &[u8]) -> bool {
    bytes
        .windows(2)
        .enumerate()
        .any(|(at, pair)| pair == b"##" && marker_at(&bytes[at..]).is_some())
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

/// `Some((is_begin, byte_len))` when a marker starts `rest` (ASCII case ignored).
fn marker_at(bytes: &[u8]) -> Option<(bool, usize)> {
    let matches = |marker: &str| {
        bytes.len() >= marker.len() && bytes[..marker.len()].eq_ignore_ascii_case(marker.as_bytes())
    };
    if matches(BEGIN) {
        Some((true, BEGIN.len()))
    } else if matches(END) {
        Some((false, END.len()))
    } else {
        None
    }
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
    fn stray_end_warns_and_is_removed() {
        let (segments, warnings) = split(Path::new("e.txt"), "a\nb##paidend##c");
        assert!(segments.iter().all(|s| s.access == Access::Free));
        let text: String = segments.iter().map(|s| s.text).collect();
        assert_eq!(text, "a\nbc");
        assert_eq!(warnings[0].line, Some(2));
    }

    #[test]
    fn near_misses_are_text() {
        assert_eq!(
            accesses("## heading\n##paid##"),
            vec![(Access::Free, "## heading\n##paid##", 1)]
        );
        assert!(!has_marker("## paidbegin ##"));
        assert!(has_marker("x##PaidBegin##"));
    }
}
