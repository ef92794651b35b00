//! `text`: arbitrary text through `paid::split` and the plain-text parser.
//! Never panics. Checks:
//! - split: segments are ordered, disjoint slices of the text; what lies
//!   between them is markers only; no marker of the text lies in a segment
//!   (a segment read alone may show one: `ipaidend` before `paidbegin##`
//!   is a word in the text, an end shape alone; the preview guard answers
//!   for what a page shows);
//! - fail closed: every character that a minimal model calls paid is paid
//!   in the split (the model: exact `##paidbegin##` opens, anything that
//!   may be an end closes, nested begins need their own end, an unclosed
//!   begin runs to the end of the text);
//! - parse: on `Ok` the title is non-empty, one line, drawn from free text
//!   (or the file's stem); the text of each part's blocks is drawn, in order,
//!   from the segments of its own access — nothing moves between free and
//!   paid, whatever lines were joined or dropped as boilerplate.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;
use wenji::paid::Access;
use wenji::paid::{Rendering, markers, split};
use wenji::parse::{Format, PlainRules, parse};

/// Per byte: whether a minimal model calls it paid content. Begins are the
/// exact `##paidbegin##` (ASCII case ignored); since wenji also reads
/// near-miss shapes as markers, anything that may be an end closes a level:
/// `paid` + optional separator + `end`, ASCII or full-width, any case.
fn model_paid(text: &str) -> Vec<bool> {
    const BEGIN: &[u8] = b"##paidbegin##";
    let bytes = text.as_bytes();
    let chars: Vec<(usize, char)> = text
        .char_indices()
        .map(|(i, c)| {
            let c = match c {
                '\u{ff21}'..='\u{ff5a}' => char::from_u32(c as u32 - 0xfee0).unwrap_or(c),
                c => c,
            };
            (i, c.to_ascii_lowercase())
        })
        .collect();
    let may_end = |k: usize| -> bool {
        let word = |at: usize, w: &str| {
            w.chars()
                .enumerate()
                .all(|(j, c)| chars.get(at + j).is_some_and(|&(_, d)| d == c))
        };
        if !word(k, "paid") {
            return false;
        }
        let sep = chars
            .get(k + 4)
            .is_some_and(|&(_, c)| matches!(c, ' ' | '_' | '-' | '\u{3000}'));
        word(k + 4, "end") || (sep && word(k + 5, "end"))
    };
    let mut paid = vec![false; bytes.len()];
    let mut in_marker = vec![false; bytes.len()];
    let mut depth = 0usize;
    for (k, &(i, _)) in chars.iter().enumerate() {
        if bytes[i..].len() >= BEGIN.len() && bytes[i..i + BEGIN.len()].eq_ignore_ascii_case(BEGIN)
        {
            in_marker[i..i + BEGIN.len()].fill(true);
            depth += 1;
        } else if may_end(k) {
            depth = depth.saturating_sub(1);
        }
        let end = chars.get(k + 1).map_or(bytes.len(), |&(j, _)| j);
        paid[i..end].fill(depth > 0);
    }
    paid.iter()
        .zip(&in_marker)
        .map(|(&p, &m)| p && !m)
        .collect()
}

fn offset(text: &str, part: &str) -> usize {
    part.as_ptr() as usize - text.as_ptr() as usize
}

fuzz_target!(|text: &str| {
    let path = Path::new("f.txt");
    let (segments, _) = split(path, text, Rendering::Literal);
    let marker_spans: Vec<_> = markers::find(text, Rendering::Literal)
        .map(|m| m.start..m.end)
        .collect();
    let mut end = 0;
    let mut access = vec![None; text.len()];
    for segment in &segments {
        assert!(!segment.text.is_empty());
        let start = offset(text, segment.text);
        assert!(
            start >= end && start + segment.text.len() <= text.len(),
            "segments out of order"
        );
        let gap = &text[end..start];
        assert!(
            split(path, gap, Rendering::Literal).0.is_empty(),
            "text lost between segments: {gap:?}"
        );
        let span = start..start + segment.text.len();
        assert!(
            marker_spans
                .iter()
                .all(|m| m.end <= span.start || span.end <= m.start),
            "marker inside segment {:?}",
            segment.text
        );
        end = start + segment.text.len();
        access[start..end].fill(Some(segment.access));
    }
    assert!(
        split(path, &text[end..], Rendering::Literal).0.is_empty(),
        "text lost at the end"
    );
    for ((i, paid), got) in model_paid(text).into_iter().enumerate().zip(&access) {
        let c = text.as_bytes()[i];
        if paid && !c.is_ascii_whitespace() {
            assert_ne!(
                *got,
                Some(Access::Free),
                "byte {i} ({:?}) is paid but free",
                c as char
            );
        }
    }

    // Parse: nothing crosses between free and paid. The text of every
    // block (whitespace aside) is drawn, in order, from its own access's
    // segments; the title from the free ones (or it is the file's stem).
    // Web residue rewrites text (entities), so files with `<` or `&` are
    // only checked not to panic.
    let Ok((essay, _)) = parse(path, text, Format::Text, &PlainRules::default()) else {
        return;
    };
    assert!(!essay.title.is_empty() && !essay.title.contains('\n'));
    assert!(essay.title.chars().count() <= wenji::parse::MAX_TITLE_CHARS);
    if text.contains(['<', '&']) {
        return;
    }
    let source = |want: Access| -> String {
        segments
            .iter()
            .filter(|s| s.access == want)
            .flat_map(|s| s.text.chars())
            .filter(|c| !c.is_whitespace())
            .collect()
    };
    let drawn_from = |got: &str, from: &str| {
        let mut from = from.chars();
        got.chars()
            .filter(|c| !c.is_whitespace())
            .all(|c| from.any(|f| f == c))
    };
    let free = source(Access::Free);
    assert!(essay.title == "f" || drawn_from(&essay.title, &free), "title not from free text");
    for (access, blocks) in essay.parts() {
        let from = source(access);
        let mut got = String::new();
        for block in blocks {
            got.push_str(&wenji::document::plain_text(block.nodes()));
        }
        assert!(drawn_from(&got, &from), "{access:?} blocks not drawn from {access:?} text");
    }
});
