//! The order of a book's chapters. A folder's essays come in the order
//! that `chapters = [...]` in `wenji.toml` gives, else in the order of the
//! folder's `SUMMARY.md` (mdBook's format: a list of links, nested or not,
//! with `# Part` headings between lists), else in natural file-name order
//! with a `README.md` first. Files the list leaves out are left out of the
//! book (with a warning), files it names that do not exist are an error:
//! the order is the author's, so wenji neither guesses nor reorders.

use std::path::{Path, PathBuf};

use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};

use crate::build;
use crate::error::{Error, Result, Warning};
use crate::parse::Format;

/// The name of mdBook's table of contents, read for the order and never
/// an essay itself.
pub const SUMMARY: &str = "SUMMARY.md";

/// A book's essay files in chapter order, with each chapter's depth in the
/// navigation (1 at the top; deeper for a `SUMMARY.md` entry nested under
/// another).
#[derive(Debug, Default)]
pub struct BookFiles {
    /// The files, in order.
    pub files: Vec<PathBuf>,
    /// Each file's depth.
    pub depths: Vec<u8>,
}

/// The essay files of the book made of `inputs`, in chapter order:
/// `chapters` (the config at its path and its list) when given and the
/// inputs are folders, else each folder's `SUMMARY.md`, else
/// [`build::essay_files`] with each folder's `README.md` first. Essay files
/// given by name are taken in the order given.
pub fn book_files(
    inputs: &[PathBuf],
    chapters: Option<(&Path, &[PathBuf])>,
) -> Result<(BookFiles, Vec<Warning>)> {
    let folders_only = inputs.iter().all(|input| input.is_dir());
    if let Some((config, chapters)) = chapters.filter(|_| folders_only) {
        let (found, mut warnings) = essays_found(inputs)?;
        let listed = chapters
            .iter()
            .map(|file| listed_file(config, file, None))
            .collect::<Result<Vec<_>>>()?;
        warn_of_unlisted(&found, &listed, config, &mut warnings);
        let depths = vec![1; listed.len()];
        return Ok((
            BookFiles {
                files: listed,
                depths,
            },
            warnings,
        ));
    }
    let mut files = Vec::new();
    let mut depths = Vec::new();
    let mut warnings = Vec::new();
    for input in inputs {
        let summary = input.join(SUMMARY);
        if input.is_dir() && summary.is_file() {
            let (found, mut more) = essays_found(std::slice::from_ref(input))?;
            warnings.append(&mut more);
            let (listed, nesting) = summary_files(&summary, &mut warnings)?;
            warn_of_unlisted(&found, &listed, &summary, &mut warnings);
            files.extend(listed);
            depths.extend(nesting);
            continue;
        }
        let (mut found, mut more) = build::essay_files(std::slice::from_ref(input))?;
        warnings.append(&mut more);
        if input.is_dir()
            && let Some(at) = found.iter().position(|f| is_readme_of(f, input))
        {
            let readme = found.remove(at);
            found.insert(0, readme);
        }
        depths.extend(std::iter::repeat_n(1, found.len()));
        files.extend(found);
    }
    Ok((BookFiles { files, depths }, warnings))
}

/// Whether `file` is the `README.md` directly inside `folder`.
pub fn is_readme_of(file: &Path, folder: &Path) -> bool {
    file.parent() == Some(folder) && is_readme(file)
}

/// Whether `file` is named `README.md` (in any case).
pub fn is_readme(file: &Path) -> bool {
    file.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| n.eq_ignore_ascii_case("readme.md"))
}

/// The essays under `inputs`, `SUMMARY.md` files aside.
fn essays_found(inputs: &[PathBuf]) -> Result<(Vec<PathBuf>, Vec<Warning>)> {
    let (mut found, warnings) = build::essay_files(inputs)?;
    found.retain(|f| f.file_name().is_none_or(|n| n != SUMMARY));
    Ok((found, warnings))
}

/// The file `entry` (as the list at `list` writes it, relative to the
/// list's folder) names; an error if it is missing or not an essay.
fn listed_file(list: &Path, entry: &Path, line: Option<usize>) -> Result<PathBuf> {
    let folder = list.parent().unwrap_or(Path::new(""));
    let file = folder.join(entry);
    let problem = if !file.is_file() {
        Some("does not exist; fix the path (relative to the list's folder) or remove the entry")
    } else if Format::of(&file).is_none() {
        Some("is not an essay (.md, .markdown or .txt)")
    } else {
        None
    };
    match problem {
        Some(problem) => Err(Error::ChapterList {
            path: list.to_path_buf(),
            line,
            message: format!("chapter '{}' {problem}", entry.display()),
        }),
        None => Ok(file),
    }
}

/// Warns of each essay in `found` that `listed` leaves out.
fn warn_of_unlisted(
    found: &[PathBuf],
    listed: &[PathBuf],
    list: &Path,
    warnings: &mut Vec<Warning>,
) {
    let listed: Vec<PathBuf> = listed
        .iter()
        .filter_map(|f| f.canonicalize().ok())
        .collect();
    for file in found {
        let canonical = file.canonicalize().unwrap_or_else(|_| file.clone());
        if !listed.contains(&canonical) {
            warnings.push(Warning::new(
                file,
                None,
                format!(
                    "not listed in {}; left out of the book (list it to include it)",
                    list.display()
                ),
            ));
        }
    }
}

/// The chapter files `SUMMARY.md` at `summary` lists, in its order: every
/// link in it (prefix chapters, numbered chapters at any nesting, suffix
/// chapters). A draft chapter (`[Title]()`) is left out with a warning; a
/// file listed twice counts once.
fn summary_files(summary: &Path, warnings: &mut Vec<Warning>) -> Result<(Vec<PathBuf>, Vec<u8>)> {
    let text = std::fs::read_to_string(summary).map_err(|e| Error::read(summary, e))?;
    let mut files: Vec<PathBuf> = Vec::new();
    let mut depths = Vec::new();
    // How deep in nested lists the entry being read is.
    let mut lists: u8 = 0;
    // The link being read: its destination, line and title so far.
    let mut link: Option<(String, usize, String)> = None;
    for (event, range) in Parser::new_ext(&text, Options::empty()).into_offset_iter() {
        match event {
            Event::Start(Tag::List(_)) => lists = lists.saturating_add(1),
            Event::End(TagEnd::List(_)) => lists = lists.saturating_sub(1),
            Event::Start(Tag::Link { dest_url, .. }) => {
                let line = text[..range.start].matches('\n').count() + 1;
                link = Some((dest_url.into_string(), line, String::new()));
            }
            Event::Text(t) | Event::Code(t) => {
                if let Some((_, _, title)) = &mut link {
                    title.push_str(&t);
                }
            }
            Event::End(TagEnd::Link) => {
                let Some((dest, line, title)) = link.take() else {
                    continue;
                };
                let dest = dest.split('#').next().unwrap_or_default();
                if dest.trim().is_empty() {
                    warnings.push(Warning::new(
                        summary,
                        Some(line),
                        format!("'{title}' is a draft chapter (no file); left out"),
                    ));
                    continue;
                }
                let decoded = percent_encoding::percent_decode_str(dest)
                    .decode_utf8_lossy()
                    .into_owned();
                let file = listed_file(summary, Path::new(&decoded), Some(line))?;
                if files.contains(&file) {
                    warnings.push(Warning::new(
                        summary,
                        Some(line),
                        format!("'{decoded}' is listed again; it stays where it was listed first"),
                    ));
                } else {
                    files.push(file);
                    depths.push(lists.max(1));
                }
            }
            _ => {}
        }
    }
    if files.is_empty() {
        return Err(Error::ChapterList {
            path: summary.to_path_buf(),
            line: None,
            message: "lists no chapter; list the essays as `- [Title](file.md)`".to_string(),
        });
    }
    Ok((files, depths))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn folder(files: &[(&str, &str)]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        for (name, text) in files {
            let path = dir.path().join(name);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
        dir
    }

    fn names(files: &[PathBuf], root: &Path) -> Vec<String> {
        files
            .iter()
            .map(|f| f.strip_prefix(root).unwrap().display().to_string())
            .collect()
    }

    #[test]
    fn summary_lists_nested_chapters_in_order_and_skips_drafts() {
        let dir = folder(&[
            (
                "SUMMARY.md",
                "# Summary\n\n[前言](README.md)\n\n# 第一部\n\n- [乙](b.md)\n  - [甲](sub/a.md#x)\n- [草稿]()\n\n---\n\n[后记](z.md)\n",
            ),
            ("README.md", "序\n"),
            ("b.md", "# 乙\n"),
            ("sub/a.md", "# 甲\n"),
            ("z.md", "# 后\n"),
            ("left.md", "# 外\n"),
        ]);
        let (files, warnings) = book_files(&[dir.path().to_path_buf()], None).unwrap();
        assert_eq!(
            names(&files.files, dir.path()),
            ["README.md", "b.md", "sub/a.md", "z.md"]
        );
        // sub/a.md is nested under b.md.
        assert_eq!(files.depths, [1, 1, 2, 1]);
        let messages: Vec<String> = warnings.iter().map(ToString::to_string).collect();
        assert_eq!(messages.len(), 2, "{messages:?}");
        assert!(
            messages[0].contains("SUMMARY.md:9: '草稿' is a draft"),
            "{messages:?}"
        );
        assert!(messages[1].contains("left.md: not listed"), "{messages:?}");
    }

    #[test]
    fn a_missing_listed_file_is_an_error_naming_its_line() {
        let dir = folder(&[
            ("SUMMARY.md", "- [a](a.md)\n- [b](gone.md)\n"),
            ("a.md", "# a\n"),
        ]);
        let error = book_files(&[dir.path().to_path_buf()], None)
            .unwrap_err()
            .to_string();
        assert!(
            error.contains("SUMMARY.md:2: chapter 'gone.md' does not exist"),
            "{error}"
        );
    }

    #[test]
    fn the_config_list_beats_the_summary_and_names() {
        let dir = folder(&[
            ("SUMMARY.md", "- [a](a.md)\n- [b](b.md)\n"),
            ("a.md", "# a\n"),
            ("b.md", "# b\n"),
            ("wenji.toml", ""),
        ]);
        let config = dir.path().join("wenji.toml");
        let list = [PathBuf::from("b.md"), PathBuf::from("a.md")];
        let (files, warnings) =
            book_files(&[dir.path().to_path_buf()], Some((&config, &list))).unwrap();
        assert_eq!(names(&files.files, dir.path()), ["b.md", "a.md"]);
        assert!(warnings.is_empty(), "{warnings:?}");
        // Files given by name are the book, whatever the list says.
        let given = [dir.path().join("a.md")];
        let (files, _) = book_files(&given, Some((&config, &list))).unwrap();
        assert_eq!(names(&files.files, dir.path()), ["a.md"]);
    }

    #[test]
    fn without_a_list_the_readme_comes_first() {
        let dir = folder(&[
            ("1.md", "# a\n"),
            ("README.md", "x\n"),
            ("sub/README.md", "y\n"),
        ]);
        let (files, _) = book_files(&[dir.path().to_path_buf()], None).unwrap();
        assert_eq!(
            names(&files.files, dir.path()),
            ["README.md", "1.md", "sub/README.md"]
        );
    }
}
