//! Front matter of Markdown essays: a YAML block between `---` lines (closed
//! by `---` or `...`) or a TOML block between `+++` lines, at the very start
//! of the file, as Zenn, Hugo, Jekyll and pandoc write it. Only the start of
//! the file counts (pulldown-cmark's metadata-block options would also
//! swallow a `---` pair in the middle of a document). Both syntaxes are read
//! into the same keys, and the block is replaced by as many blank lines as it
//! had, so that line numbers in later messages stay right. Front matter is
//! public — it goes into the package document of every edition — so a paid
//! marker inside it is an error.

use std::borrow::Cow;
use std::path::Path;

use saphyr::{LoadableYamlNode, Scalar, Yaml};
use serde::Deserialize;
use serde_json::{Map, Value};

use crate::creator::Creator;
use crate::error::{Error, Result, Warning};
use crate::metadata::{BookMeta, ContributorKey, MetaKeys};
use crate::{lang, paid};

/// The largest front matter read, in bytes; a longer block is Markdown.
pub const MAX_BYTES: usize = 64 * 1024;

/// Deeper nesting than any metadata needs is refused (and never recursed into).
const MAX_DEPTH: usize = 32;

/// What an essay's front matter says.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct FrontMatter {
    /// The essay's title.
    pub title: Option<String>,
    /// Its authors, then its contributors, in order.
    pub creators: Vec<Creator>,
    /// Its language, a valid BCP 47 tag.
    pub lang: Option<String>,
    /// Book-level keys: the book's when the book is this essay alone.
    pub book: BookMeta,
}

/// The keys as written, in YAML and TOML alike; unknown keys (`draft`,
/// `layout`…) are other tools' and ignored.
#[derive(Debug, Default, Deserialize)]
struct Keys {
    title: Option<String>,
    #[serde(
        default,
        alias = "author",
        deserialize_with = "crate::config::one_or_many"
    )]
    authors: Option<Vec<String>>,
    lang: Option<String>,
    #[serde(default)]
    contributors: Vec<ContributorKey>,
    #[serde(flatten)]
    book: MetaKeys,
}

/// The syntax of a block.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Syntax {
    Yaml,
    Toml,
}

/// Splits the front matter off the start of `text` (from `path`): what it
/// says (default when there is none), and the text with the block — and a
/// `# heading` right below it repeating its title — replaced by blank lines.
/// A `---` line that opens no closed block leaves the text as it is (with
/// a warning when the next line looks like a key).
pub fn split<'a>(
    path: &Path,
    text: &'a str,
) -> Result<(FrontMatter, Cow<'a, str>, Option<Warning>)> {
    let bom = if text.starts_with('\u{feff}') {
        "\u{feff}"
    } else {
        ""
    };
    let rest = &text[bom.len()..];
    let mut lines = line_spans(rest);
    let Some((_, first_end)) = lines.next() else {
        return Ok((FrontMatter::default(), Cow::Borrowed(text), None));
    };
    let (syntax, closers): (Syntax, &[&str]) = match trimmed(&rest[..first_end]) {
        "---" => (Syntax::Yaml, &["---", "..."]),
        "+++" => (Syntax::Toml, &["+++"]),
        _ => return Ok((FrontMatter::default(), Cow::Borrowed(text), None)),
    };
    let inner_start = first_end;
    let first_inner = lines.clone().next().map(|(s, e)| trimmed(&rest[s..e]));
    if first_inner.is_none_or(str::is_empty) {
        return Ok((FrontMatter::default(), Cow::Borrowed(text), None));
    }
    let closing = lines
        .take_while(|&(start, _)| start - inner_start <= MAX_BYTES)
        .find(|&(start, end)| closers.contains(&trimmed(&rest[start..end])));
    let Some((inner_end, end)) = closing else {
        let looks_like_keys = first_inner.is_some_and(|line| {
            let key_end = line.find([':', '=']).unwrap_or(0);
            key_end > 0
                && line[..key_end]
                    .trim_end()
                    .chars()
                    .all(|c| c.is_alphanumeric() || c == '_' || c == '-')
        });
        let warning = looks_like_keys.then(|| {
            Warning::new(
                path,
                Some(1),
                format!(
                    "this looks like front matter, but no '{}' line closes it within {} KiB; \
                     read as Markdown",
                    closers[0],
                    MAX_BYTES / 1024
                ),
            )
        });
        return Ok((FrontMatter::default(), Cow::Borrowed(text), warning));
    };
    let block = &rest[inner_start..inner_end];
    // The block's first line is the file's line 2.
    if let Some(at) = block.lines().position(paid::has_marker) {
        return Err(front_matter_error(
            path,
            at + 2,
            "a paid marker inside the front matter; front matter is public (it goes into the \
             package document of every edition, the preview's too): move the marker below \
             the closing line",
        ));
    }
    let value = match syntax {
        Syntax::Yaml => yaml_value(path, block)?,
        Syntax::Toml => toml_value(path, block)?,
    };
    let front = front_matter(path, block, value)?;
    let mut body = String::with_capacity(text.len());
    body.push_str(bom);
    body.extend(std::iter::repeat_n('\n', rest[..end].matches('\n').count()));
    let after = &rest[end..];
    match front
        .title
        .as_deref()
        .and_then(|title| repeated_title(after, title))
    {
        Some((start, end)) => {
            body.push_str(&after[..start]);
            body.push_str(&after[end..]);
        }
        None => body.push_str(after),
    }
    Ok((front, Cow::Owned(body), None))
}

/// The byte spans of the lines of `text`, each end just past its `\n`.
fn line_spans(text: &str) -> impl Iterator<Item = (usize, usize)> + Clone + '_ {
    let mut start = 0;
    std::iter::from_fn(move || {
        if start >= text.len() {
            return None;
        }
        let end = text[start..]
            .find('\n')
            .map_or(text.len(), |i| start + i + 1);
        let span = (start, end);
        start = end;
        Some(span)
    })
}

/// A line without its line break and trailing blanks.
fn trimmed(line: &str) -> &str {
    line.trim_end_matches(['\n', '\r', ' ', '\t'])
}

/// The span (without its line break) of a first non-blank line of `text`
/// that is `# title` (ATX, optional closing `#`s).
fn repeated_title(text: &str, title: &str) -> Option<(usize, usize)> {
    let (start, end) = line_spans(text).find(|&(s, e)| !text[s..e].trim().is_empty())?;
    let line = trimmed(&text[start..end]);
    let heading = line.strip_prefix("# ")?.trim();
    let heading = heading.trim_end_matches('#').trim_end();
    (heading == title.trim()).then_some((start, start + line.len()))
}

fn front_matter_error(path: &Path, line: usize, message: impl Into<String>) -> Error {
    Error::FrontMatter {
        path: path.to_path_buf(),
        line,
        message: message.into(),
    }
}

/// A YAML block as a JSON value (the shape both syntaxes share).
fn yaml_value(path: &Path, block: &str) -> Result<Value> {
    let documents = Yaml::load_from_str(block).map_err(|e| {
        front_matter_error(
            path,
            e.marker().line() + 1,
            format!("not valid YAML: {}", e.info()),
        )
    })?;
    match documents.into_iter().next() {
        None => Ok(Value::Object(Map::new())),
        Some(document) => from_yaml(document, 0).map_err(|problem| {
            front_matter_error(path, 2, format!("cannot read this YAML: {problem}"))
        }),
    }
}

fn from_yaml(node: Yaml, depth: usize) -> std::result::Result<Value, String> {
    if depth > MAX_DEPTH {
        return Err(format!("nested more than {MAX_DEPTH} levels deep"));
    }
    Ok(match node {
        Yaml::Value(scalar) => match scalar {
            Scalar::Null => Value::Null,
            Scalar::Boolean(b) => Value::Bool(b),
            Scalar::Integer(i) => Value::from(i),
            Scalar::FloatingPoint(f) => Value::from(f.into_inner()),
            Scalar::String(s) => Value::String(s.into_owned()),
        },
        Yaml::Representation(text, ..) => Value::String(text.into_owned()),
        Yaml::Tagged(_, node) => from_yaml(*node, depth)?,
        Yaml::Sequence(items) => Value::Array(
            items
                .into_iter()
                .map(|item| from_yaml(item, depth + 1))
                .collect::<std::result::Result<_, _>>()?,
        ),
        Yaml::Mapping(pairs) => {
            let mut map = Map::new();
            for (key, value) in pairs {
                let key = match key {
                    Yaml::Value(Scalar::String(s)) => s.into_owned(),
                    Yaml::Value(Scalar::Integer(i)) => i.to_string(),
                    _ => return Err("a key is not a name".into()),
                };
                map.insert(key, from_yaml(value, depth + 1)?);
            }
            Value::Object(map)
        }
        Yaml::Alias(_) | Yaml::BadValue => return Err("a value is not readable".into()),
    })
}

/// A TOML block as a JSON value; dates become their text.
fn toml_value(path: &Path, block: &str) -> Result<Value> {
    let table: toml::Table = toml::from_str(block).map_err(|e| {
        let line = e.span().map_or(0, |span| {
            block[..span.start.min(block.len())].matches('\n').count()
        });
        front_matter_error(path, line + 2, format!("not valid TOML: {}", e.message()))
    })?;
    Ok(from_toml(toml::Value::Table(table)))
}

fn from_toml(value: toml::Value) -> Value {
    match value {
        toml::Value::String(s) => Value::String(s),
        toml::Value::Integer(i) => Value::from(i),
        toml::Value::Float(f) => Value::from(f),
        toml::Value::Boolean(b) => Value::Bool(b),
        toml::Value::Datetime(d) => Value::String(d.to_string()),
        toml::Value::Array(items) => Value::Array(items.into_iter().map(from_toml).collect()),
        toml::Value::Table(table) => Value::Object(
            table
                .into_iter()
                .map(|(key, value)| (key, from_toml(value)))
                .collect(),
        ),
    }
}

/// The checked front matter of `value`, read from `block`.
fn front_matter(path: &Path, block: &str, value: Value) -> Result<FrontMatter> {
    let Value::Object(map) = value else {
        return Err(front_matter_error(
            path,
            2,
            "front matter must be keys with values (title: …, or title = \"…\")",
        ));
    };
    let keys: Keys = match serde_json::from_value(Value::Object(map.clone())) {
        Ok(keys) => keys,
        Err(error) => {
            // Name the key at fault: read the keys one at a time.
            let bad = map.into_iter().find_map(|(key, value)| {
                let alone = Value::Object(Map::from_iter([(key.clone(), value)]));
                serde_json::from_value::<Keys>(alone)
                    .err()
                    .map(|e| (key, e))
            });
            let (line, message) = match bad {
                Some((key, e)) => (key_line(block, &key), format!("{key}: {e}")),
                None => (2, error.to_string()),
            };
            return Err(front_matter_error(path, line, message));
        }
    };
    if let Some(tag) = &keys.lang
        && !lang::is_valid_tag(tag)
    {
        let message = format!("lang: {}", Error::InvalidLanguage(tag.clone()));
        return Err(front_matter_error(path, key_line(block, "lang"), message));
    }
    let book = keys.book.check().map_err(|bad| {
        front_matter_error(
            path,
            key_line(block, bad.key),
            format!("{} \"{}\": {}", bad.key, bad.value, bad.problem),
        )
    })?;
    let mut creators: Vec<Creator> = keys
        .authors
        .unwrap_or_default()
        .iter()
        .map(|name| name.trim())
        .filter(|name| !name.is_empty())
        .map(Creator::author)
        .collect();
    creators.extend(keys.contributors.iter().filter_map(ContributorKey::creator));
    Ok(FrontMatter {
        title: keys
            .title
            .map(|t| t.trim().to_string())
            .filter(|t| !t.is_empty()),
        creators,
        lang: keys.lang,
        book,
    })
}

/// The file line of `key` in `block` (its first line is the file's line 2);
/// the block's first line if no line starts with it.
fn key_line(block: &str, key: &str) -> usize {
    block
        .lines()
        .position(|line| {
            line.strip_prefix(key)
                .is_some_and(|rest| rest.trim_start().starts_with([':', '=']))
        })
        .unwrap_or(0)
        + 2
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::creator::Role;

    fn split_str(text: &str) -> Result<(FrontMatter, String, Option<Warning>)> {
        split(Path::new("essay.md"), text).map(|(f, body, w)| (f, body.into_owned(), w))
    }

    const YAML: &str = "---\n\
        title: 山行记\n\
        author: [甲, 乙]\n\
        lang: zh-Hans\n\
        description: 写山的几篇小文。\n\
        publisher: 小出版社\n\
        date: 2024-03-01\n\
        tags: [随笔, 山]\n\
        rights: 版权所有\n\
        isbn: 978-4-10-109205-8\n\
        series: 山水丛书\n\
        series_index: 2\n\
        draft: false\n\
        contributors:\n  - name: 丙\n    role: translator\n  - name: 丁\n    role: illustrator\n\
        ---\n";

    const TOML: &str = "+++\n\
        title = \"山行记\"\n\
        authors = [\"甲\", \"乙\"]\n\
        lang = \"zh-Hans\"\n\
        description = \"写山的几篇小文。\"\n\
        publisher = \"小出版社\"\n\
        date = 2024-03-01\n\
        subject = [\"随笔\", \"山\"]\n\
        rights = \"版权所有\"\n\
        isbn = \"978-4-10-109205-8\"\n\
        series = \"山水丛书\"\n\
        series_index = 2\n\
        layout = \"post\"\n\
        contributors = [{ name = \"丙\", role = \"translator\" }, { name = \"丁\", role = \"illustrator\" }]\n\
        +++\n";

    #[test]
    fn yaml_and_toml_say_the_same() {
        let body = "\n# 山行记\n\n正文。\n";
        let (yaml, yaml_body, _) = split_str(&format!("{YAML}{body}")).unwrap();
        let (toml, toml_body, _) = split_str(&format!("{TOML}{body}")).unwrap();
        assert_eq!(yaml, toml);
        assert_eq!(yaml.title.as_deref(), Some("山行记"));
        assert_eq!(yaml.lang.as_deref(), Some("zh-Hans"));
        let creators: Vec<_> = yaml
            .creators
            .iter()
            .map(|c| (c.name.as_str(), c.role))
            .collect();
        assert_eq!(
            creators,
            [
                ("甲", Role::Author),
                ("乙", Role::Author),
                ("丙", Role::Translator),
                ("丁", Role::Illustrator)
            ]
        );
        let about = &yaml.book.about;
        assert_eq!(about.date.as_deref(), Some("2024-03-01"));
        assert_eq!(about.subjects, ["随笔", "山"]);
        assert_eq!(yaml.book.isbn.as_deref(), Some("urn:isbn:9784101092058"));
        assert_eq!(
            about.series.as_ref().unwrap().position.as_deref(),
            Some("2")
        );
        // The block and the heading repeating the title become blank lines.
        assert_eq!(yaml_body, format!("{}\n\n\n正文。\n", "\n".repeat(19)));
        assert_eq!(
            yaml_body.lines().count(),
            format!("{YAML}{body}").lines().count()
        );
        assert_eq!(
            toml_body.matches('\n').count(),
            TOML.matches('\n').count() + 4
        );
    }

    #[test]
    fn only_the_start_of_the_file_holds_front_matter() {
        for text in [
            "# 标题\n\n---\ntitle: x\n---\n",
            "\n---\ntitle: x\n---\n",
            "---\n\ntitle: x\n---\n",
            "----\ntitle: x\n----\n",
            "",
        ] {
            let (front, body, warning) = split_str(text).unwrap();
            assert_eq!(front, FrontMatter::default(), "{text:?}");
            assert_eq!(body, text);
            assert!(warning.is_none());
        }
        // A heading unlike the title stays.
        let (_, body, _) = split_str("---\ntitle: 甲\n---\n# 乙\n").unwrap();
        assert_eq!(body, "\n\n\n# 乙\n");
        // A byte-order mark before it is kept, and `...` closes YAML too.
        let (front, body, _) = split_str("\u{feff}---\ntitle: 甲\n...\n正文").unwrap();
        assert_eq!(front.title.as_deref(), Some("甲"));
        assert_eq!(body, "\u{feff}\n\n\n正文");
    }

    #[test]
    fn an_unclosed_block_is_markdown_with_a_warning_when_it_looks_like_keys() {
        let text = "---\ntitle: 甲\n\n正文\n";
        let (front, body, warning) = split_str(text).unwrap();
        assert_eq!((front, body.as_str()), (FrontMatter::default(), text));
        let warning = warning.unwrap().to_string();
        assert!(
            warning.contains("essay.md:1:") && warning.contains("no '---' line"),
            "{warning}"
        );
        let (_, _, warning) = split_str("---\n一段话\n").unwrap();
        assert!(warning.is_none());
        // A closing line past the size limit does not count.
        let long = format!(
            "+++\ntitle = \"甲\"\n{}+++\n",
            "# x\n".repeat(MAX_BYTES / 4 + 1)
        );
        let (front, _, warning) = split_str(&long).unwrap();
        assert_eq!(front, FrontMatter::default());
        assert!(warning.unwrap().to_string().contains("'+++'"));
    }

    #[test]
    fn bad_front_matter_is_an_error_naming_its_line() {
        let error = |text: &str| split_str(text).unwrap_err().to_string();
        let yaml = error("---\ntitle: 甲\nauthor: [乙\n---\n");
        assert!(
            yaml.starts_with("essay.md:") && yaml.contains("not valid YAML"),
            "{yaml}"
        );
        let toml = error("+++\ntitle = \"甲\"\nauthors = 乙\n+++\n");
        assert!(
            toml.starts_with("essay.md:3:") && toml.contains("not valid TOML"),
            "{toml}"
        );
        let date = error("---\ntitle: 甲\ndate: 2024-02-30\n---\n");
        assert!(
            date.starts_with("essay.md:3:") && date.contains("not a date"),
            "{date}"
        );
        let isbn = error("+++\nisbn = \"978-4-10-109205-7\"\n+++\n");
        assert!(
            isbn.starts_with("essay.md:2:") && isbn.contains("check digit"),
            "{isbn}"
        );
        let role = error("---\ntitle: 甲\ncontributors:\n  - {name: 乙, role: cook}\n---\n");
        assert!(
            role.starts_with("essay.md:3:") && role.contains("translator"),
            "{role}"
        );
        let lang = error("---\nlang: 中文\n---\n");
        assert!(
            lang.starts_with("essay.md:2:") && lang.contains("BCP 47"),
            "{lang}"
        );
        let list = error("---\n- 甲\n- 乙\n---\n");
        assert!(list.contains("keys with values"), "{list}");
        let deep = error(&format!(
            "---\nx: {}{}\n---\n",
            "[".repeat(40),
            "]".repeat(40)
        ));
        assert!(deep.contains("YAML"), "{deep}");
    }

    #[test]
    fn a_paid_marker_inside_is_an_error() {
        let message = split_str("---\ntitle: 甲\ndescription: 免费 ##paidbegin## 付费\n---\n")
            .unwrap_err()
            .to_string();
        assert!(message.starts_with("essay.md:3:"), "{message}");
        assert!(
            message.contains("public") && !message.contains("付费"),
            "{message}"
        );
        assert!(split_str("+++\ntitle = \"##PaidEnd##\"\n+++\n").is_err());
    }
}
