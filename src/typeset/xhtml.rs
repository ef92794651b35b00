//! XHTML documents: the common page frame, and the writer that fills
//! chapter pages block by block, starting a new file before one would pass
//! 256 KiB (readers such as Adobe's engine choke on larger spine items).

use crate::document::{self, Element, Node};
use crate::publication::Publication;
use crate::publication::{Block, Chapter, Content};
use crate::typeset::cjk::{self, TextRules};
use crate::typeset::font;
use crate::typeset::links::Anchors;
use crate::typeset::notes::ChapterNotes;
use crate::typeset::split::split;
use crate::typeset::{NavEntry, Page};
use crate::xml::{self, Writer};

/// No XHTML file may be larger than this.
pub const MAX_PAGE_BYTES: usize = 256 * 1024;
/// Room left for the page frame around the body.
const BODY_BUDGET: usize = MAX_PAGE_BYTES - 8 * 1024;

/// Path of the built-in stylesheet inside the publication.
pub const STYLESHEET: &str = "styles/book.css";
/// Path of the user's extra stylesheet inside the publication.
pub const EXTRA_STYLESHEET: &str = "styles/extra.css";

/// A whole XHTML document in the book's main language, linking its
/// stylesheets: `body` writes the content of its `body` element, which has
/// `body_attributes`.
pub fn document(
    publication: &Publication,
    title: &str,
    body_attributes: &[(&str, &str)],
    body: impl FnOnce(&mut Writer),
) -> String {
    document_in(publication.lang, publication, title, body_attributes, body)
}

/// A whole XHTML document as [`document`], in language `lang` (a chapter's).
///
/// The cover page and a page holding only images (an illustration between
/// two page breaks) are set horizontally in every book: the writing mode is
/// the root element's, so the root carries the class the stylesheet sets
/// horizontally, `cover` or `image-page` (a vertical root splits a
/// full-page image over two pages in WebKit-based readers).
pub fn document_in(
    lang: &str,
    publication: &Publication,
    title: &str,
    body_attributes: &[(&str, &str)],
    body: impl FnOnce(&mut Writer),
) -> String {
    let mut content = Writer::new();
    body(&mut content);
    let content = content.finish();
    let mut out = Writer::document();
    out.reserve(content.len() + 1024).doctype("html");
    let mut html = vec![
        ("xmlns", "http://www.w3.org/1999/xhtml"),
        ("xmlns:epub", "http://www.idpf.org/2007/ops"),
        ("lang", lang),
        ("xml:lang", lang),
    ];
    if body_attributes.contains(&("class", "cover")) {
        html.push(("class", "cover"));
    } else if is_image_only(&content) {
        html.push(("class", IMAGE_PAGE));
    }
    out.start("html", &html).newline();
    out.start("head", &[]).newline();
    out.empty("meta", &[("charset", "UTF-8")]).newline();
    out.element("title", &[], title).newline();
    let stylesheets = [
        Some(STYLESHEET),
        publication.font.map(|_| font::FONT_STYLESHEET),
        publication.extra_css.map(|_| EXTRA_STYLESHEET),
    ];
    for href in stylesheets.into_iter().flatten() {
        out.empty(
            "link",
            &[("rel", "stylesheet"), ("type", "text/css"), ("href", href)],
        )
        .newline();
    }
    out.end().newline();
    out.start("body", body_attributes)
        .newline()
        .raw(&content)
        .end()
        .newline();
    out.end().newline();
    out.finish()
}

/// The class of the root of a page holding only images.
const IMAGE_PAGE: &str = "image-page";

/// Whether page content `xhtml` shows images and no text (a caption is text).
fn is_image_only(xhtml: &str) -> bool {
    xhtml.contains("<img ") && xml::text_outside_tags(xhtml).all(char::is_whitespace)
}

/// Writes one chapter's blocks into as many pages as it needs.
pub struct ChapterWriter<'a> {
    publication: &'a Publication<'a>,
    stem: &'a str,
    title: &'a str,
    /// The chapter's language: its pages' `xml:lang`.
    lang: &'a str,
    /// Finished pages not yet taken.
    pages: Vec<Page>,
    /// How many pages were finished.
    finished: usize,
    body: String,
    /// Length of the chapter title opening the first page.
    title_len: usize,
    sections: usize,
    notes: ChapterNotes<'a>,
    anchors: Option<&'a Anchors>,
    /// The text rules in the chapter's language.
    rules: TextRules,
}

impl<'a> ChapterWriter<'a> {
    /// Starts the pages of `chapter`, named after `stem` (`c0001`), in the
    /// chapter's language and with the text rules of that language.
    pub fn new(publication: &'a Publication<'a>, stem: &'a str, chapter: &'a Chapter<'a>) -> Self {
        let rules = publication.text_rules_in(chapter.lang);
        let mut body = String::from("<h1 class=\"chapter-title\">");
        cjk::write_text(&mut body, chapter.title, &rules);
        body.push_str("</h1>\n");
        ChapterWriter {
            publication,
            stem,
            title: chapter.title,
            lang: chapter.lang,
            pages: Vec::new(),
            finished: 0,
            title_len: body.len(),
            body,
            sections: 0,
            notes: ChapterNotes::new(&chapter.notes),
            anchors: None,
            rules,
        }
    }

    /// Resolves links to other chapters' headings with `anchors`.
    pub fn with_anchors(mut self, anchors: &'a Anchors) -> Self {
        self.anchors = Some(anchors);
        self
    }

    /// `nodes` with footnote references and links to headings resolved, or
    /// `None` when there is nothing to resolve.
    fn resolve(&mut self, nodes: &[Node]) -> Option<Vec<Node>> {
        let noted = self.notes.resolve(nodes);
        let nodes = noted.as_deref().unwrap_or(nodes);
        match self.anchors.and_then(|anchors| anchors.resolve(nodes)) {
            Some(linked) => Some(linked),
            None => noted,
        }
    }

    /// The file name of the chapter's first page.
    pub fn first_page_name(&self) -> String {
        self.page_name(0)
    }

    fn page_name(&self, index: usize) -> String {
        if index == 0 {
            format!("{}.xhtml", self.stem)
        } else {
            format!("{}-{}.xhtml", self.stem, index + 1)
        }
    }

    /// Adds content; for a heading returns its level and navigation entry.
    pub fn push(&mut self, content: Content) -> Option<(u8, NavEntry)> {
        match content {
            Content::Notice(text) => {
                let class = [("class", "paid-notice".to_string())];
                self.element("p", &class, &[Node::Text(text.to_string())]);
                None
            }
            Content::Block(Block::Element(element)) if element.is_page_break() => {
                // A new file: readers that paginate with CSS columns ignore
                // `break-before`, none ignores a file boundary.
                let only_title = self.finished == 0 && self.body.len() == self.title_len;
                if !self.body.is_empty() && !only_title {
                    self.flush();
                }
                None
            }
            Content::Block(Block::Element(element)) => {
                let resolved = self.resolve(&element.children);
                let children = resolved.as_deref().unwrap_or(&element.children);
                self.element(element.name, &element.attrs, children);
                None
            }
            Content::Block(Block::Heading { level, content }) => {
                self.sections += 1;
                let id = format!("s{}", self.sections);
                let name = HEADINGS[usize::from(*level).clamp(2, 6)];
                let resolved = self.resolve(content);
                self.element(
                    name,
                    &[("id", id.clone())],
                    resolved.as_deref().unwrap_or(content),
                );
                let entry = NavEntry {
                    title: document::plain_text(content),
                    href: format!("{}#{id}", self.page_name(self.finished)),
                    children: Vec::new(),
                };
                Some((*level, entry))
            }
        }
    }

    /// Writes one top-level element, in pieces when it is too large for a page.
    fn element(&mut self, name: &'static str, attrs: &[(&'static str, String)], children: &[Node]) {
        let mut xhtml = String::new();
        document::write_start_tag(&mut xhtml, name, attrs);
        cjk::write_nodes(&mut xhtml, children, &self.rules);
        xhtml.push_str("</");
        xhtml.push_str(name);
        xhtml.push('>');
        if xhtml.len() <= BODY_BUDGET {
            self.markup_with_notes(&xhtml);
            return;
        }
        let whole = [Node::Element(Element {
            name,
            attrs: attrs.to_vec(),
            children: children.to_vec(),
        })];
        let room = BODY_BUDGET.saturating_sub(self.body.len() + 1);
        for piece in split(&whole, &self.rules, room, BODY_BUDGET) {
            self.markup_with_notes(&piece);
        }
    }

    /// Writes `xhtml` with the footnotes it cites after it, on one page.
    fn markup_with_notes(&mut self, xhtml: &str) {
        if !xhtml.contains("epub:type=\"noteref\"") {
            self.markup(xhtml);
            return;
        }
        // Room for every note it cites, as if the page were new.
        let most = self
            .notes
            .render(xhtml, &self.rules, self.anchors, &Default::default())
            .0;
        self.make_room(xhtml.len() + most.len() + 1);
        let asides = self.notes.asides(xhtml, &self.rules, self.anchors);
        self.body.push_str(xhtml);
        self.body.push_str(&asides);
        self.body.push('\n');
    }

    fn markup(&mut self, xhtml: &str) {
        self.make_room(xhtml.len() + 1);
        self.body.push_str(xhtml);
        self.body.push('\n');
    }

    /// Starts a new page if `len` more bytes would not fit on this one.
    fn make_room(&mut self, len: usize) {
        if self.body.len() + len > BODY_BUDGET && !self.body.is_empty() {
            self.flush();
        }
    }

    fn flush(&mut self) {
        self.notes.new_page();
        let body = std::mem::take(&mut self.body);
        let name = self.page_name(self.finished);
        self.finished += 1;
        let xhtml = document_in(
            self.lang,
            self.publication,
            self.title,
            &[("epub:type", "bodymatter")],
            |out| {
                out.reserve(body.len() + 128)
                    .start(
                        "section",
                        &[("epub:type", "chapter"), ("role", "doc-chapter")],
                    )
                    .newline()
                    .raw(&body)
                    .end()
                    .newline();
            },
        );
        self.pages.push(Page { name, xhtml });
    }

    /// The pages finished since the last call: a huge chapter is handed on
    /// page by page rather than held whole.
    pub fn take_pages(&mut self) -> Vec<Page> {
        std::mem::take(&mut self.pages)
    }

    /// The chapter's remaining pages.
    pub fn finish(mut self) -> Vec<Page> {
        if !self.body.is_empty() || self.finished == 0 {
            self.flush();
        }
        self.pages
    }
}

/// Heading elements by level.
const HEADINGS: [&str; 7] = ["", "h1", "h2", "h3", "h4", "h5", "h6"];

/// The longest prefix of `text` of at most `budget` bytes (escaping can
/// double it at worst, still within a page) that ends after a sentence-ending
/// mark, else after a comma-like mark, else at any character boundary.
pub(crate) fn cut(text: &str, budget: usize) -> &str {
    if text.len() <= budget {
        return text;
    }
    let mut end = budget;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let window = &text[..end];
    for marks in [
        &['。', '！', '？', '!', '?', '.', '…'][..],
        &['；', '，', '、', ';', ',', ' '][..],
    ] {
        if let Some((i, c)) = window.char_indices().rev().find(|(_, c)| marks.contains(c))
            && i > budget / 2
        {
            return &text[..i + c.len_utf8()];
        }
    }
    window
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::publication::{ChapterNote, sample};

    /// An empty chapter titled 题 in simplified Chinese, citing `notes`.
    fn chapter<'a>(notes: &[ChapterNote<'a>]) -> Chapter<'a> {
        Chapter {
            title: "题",
            lang: "zh-Hans",
            depth: 1,
            content: Vec::new(),
            notes: notes.to_vec(),
        }
    }

    #[test]
    fn cut_prefers_sentence_ends() {
        assert_eq!(cut("短句。", 100), "短句。");
        let text = "一二三四五。六七八九十，甲乙丙丁";
        assert_eq!(cut(text, 40), "一二三四五。六七八九十，");
        assert_eq!(cut(text, 20), "一二三四五。");
        assert_eq!(cut("一二三四五六七八九十", 10), "一二三");
    }

    #[test]
    fn long_chapters_continue_in_further_pages() {
        let book = sample(false);
        let chapter = chapter(&[]);
        let mut chapter = ChapterWriter::new(&book, "c0001", &chapter);
        let sentence = "这是一个用来填满页面的句子。".repeat(200);
        for _ in 0..200 {
            chapter.push(Content::Block(&Block::paragraph(&sentence)));
        }
        let heading = chapter.push(Content::Block(&Block::heading(2, "后来")));
        let pages = chapter.finish();
        assert!(pages.len() > 1);
        assert!(pages.iter().all(|p| p.xhtml.len() <= MAX_PAGE_BYTES));
        let (_, entry) = heading.unwrap();
        assert_eq!(entry.href, format!("{}#s1", pages.last().unwrap().name));
        assert_eq!(pages[1].name, "c0001-2.xhtml");
    }

    #[test]
    fn a_note_is_set_on_the_page_that_cites_it() {
        let book = sample(false);
        let content = [Node::Element(Element::new(
            "p",
            vec![Node::Text("注".into())],
        ))];
        let notes = [ChapterNote {
            key: "n",
            content: &content,
        }];
        let chapter = chapter(&notes);
        let mut chapter = ChapterWriter::new(&book, "c0001", &chapter);
        let sentence = "这是一个用来填满页面的句子。".repeat(200);
        let cites = Block::Element(Element::new(
            "p",
            vec![Node::Text("引".into()), crate::essay::Note::reference("n")],
        ));
        for _ in 0..60 {
            chapter.push(Content::Block(&Block::paragraph(&sentence)));
        }
        chapter.push(Content::Block(&cites));
        for _ in 0..60 {
            chapter.push(Content::Block(&Block::paragraph(&sentence)));
        }
        chapter.push(Content::Block(&cites));
        let pages = chapter.finish();
        let citing: Vec<&Page> = pages
            .iter()
            .filter(|p| p.xhtml.contains("href=\"#fn-1\""))
            .collect();
        assert_eq!(citing.len(), 2, "two pages cite the note");
        for page in citing {
            assert_eq!(
                page.xhtml.matches("id=\"fn-1\"").count(),
                1,
                "{}",
                page.name
            );
        }
    }

    #[test]
    fn a_chapter_page_is_in_the_chapter_language_with_its_quotes() {
        let mut book = sample(false);
        book.layout = crate::typeset::Layout::Vertical;
        let mut chapter = chapter(&[]);
        chapter.lang = "ja";
        let quoted = Block::paragraph("彼は“はい”と言った。");
        let mut writer = ChapterWriter::new(&book, "c0002", &chapter);
        writer.push(Content::Block(&quoted));
        let page = &writer.finish()[0].xhtml;
        assert!(page.contains("<html xmlns=\"http://www.w3.org/1999/xhtml\" xmlns:epub=\"http://www.idpf.org/2007/ops\" lang=\"ja\" xml:lang=\"ja\">"), "{page}");
        let in_japanese = book.text_rules_in("ja");
        let mut expected = String::new();
        cjk::write_text(&mut expected, "彼は“はい”と言った。", &in_japanese);
        assert!(page.contains(&expected), "{page}");
        let mut in_chinese = String::new();
        cjk::write_text(&mut in_chinese, "彼は“はい”と言った。", &book.text_rules());
        assert_ne!(
            expected, in_chinese,
            "the locales quote alike: pick another sample"
        );
    }

    #[test]
    fn a_page_of_images_only_has_a_horizontal_root() {
        let book = sample(false);
        let chapter = chapter(&[]);
        let mut writer = ChapterWriter::new(&book, "c0001", &chapter);
        let image = || {
            Node::Image(crate::document::Image {
                href: "images/a.png".into(),
                media_type: "image/png",
                data: Default::default(),
                alt: "挿絵".into(),
            })
        };
        let figure = |children| {
            let mut figure = Element::new("figure", children);
            figure.attrs.push(("class", "illustration".into()));
            Block::Element(figure)
        };
        let caption = Node::Element(Element::new("figcaption", vec![Node::Text("庭".into())]));
        let page_break = Block::Element(Element::page_break());
        let blocks = [
            Block::paragraph("前。"),
            page_break.clone(),
            figure(vec![image()]),
            figure(vec![image()]),
            page_break.clone(),
            figure(vec![image(), caption]),
            page_break.clone(),
            Block::paragraph("後。"),
        ];
        for block in &blocks {
            writer.push(Content::Block(block));
        }
        let roots: Vec<bool> = writer
            .finish()
            .iter()
            .map(|page| page.xhtml.contains(" class=\"image-page\">"))
            .collect();
        // Only the page of pictures alone: a caption is text to set in
        // the book's writing mode.
        assert_eq!(roots, [false, true, false, false]);
    }

    #[test]
    fn a_huge_paragraph_is_split_at_sentences() {
        let book = sample(false);
        let chapter = chapter(&[]);
        let mut chapter = ChapterWriter::new(&book, "c0001", &chapter);
        chapter.push(Content::Block(&Block::paragraph(
            &"很长的一句话。".repeat(60_000),
        )));
        let pages = chapter.finish();
        assert!(pages.len() > 4);
        assert!(pages.iter().all(|p| p.xhtml.len() <= MAX_PAGE_BYTES));
        assert!(
            pages[1]
                .xhtml
                .contains("<p class=\"continued\">很长的一句话。")
        );
    }
}
