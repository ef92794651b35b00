//! The one line `wenji build` ends with: what the book holds (chapters, free
//! and paid characters, reading time) and which editions were written, so a
//! writer sees at a glance that the book is what they meant. Counts only:
//! no text of the book, so no paid text, is ever in it.

use std::fmt;

use crate::book::Book;
use crate::edition::Edition;
use crate::lang;

/// How fast a language is read, silently, by adults: units a minute.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ReadingSpeed {
    /// What is counted: characters (CJK) or words (everything else).
    pub unit: ReadingUnit,
    /// Units a minute.
    pub per_minute: f64,
}

/// What a reading speed counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReadingUnit {
    /// Every character (CJK text has no spaces between words).
    Characters,
    /// Runs of letters between spaces.
    Words,
}

/// The usual silent reading speed of adults reading `lang` (a BCP 47 tag).
///
/// - Chinese: the IReST study (Trauzettel-Klosinski & Dietz, "Standardized
///   Assessment of Reading Performance: The New International Reading Speed
///   Texts IReST", IOVS 53(9), 2012) measured 255 ± 29 characters a minute
///   read *aloud*; silent reading is quicker, hence 300.
/// - Japanese: mixed kanji and kana carry less per character; 500 is the
///   middle of the 400–600 characters a minute commonly quoted for adults
///   (IReST's aloud rate is lower, as for Chinese).
/// - Korean: no standard figure found; Hangul syllable blocks are counted
///   like Japanese characters, at the same 500 (an estimate).
/// - Everything else: Brysbaert, "How many words do we read per minute? A
///   review and meta-analysis of reading rate" (Journal of Memory and
///   Language 109, 2019) gives 238 words a minute for silent reading of
///   English non-fiction and 260 for fiction; IReST 228 aloud. 230 keeps the
///   estimate on the safe side for other alphabetic languages too.
pub fn reading_speed(lang: &str) -> ReadingSpeed {
    if !lang::is_cjk(lang) {
        return ReadingSpeed {
            unit: ReadingUnit::Words,
            per_minute: 230.0,
        };
    }
    let chinese = lang
        .split('-')
        .next()
        .is_some_and(|primary| primary.eq_ignore_ascii_case("zh"));
    ReadingSpeed {
        unit: ReadingUnit::Characters,
        per_minute: if chinese { 300.0 } else { 500.0 },
    }
}

/// Minutes to read `text_units` (counted in `speed.unit`) at `speed`.
pub fn reading_minutes(text_units: usize, speed: ReadingSpeed) -> f64 {
    text_units as f64 / speed.per_minute
}

/// The summary of a built book.
#[derive(Debug, Clone, PartialEq)]
pub struct Summary {
    /// The full edition's title.
    pub title: String,
    /// Chapters: one per essay.
    pub chapters: usize,
    /// Characters of free text over the book.
    pub free_chars: usize,
    /// Characters of paid text over the book.
    pub paid_chars: usize,
    /// Minutes to read the longest edition written, each chapter at its
    /// language's speed.
    pub minutes: f64,
    /// The edition the reading time is for: full when it was written.
    pub timed: Edition,
    /// The editions written, each with where it went.
    pub written: Vec<(Edition, String)>,
}

impl Summary {
    /// Sums `book` up; `written` names each edition written and where.
    /// Characters are counted as `wenji batch` reports them
    /// ([`crate::essay::Essay::char_counts`]).
    pub fn new(book: &Book, written: Vec<(Edition, String)>) -> Summary {
        let timed = if written.iter().any(|(edition, _)| *edition == Edition::Full) {
            Edition::Full
        } else {
            Edition::Preview
        };
        let (mut free_chars, mut paid_chars, mut minutes) = (0, 0, 0.0);
        for essay in &book.essays {
            let (free, paid) = essay.char_counts();
            free_chars += free;
            paid_chars += paid;
            let lang = essay.lang.as_deref().unwrap_or(&book.languages[0]);
            let speed = reading_speed(lang);
            let (free_units, paid_units) = match speed.unit {
                ReadingUnit::Characters => (free, paid),
                ReadingUnit::Words => essay.text_counts(|text| text.split_whitespace().count()),
            };
            let units = match timed {
                Edition::Full => free_units + paid_units,
                Edition::Preview => free_units,
            };
            minutes += reading_minutes(units, speed);
        }
        Summary {
            title: book.title.clone(),
            chapters: book.essays.len(),
            free_chars,
            paid_chars,
            minutes,
            timed,
            written,
        }
    }
}

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: {} chapter{}, {} free + {} paid characters, about {} to read ({}), wrote ",
            self.title,
            self.chapters,
            if self.chapters == 1 { "" } else { "s" },
            thousands(self.free_chars),
            thousands(self.paid_chars),
            duration(self.minutes),
            edition_name(self.timed),
        )?;
        for (i, (edition, place)) in self.written.iter().enumerate() {
            if i > 0 {
                f.write_str(" and ")?;
            }
            write!(f, "{place} ({})", edition_name(*edition))?;
        }
        Ok(())
    }
}

fn edition_name(edition: Edition) -> &'static str {
    match edition {
        Edition::Preview => "preview",
        Edition::Full => "full",
    }
}

/// `n` with a comma every three digits: `2,140`.
fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(digit);
    }
    out
}

/// A reading time rounded to the minute, at least 1: `8 min`, `1 h 05 min`.
fn duration(minutes: f64) -> String {
    let minutes = (minutes.round() as u64).max(1);
    match (minutes / 60, minutes % 60) {
        (0, m) => format!("{m} min"),
        (h, 0) => format!("{h} h"),
        (h, m) => format!("{h} h {m:02} min"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_get_thousands_separators() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(2140), "2,140");
        assert_eq!(thousands(1_234_567), "1,234,567");
    }

    #[test]
    fn durations_round_to_the_minute_and_never_say_zero() {
        assert_eq!(duration(0.2), "1 min");
        assert_eq!(duration(7.6), "8 min");
        assert_eq!(duration(60.0), "1 h");
        assert_eq!(duration(65.2), "1 h 05 min");
        assert_eq!(duration(150.0), "2 h 30 min");
    }

    #[test]
    fn reading_speed_counts_characters_in_cjk_and_words_elsewhere() {
        let chinese = reading_speed("zh-Hans");
        assert_eq!(chinese.unit, ReadingUnit::Characters);
        assert_eq!(reading_speed("zh-Hant"), chinese);
        assert_eq!(reading_minutes(3000, chinese), 10.0);
        let japanese = reading_speed("ja");
        assert_eq!(japanese.unit, ReadingUnit::Characters);
        assert!(japanese.per_minute > chinese.per_minute);
        assert_eq!(reading_speed("ko-KR").unit, ReadingUnit::Characters);
        let english = reading_speed("en");
        assert_eq!(english.unit, ReadingUnit::Words);
        assert_eq!(reading_minutes(2300, english), 10.0);
        assert_eq!(reading_speed("fr"), english);
    }

    fn summary(written: &[(Edition, &str)]) -> Summary {
        Summary {
            title: "晨读集".into(),
            chapters: 3,
            free_chars: 2140,
            paid_chars: 860,
            minutes: 7.9,
            timed: Edition::Full,
            written: written
                .iter()
                .map(|(edition, place)| (*edition, place.to_string()))
                .collect(),
        }
    }

    #[test]
    fn the_line_names_counts_time_and_each_edition_written() {
        let both = summary(&[
            (Edition::Preview, "book.epub"),
            (Edition::Full, "book.full.epub"),
        ]);
        assert_eq!(
            both.to_string(),
            "晨读集: 3 chapters, 2,140 free + 860 paid characters, about 8 min to read (full), \
             wrote book.epub (preview) and book.full.epub (full)"
        );
        let mut one = summary(&[(Edition::Preview, "a.epub")]);
        (one.chapters, one.timed) = (1, Edition::Preview);
        let line = one.to_string();
        assert!(line.starts_with("晨读集: 1 chapter, "), "{line}");
        assert!(
            line.ends_with("to read (preview), wrote a.epub (preview)"),
            "{line}"
        );
    }
}
