//! CJK text rules applied while writing body text.
//!
//! In every layout: Aozora-style ruby in plain text, `｜漢字《かんじ》` (explicit
//! base) and `漢字《かんじ》` (the run of kanji before the reading).
//!
//! In vertical books only:
//! - tate-chu-yoko: a run of exactly two half-width digits (lengths are
//!   configurable), `!!`, `!?` or `?!`, with no half-width letter or digit
//!   next to it, is set upright in one em (`span.tcy`);
//! - quotation marks: curly quotes lie sideways in vertical text, so they
//!   become corner brackets. Mainland Chinese (zh-Hans) follows
//!   GB/T 15834—2011 §4.2, which uses corner brackets for vertical text with
//!   the double quote outside: “” → 「」 and ‘’ → 『』; Japanese follows the
//!   same outer/inner order (jlreq: 「」 outside, 『』 inside). Taiwan
//!   (zh-Hant) quotes single first (clreq, “Quotation marks”; the Ministry
//!   of Education's punctuation handbook), so there ‘’ → 「」 and “” → 『』;
//! - ASCII punctuation between two CJK characters becomes its full-width form.
//!
//! Vertical presentation forms (U+FE10…) are never produced: the reader's
//! font turns the ordinary characters in vertical text.

use std::borrow::Cow;

use crate::xml::escape_into;

/// The rules for one book.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextRules {
    /// Whether the book is vertical (tate-chu-yoko and punctuation apply).
    pub vertical: bool,
    /// Lengths of half-width digit runs set upright.
    pub tcy_digits: Vec<usize>,
    /// Whether quotes and ASCII punctuation are converted in vertical books.
    pub punctuation: bool,
    /// Whether quotes follow the Taiwan order (single first).
    pub taiwan_quotes: bool,
}

impl TextRules {
    /// Rules that change nothing but ruby.
    pub fn plain() -> Self {
        let defaults = crate::settings::Options::default().typography;
        TextRules {
            vertical: false,
            tcy_digits: defaults.tcy_digits,
            punctuation: defaults.vertical_punctuation,
            taiwan_quotes: false,
        }
    }
}

/// Writes plain `text` as escaped XHTML with ruby and, in vertical books,
/// tate-chu-yoko and converted punctuation.
pub fn write_text(out: &mut String, text: &str, rules: &TextRules) {
    let mut rest = text;
    while let Some((before, base, reading, after)) = next_ruby(rest) {
        write_run(out, before, rules);
        out.push_str("<ruby>");
        write_run(out, base, rules);
        out.push_str("<rt>");
        escape_into(out, reading);
        out.push_str("</rt></ruby>");
        rest = after;
    }
    write_run(out, rest, rules);
}

/// Applies the vertical rules to the text of an XHTML fragment (outside
/// tags, `pre` and `code`). The fragment must be wenji's own output, where
/// `>` never appears inside an attribute value.
pub fn apply_to_markup<'a>(xhtml: &'a str, rules: &TextRules) -> Cow<'a, str> {
    if !rules.vertical {
        return Cow::Borrowed(xhtml);
    }
    let mut out = String::with_capacity(xhtml.len() + 64);
    let mut verbatim = 0usize;
    let mut rest = xhtml;
    while !rest.is_empty() {
        if rest.starts_with('<') {
            let end = rest.find('>').map_or(rest.len(), |i| i + 1);
            let tag = &rest[..end];
            let name: String = tag
                .trim_start_matches(['<', '/'])
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric())
                .collect();
            if name == "pre" || name == "code" {
                if tag.starts_with("</") {
                    verbatim = verbatim.saturating_sub(1);
                } else if !tag.ends_with("/>") {
                    verbatim += 1;
                }
            }
            out.push_str(tag);
            rest = &rest[end..];
        } else {
            let end = rest.find('<').unwrap_or(rest.len());
            let text = &rest[..end];
            if verbatim > 0 {
                out.push_str(text);
            } else {
                // The text is escaped already: convert it, then re-escape only what conversion added.
                write_escaped_run(&mut out, text, rules);
            }
            rest = &rest[end..];
        }
    }
    Cow::Owned(out)
}

/// The next ruby in `text`: (text before, base, reading, text after).
/// `《…》` that is not a reading (a Chinese book title such as 《红楼梦》)
/// stays text.
fn next_ruby(text: &str) -> Option<(&str, &str, &str, &str)> {
    const MARK: usize = '《'.len_utf8(); // 《, 》 and ｜ are all three bytes
    let mut search = 0;
    // The last bar before `scanned`: each stretch of text is searched for
    // bars once, so a line of a million `《…》` costs linear time.
    let mut scanned = 0;
    let mut last_bar = None;
    while let Some(found) = text[search..].find('《') {
        let open = search + found;
        let close = open + text[open..].find('》')?;
        if let Some(bar) = text[scanned..open].rfind('｜') {
            last_bar = Some(scanned + bar);
        }
        scanned = open;
        let reading = &text[open + MARK..close];
        let head = &text[..open];
        let after = &text[close + MARK..];
        if !reading.is_empty() && !reading.contains('《') {
            if let Some(bar) = last_bar {
                let base = &head[bar + MARK..];
                if !base.is_empty() {
                    return Some((&head[..bar], base, reading, after));
                }
            }
            let start = head
                .char_indices()
                .rev()
                .take_while(|(_, c)| is_kanji(*c))
                .last()
                .map(|(i, _)| i);
            if let Some(start) = start.filter(|_| is_reading(reading)) {
                return Some((&head[..start], &head[start..], reading, after));
            }
        }
        search = close + MARK;
    }
    None
}

fn is_kanji(c: char) -> bool {
    matches!(c, '\u{4e00}'..='\u{9fff}' | '\u{3400}'..='\u{4dbf}' | '\u{f900}'..='\u{faff}' | '々' | '〆' | 'ヶ')
}

/// Readings are kana (and the prolonged sound mark); anything else in 《》
/// after kanji is a title mark, as in Chinese 《书名》.
fn is_reading(text: &str) -> bool {
    text.chars()
        .all(|c| matches!(c, '\u{3041}'..='\u{309f}' | '\u{30a0}'..='\u{30ff}'))
}

/// Writes unescaped `text` with the vertical rules.
fn write_run(out: &mut String, text: &str, rules: &TextRules) {
    if !rules.vertical {
        escape_into(out, text);
        return;
    }
    let mut converted = String::with_capacity(text.len());
    escape_into(&mut converted, text);
    write_escaped_run(out, &converted, rules);
}

/// Writes already escaped `text` with the vertical rules. Entities such as
/// `&amp;` hold no digits or CJK characters, so the rules cannot split them.
fn write_escaped_run(out: &mut String, text: &str, rules: &TextRules) {
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let before = i.checked_sub(1).map(|j| chars[j]);
        if let Some(len) = tcy_run(&chars, i, rules) {
            out.push_str("<span class=\"tcy\">");
            out.extend(&chars[i..i + len]);
            out.push_str("</span>");
            i += len;
            continue;
        }
        let after = chars.get(i + 1).copied();
        out.push(if rules.punctuation {
            convert(c, before, after, rules.taiwan_quotes)
        } else {
            c
        });
        i += 1;
    }
}

/// The length of a tate-chu-yoko run starting at `i`, if there is one.
fn tcy_run(chars: &[char], i: usize, rules: &TextRules) -> Option<usize> {
    let half = |c: char| c.is_ascii_alphanumeric();
    if i > 0 && (half(chars[i - 1]) || chars[i - 1] == '!' || chars[i - 1] == '?') {
        return None;
    }
    // A decimal point makes the digits part of a longer number.
    let digit_at = |j: Option<usize>| {
        j.and_then(|j| chars.get(j))
            .is_some_and(|c| c.is_ascii_digit())
    };
    if i > 1 && chars[i - 1] == '.' && digit_at(Some(i - 2)) {
        return None;
    }
    let c = chars[i];
    let len = if c.is_ascii_digit() {
        chars[i..].iter().take_while(|c| c.is_ascii_digit()).count()
    } else if c == '!' || c == '?' {
        let run = chars[i..]
            .iter()
            .take_while(|&&c| c == '!' || c == '?')
            .count();
        if run != 2 || (chars[i], chars[i + 1]) == ('?', '?') {
            return None;
        }
        run
    } else {
        return None;
    };
    let next = chars.get(i + len).copied();
    if next.is_some_and(|n| half(n) || n == '!' || n == '?') {
        return None;
    }
    if c.is_ascii_digit() && next == Some('.') && digit_at(Some(i + len + 1)) {
        return None;
    }
    if c.is_ascii_digit() && !rules.tcy_digits.contains(&len) {
        return None;
    }
    Some(len)
}

/// The vertical form of `c` between `before` and `after`.
fn convert(c: char, before: Option<char>, after: Option<char>, taiwan: bool) -> char {
    match (c, taiwan) {
        ('“', false) | ('‘', true) => return '「',
        ('”', false) | ('’', true) => return '」',
        ('‘', false) | ('“', true) => return '『',
        ('’', false) | ('”', true) => return '』',
        _ => {}
    }
    let between_cjk = before.is_some_and(is_cjk) && after.is_some_and(is_cjk);
    if !between_cjk {
        return c;
    }
    match c {
        ',' => '，',
        '.' => '。',
        '!' => '！',
        '?' => '？',
        ':' => '：',
        ';' => '；',
        '(' => '（',
        ')' => '）',
        _ => c,
    }
}

fn is_cjk(c: char) -> bool {
    matches!(c,
        '\u{3040}'..='\u{30ff}' | '\u{3400}'..='\u{4dbf}' | '\u{4e00}'..='\u{9fff}' | '\u{f900}'..='\u{faff}'
        | '\u{3000}'..='\u{303f}' | '\u{ff00}'..='\u{ffef}')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vertical() -> TextRules {
        TextRules {
            vertical: true,
            ..TextRules::plain()
        }
    }

    fn text(input: &str, rules: &TextRules) -> String {
        let mut out = String::new();
        write_text(&mut out, input, rules);
        out
    }

    #[test]
    fn two_digit_runs_stand_upright_and_others_do_not() {
        let r = vertical();
        assert_eq!(text("第12章", &r), "第<span class=\"tcy\">12</span>章");
        assert_eq!(text("2023年", &r), "2023年");
        assert_eq!(text("5月", &r), "5月");
        assert_eq!(text("A12", &r), "A12");
        assert_eq!(text("12B", &r), "12B");
        assert_eq!(text("1.25", &r), "1.25");
        assert_eq!(text("12.5", &r), "12.5");
        assert_eq!(text("共12。", &r), "共<span class=\"tcy\">12</span>。");
        assert_eq!(text("真的!?好", &r), "真的<span class=\"tcy\">!?</span>好");
        assert_eq!(text("啊!!!", &r), "啊!!!");
        let wider = TextRules {
            tcy_digits: vec![1, 2, 3],
            ..vertical()
        };
        assert_eq!(
            text("5月365天", &wider),
            "<span class=\"tcy\">5</span>月<span class=\"tcy\">365</span>天"
        );
        assert_eq!(text("第12章", &TextRules::plain()), "第12章");
    }

    #[test]
    fn quotes_follow_the_locale_and_ascii_punctuation_widens() {
        let r = vertical();
        assert_eq!(text("他说：“她说‘好’。”", &r), "他说：「她说『好』。」");
        let taiwan = TextRules {
            taiwan_quotes: true,
            ..vertical()
        };
        assert_eq!(
            text("他說：‘她說“好”。’", &taiwan),
            "他說：「她說『好』。」"
        );
        assert_eq!(text("你好,世界!再见?", &r), "你好，世界！再见?");
        assert_eq!(text("Hello, world", &r), "Hello, world");
        let off = TextRules {
            punctuation: false,
            ..vertical()
        };
        assert_eq!(text("“好”,是", &off), "“好”,是");
        assert_eq!(text("“好”", &TextRules::plain()), "“好”");
        assert!(
            !text("“好”,是", &r)
                .chars()
                .any(|c| ('\u{fe10}'..='\u{fe4f}').contains(&c))
        );
    }

    #[test]
    fn aozora_ruby() {
        let r = TextRules::plain();
        assert_eq!(
            text("｜東京都《とうきょうと》へ", &r),
            "<ruby>東京都<rt>とうきょうと</rt></ruby>へ"
        );
        assert_eq!(
            text("私は漢字《かんじ》を", &r),
            "私は<ruby>漢字<rt>かんじ</rt></ruby>を"
        );
        assert_eq!(text("读《红楼梦》很好", &r), "读《红楼梦》很好");
        assert_eq!(
            text("《书》と漢字《かんじ》", &r),
            "《书》と<ruby>漢字<rt>かんじ</rt></ruby>"
        );
        // Without a bar the base is the whole run of kanji before the reading.
        assert_eq!(
            text("与漢字《かんじ》", &r),
            "<ruby>与漢字<rt>かんじ</rt></ruby>"
        );
        assert_eq!(text("a<b《》", &r), "a&lt;b《》");
        // A bar stays the base's start past text in 《》 that is no reading.
        assert_eq!(
            text("a｜甲《》乙《かな》《书》", &r),
            "a<ruby>甲《》乙<rt>かな</rt></ruby>《书》"
        );
    }

    #[test]
    fn markup_text_is_converted_outside_code() {
        let r = vertical();
        assert_eq!(
            apply_to_markup("<p>第12章“好”<code>a12 “x”</code></p>", &r),
            "<p>第<span class=\"tcy\">12</span>章「好」<code>a12 “x”</code></p>"
        );
        assert_eq!(
            apply_to_markup("<p>a &amp; 12</p>", &r),
            "<p>a &amp; <span class=\"tcy\">12</span></p>"
        );
    }
}
