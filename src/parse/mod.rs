//! Stage 2: text to the essay model. Plain text, Aozora Bunko texts and
//! Markdown each have a parser; all first split the text at paid markers
//! (see [`crate::paid`]). A file's extension says which, unless the
//! [`InputFormat`] setting does.

pub mod aozora;
pub(crate) mod footnotes;
pub mod headings;
pub(crate) mod images;
pub mod markdown;
pub mod nesting;
pub mod sanitize;
pub mod text;

use std::path::Path;

use crate::error::{Error, Result, Warning};
use crate::essay::Essay;
pub use headings::HeadingRules;
pub use images::{References, chapter_first_page};
pub use text::{Paragraphs, PlainRules};

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

/// How essays are read, whatever their names say: `--input-format` and
/// `format` in `wenji.toml`. Unset, [`InputFormat::detect`] decides.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum InputFormat {
    /// Aozora Bunko notation: header, legend and ［＃…］ annotations read, not printed.
    Aozora,
    /// Plain text: the first line is the title, every other line a paragraph, printed as written.
    Plain,
    /// Markdown (CommonMark with tables and strikethrough), whatever the extension.
    Markdown,
}

impl InputFormat {
    /// The format named `name` (`aozora`, `plain`, `markdown`), as
    /// `wenji.toml` writes it.
    pub fn named(name: &str) -> Option<InputFormat> {
        <InputFormat as clap::ValueEnum>::from_str(name, false).ok()
    }

    /// How `text`, from a file whose extension says `format`, is read when
    /// no input format is set: a `.txt` with the Aozora Bunko header (title,
    /// author, notation legend) as Aozora, else as its extension says.
    pub fn detect(format: Format, text: &str) -> InputFormat {
        match format {
            Format::Text if aozora::looks_like(text) => InputFormat::Aozora,
            Format::Text => InputFormat::Plain,
            Format::Markdown => InputFormat::Markdown,
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

/// Parses decoded `text` read from `path`, whose extension says `format`,
/// as [`InputFormat::detect`] finds it; see [`parse_as`].
pub fn parse(
    path: &Path,
    text: &str,
    format: Format,
    plain: &PlainRules,
) -> Result<(Essay, Vec<Warning>)> {
    parse_as(path, text, InputFormat::detect(format, text), plain)
}

/// Parses decoded `text` read from `path` as `input`; `plain` says how
/// plain text marks headings and paragraphs (Markdown and Aozora texts mark
/// their own).
pub fn parse_as(
    path: &Path,
    text: &str,
    input: InputFormat,
    plain: &PlainRules,
) -> Result<(Essay, Vec<Warning>)> {
    parse_in_book(path, text, input, plain, References::default())
}

/// [`parse_as`], for an essay of a book: Markdown images may also come
/// from the resource folders of `references`, and links may lead to the
/// book's chapters.
pub fn parse_in_book(
    path: &Path,
    text: &str,
    input: InputFormat,
    plain: &PlainRules,
    references: References,
) -> Result<(Essay, Vec<Warning>)> {
    let (essay, mut warnings) = match input {
        InputFormat::Aozora => aozora::parse(path, text)?,
        InputFormat::Plain => text::parse(path, text, plain)?,
        InputFormat::Markdown => markdown::parse_with(path, text, references)?,
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
    use crate::document::plain_text;

    const AOZORA: &str = "題\n作者\n\n----------------------------------------\n【テキスト中に現れる記号について】\n［＃］：注\n----------------------------------------\n\n　本文［＃「本文」に傍点］。\n";

    fn read_as(text: &str, input: InputFormat) -> (Essay, Vec<String>) {
        let (essay, _) = parse_as(Path::new("a.txt"), text, input, &PlainRules::default()).unwrap();
        let blocks = essay.blocks().map(|b| plain_text(b.nodes())).collect();
        (essay, blocks)
    }

    #[test]
    fn the_extension_and_the_aozora_shape_decide_unless_a_format_is_forced() {
        assert_eq!(
            InputFormat::detect(Format::Text, AOZORA),
            InputFormat::Aozora
        );
        assert_eq!(
            InputFormat::detect(Format::Text, "题\n文\n"),
            InputFormat::Plain
        );
        let markdown = InputFormat::detect(Format::Markdown, AOZORA);
        assert_eq!(markdown, InputFormat::Markdown);
        assert_eq!(InputFormat::named("plain"), Some(InputFormat::Plain));
        assert_eq!(InputFormat::named("text"), None);

        // Plain: the annotations are printed, the legend is text.
        let (essay, blocks) = read_as(AOZORA, InputFormat::Plain);
        assert_eq!(essay.title, "題");
        assert!(essay.creators.is_empty());
        assert!(
            blocks.contains(&"本文［＃「本文」に傍点］。".to_string()),
            "{blocks:?}"
        );
        // Aozora without the legend: the first line is the title, the
        // annotations are still read.
        let (essay, blocks) = read_as("\n題\n　本文［＃「本文」に傍点］。\n", InputFormat::Aozora);
        assert_eq!(essay.title, "題");
        assert_eq!(blocks, ["本文。"]);
        // Markdown, whatever the name.
        let (essay, blocks) = read_as("# 題\n\n*強調*\n", InputFormat::Markdown);
        assert_eq!(
            (essay.title.as_str(), blocks),
            ("題", vec!["強調".to_string()])
        );
    }

    #[test]
    fn a_title_alone_is_built_with_a_warning() {
        for (name, text, format) in [
            ("a.txt", "题\n\n", Format::Text),
            ("a.md", "# 题\n", Format::Markdown),
        ] {
            let (essay, warnings) =
                parse(Path::new(name), text, format, &PlainRules::default()).unwrap();
            assert_eq!(essay.title, "题");
            assert_eq!(warnings.len(), 1, "{name}");
            assert!(warnings[0].message.contains("chapter is empty"), "{name}");
        }
    }
}
