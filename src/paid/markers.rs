//! Finding paid markers: one matcher for every input format, run line by
//! line on the [canonical](super::canonical) form of the text. In Markdown
//! it also runs on what a line *renders* to (escapes and entities decoded,
//! emphasis delimiters and inline tags removed), so `##&#112;aidbegin##`
//! or `##paid*begin*##` cannot show a marker with the paid text after it.
//!
//! What counts as a marker is broad (any shape that could be meant as one);
//! which markers are *exact* is narrow: only an exact `##paidend##` closes a
//! paid part (see [`super::split`]).

use std::sync::LazyLock;

use regex::Regex;

use super::canonical::{CanonicalLine, canonicalize};

/// How the source text is displayed, which decides what can render a marker.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rendering {
    /// Shown as written (plain text, or text already rendered).
    Literal,
    /// CommonMark: escapes, entities, emphasis and inline HTML change what shows.
    Markdown,
}

/// Begin or end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Something that could be `##paidbegin##`.
    Begin,
    /// Something that could be `##paidend##`.
    End,
}

/// A marker found in the source text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Marker {
    /// Byte offset of its first source byte.
    pub start: usize,
    /// Byte offset just past it.
    pub end: usize,
    /// Begin or end.
    pub kind: Kind,
    /// Exactly `##paidbegin##` / `##paidend##` in canonical form, as
    /// written (not only as rendered).
    pub exact: bool,
    /// The 1-based line it stands on.
    pub line: usize,
}

/// The pieces of a marker on canonical text: runs of `#` signs (or their
/// escapes), and the core: `paid`, any separators and `begin` or `end`. A
/// separator is anything that is not a letter, digit, `#` or `&` (the
/// skeleton turns dashes into `ー`, which counts too).
static PIECE: LazyLock<Regex> = LazyLock::new(|| {
    let hash = r"(?:\\?#|&#0*35;|&#x0*23;|&num;)";
    let pattern = format!(
        r"(?P<hashes>{hash}+)|paid(?P<sep>(?:[^\p{{L}}\p{{N}}#&\n]|ー)*)(?:(?P<begin>begin)|end)"
    );
    Regex::new(&pattern).expect("the marker pattern is valid")
});

/// Whether `c` may stand between a marker's `#` signs and its words.
fn is_separator(c: char) -> bool {
    c == 'ー' || !(c.is_alphanumeric() || c == '#' || c == '&')
}

/// The markers of `text` in order, in every shape it may show one.
pub fn find(text: &str, rendering: Rendering) -> impl Iterator<Item = Marker> + '_ {
    let mut canonical = CanonicalLine::default();
    let mut rendered = CanonicalLine::default();
    let mut offset = 0;
    text.split_inclusive('\n')
        .enumerate()
        .flat_map(move |(index, line)| {
            let start = offset;
            offset += line.len();
            let line = line.strip_suffix('\n').unwrap_or(line);
            canonicalize(line, &mut canonical);
            let mut found = in_line(&canonical, true);
            if rendering == Rendering::Markdown {
                render_markdown(line, &mut rendered);
                let as_rendered = in_line(&rendered, false);
                found = merge(found, as_rendered);
            }
            found.into_iter().map(move |(s, e, kind, exact)| Marker {
                start: start + s,
                end: start + e,
                kind,
                exact,
                line: index + 1,
            })
        })
}

/// Whether `text` shows any marker shape.
pub fn any(text: &str, rendering: Rendering) -> bool {
    find(text, rendering).next().is_some()
}

type Found = (usize, usize, Kind, bool);

/// A piece of a marker found in a canonical line.
struct Piece {
    start: usize,
    end: usize,
    /// `None` for a run of `#` signs; else whether the core is a begin.
    begin: Option<bool>,
    /// Whether the core has separators between its words.
    separated: bool,
}

/// Markers in one canonical line, as source spans. Each run of `#` signs
/// belongs to one marker at most: the one it touches, else the core before
/// it, else the one after it (separators between). Exactness is only
/// granted on the text as written (`may_be_exact`).
fn in_line(line: &CanonicalLine, may_be_exact: bool) -> Vec<Found> {
    let text = line.text.as_str();
    if !text.contains("paid") {
        return Vec::new();
    }
    let pieces: Vec<Piece> = PIECE
        .captures_iter(text)
        .filter_map(|found| {
            let whole = found.get(0)?;
            Some(Piece {
                start: whole.start(),
                end: whole.end(),
                begin: found
                    .name("hashes")
                    .is_none()
                    .then(|| found.name("begin").is_some()),
                separated: found.name("sep").is_some_and(|sep| !sep.is_empty()),
            })
        })
        .collect();
    let only_separators = |from: usize, to: usize| text[from..to].chars().all(is_separator);
    let mut taken = vec![false; pieces.len()];
    let mut found = Vec::new();
    for (index, core) in pieces.iter().enumerate() {
        let Some(is_begin) = core.begin else { continue };
        let before = index.checked_sub(1).filter(|&i| {
            let hashes = &pieces[i];
            hashes.begin.is_none() && !taken[i] && only_separators(hashes.end, core.start)
        });
        let next_core = pieces.get(index + 2).filter(|p| p.begin.is_some());
        let after = Some(index + 1).filter(|&i| {
            pieces.get(i).is_some_and(|hashes| {
                let touches_next = next_core.is_some_and(|next| next.start == hashes.end);
                let touches_this = hashes.start == core.end;
                hashes.begin.is_none()
                    && only_separators(core.end, hashes.start)
                    && (touches_this || !touches_next)
            })
        });
        // Prose may say "paid end"; it is a marker only between `#` signs.
        if core.separated && before.is_none() && after.is_none() {
            continue;
        }
        // "paidendorsement" is a word, not an end; a marker straight after
        // does not make it one.
        let next_starts_here = pieces.get(index + 1).is_some_and(|p| p.start == core.end);
        let word_goes_on = !next_starts_here
            && text[core.end..]
                .chars()
                .next()
                .is_some_and(char::is_alphanumeric);
        if !is_begin && after.is_none() && word_goes_on {
            continue;
        }
        let start = before.map_or(core.start, |i| pieces[i].start);
        let end = after.map_or(core.end, |i| pieces[i].end);
        for i in before.into_iter().chain(after) {
            taken[i] = true;
        }
        let (kind, exact_form) = if is_begin {
            (Kind::Begin, super::BEGIN)
        } else {
            (Kind::End, super::END)
        };
        let exact = may_be_exact && &text[start..end] == exact_form;
        let (source_start, source_end) = line.source_span(start, end);
        found.push((source_start, source_end, kind, exact));
    }
    found
}

/// Joins the markers of the text as written and as rendered. Where they
/// overlap, an exact written marker wins (only the written can be exact),
/// else the rendered one: it is what the reader would see, and it knows
/// which `#` signs belong to which marker.
fn merge(written: Vec<Found>, rendered: Vec<Found>) -> Vec<Found> {
    if rendered.is_empty() {
        return written;
    }
    let overlap = |a: &Found, b: &Found| a.0 < b.1 && b.0 < a.1;
    let (exact, loose): (Vec<Found>, Vec<Found>) = written.into_iter().partition(|w| w.3);
    let rendered: Vec<Found> = rendered
        .into_iter()
        .filter(|r| !exact.iter().any(|e| overlap(r, e)))
        .collect();
    let loose = loose
        .into_iter()
        .filter(|l| !rendered.iter().any(|r| overlap(r, l)));
    let mut all: Vec<Found> = exact
        .into_iter()
        .chain(rendered.iter().copied())
        .chain(loose)
        .collect();
    all.sort_by_key(|f| f.0);
    all
}

/// The canonical form of what one Markdown line renders to: backslash
/// escapes and character references decoded; `*`, `_`, `~` and `` ` ``
/// (emphasis, strikethrough and code delimiters) and inline tags and
/// comments removed. Each character keeps the span of its source.
fn render_markdown(line: &str, out: &mut CanonicalLine) {
    out.clear();
    let bytes = line.as_bytes();
    let mut comment_end = Closer::new("-->");
    let mut tag_end = Closer::new(">");
    let mut at = 0;
    while at < line.len() {
        let c = line[at..].chars().next().unwrap_or_default();
        let len = c.len_utf8();
        let skip_to = match c {
            '\\' if bytes.get(at + 1).is_some_and(u8::is_ascii_punctuation) => {
                out.push_canonical(char::from(bytes[at + 1]), (at, at + 2));
                at += 2;
                continue;
            }
            '&' => entity(&line[at..]).map(|(decoded, used)| {
                for d in decoded {
                    out.push_canonical(d, (at, at + used));
                }
                at + used
            }),
            '*' | '_' | '~' | '`' => Some(at + 1),
            '<' if line[at..].starts_with("<!--") => comment_end.end_after(line, at),
            '<' if bytes
                .get(at + 1)
                .is_some_and(|b| b.is_ascii_alphabetic() || *b == b'/' || *b == b'?') =>
            {
                tag_end.end_after(line, at)
            }
            _ => None,
        };
        match skip_to {
            Some(next) => at = next,
            None => {
                out.push_canonical(c, (at, at + len));
                at += len;
            }
        }
    }
}

/// Finds where an inline tag or comment ends, searching forward for its
/// closing text at most once per occurrence, so that a line full of `<`
/// costs linear time.
struct Closer {
    needle: &'static str,
    /// Where the last search found the needle (`None`: nowhere after it).
    found: Option<Option<usize>>,
}

impl Closer {
    fn new(needle: &'static str) -> Self {
        Closer {
            needle,
            found: None,
        }
    }

    /// The offset just past the first `needle` at or after `at`.
    fn end_after(&mut self, line: &str, at: usize) -> Option<usize> {
        let found = match self.found {
            Some(Some(found)) if found >= at => Some(found),
            Some(None) => None,
            _ => find_from(line, at, self.needle),
        };
        self.found = Some(found);
        found.map(|found| found + self.needle.len())
    }
}

fn find_from(line: &str, at: usize, needle: &str) -> Option<usize> {
    line[at..].find(needle).map(|found| at + found)
}

/// The characters an HTML character reference at the start of `text`
/// (`&amp;`, `&#112;`, `&#x70;`; named ones from the HTML5 table) stands
/// for, and its length in bytes. Plain text's web residue decodes with it
/// too, so both read references alike.
pub(crate) fn entity(text: &str) -> Option<(Vec<char>, usize)> {
    let end = text.as_bytes().iter().take(40).position(|&b| b == b';')?;
    let name = &text[1..end];
    let chars = if let Some(number) = name.strip_prefix('#') {
        let code = match number.strip_prefix(['x', 'X']) {
            Some(hex) => u32::from_str_radix(hex, 16).ok()?,
            None => number.parse().ok()?,
        };
        vec![char::from_u32(code).unwrap_or('\u{fffd}')]
    } else {
        let &(first, second) = markup5ever::data::NAMED_ENTITIES.get(&text[1..=end])?;
        [first, second]
            .into_iter()
            .filter(|&c| c != 0)
            .filter_map(char::from_u32)
            .collect()
    };
    Some((chars, end + 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shapes(text: &str, rendering: Rendering) -> Vec<(&str, Kind, bool)> {
        find(text, rendering)
            .map(|m| (&text[m.start..m.end], m.kind, m.exact))
            .collect()
    }

    #[test]
    fn exact_markers_in_any_case_width_or_with_invisible_characters() {
        for (text, kind) in [
            ("##paidbegin##", Kind::Begin),
            ("##PAIDEND##", Kind::End),
            ("＃＃ｐａｉｄｅｎｄ＃＃", Kind::End),
            ("##paid\u{200b}end##", Kind::End),
            ("##pаidbеgin##", Kind::Begin), // Cyrillic а, е
        ] {
            assert_eq!(shapes(text, Rendering::Literal), [(text, kind, true)]);
        }
    }

    #[test]
    fn near_misses_are_markers_but_not_exact() {
        for text in [
            "## paidend ##",
            "###paidend###",
            "#paidend#",
            "##paid_end##",
            "##paid\u{2010}end##",
            "\\#\\#paidend\\#\\#",
            "&#35;&#35;paidend&#35;&#35;",
            "#paidend",
            "paidend",
        ] {
            let found = shapes(text, Rendering::Literal);
            assert_eq!(found, [(text, Kind::End, false)], "{text}");
        }
    }

    #[test]
    fn prose_is_not_a_marker() {
        for text in [
            "paid endorsements",
            "## Paid endorsements",
            "#paid endorsement",
            "the paid end of it",
            "I paid Begin's bill",
            "paidendorsement",
        ] {
            assert_eq!(shapes(text, Rendering::Literal), [], "{text}");
        }
    }

    #[test]
    fn markdown_renderings_show_markers() {
        for text in [
            "##&#112;aidbegin##",
            "##paid*begin*##",
            "##paid<b>begin</b>##",
            "##paid<!-- x -->begin##",
            "\\#\\#pa&iota;dbegin\\#\\#",
        ] {
            let found = shapes(text, Rendering::Markdown);
            assert_eq!(found, [(text, Kind::Begin, false)], "{text}");
        }
        // A rendered end is never exact: only what is written closes.
        assert_eq!(
            shapes("##paid**end**##", Rendering::Markdown),
            [("##paid**end**##", Kind::End, false)]
        );
    }

    #[test]
    fn each_run_of_hashes_belongs_to_one_marker() {
        assert_eq!(
            shapes("paidend  ##paidend## x", Rendering::Literal),
            [
                ("paidend", Kind::End, false),
                ("##paidend##", Kind::End, true)
            ]
        );
        assert_eq!(
            shapes("##paidbegin## paid end ##", Rendering::Literal),
            [
                ("##paidbegin##", Kind::Begin, true),
                ("paid end ##", Kind::End, false)
            ]
        );
        // The rendered begin keeps its `#` signs from the prose after it.
        assert_eq!(
            shapes("##&#112;aidbegin## paid end of year", Rendering::Markdown),
            [("##&#112;aidbegin##", Kind::Begin, false)]
        );
        // A marker right after a word does not make the word go on.
        assert_eq!(
            shapes("ipaidendpaidbegin", Rendering::Literal),
            [
                ("paidend", Kind::End, false),
                ("paidbegin", Kind::Begin, false)
            ]
        );
    }

    #[test]
    fn markers_mid_line_and_lines_are_counted() {
        let text = "a\nb ##paidbegin##c\n##paidend##";
        let lines: Vec<_> = find(text, Rendering::Literal).map(|m| m.line).collect();
        assert_eq!(lines, [2, 3]);
    }
}
