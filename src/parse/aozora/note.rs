//! What one Aozora annotation (`［＃…］`, the text between `＃` and `］`)
//! asks for, following the notation manual (青空文庫・注記一覧): page
//! breaks, indents, headings, emphasis and the other inline styles, ruby,
//! kanbun marks, illustrations. Classification only; `line.rs` applies it.

use super::MAX_INDENT;

/// One annotation, classified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Note {
    /// 改ページ, 改丁, 改見開き, 改段: what follows starts a new page.
    PageBreak,
    /// `N字下げ`, `天からN字下げ`: this line is indented N characters.
    Indent(u8),
    /// `地付き` (0), `地からN字上げ`: this line ends N characters from the foot.
    AlignEnd(u8),
    /// `ここから…` for a stretch of lines, closed by [`Note::BlockClose`].
    BlockOpen(Block),
    /// `ここで…終わり`.
    BlockClose(BlockFamily),
    /// `「X」にY`, `「X」はY`: style the nearest X before the annotation.
    Apply { target: String, style: Style },
    /// `Y` … `Y終わり`: style the text between the two annotations.
    Open(Style),
    /// `Y終わり`.
    Close(Family),
    /// `「X」に「Y」のルビ` (right) and `「X」の左に「Y」のルビ` (left).
    Ruby {
        target: String,
        reading: String,
        left: bool,
    },
    /// A kanbun reading mark (返り点): レ, 一, 二, 上, 下, 甲, 天, 一レ, ….
    Kaeriten(String),
    /// Kanbun okurigana (訓点送り仮名): `（ヒ）`.
    Okurigana(String),
    /// `挿絵（file、…）入る`: an illustration from the file beside the text.
    Illustration(String),
    /// Editorial notes with nothing to show: `「X」は底本では「Y」`, `ママ`,
    /// `ページの左右中央`, `本文終わり`.
    Silent,
    /// Anything else: left out of the text, with a warning.
    Unknown,
}

/// A style that lasts over several lines (`ここから…`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Block {
    /// First line indented `first`, the lines it wraps into `rest`.
    Indent { first: u8, rest: u8 },
    /// Lines end `n` characters from the foot.
    AlignEnd(u8),
    /// An inline style over every line.
    Style(Style),
}

/// What a `ここで…終わり` closes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum BlockFamily {
    /// `ここで字下げ終わり`.
    Indent,
    /// `ここで地付き終わり`, `ここで字上げ終わり`.
    AlignEnd,
    /// `ここでY終わり`.
    Style(Family),
}

/// An inline style.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Style {
    /// Emphasis dots (傍点 and its shapes), on the left side when `left`.
    Bouten { mark: Mark, left: bool },
    /// A side line (傍線 and its kinds), on the left side when `left`.
    Bosen { line: Line, left: bool },
    /// 太字.
    Bold,
    /// 斜体.
    Italic,
    /// 縦中横: set upright across the column.
    Upright,
    /// 横組み: set horizontally.
    Horizontal,
    /// 割り注: a note set small in the line.
    Warichu,
    /// 罫囲み: ruled box.
    Boxed,
    /// 上付き小文字, 行右小書き.
    Superscript,
    /// 下付き小文字, 行左小書き.
    Subscript,
    /// 小書き: small kana.
    Small,
    /// `N段階小さな文字` (negative) and `N段階大きな文字`.
    Size(i8),
    /// 大 (1), 中 (2), 小 (3) 見出し, and their 同行 and 窓 forms.
    Heading(u8),
    /// `キャプション`: the caption of the illustration before it.
    Caption,
}

/// Which `…終わり` closes a style: sizes close by direction, every other
/// style by its own kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Family {
    /// Any emphasis-dot shape, left or right.
    Bouten,
    /// Any side-line kind.
    Bosen,
    /// Smaller or larger text.
    Size { larger: bool },
    /// Every other style, by itself.
    Other(Style),
}

/// The shapes of emphasis dots, as CSS `text-emphasis-style` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Mark {
    Sesame,
    OpenSesame,
    Circle,
    OpenCircle,
    Triangle,
    OpenTriangle,
    DoubleCircle,
    Bullseye,
    Cross,
}

/// The kinds of side line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Line {
    Solid,
    Double,
    Dotted,
    Dashed,
    Wavy,
}

impl Mark {
    /// The class naming the shape (the stylesheet gives each its CSS).
    pub(super) fn class(self) -> &'static str {
        match self {
            Mark::Sesame => "sesame",
            Mark::OpenSesame => "open-sesame",
            Mark::Circle => "circle",
            Mark::OpenCircle => "open-circle",
            Mark::Triangle => "triangle",
            Mark::OpenTriangle => "open-triangle",
            Mark::DoubleCircle => "double-circle",
            Mark::Bullseye => "bullseye",
            Mark::Cross => "cross",
        }
    }
}

impl Line {
    /// The class naming the kind, a CSS `text-decoration-style` value.
    pub(super) fn class(self) -> &'static str {
        match self {
            Line::Solid => "solid",
            Line::Double => "double",
            Line::Dotted => "dotted",
            Line::Dashed => "dashed",
            Line::Wavy => "wavy",
        }
    }
}

impl Style {
    /// What closes it.
    pub(super) fn family(self) -> Family {
        match self {
            Style::Bouten { .. } => Family::Bouten,
            Style::Bosen { .. } => Family::Bosen,
            Style::Size(steps) => Family::Size { larger: steps > 0 },
            other => Family::Other(other),
        }
    }
}

/// Classifies the annotation `note` (without `［＃` and `］`).
pub(super) fn classify(note: &str) -> Note {
    let note = note.trim();
    match note {
        "改ページ" | "改丁" | "改見開き" | "改段" => return Note::PageBreak,
        "地付き" => return Note::AlignEnd(0),
        "ページの左右中央" | "本文終わり" | "ここから本文" => {
            return Note::Silent;
        }
        "ここで字下げ終わり" => return Note::BlockClose(BlockFamily::Indent),
        "ここで地付き終わり" | "ここで字上げ終わり" => {
            return Note::BlockClose(BlockFamily::AlignEnd);
        }
        _ => {}
    }
    if let Some(rest) = note.strip_prefix("ここから") {
        return block_open(rest).map_or(Note::Unknown, Note::BlockOpen);
    }
    if let Some(rest) = note.strip_prefix("ここで") {
        let Some(style) = rest.strip_suffix("終わり") else {
            return Note::Unknown;
        };
        return closing(style).map_or(Note::Unknown, |f| Note::BlockClose(BlockFamily::Style(f)));
    }
    if let Some(n) = count_before(note, "字下げ") {
        return Note::Indent(n);
    }
    if let Some(n) = note
        .strip_prefix("地から")
        .and_then(|r| count_before(r, "字上げ"))
    {
        return Note::AlignEnd(n);
    }
    if note.starts_with('「') {
        return referring(note);
    }
    if let Some(file) = note
        .strip_prefix("挿絵（")
        .and_then(|r| r.strip_suffix("）入る"))
    {
        let file = file.split('、').next().unwrap_or(file).trim();
        return Note::Illustration(file.to_string());
    }
    if let Some(kana) = note.strip_prefix('（').and_then(|r| r.strip_suffix('）'))
        && !kana.is_empty()
    {
        return Note::Okurigana(kana.to_string());
    }
    if is_kaeriten(note) {
        return Note::Kaeriten(note.to_string());
    }
    if let Some(style) = note.strip_suffix("終わり") {
        return closing(style).map_or(Note::Unknown, Note::Close);
    }
    style(note).map_or(Note::Unknown, Note::Open)
}

/// `「X」…` forms: styles, ruby and editorial notes about X.
fn referring(note: &str) -> Note {
    let Some((target, rest)) = note[3..].split_once('」') else {
        return Note::Unknown;
    };
    let target = target.to_string();
    if target.is_empty() {
        return Note::Unknown;
    }
    // 「X」に「Y」のルビ, 「X」の左に「Y」のルビ; 「X」に「ママ」の注記.
    let (left, rest_after) = match rest.strip_prefix("の左に") {
        Some(r) => (true, r),
        None => (false, rest.strip_prefix('に').unwrap_or(rest)),
    };
    if let Some(reading) = rest_after
        .strip_prefix('「')
        .and_then(|r| r.strip_suffix("」のルビ"))
    {
        return Note::Ruby {
            target,
            reading: reading.to_string(),
            left,
        };
    }
    if rest.ends_with("の注記") || rest.starts_with("は底本では") || rest == "はママ" {
        return Note::Silent;
    }
    let style_name = if left {
        // 「X」の左に傍点 is the left-side form of 「X」に傍点.
        Some(format!("左に{rest_after}"))
    } else {
        rest.strip_prefix('に')
            .or_else(|| rest.strip_prefix('は'))
            .map(str::to_string)
    };
    match style_name.as_deref().and_then(style) {
        Some(style) => Note::Apply { target, style },
        None => Note::Unknown,
    }
}

/// The style a name such as `傍点`, `左に二重傍線` or `中見出し` gives.
fn style(name: &str) -> Option<Style> {
    let (left, name) = match name.strip_prefix("左に") {
        Some(rest) => (true, rest),
        None => (false, name),
    };
    let mark = match name {
        "傍点" => Some(Mark::Sesame),
        "白ゴマ傍点" => Some(Mark::OpenSesame),
        "丸傍点" => Some(Mark::Circle),
        "白丸傍点" => Some(Mark::OpenCircle),
        "黒三角傍点" => Some(Mark::Triangle),
        "白三角傍点" => Some(Mark::OpenTriangle),
        "二重丸傍点" => Some(Mark::DoubleCircle),
        "蛇の目傍点" => Some(Mark::Bullseye),
        "ばつ傍点" => Some(Mark::Cross),
        _ => None,
    };
    if let Some(mark) = mark {
        return Some(Style::Bouten { mark, left });
    }
    let line = match name {
        "傍線" => Some(Line::Solid),
        "二重傍線" => Some(Line::Double),
        "鎖線" => Some(Line::Dotted),
        "破線" => Some(Line::Dashed),
        "波線" => Some(Line::Wavy),
        _ => None,
    };
    if let Some(line) = line {
        return Some(Style::Bosen { line, left });
    }
    if left {
        return None;
    }
    let style = match name {
        "太字" => Style::Bold,
        "斜体" => Style::Italic,
        "縦中横" => Style::Upright,
        "横組み" => Style::Horizontal,
        "割り注" => Style::Warichu,
        "罫囲み" => Style::Boxed,
        "上付き小文字" | "行右小書き" => Style::Superscript,
        "下付き小文字" | "行左小書き" => Style::Subscript,
        "小書き" => Style::Small,
        "キャプション" => Style::Caption,
        _ => return size(name).or_else(|| heading(name)),
    };
    Some(style)
}

/// `N段階小さな文字`, `N段階大きな文字`.
fn size(name: &str) -> Option<Style> {
    let (steps, larger) = if let Some(n) = count_before(name, "段階小さな文字") {
        (n, false)
    } else {
        (count_before(name, "段階大きな文字")?, true)
    };
    let steps = i8::try_from(steps.clamp(1, 3)).ok()?;
    Some(Style::Size(if larger { steps } else { -steps }))
}

/// `大見出し`, `同行中見出し`, `窓小見出し` and the like.
fn heading(name: &str) -> Option<Style> {
    let name = name.strip_suffix("見出し")?;
    let name = name
        .strip_prefix("同行")
        .or_else(|| name.strip_prefix("窓"))
        .unwrap_or(name);
    match name {
        "大" => Some(Style::Heading(1)),
        "中" => Some(Style::Heading(2)),
        "小" => Some(Style::Heading(3)),
        _ => None,
    }
}

/// The family a `Y終わり` closes (`小さな文字終わり` closes any smaller text).
fn closing(name: &str) -> Option<Family> {
    match name {
        "小さな文字" => Some(Family::Size { larger: false }),
        "大きな文字" => Some(Family::Size { larger: true }),
        _ => style(name).map(Style::family),
    }
}

/// What a `ここから…` opens.
fn block_open(rest: &str) -> Option<Block> {
    // 改行天付き、折り返してN字下げ
    if let Some(wrap) = rest.strip_prefix("改行天付き、折り返して") {
        return Some(Block::Indent {
            first: 0,
            rest: count_before(wrap, "字下げ")?,
        });
    }
    // N字下げ、折り返してM字下げ
    if let Some((first, wrap)) = rest.split_once("、折り返して") {
        return Some(Block::Indent {
            first: count_before(first, "字下げ")?,
            rest: count_before(wrap, "字下げ")?,
        });
    }
    if let Some(n) = count_before(rest, "字下げ") {
        return Some(Block::Indent { first: n, rest: n });
    }
    if rest == "地付き" {
        return Some(Block::AlignEnd(0));
    }
    if let Some(n) = rest
        .strip_prefix("地から")
        .and_then(|r| count_before(r, "字上げ"))
    {
        return Some(Block::AlignEnd(n));
    }
    style(rest).map(Block::Style)
}

/// The number (ASCII or full-width digits) that `text` holds before
/// `suffix` and nothing else, e.g. `３` in `３字下げ`.
fn count_before(text: &str, suffix: &str) -> Option<u8> {
    let digits = text.strip_suffix(suffix)?;
    let digits = digits.strip_prefix("天から").unwrap_or(digits);
    if digits.is_empty() || !digits.chars().all(is_digit) {
        return None;
    }
    let value = digits.chars().fold(0u32, |n, c| {
        n.saturating_mul(10)
            .saturating_add(c.to_digit(10).unwrap_or_else(|| c as u32 - '０' as u32))
    });
    Some(u8::try_from(value.min(u32::from(MAX_INDENT))).unwrap_or(MAX_INDENT))
}

fn is_digit(c: char) -> bool {
    c.is_ascii_digit() || ('０'..='９').contains(&c)
}

/// Kanbun reading marks: one or two of 一二三四上中下甲乙丙丁天地人 and レ.
fn is_kaeriten(note: &str) -> bool {
    let count = note.chars().count();
    (1..=2).contains(&count)
        && note
            .chars()
            .all(|c| "一二三四上中下甲乙丙丁天地人レ".contains(c))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn breaks_indents_and_alignment() {
        assert_eq!(classify("改ページ"), Note::PageBreak);
        assert_eq!(classify("改見開き"), Note::PageBreak);
        assert_eq!(classify("５字下げ"), Note::Indent(5));
        assert_eq!(classify("天から３字下げ"), Note::Indent(3));
        assert_eq!(classify("12字下げ"), Note::Indent(12));
        assert_eq!(classify("９９字下げ"), Note::Indent(MAX_INDENT));
        assert_eq!(classify("地付き"), Note::AlignEnd(0));
        assert_eq!(classify("地から２字上げ"), Note::AlignEnd(2));
        assert_eq!(
            classify("ここから２字下げ"),
            Note::BlockOpen(Block::Indent { first: 2, rest: 2 })
        );
        assert_eq!(
            classify("ここから改行天付き、折り返して３字下げ"),
            Note::BlockOpen(Block::Indent { first: 0, rest: 3 })
        );
        assert_eq!(
            classify("ここから１字下げ、折り返して４字下げ"),
            Note::BlockOpen(Block::Indent { first: 1, rest: 4 })
        );
        assert_eq!(
            classify("ここで字下げ終わり"),
            Note::BlockClose(BlockFamily::Indent)
        );
        assert_eq!(
            classify("ここから地から１字上げ"),
            Note::BlockOpen(Block::AlignEnd(1))
        );
        assert_eq!(
            classify("ここで字上げ終わり"),
            Note::BlockClose(BlockFamily::AlignEnd)
        );
        assert_eq!(classify("字下げ"), Note::Unknown);
        assert_eq!(classify("ａ字下げ"), Note::Unknown);
    }

    #[test]
    fn references_styles_and_ranges() {
        let apply = |target: &str, style| Note::Apply {
            target: target.into(),
            style,
        };
        let sesame = Style::Bouten {
            mark: Mark::Sesame,
            left: false,
        };
        assert_eq!(classify("「鳥の形」に傍点"), apply("鳥の形", sesame));
        assert_eq!(
            classify("「鳥」の左に白丸傍点"),
            apply(
                "鳥",
                Style::Bouten {
                    mark: Mark::OpenCircle,
                    left: true
                }
            )
        );
        assert_eq!(
            classify("「線」に左に波線"),
            apply(
                "線",
                Style::Bosen {
                    line: Line::Wavy,
                    left: true
                }
            )
        );
        assert_eq!(classify("「一」は中見出し"), apply("一", Style::Heading(2)));
        assert_eq!(
            classify("「一」は同行大見出し"),
            apply("一", Style::Heading(1))
        );
        assert_eq!(classify("「12」は縦中横"), apply("12", Style::Upright));
        assert_eq!(classify("「x」は太字"), apply("x", Style::Bold));
        assert_eq!(classify("傍点"), Note::Open(sesame));
        assert_eq!(classify("傍点終わり"), Note::Close(Family::Bouten));
        assert_eq!(classify("２段階小さな文字"), Note::Open(Style::Size(-2)));
        assert_eq!(
            classify("小さな文字終わり"),
            Note::Close(Family::Size { larger: false })
        );
        assert_eq!(
            classify("ここから太字"),
            Note::BlockOpen(Block::Style(Style::Bold))
        );
        assert_eq!(
            classify("ここで太字終わり"),
            Note::BlockClose(BlockFamily::Style(Family::Other(Style::Bold)))
        );
        assert_eq!(
            classify("ここから中見出し"),
            Note::BlockOpen(Block::Style(Style::Heading(2)))
        );
        assert_eq!(classify("「x」に謎"), Note::Unknown);
        assert_eq!(classify("謎の注記"), Note::Unknown);
        assert_eq!(classify("「」に傍点"), Note::Unknown);
    }

    #[test]
    fn ruby_kanbun_illustrations_and_editorial_notes() {
        assert_eq!(
            classify("「鳥」の左に「とり」のルビ"),
            Note::Ruby {
                target: "鳥".into(),
                reading: "とり".into(),
                left: true
            }
        );
        assert_eq!(
            classify("「鳥」に「とり」のルビ"),
            Note::Ruby {
                target: "鳥".into(),
                reading: "とり".into(),
                left: false
            }
        );
        assert_eq!(classify("一レ"), Note::Kaeriten("一レ".into()));
        assert_eq!(classify("上"), Note::Kaeriten("上".into()));
        assert_eq!(classify("（ヒ）"), Note::Okurigana("ヒ".into()));
        assert_eq!(
            classify("挿絵（fig1.png、横320×縦480）入る"),
            Note::Illustration("fig1.png".into())
        );
        assert_eq!(classify("「私に」は底本では「私は」"), Note::Silent);
        assert_eq!(classify("「ゝ」はママ"), Note::Silent);
        assert_eq!(classify("「ゝ」に「ママ」の注記"), Note::Silent);
        assert_eq!(classify("ページの左右中央"), Note::Silent);
    }
}
