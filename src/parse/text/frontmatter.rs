//! The top of a plain-text essay: its title, and what plain text as people
//! have it puts around the text. A Project Gutenberg file brings a header
//! (with `Title:`, `Author:`, `Language:` lines), producer credits and a
//! licence footer; a scraped novel brings banners such as
//! `=====正文=====` and rule lines. The boilerplate is left out and the
//! metadata used. The first line is the title only when it looks like one;
//! otherwise the title comes from the metadata, then from the file name.
//!
//! Paid text stays where it is: lines are only removed or emptied, never
//! moved, and metadata is read from free lines only.

use std::borrow::Cow;
use std::path::Path;
use std::sync::LazyLock;

use regex::Regex;

use crate::creator::Role;
use crate::error::{Error, Result, Warning};
use crate::essay::{Access, Creator};
use crate::parse::{HeadingRules, checked_title};

use super::Line;

/// What the top of an essay says about it.
#[derive(Debug)]
pub(super) struct FrontMatter {
    /// The essay's title.
    pub(super) title: String,
    /// The people it credits.
    pub(super) creators: Vec<Creator>,
    /// Its language as a BCP 47 tag, when its metadata names one.
    pub(super) lang: Option<String>,
}

/// Longer first lines are text, not a title.
const MAX_TITLE_LINE_CHARS: usize = 50;

/// Takes the front matter off `lines`: Gutenberg boilerplate and banners go,
/// the title line (when there is one) is taken, and the body remains.
pub(super) fn take(
    path: &Path,
    lines: &mut Vec<Line<'_>>,
    headings: &HeadingRules,
    warnings: &mut Vec<Warning>,
) -> Result<FrontMatter> {
    let gutenberg = gutenberg::strip(lines);
    if let Some(found) = &gutenberg {
        warnings.push(Warning::new(
            path,
            Some(found.start_line),
            "a Project Gutenberg file: its header, producer credits and licence were left out; \
             the title, creators and language come from its Title:, Author: and Language: lines",
        ));
    }
    banners::clear(lines);
    let metadata = gutenberg.unwrap_or_default();
    let Some(at) = lines.iter().position(|l| !l.text.trim().is_empty()) else {
        return Err(Error::Empty {
            path: path.to_path_buf(),
        });
    };
    let first = &lines[at];
    let title = if let Some(title) = metadata.title {
        if first.access == Access::Free && same_words(&first.text, &title) {
            lines.drain(..=at);
            drop_byline(lines, &metadata.creators);
        }
        title
    } else if first.access == Access::Paid {
        return Err(Error::PaidTitle {
            path: path.to_path_buf(),
            line: first.number,
        });
    } else {
        match not_a_title(first.text.trim(), &lines[at + 1..], headings) {
            None => {
                let title = unquoted(first.text.trim()).to_string();
                lines.drain(..=at);
                title
            }
            Some(reason) => {
                let stem = path
                    .file_stem()
                    .map(|s| s.to_string_lossy().into_owned())
                    .unwrap_or_default();
                warnings.push(Warning::new(
                    path,
                    Some(first.number),
                    format!(
                        "the first line is {reason}, so it is not taken as the title; the title \
                         is the file name \"{stem}\": put the title on a line of its own at the \
                         top, or pass --title"
                    ),
                ));
                stem
            }
        }
    };
    Ok(FrontMatter {
        title: checked_title(path, title)?,
        creators: metadata.creators,
        lang: metadata.lang,
    })
}

/// Why `line`, followed by `rest`, is not a title, or `None` if it may be
/// one: short, not a sentence, not a section name such as 序言 and not the
/// first of several headings of one level (`第一回` before `第二回`; a lone
/// `第三篇` heads a collection's essay and is its title).
fn not_a_title(line: &str, rest: &[Line<'_>], headings: &HeadingRules) -> Option<&'static str> {
    let first_of_its_level = || {
        headings.level(line).is_some_and(|level| {
            rest.iter()
                .any(|l| headings.level(l.text.trim()) == Some(level))
        })
    };
    if line.chars().count() > MAX_TITLE_LINE_CHARS {
        Some("too long for a title")
    } else if is_section_name(line) || first_of_its_level() {
        Some("a chapter or section heading")
    } else if is_sentence(line) {
        Some("a sentence")
    } else {
        None
    }
}

/// Names of sections that open a book without being its title.
const SECTION_NAMES: [&str; 36] = [
    "序",
    "序言",
    "自序",
    "代序",
    "序章",
    "前言",
    "引言",
    "引子",
    "楔子",
    "题记",
    "題記",
    "凡例",
    "目录",
    "目錄",
    "简介",
    "簡介",
    "内容简介",
    "內容簡介",
    "作品简介",
    "作品簡介",
    "作者简介",
    "作者簡介",
    "后记",
    "後記",
    "尾声",
    "尾聲",
    "preface",
    "foreword",
    "prologue",
    "epilogue",
    "contents",
    "table of contents",
    "introduction",
    "synopsis",
    "summary",
    "dedication",
];

fn is_section_name(line: &str) -> bool {
    let name = line.trim_end_matches([':', '：', ' ', '\u{3000}']);
    SECTION_NAMES
        .iter()
        .any(|section| name.eq_ignore_ascii_case(section))
}

/// Whether `line` reads as a sentence rather than a title.
fn is_sentence(line: &str) -> bool {
    line.contains(['。', '！', '？', '；', '，', '!', '?', ';'])
        || line.contains(", ")
        || line.ends_with(['.', ',', ':', '：', '、'])
}

/// Quote or bracket pairs a title line may stand in.
const TITLE_QUOTES: [(char, char); 8] = [
    ('《', '》'),
    ('「', '」'),
    ('『', '』'),
    ('【', '】'),
    ('“', '”'),
    ('‘', '’'),
    ('"', '"'),
    ('\'', '\''),
];

/// `title` without quotes or brackets around the whole of it (《红楼梦》 →
/// 红楼梦; `《甲》与《乙》` stays).
fn unquoted(title: &str) -> &str {
    TITLE_QUOTES
        .iter()
        .find_map(|&(open, close)| {
            let inner = title.strip_prefix(open)?.strip_suffix(close)?.trim();
            let whole = !inner.is_empty() && !inner.contains([open, close]);
            whole.then_some(inner)
        })
        .unwrap_or(title)
}

/// Whether `a` and `b` are the same words, whatever their case, spacing and
/// apostrophes.
fn same_words(a: &str, b: &str) -> bool {
    let words = |s: &str| {
        s.split_whitespace()
            .map(|w| w.replace('’', "'").to_lowercase())
            .collect::<Vec<_>>()
    };
    words(a) == words(b)
}

/// After a title line repeated from the metadata, the author line that
/// usually follows it (`Lewis Carroll`, `by Lewis Carroll`) goes too.
fn drop_byline(lines: &mut Vec<Line<'_>>, creators: &[Creator]) {
    let Some(at) = lines.iter().position(|l| !l.text.trim().is_empty()) else {
        return;
    };
    let line = lines[at].text.trim();
    let name = line
        .strip_prefix("by ")
        .or_else(|| line.strip_prefix("By "))
        .unwrap_or(line);
    let credited = creators.iter().any(|c| same_words(name, &c.name));
    if lines[at].access == Access::Free && credited {
        lines.drain(..=at);
    }
}

/// Rule lines and banners.
mod banners {
    use super::*;

    /// Characters rule lines and banner frames are made of.
    const RULE: &str = r"=\-*~_#＝－—─━·.";

    static RULE_LINE: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(&format!(r"^(?:[{RULE}][\s\u{{3000}}]*){{3,}}$")).expect("valid pattern")
    });

    static BANNER: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(&format!(
            r"^[{RULE}]{{3,}}[\s\u{{3000}}]*([^{RULE}].*?)[\s\u{{3000}}]*[{RULE}]{{3,}}$"
        ))
        .expect("valid pattern")
    });

    /// Banner labels that only mark where the text starts or a divider.
    const LABELS: [&str; 12] = [
        "正文",
        "正文开始",
        "正文開始",
        "开始阅读",
        "開始閱讀",
        "分割线",
        "分割線",
        "分隔线",
        "分隔線",
        "华丽的分割线",
        "華麗的分割線",
        "本文",
    ];

    /// Empties rule lines (`==========`, `* * *`) and the start labels of
    /// banners (`=====正文=====`); other banners keep their text alone
    /// (`===简介===` → `简介`). Free and paid lines alike; an emptied line
    /// stays as a blank line, so it still parts paragraphs.
    pub(super) fn clear(lines: &mut [Line<'_>]) {
        for line in lines {
            let text = line.text.trim();
            if text.is_empty() {
                continue;
            }
            if RULE_LINE.is_match(text) {
                line.text = Cow::Borrowed("");
            } else if let Some(banner) = BANNER.captures(text) {
                let label = banner[1].to_string();
                line.text = if LABELS.contains(&label.as_str()) {
                    Cow::Borrowed("")
                } else {
                    Cow::Owned(label)
                };
            }
        }
    }
}

/// Project Gutenberg's header, producer credits and footer.
mod gutenberg {
    use super::*;

    /// What a Gutenberg header says.
    #[derive(Debug, Default)]
    pub(super) struct Metadata {
        /// Its `Title:` (or the title its first line names).
        pub(super) title: Option<String>,
        /// Its authors, then translators, editors, illustrators.
        pub(super) creators: Vec<Creator>,
        /// Its `Language:` as a BCP 47 tag.
        pub(super) lang: Option<String>,
        /// The line of the start marker.
        pub(super) start_line: usize,
    }

    /// Where the text starts: `*** START OF THE PROJECT GUTENBERG EBOOK`
    /// (and `THIS`, without spaces) or the end of the old small print.
    static START: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?i)^\W*(?:start\W+of\W+(?:the\W+|this\W+)?project\W+gutenberg|end\W*the\W+small\W+print)")
            .expect("valid pattern")
    });

    /// Where the footer starts: `*** END OF THE PROJECT GUTENBERG EBOOK`,
    /// `End of the Project Gutenberg EBook of …`, `End of Project Gutenberg's …`.
    static END: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?i)^\W*end\W+of\W+(?:the\W+|this\W+)?project\W+gutenberg")
            .expect("valid pattern")
    });

    /// `Title: …`-like header fields.
    static FIELD: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?i)^(title|author|translator|editor|illustrator|language)\s*:\s*(.*)$")
            .expect("valid pattern")
    });

    /// `Project Gutenberg's X, by Y` and `The Project Gutenberg EBook of X, by Y`.
    static BYLINE: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(
            r"(?i)^(?:the\s+)?project\s+gutenberg(?:['’]s|\s+e-?(?:book|text)\s+of)\s+(.+?),\s+by\s+(.+?)[\s*]*$",
        )
        .expect("valid pattern")
    });

    /// Producer credits just after the start marker.
    static PRODUCER: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(
            r"(?i)^\s*(?:produced\s+by|transcribed\s+(?:from|by)|e-?text\s+prepared\s+by|prepared\s+by|this\s+e-?(?:text|book)\s+was\s+(?:prepared|produced))",
        )
        .expect("valid pattern")
    });

    /// Leaves out a Gutenberg header (up to its start marker), the producer
    /// credits after it and the footer (from its end marker on) and returns
    /// what the header said, or `None` if `lines` have no start marker.
    pub(super) fn strip(lines: &mut Vec<Line<'_>>) -> Option<Metadata> {
        let end = lines.iter().position(|l| END.is_match(l.text.trim()));
        let before_end = &lines[..end.unwrap_or(lines.len())];
        let start = before_end
            .iter()
            .rposition(|l| START.is_match(l.text.trim()))?;
        let mut metadata = read_header(&lines[..start]);
        metadata.start_line = lines[start].number;
        if let Some(end) = end {
            lines.truncate(end);
        }
        lines.drain(..=start);
        drop_producers(lines);
        Some(metadata)
    }

    /// The fields of a header's free lines; a field's value goes on over
    /// the indented lines after it.
    fn read_header(header: &[Line<'_>]) -> Metadata {
        let mut metadata = Metadata::default();
        let mut byline = None;
        let free: Vec<&str> = header
            .iter()
            .filter(|l| l.access == Access::Free)
            .map(|l| l.text.as_ref())
            .collect();
        for (at, line) in free.iter().enumerate() {
            if let Some(found) = BYLINE.captures(line.trim()) {
                byline.get_or_insert((found[1].to_string(), found[2].to_string()));
                continue;
            }
            let Some(field) = FIELD.captures(line.trim_end()) else {
                continue;
            };
            let mut value = field[2].trim().to_string();
            for more in free[at + 1..]
                .iter()
                .take_while(|l| l.starts_with([' ', '\t']) && !l.trim().is_empty())
            {
                value.push(' ');
                value.push_str(more.trim());
            }
            if value.is_empty() {
                continue;
            }
            let role = match field[1].to_ascii_lowercase().as_str() {
                "title" => {
                    metadata.title.get_or_insert(value);
                    continue;
                }
                "language" => {
                    metadata.lang = metadata.lang.or_else(|| language_tag(&value));
                    continue;
                }
                "author" => Role::Author,
                "translator" => Role::Translator,
                "editor" => Role::Editor,
                _ => Role::Illustrator,
            };
            metadata.creators.push(Creator { name: value, role });
        }
        if let Some((title, author)) = byline {
            metadata.title.get_or_insert(title);
            if !metadata.creators.iter().any(|c| c.role == Role::Author) {
                metadata.creators.push(Creator::author(author));
            }
        }
        // Authors first, as the package document lists them.
        metadata.creators.sort_by_key(|c| c.role != Role::Author);
        metadata
    }

    /// Leaves out the producer credits that follow the start marker: each
    /// paragraph (up to a blank line) that starts with one.
    fn drop_producers(lines: &mut Vec<Line<'_>>) {
        loop {
            let Some(at) = lines.iter().position(|l| !l.text.trim().is_empty()) else {
                return;
            };
            if !PRODUCER.is_match(&lines[at].text) {
                return;
            }
            let access = lines[at].access;
            let end = lines[at..]
                .iter()
                .position(|l| l.text.trim().is_empty() || l.access != access)
                .map_or(lines.len(), |n| at + n);
            lines.drain(..end);
        }
    }

    /// Language names of Gutenberg headers and their BCP 47 tags.
    const LANGUAGES: [(&str, &str); 24] = [
        ("english", "en"),
        ("chinese", "zh"),
        ("japanese", "ja"),
        ("korean", "ko"),
        ("french", "fr"),
        ("german", "de"),
        ("spanish", "es"),
        ("italian", "it"),
        ("portuguese", "pt"),
        ("dutch", "nl"),
        ("russian", "ru"),
        ("latin", "la"),
        ("greek", "el"),
        ("swedish", "sv"),
        ("danish", "da"),
        ("norwegian", "no"),
        ("finnish", "fi"),
        ("polish", "pl"),
        ("czech", "cs"),
        ("hungarian", "hu"),
        ("esperanto", "eo"),
        ("catalan", "ca"),
        ("welsh", "cy"),
        ("tagalog", "tl"),
    ];

    /// The tag of the first language `value` names (`English` → `en`).
    fn language_tag(value: &str) -> Option<String> {
        let first = value
            .split([',', ';', '/', '&'])
            .next()?
            .split(" and ")
            .next()?;
        let name = first.trim().to_lowercase();
        LANGUAGES
            .iter()
            .find(|(language, _)| *language == name)
            .map(|(_, tag)| tag.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::parse::text::free_lines as lines_of;

    /// The front matter of `text` read as `name`, the body left and the warnings.
    fn take_from(name: &str, text: &str) -> (FrontMatter, Vec<String>, Vec<Warning>) {
        let mut lines = lines_of(text);
        let mut warnings = Vec::new();
        let front = take(
            Path::new(name),
            &mut lines,
            &HeadingRules::default(),
            &mut warnings,
        )
        .unwrap();
        let body = lines
            .into_iter()
            .map(|l| l.text.trim().to_string())
            .filter(|t| !t.is_empty())
            .collect();
        (front, body, warnings)
    }

    fn credits(front: &FrontMatter) -> Vec<(&str, &str)> {
        front
            .creators
            .iter()
            .map(|c| (c.name.as_str(), c.role.marc_code()))
            .collect()
    }

    const MODERN: &str = "\
The Project Gutenberg eBook of The Lantern Keeper, by Mara Quill

This file is for anyone to read; the licence at the end says more.

Title: The Lantern Keeper
       and Other Small Lights

Author: Mara Quill

Translator: Ivo Penrose

Release date: May 1, 2031 [eBook #99999]

Language: English

*** START OF THE PROJECT GUTENBERG EBOOK THE LANTERN KEEPER ***

Produced by a volunteer who typed
the whole of it twice.

THE LANTERN KEEPER AND OTHER SMALL LIGHTS

by Mara Quill

CHAPTER I. The Lamp on the Hill

The lamp was lit each evening at six.

*** END OF THE PROJECT GUTENBERG EBOOK THE LANTERN KEEPER ***

Section 1. General Terms of Use of this licence.";

    #[test]
    fn a_modern_gutenberg_file_gives_its_metadata_and_loses_its_boilerplate() {
        let (front, body, warnings) = take_from("pg99999.txt", MODERN);
        assert_eq!(front.title, "The Lantern Keeper and Other Small Lights");
        assert_eq!(
            credits(&front),
            [("Mara Quill", "aut"), ("Ivo Penrose", "trl")]
        );
        assert_eq!(front.lang.as_deref(), Some("en"));
        assert_eq!(
            body,
            [
                "CHAPTER I. The Lamp on the Hill",
                "The lamp was lit each evening at six."
            ]
        );
        assert_eq!(warnings.len(), 1);
        assert_eq!(warnings[0].line, Some(16));
    }

    #[test]
    fn every_era_of_markers_is_recognised() {
        for (start, end) in [
            (
                "*** START OF THIS PROJECT GUTENBERG EBOOK X ***",
                "End of the Project Gutenberg EBook of X, by Y",
            ),
            (
                "***START OF THE PROJECT GUTENBERG EBOOK X***",
                "End of Project Gutenberg's X, by Y",
            ),
            (
                "*END*THE SMALL PRINT! FOR PUBLIC DOMAIN ETEXTS*Ver.04.29.93*END*",
                "*** END OF THE PROJECT GUTENBERG EBOOK X ***",
            ),
        ] {
            let text = format!(
                "Project Gutenberg's Quiet Rooms, by Ada Flint\n\
                 small print\n{start}\nQuiet Rooms\nOnly this stays.\n{end}\nlicence"
            );
            let (front, body, _) = take_from("q.txt", &text);
            assert_eq!(front.title, "Quiet Rooms", "{start}");
            assert_eq!(credits(&front), [("Ada Flint", "aut")], "{start}");
            assert_eq!(body, ["Only this stays."], "{start}");
        }
    }

    #[test]
    fn an_old_small_print_file_takes_its_title_from_the_first_line() {
        let text = "\
The Project Gutenberg Etext of Notes on Rain, by Basil Moor

Please take a look at the important information in this header.

**Welcome To The World of Free Plain Vanilla Electronic Texts**

*END*THE SMALL PRINT! FOR PUBLIC DOMAIN ETEXTS*Ver.04.29.93*END*

This etext was prepared by a reader with a lamp.

NOTES ON RAIN

The first note is about puddles.

End of The Project Gutenberg Etext of Notes on Rain";
        let (front, body, _) = take_from("rain10.txt", text);
        assert_eq!(front.title, "Notes on Rain");
        assert_eq!(credits(&front), [("Basil Moor", "aut")]);
        assert_eq!(front.lang, None);
        assert_eq!(body, ["The first note is about puddles."]);
    }

    #[test]
    fn rule_lines_and_banners_are_boilerplate() {
        let (front, body, warnings) = take_from(
            "网页.txt",
            "《山外青山》\n==========\n========简介========\n一段简介\n=====正文=====\n第一章 出山\n* * *\n正文一句。",
        );
        assert_eq!(front.title, "山外青山");
        assert!(warnings.is_empty());
        assert_eq!(body, ["简介", "一段简介", "第一章 出山", "正文一句。"]);
    }

    #[test]
    fn a_banner_or_section_name_first_is_no_title_and_the_file_name_is() {
        for first in ["========简介========", "序言", "Contents", "第一回 开篇"] {
            let text = format!("{first}\n正文。\n第二回 再续\n又一段。");
            let (front, body, warnings) = take_from("dir/无题集.txt", &text);
            assert_eq!(front.title, "无题集", "{first}");
            assert_eq!(body.len(), 4, "{first}");
            assert_eq!(warnings.len(), 1);
            let message = &warnings[0].message;
            assert!(message.contains("heading"), "{message}");
            assert!(message.contains("\"无题集\"") && message.contains("--title"));
        }
    }

    #[test]
    fn a_heading_no_other_line_matches_is_a_title() {
        let (front, body, warnings) = take_from("a.txt", "第三篇\n正文。\n一、小节");
        assert_eq!(front.title, "第三篇");
        assert_eq!(body, ["正文。", "一、小节"]);
        assert!(warnings.is_empty());
    }

    #[test]
    fn long_lines_and_sentences_are_not_titles() {
        for (first, reason) in [
            (
                "这是一句很长很长的开头，写了许多事情，一直说下去也没有停下的意思，直到超过了五十个字为止才算完结呢，你看这样是不是已经够长了。",
                "too long",
            ),
            ("他走了。", "a sentence"),
            ("Once, there was a lamp.", "a sentence"),
        ] {
            let (front, _, warnings) = take_from("a.txt", &format!("{first}\n正文。"));
            assert_eq!(front.title, "a");
            assert!(warnings[0].message.contains(reason), "{first}");
        }
    }

    #[test]
    fn quotes_around_a_title_are_left_out() {
        for (line, title) in [
            ("《红楼梦》", "红楼梦"),
            ("「雨の日」", "雨の日"),
            ("“Night Train”", "Night Train"),
            ("《甲》与《乙》", "《甲》与《乙》"),
        ] {
            assert_eq!(take_from("a.txt", line).0.title, title);
        }
    }

    #[test]
    fn metadata_comes_from_free_lines_only() {
        let mut lines =
            lines_of("Title: Secret Name\n*** START OF THE PROJECT GUTENBERG EBOOK ***\nText.");
        lines[0].access = Access::Paid;
        let front = take(
            Path::new("kept.txt"),
            &mut lines,
            &HeadingRules::default(),
            &mut Vec::new(),
        )
        .unwrap();
        assert_eq!(front.title, "kept");
    }

    #[test]
    fn a_paid_first_line_is_refused_without_a_metadata_title() {
        let mut lines = lines_of("\n标题\n正文");
        lines[1].access = Access::Paid;
        let err = take(
            Path::new("a.txt"),
            &mut lines,
            &HeadingRules::default(),
            &mut Vec::new(),
        )
        .unwrap_err();
        assert!(matches!(err, Error::PaidTitle { line: 2, .. }), "{err}");
    }
}
