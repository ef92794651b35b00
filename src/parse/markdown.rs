//! Markdown essays. pulldown-cmark renders each free or paid segment to
//! HTML, [`sanitize`] turns it into safe, valid document nodes, and each
//! top-level element becomes one block. The first level-1 heading before any paid marker is
//! the title; other top-level headings become sections. Images are read
//! from the essay's folder (never outside it) and packed into the book.

use std::collections::VecDeque;
use std::ops::Range;
use std::path::Path;

use pulldown_cmark::{CowStr, Event, Options, Parser, Tag, TagEnd};

use crate::parse::footnotes;

use crate::document::{self, Element, Node};
use crate::error::{Error, Result, Warning};
use crate::essay::{Access, Block, Essay};
use crate::front_matter;
use crate::lang;
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
    // Free text only decides: a preview must not look different because
    // of what its paid parts say.
    let free: String = segments
        .iter()
        .filter(|s| s.access == Access::Free)
        .map(|s| s.text)
        .collect();
    let options = markdown_options(essay.lang.as_deref(), &free);
    if segments.len() > 1 {
        warn_of_markers_in_code(path, text, options, &mut warnings);
    }
    let labels = footnotes::labels(text);
    let mut definitions = Vec::new();
    let mut citations = Vec::new();
    for segment in segments {
        if segment.access == Access::Paid {
            title_may_follow = false;
        }
        images.paid_part_line = (segment.access == Access::Paid).then_some(segment.line);
        images.start_segment(segment.text, segment.line);
        let rendered = render(path, &segment, options, &labels, &mut images, &mut warnings)?;
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

/// The Markdown extensions read: tables, strikethrough (`~~…~~`),
/// footnotes, definition lists, task lists, superscript (`^…^`) and
/// subscript (`~…~`) — and smart punctuation (curly quotes, dashes, `…`)
/// in an essay whose language, `lang` (its front matter's) or else the one
/// detected from its free text, is not Chinese, Japanese or Korean; and
/// heading attributes (`## Title {#id}`, whose braces are not text). In CJK text
/// ASCII quotes are left to the typesetter ([`crate::typeset::cjk`]), which
/// pairs them by nesting and gives them the locale's marks; pulldown-cmark
/// would decide each quote by the characters beside it, which between CJK
/// letters (no spaces) cannot tell opening from closing.
fn markdown_options(lang: Option<&str>, free_text: &str) -> Options {
    let mut options = Options::ENABLE_TABLES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_DEFINITION_LIST
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_SUPERSCRIPT
        | Options::ENABLE_SUBSCRIPT
        // `## Title {#id .class}` (Hugo, kramdown): the braces are not text.
        | Options::ENABLE_HEADING_ATTRIBUTES;
    if !lang::is_cjk(lang.unwrap_or_else(|| lang::detect(free_text))) {
        options |= Options::ENABLE_SMART_PUNCTUATION;
    }
    options
}

/// Markers count everywhere, code included, but one inside code cuts the
/// code in two and the second half may swallow what follows: say so.
fn warn_of_markers_in_code(path: &Path, text: &str, options: Options, warnings: &mut Vec<Warning>) {
    let parser = Parser::new_ext(text, options);
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
    segment: &paid::Segment,
    options: Options,
    labels: &std::collections::HashSet<String>,
    images: &mut ImagePacker,
    warnings: &mut Vec<Warning>,
) -> Result<Rendered> {
    let markdown = segment.text;
    let parser = Parser::new_ext(markdown, options);
    let events = CjkSoftBreaks::new(parser.into_offset_iter());
    let mut uneven_rubies = Vec::new();
    let events = RubyText::new(markdown, events, &mut uneven_rubies);
    let mut collector = footnotes::Collector::new(events);
    let mut events = nesting::ShallowEvents::new(&mut collector);
    let mut html = String::with_capacity(markdown.len() * 3 / 2);
    pulldown_cmark::html::push_html(&mut html, (&mut events).map(task_marker_as_text));
    let events_flattened = events.flattened;
    let (references, definitions) = collector.into_parts();
    for offset in uneven_rubies {
        // The line only: the readings may be paid text.
        warnings.push(Warning::new(
            path,
            Some(segment.line + markdown[..offset].matches('\n').count()),
            "ruby readings separated by '|' do not match the base's characters one for one; \
             the base gets them as one reading",
        ));
    }
    let mut resolver = images.resolver(warnings);
    let (mut nodes, flattened) = sanitize::to_nodes_resolving(&html, &mut resolver)?;
    footnotes::place(&mut nodes, &references, labels);
    let mut notes = Vec::new();
    for (key, body) in definitions {
        let mut html = String::new();
        let body = nesting::ShallowEvents::new(body.into_iter()).map(task_marker_as_text);
        pulldown_cmark::html::push_html(&mut html, body);
        let (content, _) = sanitize::to_nodes_resolving(&html, &mut resolver)?;
        notes.push((key, content));
    }
    if events_flattened || flattened {
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

/// A task list's box as text: ☑ done, ☐ to do. pulldown-cmark writes a
/// disabled `<input type="checkbox">`, a form control without a label that
/// accessibility checkers flag and the sanitiser removes; the characters
/// read the same and screen readers name them ("ballot box with check").
fn task_marker_as_text(event: Event) -> Event {
    match event {
        Event::TaskListMarker(done) => Event::Text(CowStr::Borrowed(if done {
            "☑\u{a0}"
        } else {
            "☐\u{a0}"
        })),
        event => event,
    }
}

// ---- Soft line breaks ------------------------------------------------------

/// A Markdown event with its byte range in the segment.
type Spanned<'a> = (Event<'a>, Range<usize>);

/// Markdown events with the soft line breaks between two CJK characters
/// left out ([`lang::joins_without_space`]): CJK text has no spaces between
/// words, and a line break inside a paragraph otherwise shows as one
/// ("が、 ヒープ"). The characters are looked for across inline tags
/// (`*強調*` + line break + `文字`). Between Latin words, or a CJK character
/// and a Latin one, the break stays (a space). Code blocks have no soft
/// breaks, so their lines are never joined.
struct CjkSoftBreaks<'a, I> {
    events: I,
    /// Events read ahead of a soft break, to be returned first.
    ready: VecDeque<Spanned<'a>>,
    /// The last character of the text returned last, if nothing but inline
    /// tags came after it.
    last_char: Option<char>,
}

impl<'a, I: Iterator<Item = Spanned<'a>>> CjkSoftBreaks<'a, I> {
    fn new(events: I) -> Self {
        CjkSoftBreaks {
            events,
            ready: VecDeque::new(),
            last_char: None,
        }
    }

    /// Notes the last character of the text `event` shows, if any.
    fn track(&mut self, event: &Event) {
        match event {
            Event::Text(text) | Event::Code(text) => {
                if let Some(last) = text.chars().last() {
                    self.last_char = Some(last);
                }
            }
            event if is_inline_tag(event) => {}
            _ => self.last_char = None,
        }
    }
}

/// Whether `event` starts or ends an inline element that text runs through
/// (emphasis, strong, strikethrough, superscript, subscript, a link).
fn is_inline_tag(event: &Event) -> bool {
    matches!(
        event,
        Event::Start(
            Tag::Emphasis
                | Tag::Strong
                | Tag::Strikethrough
                | Tag::Superscript
                | Tag::Subscript
                | Tag::Link { .. }
        ) | Event::End(
            TagEnd::Emphasis
                | TagEnd::Strong
                | TagEnd::Strikethrough
                | TagEnd::Superscript
                | TagEnd::Subscript
                | TagEnd::Link
        )
    )
}

impl<'a, I: Iterator<Item = Spanned<'a>>> Iterator for CjkSoftBreaks<'a, I> {
    type Item = Spanned<'a>;

    fn next(&mut self) -> Option<Spanned<'a>> {
        loop {
            let item = match self.ready.pop_front() {
                Some(item) => item,
                None => self.events.next()?,
            };
            if !matches!(item.0, Event::SoftBreak) {
                self.track(&item.0);
                return Some(item);
            }
            // Read ahead past inline tags to the next text.
            let mut next_char = None;
            for ahead in self.events.by_ref() {
                let passes = is_inline_tag(&ahead.0);
                if let Event::Text(text) | Event::Code(text) = &ahead.0 {
                    next_char = text.chars().next();
                }
                self.ready.push_back(ahead);
                if !passes {
                    break;
                }
            }
            let joins = self.last_char.is_some_and(lang::joins_without_space)
                && next_char.is_some_and(lang::joins_without_space);
            if !joins {
                self.last_char = None;
                return Some(item);
            }
        }
    }
}

// ---- Ruby ------------------------------------------------------------------

/// Markdown events with ruby notation in text turned into `<ruby>` markup:
/// Aozora's `｜漢字《かんじ》` and `漢字《かんじ》` ([`document::ruby_spans`]),
/// Vivliostyle's `{漢字|かんじ}` and DenDen's per-character
/// `{漢字|かん|じ}`. Only text is read: never code spans, code blocks, raw
/// HTML, nor a link's or an image's text and destination. A backslash-escaped
/// (`\|`) or entity character is text, never notation. The sanitiser adds
/// the `rp` parentheses to every ruby.
struct RubyText<'a, 'w, I: Iterator> {
    source: &'a str,
    events: std::iter::Peekable<I>,
    ready: VecDeque<Event<'a>>,
    /// Open code blocks, links and images: no ruby inside.
    verbatim: usize,
    /// Whether the text is in a table cell, where every `|` is escaped.
    in_cell: bool,
    /// Source offsets of `{…|…}` whose readings did not match the base's
    /// characters (a warning each).
    uneven: &'w mut Vec<usize>,
}

impl<'a, 'w, I: Iterator<Item = Spanned<'a>>> RubyText<'a, 'w, I> {
    fn new(source: &'a str, events: I, uneven: &'w mut Vec<usize>) -> Self {
        RubyText {
            source,
            events: events.peekable(),
            ready: VecDeque::new(),
            verbatim: 0,
            in_cell: false,
            uneven,
        }
    }
}

impl<'a, I: Iterator<Item = Spanned<'a>>> Iterator for RubyText<'a, '_, I> {
    type Item = Event<'a>;

    fn next(&mut self) -> Option<Event<'a>> {
        if let Some(event) = self.ready.pop_front() {
            return Some(event);
        }
        let (event, range) = self.events.next()?;
        match &event {
            Event::Start(Tag::CodeBlock(_) | Tag::Link { .. } | Tag::Image { .. }) => {
                self.verbatim += 1
            }
            Event::End(TagEnd::CodeBlock | TagEnd::Link | TagEnd::Image) => {
                self.verbatim = self.verbatim.saturating_sub(1)
            }
            Event::Start(Tag::TableCell) => self.in_cell = true,
            Event::End(TagEnd::TableCell) => self.in_cell = false,
            _ => {}
        }
        let Event::Text(first) = event else {
            return Some(event);
        };
        if self.verbatim > 0 {
            return Some(Event::Text(first));
        }
        // Text comes in pieces (at escapes, entities, joined lines): read it whole.
        let mut text = MarkedText {
            in_cell: self.in_cell,
            ..MarkedText::default()
        };
        text.push(self.source, &first, range);
        while let Some((Event::Text(_), _)) = self.events.peek() {
            if let Some((Event::Text(more), range)) = self.events.next() {
                text.push(self.source, &more, range);
            }
        }
        text.ruby_events(&mut self.ready, self.uneven);
        self.ready.pop_front()
    }
}

/// Text read whole from several text events, knowing which characters were
/// escaped and where each piece came from.
#[derive(Default)]
struct MarkedText {
    /// Whether this is a table cell's text: there an unescaped `|` ends the
    /// cell, so the escaped `\|` is ruby's bar.
    in_cell: bool,
    text: String,
    /// Byte offsets in `text` of characters that are text, not notation
    /// (backslash escapes, entities), ascending.
    literal: Vec<usize>,
    /// Per piece: its byte offset in `text` and in the source.
    origins: Vec<(usize, usize)>,
}

impl MarkedText {
    fn push(&mut self, source: &str, piece: &str, range: Range<usize>) {
        let at = self.text.len();
        self.origins.push((at, range.start));
        if source.get(range.clone()) != Some(piece) {
            // An entity, or text pulldown-cmark changed: none of it is notation.
            self.literal
                .extend(piece.char_indices().map(|(i, _)| at + i));
        } else if range.start > 0
            && source.as_bytes()[range.start - 1] == b'\\'
            && !(self.in_cell && piece.starts_with('|'))
        {
            // pulldown-cmark starts a new piece at a backslash-escaped character.
            self.literal.push(at);
        }
        self.text.push_str(piece);
    }

    fn is_literal(&self, at: usize) -> bool {
        self.literal.binary_search(&at).is_ok()
    }

    /// The source offset of byte `at` of the text (exact but for entities).
    fn source_offset(&self, at: usize) -> usize {
        let index = self.origins.partition_point(|(text_at, _)| *text_at <= at);
        let (text_at, source_at) = self.origins[index.saturating_sub(1)];
        source_at + (at - text_at)
    }

    /// Byte offset of the first notation character of `stops` at or after
    /// `from`, and that character.
    fn find_notation(&self, from: usize, stops: &[char]) -> Option<(usize, char)> {
        self.text[from..]
            .char_indices()
            .map(|(i, c)| (from + i, c))
            .find(|(at, c)| stops.contains(c) && !self.is_literal(*at))
    }

    /// The next `{base|reading…}` at or after `from`: its range, the base's
    /// range and the readings' ranges. A base holds no braces; nothing
    /// crosses a line.
    fn next_brace_ruby(&self, mut from: usize) -> Option<BraceRuby> {
        loop {
            let (open, _) = self.find_notation(from, &['{'])?;
            let (bar, found) = self.find_notation(open + 1, &['|', '{', '}', '\n'])?;
            from = if found == '{' { bar } else { bar + 1 };
            if found != '|' || bar == open + 1 {
                continue;
            }
            let mut readings = Vec::new();
            let mut start = bar + 1;
            let close = loop {
                match self.find_notation(start, &['|', '{', '}', '\n']) {
                    Some((at, '|')) => {
                        readings.push(start..at);
                        start = at + 1;
                    }
                    Some((at, '}')) => {
                        readings.push(start..at);
                        break Some(at);
                    }
                    Some((at, _)) => {
                        from = at;
                        break None;
                    }
                    None => return None,
                }
            };
            let Some(close) = close else { continue };
            if readings.iter().all(|r| r.is_empty()) {
                continue;
            }
            return Some(BraceRuby {
                whole: open..close + 1,
                base: open + 1..bar,
                readings,
            });
        }
    }

    /// The text as events: plain text and `<ruby>` markup.
    fn ruby_events<'a>(&self, out: &mut VecDeque<Event<'a>>, uneven: &mut Vec<usize>) {
        let mut done = 0;
        let mut from = 0;
        while let Some(found) = self.next_brace_ruby(from) {
            aozora_events(&self.text[done..found.whole.start], out);
            let base = &self.text[found.base.clone()];
            let readings: Vec<&str> = found
                .readings
                .iter()
                .map(|r| &self.text[r.clone()])
                .collect();
            let mut html = String::from("<ruby>");
            let per_character = readings.len() == base.chars().count();
            if per_character && readings.iter().all(|r| !r.is_empty()) {
                for (c, reading) in base.chars().zip(&readings) {
                    crate::xml::escape_into(&mut html, c.encode_utf8(&mut [0; 4]));
                    push_reading(&mut html, reading);
                }
            } else {
                if readings.len() > 1 {
                    uneven.push(self.source_offset(found.whole.start));
                }
                crate::xml::escape_into(&mut html, base);
                push_reading(&mut html, &readings.concat());
            }
            html.push_str("</ruby>");
            out.push_back(Event::InlineHtml(html.into()));
            done = found.whole.end;
            from = found.whole.end;
        }
        aozora_events(&self.text[done..], out);
    }
}

/// Where a `{base|reading…}` is in a [`MarkedText`].
struct BraceRuby {
    whole: Range<usize>,
    base: Range<usize>,
    readings: Vec<Range<usize>>,
}

/// Writes `<rt>reading</rt>`, escaped.
fn push_reading(html: &mut String, reading: &str) {
    html.push_str("<rt>");
    crate::xml::escape_into(html, reading);
    html.push_str("</rt>");
}

/// `text` as events, with its Aozora-style ruby as `<ruby>` markup.
fn aozora_events<'a>(text: &str, out: &mut VecDeque<Event<'a>>) {
    for span in document::ruby_spans(text) {
        out.push_back(match span {
            document::RubySpan::Text(text) => Event::Text(CowStr::from(text.to_string())),
            document::RubySpan::Ruby { base, reading } => {
                let mut html = String::from("<ruby>");
                crate::xml::escape_into(&mut html, base);
                push_reading(&mut html, reading);
                html.push_str("</ruby>");
                Event::InlineHtml(html.into())
            }
        });
    }
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

    /// The markup of a one-paragraph (or one-table) essay after a title.
    fn body(markdown: &str) -> (String, Vec<Warning>) {
        let (essay, warnings) = parse_str(&format!("# T\n\n{markdown}"));
        (markup(&essay), warnings)
    }

    #[test]
    fn soft_breaks_between_cjk_characters_join_without_a_space() {
        assert_eq!(body("が、\nヒープ").0, "<p>が、ヒープ</p>");
        assert_eq!(body("汉字\n汉字").0, "<p>汉字汉字</p>");
        // Across inline tags, either side.
        assert_eq!(
            body("*強調*\n文字\n**太字**").0,
            "<p><em>強調</em>文字<strong>太字</strong></p>"
        );
        // Latin words, mixed scripts and Korean keep the break (a space).
        assert_eq!(body("word\nword").0, "<p>word\nword</p>");
        assert_eq!(body("漢字\nEnglish\n漢字").0, "<p>漢字\nEnglish\n漢字</p>");
        assert_eq!(body("한국어\n문장").0, "<p>한국어\n문장</p>");
        // A hard break and code block lines stay.
        assert_eq!(body("漢字\\\n漢字").0, "<p>漢字<br/>\n漢字</p>");
        assert_eq!(
            body("```\n漢字\n漢字\n```").0,
            "<pre><code>漢字\n漢字\n</code></pre>"
        );
    }

    /// Ruby as the sanitiser writes it, with fallback parentheses.
    fn ruby(pairs: &[(&str, &str)]) -> String {
        let inner: String = pairs
            .iter()
            .map(|(base, reading)| format!("{base}<rp>（</rp><rt>{reading}</rt><rp>）</rp>"))
            .collect();
        format!("<ruby>{inner}</ruby>")
    }

    #[test]
    fn brace_ruby_in_text() {
        let (out, warnings) = body("私は{漢字|かんじ}を");
        assert_eq!(out, format!("<p>私は{}を</p>", ruby(&[("漢字", "かんじ")])));
        assert!(warnings.is_empty(), "{warnings:?}");
        // One reading per character when the counts match…
        assert_eq!(
            body("{漢字|かん|じ}").0,
            format!("<p>{}</p>", ruby(&[("漢", "かん"), ("字", "じ")]))
        );
        // … else one reading for the whole base, and a warning naming the line only.
        let (out, warnings) = body("甲\n\n{漢字|か|ん|じ}");
        assert_eq!(
            out,
            format!("<p>甲</p><p>{}</p>", ruby(&[("漢字", "かんじ")]))
        );
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        let message = warnings[0].to_string();
        assert!(message.contains(":5"), "{message}");
        assert!(
            !message.contains('漢') && !message.contains('か'),
            "{message}"
        );
        // An escaped bar belongs to the base; escaped braces are no notation.
        assert_eq!(
            body("{a\\|b|c}").0,
            format!("<p>{}</p>", ruby(&[("a|b", "c")]))
        );
        assert_eq!(body("\\{a|b}").0, "<p>{a|b}</p>");
        assert_eq!(body("{a&#124;b}").0, "<p>{a|b}</p>");
        // Not ruby: empty parts, a line break inside, markup is escaped.
        assert_eq!(body("{|a} {a|} {a\nb|c}").0, "<p>{|a} {a|} {a\nb|c}</p>");
        assert_eq!(
            body("{\\<b\\>|&}").0,
            format!("<p>{}</p>", ruby(&[("&lt;b&gt;", "&amp;")]))
        );
    }

    #[test]
    fn aozora_ruby_in_markdown() {
        assert_eq!(
            body("｜東京《とうきょう》と漢字《かんじ》と《书名》").0,
            format!(
                "<p>{}と{}と《书名》</p>",
                ruby(&[("東京", "とうきょう")]),
                ruby(&[("漢字", "かんじ")])
            )
        );
        // The base and reading of a line-joined paragraph.
        assert_eq!(
            body("漢字\n《かんじ》").0,
            format!("<p>{}</p>", ruby(&[("漢字", "かんじ")]))
        );
    }

    #[test]
    fn ruby_notation_stays_in_code_links_and_raw_html() {
        assert_eq!(body("`{x|y}`").0, "<p><code>{x|y}</code></p>");
        assert_eq!(
            body("```\n{x|y} 漢字《かんじ》\n```").0,
            "<pre><code>{x|y} 漢字《かんじ》\n</code></pre>"
        );
        assert_eq!(
            body("[{a|b}](https://example.org/{c|d})").0,
            "<p><a href=\"https://example.org/%7Bc%7Cd%7D\">{a|b}</a></p>"
        );
        assert_eq!(
            body("<div title=\"{a|b}\">\n{c|d}\n</div>").0,
            "<div title=\"{a|b}\">\n{c|d}\n</div>"
        );
        // Raw HTML ruby gets the same parentheses.
        assert_eq!(
            body("<ruby>漢<rt>かん</rt></ruby>").0,
            format!("<p>{}</p>", ruby(&[("漢", "かん")]))
        );
    }

    #[test]
    fn tables_keep_alignment_and_ruby_with_escaped_bars() {
        // In a table every bar is escaped: there `\|` is ruby's bar.
        let (out, _) = body(
            "| 左 | 中 | 右 | 無 |\n|:---|:---:|---:|---|\n| {漢字\\|かん\\|じ} | b | c | d |",
        );
        assert_eq!(
            out,
            format!(
                "<table><thead><tr><th class=\"align-left\">左</th><th class=\"align-center\">中</th>\
                 <th class=\"align-right\">右</th><th>無</th></tr></thead><tbody>\n<tr>\
                 <td class=\"align-left\">{}</td><td class=\"align-center\">b</td>\
                 <td class=\"align-right\">c</td><td>d</td></tr>\n</tbody></table>",
                ruby(&[("漢", "かん"), ("字", "じ")])
            )
        );
    }

    #[test]
    fn paid_ruby_readings_are_paid_text() {
        let (essay, _) = parse_str("# T\n\n免费\n\n##paidbegin##\n\n{秘密|ひみつ}\n\n##paidend##");
        let paid: Vec<String> = essay
            .parts
            .iter()
            .filter(|p| p.access == Access::Paid)
            .flat_map(|p| &p.blocks)
            .map(|b| match b {
                Block::Element(e) => {
                    let mut text = String::new();
                    e.for_each_text(true, &mut |t| text.push_str(t));
                    text
                }
                Block::Heading { .. } => String::new(),
            })
            .collect();
        assert_eq!(paid, ["秘密ひみつ"]);
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

    #[test]
    fn definition_lists_become_dl() {
        let (essay, warnings) = parse_str(
            "# Terms\n\nKettle\n: A pot for water.\n: Also a drum.\n\nLid\n\n: Keeps the steam in.\n",
        );
        assert!(warnings.is_empty(), "{warnings:?}");
        assert_eq!(
            markup(&essay).replace('\n', ""),
            "<dl><dt>Kettle</dt><dd><p>A pot for water.</p></dd><dd><p>Also a drum.</p></dd>\
             <dt>Lid</dt><dd><p>Keeps the steam in.</p></dd></dl>"
        );
    }

    #[test]
    fn task_list_boxes_are_characters_not_form_controls() {
        let (essay, _) = parse_str("# Plan\n\n- [x] boil water\n- [ ] make tea\n");
        let out = markup(&essay).replace('\n', "");
        assert_eq!(
            out,
            "<ul><li>☑\u{a0}boil water</li><li>☐\u{a0}make tea</li></ul>"
        );
        assert!(!out.contains("input"));
    }

    #[test]
    fn superscript_and_subscript_beside_footnotes() {
        let (essay, _) = parse_str(
            "# Water\n\nMarks ^up^ and ~down~ boil[^1], ~~not~~ always; H~2~O stays.\n\n\
             [^1]: At sea level.\n",
        );
        let out = markup(&essay);
        assert!(out.contains("<sup>up</sup>"), "{out}");
        assert!(out.contains("<sub>down</sub>"), "{out}");
        // As `_` emphasis, a single `~` or `^` never opens inside a word.
        assert!(out.contains("H~2~O"), "{out}");
        assert!(out.contains("<del>not</del>"), "{out}");
        assert_eq!(essay.notes.len(), 1, "{out}");
    }

    #[test]
    fn highlight_is_not_markdown_here() {
        // pulldown-cmark 0.13 has no `==mark==` extension: the text stays as typed.
        let (essay, _) = parse_str("# Marks\n\nA ==bright== word.\n");
        assert_eq!(markup(&essay), "<p>A ==bright== word.</p>");
    }

    #[test]
    fn smart_punctuation_in_english_text_only() {
        let (essay, _) = parse_str("# Quotes\n\n\"Tea,\" she said -- it's late... 'very' late.\n");
        assert_eq!(
            markup(&essay),
            "<p>“Tea,” she said – it’s late… ‘very’ late.</p>"
        );
        // CJK text keeps ASCII quotes for the typesetter to pair by nesting.
        let (essay, _) = parse_str("# 引号\n\n他说\"她问'为什么'\"。\n");
        assert_eq!(markup(&essay), "<p>他说&quot;她问'为什么'&quot;。</p>");
        // The front matter's language decides over the text's.
        let (essay, _) = parse_str("---\nlang: ja\n---\n# Quotes\n\n\"Tea,\" she said.\n");
        assert_eq!(markup(&essay), "<p>&quot;Tea,&quot; she said.</p>");
        // Paid text never decides how the free text looks.
        let paid = "这是付费部分的中文内容，比前面的英文长得多。".repeat(20);
        let (essay, _) = parse_str(&format!(
            "# Quotes\n\n\"Tea,\" she said.\n\n##paidbegin##\n\n{paid}\n\n##paidend##\n"
        ));
        assert!(markup(&essay).starts_with("<p>“Tea,” she said.</p>"));
    }

    #[test]
    fn heading_attributes_are_not_text() {
        let (essay, _) = parse_str("# 题\n\n## 参考资料 {#references}\n\n正文。\n");
        assert_eq!(markup(&essay), "<h2>参考资料</h2><p>正文。</p>");
    }
}
