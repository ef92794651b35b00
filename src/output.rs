//! Writing books to disk: into a temporary file beside the target, renamed
//! into place only when complete, so no reader ever sees a partial `.epub`.

use std::fs;
use std::io::{BufWriter, Cursor, Seek, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use crate::book::Book;
use crate::edition::{self, Edition, Editions};
use crate::error::{Error, Result};
use crate::package::PackageError;
use crate::package::write_epub;
use crate::publication::{Content, Publication};
use crate::settings::Options;

/// Prefix of temporary files, so leftovers of a killed run are recognisable;
/// the writing process's id follows it.
pub const TEMP_PREFIX: &str = ".wenji-";
/// Suffix of temporary files.
pub const TEMP_SUFFIX: &str = ".tmp";

/// Writes `edition` of `book` to `target` atomically. A book of ordinary
/// size is made in memory and written with one call (the zip writer seeks
/// back to every entry's header, which on a file costs system calls per
/// entry); a large one goes straight to the file, so that it is never held
/// whole in memory.
pub fn write_book(book: &Book, edition: Edition, target: &Path) -> Result<()> {
    let publication = edition::select(book, edition);
    let write_error = |source| Error::Write {
        path: target.to_path_buf(),
        source,
    };
    if is_large(&publication) {
        return write_atomically(target, |file| {
            let buffered = package(book, &publication, BufWriter::new(file), target)?;
            buffered
                .into_inner()
                .map_err(|e| write_error(e.into_error()))?;
            Ok(())
        });
    }
    let archive = package(book, &publication, Cursor::new(Vec::new()), target)?.into_inner();
    write_atomically(target, |file| file.write_all(&archive).map_err(write_error))
}

/// Books with more characters than this are written straight to their file.
const LARGE_BOOK_CHARS: usize = 1 << 20;

/// Whether `publication` holds more than [`LARGE_BOOK_CHARS`] characters.
fn is_large(publication: &Publication) -> bool {
    let mut chars = 0;
    for content in publication.chapters.iter().flat_map(|c| &c.content) {
        if let Content::Block(block) = content {
            chars += block.char_count();
            if chars > LARGE_BOOK_CHARS {
                return true;
            }
        }
    }
    false
}

/// The whole EPUB of `edition` of `book`, in memory; errors name `target`
/// (where the book is meant to go).
pub fn epub_bytes(book: &Book, edition: Edition, target: &Path) -> Result<Vec<u8>> {
    let publication = edition::select(book, edition);
    Ok(package(book, &publication, Cursor::new(Vec::new()), target)?.into_inner())
}

/// Packages `publication` of `book` into `out`; errors name `target`.
fn package<W: Write + Seek>(
    book: &Book,
    publication: &Publication,
    out: W,
    target: &Path,
) -> Result<W> {
    write_epub(publication, out).map_err(|source| match (source, &book.font) {
        (PackageError::Font(reason), Some(font)) => Error::Font {
            path: font.path.clone(),
            reason,
        },
        (source, _) => Error::Package {
            path: target.to_path_buf(),
            source,
        },
    })
}

/// Creates `target`'s folder if needed, lets `fill` write a temporary file
/// beside it, and renames that into place only if `fill` succeeded.
pub fn write_atomically(
    target: &Path,
    fill: impl FnOnce(&mut fs::File) -> Result<()>,
) -> Result<()> {
    let write_error = |source| Error::Write {
        path: target.to_path_buf(),
        source,
    };
    if target.is_dir() {
        return Err(Error::OutputIsFolder {
            path: target.to_path_buf(),
        });
    }
    let dir = folder_of(target);
    fs::create_dir_all(dir).map_err(write_error)?;
    let mut temp = tempfile::Builder::new()
        .prefix(&format!(
            "{TEMP_PREFIX}{}-{}-",
            host_tag(),
            std::process::id()
        ))
        .suffix(TEMP_SUFFIX)
        .tempfile_in(dir)
        .map_err(write_error)?;
    fill(temp.as_file_mut())?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        // tempfile creates 0600; a book is an ordinary, shareable file.
        fs::set_permissions(temp.path(), fs::Permissions::from_mode(0o644)).map_err(write_error)?;
    }
    temp.persist(target).map_err(|e| write_error(e.error))?;
    Ok(())
}

/// This machine's name as it appears in temporary file names (letters and
/// digits only, so that `-` separates the parts).
pub fn host_tag() -> String {
    let host = fs::read_to_string("/proc/sys/kernel/hostname")
        .or_else(|_| fs::read_to_string("/etc/hostname"))
        .unwrap_or_default();
    let tag: String = host
        .trim()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    if tag.is_empty() {
        "host".to_string()
    } else {
        tag
    }
}

/// How far [`remove_stale_temp_files`] looks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sweep {
    /// Only the folder itself: `wenji build` writes one book into one folder
    /// (often the current folder, whose subfolders are none of its business).
    Folder,
    /// The folder and everything below it: `wenji batch` owns its output tree.
    Tree,
}

/// Removes temporary files that killed runs left in `dir` (and below it,
/// with [`Sweep::Tree`]). Names are `.wenji-<host>-<pid>-<random>.tmp`: a
/// file of this machine goes when its process is gone (as `/proc` tells); a
/// file of another machine sharing the folder goes only when a day old,
/// since that process may still be writing. Such a file may be a partial
/// full edition, so leaving it beside a preview would leave paid text there.
/// Returns how many were removed.
pub fn remove_stale_temp_files(dir: &Path, sweep: Sweep) -> usize {
    let depth = match sweep {
        Sweep::Folder => 1,
        Sweep::Tree => usize::MAX,
    };
    let writer = TempWriterCheck::new();
    let mut removed = 0;
    for entry in walkdir::WalkDir::new(dir)
        .max_depth(depth)
        .into_iter()
        .filter_map(|e| e.ok())
    {
        if entry.file_type().is_file()
            && writer.is_dead(&entry.file_name().to_string_lossy(), || {
                entry.metadata().ok().and_then(|m| m.modified().ok())
            })
            && fs::remove_file(entry.path()).is_ok()
        {
            removed += 1;
        }
    }
    removed
}

/// Tells whether the process that wrote a temporary file is gone.
struct TempWriterCheck {
    proc_known: bool,
    own_pid: String,
    own_host: String,
}

impl TempWriterCheck {
    fn new() -> Self {
        TempWriterCheck {
            proc_known: Path::new("/proc/self").exists(),
            own_pid: std::process::id().to_string(),
            own_host: host_tag(),
        }
    }

    /// Whether `name` is a temporary file of wenji's whose writer is dead;
    /// `modified` is asked only for files of other machines.
    fn is_dead(&self, name: &str, modified: impl FnOnce() -> Option<SystemTime>) -> bool {
        const OTHER_HOST_AGE: Duration = Duration::from_secs(24 * 3600);
        let Some(rest) = name
            .strip_prefix(TEMP_PREFIX)
            .and_then(|r| r.strip_suffix(TEMP_SUFFIX))
        else {
            return false;
        };
        let [host, pid, _random] = rest.split('-').collect::<Vec<_>>()[..] else {
            return false; // not a name wenji makes
        };
        if pid.is_empty() || !pid.bytes().all(|b| b.is_ascii_digit()) {
            return false;
        }
        if host == self.own_host {
            pid != self.own_pid && !(self.proc_known && Path::new("/proc").join(pid).exists())
        } else {
            let age = modified().and_then(|t| t.elapsed().ok());
            age.is_some_and(|age| age > OTHER_HOST_AGE)
        }
    }
}

/// Refuses `target` when it names one of `inputs` (after resolving links
/// and `..`): the atomic rename would replace that file with a book or a
/// report. `refusal` makes the error naming the input.
pub fn refuse_overwriting_inputs<'a>(
    target: &Path,
    inputs: impl IntoIterator<Item = &'a Path>,
    refusal: impl Fn(PathBuf) -> Error,
) -> Result<()> {
    let Ok(target) = fs::canonicalize(target) else {
        return Ok(()); // it does not exist yet, so it is no input
    };
    for input in inputs {
        if fs::canonicalize(input).is_ok_and(|p| p == target) {
            return Err(refusal(input.to_path_buf()));
        }
    }
    Ok(())
}

/// Every file `book` was read from that `options` name: the essays, the
/// cover, the stylesheet, the font and the config file.
pub fn book_inputs<'a>(book: &'a Book, options: &'a Options) -> impl Iterator<Item = &'a Path> {
    book.essays
        .iter()
        .map(|essay| essay.path.as_path())
        .chain(options.cover.as_deref())
        .chain(options.css.as_deref())
        .chain(options.font.as_deref())
        .chain(options.config.as_deref())
}

/// The folder a file at `target` is written into (`.` for a bare name).
pub fn folder_of(target: &Path) -> &Path {
    match target.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    }
}

/// Where `edition` goes when `output` is the book's path: with
/// [`Editions::Both`] the full edition is written beside it as `<stem>.full.epub`.
pub fn edition_path(output: &Path, editions: Editions, edition: Edition) -> PathBuf {
    if editions == Editions::Both && edition == Edition::Full {
        let stem = output
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        output.with_file_name(format!("{stem}.full.epub"))
    } else {
        output.to_path_buf()
    }
}

/// A file name made from a title: letters (any script) and digits kept,
/// everything else folded into single hyphens.
pub fn slug(title: &str) -> String {
    let mut slug = String::new();
    for c in title.chars() {
        if c.is_alphanumeric() {
            slug.extend(c.to_lowercase());
        } else if !slug.is_empty() && !slug.ends_with('-') {
            slug.push('-');
        }
        if slug.len() > 120 {
            break;
        }
    }
    let slug = slug.trim_end_matches('-');
    if slug.is_empty() {
        "book".to_string()
    } else {
        slug.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Without the `fonts` feature embedding always fails, which shows how a
    /// packaging failure about the font is reported (with it, HarfBuzz
    /// subsets even these bytes; `load_book` refuses them first).
    #[cfg(not(feature = "fonts"))]
    #[test]
    fn a_font_that_cannot_be_embedded_is_named_not_the_archive() {
        let mut book = crate::book::tests::sample(false);
        book.font = Some(crate::book::FontFile {
            path: PathBuf::from("fonts/broken.ttf"),
            data: std::sync::Arc::new(b"\0\x01\0\0 not a font".to_vec()),
        });
        let err = epub_bytes(&book, Edition::Full, Path::new("b.epub")).unwrap_err();
        let message = err.to_string();
        assert!(matches!(err, Error::Font { .. }), "{message}");
        assert!(
            message.starts_with("fonts/broken.ttf: cannot embed this font: "),
            "{message}"
        );
        assert!(message.contains("leave --font out"), "{message}");
        assert!(
            !message.contains("archive") && !message.contains("b.epub"),
            "{message}"
        );
    }

    #[test]
    fn slugs() {
        assert_eq!(slug("国家安全：心得体会"), "国家安全-心得体会");
        assert_eq!(slug("  A Tale, of Two!  "), "a-tale-of-two");
        assert_eq!(slug("？！"), "book");
    }

    #[test]
    fn both_puts_the_full_edition_beside() {
        let out = Path::new("out/book.epub");
        assert_eq!(edition_path(out, Editions::Both, Edition::Preview), out);
        assert_eq!(
            edition_path(out, Editions::Both, Edition::Full),
            Path::new("out/book.full.epub")
        );
        assert_eq!(edition_path(out, Editions::Full, Edition::Full), out);
    }

    #[test]
    fn stale_temp_files_of_dead_processes_are_removed() {
        let dir = tempfile::tempdir().unwrap();
        let host = host_tag();
        let own = format!(
            "{TEMP_PREFIX}{host}-{}-abc{TEMP_SUFFIX}",
            std::process::id()
        );
        // Process ids are below 2^22 on Linux, so this one is not running.
        let dead = format!("{TEMP_PREFIX}{host}-4999999-abc{TEMP_SUFFIX}");
        let dead_deeper = format!("sub/{TEMP_PREFIX}{host}-4999999-xyz{TEMP_SUFFIX}");
        let other_host = format!("{TEMP_PREFIX}elsewhere9-4999999-abc{TEMP_SUFFIX}");
        fs::create_dir_all(dir.path().join("sub")).unwrap();
        for name in [
            &own,
            &dead,
            &dead_deeper,
            &other_host,
            "book.epub",
            ".wenji-notes.tmp",
        ] {
            fs::write(dir.path().join(name), "x").unwrap();
        }
        // `wenji build` sweeps only the folder it writes into.
        assert_eq!(remove_stale_temp_files(dir.path(), Sweep::Folder), 1);
        assert!(!dir.path().join(&dead).exists());
        assert!(dir.path().join(&dead_deeper).exists());
        assert_eq!(remove_stale_temp_files(dir.path(), Sweep::Tree), 1);
        assert!(!dir.path().join(&dead_deeper).exists());
        for kept in [&own, &other_host, "book.epub", ".wenji-notes.tmp"] {
            assert!(dir.path().join(kept).exists(), "{kept}");
        }
    }

    #[test]
    fn a_write_leaves_only_the_book_and_creates_its_folder() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("sub/book.epub");
        let book = crate::book::tests::sample(true);
        write_book(&book, Edition::Preview, &target).unwrap();
        let names: Vec<_> = fs::read_dir(target.parent().unwrap())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, ["book.epub"]);
    }
}
