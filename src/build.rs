//! Loading a book: find the essay files, read and parse each, then settle
//! the book's metadata and cover from the resolved [`Options`] and the
//! text. Together with [`crate::output`] this is all of `wenji build`.

use std::collections::BTreeSet;
use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::UNIX_EPOCH;

use crate::book::{Book, Cover, FontFile, PreviewText};
use crate::creator::{Creator, Role};
use crate::decode::{self, Reading};
use crate::error::{Error, Result, Warning};
use crate::essay::Essay;
use crate::lang;
use crate::media;
use crate::metadata::BookMeta;
use crate::order;
use crate::parse::{self, Format, InputFormat, PlainRules, References};
use crate::settings::Options;

/// The essay files `inputs` name: files as given, folders searched
/// recursively in natural order (`2.txt` before `10.txt`), hidden entries
/// skipped. Symbolic links are followed only where they lead to somewhere
/// inside the folder given; links leading out of it and link loops are
/// skipped with a warning.
pub fn essay_files(inputs: &[PathBuf]) -> Result<(Vec<PathBuf>, Vec<Warning>)> {
    let mut files = Vec::new();
    let mut warnings = Vec::new();
    for input in inputs {
        if input.as_os_str() == "-" && !input.exists() {
            return Err(Error::StdinInput);
        }
        let metadata = std::fs::metadata(input).map_err(|e| Error::read(input, e))?;
        if !metadata.is_dir() {
            if Format::of(input).is_none() {
                return Err(Error::NotAnEssay {
                    path: input.clone(),
                });
            }
            files.push(input.clone());
            continue;
        }
        let before = files.len();
        let root = input.canonicalize().map_err(|e| Error::read(input, e))?;
        let mut walk = walkdir::WalkDir::new(input)
            .follow_links(true)
            .sort_by(|a, b| {
                natord::compare(
                    &a.file_name().to_string_lossy(),
                    &b.file_name().to_string_lossy(),
                )
            })
            .into_iter()
            .filter_entry(|e| e.depth() == 0 || !e.file_name().to_string_lossy().starts_with('.'));
        while let Some(entry) = walk.next() {
            let entry = match entry {
                Ok(entry) => entry,
                Err(e) if e.loop_ancestor().is_some() => {
                    let path = e.path().unwrap_or(input);
                    warnings.push(Warning::new(path, None, "symbolic link loop; skipped"));
                    continue;
                }
                Err(e) => {
                    let path = e.path().unwrap_or(input).to_path_buf();
                    return Err(Error::read(&path, e.into()));
                }
            };
            if entry.path_is_symlink() && !leads_inside(entry.path(), &root) {
                warnings.push(Warning::new(
                    entry.path(),
                    None,
                    format!("symbolic link leading out of {}; skipped", input.display()),
                ));
                if entry.file_type().is_dir() {
                    walk.skip_current_dir();
                }
                continue;
            }
            if entry.file_type().is_file() && Format::of(entry.path()).is_some() {
                files.push(entry.into_path());
            }
        }
        if files.len() == before {
            return Err(Error::NoEssays {
                path: input.clone(),
            });
        }
    }
    Ok((files, warnings))
}

/// Whether the link at `path` resolves to somewhere under `root` (canonical).
fn leads_inside(path: &Path, root: &Path) -> bool {
    path.canonicalize()
        .is_ok_and(|target| target.starts_with(root))
}

/// Reads, decodes and parses one essay file, as `format` says (unset: as
/// [`InputFormat::detect`] finds it).
pub fn load_essay(
    path: &Path,
    reading: Reading,
    format: Option<InputFormat>,
    plain: &PlainRules,
) -> Result<(Essay, Vec<Warning>)> {
    load_book_essay(path, reading, format, plain, References::default())
}

/// [`load_essay`] for an essay of a book whose images may also come from
/// resource folders and whose links may lead to its chapters.
fn load_book_essay(
    path: &Path,
    reading: Reading,
    format: Option<InputFormat>,
    plain: &PlainRules,
    references: References,
) -> Result<(Essay, Vec<Warning>)> {
    let by_name = Format::of(path).ok_or_else(|| Error::NotAnEssay {
        path: path.to_path_buf(),
    })?;
    let bytes = std::fs::read(path).map_err(|e| Error::read(path, e))?;
    let decoded = decode::decode_owned(path, bytes, reading)?;
    let format = format.unwrap_or_else(|| InputFormat::detect(by_name, &decoded.text));
    let (essay, mut warnings) =
        parse::parse_in_book(path, &decoded.text, format, plain, references)?;
    let mut all = decoded.warnings;
    all.append(&mut warnings);
    Ok((essay, all))
}

/// Loads the book made of `inputs` with `options`, its chapters in the
/// order [`order::book_files`] gives. With `options.strict`, any warning
/// is an [`Error::Strict`] listing them all.
pub fn load_book(inputs: &[PathBuf], options: &Options) -> Result<(Book, Vec<Warning>)> {
    let (book, warnings) = load_book_lenient(inputs, options)?;
    if options.strict && !warnings.is_empty() {
        return Err(Error::Strict { warnings });
    }
    Ok((book, warnings))
}

fn load_book_lenient(inputs: &[PathBuf], options: &Options) -> Result<(Book, Vec<Warning>)> {
    let chapter_list = match (&options.config, &options.chapters) {
        (Some(config), Some(chapters)) => Some((config.as_path(), chapters.as_slice())),
        _ => None,
    };
    let (order::BookFiles { files, depths }, mut warnings) =
        order::book_files(inputs, chapter_list)?;
    let references = References {
        resource_dirs: options.resource_dirs.clone(),
        chapters: Arc::new(
            files
                .iter()
                .map(|f| f.canonicalize().unwrap_or_else(|_| f.clone()))
                .collect(),
        ),
    };
    let mut essays = Vec::with_capacity(files.len());
    for file in &files {
        let (essay, mut more) = load_book_essay(
            file,
            options.reading,
            options.format,
            &options.plain,
            references.clone(),
        )
        .map_err(|error| options.explain(error))?;
        essays.push(essay);
        warnings.append(&mut more);
    }
    let languages = settle_languages(&mut essays, options.lang.as_deref())?;
    let words = lang::strings(&languages[0]);
    title_introductions(&mut essays, &mut warnings);
    // Blank settings count as unset: EPUB metadata may not be empty.
    let title = options
        .title
        .clone()
        .filter(|t| !t.trim().is_empty())
        .unwrap_or_else(|| default_title(inputs, &essays));
    let mut authors: Vec<String> = options
        .authors
        .iter()
        .filter(|a| !a.trim().is_empty())
        .cloned()
        .collect();
    let credited = essays.iter().flat_map(|e| &e.creators);
    if authors.is_empty() {
        // The authors the essays name themselves (an Aozora header), in order.
        for author in credited.clone().filter(|c| c.role == Role::Author) {
            if !authors.contains(&author.name) {
                authors.push(author.name.clone());
            }
        }
    }
    // Translators, editors and illustrators stay credited whoever the
    // authors are: `--author` names the authors only. The config's
    // `contributors` replace the essays'.
    let mut contributors: Vec<Creator> = options.contributors.clone();
    if contributors.is_empty() {
        for contributor in credited.filter(|c| c.role != Role::Author) {
            if !contributors.contains(contributor) {
                contributors.push(contributor.clone());
            }
        }
    }
    let meta = options
        .meta
        .clone()
        .or(front_matter_meta(&essays, &mut warnings));
    if authors.is_empty() {
        authors.push(words.unknown_author.to_string());
    }
    let cover_file = match &options.cover {
        Some(file) => Some(file.clone()),
        None => {
            let stem = match essays.as_slice() {
                [essay] => essay.path.file_stem(),
                _ => None,
            };
            find_cover(&options.base_dir, stem)
        }
    };
    let cover = match &cover_file {
        Some(file) => load_cover(file)?,
        None => Cover::Generated {
            raster: options.raster_cover,
        },
    };
    let extra_css = match &options.css {
        Some(file) => Some(load_css(file)?),
        None => None,
    };
    let font = match &options.font {
        Some(file) => {
            let font = load_font(file)?;
            let cjk = languages.iter().any(|tag| lang::is_cjk(tag));
            warnings.extend(font_coverage_warning(
                &font,
                cjk,
                &free_text_sample(&essays),
            )?);
            Some(font)
        }
        None => None,
    };
    let mut stamped: Vec<&Path> = files.iter().map(PathBuf::as_path).collect();
    stamped.extend(options.font.as_deref());
    stamped.extend(cover_file.as_deref());
    stamped.extend(options.css.as_deref());
    stamped.extend(options.config.as_deref());
    let modified = options.modified.unwrap_or_else(|| newest_mtime(&stamped));
    let book = Book {
        title,
        authors,
        contributors,
        preview: PreviewText {
            notice: options.notice.clone(),
            title_suffix: options
                .title_suffix
                .clone()
                .unwrap_or_else(|| words.preview_suffix.to_string()),
        },
        languages,
        layout: options.layout,
        meta,
        modified,
        cover,
        extra_css,
        font,
        typography: options.typography.clone(),
        essays,
        chapter_depths: depths,
    };
    Ok((book, warnings))
}

/// Settles each essay's language — `forced` (`--lang`, the config's `lang`)
/// for every essay, else the one the essay names itself (Gutenberg's
/// `Language:`, front matter), else detected from its own free text (an
/// essay with nothing to tell by takes the book's main language) — and
/// returns the book's languages in order of their share of free text, the
/// main one first. Paid text is never looked at, so both editions agree.
fn settle_languages(essays: &mut [Essay], forced: Option<&str>) -> Result<Vec<String>> {
    if let Some(tag) = forced {
        if !lang::is_valid_tag(tag) {
            return Err(Error::InvalidLanguage(tag.to_string()));
        }
        for essay in essays.iter_mut() {
            essay.lang = Some(tag.to_string());
        }
        return Ok(vec![tag.to_string()]);
    }
    for essay in essays.iter_mut().filter(|e| e.lang.is_none()) {
        let sample = free_text_sample(std::slice::from_ref(essay));
        essay.lang = lang::detect_if_any(&sample).map(String::from);
    }
    let shares = essays
        .iter()
        .filter_map(|e| Some((e.lang.as_deref()?, e.char_counts().0)));
    let mut languages = lang::by_share(shares);
    if languages.is_empty() {
        // No essay has text to tell by.
        languages.push(lang::detect("").to_string());
    }
    for essay in essays.iter_mut().filter(|e| e.lang.is_none()) {
        essay.lang = Some(languages[0].clone());
    }
    Ok(languages)
}

/// The book-level keys of the essays' front matter: a single essay's are
/// the book's; in a book of several essays they are left out with a warning,
/// since no essay speaks for the whole book.
fn front_matter_meta(essays: &[Essay], warnings: &mut Vec<Warning>) -> BookMeta {
    if let [essay] = essays {
        return essay.meta.clone();
    }
    for essay in essays {
        let keys = essay.meta.keys_set();
        if !keys.is_empty() {
            warnings.push(Warning::new(
                &essay.path,
                None,
                format!(
                    "front matter keys for the whole book ({}) are used only when the book is \
                     this essay alone; put them in wenji.toml",
                    keys.join(", ")
                ),
            ));
        }
    }
    BookMeta::default()
}

/// A `README.md` with no title of its own (titled after its file) is the
/// book's introduction: titled "introduction" in its own language,
/// without the warning about its missing heading.
fn title_introductions(essays: &mut [Essay], warnings: &mut Vec<Warning>) {
    for essay in essays.iter_mut() {
        let stem = essay.path.file_stem().map(|s| s.to_string_lossy());
        if !order::is_readme(&essay.path) || stem.as_deref() != Some(essay.title.as_str()) {
            continue;
        }
        let lang = essay.lang.as_deref().unwrap_or_default();
        essay.title = lang::strings(lang).introduction.to_string();
        warnings
            .retain(|w| !(w.path == essay.path && w.message.starts_with("no '# title' heading")));
    }
}

/// A single essay's title; else the name of a single folder; else the first essay's title.
fn default_title(inputs: &[PathBuf], essays: &[Essay]) -> String {
    if let [essay] = essays {
        return essay.title.clone();
    }
    if let [input] = inputs {
        let name = std::fs::canonicalize(input)
            .ok()
            .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()));
        if let Some(name) = name {
            return name;
        }
    }
    essays.first().map(|e| e.title.clone()).unwrap_or_default()
}

/// Free text from the start of `essays`, enough to detect their language
/// or check a font. Paid text is never looked at, so both editions agree.
fn free_text_sample(essays: &[Essay]) -> String {
    const ENOUGH: usize = 20_000;
    let mut sample = String::new();
    for essay in essays {
        essay.for_each_free_text(&mut |text| {
            if sample.len() <= ENOUGH * 3 {
                sample.push_str(text);
            }
        });
        if sample.len() > ENOUGH * 3 {
            break;
        }
    }
    sample
}

/// `covers/<essay stem>.*` (when the book has one essay), else
/// `covers/cover.*`, in `base`'s `covers/` folder or, failing that, in the
/// `covers/` beside `base` — the book root when the settings sit in
/// `content/`, as `wenji init` and this repository lay a book out.
pub fn find_cover(base: &Path, essay_stem: Option<&OsStr>) -> Option<PathBuf> {
    let folders = [
        Some(base.join("covers")),
        base.parent().map(|root| root.join("covers")),
    ];
    folders
        .into_iter()
        .flatten()
        .filter(|covers| covers.is_dir())
        .find_map(|covers| cover_in(&covers, essay_stem))
}

/// The first `<essay stem>.*`, else `cover.*`, image in `covers`.
fn cover_in(covers: &Path, essay_stem: Option<&OsStr>) -> Option<PathBuf> {
    let stems = essay_stem.into_iter().chain([OsStr::new("cover")]);
    for stem in stems {
        for ext in media::IMAGE_EXTENSIONS {
            let mut name = stem.to_os_string();
            name.push(".");
            name.push(ext);
            let candidate = covers.join(name);
            if candidate.is_file() {
                return Some(candidate);
            }
        }
    }
    None
}

fn load_cover(file: &Path) -> Result<Cover> {
    let asset_error = |message: String| Error::Asset {
        path: file.to_path_buf(),
        message,
    };
    let media_type = media::image_type(file)
        .filter(|t| *t != "image/gif")
        .ok_or_else(|| asset_error("a cover must be a .jpg, .png, .webp or .svg image".into()))?;
    let data = std::fs::read(file).map_err(|e| Error::read(file, e))?;
    if !media::looks_like(media_type, &data) {
        return Err(asset_error(format!(
            "this is not a valid {media_type} file"
        )));
    }
    if media_type == "image/svg+xml"
        && let Some(problem) = media::svg_problem(&data)
    {
        return Err(asset_error(format!("this SVG {problem}")));
    }
    let extension = match media_type {
        "image/jpeg" => "jpg",
        "image/png" => "png",
        "image/webp" => "webp",
        _ => "svg",
    };
    Ok(Cover::Image {
        extension: extension.to_string(),
        media_type,
        data: Arc::new(data),
    })
}

fn load_font(file: &Path) -> Result<FontFile> {
    if !cfg!(feature = "fonts") {
        return Err(Error::Asset {
            path: file.to_path_buf(),
            message: crate::typeset::font::NOT_BUILT_IN.to_string(),
        });
    }
    let data = std::fs::read(file).map_err(|e| Error::read(file, e))?;
    let known = [&b"\0\x01\0\0"[..], b"OTTO", b"true", b"ttcf"];
    if !known.iter().any(|magic| data.starts_with(magic)) {
        return Err(Error::Font {
            path: file.to_path_buf(),
            reason: "this is not a TrueType or OpenType font".to_string(),
        });
    }
    Ok(FontFile {
        path: file.to_path_buf(),
        data: Arc::new(data),
    })
}

/// A warning when the book has `cjk` chapters and `font` lacks glyphs for most of
/// their CJK characters (counted over the free `sample`, so the warning says
/// nothing of paid text): readers then draw them in a font of their own.
/// An error when HarfBuzz cannot read the font at all.
fn font_coverage_warning(font: &FontFile, cjk: bool, sample: &str) -> Result<Option<Warning>> {
    let cjk: BTreeSet<char> = if cjk {
        sample.chars().filter(|&c| lang::is_cjk_char(c)).collect()
    } else {
        BTreeSet::new()
    };
    let missing =
        crate::typeset::font::missing_glyphs(&font.data, &cjk).map_err(|reason| Error::Font {
            path: font.path.clone(),
            reason,
        })?;
    Ok((missing * 2 > cjk.len()).then(|| {
        Warning::new(
            &font.path,
            None,
            format!(
                "this font has no glyphs for {missing} of the {} CJK characters of the book; \
                 readers will fall back to a font of their own for them. Give a CJK font \
                 (such as Noto Serif CJK) or leave --font out",
                cjk.len()
            ),
        )
    }))
}

fn load_css(file: &Path) -> Result<String> {
    let bytes = std::fs::read(file).map_err(|e| Error::read(file, e))?;
    let decoded = decode::decode(file, &bytes, Reading::default())?;
    Ok(decoded.text)
}

/// The newest modification time among `paths`, in seconds since 1970.
fn newest_mtime(paths: &[&Path]) -> i64 {
    paths
        .iter()
        .filter_map(|p| std::fs::metadata(p).and_then(|m| m.modified()).ok())
        .filter_map(|t| t.duration_since(UNIX_EPOCH).ok())
        .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
        .max()
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folders_are_read_in_natural_order_without_hidden_files() {
        let dir = tempfile::tempdir().unwrap();
        for name in [
            "10.txt",
            "2.txt",
            "1.md",
            ".hidden.txt",
            "notes.pdf",
            "sub/3.txt",
        ] {
            let path = dir.path().join(name);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, "t\np").unwrap();
        }
        let (files, _) = essay_files(&[dir.path().to_path_buf()]).unwrap();
        let names: Vec<_> = files
            .iter()
            .map(|f| {
                f.strip_prefix(dir.path())
                    .unwrap()
                    .to_string_lossy()
                    .into_owned()
            })
            .collect();
        assert_eq!(names, ["1.md", "2.txt", "10.txt", "sub/3.txt"]);
    }

    #[test]
    fn links_out_of_the_folder_and_loops_are_skipped() {
        let outside = tempfile::tempdir().unwrap();
        std::fs::write(outside.path().join("secret.txt"), "t\np").unwrap();
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("essays");
        std::fs::create_dir_all(root.join("sub")).unwrap();
        std::fs::write(root.join("sub/a.txt"), "t\np").unwrap();
        let link = |target: &Path, name: &str| {
            std::os::unix::fs::symlink(target, root.join(name)).unwrap();
        };
        link(&outside.path().join("secret.txt"), "out.txt");
        link(outside.path(), "outdir");
        link(&root, "sub/loop");
        link(&root.join("sub/a.txt"), "inside.txt");
        let (files, warnings) = essay_files(std::slice::from_ref(&root)).unwrap();
        let names: Vec<_> = files
            .iter()
            .map(|f| {
                f.strip_prefix(&root)
                    .unwrap()
                    .to_string_lossy()
                    .into_owned()
            })
            .collect();
        assert_eq!(names, ["inside.txt", "sub/a.txt"]);
        let messages: Vec<_> = warnings.iter().map(|w| w.to_string()).collect();
        assert_eq!(messages.len(), 3, "{messages:?}");
        assert!(
            messages
                .iter()
                .any(|m| m.contains("out.txt: symbolic link leading out"))
        );
        assert!(
            messages
                .iter()
                .any(|m| m.contains("outdir: symbolic link leading out"))
        );
        assert!(
            messages
                .iter()
                .any(|m| m.contains("loop: symbolic link loop"))
        );
    }

    #[test]
    fn bad_inputs_are_named() {
        let dir = tempfile::tempdir().unwrap();
        let err = essay_files(&[dir.path().to_path_buf()]).unwrap_err();
        assert!(matches!(err, Error::NoEssays { .. }));
        let pdf = dir.path().join("a.pdf");
        std::fs::write(&pdf, "x").unwrap();
        assert!(matches!(
            essay_files(&[pdf]).unwrap_err(),
            Error::NotAnEssay { .. }
        ));
        let missing = dir.path().join("missing.txt");
        assert!(
            essay_files(std::slice::from_ref(&missing))
                .unwrap_err()
                .to_string()
                .contains("missing.txt")
        );
    }
}
