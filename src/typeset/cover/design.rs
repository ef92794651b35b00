//! The generated cover's design: an SVG of the title (with a preview's mark)
//! and the authors, centred lines in a horizontal book, columns from the
//! right in a vertical one. It is both the SVG cover and what the raster
//! cover is drawn from.
//!
//! Vertical columns are set glyph by glyph, each character a `<text>` of its
//! own centred on its column, because SVG engines disagree on vertical text:
//! MuPDF and Okular ignore `writing-mode` and overprint the title on one
//! line. Punctuation and brackets are written as their vertical presentation
//! forms (U+FE10…, U+FE30…) for the same reason: no engine needs the font's
//! `vert` feature to turn them. Half-width letters and digits stand upright
//! in a shorter cell.

use unicode_normalization::char::is_combining_mark;

use crate::publication::Publication;
use crate::typeset::Layout;
use crate::typeset::cjk::{Locale, QuoteStyle};
use crate::xml::Writer;

/// Width of the cover in SVG units and in pixels of the raster cover.
pub const WIDTH: u32 = 1600;
/// Height of the cover: 1600×2560 is the size Kindle Direct Publishing
/// recommends.
pub const HEIGHT: u32 = 2560;
/// The families the cover asks for, a CJK serif first.
const FONTS: &str =
    "'Noto Serif CJK SC', 'Source Han Serif SC', 'Songti SC', 'Noto Serif CJK JP', serif";
const PAPER: &str = "#f4efe6";
const INK: &str = "#2b2118";
const FRAME: &str = "#8c2f1b";
/// Distance of the frame from the edges, and its stroke.
const FRAME_INSET: u32 = 80;
const FRAME_STROKE: u32 = 8;

const TITLE_SIZE: u32 = 128;
/// Full-width characters per title line or column, and at most this many.
const TITLE_WRAP: (f32, usize) = (10.0, 6);
const AUTHOR_SIZE: u32 = 72;
const AUTHOR_WRAP: (f32, usize) = (16.0, 3);

/// Horizontal: the first title baseline and the first author baseline (from the bottom).
const TITLE_TOP: u32 = 740;
const AUTHORS_FROM_BOTTOM: u32 = 480;

/// Vertical: the centre of the first (rightmost) title column, the top of
/// every title column, and the distance between column centres.
const TITLE_COLUMN_X: u32 = WIDTH - 300;
const TITLE_COLUMN_TOP: u32 = 320;
const TITLE_COLUMN_STEP: u32 = 176;
/// Vertical authors: smaller, 12 to a column, at the bottom left; columns
/// are top-aligned and end above this bottom edge. The title's columns (at
/// most ten full-width characters) end above the authors' tops.
const VERTICAL_AUTHOR_SIZE: u32 = 64;
const VERTICAL_AUTHOR_WRAP: (f32, usize) = (12.0, 3);
const AUTHOR_COLUMN_X: u32 = 220;
const AUTHOR_COLUMN_STEP: u32 = 96;
const AUTHOR_COLUMNS_BOTTOM: u32 = HEIGHT - 160;

/// A generated cover: its SVG, and the characters it draws.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Drawing {
    /// The SVG document.
    pub svg: String,
    /// Every character drawn, as drawn (vertical forms in a vertical book):
    /// what a font must have to draw it.
    pub text: String,
}

/// Draws the cover of `publication`: title (and the preview mark) large,
/// authors below or, in a vertical book, in columns from the right.
pub fn draw(publication: &Publication) -> Drawing {
    let mut out = Writer::document();
    let (width, height) = (WIDTH.to_string(), HEIGHT.to_string());
    out.start(
        "svg",
        &[
            ("xmlns", "http://www.w3.org/2000/svg"),
            ("version", "1.1"),
            ("viewBox", &format!("0 0 {WIDTH} {HEIGHT}")),
            ("width", &width),
            ("height", &height),
            ("xml:lang", publication.lang),
        ],
    )
    .newline();
    out.empty(
        "rect",
        &[
            ("x", "0"),
            ("y", "0"),
            ("width", &width),
            ("height", &height),
            ("fill", PAPER),
        ],
    )
    .newline();
    let inset = FRAME_INSET.to_string();
    out.empty(
        "rect",
        &[
            ("x", &inset),
            ("y", &inset),
            ("width", &(WIDTH - 2 * FRAME_INSET).to_string()),
            ("height", &(HEIGHT - 2 * FRAME_INSET).to_string()),
            ("fill", "none"),
            ("stroke", FRAME),
            ("stroke-width", &FRAME_STROKE.to_string()),
        ],
    )
    .newline();
    out.start(
        "g",
        &[
            ("font-family", FONTS),
            ("fill", INK),
            ("text-anchor", "middle"),
        ],
    )
    .newline();
    let lines = Lines::of(publication);
    match publication.layout {
        Layout::Horizontal => horizontal(&mut out, &lines),
        Layout::Vertical => vertical(&mut out, &lines),
    }
    out.end().newline();
    out.end().newline();
    Drawing {
        svg: out.finish(),
        text: lines
            .title
            .iter()
            .chain(&lines.authors)
            .map(String::as_str)
            .collect(),
    }
}

/// The cover's words, broken into lines (or columns).
struct Lines {
    /// The title's lines, then the preview's mark.
    title: Vec<String>,
    /// The authors, joined with 、 and wrapped.
    authors: Vec<String>,
}

impl Lines {
    fn of(publication: &Publication) -> Self {
        let (width, max) = match publication.layout {
            Layout::Horizontal => AUTHOR_WRAP,
            Layout::Vertical => VERTICAL_AUTHOR_WRAP,
        };
        let mut title = wrap(publication.own_title, TITLE_WRAP.0, TITLE_WRAP.1);
        title.extend(publication.mark.map(str::to_string));
        let mut lines = Lines {
            title,
            authors: wrap(&publication.authors.join("、"), width, max),
        };
        if publication.layout == Layout::Vertical {
            let locale = Locale::of(publication.lang);
            let quotes = publication.typography.quotes;
            for line in lines.title.iter_mut().chain(&mut lines.authors) {
                *line = line
                    .chars()
                    .map(|c| vertical_form(c, locale, quotes))
                    .collect();
            }
        }
        lines
    }
}

/// Centred lines: the title from [`TITLE_TOP`] down, the authors near the bottom.
fn horizontal(out: &mut Writer, lines: &Lines) {
    let mut y = TITLE_TOP;
    for line in &lines.title {
        text(out, WIDTH / 2, y, TITLE_SIZE, line);
        y += TITLE_SIZE * 3 / 2;
    }
    let mut y = HEIGHT - AUTHORS_FROM_BOTTOM;
    for line in &lines.authors {
        text(out, WIDTH / 2, y, AUTHOR_SIZE, line);
        y += AUTHOR_SIZE * 3 / 2;
    }
}

/// Columns from the right: the title's from the top, the authors' at the
/// bottom left, the first author column rightmost.
fn vertical(out: &mut Writer, lines: &Lines) {
    for (index, line) in (0..).zip(&lines.title) {
        let x = TITLE_COLUMN_X.saturating_sub(index * TITLE_COLUMN_STEP);
        column(out, x, TITLE_COLUMN_TOP, TITLE_SIZE, line);
    }
    let size = VERTICAL_AUTHOR_SIZE;
    let longest = lines
        .authors
        .iter()
        .map(|line| cells(line).iter().map(|cell| cell.advance).sum::<f32>())
        .fold(0.0, f32::max);
    let top = AUTHOR_COLUMNS_BOTTOM.saturating_sub((longest * size as f32).round() as u32);
    let columns = lines.authors.len() as u32;
    for (index, line) in (0..).zip(&lines.authors) {
        let x = AUTHOR_COLUMN_X + AUTHOR_COLUMN_STEP * (columns - 1 - index);
        column(out, x, top, size, line);
    }
}

/// One line of text centred on `x` with its baseline at `y`.
fn text(out: &mut Writer, x: u32, y: u32, size: u32, content: &str) {
    let (x, y, size) = (x.to_string(), y.to_string(), size.to_string());
    out.element(
        "text",
        &[("x", &x), ("y", &y), ("font-size", &size)],
        content,
    )
    .newline();
}

/// One column centred on `x` from `top` down, each glyph a `<text>` of its own.
fn column(out: &mut Writer, x: u32, top: u32, size: u32, line: &str) {
    let mut cell_top = top as f32;
    for cell in cells(line) {
        if !cell.text.trim().is_empty() {
            let baseline = (cell_top + cell.baseline * size as f32).round() as u32;
            text(out, x, baseline, size, cell.text);
        }
        cell_top += cell.advance * size as f32;
    }
}

/// One glyph of a column: a character with the marks that combine with it.
struct Cell<'a> {
    text: &'a str,
    /// Its height in ems.
    advance: f32,
    /// Its baseline below the top of the cell, in ems.
    baseline: f32,
}

/// The cells of a column: a full-width character fills an em (its baseline
/// at the ideographic em box's, 0.88 em down); a half-width one stands
/// upright in a shorter cell; a space is a gap.
fn cells(line: &str) -> Vec<Cell<'_>> {
    let mut starts: Vec<usize> = line
        .char_indices()
        .filter(|&(_, c)| !joins_previous(c))
        .map(|(at, _)| at)
        .collect();
    starts.push(line.len());
    starts
        .windows(2)
        .map(|pair| {
            let text = &line[pair[0]..pair[1]];
            let (advance, baseline) = match text.chars().next() {
                Some(' ') => (0.4, 0.0),
                Some(c) if c.is_ascii() => (0.8, 0.7),
                _ => (1.0, 0.88),
            };
            Cell {
                text,
                advance,
                baseline,
            }
        })
        .collect()
}

/// Whether `c` is drawn with the character before it (a combining mark, a
/// variation selector, a zero-width joiner).
fn joins_previous(c: char) -> bool {
    is_combining_mark(c)
        || matches!(c, '\u{200d}' | '\u{fe00}'..='\u{fe0f}' | '\u{e0100}'..='\u{e01ef}')
}

/// The vertical presentation form of `c` in a column (itself when it has
/// none). Curly quotes become the corner brackets `locale` and `quotes`
/// give the outer and inner level in vertical text (see [`crate::typeset::cjk`]).
fn vertical_form(c: char, locale: Locale, quotes: QuoteStyle) -> char {
    let white_outside = locale == Locale::SimplifiedChinese && quotes == QuoteStyle::Standard;
    match c {
        '，' => '︐',
        '、' => '︑',
        '。' => '︒',
        '：' => '︓',
        '；' => '︔',
        '！' => '︕',
        '？' => '︖',
        '〖' => '︗',
        '〗' => '︘',
        '…' | '⋯' => '︙',
        '‥' => '︰',
        '—' => '︱',
        '–' => '︲',
        '（' => '︵',
        '）' => '︶',
        '｛' => '︷',
        '｝' => '︸',
        '〔' => '︹',
        '〕' => '︺',
        '【' => '︻',
        '】' => '︼',
        '《' => '︽',
        '》' => '︾',
        '〈' => '︿',
        '〉' => '﹀',
        '「' => '﹁',
        '」' => '﹂',
        '『' => '﹃',
        '』' => '﹄',
        '“' if white_outside => '﹃',
        '”' if white_outside => '﹄',
        '‘' if white_outside => '﹁',
        '’' if white_outside => '﹂',
        '“' => '﹁',
        '”' => '﹂',
        '‘' => '﹃',
        '’' => '﹄',
        _ => c,
    }
}

/// Breaks `text` into at most `max_lines` lines of about `width` full-width
/// characters (half-width ones count half); the last line ends in … if cut.
fn wrap(text: &str, width: f32, max_lines: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    let mut used = 0.0;
    for c in text.chars() {
        let w = if c.is_ascii() { 0.55 } else { 1.0 };
        if used + w > width {
            if lines.len() + 1 == max_lines {
                line.pop();
                line.push('…');
                break;
            }
            lines.push(std::mem::take(&mut line));
            used = 0.0;
        }
        line.push(c);
        used += w;
    }
    lines.push(line);
    lines
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::publication::sample;

    fn svg(publication: &Publication) -> String {
        draw(publication).svg
    }

    /// The `(x, y, text)` of every `<text>` of `svg`.
    fn texts(svg: &str) -> Vec<(u32, u32, String)> {
        let document = roxmltree::Document::parse(svg).unwrap();
        document
            .descendants()
            .filter(|node| node.has_tag_name("text"))
            .map(|node| {
                let number = |name| node.attribute(name).unwrap().parse().unwrap();
                (number("x"), number("y"), node.text().unwrap().to_string())
            })
            .collect()
    }

    fn vertical_cover(title: &'static str, authors: &'static [String]) -> String {
        let mut publication = sample(false);
        publication.layout = Layout::Vertical;
        publication.own_title = title;
        publication.authors = authors;
        svg(&publication)
    }

    #[test]
    fn wrap_counts_half_width_as_half() {
        assert_eq!(wrap("一二三四五", 2.0, 5), ["一二", "三四", "五"]);
        assert_eq!(wrap("abcd", 2.0, 5), ["abc", "d"]);
        assert_eq!(wrap("一二三四五六七", 2.0, 2), ["一二", "三…"]);
    }

    #[test]
    fn generated_cover_marks_the_preview_and_never_uses_writing_mode() {
        let preview = svg(&sample(true));
        assert!(preview.contains(">试读<") || preview.contains(">（试读）<"));
        let mut full = sample(false);
        assert!(!svg(&full).contains("试读"));
        full.layout = Layout::Vertical;
        let vertical = svg(&full);
        for cover in [&preview, &vertical] {
            assert!(!cover.contains("writing-mode"), "{cover}");
            roxmltree::Document::parse(cover).unwrap();
        }
    }

    #[test]
    fn horizontal_lines_stay_whole_and_centred() {
        let mut publication = sample(false);
        publication.own_title = "晨读集";
        let texts = texts(&svg(&publication));
        assert_eq!(texts[0], (WIDTH / 2, TITLE_TOP, "晨读集".to_string()));
        assert_eq!(texts[1].2, "某");
    }

    #[test]
    fn each_vertical_glyph_is_its_own_text_down_one_column() {
        let authors: &'static [String] = Box::leak(Box::new(["林小川".to_string()]));
        let texts = texts(&vertical_cover("晨读集AB", authors));
        let title: Vec<_> = texts.iter().filter(|t| t.0 == TITLE_COLUMN_X).collect();
        let glyphs: String = title.iter().map(|t| t.2.as_str()).collect();
        assert_eq!(glyphs, "晨读集AB");
        assert!(title.iter().all(|t| t.2.chars().count() == 1));
        assert!(
            title.windows(2).all(|pair| pair[0].1 < pair[1].1),
            "{title:?}"
        );
        // Full-width glyphs are an em apart, half-width ones less.
        assert_eq!(title[1].1 - title[0].1, TITLE_SIZE);
        assert!(title[4].1 - title[3].1 < TITLE_SIZE);
        // The authors stand in their own column left of the title, below its end.
        let author: Vec<_> = texts.iter().filter(|t| t.0 == AUTHOR_COLUMN_X).collect();
        assert_eq!(author.len(), 3);
        assert!(author[0].1 > title[4].1);
        assert!(author.windows(2).all(|pair| pair[0].1 < pair[1].1));
    }

    #[test]
    fn vertical_columns_run_right_to_left() {
        let authors: &'static [String] = Box::leak(Box::new(["某".to_string()]));
        let texts = texts(&vertical_cover("一二三四五六七八九十甲乙", authors));
        let first = texts.iter().find(|t| t.2 == "一").unwrap();
        let eleventh = texts.iter().find(|t| t.2 == "甲").unwrap();
        assert_eq!(first.0 - eleventh.0, TITLE_COLUMN_STEP);
        assert_eq!(first.1, eleventh.1);
    }

    #[test]
    fn vertical_columns_use_vertical_presentation_forms() {
        let authors: &'static [String] = Box::leak(Box::new(["甲".into(), "乙".into()]));
        let cover = vertical_cover("「晨读」，集。…", authors);
        let glyphs: String = texts(&cover).iter().map(|t| t.2.as_str()).collect();
        assert_eq!(glyphs, "﹁晨读﹂︐集︒︙甲︑乙");
        for horizontal in ['「', '」', '、', '。', '，', '…'] {
            assert!(!cover.contains(horizontal), "{horizontal} in {cover}");
        }
        // Curly quotes follow the locale: 『』 outside in Simplified Chinese.
        assert_eq!(
            vertical_form('“', Locale::SimplifiedChinese, QuoteStyle::Standard),
            '﹃'
        );
        assert_eq!(
            vertical_form('“', Locale::Japanese, QuoteStyle::Standard),
            '﹁'
        );
    }
}
