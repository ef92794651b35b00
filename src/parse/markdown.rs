//! Markdown essays. pulldown-cmark renders each free or paid segment to
//! HTML, [`sanitize`] turns it into safe, valid document nodes, and each
//! top-level element becomes one block. The first level-1 heading before any paid marker is
//! the title; other top-level headings become sections. Images are read
//! from the essay's folder (never outside it) and packed into the book.

use std::path::Path;

use pulldown_cmark::{Event, Options, Parser, Tag};

use crate::parse::footnotes;

use crate::document::{self, Element, Node};
use crate::error::{Error, Result, Warning};
use crate::essay::{Access, Block, Essay};
use crate::front_matter;
use crate::paid;
use crate::parse::images::{ImagePacker, References};
use crate::parse::{MAX_TITLE_CHARS, checked_title, nesting, sanitize};

/// Parses a Markdown essay.
pub fn parse(path: &Path, text: &str) -> Result<(Essay, Vec<Warning>)> {
    parse_with(path, text, References::default())
}

/// Parses a Markdown essay whose images may also come from the resource
/// folders of `references`, and whose links may lead to its chapters.
pub fn parse_with(
    path: &Path,
    text: &str,
    references: References,
) -> Result<(Essay, Vec<Warning>)> {
    // Front matter is stripped before paid parts are found: it is public.
    let (front, text, front_warning) = front_matter::split(path, text)?;
    let text = text.as_ref();
    let (segments, mut warnings) = paid::split(path, text, paid::Rendering::Markdown);
    warnings.extend(front_warning);
    if segments.len() > 1 {
        warn_of_markers_in_code(path, text, &mut warnings);
    }
    let mut images = ImagePacker::with_references(path, references);
    let mut essay = Essay {
        path: path.to_path_buf(),
        title: String::new(),
        creators: front.creators,
        lang: front.lang,
        meta: front.book,
        colophon: Vec::new(),
        parts: Vec::new(),
        notes: Vec::new(),
    };
    // A front-matter title is the title; a `# heading` then is a section.
    let mut title_may_follow = front.title.is_none();
    let mut title = front.title;
    let labels = footnotes::labels(text);
    let mut definitions = Vec::new();
    let mut citations = Vec::new();
    for segment in segments {
        if segment.access == Access::Paid {
            title_may_follow = false;
        }
        images.paid_part_line = (segment.access == Access::Paid).then_some(segment.line);
        images.start_segment(segment.text, segment.line);
        let rendered = render(path, segment.text, &labels, &mut images, &mut warnings)?;
        for (key, content) in rendered.notes {
            definitions.push((key, segment.access, content));
        }
        for block in rendered.blocks {
            if title_may_follow && let Block::Heading { level: 1, content } = &block {
                title = Some(document::plain_text(content));
                title_may_follow = false;
                continue;
            }
            let mut cited = Vec::new();
            footnotes::cited(block.nodes(), &mut cited);
            citations.extend(cited.into_iter().map(|key| (key, segment.access)));
            essay.push(segment.access, block);
        }
    }
    footnotes::assemble(path, &mut essay, definitions, &citations, &mut warnings);
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

/// One segment, rendered.
struct Rendered {
    /// Top-level headings and one block per other top-level element.
    blocks: Vec<Block>,
    /// The footnotes it defines: key and content.
    notes: Vec<(String, Vec<Node>)>,
}

/// Renders one segment; `labels` are the footnote labels of the whole file.
fn render(
    path: &Path,
    markdown: &str,
    labels: &std::collections::HashSet<String>,
    images: &mut ImagePacker,
    warnings: &mut Vec<Warning>,
) -> Result<Rendered> {
    let parser = Parser::new_ext(
        markdown,
        Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH | Options::ENABLE_FOOTNOTES,
    );
    let mut collector = footnotes::Collector::new(parser);
    let mut events = nesting::ShallowEvents::new(&mut collector);
    let mut html = String::with_capacity(markdown.len() * 3 / 2);
    pulldown_cmark::html::push_html(&mut html, &mut events);
    let flattened_events = events.flattened;
    let mut resolver = images.resolver(warnings);
    let (mut nodes, flattened) = sanitize::to_nodes_resolving(&html, &mut resolver)?;
    footnotes::place(&mut nodes, &collector.references, labels);
    let mut notes = Vec::new();
    for (key, body) in std::mem::take(&mut collector.definitions) {
        let mut html = String::new();
        pulldown_cmark::html::push_html(&mut html, nesting::ShallowEvents::new(body.into_iter()));
        let (content, _) = sanitize::to_nodes_resolving(&html, &mut resolver)?;
        notes.push((key, content));
    }
    if flattened_events || flattened {
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
    Ok(Rendered { blocks, notes })
}

fn heading_level(name: &str) -> Option<u8> {
    match name.as_bytes() {
        [b'h', d @ b'1'..=b'6'] => Some(d - b'0'),
        _ => None,
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
        // A missing image is a warning naming its line; in a paid part it
        // names only where the part starts.
        let (_, warnings) = parse_str("# T\n\n##paidbegin##\n\n![秘](秘密/图.png)\n##paidend##\n");
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        let message = warnings[0].to_string();
        assert!(
            message.contains("essay.md:5: an image in the paid part starting at line 3"),
            "{message}"
        );
        assert!(!message.contains("秘"), "{message}");
        // Free images are named, so that they can be found.
        let (essay, warnings) = parse_str("# T\n\n正文\n\n![替代文字](免费/图.png)\n");
        let message = warnings[0].to_string();
        assert!(
            message.starts_with("essay.md:5: image '免费/图.png' not found"),
            "{message}"
        );
        assert!(message.contains("alt text stays"), "{message}");
        assert!(
            markup(&essay).contains("<p>替代文字</p>"),
            "{}",
            markup(&essay)
        );
    }
}
