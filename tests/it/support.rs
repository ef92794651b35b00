//! What the integration tests share: running the real binary, unzipping
//! what it wrote, and reading the entries back.

use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The SOURCE_DATE_EPOCH every test build uses.
pub const EPOCH: &str = "1700000000";
/// [`EPOCH`] as the timestamp a book's metadata gives.
pub const EPOCH_STAMP: &str = "2023-11-14T22:13:20Z";

/// The repository root.
pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Runs `wenji` in `cwd` with a fixed SOURCE_DATE_EPOCH.
pub fn wenji(cwd: &Path, args: &[&str]) -> Output {
    wenji_at(EPOCH, cwd, args)
}

/// Runs `wenji` in `cwd` with SOURCE_DATE_EPOCH set to `epoch`.
pub fn wenji_at(epoch: &str, cwd: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_wenji"))
        .args(args)
        .current_dir(cwd)
        .env("SOURCE_DATE_EPOCH", epoch)
        .output()
        .expect("wenji runs")
}

/// Asserts that wenji succeeded and returns its output.
pub fn ok(output: Output) -> Output {
    assert!(
        output.status.success(),
        "wenji failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

/// What wenji printed on stderr.
pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Asserts that wenji failed (exit 1) with one `error:` holding `message`
/// (after the line naming the settings file, if any).
pub fn assert_fails_with(output: &Output, message: &str) {
    let err = stderr(output);
    assert_eq!(output.status.code(), Some(1), "{err}");
    let error = error_line(&err);
    assert!(error.contains(message), "{err}");
}

/// The error wenji printed: stderr from its `error:` line on.
pub fn error_line(stderr: &str) -> &str {
    let start = stderr
        .find("error: ")
        .filter(|&at| at == 0 || stderr[..at].ends_with('\n'))
        .unwrap_or_else(|| panic!("no error line: {stderr}"));
    &stderr[start..]
}

/// Every entry of an EPUB: name, bytes, compression method, zip timestamp.
pub struct Entry {
    /// The entry's path in the archive.
    pub name: String,
    /// Its decompressed bytes.
    pub data: Vec<u8>,
    /// Whether it is stored uncompressed.
    pub stored: bool,
    /// Its zip timestamp.
    pub modified: Option<zip::DateTime>,
}

/// Every entry of the EPUB at `epub`, in archive order.
pub fn entries(epub: &Path) -> Vec<Entry> {
    let mut archive = zip::ZipArchive::new(fs::File::open(epub).unwrap()).unwrap();
    (0..archive.len())
        .map(|i| {
            let mut file = archive.by_index(i).unwrap();
            let mut data = Vec::new();
            file.read_to_end(&mut data).unwrap();
            Entry {
                name: file.name().unwrap().to_string(),
                stored: file.compression() == zip::CompressionMethod::Stored,
                modified: file.last_modified(),
                data,
            }
        })
        .collect()
}

/// The entry `name` as UTF-8 text (the test fails when it is missing).
pub fn text(entries: &[Entry], name: &str) -> String {
    let entry = entries
        .iter()
        .find(|e| e.name == name)
        .unwrap_or_else(|| panic!("{name} missing"));
    String::from_utf8(entry.data.clone()).unwrap()
}

/// Everything a reader of the archive could see: names and contents.
pub fn everything(entries: &[Entry]) -> String {
    entries
        .iter()
        .map(|e| format!("{}\n{}\n", e.name, String::from_utf8_lossy(&e.data)))
        .collect()
}
