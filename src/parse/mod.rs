//! Stage 2: text to the essay model. Plain text and Markdown each have a
//! parser; both first split the text at paid markers (see [`crate::paid`]).

pub mod aozora;
pub mod headings;
pub(crate) mod jisx0213;
pub mod markdown;
pub mod nesting;
pub mod sanitize;
pub mod text;

use std::path::Path;

use crate::error::{Error, Result, Warning};
use crate::essay::Essay;
pub use headings::HeadingRules;

/// The input formats wenji reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// `.txt`: first line the title, one paragraph per line.
    Text,
    /// `.md`, `.markdown`: CommonMark with tables and strikethrough.
    Markdown,
}

impl Format {
    /// The format a file name implies, if it is an essay at all.
    pub fn of(path: &Path) -> Option<Format> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        match ext.as_str() {
            "txt" => Some(Format::Text),
            "md" | "markdown" => Some(Format::Markdown),
            _ => None,
        }
    }
}

/// The longest title accepted, in characters. The title stands on every
/// page of its chapter and in the navigation; a longer first line is a
/// paragraph, which means the essay lacks its title line.
pub const MAX_TITLE_CHARS: usize = 1000;

/// `title` if it is short enough to be one.
fn checked_title(path: &Path, title: String) -> Result<String> {
    let chars = title.chars().count();
    if chars > MAX_TITLE_CHARS {
        return Err(Error::LongTitle {
            path: path.to_path_buf(),
            chars,
        });
    }
    Ok(title)
}

/// Parses decoded `text` read from `path` in `format`; `headings` finds
/// headings in plain text (Markdown marks its own).
pub fn parse(
    path: &Path,
    text: &str,
    format: Format,
    headings: &HeadingRules,
) -> Result<(Essay, Vec<Warning>)> {
    let (essay, mut warnings) = match format {
        Format::Text if aozora::looks_like(text) => aozora::parse(path, text)?,
        Format::Text => text::parse(path, text, headings)?,
        Format::Markdown => markdown::parse(path, text)?,
    };
    if essay.parts.is_empty() {
        warnings.push(Warning::new(
            path,
            None,
            "the essay is a title and nothing else: its chapter is empty",
        ));
    }
    Ok((essay, warnings))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_title_alone_is_built_with_a_warning() {
        for (name, text, format) in [
            ("a.txt", "题\n\n", Format::Text),
            ("a.md", "# 题\n", Format::Markdown),
        ] {
            let (essay, warnings) =
                parse(Path::new(name), text, format, &HeadingRules::default()).unwrap();
            assert_eq!(essay.title, "题");
            assert_eq!(warnings.len(), 1, "{name}");
            assert!(warnings[0].message.contains("chapter is empty"), "{name}");
        }
    }
}
