//! `marker_oracle`: wenji's marker matcher against an oracle of its own.
//! The oracle is a second, much smaller reading of the canonical form (see
//! [`oracle_line`]): per character NFKD, default-ignorable code points and
//! combining marks dropped, lower case, and a hand-written map of the
//! look-alikes of the letters of `paidbegin` and `paidend`. It finds only
//! exact markers, as plain substrings of a line's canonical form. Checks,
//! for plain text and Markdown alike:
//! - fail closed: after every exact `##paidbegin##` the oracle sees, the
//!   text up to the oracle's next exact `##paidend##` is not free in
//!   `paid::split` (a close wenji makes on characters the oracle does not
//!   know ends that stretch too: the oracle cannot judge it);
//! - every end wenji calls exact is exactly `##paidend##` to the oracle,
//!   unless it holds a character the oracle does not know.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;
use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::canonical_combining_class;
use wenji::paid::{Access, Kind, Rendering, markers, split};

/// One character of a line in the oracle's canonical form.
#[derive(Clone, Copy)]
struct OracleChar {
    c: char,
    /// The byte span of the source character it came from, in the text.
    start: usize,
    end: usize,
    /// Whether the oracle knows what the source character reads as: ASCII,
    /// or non-ASCII that became ASCII or is in its look-alike map.
    known: bool,
}

/// Default_Ignorable_Code_Point, from the Unicode property's definition.
fn default_ignorable(c: char) -> bool {
    matches!(
        c as u32,
        0xad | 0x34f
            | 0x61c
            | 0x115f..=0x1160
            | 0x17b4..=0x17b5
            | 0x180b..=0x180f
            | 0x200b..=0x200f
            | 0x202a..=0x202e
            | 0x2060..=0x206f
            | 0x3164
            | 0xfe00..=0xfe0f
            | 0xfeff
            | 0xffa0
            | 0xfff0..=0xfff8
            | 0x1bca0..=0x1bca3
            | 0x1d173..=0x1d17a
            | 0xe0000..=0xe0fff
    )
}

/// Marks: a non-zero canonical combining class, or one of the blocks of
/// combining marks (which hold marks of class 0 too).
fn mark(c: char) -> bool {
    canonical_combining_class(c) != 0
        || matches!(
            c as u32,
            0x300..=0x36f | 0x1ab0..=0x1aff | 0x1dc0..=0x1dff | 0x20d0..=0x20ff | 0xfe20..=0xfe2f
        )
}

/// Look-alikes (lower case) of the letters of the markers.
fn look_alike(c: char) -> Option<char> {
    Some(match c {
        'р' | 'ρ' | 'ϱ' => 'p',
        'а' | 'α' | 'ɑ' => 'a',
        'і' | 'ι' | 'ı' | 'ɩ' => 'i',
        'ԁ' => 'd',
        'е' => 'e',
        'ɡ' => 'g',
        _ => return None,
    })
}

/// The oracle's canonical form of `line`, which starts at byte `offset`.
fn oracle_line(line: &str, offset: usize) -> Vec<OracleChar> {
    let mut out = Vec::new();
    for (at, source) in line.char_indices() {
        let (start, end) = (offset + at, offset + at + source.len_utf8());
        if default_ignorable(source) {
            continue;
        }
        for decomposed in std::iter::once(source).nfkd() {
            if default_ignorable(decomposed) || mark(decomposed) {
                continue;
            }
            for lower in decomposed.to_lowercase() {
                let (c, known) = match look_alike(lower) {
                    Some(latin) => (latin, true),
                    None => (lower, lower.is_ascii()),
                };
                out.push(OracleChar {
                    c,
                    start,
                    end,
                    known,
                });
            }
        }
    }
    out
}

/// An exact marker the oracle sees: its kind and source span.
struct Exact {
    begin: bool,
    start: usize,
    end: usize,
}

fn oracle_markers(text: &str) -> Vec<Exact> {
    let begin: Vec<char> = wenji::paid::BEGIN.chars().collect();
    let end: Vec<char> = wenji::paid::END.chars().collect();
    let mut found = Vec::new();
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let chars = oracle_line(line.strip_suffix('\n').unwrap_or(line), offset);
        offset += line.len();
        for k in 0..chars.len() {
            for (is_begin, word) in [(true, &begin), (false, &end)] {
                let Some(window) = chars.get(k..k + word.len()) else {
                    continue;
                };
                if window.iter().map(|o| o.c).eq(word.iter().copied()) {
                    found.push(Exact {
                        begin: is_begin,
                        start: window[0].start,
                        end: window[word.len() - 1].end,
                    });
                }
            }
        }
    }
    found
}

/// The oracle's reading of `source`: whether it is exactly `##paidend##`,
/// or `None` if it holds a character the oracle does not know.
fn oracle_is_exact_end(source: &str) -> Option<bool> {
    let chars = oracle_line(source, 0);
    if chars.iter().any(|o| !o.known) {
        return None;
    }
    Some(chars.iter().map(|o| o.c).eq(wenji::paid::END.chars()))
}

fn offset(text: &str, part: &str) -> usize {
    part.as_ptr() as usize - text.as_ptr() as usize
}

fuzz_target!(|text: &str| {
    let oracle = oracle_markers(text);
    for rendering in [Rendering::Literal, Rendering::Markdown] {
        // Closes wenji makes: where they are, and whether the oracle can judge them.
        let mut unjudged_closes = Vec::new();
        for marker in markers::find(text, rendering) {
            if marker.kind != Kind::End || !marker.exact {
                continue;
            }
            let source = &text[marker.start..marker.end];
            match oracle_is_exact_end(source) {
                Some(exact) => assert!(exact, "wenji reads {source:?} as an exact end"),
                None => unjudged_closes.push(marker.start),
            }
        }
        let path = Path::new(if rendering == Rendering::Literal {
            "f.txt"
        } else {
            "f.md"
        });
        let mut free = vec![false; text.len()];
        for segment in split(path, text, rendering).0 {
            if segment.access == Access::Free {
                let start = offset(text, segment.text);
                free[start..start + segment.text.len()].fill(true);
            }
        }
        for begin in oracle.iter().filter(|m| m.begin) {
            let next_end = oracle
                .iter()
                .filter(|m| !m.begin && m.start >= begin.end)
                .map(|m| m.start)
                .chain(unjudged_closes.iter().copied().filter(|&s| s >= begin.end))
                .min()
                .unwrap_or(text.len());
            if let Some(at) = (begin.end..next_end).find(|&i| free[i]) {
                panic!(
                    "{rendering:?}: byte {at} is free, after the exact begin at {}..{}",
                    begin.start, begin.end
                );
            }
        }
    }
});
