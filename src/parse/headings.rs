//! Headings in plain text: lines such as `第一章 出发`, `第3节`, `一、`,
//! `（二）` or `Chapter 4` that are short and do not end a sentence become
//! section headings, nested by level: 卷/部/篇/Part 1, 章/回/Chapter 2,
//! 节 and `一、` 3, `（一）` 4. A config can add patterns (level 2).

use std::sync::LazyLock;

use regex::Regex;

/// Longer lines are paragraphs, whatever they start with.
const MAX_HEADING_CHARS: usize = 30;

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
        crate::settings::Options::default().headings
    }
}

const NUMBER: &str = "[0-9０-９一二三四五六七八九十百千零〇两壹贰叁肆伍陆柒捌玖拾]+";

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
    ];
    patterns
        .into_iter()
        .filter_map(|(pattern, level)| Regex::new(&pattern).ok().map(|r| (r, level)))
        .collect()
});

impl HeadingRules {
    /// The level of `line` if it is a heading.
    pub fn level(&self, line: &str) -> Option<u8> {
        if !self.detect || line.chars().count() > MAX_HEADING_CHARS || ends_sentence(line) {
            return None;
        }
        BUILT_IN
            .iter()
            .find(|(regex, _)| regex.is_match(line))
            .map(|(_, level)| *level)
            .or_else(|| self.extra.iter().any(|r| r.is_match(line)).then_some(2))
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
        ] {
            assert_eq!(rules.level(line), Some(level), "{line}");
        }
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
