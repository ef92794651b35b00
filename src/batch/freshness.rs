//! Whether an essay's books are up to date. Modification times cannot tell:
//! `cp -p` and `rsync -a` carry an older time along with new text (an essay
//! that gained `##paidbegin##` would keep its old, leaky preview), and a
//! changed setting changes no file at all. So a batch judges each essay's
//! books by a digest (SHA-256) of everything they are made of: the essay's
//! bytes, the images a Markdown essay references, the cover, stylesheet,
//! font and config file, the resolved settings and the wenji version. The
//! digest is kept in a sidecar file, `<outdir>/.wenji/<essay's relative
//! path>.digest`, written after the books; one file per essay, so shards
//! writing into one output folder never write the same file. A missing book,
//! a missing sidecar or another digest means the books are rebuilt. The
//! sidecar holds the hexadecimal digest alone, which reveals no text.

use std::borrow::Cow;
use std::collections::{BTreeSet, HashMap};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::sync::{LazyLock, Mutex};

use pulldown_cmark::{Event, Options as MarkdownOptions, Parser, Tag};
use sha2::{Digest as _, Sha256};

use crate::batch::Job;
use crate::book::Book;
use crate::build;
use crate::decode;
use crate::error::{Error, Result};
use crate::output::write_atomically;
use crate::parse::{Format, InputFormat};
use crate::settings::Options;

/// The folder under the output folder that holds the sidecar files.
pub const STATE_DIR: &str = ".wenji";

/// First line of every sidecar; a new layout of the digest gets a new line,
/// so books recorded by an older scheme are rebuilt.
const SIDECAR_HEADER: &str = "wenji-digest-1";

/// A SHA-256 hash.
type Hash = [u8; 32];

/// Where the digest of the books of the essay at `relative` is kept.
pub fn sidecar_path(outdir: &Path, relative: &Path) -> PathBuf {
    let mut name = relative.as_os_str().to_os_string();
    name.push(".digest");
    outdir.join(STATE_DIR).join(name)
}

/// What one essay's books are made of, digested before they are built.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Digest {
    /// The digest, in hexadecimal.
    hex: String,
    /// Hashes of the image files the essay may reference (a superset of
    /// those it does, found without parsing the whole essay).
    image_hashes: BTreeSet<Hash>,
}

impl Digest {
    /// Whether every image packed into `book` is one of the files this
    /// digest covers. The references are found more cheaply than the parser
    /// finds them; should they ever miss one, the digest cannot vouch for
    /// the books, so they are not recorded and are rebuilt on every run.
    pub fn covers_images_of(&self, book: &Book) -> bool {
        let mut covered = true;
        for block in book
            .essays
            .iter()
            .flat_map(|e| &e.parts)
            .flat_map(|p| &p.blocks)
        {
            block.for_each_image(&mut |image| {
                covered &= self.image_hashes.contains(&sha256(&image.data));
            });
        }
        covered
    }
}

/// Digests essays for one batch: the settings are hashed once, and the
/// files many essays share (cover, stylesheet, font, config) once per run.
#[derive(Debug)]
pub struct Fingerprints {
    settings: Hash,
    shared_files: Mutex<HashMap<PathBuf, Option<Hash>>>,
}

impl Fingerprints {
    /// Fingerprints for books built with `options`. The settings enter the
    /// digest through their `Debug` form, which names every field: a setting
    /// added to [`Options`] later is covered without anyone remembering to.
    pub fn new(options: &Options) -> Self {
        let mut hasher = Sha256::new();
        add(&mut hasher, b"wenji");
        add(&mut hasher, env!("CARGO_PKG_VERSION").as_bytes());
        add(
            &mut hasher,
            if cfg!(feature = "fonts") {
                b"fonts"
            } else {
                b""
            },
        );
        add(&mut hasher, format!("{options:?}").as_bytes());
        Fingerprints {
            settings: hasher.finalize().into(),
            shared_files: Mutex::new(HashMap::new()),
        }
    }

    /// The digest of what `job`'s books are made of with `options` (those
    /// given to [`Fingerprints::new`]), or `None` when the essay cannot be
    /// read or decoded: then the build is tried and reports why.
    pub fn digest(&self, job: &Job, options: &Options) -> Option<Digest> {
        let bytes = std::fs::read(&job.input).ok()?;
        let mut hasher = Sha256::new();
        add(&mut hasher, &self.settings);
        add(&mut hasher, job.input.as_os_str().as_encoded_bytes());
        add(&mut hasher, &sha256(&bytes));
        let cover = options
            .cover
            .clone()
            .or_else(|| build::find_cover(&options.base_dir, job.input.file_stem()));
        let shared = [
            cover.as_deref(),
            options.css.as_deref(),
            options.font.as_deref(),
            options.config.as_deref(),
        ];
        for file in shared {
            match file {
                Some(file) => {
                    self.add_file(&mut hasher, file);
                }
                None => add(&mut hasher, b"none"),
            }
        }
        let mut image_hashes = BTreeSet::new();
        let markdown = match options.format {
            Some(forced) => forced == InputFormat::Markdown,
            None => Format::of(&job.input) == Some(Format::Markdown),
        };
        if markdown && may_reference_images(&bytes) {
            // Valid UTF-8 is read as such (decoding costs more than the
            // rest of the digest); should wenji's decoder read it otherwise,
            // `covers_images_of` finds the images unaccounted for.
            let text = match (options.reading.encoding, std::str::from_utf8(&bytes)) {
                (None, Ok(text)) => Cow::Borrowed(text.trim_start_matches('\u{feff}')),
                _ => Cow::Owned(
                    decode::decode(&job.input, &bytes, options.reading)
                        .ok()?
                        .text,
                ),
            };
            let folder = crate::output::folder_of(&job.input);
            for reference in image_references(&text) {
                // Every place the image may come from (beside the essay, then
                // each resource folder), found or not: an image added to any
                // of them later makes the book stale.
                let in_resources = reference.trim_start_matches(['/', '\\']);
                let beside =
                    (in_resources.len() == reference.len()).then(|| folder.join(&reference));
                let resources = options.resource_dirs.iter().map(|d| d.join(in_resources));
                for file in beside.into_iter().chain(resources) {
                    if let Some(hash) = self.add_file(&mut hasher, &file) {
                        image_hashes.insert(hash);
                    }
                }
            }
        }
        let mut hex = String::with_capacity(64);
        for byte in hasher.finalize() {
            let _ = write!(hex, "{byte:02x}");
        }
        Some(Digest { hex, image_hashes })
    }

    /// Adds `file`'s name and the hash of its bytes (or that it is missing)
    /// to `hasher`; returns the hash. Each file is read once per run.
    fn add_file(&self, hasher: &mut Sha256, file: &Path) -> Option<Hash> {
        let known = self.lock().get(file).copied();
        let hash = match known {
            Some(hash) => hash,
            None => {
                let hash = std::fs::read(file).ok().map(|bytes| sha256(&bytes));
                self.lock().insert(file.to_path_buf(), hash);
                hash
            }
        };
        add(hasher, file.as_os_str().as_encoded_bytes());
        match &hash {
            Some(hash) => add(hasher, hash),
            None => add(hasher, b"missing"),
        }
        hash
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<PathBuf, Option<Hash>>> {
        // A panic elsewhere cannot leave the map half-written: use it anyway.
        self.shared_files
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// Whether all of `job`'s books exist and were recorded with `digest`.
pub fn is_recorded(job: &Job, digest: &Digest) -> bool {
    job.outputs.iter().all(|(_, book)| book.is_file())
        && std::fs::read_to_string(&job.digest_file)
            .is_ok_and(|recorded| recorded == sidecar_text(digest))
}

/// Records that `job`'s books were built from what `digest` describes.
pub fn record(job: &Job, digest: &Digest) -> Result<()> {
    write_atomically(&job.digest_file, |file| {
        std::io::Write::write_all(file, sidecar_text(digest).as_bytes()).map_err(|source| {
            Error::Write {
                path: job.digest_file.clone(),
                source,
            }
        })
    })
}

/// Removes `job`'s record, so that its books count as out of date.
pub fn forget(job: &Job) {
    let _ = std::fs::remove_file(&job.digest_file);
}

fn sidecar_text(digest: &Digest) -> String {
    format!("{SIDECAR_HEADER}\n{}\n", digest.hex)
}

/// Whether the essay's `bytes` may hold `![` or `<im` (of `<img` or
/// `<image>`), checked without decoding them: in every encoding wenji reads
/// but UTF-16, an ASCII character is its own byte; text in UTF-16 holding
/// either has a zero byte, so any zero byte means "may".
fn may_reference_images(bytes: &[u8]) -> bool {
    static SYNTAX: LazyLock<Option<regex::bytes::Regex>> =
        LazyLock::new(|| regex::bytes::Regex::new(r"(?-u)\x00|!\[|<(?i:im)").ok());
    SYNTAX.as_ref().is_none_or(|syntax| syntax.is_match(bytes))
}

/// Whether `text` holds `<im` in any case.
fn has_html_image_tag(text: &str) -> bool {
    text.as_bytes()
        .windows(3)
        .any(|w| w[0] == b'<' && w[1..].eq_ignore_ascii_case(b"im"))
}

/// The image paths a Markdown essay may reference, percent-decoded and
/// sorted: Markdown image destinations and the `src` of raw HTML `<img>`
/// (and `<image>`, which HTML reads as `<img>`). The essay is not rendered
/// or sanitised, so this costs little; it may find more than the parser
/// packs (an image inside code is named too), which only adds files to the
/// digest.
fn image_references(text: &str) -> BTreeSet<String> {
    let mut references = BTreeSet::new();
    let may_hold_html_image = has_html_image_tag(text);
    if !text.contains("![") && !may_hold_html_image {
        return references;
    }
    let mut html = String::new();
    let options = MarkdownOptions::ENABLE_TABLES | MarkdownOptions::ENABLE_STRIKETHROUGH;
    for event in Parser::new_ext(text, options) {
        match event {
            Event::Start(Tag::Image { dest_url, .. }) => {
                references.insert(dest_url.into_string());
            }
            Event::Html(raw) | Event::InlineHtml(raw) if may_hold_html_image => {
                html.push_str(&raw);
                html.push('\n');
            }
            _ => {}
        }
    }
    if !html.is_empty() {
        let fragment = scraper::Html::parse_fragment(&html);
        if let Ok(img) = scraper::Selector::parse("img") {
            references.extend(
                fragment
                    .select(&img)
                    .filter_map(|element| element.value().attr("src"))
                    .map(str::to_string),
            );
        }
    }
    references
        .into_iter()
        .map(|src| {
            percent_encoding::percent_decode_str(&src)
                .decode_utf8_lossy()
                .into_owned()
        })
        .filter(|src| !src.trim().is_empty())
        .collect()
}

fn sha256(bytes: &[u8]) -> Hash {
    Sha256::digest(bytes).into()
}

/// Adds `bytes` with its length first, so that no two sequences of parts
/// run together into the same stream.
fn add(hasher: &mut Sha256, bytes: &[u8]) {
    hasher.update((bytes.len() as u64).to_le_bytes());
    hasher.update(bytes);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::edition::Editions;

    fn job_for(dir: &Path, name: &str) -> Job {
        let (jobs, _) = crate::batch::plan(dir, &dir.join("out"), Editions::Preview, None).unwrap();
        jobs.into_iter()
            .find(|job| job.relative == Path::new(name))
            .unwrap()
    }

    #[test]
    fn image_references_of_markdown_and_raw_html() {
        let text = "# T\n\n![a](pics/one.png) ![b][ref]\n\n[ref]: two%20words.jpg\n\n\
                    <p><IMG SRC=\"three.svg\"></p>\n\ntext <image src='four.webp'> more\n\n\
                    ![remote](https://example.com/x.png)\n";
        let found: Vec<_> = image_references(text).into_iter().collect();
        assert_eq!(
            found,
            [
                "four.webp",
                "https://example.com/x.png",
                "pics/one.png",
                "three.svg",
                "two words.jpg"
            ]
        );
        assert!(image_references("# T\n\nno pictures [here](a.png)\n").is_empty());
    }

    #[test]
    fn image_syntax_is_found_in_the_bytes_of_every_encoding() {
        let text = "# 题\n\n图：![图](图.png)\n\n<IMG src=\"b.png\">\n";
        for encoding in [
            encoding_rs::UTF_8,
            encoding_rs::GB18030,
            encoding_rs::BIG5,
            encoding_rs::SHIFT_JIS,
        ] {
            let (bytes, _, _) = encoding.encode(text);
            assert!(may_reference_images(&bytes), "{}", encoding.name());
        }
        let utf16: Vec<u8> = "![x](a.png)"
            .encode_utf16()
            .flat_map(u16::to_le_bytes)
            .collect();
        assert!(may_reference_images(&utf16));
        let (plain, _, _) = encoding_rs::GB18030.encode("# 题\n\n只有字 [链接](a.png)\n");
        assert!(!may_reference_images(&plain));
        assert!(may_reference_images(b"x <iMage src=a.png>"));
        assert!(!may_reference_images(b"x <i>m</i>"));
    }

    #[test]
    fn the_digest_follows_bytes_settings_and_images_not_times() {
        let dir = tempfile::tempdir().unwrap();
        let essay = dir.path().join("a.md");
        std::fs::write(&essay, "# A\n\n![x](x.png)\n").unwrap();
        std::fs::write(dir.path().join("x.png"), b"\x89PNG one").unwrap();
        let job = job_for(dir.path(), "a.md");
        let options = Options::default();
        let digest = |options: &Options| Fingerprints::new(options).digest(&job, options).unwrap();
        let first = digest(&options);
        assert_eq!(first.hex.len(), 64);
        assert_eq!(
            digest(&options),
            first,
            "the same sources give the same digest"
        );

        // An older modification time changes nothing; new bytes do.
        let old = std::time::SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(1000);
        std::fs::File::options()
            .write(true)
            .open(&essay)
            .unwrap()
            .set_modified(old)
            .unwrap();
        assert_eq!(digest(&options), first);
        std::fs::write(dir.path().join("x.png"), b"\x89PNG two").unwrap();
        let new_image = digest(&options);
        assert_ne!(new_image, first);

        let mut vertical = options.clone();
        vertical.layout = crate::typeset::Layout::Vertical;
        assert_ne!(digest(&vertical), new_image);
        let mut encoding = options.clone();
        encoding.reading.encoding = Some(encoding_rs::GB18030);
        assert_ne!(digest(&encoding), new_image);

        std::fs::write(&essay, "# A\n\n![x](x.png)\n\nmore\n").unwrap();
        assert_ne!(digest(&options), new_image);
    }

    #[test]
    fn an_image_appearing_in_a_resource_folder_makes_the_book_stale() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a.md"), "# A\n\n![x](/img/x.png)\n").unwrap();
        let resources = dir.path().join("site");
        std::fs::create_dir_all(resources.join("img")).unwrap();
        let job = job_for(dir.path(), "a.md");
        let options = Options {
            resource_dirs: vec![resources.clone()],
            ..Options::default()
        };
        let digest = || Fingerprints::new(&options).digest(&job, &options).unwrap();
        let missing = digest();
        std::fs::write(resources.join("img/x.png"), b"\x89PNG one").unwrap();
        let found = digest();
        assert_ne!(found, missing);
        assert_eq!(found.image_hashes.len(), 1);
    }

    #[test]
    fn images_of_an_essay_in_a_legacy_encoding_are_found() {
        let dir = tempfile::tempdir().unwrap();
        let (bytes, _, _) = encoding_rs::GB18030.encode("# 题目\n\n看图：![图](插图.png)\n");
        std::fs::write(dir.path().join("a.md"), &bytes).unwrap();
        let image = b"\x89PNG\r\n\x1a\nimage";
        std::fs::write(dir.path().join("插图.png"), image).unwrap();
        let job = job_for(dir.path(), "a.md");
        let options = Options::default();
        let digest = Fingerprints::new(&options).digest(&job, &options).unwrap();
        assert_eq!(digest.image_hashes, BTreeSet::from([sha256(image)]));
    }

    #[test]
    fn the_sidecar_holds_the_digest_alone() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("a.txt"),
            "Title\n##paidbegin##secret sentence\n",
        )
        .unwrap();
        let job = job_for(dir.path(), "a.txt");
        assert_eq!(job.digest_file, dir.path().join("out/.wenji/a.txt.digest"));
        let options = Options::default();
        let digest = Fingerprints::new(&options).digest(&job, &options).unwrap();
        record(&job, &digest).unwrap();
        let text = std::fs::read_to_string(&job.digest_file).unwrap();
        assert_eq!(text, format!("{SIDECAR_HEADER}\n{}\n", digest.hex));
        assert!(!text.contains("secret"));
        // No book yet, so not up to date; with the book it is.
        assert!(!is_recorded(&job, &digest));
        std::fs::write(&job.outputs[0].1, "book").unwrap();
        assert!(is_recorded(&job, &digest));
        forget(&job);
        assert!(!is_recorded(&job, &digest));
    }
}
