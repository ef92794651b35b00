//! Headings in plain text: lines such as `第一章 出发`, `第3节`, `一、`,
//! `（二）`, `Chapter 4`, `CHAPTER IV. The Rabbit Sends in a Little Bill`
//! or a Roman numeral alone that are short and do not end a sentence become
//! section headings, nested by level: 卷/部/篇/Part 1, 章/回/Chapter and
//! Roman numerals 2, 节 and `一、` 3, `（一）` 4. A config can add patterns
//! (level 2). A bare number heading (`第一回`, `CHAPTER I.`) takes a short
//! line after it as its title.

use std::sync::LazyLock;

use regex::Regex;

/// Longer lines are paragraphs, whatever they start with…
const MAX_HEADING_CHARS: usize = 30;
/// … except after a chapter number (`第一回`, `CHAPTER I.`), where titles
/// run longer.
const MAX_NUMBERED_HEADING_CHARS: usize = 80;
/// The longest line taken as the title of a bare number heading.
const MAX_SUBTITLE_CHARS: usize = 40;

/// How plain-text headings are found.
#[derive(Debug, Clone)]
pub struct HeadingRules {
    /// Whether to look for headings at all.
    pub detect: bool,
    /// Extra patterns (level 2), matched against the trimmed line.
    pub extra: Vec<Regex>,
}

impl Default for HeadingRules {
    /// The rules of a book without settings (every default lives in
    /// [`crate::settings`]).
    fn default() -> Self {
        crate::settings::Options::default().plain.headings
    }
}

const NUMBER: &str = "[0-9０-９一二三四五六七八九十百千零〇两壹贰叁肆伍陆柒捌玖拾]+";

/// A chapter number with nothing after it (but a full stop).
static BARE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        "^(?:第{NUMBER}[卷部篇章回节節]|(?:Part|PART|Book|BOOK|Chapter|CHAPTER)\\s+(?:[0-9]+|[IVXLC]+))[.．]?$"
    ))
    .expect("a valid pattern")
});

/// How many of [`BUILT_IN`]'s patterns number a chapter (and may be
/// followed by a long title).
const NUMBERED: usize = 5;

/// Heading patterns with the level they give, the chapter numbers first.
static BUILT_IN: LazyLock<Vec<(Regex, u8)>> = LazyLock::new(|| {
    let patterns = [
        (format!("^第{NUMBER}[卷部篇](?:$|[\\s　:：·．.、])"), 1),
        (format!("^第{NUMBER}[章回](?:$|[\\s　:：·．.、])"), 2),
        (format!("^第{NUMBER}[节節](?:$|[\\s　:：·．.、])"), 3),
        (
            "^(?:Part|PART|Book|BOOK)\\s+(?:[0-9]+|[IVXLC]+)\\b".to_string(),
            1,
        ),
        (
            "^(?:Chapter|CHAPTER)\\s+(?:[0-9]+|[IVXLC]+)\\b".to_string(),
            2,
        ),
        ("^[一二三四五六七八九十]+、".to_string(), 3),
        ("^[（(][一二三四五六七八九十]+[）)]".to_string(), 4),
        ("^[IVXLC]{1,7}\\.?$".to_string(), 2),
        // Sections named, not numbered.
        (
            "^(?:序|序言|自序|前言|引言|引子|楔子|尾声|尾聲|后记|後記|跋|附录|附錄|Preface|Prologue|Epilogue|Introduction|PREFACE|PROLOGUE|EPILOGUE|INTRODUCTION)$"
                .to_string(),
            2,
        ),
    ];
    patterns
        .into_iter()
        .filter_map(|(pattern, level)| Regex::new(&pattern).ok().map(|r| (r, level)))
        .collect()
});

impl HeadingRules {
    /// The level of `line` if it is a heading.
    pub fn level(&self, line: &str) -> Option<u8> {
        let chars = line.chars().count();
        if !self.detect || chars > MAX_NUMBERED_HEADING_CHARS || ends_sentence(line) {
            return None;
        }
        let numbered = BUILT_IN[..NUMBERED]
            .iter()
            .find(|(regex, _)| regex.is_match(line))
            .map(|(_, level)| *level);
        if numbered.is_some() || chars > MAX_HEADING_CHARS {
            return numbered;
        }
        BUILT_IN[NUMBERED..]
            .iter()
            .find(|(regex, _)| regex.is_match(line))
            .map(|(_, level)| *level)
            .or_else(|| self.extra.iter().any(|r| r.is_match(line)).then_some(2))
    }

    /// Whether `line` is a chapter number alone (`第一回`, `CHAPTER I.`),
    /// which a title on the next line completes.
    pub fn is_bare(&self, line: &str) -> bool {
        self.detect && BARE.is_match(line)
    }

    /// Whether `line` can be the title after a bare chapter number: short,
    /// no sentence, no heading itself.
    pub fn is_subtitle(&self, line: &str) -> bool {
        line.chars().count() <= MAX_SUBTITLE_CHARS
            && !ends_sentence(line)
            && !line.ends_with(['.', '!', '?'])
            && self.level(line).is_none()
    }
}

/// Whether `line` holds sentence punctuation a heading would not.
fn ends_sentence(line: &str) -> bool {
    line.contains(['。', '！', '？', '；']) || line.ends_with(['，', '、', '：', ',', ';', ':'])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_common_headings() {
        let rules = HeadingRules::default();
        for (line, level) in [
            ("第一章", 2),
            ("第1章 出发", 2),
            ("第十二回　宝玉", 2),
            ("第三卷", 1),
            ("第二节：方法", 3),
            ("一、坚持人民立场", 3),
            ("（二）具体做法", 4),
            ("Chapter 3", 2),
            ("Part IV The End", 1),
            // A chapter number may carry a long title.
            ("CHAPTER I. Down the Rabbit-Hole", 2),
            ("CHAPTER IV. The Rabbit Sends in a Little Bill", 2),
            ("第十一回　庆寿辰宁府排家宴　见熙凤贾瑞起淫心", 2),
            ("XII.", 2),
            ("序言", 2),
            ("Preface", 2),
        ] {
            assert_eq!(rules.level(line), Some(level), "{line}");
        }
        let long = format!("Chapter 9 {}", "a".repeat(75));
        assert_eq!(rules.level(&long), None);
    }

    #[test]
    fn a_bare_number_takes_the_next_line_as_its_title() {
        let rules = HeadingRules::default();
        for bare in ["第一回", "CHAPTER I.", "Chapter 12", "第3章"] {
            assert!(rules.is_bare(bare), "{bare}");
        }
        for titled in ["第一回 起", "CHAPTER I. Down", "序言"] {
            assert!(!rules.is_bare(titled), "{titled}");
        }
        assert!(rules.is_subtitle("甄士隐梦幻识通灵　贾雨村风尘怀闺秀"));
        assert!(rules.is_subtitle("Down the Rabbit-Hole"));
        assert!(!rules.is_subtitle("那天下着雨。"));
        assert!(!rules.is_subtitle("第二回"));
        assert!(!rules.is_subtitle("It was a dark night."));
    }

    #[test]
    fn sentences_are_not_headings() {
        let rules = HeadingRules::default();
        for line in [
            "第一章写得很好。",
            "一、我们要坚持人民至上，紧紧围绕保障人民生命安全，解决最关心的问题",
            "第一次见面的时候",
            "第三者",
            "一、",
            "Chapter and verse",
            "推动国家安全体系和能力现代化要坚定人民立场。",
        ] {
            assert_eq!(rules.level(line), None, "{line}");
        }
        let off = HeadingRules {
            detect: false,
            ..HeadingRules::default()
        };
        assert_eq!(off.level("第一章"), None);
    }

    #[test]
    fn extra_patterns_are_level_two() {
        let rules = HeadingRules {
            detect: true,
            extra: vec![Regex::new("^序章$").unwrap()],
        };
        assert_eq!(rules.level("序章"), Some(2));
        assert_eq!(rules.level("序章之后"), None);
    }
}
