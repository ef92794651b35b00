//! CJK text rules applied to the text nodes of the document tree as they
//! are written (never inside `pre`, `code` and the like). Ruby is a node
//! kind of its own ([`crate::document::text_with_ruby`]).
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

use crate::document::{self, Node};
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

/// Writes plain `text` (a title, an author) as XHTML: Aozora-style ruby
/// read from it, the rules applied.
pub fn write_text(out: &mut String, text: &str, rules: &TextRules) {
    write_nodes(out, &document::text_with_ruby(text), rules);
}

/// Writes `nodes` as XHTML with the rules applied to their text.
pub fn write_nodes(out: &mut String, nodes: &[Node], rules: &TextRules) {
    document::write_xhtml(nodes, out, &mut |out, text, verbatim| {
        write_run(out, text, rules, verbatim)
    });
}

/// Writes one text node, escaped; outside verbatim elements of vertical
/// books with tate-chu-yoko and converted punctuation.
pub fn write_run(out: &mut String, text: &str, rules: &TextRules, verbatim: bool) {
    if verbatim || !rules.vertical {
        escape_into(out, text);
        return;
    }
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    let mut buf = [0u8; 4];
    while i < chars.len() {
        let c = chars[i];
        if let Some(len) = tcy_run(&chars, i, rules) {
            out.push_str("<span class=\"tcy\">");
            out.extend(&chars[i..i + len]);
            out.push_str("</span>");
            i += len;
            continue;
        }
        let before = i.checked_sub(1).map(|j| chars[j]);
        let after = chars.get(i + 1).copied();
        let c = if rules.punctuation {
            convert(c, before, after, rules.taiwan_quotes)
        } else {
            c
        };
        escape_into(out, c.encode_utf8(&mut buf));
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
            ..horizontal()
        }
    }

    fn horizontal() -> TextRules {
        TextRules {
            vertical: false,
            tcy_digits: vec![2],
            punctuation: true,
            taiwan_quotes: false,
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
        assert_eq!(text("第12章", &horizontal()), "第12章");
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
        assert_eq!(text("“好”", &horizontal()), "“好”");
        assert!(
            !text("“好”,是", &r)
                .chars()
                .any(|c| ('\u{fe10}'..='\u{fe4f}').contains(&c))
        );
    }

    #[test]
    fn ruby_in_titles() {
        assert_eq!(
            text("私は漢字《かんじ》を", &horizontal()),
            "私は<ruby>漢字<rp>（</rp><rt>かんじ</rt><rp>）</rp></ruby>を"
        );
        assert_eq!(text("a<b《》", &horizontal()), "a&lt;b《》");
    }

    #[test]
    fn text_is_converted_outside_code_and_escaped_once() {
        let r = vertical();
        let (nodes, _) = crate::parse::sanitize::to_nodes(
            "<p>第12章“好”<code>a12 “x”</code> a &amp; 12</p>",
            &mut |_| Ok(None),
        )
        .unwrap();
        let mut out = String::new();
        write_nodes(&mut out, &nodes, &r);
        assert_eq!(
            out,
            "<p>第<span class=\"tcy\">12</span>章「好」<code>a12 “x”</code> a &amp; <span class=\"tcy\">12</span></p>"
        );
    }

    #[test]
    fn runs_set_apart_keep_their_text() {
        let span = |class: &str, text: &str| {
            let mut e = crate::document::Element::new("span", vec![Node::Text(text.into())]);
            e.attrs.push(("class", class.into()));
            Node::Element(e)
        };
        let mut out = String::new();
        write_nodes(
            &mut out,
            &[span("tcy", "12"), span("yoko", "“No. 12”")],
            &vertical(),
        );
        assert_eq!(
            out,
            "<span class=\"tcy\">12</span><span class=\"yoko\">“No. 12”</span>"
        );
    }
}
