//! The canonical form paid markers are recognised in. A marker must be
//! found however it is written, so each character is reduced to what a
//! reader would take it for (UTS #39's skeleton, after NFKD):
//! - compatibility forms become their plain letters (`＃ｐ` → `#p`, `𝐩` → `p`);
//! - default-ignorable code points (U+200B, U+00AD, U+2060, variation
//!   selectors, U+3164, …) and combining marks disappear;
//! - case is folded;
//! - look-alike letters become their Latin prototype (Cyrillic `р`, Greek
//!   `ι`, dotless `ı` → `p`, `i`, `i`).
//!
//! ASCII is only case-folded: its skeleton would change letters no marker
//! holds (`m` → `rn`) and ASCII text keeps its length, the common fast path.
//! The canonical text of a line keeps, for each of its bytes, the span of
//! the source it came from, so a match maps back to the source.

use std::sync::LazyLock;

use icu_properties::CodePointSetData;
use icu_properties::props::DefaultIgnorableCodePoint;
use unicode_normalization::char::{decompose_compatible, is_combining_mark};

/// One line in canonical form.
#[derive(Debug, Default)]
pub struct CanonicalLine {
    /// The canonical text.
    pub text: String,
    /// For each byte of `text`, the byte span of the source it came from
    /// (relative to the start of the source line).
    spans: Vec<(u32, u32)>,
}

impl CanonicalLine {
    /// Clears the line for reuse.
    pub fn clear(&mut self) {
        self.text.clear();
        self.spans.clear();
    }

    /// Appends the canonical form of `source`, which stands at `span` in the
    /// source line (one character, or an escape that renders as one).
    pub fn push_canonical(&mut self, source: char, span: (usize, usize)) {
        if source.is_ascii() {
            self.push_raw(source.to_ascii_lowercase(), span);
            return;
        }
        if (source as u32) > 0xffff {
            // Astral characters (mathematical letters, enclosed letters
            // such as 🆐 "DJ") are rare: computed each time, every letter kept.
            for c in compute(source).chars() {
                self.push_raw(c, span);
            }
            return;
        }
        match canonical_char(source) {
            Canonical::Same => self.push_raw(source, span),
            Canonical::Gone => {}
            Canonical::One(c) => self.push_raw(c, span),
            Canonical::Many(index) => {
                for c in many(index).chars() {
                    self.push_raw(c, span);
                }
            }
        }
    }

    /// Appends `c` as it is.
    pub fn push_raw(&mut self, c: char, span: (usize, usize)) {
        let span = (to_u32(span.0), to_u32(span.1));
        self.text.push(c);
        self.spans.extend(std::iter::repeat_n(span, c.len_utf8()));
    }

    /// The source span of the canonical bytes `start..end` (`start < end`).
    pub fn source_span(&self, start: usize, end: usize) -> (usize, usize) {
        (self.spans[start].0 as usize, self.spans[end - 1].1 as usize)
    }
}

fn to_u32(offset: usize) -> u32 {
    u32::try_from(offset).unwrap_or(u32::MAX)
}

/// Appends the canonical form of `line` (no escapes interpreted).
pub fn canonicalize(line: &str, out: &mut CanonicalLine) {
    out.clear();
    for (at, c) in line.char_indices() {
        out.push_canonical(c, (at, at + c.len_utf8()));
    }
}

/// The canonical form of one non-ASCII character.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Canonical {
    /// The character itself.
    Same,
    /// Nothing: ignorable or a combining mark.
    Gone,
    /// One other character.
    One(char),
    /// Several characters: an index into the table's list of forms.
    Many(u32),
}

/// Canonical forms of the Basic Multilingual Plane, computed once: the
/// skeleton costs a decomposition and a table search per character, too
/// much for every character of a 36 MB essay. Multi-character forms are
/// kept in the second list, which [`Canonical::Many`] indexes.
static TABLE: LazyLock<(Vec<Canonical>, Vec<String>)> = LazyLock::new(|| {
    let mut many = Vec::new();
    let bmp = (0..=0xffffu32)
        .map(|code| match char::from_u32(code) {
            Some(c) if !is_inert(c) => classify(c, &mut many),
            _ => Canonical::Same,
        })
        .collect();
    (bmp, many)
});

fn many(index: u32) -> &'static str {
    TABLE.1.get(index as usize).map_or("", String::as_str)
}

fn canonical_char(c: char) -> Canonical {
    TABLE.0.get(c as usize).copied().unwrap_or(Canonical::Same)
}

/// Ranges whose characters are letters no marker holds and that have no
/// compatibility or look-alike form of interest: CJK ideographs, Hangul
/// syllables and private use.
fn is_inert(c: char) -> bool {
    matches!(c as u32, 0x3400..=0x4dbf | 0x4e00..=0x9fff | 0xac00..=0xd7a3 | 0xe000..=0xf8ff)
}

/// The canonical form of `c`; a form of several characters is added to `many`.
fn classify(c: char, many: &mut Vec<String>) -> Canonical {
    let form = compute(c);
    let mut chars = form.chars();
    match (chars.next(), chars.next()) {
        (None, _) => Canonical::Gone,
        (Some(one), None) if one == c => Canonical::Same,
        (Some(one), None) => Canonical::One(one),
        _ => {
            many.push(form);
            Canonical::Many(u32::try_from(many.len() - 1).unwrap_or(0))
        }
    }
}

/// NFKD, without ignorables and combining marks, lower case, skeleton,
/// lower case again.
fn compute(c: char) -> String {
    static IGNORABLE: LazyLock<icu_properties::CodePointSetDataBorrowed<'static>> =
        LazyLock::new(CodePointSetData::new::<DefaultIgnorableCodePoint>);
    let mut decomposed = String::new();
    decompose_compatible(c, |d| {
        if !IGNORABLE.contains(d) && !is_combining_mark(d) {
            decomposed.extend(d.to_lowercase());
        }
    });
    unicode_security::skeleton(&decomposed)
        .filter(|&d| !IGNORABLE.contains(d) && !is_combining_mark(d))
        .flat_map(char::to_lowercase)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn canonical(text: &str) -> String {
        let mut line = CanonicalLine::default();
        canonicalize(text, &mut line);
        line.text
    }

    #[test]
    fn invisible_characters_and_marks_disappear() {
        for invisible in [
            '\u{200b}',
            '\u{200c}',
            '\u{200d}',
            '\u{2060}',
            '\u{ad}',
            '\u{200e}',
            '\u{34f}',
            '\u{fe0f}',
            '\u{3164}',
            '\u{180e}',
            '\u{301}',
            '\u{e0061}',
            '\u{feff}',
        ] {
            assert_eq!(
                canonical(&format!("pa{invisible}id")),
                "paid",
                "{invisible:?}"
            );
        }
    }

    #[test]
    fn look_alikes_become_latin() {
        // Cyrillic а р е і, Greek ι, dotless ı, full-width and mathematical letters.
        assert_eq!(canonical("рауі\u{0435}"), "payie");
        assert_eq!(canonical("ιı"), "ii");
        assert_eq!(canonical("＃ＰＡＩＤ𝐛𝐞𝐠𝐢𝐧﹟"), "#paidbegin#");
        assert_eq!(canonical("PaidEnd"), "paidend");
        // An astral character of several letters keeps every one.
        assert_eq!(canonical("pai🆐end"), "paidjend");
    }

    #[test]
    fn spans_lead_back_to_the_source() {
        let source = "x＃\u{200b}b";
        let mut line = CanonicalLine::default();
        canonicalize(source, &mut line);
        assert_eq!(line.text, "x#b");
        assert_eq!(line.source_span(1, 2), (1, 4));
        assert_eq!(line.source_span(1, 3), (1, source.len()));
    }

    #[test]
    fn cjk_text_is_unchanged() {
        assert_eq!(canonical("付费内容，窓辺"), "付费内容,窓辺");
    }
}
