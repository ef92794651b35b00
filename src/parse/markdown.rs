//! Markdown essays. pulldown-cmark renders each free or paid segment to
//! HTML, [`sanitize`] turns it into safe, valid document nodes, and each
//! top-level element becomes one block. The first level-1 heading before any paid marker is
//! the title; other top-level headings become sections. Images are read
//! from the essay's folder (never outside it) and packed into the book.

use std::collections::HashMap;
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

use pulldown_cmark::{Event, Options, Parser, Tag};

use crate::document::{self, Element, Image, Node};
use crate::error::{Error, Result, Warning};
use crate::essay::{Access, Block, Essay};
use crate::media;
use crate::paid;
use crate::parse::{MAX_TITLE_CHARS, checked_title, nesting, sanitize};
use crate::xml::stable_hash;

/// Parses a Markdown essay.
pub fn parse(path: &Path, text: &str) -> Result<(Essay, Vec<Warning>)> {
    let (segments, mut warnings) = paid::split(path, text, paid::Rendering::Markdown);
    if segments.len() > 1 {
        warn_of_markers_in_code(path, text, &mut warnings);
    }
    let mut images = ImagePacker::new(path);
    let mut essay = Essay {
        path: path.to_path_buf(),
        title: String::new(),
        creators: Vec::new(),
        colophon: Vec::new(),
        parts: Vec::new(),
    };
    let mut title = None;
    let mut title_may_follow = true;
    for segment in segments {
        if segment.access == Access::Paid {
            title_may_follow = false;
        }
        images.paid_part_line = (segment.access == Access::Paid).then_some(segment.line);
        for block in render(path, segment.text, &mut images, &mut warnings)? {
            if title_may_follow && let Block::Heading { level: 1, content } = &block {
                title = Some(document::plain_text(content));
                title_may_follow = false;
                continue;
            }
            essay.push(segment.access, block);
        }
    }
    essay.title = match title {
        Some(title) => checked_title(path, title)?,
        None => {
            let stem = path
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default();
            if essay.parts.is_empty() {
                return Err(Error::Empty {
                    path: path.to_path_buf(),
                });
            }
            warnings.push(Warning::new(
                path,
                None,
                format!(
                    "no '# title' heading (before any paid part); titled '{stem}' after the file"
                ),
            ));
            stem
        }
    };
    Ok((essay, warnings))
}

/// Markers count everywhere, code included, but one inside code cuts the
/// code in two and the second half may swallow what follows: say so.
fn warn_of_markers_in_code(path: &Path, text: &str, warnings: &mut Vec<Warning>) {
    let parser = Parser::new_ext(text, Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH);
    for (event, range) in parser.into_offset_iter() {
        let is_code = matches!(event, Event::Start(Tag::CodeBlock(_)) | Event::Code(_));
        if is_code && paid::has_marker(&text[range.clone()]) {
            let line = text[..range.start].matches('\n').count() + 1;
            warnings.push(Warning::new(
                path,
                Some(line),
                "a paid marker inside code cuts the code in two (the marker still counts); \
                 put markers outside code",
            ));
        }
    }
}

/// Renders one segment to blocks: top-level headings and one markup block
/// per other top-level element.
fn render(
    path: &Path,
    markdown: &str,
    images: &mut ImagePacker,
    warnings: &mut Vec<Warning>,
) -> Result<Vec<Block>> {
    let parser = Parser::new_ext(
        markdown,
        Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH,
    );
    let mut events = nesting::ShallowEvents::new(parser);
    let mut html = String::with_capacity(markdown.len() * 3 / 2);
    pulldown_cmark::html::push_html(&mut html, &mut events);
    let mut resolve = |src: &str| images.pack(src, warnings);
    let (nodes, flattened) = sanitize::to_nodes(&html, &mut resolve)?;
    if events.flattened || flattened {
        warnings.push(Warning::new(
            path,
            None,
            format!(
                "elements nested more than {} levels deep were flattened",
                nesting::MAX_DEPTH
            ),
        ));
    }
    let mut blocks = Vec::new();
    for node in nodes {
        match node {
            Node::Element(element) => match heading_level(element.name) {
                // A heading longer than a title could be is a paragraph (it
                // could not be split across pages).
                Some(_) if document::char_count(&element.children) > MAX_TITLE_CHARS => {
                    blocks.push(Block::Element(Element::new("p", element.children)));
                }
                Some(_) if document::plain_text(&element.children).is_empty() => {}
                Some(level) => blocks.push(Block::Heading {
                    level,
                    content: element.children,
                }),
                None => blocks.push(Block::Element(element)),
            },
            Node::Text(text) if text.trim().is_empty() => {}
            Node::Text(text) => blocks.push(Block::Element(Element::new(
                "p",
                vec![Node::Text(text.trim().to_string())],
            ))),
            image @ Node::Image(_) => blocks.push(Block::Element(Element::new("p", vec![image]))),
        }
    }
    Ok(blocks)
}

fn heading_level(name: &str) -> Option<u8> {
    match name.as_bytes() {
        [b'h', d @ b'1'..=b'6'] => Some(d - b'0'),
        _ => None,
    }
}

/// Resolves image references against the essay's folder and reads them.
struct ImagePacker {
    essay: PathBuf,
    folder: PathBuf,
    packed: HashMap<String, Image>,
    /// Where the paid part being rendered starts, if it is one: messages
    /// about its images name this line and never the image's source.
    paid_part_line: Option<usize>,
}

impl ImagePacker {
    fn new(essay: &Path) -> Self {
        let folder = essay
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        ImagePacker {
            essay: essay.to_path_buf(),
            folder: folder.to_path_buf(),
            packed: HashMap::new(),
            paid_part_line: None,
        }
    }

    /// How messages name the image `src`.
    fn describe(&self, src: &str) -> String {
        match self.paid_part_line {
            Some(line) => format!("an image in the paid part starting at line {line}"),
            None => format!("image '{src}'"),
        }
    }

    fn error(&self, src: &str, problem: impl Into<String>) -> Error {
        Error::Image {
            path: self.essay.clone(),
            image: self.describe(src),
            problem: problem.into(),
        }
    }

    /// The packed image for `src`, or `None` (with a warning) for images
    /// that live elsewhere (`https:`, `data:`) and are left out.
    fn pack(&mut self, src: &str, warnings: &mut Vec<Warning>) -> Result<Option<Image>> {
        if let Some(image) = self.packed.get(src) {
            return Ok(Some(image.clone()));
        }
        let decoded = percent_encoding::percent_decode_str(src)
            .decode_utf8_lossy()
            .into_owned();
        // The sanitiser empties sources with other schemes (`data:`, `ftp:`).
        if has_scheme(&decoded) || decoded.trim().is_empty() {
            warnings.push(Warning::new(
                &self.essay,
                None,
                format!(
                    "{} is not a local file; left out (its alt text stays)",
                    self.describe(src)
                ),
            ));
            return Ok(None);
        }
        let relative = Path::new(&decoded);
        if relative.is_absolute() || decoded.starts_with('/') || decoded.starts_with('\\') {
            return Err(self.error(src, "is an absolute path; use a path relative to the essay"));
        }
        if relative
            .components()
            .any(|c| !matches!(c, Component::Normal(_) | Component::CurDir))
        {
            return Err(self.error(
                src,
                "leads outside the essay's folder; move the image beside the essay",
            ));
        }
        let media_type = media::image_type(relative).ok_or_else(|| {
            self.error(
                src,
                "is not a supported image type; use .jpg, .png, .gif, .webp or .svg",
            )
        })?;
        let full = self.folder.join(relative);
        let inside = match (full.canonicalize(), self.folder.canonicalize()) {
            (Ok(file), Ok(folder)) => file.starts_with(folder),
            _ => {
                let place = match self.paid_part_line {
                    Some(_) => "beside the essay".to_string(),
                    None => format!("at {}", full.display()),
                };
                return Err(self.error(src, format!("not found {place}")));
            }
        };
        if !inside {
            return Err(self.error(src, "is a link leading outside the essay's folder"));
        }
        let data =
            std::fs::read(&full).map_err(|e| self.error(src, format!("cannot be read: {e}")))?;
        if !media::looks_like(media_type, &data) {
            return Err(self.error(src, format!("is not a valid {media_type} file")));
        }
        if media_type == "image/svg+xml"
            && let Some(problem) = media::svg_problem(&data)
        {
            return Err(self.error(src, problem));
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

    fn parse_str(text: &str) -> (Essay, Vec<Warning>) {
        parse(Path::new("essay.md"), text).unwrap()
    }

    fn markup(essay: &Essay) -> String {
        let mut out = String::new();
        for block in essay.parts.iter().flat_map(|p| &p.blocks) {
            let element = match block {
                Block::Element(element) => element.clone(),
                Block::Heading { level, content } => Element::new(
                    ["", "h1", "h2", "h3", "h4", "h5", "h6"][usize::from(*level)],
                    content.clone(),
                ),
            };
            let nodes = [Node::Element(element)];
            document::write_xhtml(&nodes, &mut out, &mut document::escape_text);
        }
        out
    }

    #[test]
    fn title_sections_and_constructs() {
        let (essay, warnings) = parse_str(
            "# 标题\n\n段落*强调*与**加粗**。\n\n## 小节\n\n- 一\n- 二\n\n> 引用\n\n```\ncode <x>\n```\n\n[链接](https://example.org)",
        );
        assert!(warnings.is_empty(), "{warnings:?}");
        assert_eq!(essay.title, "标题");
        assert_eq!(
            markup(&essay),
            "<p>段落<em>强调</em>与<strong>加粗</strong>。</p><h2>小节</h2><ul>\n<li>一</li>\n<li>二</li>\n</ul>\
             <blockquote>\n<p>引用</p>\n</blockquote><pre><code>code &lt;x&gt;\n</code></pre>\
             <p><a href=\"https://example.org/\">链接</a></p>"
        );
    }

    #[test]
    fn paid_segments_and_inline_markers() {
        let (essay, _) =
            parse_str("# T\n\n免费 ##paidbegin## 付费\n\n## 付费小节\n\n##paidend##\n\n尾");
        let accesses: Vec<_> = essay
            .parts
            .iter()
            .map(|p| (p.access, p.blocks.len()))
            .collect();
        assert_eq!(
            accesses,
            [(Access::Free, 1), (Access::Paid, 2), (Access::Free, 1)]
        );
    }

    #[test]
    fn a_title_after_a_paid_marker_is_not_used() {
        let (essay, warnings) = parse_str("##paidbegin##\n# 秘密\n\n付费##paidend##\n\n免费");
        assert_eq!(essay.title, "essay");
        assert_eq!(warnings.len(), 1);
    }

    #[test]
    fn messages_about_paid_images_never_quote_them() {
        let (_, warnings) = parse_str(
            "# T\n\n免费\n\n##paidbegin##\n\n![秘](https://example.org/秘密.png)\n\n##paidend##",
        );
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        let message = warnings[0].to_string();
        assert!(
            message.contains("paid part starting at line 5"),
            "{message}"
        );
        assert!(!message.contains("秘"), "{message}");
        let err = parse(
            Path::new("essay.md"),
            "# T\n\n##paidbegin##\n\n![a](秘密/图.png)\n",
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("paid part starting at line 3"), "{err}");
        assert!(!err.contains("秘"), "{err}");
        // Free images are named, so that they can be found.
        let err = parse(Path::new("essay.md"), "# T\n\n![a](免费/图.png)\n")
            .unwrap_err()
            .to_string();
        assert!(err.contains("免费/图.png"), "{err}");
    }

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
