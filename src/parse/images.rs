//! Images an essay refers to, read from beside it or from a resource
//! folder (`--resource-path`): paths confined to the essay's folder or to
//! that resource folder, type and content checked, each file packed once
//! under a name made from its bytes. Markdown images and Aozora
//! illustrations (挿絵) both come through here. A Markdown image that cannot
//! be packed is a warning naming its line, and its alt text stays in its
//! place; the links between a book's chapters are resolved here too, since
//! the same walk over an essay's HTML asks for both.

use std::collections::{HashMap, VecDeque};
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

use pulldown_cmark::{Event, Options, Parser, Tag};

use crate::document::Image;
use crate::error::{Error, Result, Warning};
use crate::media;
use crate::parse::sanitize::Resolver;
use crate::xml::stable_hash;

/// What an essay's references may reach beyond its own folder: the
/// resource folders images are also looked for in, and the book's chapter
/// files, which links between chapters lead to.
#[derive(Debug, Clone, Default)]
pub struct References {
    /// Folders (`--resource-path`, `resource_path`) where site-root image
    /// paths (`/images/a.png`), and relative ones not found beside the
    /// essay, are looked for, in order.
    pub resource_dirs: Vec<PathBuf>,
    /// The book's essay files in chapter order, canonical: a link to one of
    /// them leads to that chapter.
    pub chapters: Arc<Vec<PathBuf>>,
}

impl References {
    /// The file name of the first page of the chapter made from `essay`
    /// (canonical), if it is one of the book's.
    pub fn chapter_page(&self, essay: &Path) -> Option<String> {
        let index = self.chapters.iter().position(|c| c == essay)?;
        Some(chapter_first_page(index))
    }
}

/// The file name of the first page of chapter `index` (from 0), which
/// both editions hold.
pub fn chapter_first_page(index: usize) -> String {
    format!("{}.xhtml", crate::typeset::chapter_stem(index))
}

/// Resolves image references against the essay's folder and the resource
/// folders, and reads them.
pub(crate) struct ImagePacker {
    essay: PathBuf,
    folder: PathBuf,
    references: References,
    packed: HashMap<String, Image>,
    /// The Markdown images of the segment being rendered, in order: source
    /// (percent-decoded) and line.
    lines: VecDeque<(String, usize)>,
    /// Its Markdown links, the same way.
    link_lines: VecDeque<(String, usize)>,
    /// Where the paid part being rendered starts, if it is one: messages
    /// about its images name this line and never the image's source.
    pub(crate) paid_part_line: Option<usize>,
}

impl ImagePacker {
    /// A packer for the images of the essay at `essay`, with nothing beyond
    /// its folder.
    pub(crate) fn new(essay: &Path) -> Self {
        Self::with_references(essay, References::default())
    }

    /// A packer for the images of the essay at `essay`, which may also come
    /// from the resource folders of `references`.
    pub(crate) fn with_references(essay: &Path, references: References) -> Self {
        let folder = essay
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        ImagePacker {
            essay: essay.to_path_buf(),
            folder: folder.to_path_buf(),
            references,
            packed: HashMap::new(),
            lines: VecDeque::new(),
            link_lines: VecDeque::new(),
            paid_part_line: None,
        }
    }

    /// Notes where the images and links of the Markdown `segment`, whose
    /// first line is line `first_line` of the essay, stand, so that a
    /// warning about one can name its line.
    pub(crate) fn start_segment(&mut self, segment: &str, first_line: usize) {
        self.lines.clear();
        self.link_lines.clear();
        if !segment.contains("](") {
            return;
        }
        let options = Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH;
        for (event, range) in Parser::new_ext(segment, options).into_offset_iter() {
            let (list, dest_url) = match event {
                Event::Start(Tag::Image { dest_url, .. }) => (&mut self.lines, dest_url),
                Event::Start(Tag::Link { dest_url, .. }) => (&mut self.link_lines, dest_url),
                _ => continue,
            };
            let line = first_line + segment[..range.start].matches('\n').count();
            list.push_back((percent_decoded(&dest_url), line));
        }
    }

    /// The line of the next Markdown image with source `src`, taken off the list.
    fn take_line(&mut self, src: &str) -> Option<usize> {
        take_line(&mut self.lines, src)
    }

    /// How messages name the image `src`.
    fn describe(&self, src: &str) -> String {
        match self.paid_part_line {
            Some(line) => format!("an image in the paid part starting at line {line}"),
            None => format!("image '{}'", percent_decoded(src)),
        }
    }

    /// The packed image for a Markdown `src`, or `None` with a warning
    /// naming the essay and the image's line when it cannot be packed: the
    /// caller keeps the alt text in its place.
    pub(crate) fn resolve(&mut self, src: &str, warnings: &mut Vec<Warning>) -> Option<Image> {
        let line = self.take_line(src);
        let problem = match self.find(src) {
            Ok(Some(image)) => return Some(image),
            Ok(None) => NOT_LOCAL.to_string(),
            Err(problem) => format!("{problem}; its alt text stays in its place"),
        };
        let message = format!("{} {problem}", self.describe(src));
        warnings.push(Warning::new(&self.essay, line, message));
        None
    }

    /// A resolver for the sanitiser packing Markdown images (see
    /// [`ImagePacker::resolve`]) and leading links to the book's other
    /// chapters there (see [`ImagePacker::link`]), warning into `warnings`.
    pub(crate) fn resolver<'a>(
        &'a mut self,
        warnings: &'a mut Vec<Warning>,
    ) -> MarkdownReferences<'a> {
        MarkdownReferences {
            packer: self,
            warnings,
        }
    }

    /// The page a relative link `href` leads to: the first page of the
    /// chapter made from the `.md` file it names, with its fragment, which
    /// typesetting resolves to the heading it names
    /// ([`crate::typeset::links`]). A link to a Markdown file that is no chapter of
    /// the book keeps its text, with a warning; other relative links keep
    /// their text silently, as before.
    pub(crate) fn link(&mut self, href: &str, warnings: &mut Vec<Warning>) -> Option<String> {
        let line = take_line(&mut self.link_lines, href);
        let file = href.split(['#', '?']).next().unwrap_or_default();
        let file = percent_decoded(file);
        let is_markdown = Path::new(&file)
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| e.eq_ignore_ascii_case("md") || e.eq_ignore_ascii_case("markdown"));
        if !is_markdown || has_scheme(&file) {
            return None;
        }
        let page = if file.starts_with(['/', '\\']) {
            None
        } else {
            let target = self.folder.join(&file).canonicalize().ok();
            target.and_then(|target| self.references.chapter_page(&target))
        };
        if page.is_none() {
            let link = match self.paid_part_line {
                Some(line) => format!("a link in the paid part starting at line {line}"),
                None => format!("the link to '{file}'"),
            };
            warnings.push(Warning::new(
                &self.essay,
                line,
                format!(
                    "{link} leads to no chapter of this book; its text stays, without the link \
                     (add the file to the book, or link to a web address)"
                ),
            ));
        }
        let fragment = href
            .split_once('#')
            .map(|(_, f)| percent_decoded(f))
            .filter(|f| !f.is_empty());
        match (page, fragment) {
            (Some(page), Some(fragment)) => Some(format!("{page}#{fragment}")),
            (page, _) => page,
        }
    }

    /// The packed image for `src`, or `None` (with a warning) for images
    /// that live elsewhere (`https:`, `data:`) and are left out; an error
    /// for one that cannot be packed.
    pub(crate) fn pack(&mut self, src: &str, warnings: &mut Vec<Warning>) -> Result<Option<Image>> {
        match self.find(src) {
            Ok(Some(image)) => Ok(Some(image)),
            Ok(None) => {
                warnings.push(Warning::new(
                    &self.essay,
                    None,
                    format!("{} {NOT_LOCAL}", self.describe(src)),
                ));
                Ok(None)
            }
            Err(problem) => Err(Error::Image {
                path: self.essay.clone(),
                image: self.describe(src),
                problem,
            }),
        }
    }

    /// The packed image for `src`; `None` for images that are not local
    /// files; else what is wrong with it.
    fn find(&mut self, src: &str) -> std::result::Result<Option<Image>, String> {
        if let Some(image) = self.packed.get(src) {
            return Ok(Some(image.clone()));
        }
        let decoded = percent_decoded(src);
        // The sanitiser empties sources with other schemes (`data:`, `ftp:`).
        if has_scheme(&decoded) || decoded.trim().is_empty() {
            return Ok(None);
        }
        let site_root = decoded.starts_with('/') || decoded.starts_with('\\');
        let relative = Path::new(decoded.trim_start_matches(['/', '\\']));
        if Path::new(&decoded).is_absolute() && !site_root {
            return Err("is an absolute path; use a path relative to the essay".to_string());
        }
        if relative
            .components()
            .any(|c| !matches!(c, Component::Normal(_) | Component::CurDir))
        {
            return Err(if site_root {
                "leads outside the resource folders; it is refused".to_string()
            } else {
                "leads outside the essay's folder; move the image beside the essay".to_string()
            });
        }
        let media_type = media::image_type(relative).ok_or_else(|| {
            "is not a supported image type; use .jpg, .png, .gif, .webp or .svg".to_string()
        })?;
        let mut places: Vec<&Path> = Vec::new();
        if !site_root {
            places.push(&self.folder);
        }
        places.extend(self.references.resource_dirs.iter().map(PathBuf::as_path));
        let Some(full) = places.iter().find_map(|place| inside(place, relative)) else {
            let place = match (self.paid_part_line, site_root) {
                (Some(_), _) => "beside the essay or in the resource folders".to_string(),
                (None, true) if self.references.resource_dirs.is_empty() => {
                    "(a site-root path: give the folder it starts from with --resource-path)"
                        .to_string()
                }
                (None, _) => {
                    let shown: Vec<String> = places
                        .iter()
                        .map(|p| p.join(relative).display().to_string())
                        .collect();
                    format!("at {}", shown.join(" or "))
                }
            };
            return Err(format!("not found {place}"));
        };
        let data = std::fs::read(&full).map_err(|e| format!("cannot be read: {e}"))?;
        if !media::looks_like(media_type, &data) {
            return Err(format!("is not a valid {media_type} file"));
        }
        if media_type == "image/svg+xml"
            && let Some(problem) = media::svg_problem(&data)
        {
            return Err(problem);
        }
        let extension = relative
            .extension()
            .and_then(|e| e.to_str())
            .unwrap_or("img")
            .to_ascii_lowercase();
        let image = Image {
            href: format!("images/{:016x}.{extension}", stable_hash(&data)),
            media_type,
            data: Arc::new(data),
            alt: String::new(),
        };
        self.packed.insert(src.to_string(), image.clone());
        Ok(Some(image))
    }
}

/// The references of a Markdown essay as the sanitiser meets them.
pub(crate) struct MarkdownReferences<'a> {
    packer: &'a mut ImagePacker,
    warnings: &'a mut Vec<Warning>,
}

impl Resolver for MarkdownReferences<'_> {
    fn image(&mut self, src: &str) -> Result<Option<Image>> {
        Ok(self.packer.resolve(src, self.warnings))
    }

    fn link(&mut self, href: &str) -> Option<String> {
        self.packer.link(href, self.warnings)
    }
}

/// What is said of an image that is not a local file.
const NOT_LOCAL: &str = "is not a local file; left out (its alt text stays)";

/// The line of the first entry of `lines` for `reference` (compared
/// percent-decoded), taken off the list.
fn take_line(lines: &mut VecDeque<(String, usize)>, reference: &str) -> Option<usize> {
    let decoded = percent_decoded(reference);
    let at = lines.iter().position(|(s, _)| *s == decoded)?;
    lines.remove(at).map(|(_, line)| line)
}

/// `folder` joined with `relative`, if that file exists and, links
/// followed, stays inside `folder`.
fn inside(folder: &Path, relative: &Path) -> Option<PathBuf> {
    let full = folder.join(relative);
    let file = full.canonicalize().ok()?;
    let folder = folder.canonicalize().ok()?;
    (file.starts_with(folder) && file.is_file()).then_some(full)
}

/// `reference` with its `%XX` escapes decoded.
fn percent_decoded(reference: &str) -> String {
    percent_encoding::percent_decode_str(reference)
        .decode_utf8_lossy()
        .into_owned()
}

/// Whether `reference` starts with a URL scheme such as `https:` or `data:`.
fn has_scheme(reference: &str) -> bool {
    match reference.find(':') {
        Some(colon) => {
            let scheme = &reference[..colon];
            !scheme.is_empty()
                && scheme
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
                && colon > 1 // a Windows drive letter is not a scheme
        }
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn image_paths_are_confined_to_the_essay_folder() {
        let mut packer = ImagePacker::new(Path::new("tests/x.md"));
        let mut warnings = Vec::new();
        for bad in [
            "/etc/passwd.png",
            "../../etc/passwd",
            "../x.png",
            "missing.png",
            "a.exe",
        ] {
            assert!(packer.pack(bad, &mut warnings).is_err(), "{bad}");
        }
        assert!(
            packer
                .pack("data:image/png;base64,AAAA", &mut warnings)
                .unwrap()
                .is_none()
        );
        assert_eq!(warnings.len(), 1);
    }
}
