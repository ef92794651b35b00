//! The languages of a book: each essay's, detected from its text when not
//! given, the book's in order of share, and the few words wenji itself
//! writes into a book in each language.

use std::collections::HashSet;
use std::sync::LazyLock;

/// How much text detection looks at; the start of a book is enough.
const SAMPLE_CHARS: usize = 20_000;

/// Common characters that exist only in simplified Chinese …
const SIMPLIFIED_ONLY: &str = "个们这说国会为对发学经过还与实时书车东长门问间见语读开关来后从进动种样现让认没应头两体点产义话边爱战华听写买卖电气钱难岁儿飞无亲乐场观总变师办业历";
/// … and their traditional counterparts, in the same order.
const TRADITIONAL_ONLY: &str = "個們這說國會為對發學經過還與實時書車東長門問間見語讀開關來後從進動種樣現讓認沒應頭兩體點產義話邊愛戰華聽寫買賣電氣錢難歲兒飛無親樂場觀總變師辦業歷";

/// A BCP 47 tag for `text`: `ja` when kana are present, `zh-Hant` when
/// traditional-only characters outnumber simplified-only ones, `zh-Hans` for
/// other Han text, `en` for text that is mostly Latin or has no Han at all.
pub fn detect(text: &str) -> &'static str {
    static SIMPLIFIED: LazyLock<HashSet<char>> =
        LazyLock::new(|| SIMPLIFIED_ONLY.chars().collect());
    static TRADITIONAL: LazyLock<HashSet<char>> =
        LazyLock::new(|| TRADITIONAL_ONLY.chars().collect());
    let (mut han, mut kana, mut latin, mut simplified, mut traditional) = (0usize, 0, 0, 0, 0);
    for c in text.chars().take(SAMPLE_CHARS) {
        match c {
            '\u{3041}'..='\u{309f}' | '\u{30a0}'..='\u{30fa}' | '\u{30fc}'..='\u{30ff}' => {
                kana += 1
            }
            '\u{4e00}'..='\u{9fff}' | '\u{3400}'..='\u{4dbf}' | '\u{f900}'..='\u{faff}' => {
                han += 1;
                if SIMPLIFIED.contains(&c) {
                    simplified += 1;
                } else if TRADITIONAL.contains(&c) {
                    traditional += 1;
                }
            }
            c if c.is_ascii_alphabetic() => latin += 1,
            _ => {}
        }
    }
    let cjk = han + kana;
    // A CJK character carries about as much as a Latin word of ~4 letters.
    if cjk == 0 || cjk * 4 < latin {
        "en"
    } else if kana * 20 >= cjk && kana > 0 {
        "ja"
    } else if traditional > simplified {
        "zh-Hant"
    } else {
        "zh-Hans"
    }
}

/// The language of `text` as [`detect`] tells it, or `None` when it has no
/// Latin letter, kana or Han character to tell by (an essay of images only).
pub fn detect_if_any(text: &str) -> Option<&'static str> {
    let letters = text
        .chars()
        .take(SAMPLE_CHARS)
        .any(|c| c.is_ascii_alphabetic() || (is_cjk_char(c) && c.is_alphabetic() && !is_hangul(c)));
    letters.then(|| detect(text))
}

/// The distinct languages of `shares` (a tag and how many characters are in
/// it), the largest total share first; equal shares keep the order in which
/// their languages first appear.
pub fn by_share<'a>(shares: impl IntoIterator<Item = (&'a str, usize)>) -> Vec<String> {
    let mut totals: Vec<(&str, usize)> = Vec::new();
    for (tag, chars) in shares {
        match totals.iter_mut().find(|(seen, _)| *seen == tag) {
            Some((_, total)) => *total += chars,
            None => totals.push((tag, chars)),
        }
    }
    // A stable sort: ties stay in order of first appearance.
    totals.sort_by_key(|&(_, chars)| std::cmp::Reverse(chars));
    totals.into_iter().map(|(tag, _)| tag.to_string()).collect()
}

/// The words wenji writes into a book, in one language.
#[derive(Debug)]
pub struct Strings {
    /// Stands where a paid part was left out of the preview.
    pub paid_notice: &'static str,
    /// Appended to the title of a preview edition.
    pub preview_suffix: &'static str,
    /// `dc:creator` when no author is given.
    pub unknown_author: &'static str,
    /// Heading of the navigation document.
    pub contents: &'static str,
    /// Title of the cover page.
    pub cover: &'static str,
    /// Title of a book's `README.md` that has no heading of its own.
    pub introduction: &'static str,
}

const ZH_HANS: Strings = Strings {
    paid_notice: "（此处为付费内容，请阅读完整版。）",
    preview_suffix: "（试读）",
    unknown_author: "佚名",
    contents: "目录",
    cover: "封面",
    introduction: "前言",
};
const ZH_HANT: Strings = Strings {
    paid_notice: "（此處為付費內容，請閱讀完整版。）",
    preview_suffix: "（試讀）",
    unknown_author: "佚名",
    contents: "目錄",
    cover: "封面",
    introduction: "前言",
};
const JA: Strings = Strings {
    paid_notice: "（この先は有料部分です。完全版でお読みください。）",
    preview_suffix: "（試し読み）",
    unknown_author: "作者不詳",
    contents: "目次",
    cover: "表紙",
    introduction: "はじめに",
};
const EN: Strings = Strings {
    paid_notice: "(The paid part of this chapter is in the full edition.)",
    preview_suffix: " (Preview)",
    unknown_author: "Anonymous",
    contents: "Contents",
    cover: "Cover",
    introduction: "Introduction",
};

/// The strings for a BCP 47 tag (`zh-TW`, `zh-Hant-HK` → traditional Chinese).
pub fn strings(lang: &str) -> &'static Strings {
    let lower = lang.to_ascii_lowercase();
    if is_traditional_chinese(lang) {
        &ZH_HANT
    } else if lower.starts_with("zh") {
        &ZH_HANS
    } else if lower.starts_with("ja") {
        &JA
    } else {
        &EN
    }
}

/// Whether `lang` is Chinese in traditional characters (`zh-Hant`, `zh-TW`, `zh-HK`, `zh-MO`).
pub fn is_traditional_chinese(lang: &str) -> bool {
    let lower = lang.to_ascii_lowercase();
    let mut subtags = lower.split('-');
    subtags.next() == Some("zh") && subtags.any(|s| ["hant", "tw", "hk", "mo"].contains(&s))
}

/// Whether `tag` is Chinese, Japanese or Korean.
pub fn is_cjk(tag: &str) -> bool {
    let primary = tag.split('-').next().unwrap_or_default();
    ["zh", "ja", "ko"]
        .iter()
        .any(|cjk| primary.eq_ignore_ascii_case(cjk))
}

/// Whether `c` is a Han character, kana, hangul, or CJK punctuation or
/// full-width form: the characters a CJK font is needed for.
pub fn is_cjk_char(c: char) -> bool {
    matches!(c,
        '\u{1100}'..='\u{11FF}'       // Hangul jamo
        | '\u{3000}'..='\u{30FF}'     // CJK punctuation, hiragana, katakana
        | '\u{3130}'..='\u{318F}'     // Hangul compatibility jamo
        | '\u{3400}'..='\u{4DBF}'     // CJK extension A
        | '\u{4E00}'..='\u{9FFF}'     // CJK unified ideographs
        | '\u{AC00}'..='\u{D7AF}'     // Hangul syllables
        | '\u{F900}'..='\u{FAFF}'     // CJK compatibility ideographs
        | '\u{FF00}'..='\u{FFEF}'     // half- and full-width forms
        | '\u{20000}'..='\u{3FFFF}'   // supplementary ideographs
    )
}

/// Whether a line break between two characters like `c` is no space: Han,
/// kana, CJK punctuation and full-width forms are written without spaces
/// between words, so a soft line break between two of them joins the lines.
/// Hangul is not: Korean separates words with spaces.
pub fn joins_without_space(c: char) -> bool {
    is_cjk_char(c) && !is_hangul(c)
}

/// Whether `c` is Hangul (jamo, compatibility jamo, syllables, half-width forms).
fn is_hangul(c: char) -> bool {
    matches!(c,
        '\u{1100}'..='\u{11FF}'
        | '\u{3130}'..='\u{318F}'
        | '\u{A960}'..='\u{A97F}'
        | '\u{AC00}'..='\u{D7FF}'
        | '\u{FFA0}'..='\u{FFDC}'
    )
}

/// Whether `tag` has the shape of a BCP 47 tag: a 2–3 letter language
/// (or `x`/`i` private and grandfathered forms) and 1–8 character subtags.
pub fn is_valid_tag(tag: &str) -> bool {
    let mut subtags = tag.split('-');
    let Some(language) = subtags.next() else {
        return false;
    };
    let language_ok = (2..=3).contains(&language.len())
        && language.chars().all(|c| c.is_ascii_alphabetic())
        || language.eq_ignore_ascii_case("x")
        || language.eq_ignore_ascii_case("i");
    language_ok
        && subtags
            .all(|s| (1..=8).contains(&s.len()) && s.chars().all(|c| c.is_ascii_alphanumeric()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_each_language() {
        assert_eq!(detect("我们这个国家的发展，经过了很长的时间。"), "zh-Hans");
        assert_eq!(detect("我們這個國家的發展，經過了很長的時間。"), "zh-Hant");
        assert_eq!(detect("吾輩は猫である。名前はまだ無い。"), "ja");
        assert_eq!(detect("An essay about reading slowly."), "en");
        assert_eq!(
            detect("A long English essay that mentions 中文 once or twice in passing."),
            "en"
        );
        assert_eq!(detect("国家安全"), "zh-Hans");
        assert_eq!(detect(""), "en");
    }

    #[test]
    fn each_essay_is_detected_on_its_own() {
        let chinese = "我们这个国家的发展，经过了很长的时间。";
        let japanese = "朝の電車で本を読むのが好きだ。静かな時間になる。";
        assert_eq!(detect_if_any(chinese), Some("zh-Hans"));
        assert_eq!(detect_if_any(japanese), Some("ja"));
        assert_eq!(detect_if_any("Reading on the train."), Some("en"));
        // Nothing to tell by: the essay takes the book's main language.
        assert_eq!(detect_if_any(""), None);
        assert_eq!(detect_if_any("1984 — 「」。\n"), None);
    }

    #[test]
    fn languages_come_in_order_of_share() {
        assert_eq!(
            by_share([("ja", 10), ("zh-Hans", 30), ("ja", 5), ("en", 2)]),
            ["zh-Hans", "ja", "en"]
        );
        // More Japanese text than Chinese: Japanese first, whatever the order.
        assert_eq!(
            by_share([("zh-Hans", 10), ("ja", 8), ("ja", 8)]),
            ["ja", "zh-Hans"]
        );
        // Ties keep the order of first appearance.
        assert_eq!(by_share([("ja", 5), ("zh-Hans", 5)]), ["ja", "zh-Hans"]);
        assert_eq!(by_share([]), Vec::<String>::new());
    }

    #[test]
    fn cjk_tags_and_characters() {
        for tag in ["ja", "zh-Hans", "ZH-TW", "ko-KR"] {
            assert!(is_cjk(tag), "{tag}");
        }
        for tag in ["en", "zha", "jav"] {
            assert!(!is_cjk(tag), "{tag}");
        }
        assert!("汉字かなカナ한「」，".chars().all(is_cjk_char));
        assert!(!"abc é—".chars().any(is_cjk_char));
    }

    #[test]
    fn cjk_but_not_hangul_joins_without_space() {
        assert!(
            "汉字かなカナ「」，。！ａ\u{3000}"
                .chars()
                .all(joins_without_space)
        );
        assert!(!"한글ﾡ abc é—".chars().any(joins_without_space));
    }

    #[test]
    fn strings_follow_the_tag() {
        assert_eq!(strings("zh-TW").preview_suffix, "（試讀）");
        assert_eq!(strings("zh-Hant-HK").preview_suffix, "（試讀）");
        assert_eq!(strings("zh-Hans").preview_suffix, "（试读）");
        assert_eq!(strings("zh").preview_suffix, "（试读）");
        assert_eq!(strings("ja-JP").contents, "目次");
        assert_eq!(strings("fr").contents, "Contents");
        assert_eq!(strings("ja").introduction, "はじめに");
    }

    #[test]
    fn tag_shapes() {
        for good in ["zh-Hans", "zh-Hant-TW", "ja", "en-GB", "yue", "x-klingon"] {
            assert!(is_valid_tag(good), "{good}");
        }
        for bad in ["", "chinese", "zh_CN", "zh-", "z", "zh-Hans\"", "中文"] {
            assert!(!is_valid_tag(bad), "{bad}");
        }
    }
}
