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
//! - parse: on `Ok` the title is the first non-blank line, free, non-empty,
//!   with no marker; every further non-blank trimmed line of the split is one
//!   paragraph or heading (as `HeadingRules` says) of its segment's access,
//!   in order, none holding a line break; parts alternate; the
//!   character counts add up. On `Err` there is no free first line short
//!   enough to be a title.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;
use wenji::essay::Block;
use wenji::paid::Access;
use wenji::paid::{Rendering, markers, split};
use wenji::parse::{Format, HeadingRules, parse};

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

    let mut expected: Vec<(Access, &str)> = Vec::new();
    for segment in &segments {
        for line in segment.text.split('\n') {
            let line = line.trim();
            if !line.is_empty() {
                expected.push((segment.access, line));
            }
        }
    }
    let rules = HeadingRules::default();
    let (essay, _) = match parse(path, text, Format::Text, &rules) {
        Ok(ok) => ok,
        Err(e) => {
            assert!(
                expected.first().is_none_or(|&(a, line)| {
                    a == Access::Paid || line.chars().count() > wenji::parse::MAX_TITLE_CHARS
                }),
                "refused although the first line is a free title: {e}"
            );
            return;
        }
    };
    let Some(&(title_access, title)) = expected.first() else {
        panic!("an essay without a non-blank line was accepted");
    };
    assert_eq!(title_access, Access::Free, "paid title accepted");
    assert_eq!(essay.title, title);
    assert!(!essay.title.is_empty() && !essay.title.contains('\n'));
    assert!(essay.title.chars().count() <= wenji::parse::MAX_TITLE_CHARS);

    let mut got = Vec::new();
    let parts: Vec<_> = essay.parts().collect();
    for (n, (access, blocks)) in parts.iter().enumerate() {
        assert!(!blocks.is_empty(), "empty part");
        if n > 0 {
            assert_ne!(parts[n - 1].0, *access, "adjacent parts share access");
        }
        got.extend(blocks.iter().map(|b| (*access, b.clone())));
    }
    let want: Vec<(Access, Block)> = expected[1..]
        .iter()
        .map(|&(access, line)| match rules.level(line) {
            Some(level) => (access, Block::heading(level, line)),
            None => (access, Block::paragraph(line)),
        })
        .collect();
    assert_eq!(got, want, "blocks differ from the split");
    let count = |want: Access| -> usize {
        expected[1..]
            .iter()
            .filter(|(a, _)| *a == want)
            .map(|(_, l)| Block::paragraph(l).char_count())
            .sum::<usize>()
            + if want == Access::Free {
                title.chars().count()
            } else {
                0
            }
    };
    assert_eq!(
        essay.char_counts(),
        (count(Access::Free), count(Access::Paid))
    );
});
