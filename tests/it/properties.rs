//! Property tests: random essays, plain text and Markdown, with paid parts
//! marked on their own lines or mid-line, sometimes nested, never closed or
//! closed twice, and text full of CJK, quotes, markup and control
//! characters, are built through the library in both layouts and both
//! editions. Markers come in every spelling wenji documents: exact, exact
//! only in canonical form (other case or width, invisible characters,
//! Cyrillic, Greek and mathematical look-alike letters), near misses
//! (separators, `#` counts, escapes, entities, emphasis) and, in Markdown,
//! shapes only the rendering shows; paid parts also hold prose and near
//! misses that look like an end. Every build either fails with an error
//! that starts with the file's path, or gives a full edition holding all
//! tokens and a preview that holds no paid token, or is refused by the
//! preview guard with an error that starts with the book's path and writes
//! nothing (counted: more than one refusal in ten fails the property). A
//! near miss or look-alike never frees paid text: only an exact end closes.
//! Nothing panics.
//!
//! Each paid part holds a token (`Paidtok…`), free stretches hold
//! `Freetok…` tokens: ASCII letters between spaces, which no typographic
//! rule changes (corner brackets, full-width punctuation and tate-chu-yoko
//! touch only quotes, punctuation and digits), so a token is in a book or it
//! is not. Some tokens are only inside an SVG image the essay shows, so the
//! images a preview packs are checked too.
//!
//! 256 cases per property, or `PROPTEST_CASES`. With
//! `WENJI_PROPERTY_BOOKS=DIR` the books of the first cases of each property
//! (both layouts, both editions) are also copied to `DIR` as
//! `prop-NNNN-LAYOUT-EDITION.epub`, their sources in `prop-NNNN-sources/`,
//! for EPUBCheck:
//!
//! ```text
//! WENJI_PROPERTY_BOOKS=/tmp/prop PROPTEST_CASES=24 cargo test --test it properties::
//! scripts/epubcheck-books /tmp/prop/*.epub
//! ```

use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use proptest::prelude::*;
use proptest::sample::select;
use proptest::test_runner::{Config, TestCaseError, TestRunner};

use wenji::book::Typography;
use wenji::build;
use wenji::settings::Options;
use wenji::{Edition, Layout, output};

/// Cases per property unless `PROPTEST_CASES` says otherwise.
const DEFAULT_CASES: u32 = 256;
/// Cases per property whose books `WENJI_PROPERTY_BOOKS` receives.
const KEEP_PER_PROPERTY: usize = 3;

fn config() -> Config {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(DEFAULT_CASES);
    Config {
        cases,
        // Regressions are kept as #[test]s below, not in files beside the tests.
        failure_persistence: None,
        max_shrink_iters: 4096,
        ..Config::default()
    }
}

// ---------------------------------------------------------------------------
// The essay model and its text.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Text,
    Markdown,
}

impl Format {
    fn extension(self) -> &'static str {
        match self {
            Format::Text => "txt",
            Format::Markdown => "md",
        }
    }
}

/// How a marker is written.
#[derive(Debug, Clone)]
struct Marker {
    /// On a line of its own, else mid-line between spaces.
    own_line: bool,
    /// Its spelling: an index into [`SHAPES`].
    shape: usize,
    /// For a shape read exactly: changes that keep it exact in canonical
    /// form, each (place, what) as [`disguise`] applies it.
    disguise: Vec<(usize, usize)>,
}

/// How wenji must read a shape, as documented.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Reading {
    /// Exact in canonical form: a begin opens, an end closes.
    Exact,
    /// A near miss: a begin opens, an end never closes (inside a paid part
    /// the part goes on; outside one the text before it is paid).
    NearMiss,
    /// Only what Markdown renders shows a marker: in Markdown a near miss;
    /// in plain text no marker at all (a begin is written exactly there).
    RenderedOnly,
}

/// Spellings of begin and end and how they are read.
const SHAPES: &[(&str, &str, Reading)] = &[
    ("##paidbegin##", "##paidend##", Reading::Exact),
    ("##PaidBegin##", "##PAIDEND##", Reading::Exact),
    ("##PAIDBEGIN##", "##PaidEnd##", Reading::Exact),
    (
        "＃＃ｐａｉｄｂｅｇｉｎ＃＃",
        "＃＃ＰＡＩＤＥＮＤ＃＃",
        Reading::Exact,
    ),
    ("##𝐩𝐚𝐢𝐝𝐛𝐞𝐠𝐢𝐧##", "##𝐩𝐚𝐢𝐝𝐞𝐧𝐝##", Reading::Exact),
    ("##раidbеgіn##", "##раidеnd##", Reading::Exact), // Cyrillic а р е і
    ("##ραιdbegin##", "##ραιdend##", Reading::Exact), // Greek ρ α ι
    ("##paıdbegın##", "##paıdend##", Reading::Exact), // dotless ı
    ("## paidbegin ##", "## paidend ##", Reading::NearMiss),
    ("##paid begin##", "##paid end##", Reading::NearMiss),
    ("##paid_begin##", "##paid_end##", Reading::NearMiss),
    ("##paid\\_begin##", "##paid\\_end##", Reading::NearMiss),
    ("##paid-begin##", "##paid-end##", Reading::NearMiss),
    ("##paid－begin##", "##paid－end##", Reading::NearMiss),
    (
        "##paid\u{2010}begin##",
        "##paid\u{2010}end##",
        Reading::NearMiss,
    ),
    (
        "##paid\u{3000}begin##",
        "##paid\u{3000}end##",
        Reading::NearMiss,
    ),
    ("##paid  begin##", "##paid  end##", Reading::NearMiss),
    ("##paid\tbegin##", "##paid\tend##", Reading::NearMiss),
    (
        "## paid\u{a0}begin ##",
        "## paid\u{a0}end ##",
        Reading::NearMiss,
    ),
    (
        "＃＃ｐａｉｄ＿ｂｅｇｉｎ＃＃",
        "＃＃ｐａｉｄ＿ｅｎｄ＃＃",
        Reading::NearMiss,
    ),
    ("#paidbegin#", "#paidend#", Reading::NearMiss),
    ("###paidbegin###", "###paidend###", Reading::NearMiss),
    (
        "\\#\\#paidbegin\\#\\#",
        "\\#\\#paidend\\#\\#",
        Reading::NearMiss,
    ),
    (
        "&#35;&#35;paidbegin&#35;&#35;",
        "&#35;&#35;paidend&#35;&#35;",
        Reading::NearMiss,
    ),
    (
        "&#x23;&num;paidbegin&#x23;&#x23;",
        "&#x23;&#x23;paidend&num;&#x23;",
        Reading::NearMiss,
    ),
    ("##paid*begin*##", "##paid**end**##", Reading::NearMiss),
    ("paidbegin", "paidend", Reading::NearMiss),
    (
        "##&#112;aidbegin##",
        "##&#112;aidend##",
        Reading::RenderedOnly,
    ),
    (
        "##paid<i>begin</i>##",
        "##paid<b>end</b>##",
        Reading::RenderedOnly,
    ),
    (
        "##pai<!-- -->dbegin##",
        "##pa&iota;dend##",
        Reading::RenderedOnly,
    ),
];

/// Shapes before this index are read exactly; the first one is the marker
/// as the README writes it.
const EXACT_SHAPES: usize = 8;

/// Invisible characters wenji's canonical form drops: default-ignorable
/// code points and combining marks.
const INVISIBLES: &[char] = &[
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
    '\u{e0061}',
    '\u{301}',
    '\u{308}',
    '\u{323}',
];

/// Look-alikes of the letters of the markers that read as those letters in
/// canonical form: Cyrillic, Greek, dotless ı, full-width, mathematical
/// bold, other case.
const LOOK_ALIKES: &[(char, &[&str])] = &[
    ('#', &["＃", "﹟"]),
    ('p', &["р", "Р", "ρ", "ｐ", "𝐩", "P"]),
    ('a', &["а", "А", "α", "ａ", "𝐚", "A"]),
    ('i', &["і", "І", "ι", "ı", "ｉ", "𝐢", "I"]),
    ('d', &["ｄ", "𝐝", "D"]),
    ('b', &["ｂ", "𝐛", "B"]),
    ('e', &["е", "Е", "ｅ", "𝐞", "E"]),
    ('g', &["ｇ", "𝐠", "G"]),
    ('n', &["ｎ", "𝐧", "N"]),
];

/// `word` with each (place, what) of `changes` applied: `what` below the
/// number of [`INVISIBLES`] inserts that one after the character at
/// `place` (never after the last); else the character (an ASCII one) is
/// replaced by one of its [`LOOK_ALIKES`].
fn disguise(word: &str, changes: &[(usize, usize)]) -> String {
    let mut chars: Vec<String> = word.chars().map(String::from).collect();
    let last = chars.len() - 1;
    for &(place, what) in changes {
        let place = place % chars.len();
        if what < INVISIBLES.len() {
            if place < last {
                chars[place].push(INVISIBLES[what]);
            }
            continue;
        }
        let Some(first) = chars[place].chars().next() else {
            continue;
        };
        let lower = first.to_ascii_lowercase();
        if let Some((_, forms)) = LOOK_ALIKES.iter().find(|(c, _)| *c == lower) {
            let tail: String = chars[place].chars().skip(1).collect();
            chars[place] = format!("{}{tail}", forms[what % forms.len()]);
        }
    }
    chars.concat()
}

/// What a paid part may hold that looks like an end but is not an exact
/// one: prose, and near misses, on lines of their own or beside the markers
/// around them. None of them may free the text after it.
const END_LOOK_ALIKES: &[&str] = &[
    "\npaid endorsement\n",
    " paid endorsements of the year ",
    " #paidend of year ",
    " the paid end of it ",
    "\npaidendorsement\n",
    " PAID END ",
    " paidend ",
    "\n## Paid endorsements\n",
    "\n\n## Paid endorsements\n\n",
    " ##paid_end## ",
    " ###paidend### ",
    " ##paid end## ",
    " ##paid\u{2010}end## ",
    " \\#\\#paidend\\#\\# ",
    " ##paid\u{200b}_end## ",
];

/// A paid part: begin, body, and an end unless it is never closed.
#[derive(Debug, Clone)]
struct Chunk {
    begin: Marker,
    /// Something that looks like an end right after the begin: an index
    /// into [`END_LOOK_ALIKES`].
    opening: Option<usize>,
    /// Its first token is placed by the chunk itself, so no paid part is empty.
    body: Vec<Piece>,
    end: Option<Marker>,
}

#[derive(Debug, Clone)]
enum Piece {
    /// Text without tokens or markers.
    Filler(String),
    /// A token, written with wrapper number `.0` of the format.
    Token(usize),
    /// A paid part (inside a paid part: a nested one).
    Paid(Chunk),
    /// A `##paidend##` without a begin.
    StrayEnd(Marker),
    /// Inside a paid part only: text that looks like an end but is not an
    /// exact one, an index into [`END_LOOK_ALIKES`].
    EndLookAlike(usize),
}

#[derive(Debug, Clone)]
struct EssaySpec {
    format: Format,
    /// What stands before the title line (a BOM, blank lines).
    lead: &'static str,
    /// Markdown: whether the title line is there at all.
    titled: bool,
    title: String,
    pieces: Vec<Piece>,
    /// Rarely: something that may make the build fail (a NUL byte, a missing
    /// local image), inserted before piece `.0`.
    hazard: Option<(usize, &'static str)>,
}

/// Book settings beyond the essays.
#[derive(Debug, Clone)]
struct Settings {
    lang: Option<&'static str>,
    authors: Vec<String>,
    title: Option<String>,
    title_page: bool,
    toc_page: bool,
    tcy_digits: Vec<usize>,
    vertical_punctuation: bool,
    /// Pass the essays' folder instead of the files.
    folder_input: bool,
    /// Draw the generated cover as a PNG too: in a few cases only, as it
    /// costs more than the rest of a small book.
    raster_cover: bool,
}

/// What a token's place says about it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Class {
    /// Outside any paid part: in both editions.
    Free,
    /// Inside a paid part or after an unclosed begin: only in the full edition.
    Paid,
}

/// A token and what the books must do with it.
#[derive(Debug, Clone)]
struct Token {
    text: String,
    class: Class,
    /// Whether the full edition (and for a free token the preview) must
    /// hold it; not for an image that may have become code.
    must_appear: bool,
}

/// One generated book: sources, tokens and settings.
#[derive(Debug, Clone)]
struct Case {
    /// File name and text of each essay, in reading order.
    essays: Vec<(String, String)>,
    /// Image files beside the essays: name and text.
    images: Vec<(String, String)>,
    tokens: Vec<Token>,
    /// An essay holds a hazard, so an error is allowed.
    may_fail: bool,
    settings: Settings,
}

/// Letters without vowels, so tokens never spell a word such as `paidend`.
const TOKEN_LETTERS: &[u8] = b"bcfghjkmqrsvwxz";

fn token_code(mut n: usize, width: usize) -> String {
    let base = TOKEN_LETTERS.len();
    let mut letters = vec![b'b'; width];
    for slot in letters.iter_mut().rev() {
        *slot = TOKEN_LETTERS[n % base];
        n /= base;
    }
    String::from_utf8(letters).unwrap()
}

enum Event {
    Begin,
    End {
        /// Exact in canonical form: closes a paid part.
        closes: bool,
    },
    Token(usize),
    /// Markers never reach across files: each essay starts free.
    EssayEnd,
}

/// Writes essays as text and records where every token and marker went.
struct Writer {
    tag: String,
    next_token: usize,
    /// Each token and whether it must be in the full edition.
    tokens: Vec<(String, bool)>,
    events: Vec<Event>,
    /// Image files the essays refer to: name and SVG text.
    images: Vec<(String, String)>,
    /// A code fence of this essay may still be open: Markdown images after
    /// it may be code, not images.
    fence_open: bool,
}

impl Writer {
    fn essay(&mut self, spec: &EssaySpec) -> String {
        self.fence_open = false;
        let mut out = String::from(spec.lead);
        match spec.format {
            Format::Text => out.push_str(&spec.title),
            Format::Markdown if spec.titled => {
                out.push_str("# ");
                out.push_str(&spec.title);
            }
            Format::Markdown => out.push_str(&spec.title), // a paragraph, not a title
        }
        out.push_str(if spec.format == Format::Markdown {
            "\n\n"
        } else {
            "\n"
        });
        for (i, piece) in spec.pieces.iter().enumerate() {
            if let Some((at, hazard)) = spec.hazard
                && at == i
            {
                out.push_str(hazard);
            }
            self.piece(&mut out, spec.format, piece, false);
        }
        if let Some((at, hazard)) = spec.hazard
            && at >= spec.pieces.len()
        {
            out.push_str(hazard);
        }
        out
    }

    fn piece(&mut self, out: &mut String, format: Format, piece: &Piece, paid: bool) {
        match piece {
            Piece::Filler(text) => {
                self.fence_open |= text.contains(UNCLOSED_FENCE);
                out.push_str(text);
            }
            Piece::Token(wrapper) => self.token(out, format, *wrapper, paid),
            Piece::StrayEnd(marker) => self.marker(out, format, false, marker),
            Piece::EndLookAlike(index) => {
                out.push_str(END_LOOK_ALIKES[*index % END_LOOK_ALIKES.len()]);
            }
            Piece::Paid(chunk) => {
                self.marker(out, format, true, &chunk.begin);
                if let Some(index) = chunk.opening {
                    self.piece(out, format, &Piece::EndLookAlike(index), true);
                }
                self.token(out, format, 0, true);
                for piece in &chunk.body {
                    self.piece(out, format, piece, true);
                }
                if let Some(end) = &chunk.end {
                    self.marker(out, format, false, end);
                }
            }
        }
    }

    fn token(&mut self, out: &mut String, format: Format, wrapper: usize, paid: bool) {
        let token = format!(
            "{}tok{}{}",
            if paid { "Paid" } else { "Free" },
            token_code(self.next_token, 4),
            self.tag
        );
        self.next_token += 1;
        let wrappers = match format {
            Format::Text => TEXT_WRAPPERS,
            Format::Markdown => MARKDOWN_WRAPPERS,
        };
        let wrapper = wrappers[wrapper % wrappers.len()];
        let mut must_appear = true;
        if wrapper.contains("{img}") {
            // The token is only in the image: in a book exactly when the image is.
            let name = format!("{}.svg", token.to_lowercase());
            let svg = format!(
                "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"200\" height=\"20\" \
                 viewBox=\"0 0 200 20\"><text x=\"0\" y=\"15\">{token}</text></svg>\n"
            );
            out.push_str(&wrapper.replace("{img}", &name));
            self.images.push((name, svg));
            must_appear = !self.fence_open;
        } else {
            out.push_str(&wrapper.replace("{}", &format!(" {token} ")));
        }
        self.events.push(Event::Token(self.tokens.len()));
        self.tokens.push((token, must_appear));
    }

    fn marker(&mut self, out: &mut String, format: Format, begin: bool, marker: &Marker) {
        let (begin_shape, end_shape, mut reading) = SHAPES[marker.shape % SHAPES.len()];
        let mut word = if begin { begin_shape } else { end_shape };
        if reading == Reading::RenderedOnly && format == Format::Text {
            if begin {
                // Plain text shows it as written, which is no marker: it
                // would not open a paid part, so the begin is written exactly.
                (word, reading) = (SHAPES[0].0, Reading::Exact);
            } else {
                // Not a marker: it neither closes nor frees anything.
                out.push_str(&format!(" {word} "));
                return;
            }
        }
        let word = if reading == Reading::Exact {
            disguise(word, &marker.disguise)
        } else {
            word.to_string()
        };
        let (before, after) = if marker.own_line || !word.contains('#') {
            ("\n", "\n")
        } else {
            (" ", " ")
        };
        out.push_str(before);
        out.push_str(&word);
        out.push_str(after);
        self.events.push(if begin {
            Event::Begin
        } else {
            Event::End {
                closes: reading == Reading::Exact,
            }
        });
    }

    /// Classifies every token by the documented rules: a begin (exact or
    /// not) opens a paid part and needs its own end (nesting counts); only
    /// an end exact in canonical form closes one, so after a near miss the
    /// part goes on; an unclosed begin makes the rest of the essay paid; an
    /// end outside a paid part makes the free text before it paid, back to
    /// the previous marker (no token stands on a title line).
    fn classify(&self) -> Vec<Token> {
        let mut classes = vec![Class::Free; self.tokens.len()];
        let mut depth = 0usize;
        let mut since_marker = Vec::new();
        for event in &self.events {
            match *event {
                Event::Token(i) if depth > 0 => classes[i] = Class::Paid,
                Event::Token(i) => since_marker.push(i),
                Event::Begin => {
                    depth += 1;
                    since_marker.clear();
                }
                Event::End { closes } => {
                    if depth == 0 {
                        for &i in &since_marker {
                            classes[i] = Class::Paid;
                        }
                    } else if closes {
                        depth -= 1;
                    }
                    since_marker.clear();
                }
                Event::EssayEnd => {
                    depth = 0;
                    since_marker.clear();
                }
            }
        }
        self.tokens
            .iter()
            .zip(classes)
            .map(|((text, must_appear), class)| Token {
                text: text.clone(),
                class,
                must_appear: *must_appear,
            })
            .collect()
    }
}

/// Ways a token stands in plain text; `{}` is the token with spaces around.
const TEXT_WRAPPERS: &[&str] = &[
    "{}",
    "“{}”",
    "‘{}’",
    "「{}」",
    "\"{}\"",
    "（{}）",
    "12{}34",
    "中文{}中文",
    "漢字《かんじ》{}",
    "\n第三章{}\n",
    "\nChapter 7{}\n",
    "\n一、{}\n",
    "\n\u{3000}\u{3000}{}\n",
    "<b>{}</b>",
    "&amp;{}&",
    "\t{}\r\n",
];

/// Ways a token stands in Markdown: inline, in blocks, in raw HTML.
const MARKDOWN_WRAPPERS: &[&str] = &[
    "{}",
    "*{}*",
    "**{}**",
    " _{}_ ",
    " `{}` ",
    " ~~{}~~ ",
    " [{}](https://example.org/a?b=1&c=2) ",
    " <b>{}</b> ",
    " <i>{}",
    " <span title=\"x\">{}</span> ",
    "“{}”",
    "\n\n## {}\n\n",
    "\n\n# {}\n\n",
    "\n\n###### {}\n\n",
    "\n\n{}\n---\n\n",
    "\n\n- a\n- {}\n  - b\n\n",
    "\n\n1. {}\n2. c\n\n",
    "\n\n> > {}\n\n",
    "\n\n> - {}\n\n",
    "\n\n| h | {} |\n|---|:-:|\n| a | b |\n\n",
    "\n\n| h | k |\n|---|---|\n| {} | b |\n\n",
    "\n\n```\n{}\n```\n\n",
    "\n\n    {}\n\n",
    "\n\n<div>{}</div>\n\n",
    "\n\n<div>\n{}\n",
    " <ruby>{}<rt>rt</rt></ruby> ",
    "\n\n<table><tr><td>{}</td></tr></table>\n\n",
    // Images: the token is in the SVG file only. Each starts a paragraph at
    // the line's start: indented, it would be code.
    "\n\n![图]({img})\n\n",
    "\n\n![]({img} \"title\") after\n\n",
    "\n\n图 <img src=\"{img}\" alt=\"图\"> ",
];

// ---------------------------------------------------------------------------
// Strategies.

const SAMPLES: &[&str] = &[
    "国家安全是民族复兴的根基。",
    "社会稳定是国家强盛的前提，",
    "我们要坚持人民至上、",
    "中文,English;混排:句子.",
    "你好!",
    "什么?真的!",
    "书名《红楼梦》",
    "漢字《かんじ》",
    "ひらがなとカタカナ。",
    "國家安全是民族復興的根基。",
    "한국어 문장.",
    "……",
    "——",
    "第1页，共12页",
    "3.14与2024年",
    "!!",
    "!?",
    "?!",
    "1",
    "12",
    "123",
    "😀",
    "e\u{301}",
    "שלום",
    "\u{202e}rtl\u{202c}",
    "\u{200b}",
    "\u{ad}",
];

const WORDS: &[&str] = &[
    "tea",
    "morning walk",
    "A",
    "I",
    "x",
    "don't",
    "e.g.",
    "co-op",
    "a.b",
    "CJK",
    "Hello, world.",
];

const TEXT_PUNCT: &[&str] = &[
    ".", ",", ";", ":", "!", "?", "'", "\"", "(", ")", "[", "]", "{", "}", "<", ">", "&", "*", "_",
    "`", "~", "|", "\\", "/", "-", "=", "+", "%", "$", "@", "^", "。", "，", "、", "！", "？",
    "：", "；", "（", "）", "「", "」", "『", "』", "《", "》", "·", "…", "—", "｜",
];

/// Punctuation that cannot turn a following token into something that is
/// not text (a link target, a fence's info string, a tag's attribute).
const MARKDOWN_PUNCT: &[&str] = &[
    ".", ",", ";", ":", "!", "?", "'", "\"", "(", ")", "{", "}", "&", "*", "_", "\\", "/", "-",
    "=", "+", "%", "$", "@", "^", " < ", ">", "。", "，", "、", "！", "？", "：", "「", "」", "《",
    "》", "…",
];

const QUOTES: &[&str] = &["“", "”", "‘", "’", "“引号”", "‘单引’", "\"ascii\"", "'s"];

/// Characters XML 1.0 forbids (wenji strips them with a warning), a stray
/// BOM, and characters XML allows but discourages.
const CONTROLS: &[&str] = &[
    "\u{1}", "\u{2}", "\u{7}", "\u{8}", "\u{b}", "\u{c}", "\u{e}", "\u{f}", "\u{10}", "\u{1a}",
    "\u{1b}", "\u{1f}", "\u{fffe}", "\u{ffff}", "\u{feff}", "\u{7f}", "\u{85}", "\u{9f}",
];

const SPACES: &[&str] = &[" ", "  ", "\t", "\u{3000}", "\u{a0}", "\u{2028}"];

const NEWLINES: &[&str] = &["\n", "\n\n", "\r\n", "\r", "\n\n\n"];

const TEXT_ONLY: &[&str] = &[
    "\n第一章 起\n",
    "\n第12回\n",
    "\n一、小节\n",
    "\n（二）小小节\n",
    "\nChapter 4\n",
    "\nPART II\n",
    "｜東京《とうきょう》",
    "<script>x</script>",
    "<b>不是标记</b>",
    "&amp;&lt;&nbsp;",
    "]]>",
    "<![CDATA[",
    "<!-- -->",
    "\u{3000}\u{3000}缩进",
    "  前后空格  ",
];

const MARKDOWN_ONLY: &[&str] = &[
    "\n\n# 一级标题\n\n",
    "\n\n### 小节\n\n",
    "\n\n- 一\n- 二\n  - 嵌套\n\n",
    "\n\n1. 甲\n2. 乙\n\n",
    "\n\n> 引用\n> > 嵌套引用\n\n",
    "*强调*",
    "**加粗**",
    " _em_ ",
    " __strong__ ",
    " ~~删除~~ ",
    " `code & >` ",
    " ``co`de`` ",
    "\n\n```\nlet x = a && b;\n<tag> & \"q\"\n```\n\n",
    "\n\n```rust\nfn main() {}\n```\n\n",
    "\n\n~~~\ntilde fence\n~~~\n\n",
    UNCLOSED_FENCE,
    " [链接](https://example.org/path?a=1&b=2) ",
    " [bad](javascript:alert(1)) ",
    " [rel](other.html) ",
    " [pct](https://e.org/a%zz) ",
    " ![远程图](https://example.org/x.png) ",
    " <https://example.org/auto> ",
    " <b>粗</b> ",
    " <b> ",
    " </b> ",
    " <i> ",
    " <div> ",
    " </div> ",
    "\n\n<div>\n块\n",
    " <script>x</script> ",
    " <script>alert('x')</script> ",
    " <style>p { color: red }</style> ",
    "&nbsp;",
    "&amp;",
    "&lt;",
    "&copy;",
    "&#x4e2d;",
    "&bogus;",
    " <br> ",
    " <hr> ",
    " <span title=\"a&b<c\">s</span> ",
    " <a href=\"https://e.org/a%zz\">pct</a> ",
    " <a href=\"javascript:alert(1)\">js</a> ",
    " <table><tr><td>td</td></tr></table> ",
    " <table> ",
    " <ul><p>p</p><li>li</li></ul> ",
    " <ruby>漢<rp>(</rp><rt>かん</rt><rp>)</rp></ruby> ",
    " <ruby>孤</ruby> ",
    " <iframe src=x>inside</iframe> ",
    " <!-- comment --> ",
    " <p> ",
    " </p> ",
    " <h2>raw</h2> ",
    " <blockquote> ",
    " <li>stray</li> ",
    " <dl><dt>a</dt><dd>b</dd></dl> ",
    " <img src=\"https://e.org/x.png\" alt=\"alt\"> ",
    " <img src=\"data:image/png;base64,AAAA\" alt=\"d\"> ",
    " <img alt=\"only alt\"> ",
    " ![d](data:image/png;base64,AAAA) ",
    " <x-y>custom</x-y> ",
    " <sup>1</sup> ",
    " <tfoot><tr><td>f</td></tr></tfoot> ",
    " <ol start=\"abc\"><li>o</li></ol> ",
    " <q>q</q> ",
    " <figure>f<figcaption>c</figcaption></figure> ",
    "\n\n| 甲 | 乙 |\n|---|:-:|\n| 1 | 2 |\n| 3 |\n\n",
    "\n\n|a|\n|-|\n\n",
    "\n\n---\n\n",
    "\n\n***\n\n",
    "  \n",
    "\\\n",
    "\n\n    indented code\n\n",
];

/// A code fence that is never closed: the rest of its segment is code.
const UNCLOSED_FENCE: &str = "\n\n```\nunclosed fence\n";

/// Things that may make a build fail cleanly. NUL bytes come in pairs: in
/// an essay without non-ASCII text a single one can pass for UTF-16 (see the
/// ignored regression test below).
const HAZARDS: &[&str] = &["\u{0}\u{0}", " ![本地](missing.png) ", " ![](../x.png) "];

fn cjk_run() -> BoxedStrategy<String> {
    proptest::collection::vec(proptest::char::range('\u{4e00}', '\u{9fa5}'), 1..8)
        .prop_map(|chars| chars.into_iter().collect())
        .boxed()
}

fn pick(list: &'static [&'static str]) -> BoxedStrategy<String> {
    select(list).prop_map(String::from).boxed()
}

fn fragment(format: Format) -> BoxedStrategy<String> {
    let punct = match format {
        Format::Text => TEXT_PUNCT,
        Format::Markdown => MARKDOWN_PUNCT,
    };
    let common = prop_oneof![
        5 => cjk_run(),
        3 => pick(SAMPLES),
        2 => pick(WORDS),
        3 => pick(punct),
        1 => pick(QUOTES),
        1 => pick(CONTROLS),
        2 => pick(SPACES),
        2 => pick(NEWLINES),
    ];
    match format {
        Format::Text => prop_oneof![8 => common, 1 => pick(TEXT_ONLY)].boxed(),
        Format::Markdown => prop_oneof![6 => common, 3 => pick(MARKDOWN_ONLY)].boxed(),
    }
}

fn filler(format: Format) -> BoxedStrategy<String> {
    proptest::collection::vec(fragment(format), 1..6)
        .prop_map(|parts| parts.concat())
        .boxed()
}

fn marker() -> BoxedStrategy<Marker> {
    let shape = prop_oneof![
        10 => Just(0),
        4 => 1..EXACT_SHAPES,
        6 => EXACT_SHAPES..SHAPES.len(),
    ];
    let changes = INVISIBLES.len() + 8;
    let disguise = prop_oneof![
        Just(Vec::new()),
        proptest::collection::vec((0..16usize, 0..changes), 1..4),
    ];
    (prop::bool::weighted(0.4), shape, disguise)
        .prop_map(|(own_line, shape, disguise)| Marker {
            own_line,
            shape,
            disguise,
        })
        .boxed()
}

/// A filler or a token.
fn leaf(format: Format) -> BoxedStrategy<Piece> {
    prop_oneof![
        3 => filler(format).prop_map(Piece::Filler),
        2 => any::<usize>().prop_map(Piece::Token),
    ]
    .boxed()
}

/// A paid part whose body holds `inner` pieces; closed with probability `closed`.
fn chunk(inner: BoxedStrategy<Piece>, closed: f64) -> BoxedStrategy<Chunk> {
    (
        marker(),
        prop::option::weighted(0.15, 0..END_LOOK_ALIKES.len()),
        proptest::collection::vec(inner, 0..5),
        prop::option::weighted(closed, marker()),
    )
        .prop_map(|(begin, opening, body, end)| Chunk {
            begin,
            opening,
            body,
            end,
        })
        .boxed()
}

/// What a paid part holds besides nested parts: fillers, tokens and
/// things that look like an end but must not close it.
fn paid_leaf(format: Format) -> BoxedStrategy<Piece> {
    prop_oneof![
        5 => leaf(format),
        1 => (0..END_LOOK_ALIKES.len()).prop_map(Piece::EndLookAlike),
    ]
    .boxed()
}

fn top_piece(format: Format) -> BoxedStrategy<Piece> {
    let nested = chunk(paid_leaf(format), 0.9).prop_map(Piece::Paid);
    let in_paid = prop_oneof![8 => paid_leaf(format), 1 => nested].boxed();
    prop_oneof![
        10 => leaf(format),
        4 => chunk(in_paid, 0.93).prop_map(Piece::Paid),
        1 => marker().prop_map(Piece::StrayEnd),
    ]
    .boxed()
}

fn title(format: Format) -> BoxedStrategy<String> {
    let extra: &'static [&'static str] = match format {
        Format::Text => &[" ", "：", "·", "&", "<", ">", "\"", "'", "（上）", "2024"],
        Format::Markdown => &[" ", "：", "·", "&", "\"", "'", "（上）", "2024"],
    };
    let word = prop_oneof![cjk_run(), pick(WORDS)];
    (
        word.clone(),
        proptest::collection::vec(prop_oneof![word, pick(extra)], 0..4),
    )
        .prop_map(|(first, rest)| first + &rest.concat())
        .boxed()
}

fn essay(format: Format) -> BoxedStrategy<EssaySpec> {
    (
        select(&["", "", "", "\n", "\u{feff}", "\r\n  \n"][..]),
        prop::bool::weighted(0.95),
        title(format),
        proptest::collection::vec(top_piece(format), 0..16),
        prop::option::weighted(0.05, (0..16usize, select(HAZARDS))),
    )
        .prop_map(move |(lead, titled, title, pieces, hazard)| EssaySpec {
            format,
            lead,
            titled,
            title,
            pieces,
            hazard,
        })
        .boxed()
}

fn settings() -> BoxedStrategy<Settings> {
    let name = prop_oneof![
        pick(&["林小川", "A & B", "<x>", "\"Q\"", "  ", "某某"]),
        cjk_run()
    ];
    (
        select(
            &[
                None,
                None,
                Some("zh-Hans"),
                Some("zh-Hant"),
                Some("ja"),
                Some("en"),
            ][..],
        ),
        proptest::collection::vec(name, 0..3),
        prop::option::weighted(0.1, pick(&["文集 & <书>", "  ", "Tea & Time"])),
        any::<(bool, bool, bool)>(),
        select(vec![vec![2], vec![2, 3], vec![1, 2, 3, 4]]),
        prop::bool::weighted(0.85),
        prop::bool::weighted(0.1),
    )
        .prop_map(
            |(
                lang,
                authors,
                title,
                (title_page, toc_page, folder_input),
                tcy,
                punctuation,
                raster_cover,
            )| {
                Settings {
                    lang,
                    authors,
                    title,
                    title_page,
                    toc_page,
                    tcy_digits: tcy,
                    vertical_punctuation: punctuation,
                    folder_input,
                    raster_cover,
                }
            },
        )
        .boxed()
}

/// Books of `count` essays; `format` fixes their format, else it is drawn per essay.
fn case(format: Option<Format>, count: std::ops::RangeInclusive<usize>) -> BoxedStrategy<Case> {
    let essay = match format {
        Some(format) => essay(format),
        None => prop_oneof![essay(Format::Text), essay(Format::Markdown)].boxed(),
    };
    (
        proptest::collection::vec(essay, count),
        settings(),
        proptest::collection::vec(select(TOKEN_LETTERS), 3),
    )
        .prop_map(|(specs, settings, tag)| {
            let mut writer = Writer {
                tag: String::from_utf8(tag).unwrap(),
                next_token: 0,
                tokens: Vec::new(),
                events: Vec::new(),
                images: Vec::new(),
                fence_open: false,
            };
            let mut essays = Vec::new();
            let mut may_fail = false;
            for (i, spec) in specs.iter().enumerate() {
                let text = writer.essay(spec);
                writer.events.push(Event::EssayEnd);
                may_fail |= spec.hazard.is_some();
                essays.push((
                    format!("{:02}-essay.{}", i + 1, spec.format.extension()),
                    text,
                ));
            }
            Case {
                essays,
                tokens: writer.classify(),
                images: writer.images,
                may_fail,
                settings,
            }
        })
        .boxed()
}

// ---------------------------------------------------------------------------
// Building and checking.

/// One entry of an EPUB: its name and decompressed bytes.
struct Entry {
    name: String,
    data: Vec<u8>,
}

fn entries(epub: &Path) -> Result<Vec<Entry>, TestCaseError> {
    let file = fs::File::open(epub).map_err(fail)?;
    let mut archive = zip::ZipArchive::new(file).map_err(fail)?;
    let mut entries = Vec::new();
    for i in 0..archive.len() {
        let mut file = archive.by_index(i).map_err(fail)?;
        let mut data = Vec::new();
        file.read_to_end(&mut data).map_err(fail)?;
        let name = file.name().map_err(fail)?.to_string();
        entries.push(Entry { name, data });
    }
    Ok(entries)
}

fn fail(error: impl std::fmt::Display) -> TestCaseError {
    TestCaseError::fail(error.to_string())
}

/// Everything a reader of the archive could see: names and contents.
fn everything(entries: &[Entry]) -> String {
    entries
        .iter()
        .map(|e| format!("{}\n{}\n", e.name, String::from_utf8_lossy(&e.data)))
        .collect()
}

/// The archive starts with the stored `mimetype`; every XML entry parses;
/// every XHTML page is in one of the package's languages, the same in
/// `lang` and `xml:lang`.
fn assert_well_formed(entries: &[Entry], book: &str) -> Result<(), TestCaseError> {
    prop_assert!(
        entries
            .first()
            .is_some_and(|e| e.name == "mimetype" && e.data == b"application/epub+zip"),
        "{book}: mimetype is not the first entry"
    );
    let mut languages = Vec::new();
    let mut pages = Vec::new();
    for entry in entries {
        let xml = [".xhtml", ".opf", ".ncx", ".svg", ".xml"]
            .iter()
            .any(|ext| entry.name.ends_with(ext));
        if !xml {
            continue;
        }
        let text = std::str::from_utf8(&entry.data)
            .map_err(|e| fail(format!("{book}: {} is not UTF-8: {e}", entry.name)))?;
        let options = roxmltree::ParsingOptions {
            allow_dtd: true,
            ..Default::default()
        };
        let doc = roxmltree::Document::parse_with_options(text, options)
            .map_err(|e| fail(format!("{book}: {} is not XML: {e}\n{text}", entry.name)))?;
        let root = doc.root_element();
        if entry.name.ends_with(".opf") {
            languages = doc
                .descendants()
                .filter(|n| n.has_tag_name("language"))
                .filter_map(|n| n.text())
                .map(str::to_string)
                .collect();
        } else if entry.name.ends_with(".xhtml") {
            let xml_lang = root.attribute(("http://www.w3.org/XML/1998/namespace", "lang"));
            pages.push((
                &entry.name,
                root.attribute("lang").map(str::to_string),
                xml_lang.map(str::to_string),
            ));
        }
    }
    prop_assert!(!languages.is_empty(), "{book}: no dc:language");
    for (name, lang, xml_lang) in pages {
        prop_assert!(
            lang.as_ref().is_some_and(|lang| languages.contains(lang)),
            "{}: {} is in {:?}, not one of {:?}",
            book,
            name,
            lang,
            languages
        );
        prop_assert_eq!(lang, xml_lang, "{}: {}", book, name);
    }
    Ok(())
}

fn options(case: &Case, layout: Layout, base: &Path) -> Options {
    let s = &case.settings;
    Options {
        layout,
        lang: s.lang.map(String::from),
        authors: s.authors.clone(),
        title: s.title.clone(),
        typography: Typography {
            title_page: s.title_page,
            toc_page: s.toc_page,
            tcy_digits: s.tcy_digits.clone(),
            vertical_punctuation: s.vertical_punctuation,
            ..Options::default().typography
        },
        modified: Some(1_700_000_000),
        // Not the current folder, whose covers/ would supply the cover.
        base_dir: base.to_path_buf(),
        raster_cover: s.raster_cover,
        ..Options::default()
    }
}

/// Books per property already copied to `WENJI_PROPERTY_BOOKS`, and the next number.
static NEXT_KEPT: AtomicUsize = AtomicUsize::new(0);

/// What the builds of one property came to.
#[derive(Default)]
struct Tally {
    /// Books copied to `WENJI_PROPERTY_BOOKS`.
    kept: AtomicUsize,
    /// Previews asked for (one per layout of a case that loaded).
    previews: AtomicUsize,
    /// Books the guard refused (`PackageError::MarkerShown`).
    refused: AtomicUsize,
}

/// Writes one edition; `None` if the guard refused it, which must name
/// `target` and leave nothing there.
fn write_edition(
    book: &wenji::Book,
    edition: Edition,
    target: &Path,
) -> Result<Option<PathBuf>, TestCaseError> {
    match output::write_book(book, edition, target) {
        Ok(()) => Ok(Some(target.to_path_buf())),
        Err(error) => {
            let message = error.to_string();
            prop_assert!(
                matches!(
                    &error,
                    wenji::Error::Package {
                        source: wenji::package::PackageError::MarkerShown(_),
                        ..
                    }
                ),
                "writing a book failed: {}",
                message
            );
            prop_assert!(
                message.starts_with(&target.display().to_string()),
                "the refusal does not start with the file: {}",
                message
            );
            prop_assert!(!target.exists(), "a refused book was written");
            Ok(None)
        }
    }
}

/// Builds `case` in both layouts and both editions and checks the books.
fn check(case: &Case, tally: &Tally) -> Result<(), TestCaseError> {
    let dir = tempfile::tempdir().map_err(fail)?;
    let essays = dir.path().join("essays");
    fs::create_dir(&essays).map_err(fail)?;
    let mut files = Vec::new();
    for (name, text) in &case.essays {
        let path = essays.join(name);
        fs::write(&path, text).map_err(fail)?;
        files.push(path);
    }
    for (name, svg) in &case.images {
        fs::write(essays.join(name), svg).map_err(fail)?;
    }
    let inputs = if case.settings.folder_input {
        vec![essays.clone()]
    } else {
        files.clone()
    };
    // Per layout: its name, the preview (unless refused) and the full edition.
    let mut books = Vec::new();
    for layout in [Layout::Horizontal, Layout::Vertical] {
        let book = match build::load_book(&inputs, &options(case, layout, dir.path())) {
            Ok((book, _warnings)) => book,
            Err(error) => {
                let message = error.to_string();
                prop_assert!(case.may_fail, "a build failed: {message}");
                prop_assert!(
                    inputs
                        .iter()
                        .any(|input| message.starts_with(&input.display().to_string())),
                    "the error does not start with the file: {message}"
                );
                return Ok(());
            }
        };
        let layout_name = match layout {
            Layout::Horizontal => "horizontal",
            Layout::Vertical => "vertical",
        };
        let target = |edition: &str| dir.path().join(format!("{layout_name}-{edition}.epub"));
        tally.previews.fetch_add(1, Ordering::SeqCst);
        let preview = write_edition(&book, Edition::Preview, &target("preview"))?;
        if preview.is_none() {
            tally.refused.fetch_add(1, Ordering::SeqCst);
        }
        let full = write_edition(&book, Edition::Full, &target("full"))?
            .ok_or_else(|| fail("the full edition was refused"))?;
        books.push((layout_name, preview, full));
    }
    for (layout, preview_path, full_path) in &books {
        let full = entries(full_path)?;
        assert_well_formed(&full, &format!("{layout} full"))?;
        let full = everything(&full);
        let preview = match preview_path {
            Some(path) => {
                let preview = entries(path)?;
                assert_well_formed(&preview, &format!("{layout} preview"))?;
                Some(everything(&preview))
            }
            None => None,
        };
        for token in &case.tokens {
            let text = token.text.as_str();
            let in_preview = preview.as_ref().map(|p| p.contains(text));
            if token.class == Class::Paid {
                prop_assert!(
                    in_preview != Some(true),
                    "paid token {} leaked into the {} preview",
                    text,
                    layout
                );
            }
            if token.must_appear {
                prop_assert!(
                    full.contains(text),
                    "token {} is missing from the {} full edition",
                    text,
                    layout
                );
                if token.class == Class::Free {
                    prop_assert!(
                        in_preview != Some(false),
                        "free token {} is missing from the {} preview",
                        text,
                        layout
                    );
                }
            }
        }
        for (edition, text) in [("preview", preview.as_ref()), ("full", Some(&full))] {
            // Prose a paid part may hold spells the marker's letters.
            let lower = text.map_or(String::new(), |t| {
                t.to_lowercase().replace("paidendorsement", "")
            });
            prop_assert!(
                !lower.contains("paidbegin") && !lower.contains("paidend"),
                "a paid marker reached the {} {} edition",
                layout,
                edition
            );
        }
    }
    if let Some(out) = std::env::var_os("WENJI_PROPERTY_BOOKS")
        && tally.kept.fetch_add(1, Ordering::SeqCst) < KEEP_PER_PROPERTY
    {
        let out = PathBuf::from(out);
        fs::create_dir_all(&out).map_err(fail)?;
        let n = NEXT_KEPT.fetch_add(1, Ordering::SeqCst);
        for (layout, preview, full) in &books {
            let written = [("preview", preview.as_ref()), ("full", Some(full))];
            for (edition, path) in written {
                if let Some(path) = path {
                    let name = format!("prop-{n:04}-{layout}-{edition}.epub");
                    fs::copy(path, out.join(name)).map_err(fail)?;
                }
            }
        }
        let sources = out.join(format!("prop-{n:04}-sources"));
        fs::create_dir_all(&sources).map_err(fail)?;
        for (name, text) in case.essays.iter().chain(&case.images) {
            fs::write(sources.join(name), text).map_err(fail)?;
        }
    }
    Ok(())
}

/// Runs `check` on the cases of `strategy`, then reports how many previews
/// the guard refused. A refusal is a legitimate outcome, but every marker
/// these essays hold is one the source matcher knows, so a refusal means a
/// marker shape survived into a page: more than one preview in ten refused
/// is a fault to look into, not noise.
fn run_property(name: &str, strategy: BoxedStrategy<Case>) {
    let tally = Tally::default();
    let mut runner = TestRunner::new(config());
    let result = runner.run(&strategy, |case| check(&case, &tally));
    let previews = tally.previews.load(Ordering::SeqCst);
    let refused = tally.refused.load(Ordering::SeqCst);
    eprintln!("{name}: {refused} of {previews} previews refused by the guard");
    if let Err(error) = result {
        panic!("{error}");
    }
    assert!(
        refused * 10 <= previews,
        "{name}: the guard refused {refused} of {previews} previews"
    );
}

#[test]
fn plain_text_essays_keep_paid_text_out_of_previews() {
    run_property("plain text", case(Some(Format::Text), 1..=1));
}

#[test]
fn markdown_essays_keep_paid_text_out_of_previews() {
    run_property("Markdown", case(Some(Format::Markdown), 1..=1));
}

#[test]
fn books_of_several_essays_keep_paid_text_out_of_previews() {
    run_property("several essays", case(None, 2..=3));
}

// ---------------------------------------------------------------------------
// Regressions: minimal cases the properties found, each fixed in wenji.

/// Loads one essay with default options (generated cover, fixed time).
fn load_one(name: &str, bytes: &[u8]) -> (tempfile::TempDir, wenji::Result<wenji::Book>) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(name);
    fs::write(&path, bytes).unwrap();
    let options = Options {
        base_dir: dir.path().to_path_buf(),
        modified: Some(1_700_000_000),
        ..Options::default()
    };
    let book = build::load_book(&[path], &options).map(|(book, _)| book);
    (dir, book)
}

#[test]
fn a_single_nul_byte_does_not_turn_utf8_into_utf16() {
    // 16 bytes, the only zero at an even offset: once read as UTF-16BE, the
    // title became 蟩ꊘ૦궣蜊. Two NUL bytes (or an odd length) give Error::Binary.
    let (_dir, book) = load_one("essay.txt", "标题\n正文\n\0\n".as_bytes());
    // A lone NUL is removed with a warning: the essay still builds.
    let book = book.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(book.title, "标题");
}

#[test]
fn a_single_nul_byte_does_not_turn_ascii_into_utf16() {
    // The fix for the test above looks for multi-byte UTF-8 characters; an
    // English essay has none, and reads as UTF-16LE: the title becomes
    // 呥愊晲敥⁴數琊, with no warning.
    let (_dir, book) = load_one("essay.txt", b"Tea\nfree text\n\0\n");
    // A lone NUL is removed with a warning: the essay still builds.
    let book = book.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(book.title, "Tea");
}

#[test]
fn images_with_other_sources_are_left_out_with_their_alt_text() {
    // ammonia drops `src` values outside http, https and mailto before
    // wenji's image packer sees them, so the packer gets "" and refuses the
    // essay, instead of leaving the image out with a warning as it does for
    // https: images (and as its unit test expects for data: ones).
    for image in [
        "![d](data:image/png;base64,AAAA)",
        "<img src=\"data:image/png;base64,AAAA\" alt=\"d\">",
        "<img src=\"ftp://example.org/x.png\" alt=\"d\">",
        "<img alt=\"d\">",
    ] {
        let (_dir, book) = load_one("essay.md", format!("# T\n\n{image}\n").as_bytes());
        let error = book.err().map(|e| e.to_string());
        assert_eq!(error, None, "{image}");
    }
}

/// Everything in the preview edition of one essay, which must build: a
/// failed build or a refused preview fails the test, so that "the paid
/// token is not in the preview" cannot pass on a book that was never written.
fn preview_of(name: &str, text: &str) -> String {
    edition_of(name, text, Edition::Preview)
}

/// Everything in one edition of one essay, which must build (else the test
/// fails with wenji's error).
fn edition_of(name: &str, text: &str, edition: Edition) -> String {
    let (dir, book) = load_one(name, text.as_bytes());
    let book = book.unwrap_or_else(|e| panic!("{name}: {e}\n{text}"));
    let target = dir.path().join("book.epub");
    output::write_book(&book, edition, &target)
        .unwrap_or_else(|e| panic!("{name} ({edition:?}): {e}\n{text}"));
    everything(&entries(&target).unwrap())
}

#[test]
fn markers_with_other_spaces_inside_are_markers() {
    // paid.rs promises that spaces or _/- inside still make a marker; its
    // pattern once allowed a single ' ', '_', '-' or U+3000 only.
    for shape in [
        "##paid  begin##",
        "##paid\tbegin##",
        "##paid\u{a0}begin##",
        "##paid \u{3000}begin##",
        "## paid  begin ##",
    ] {
        for name in ["essay.txt", "essay.md"] {
            let preview = preview_of(name, &format!("# T\n\nfree\n\n{shape} Secrettok\n"));
            assert!(!preview.contains("Secrettok"), "{shape:?} in {name}");
        }
    }
}

#[test]
fn a_stray_end_keeps_a_setext_title() {
    let text = "Title Here\n==========\n\nfree text\n##paidend##\nafter\n";
    let (_dir, book) = load_one("essay.md", text.as_bytes());
    assert_eq!(book.unwrap().title, "Title Here");
}

// Found by the properties with marker shapes side by side on one line: a
// near miss without `#` signs took those of the marker beside it. Each run
// of `#` signs now belongs to one marker only.

#[test]
fn a_near_miss_before_an_exact_end_on_its_line_does_not_hide_it() {
    // `paidend  ##` is read as one near-miss end, `paidend##` as another:
    // the exact end is lost and the rest of the essay is paid.
    for near_miss in ["paidend", "PAID END", "paid end"] {
        for name in ["essay.txt", "essay.md"] {
            let text = format!(
                "# T\n\nfree\n\n##paidbegin## Secrettok {near_miss}  ##paidend## Freetok\n"
            );
            let preview = preview_of(name, &text);
            assert!(!preview.contains("Secrettok"), "{near_miss:?} in {name}");
            assert!(preview.contains("Freetok"), "{near_miss:?} in {name}");
        }
    }
}

#[test]
fn a_rendered_begin_keeps_its_hashes_from_a_near_miss_after_it() {
    // In Markdown `##&#112;aidbegin##` opens a paid part, and the near-miss
    // end after it must keep the part paid. But the written text shows `##
    // paid end` (the begin's closing `##` and the prose), a near-miss end
    // that overlaps the rendered begin and wins: the begin is lost, the end
    // is a stray one, and the text after it is free.
    for after in ["paid end of year:", " paidend", "PAID END"] {
        let text = format!("# T\n\nfree\n\n##&#112;aidbegin## {after} Secrettok\n");
        let preview = preview_of("essay.md", &text);
        assert!(!preview.contains("Secrettok"), "{after:?}");
    }
    // The same overlap keeps a rendered end in the full edition as text.
    let text = "# T\n\n##paidbegin## Secrettok ##&#112;aidend##  paidbegin  Moretok\n";
    let full = edition_of("essay.md", text, Edition::Full);
    assert!(full.contains("Moretok"));
    assert!(
        !full.contains("##paidend"),
        "the rendered end is left as text"
    );
}

#[test]
fn a_character_of_several_letters_is_not_one_of_an_end() {
    // Found by the `marker_oracle` fuzz target. `🆐` (U+1F190) is `DJ` in
    // NFKD, and `🅎` (U+1F14E) `PPV`; canonical.rs keeps only the first
    // letter of an astral character's form, so `##pai🆐end##` (a reader sees
    // `##paiDJend##`) is an exact end and frees what follows it.
    for end in ["##pai🆐end##", "##paiden🆐##", "##🅎aidend##"] {
        for name in ["essay.txt", "essay.md"] {
            let text = format!("# T\n\nfree\n\n##paidbegin## Secrettok {end} Moretok\n");
            let preview = preview_of(name, &text);
            assert!(!preview.contains("Moretok"), "{end} in {name}");
        }
    }
}
