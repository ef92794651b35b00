//! Property tests: random essays, plain text and Markdown, with paid parts
//! marked on their own lines or mid-line, sometimes nested, never closed or
//! closed twice, now and then in a near-miss shape wenji promises to read
//! as a marker, and text full of CJK, quotes, markup and control characters,
//! are built through the library in both layouts and both editions. Every
//! build either fails with an error that starts with the file's path, or
//! gives books whose XML parses, whose preview holds no paid text and whose
//! full edition holds all of it. Nothing panics.
//!
//! Each paid part holds a token (`Paidtok…`), free stretches hold
//! `Freetok…` tokens: ASCII letters between spaces, which no typographic
//! rule changes (corner brackets, full-width punctuation and tate-chu-yoko
//! touch only quotes, punctuation and digits), so a token is in a book or it
//! is not. Some tokens are only inside an SVG image the essay shows, so the
//! images a preview packs are checked too.
//!
//! 64 cases per property, or `PROPTEST_CASES`. With
//! `WENJI_PROPERTY_BOOKS=DIR` the books of the first cases of each property
//! (both layouts, both editions) are also copied to `DIR` as
//! `prop-NNNN-LAYOUT-EDITION.epub`, their sources in `prop-NNNN-sources/`,
//! for EPUBCheck:
//!
//! ```text
//! WENJI_PROPERTY_BOOKS=/tmp/prop PROPTEST_CASES=24 cargo test --test properties
//! scripts/epubcheck-books /tmp/prop/*.epub
//! ```

use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use proptest::prelude::*;
use proptest::sample::select;
use proptest::test_runner::{Config, TestCaseError};

use wenji::build::{self, Options};
use wenji::{Edition, Layout, output};

/// Cases per property unless `PROPTEST_CASES` says otherwise.
const DEFAULT_CASES: u32 = 64;
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
#[derive(Debug, Clone, Copy)]
struct Marker {
    /// On a line of its own, else mid-line between spaces.
    own_line: bool,
    /// Its spelling: an index into [`SHAPES`].
    shape: usize,
}

/// Spellings of begin and end: exact, in other ASCII cases, and the
/// near-miss shapes wenji documents as markers too (fail closed).
const SHAPES: &[(&str, &str)] = &[
    ("##paidbegin##", "##paidend##"),
    ("##PaidBegin##", "##PAIDEND##"),
    ("##PAIDBEGIN##", "##PaidEnd##"),
    ("＃＃ｐａｉｄｂｅｇｉｎ＃＃", "＃＃ｐａｉｄｅｎｄ＃＃"),
    ("## paidbegin ##", "## paidend ##"),
    ("##paid begin##", "##paid end##"),
    ("##paid_begin##", "##paid_end##"),
    ("##paid-begin##", "##paid-end##"),
    ("##paid\u{3000}begin##", "##paid\u{3000}end##"),
    ("##paid  begin##", "##paid  end##"),
    ("##paid\tbegin##", "##paid\tend##"),
    ("## paid\u{a0}begin ##", "## paid\u{a0}end ##"),
    ("#paidbegin#", "#paidend#"),
    ("###paidbegin###", "###paidend###"),
    ("\\#\\#paidbegin\\#\\#", "\\#\\#paidend\\#\\#"),
    (
        "&#35;&#35;paidbegin&#35;&#35;",
        "&#35;&#35;paidend&#35;&#35;",
    ),
    ("paidbegin", "paidend"),
];
/// Shapes before this index are exact markers (ASCII case aside).
const EXACT_SHAPES: usize = 3;

/// A paid part: begin, body, and an end unless it is never closed.
#[derive(Debug, Clone)]
struct Chunk {
    begin: Marker,
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
}

/// What a token's place says about it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Class {
    /// Outside any paid part: in both editions.
    Free,
    /// Inside a paid part or after an unclosed begin: only in the full edition.
    Paid,
    /// Free text followed by a stray end: the begin may have been lost, so
    /// wenji may treat it as paid. Only required in the full edition.
    Ambiguous,
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
        /// Not the exact marker: a reader of the source may not take it for one.
        near_miss: bool,
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
            Piece::StrayEnd(marker) => self.marker(out, false, *marker),
            Piece::Paid(chunk) => {
                self.marker(out, true, chunk.begin);
                self.token(out, format, 0, true);
                for piece in &chunk.body {
                    self.piece(out, format, piece, true);
                }
                if let Some(end) = chunk.end {
                    self.marker(out, false, end);
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

    fn marker(&mut self, out: &mut String, begin: bool, marker: Marker) {
        let (begin_shape, end_shape) = SHAPES[marker.shape % SHAPES.len()];
        let word = if begin { begin_shape } else { end_shape };
        let (before, after) = if marker.own_line {
            ("\n", "\n")
        } else {
            (" ", " ")
        };
        out.push_str(before);
        out.push_str(word);
        out.push_str(after);
        self.events.push(if begin {
            Event::Begin
        } else {
            Event::End {
                near_miss: marker.shape >= EXACT_SHAPES,
            }
        });
    }

    /// Classifies every token by the documented rules: a begin opens a paid
    /// part and needs its own end (nesting counts), an unclosed begin makes
    /// the rest of the essay paid, and free text just before a stray end is
    /// ambiguous; so is free text after an end in a near-miss shape, which
    /// wenji may fail to read as an end (then the rest is paid).
    fn classify(&self) -> Vec<Token> {
        let mut classes = vec![Class::Free; self.tokens.len()];
        let mut depth = 0usize;
        let mut since_marker = Vec::new();
        let mut after_near_miss_end = false;
        for event in &self.events {
            match *event {
                Event::Token(i) if depth > 0 => classes[i] = Class::Paid,
                Event::Token(i) if after_near_miss_end => classes[i] = Class::Ambiguous,
                Event::Token(i) => since_marker.push(i),
                Event::Begin => {
                    depth += 1;
                    since_marker.clear();
                }
                Event::End { near_miss } => {
                    after_near_miss_end |= near_miss;
                    if depth > 0 {
                        depth -= 1;
                    } else {
                        for &i in &since_marker {
                            classes[i] = Class::Ambiguous;
                        }
                    }
                    since_marker.clear();
                }
                Event::EssayEnd => {
                    depth = 0;
                    since_marker.clear();
                    after_near_miss_end = false;
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
        16 => Just(0),
        2 => 1..EXACT_SHAPES,
        2 => EXACT_SHAPES..SHAPES.len(),
    ];
    (prop::bool::weighted(0.4), shape)
        .prop_map(|(own_line, shape)| Marker { own_line, shape })
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
        proptest::collection::vec(inner, 0..5),
        prop::option::weighted(closed, marker()),
    )
        .prop_map(|(begin, body, end)| Chunk { begin, body, end })
        .boxed()
}

fn top_piece(format: Format) -> BoxedStrategy<Piece> {
    let nested = chunk(leaf(format), 0.9).prop_map(Piece::Paid);
    let in_paid = prop_oneof![8 => leaf(format), 1 => nested].boxed();
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
    )
        .prop_map(
            |(lang, authors, title, (title_page, toc_page, folder_input), tcy, punctuation)| {
                Settings {
                    lang,
                    authors,
                    title,
                    title_page,
                    toc_page,
                    tcy_digits: tcy,
                    vertical_punctuation: punctuation,
                    folder_input,
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
/// the package's language is the one on every XHTML page.
fn assert_well_formed(entries: &[Entry], book: &str) -> Result<(), TestCaseError> {
    prop_assert!(
        entries
            .first()
            .is_some_and(|e| e.name == "mimetype" && e.data == b"application/epub+zip"),
        "{book}: mimetype is not the first entry"
    );
    let mut language = None;
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
            language = doc
                .descendants()
                .find(|n| n.has_tag_name("language"))
                .and_then(|n| n.text())
                .map(str::to_string);
        } else if entry.name.ends_with(".xhtml") {
            let xml_lang = root.attribute(("http://www.w3.org/XML/1998/namespace", "lang"));
            pages.push((
                &entry.name,
                root.attribute("lang").map(str::to_string),
                xml_lang.map(str::to_string),
            ));
        }
    }
    let language = language.ok_or_else(|| fail(format!("{book}: no dc:language")))?;
    for (name, lang, xml_lang) in pages {
        prop_assert_eq!(
            lang.as_deref(),
            Some(language.as_str()),
            "{}: {}",
            book,
            name
        );
        prop_assert_eq!(
            xml_lang.as_deref(),
            Some(language.as_str()),
            "{}: {}",
            book,
            name
        );
    }
    Ok(())
}

fn options(case: &Case, layout: Layout, base: &Path) -> Options {
    let mut options = Options::from_config(None).expect("no config is a valid config");
    let s = &case.settings;
    options.layout = layout;
    options.lang = s.lang.map(String::from);
    options.authors = s.authors.clone();
    options.title = s.title.clone();
    options.typography.title_page = s.title_page;
    options.typography.toc_page = s.toc_page;
    options.typography.tcy_digits = s.tcy_digits.clone();
    options.typography.vertical_punctuation = s.vertical_punctuation;
    options.modified = Some(1_700_000_000);
    // Not the current folder, whose covers/ would supply the cover.
    options.base_dir = base.to_path_buf();
    options
}

/// Books per property already copied to `WENJI_PROPERTY_BOOKS`, and the next number.
static NEXT_KEPT: AtomicUsize = AtomicUsize::new(0);

/// Builds `case` in both layouts and both editions and checks the books.
fn check(case: &Case, kept: &AtomicUsize) -> Result<(), TestCaseError> {
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
        for (edition, name) in [(Edition::Preview, "preview"), (Edition::Full, "full")] {
            let layout_name = match layout {
                Layout::Horizontal => "horizontal",
                Layout::Vertical => "vertical",
            };
            let target = dir.path().join(format!("{layout_name}-{name}.epub"));
            output::write_book(&book, edition, &target)
                .map_err(|e| fail(format!("writing the {name} edition failed: {e}")))?;
            books.push((target, layout_name, name));
        }
    }
    for pair in books.chunks(2) {
        let [(preview_path, layout, _), (full_path, _, _)] = pair else {
            unreachable!("two editions per layout");
        };
        let preview = entries(preview_path)?;
        let full = entries(full_path)?;
        assert_well_formed(&preview, &format!("{layout} preview"))?;
        assert_well_formed(&full, &format!("{layout} full"))?;
        let preview = everything(&preview);
        let full = everything(&full);
        for token in &case.tokens {
            let text = token.text.as_str();
            let in_preview = preview.contains(text);
            let in_full = full.contains(text);
            if token.class == Class::Paid {
                prop_assert!(
                    !in_preview,
                    "paid token {} leaked into the {} preview",
                    text,
                    layout
                );
            }
            if token.must_appear {
                prop_assert!(
                    in_full,
                    "token {} is missing from the {} full edition",
                    text,
                    layout
                );
                if token.class == Class::Free {
                    prop_assert!(
                        in_preview,
                        "free token {} is missing from the {} preview",
                        text,
                        layout
                    );
                }
            }
        }
        for (edition, text) in [("preview", &preview), ("full", &full)] {
            let lower = text.to_lowercase();
            prop_assert!(
                !lower.contains("paidbegin") && !lower.contains("paidend"),
                "a paid marker reached the {} {} edition",
                layout,
                edition
            );
        }
    }
    if let Some(out) = std::env::var_os("WENJI_PROPERTY_BOOKS")
        && kept.fetch_add(1, Ordering::SeqCst) < KEEP_PER_PROPERTY
    {
        let out = PathBuf::from(out);
        fs::create_dir_all(&out).map_err(fail)?;
        let n = NEXT_KEPT.fetch_add(1, Ordering::SeqCst);
        for (path, layout, edition) in &books {
            let name = format!("prop-{n:04}-{layout}-{edition}.epub");
            fs::copy(path, out.join(name)).map_err(fail)?;
        }
        let sources = out.join(format!("prop-{n:04}-sources"));
        fs::create_dir_all(&sources).map_err(fail)?;
        for (name, text) in case.essays.iter().chain(&case.images) {
            fs::write(sources.join(name), text).map_err(fail)?;
        }
    }
    Ok(())
}

static KEPT_TEXT: AtomicUsize = AtomicUsize::new(0);
static KEPT_MARKDOWN: AtomicUsize = AtomicUsize::new(0);
static KEPT_MIXED: AtomicUsize = AtomicUsize::new(0);

proptest! {
    #![proptest_config(config())]

    #[test]
    fn plain_text_essays_keep_paid_text_out_of_previews(case in case(Some(Format::Text), 1..=1)) {
        check(&case, &KEPT_TEXT)?;
    }

    #[test]
    fn markdown_essays_keep_paid_text_out_of_previews(case in case(Some(Format::Markdown), 1..=1)) {
        check(&case, &KEPT_MARKDOWN)?;
    }

    #[test]
    fn books_of_several_essays_keep_paid_text_out_of_previews(case in case(None, 2..=3)) {
        check(&case, &KEPT_MIXED)?;
    }
}

// ---------------------------------------------------------------------------
// Regressions: minimal cases the properties found, each fixed in wenji.

/// Loads one essay with default options (generated cover, fixed time).
fn load_one(name: &str, bytes: &[u8]) -> (tempfile::TempDir, wenji::Result<wenji::Book>) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(name);
    fs::write(&path, bytes).unwrap();
    let mut options = Options::from_config(None).unwrap();
    options.base_dir = dir.path().to_path_buf();
    options.modified = Some(1_700_000_000);
    let book = build::load_book(&[path], &options).map(|(book, _)| book);
    (dir, book)
}

#[test]
fn a_single_nul_byte_does_not_turn_utf8_into_utf16() {
    // 16 bytes, the only zero at an even offset: once read as UTF-16BE, the
    // title became 蟩ꊘ૦궣蜊. Two NUL bytes (or an odd length) give Error::Binary.
    let (_dir, book) = load_one("essay.txt", "标题\n正文\n\0\n".as_bytes());
    if let Ok(book) = book {
        assert_eq!(book.title, "标题");
    }
}

#[test]
fn a_single_nul_byte_does_not_turn_ascii_into_utf16() {
    // The fix for the test above looks for multi-byte UTF-8 characters; an
    // English essay has none, and reads as UTF-16LE: the title becomes
    // 呥愊晲敥⁴數琊, with no warning.
    let (_dir, book) = load_one("essay.txt", b"Tea\nfree text\n\0\n");
    if let Ok(book) = book {
        assert_eq!(book.title, "Tea");
    }
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

/// Everything in the preview edition of one essay (empty if it fails to build).
fn preview_of(name: &str, text: &str) -> String {
    let (dir, book) = load_one(name, text.as_bytes());
    let Ok(book) = book else {
        return String::new();
    };
    let target = dir.path().join("preview.epub");
    output::write_book(&book, Edition::Preview, &target).unwrap();
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
