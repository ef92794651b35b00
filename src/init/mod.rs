//! `wenji init`: a new book folder a writer can build at once, laid out as
//! this repository's sample (`content/` with `wenji.toml` and the essays,
//! `covers/`, a `.gitignore` for the books). The files are real files beside
//! this module, compiled in; an existing file is never touched.

use std::fs::{self, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// `content/wenji.toml`: every key wenji knows, commented, with its default.
pub const CONFIG_TEMPLATE: &str = include_str!("wenji.toml");
/// The example essay: a heading and a paid part.
pub const ESSAY_TEMPLATE: &str = include_str!("essay.md");
/// Where the example essay goes, relative to the book folder.
pub const ESSAY_PATH: &str = "content/01-桂花.md";
/// The folder of the essays and `wenji.toml`, relative to the book folder.
pub const CONTENT_DIR: &str = "content";

/// Every file `init` writes: its path under the book folder, and its text.
const FILES: [(&str, &str); 4] = [
    ("content/wenji.toml", CONFIG_TEMPLATE),
    (ESSAY_PATH, ESSAY_TEMPLATE),
    ("covers/README.md", include_str!("covers.md")),
    (".gitignore", include_str!("gitignore")),
];

/// Why a book folder could not be made.
#[derive(Debug, thiserror::Error)]
pub enum InitError {
    /// The folder asked for is a file.
    #[error("{}: this is a file, not a folder; give a new or existing folder for the book", .0.display())]
    NotAFolder(PathBuf),
    /// A folder or file could not be created.
    #[error("{}: cannot create it: {source}; check that the folder is writable", .path.display())]
    Create {
        /// The folder or file.
        path: PathBuf,
        /// The underlying I/O error.
        source: io::Error,
    },
}

/// What `init` did, file by file, in the order written.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Scaffold {
    /// Files written.
    pub created: Vec<PathBuf>,
    /// Files that were there already and were left as they are.
    pub kept: Vec<PathBuf>,
}

/// Makes the book folder `dir` (and the folders in it), writing each file
/// of the scaffold that does not exist yet. A file that exists, whatever it
/// holds, is kept: it is opened with `create_new`, so a file appearing
/// meanwhile is not overwritten either.
pub fn init(dir: &Path) -> Result<Scaffold, InitError> {
    if dir.exists() && !dir.is_dir() {
        return Err(InitError::NotAFolder(dir.to_path_buf()));
    }
    let mut scaffold = Scaffold::default();
    for (name, text) in FILES {
        let path = dir.join(name);
        if let Some(folder) = path.parent() {
            fs::create_dir_all(folder).map_err(|source| InitError::Create {
                path: folder.to_path_buf(),
                source,
            })?;
        }
        if create_new(&path, text)? {
            scaffold.created.push(path);
        } else {
            scaffold.kept.push(path);
        }
    }
    Ok(scaffold)
}

/// Writes `text` to `path` unless something is there: true when written.
/// A file left half-written by a failed write is removed.
fn create_new(path: &Path, text: &str) -> Result<bool, InitError> {
    let failed = |source| InitError::Create {
        path: path.to_path_buf(),
        source,
    };
    let mut file = match OpenOptions::new().write(true).create_new(true).open(path) {
        Ok(file) => file,
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => return Ok(false),
        Err(e) => return Err(failed(e)),
    };
    if let Err(e) = file
        .write_all(text.as_bytes())
        .and_then(|()| file.sync_all())
    {
        drop(file);
        let _ = fs::remove_file(path);
        return Err(failed(e));
    }
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;

    /// The template with every `# key = value` line made a setting.
    fn every_key_set() -> String {
        CONFIG_TEMPLATE
            .lines()
            .map(|line| match line.strip_prefix('#') {
                Some(rest) if is_setting(rest) => rest.trim_start(),
                _ => line,
            })
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// Whether a commented line is a `key = value` setting, not prose.
    fn is_setting(commented: &str) -> bool {
        let Some((key, _)) = commented.split_once('=') else {
            return false;
        };
        let key = key.trim();
        !key.is_empty() && key.chars().all(|c| c.is_ascii_lowercase() || c == '_')
    }

    /// The keys serde accepts in `table` (`""` for the top level), read from
    /// the message `deny_unknown_fields` gives for an unknown one: the
    /// struct's own list, so a key added to `Config` shows up here.
    fn accepted_keys(table: &str) -> Vec<String> {
        let header = if table.is_empty() {
            String::new()
        } else {
            format!("[{table}]\n")
        };
        let err = toml::from_str::<Config>(&format!("{header}no_such_key = 1\n")).unwrap_err();
        let message = err.message();
        // "unknown field `no_such_key`, expected `a` or `b`" / "expected one of `a`, …".
        let (_, expected) = message
            .split_once("expected ")
            .unwrap_or_else(|| panic!("no key list in: {message}"));
        expected
            .split('`')
            .skip(1)
            .step_by(2)
            .map(str::to_string)
            .collect()
    }

    #[test]
    fn the_config_template_sets_every_key_when_uncommented() {
        let config: Config = toml::from_str(&every_key_set())
            .unwrap_or_else(|e| panic!("the template, uncommented: {e}"));
        config.meta_keys().check().unwrap();
        // Uncommenting changed the book: the examples are real values.
        let as_written: Config = toml::from_str(CONFIG_TEMPLATE).unwrap();
        assert!(as_written.layout.is_none() && config.layout.is_some());
        assert!(config.typography.quotes.is_some() && config.headings.detect.is_some());
    }

    #[test]
    fn the_config_template_documents_every_key_config_accepts() {
        let uncommented = every_key_set();
        let keys_set: Vec<&str> = uncommented
            .lines()
            .filter_map(|line| line.split_once('=').map(|(key, _)| key.trim()))
            .collect();
        let tables = ["preview", "typography", "headings"];
        let mut checked = 0;
        for table in std::iter::once("").chain(tables) {
            for key in accepted_keys(table) {
                if tables.contains(&key.as_str()) {
                    assert!(
                        CONFIG_TEMPLATE.contains(&format!("\n[{key}]\n")),
                        "[{key}] missing"
                    );
                    continue;
                }
                // `author` and `tags` are other names of `authors` and `subject`.
                let documented = keys_set.contains(&key.as_str())
                    || CONFIG_TEMPLATE.contains(&format!("`{key}` is the same key"));
                assert!(documented, "`{key}` is not in src/init/wenji.toml");
                checked += 1;
            }
        }
        assert!(checked > 30, "only {checked} keys found");
    }

    #[test]
    fn the_example_essay_has_a_heading_and_a_paid_part() {
        assert!(ESSAY_TEMPLATE.contains("\n## "));
        let paid = ESSAY_TEMPLATE
            .split_once("##paidbegin##")
            .and_then(|(_, rest)| rest.split_once("##paidend##"));
        assert!(paid.is_some_and(|(paid, _)| paid.trim().len() > 100));
    }

    #[test]
    fn init_writes_each_file_once_and_keeps_what_is_there() {
        let dir = tempfile::tempdir().unwrap();
        let book = dir.path().join("book");
        let first = init(&book).unwrap();
        assert_eq!(first.created.len(), FILES.len());
        assert!(first.kept.is_empty());
        for (name, text) in FILES {
            assert_eq!(fs::read_to_string(book.join(name)).unwrap(), text);
        }
        fs::write(book.join(".gitignore"), "mine\n").unwrap();
        let second = init(&book).unwrap();
        assert!(second.created.is_empty());
        assert_eq!(second.kept, first.created);
        assert_eq!(
            fs::read_to_string(book.join(".gitignore")).unwrap(),
            "mine\n"
        );
    }

    #[test]
    fn init_refuses_a_file_naming_it() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("notes.txt");
        fs::write(&file, "x").unwrap();
        let err = init(&file).unwrap_err().to_string();
        assert!(
            err.contains("notes.txt") && err.contains("not a folder"),
            "{err}"
        );
        assert_eq!(fs::read_to_string(&file).unwrap(), "x");
    }
}
