//! Book metadata beyond title, authors and language — description,
//! publisher, date, subjects, rights, identifier and ISBN, series — as a
//! publisher needs it in the package document. The same keys are read from
//! `wenji.toml` and from a Markdown essay's front matter; this module checks
//! their values once for both (a W3CDTF date, an ISBN's check digit, a
//! numeric series position) and holds the checked result.

use serde::Deserialize;

use crate::creator::{Creator, Role};

/// The book-level keys as written, in `wenji.toml` or in front matter.
#[derive(Debug, Default, Clone, PartialEq, Deserialize)]
pub struct MetaKeys {
    /// A description of the book (`dc:description`).
    pub description: Option<String>,
    /// The publisher (`dc:publisher`).
    pub publisher: Option<String>,
    /// The publication date (`dc:date`), W3CDTF: `2024`, `2024-03`,
    /// `2024-03-01` or a date and time with a zone.
    #[serde(default, deserialize_with = "date_text")]
    pub date: Option<String>,
    /// Subjects (`dc:subject`); one alone may be a string. `tags` is the same key.
    #[serde(
        default,
        alias = "tags",
        deserialize_with = "crate::config::one_or_many"
    )]
    pub subject: Option<Vec<String>>,
    /// Rights statement (`dc:rights`).
    pub rights: Option<String>,
    /// A fixed `dc:identifier` for the full edition.
    pub identifier: Option<String>,
    /// An ISBN-10 or ISBN-13, hyphens allowed.
    pub isbn: Option<String>,
    /// The series the book belongs to.
    pub series: Option<String>,
    /// The book's position in its series.
    pub series_index: Option<f64>,
}

/// A contributor as written: `{ name = "…", role = "translator" }`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ContributorKey {
    /// The name.
    pub name: String,
    /// What they did.
    pub role: ContributorRole,
}

/// The roles a contributor key may name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ContributorRole {
    /// Translated the text (`trl`).
    Translator,
    /// Edited it (`edt`).
    Editor,
    /// Drew its pictures (`ill`).
    Illustrator,
}

impl ContributorKey {
    /// The contributor as the book credits them; `None` for a blank name.
    pub fn creator(&self) -> Option<Creator> {
        let name = self.name.trim();
        let role = match self.role {
            ContributorRole::Translator => Role::Translator,
            ContributorRole::Editor => Role::Editor,
            ContributorRole::Illustrator => Role::Illustrator,
        };
        (!name.is_empty()).then(|| Creator {
            name: name.to_string(),
            role,
        })
    }
}

/// Checked book metadata. Every string is non-blank.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct BookMeta {
    /// A configured `dc:identifier` for the full edition.
    pub identifier: Option<String>,
    /// The ISBN as `urn:isbn:978…` (13 digits). Only the full edition
    /// carries it: a preview is another product.
    pub isbn: Option<String>,
    /// Everything else, written to every edition.
    pub about: About,
}

/// The metadata every edition carries, the preview included: it is public.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct About {
    /// `dc:description`.
    pub description: Option<String>,
    /// `dc:publisher`.
    pub publisher: Option<String>,
    /// `dc:date`, W3CDTF.
    pub date: Option<String>,
    /// `dc:subject`s, in order.
    pub subjects: Vec<String>,
    /// `dc:rights`.
    pub rights: Option<String>,
    /// The series (`belongs-to-collection`).
    pub series: Option<Series>,
}

/// A series and the book's place in it.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    /// Its name.
    pub name: String,
    /// The book's position (`group-position`), as written in the OPF: `2`, `2.5`.
    pub position: Option<String>,
}

/// A key whose value cannot be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadKey {
    /// The key.
    pub key: &'static str,
    /// The value as written.
    pub value: String,
    /// What is wrong and what to do.
    pub problem: String,
}

impl MetaKeys {
    /// The checked metadata, or the first key whose value is unusable.
    pub fn check(self) -> Result<BookMeta, BadKey> {
        let date = match non_blank(self.date) {
            Some(date) if !is_w3cdtf(&date) => {
                return Err(BadKey {
                    key: "date",
                    value: date,
                    problem: "not a date: write YYYY, YYYY-MM, YYYY-MM-DD or a date and time \
                              with its zone (2024-03-01T09:30:00+08:00)"
                        .into(),
                });
            }
            date => date,
        };
        let isbn = match non_blank(self.isbn) {
            Some(isbn) => Some(isbn_urn(&isbn).map_err(|problem| BadKey {
                key: "isbn",
                value: isbn.clone(),
                problem,
            })?),
            None => None,
        };
        let position = match self.series_index {
            Some(index) if !index.is_finite() || index < 0.0 => {
                return Err(BadKey {
                    key: "series_index",
                    value: index.to_string(),
                    problem: "a position in a series is a number of 0 or more, such as 2 or 2.5"
                        .into(),
                });
            }
            index => index.map(|i| i.to_string()),
        };
        let series = match (non_blank(self.series), position) {
            (Some(name), position) => Some(Series { name, position }),
            (None, Some(position)) => {
                return Err(BadKey {
                    key: "series_index",
                    value: position,
                    problem: "a position needs its series: add series = \"…\"".into(),
                });
            }
            (None, None) => None,
        };
        Ok(BookMeta {
            identifier: non_blank(self.identifier),
            isbn,
            about: About {
                description: non_blank(self.description),
                publisher: non_blank(self.publisher),
                date,
                subjects: self
                    .subject
                    .unwrap_or_default()
                    .into_iter()
                    .filter_map(|s| non_blank(Some(s)))
                    .collect(),
                rights: non_blank(self.rights),
                series,
            },
        })
    }
}

impl BookMeta {
    /// Each value of `self`, else of `fallback`.
    pub fn or(self, fallback: BookMeta) -> BookMeta {
        let (about, other) = (self.about, fallback.about);
        BookMeta {
            identifier: self.identifier.or(fallback.identifier),
            isbn: self.isbn.or(fallback.isbn),
            about: About {
                description: about.description.or(other.description),
                publisher: about.publisher.or(other.publisher),
                date: about.date.or(other.date),
                subjects: if about.subjects.is_empty() {
                    other.subjects
                } else {
                    about.subjects
                },
                rights: about.rights.or(other.rights),
                series: about.series.or(other.series),
            },
        }
    }

    /// The keys that are set, as written (for messages).
    pub fn keys_set(&self) -> Vec<&'static str> {
        let about = &self.about;
        [
            ("identifier", self.identifier.is_some()),
            ("isbn", self.isbn.is_some()),
            ("description", about.description.is_some()),
            ("publisher", about.publisher.is_some()),
            ("date", about.date.is_some()),
            ("subject", !about.subjects.is_empty()),
            ("rights", about.rights.is_some()),
            ("series", about.series.is_some()),
        ]
        .into_iter()
        .filter_map(|(key, set)| set.then_some(key))
        .collect()
    }
}

/// `value` trimmed, `None` if blank: EPUB metadata may not be empty.
fn non_blank(value: Option<String>) -> Option<String> {
    value
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
}

/// Whether `date` is a W3CDTF date (the profile of ISO 8601 `dc:date`
/// takes): a year, a month, a day, or a day with a time and zone.
pub fn is_w3cdtf(date: &str) -> bool {
    let number = |s: &str, max: u32| -> Option<u32> {
        (s.len() == 2 && s.bytes().all(|b| b.is_ascii_digit()))
            .then(|| s.parse().ok())
            .flatten()
            .filter(|n| *n <= max)
    };
    let (day, time) = match date.split_once('T') {
        Some((day, time)) => (day, Some(time)),
        None => (date, None),
    };
    let mut parts = day.split('-');
    let year = parts.next().unwrap_or_default();
    if year.len() != 4 || !year.bytes().all(|b| b.is_ascii_digit()) {
        return false;
    }
    let (month, mday) = (parts.next(), parts.next());
    if parts.next().is_some() {
        return false;
    }
    let year: i32 = year.parse().unwrap_or_default();
    let month = match month.map(|m| number(m, 12).filter(|m| *m >= 1)) {
        None => return time.is_none(),
        Some(None) => return false,
        Some(Some(m)) => m,
    };
    let Ok(month) = time::Month::try_from(u8::try_from(month).unwrap_or(0)) else {
        return false;
    };
    match mday.map(|d| number(d, 31)) {
        None => return time.is_none(),
        Some(None) => return false,
        Some(Some(d)) => {
            let d = u8::try_from(d).unwrap_or(0);
            if time::Date::from_calendar_date(year, month, d).is_err() {
                return false;
            }
        }
    }
    let Some(time) = time else { return true };
    let (clock, zone) = match time.strip_suffix('Z') {
        Some(clock) => (clock, None),
        None => match time.rfind(['+', '-']) {
            Some(at) => (&time[..at], Some(&time[at + 1..])),
            None => return false,
        },
    };
    let zone_ok = zone.is_none_or(|zone| {
        zone.split_once(':')
            .is_some_and(|(h, m)| number(h, 23).is_some() && number(m, 59).is_some())
    });
    let (clock, fraction) = match clock.split_once('.') {
        Some((clock, fraction)) => (clock, Some(fraction)),
        None => (clock, None),
    };
    let fields: Vec<&str> = clock.split(':').collect();
    let clock_ok = match fields.as_slice() {
        [h, m] => fraction.is_none() && number(h, 23).is_some() && number(m, 59).is_some(),
        [h, m, s] => number(h, 23).is_some() && number(m, 59).is_some() && number(s, 59).is_some(),
        _ => false,
    };
    let fraction_ok =
        fraction.is_none_or(|f| !f.is_empty() && f.bytes().all(|b| b.is_ascii_digit()));
    zone_ok && clock_ok && fraction_ok
}

/// `isbn` (ISBN-10 or ISBN-13, with or without hyphens, spaces, an `ISBN`
/// or `urn:isbn:` prefix) as `urn:isbn:` and its 13 digits, or what is wrong.
pub fn isbn_urn(isbn: &str) -> Result<String, String> {
    let trimmed = isbn.trim();
    let lower = trimmed.to_ascii_lowercase();
    let bare = ["urn:isbn:", "isbn-13:", "isbn-10:", "isbn:", "isbn"]
        .iter()
        .find_map(|prefix| lower.strip_prefix(prefix))
        .unwrap_or(&lower);
    let chars: Vec<char> = bare.chars().filter(|c| !matches!(c, '-' | ' ')).collect();
    let digit = |c: char| c.to_digit(10);
    let digits: Option<Vec<u32>> = match chars.len() {
        10 => chars
            .iter()
            .enumerate()
            .map(|(i, &c)| {
                if i == 9 && c == 'x' {
                    Some(10)
                } else {
                    digit(c)
                }
            })
            .collect(),
        13 => chars.iter().map(|&c| digit(c)).collect(),
        _ => None,
    };
    let Some(digits) = digits else {
        return Err("an ISBN has 10 or 13 digits (the last of an ISBN-10 may be X)".into());
    };
    let thirteen = if digits.len() == 10 {
        let sum: u32 = digits.iter().zip((1..=10).rev()).map(|(d, w)| d * w).sum();
        if !sum.is_multiple_of(11) {
            return Err("the check digit (the last) is wrong; copy the ISBN again".into());
        }
        let mut thirteen = vec![9, 7, 8];
        thirteen.extend(&digits[..9]);
        thirteen.push((10 - isbn13_sum(&thirteen) % 10) % 10);
        thirteen
    } else {
        if !isbn13_sum(&digits).is_multiple_of(10) {
            return Err("the check digit (the last) is wrong; copy the ISBN again".into());
        }
        digits
    };
    let text: String = thirteen
        .iter()
        .filter_map(|&d| char::from_digit(d, 10))
        .collect();
    Ok(format!("urn:isbn:{text}"))
}

/// The ISBN-13 weighted sum (weights 1, 3, 1, 3…) of `digits`.
fn isbn13_sum(digits: &[u32]) -> u32 {
    digits
        .iter()
        .zip([1, 3].into_iter().cycle())
        .map(|(d, w)| d * w)
        .sum()
}

/// A date as a string, or as TOML writes one unquoted (`date = 2024-03-01`).
pub(crate) fn date_text<'de, D>(deserializer: D) -> Result<Option<String>, D::Error>
where
    D: serde::Deserializer<'de>,
{
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Date {
        Text(String),
        Toml(toml::value::Datetime),
    }
    Ok(Some(match Date::deserialize(deserializer)? {
        Date::Text(text) => text,
        Date::Toml(date) => date.to_string(),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_w3cdtf() {
        for good in [
            "2024",
            "2024-03",
            "2024-03-01",
            "2024-02-29",
            "2024-03-01T09:30Z",
            "2024-03-01T09:30:05+08:00",
            "2024-03-01T09:30:05.25-05:00",
        ] {
            assert!(is_w3cdtf(good), "{good}");
        }
        for bad in [
            "",
            "24",
            "2024-3-1",
            "2023-02-29",
            "2024-13",
            "2024-03-01T09:30",
            "2024-03-01T25:00Z",
            "2024-03-01T09:30:05+8:00",
            "2024-03-01T09:30.5Z",
            "2024/03/01",
            "2024-03-01-02",
            "March 2024",
        ] {
            assert!(!is_w3cdtf(bad), "{bad}");
        }
    }

    #[test]
    fn isbns_are_checked_and_become_isbn_13_urns() {
        assert_eq!(
            isbn_urn("978-4-10-109205-8").unwrap(),
            "urn:isbn:9784101092058"
        );
        assert_eq!(
            isbn_urn("ISBN 978 4 10 109205 8").unwrap(),
            "urn:isbn:9784101092058"
        );
        // The same book's ISBN-10, and one ending in X.
        assert_eq!(isbn_urn("4-10-109205-2").unwrap(), "urn:isbn:9784101092058");
        assert_eq!(isbn_urn("0-8044-2957-X").unwrap(), "urn:isbn:9780804429573");
        assert_eq!(
            isbn_urn("urn:isbn:9780804429573").unwrap(),
            "urn:isbn:9780804429573"
        );
        for bad in [
            "978-4-10-109205-7",
            "4-10-109205-8",
            "97841010920",
            "978410109205X",
        ] {
            let problem = isbn_urn(bad).unwrap_err();
            assert!(
                problem.contains("check digit") || problem.contains("10 or 13"),
                "{bad}: {problem}"
            );
        }
    }

    #[test]
    fn checking_trims_blank_values_and_ties_the_index_to_a_series() {
        let keys = MetaKeys {
            description: Some("  ".into()),
            publisher: Some(" 出版社 ".into()),
            subject: Some(vec!["随笔".into(), " ".into()]),
            series: Some("丛书".into()),
            series_index: Some(2.0),
            ..MetaKeys::default()
        };
        let meta = keys.check().unwrap();
        assert_eq!(meta.about.description, None);
        assert_eq!(meta.about.publisher.as_deref(), Some("出版社"));
        assert_eq!(meta.about.subjects, ["随笔"]);
        let series = meta.about.series.unwrap();
        assert_eq!(
            (series.name.as_str(), series.position.as_deref()),
            ("丛书", Some("2"))
        );
        let half = MetaKeys {
            series: Some("丛书".into()),
            series_index: Some(2.5),
            ..MetaKeys::default()
        };
        let position = half.check().unwrap().about.series.unwrap().position;
        assert_eq!(position.as_deref(), Some("2.5"));
        let orphan = MetaKeys {
            series_index: Some(1.0),
            ..MetaKeys::default()
        };
        assert_eq!(orphan.check().unwrap_err().key, "series_index");
        let negative = MetaKeys {
            series: Some("丛书".into()),
            series_index: Some(-1.0),
            ..MetaKeys::default()
        };
        assert_eq!(negative.check().unwrap_err().key, "series_index");
        let date = MetaKeys {
            date: Some("2024-02-30".into()),
            ..MetaKeys::default()
        };
        assert_eq!(date.check().unwrap_err().key, "date");
    }

    #[test]
    fn values_of_the_first_win_key_by_key() {
        let first = BookMeta {
            isbn: Some("urn:isbn:9784101092058".into()),
            ..BookMeta::default()
        };
        let second = BookMeta {
            isbn: Some("urn:isbn:9780804429573".into()),
            about: About {
                publisher: Some("社".into()),
                ..About::default()
            },
            ..BookMeta::default()
        };
        let merged = first.or(second);
        assert_eq!(merged.isbn.as_deref(), Some("urn:isbn:9784101092058"));
        assert_eq!(merged.about.publisher.as_deref(), Some("社"));
        assert_eq!(merged.keys_set(), ["isbn", "publisher"]);
    }
}
