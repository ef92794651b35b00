//! HTML from Markdown (raw HTML included) to safe, valid document nodes.
//!
//! html5ever (through scraper) parses the HTML once, after
//! [`nesting::balance`] has bounded its depth; [`to_nodes`] then walks the
//! tree and keeps only what is on the allow-lists below — elements of EPUB 3
//! XHTML that need no id or special attribute, a few attributes, absolute
//! `http`, `https` and `mailto` links — so nothing executable survives
//! (ammonia applied the same lists before; walking the parsed tree once
//! saves serialising and parsing the HTML a second time). Safe is not yet
//! valid: HTML parsing happily puts a heading inside `<i>` or a paragraph
//! inside `<ul>`, which EPUBCheck rejects, so the walk also enforces the
//! content models that matter: an element that may not stand where it is
//! loses its tags (its content stays), and stray text or elements in a list
//! are wrapped in an item. Two repairs add rather than remove: a table
//! cell's alignment (the obsolete `align`, or Markdown's `text-align` style)
//! becomes an `align-…` class, and every ruby reading gets `rp` parentheses.

use ego_tree::iter::Edge;
use scraper::{Html, Node as HtmlNode};

use crate::document::{Element, Image, Node};
use crate::error::Result;
use crate::parse::nesting;

/// Elements allowed through: those of EPUB 3 XHTML that need no id or
/// special attribute to be valid.
pub(crate) const TAGS: &[&str] = &[
    "a",
    "abbr",
    "b",
    "bdi",
    "blockquote",
    "br",
    "cite",
    "code",
    "dd",
    "del",
    "dfn",
    "div",
    "dl",
    "dt",
    "em",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "i",
    "img",
    "ins",
    "kbd",
    "li",
    "mark",
    "ol",
    "p",
    "pre",
    "q",
    "rt",
    "ruby",
    "s",
    "samp",
    "small",
    "span",
    "strong",
    "sub",
    "sup",
    "table",
    "tbody",
    "td",
    "tfoot",
    "th",
    "thead",
    "tr",
    "u",
    "ul",
    "var",
    "wbr",
];

/// Elements removed together with their content.
pub(crate) const DROP_WITH_CONTENT: &[&str] = &[
    "rp", "caption", "script", "style", "iframe", "object", "embed", "noscript", "template",
    "textarea", "select", "svg", "math", "title", "head",
];

/// Elements written as `<x/>`.
pub(crate) const VOID: &[&str] = &["br", "hr", "img", "wbr"];

/// Elements whose content must be phrasing content (no blocks inside).
const PHRASING_ONLY: &[&str] = &[
    "a", "abbr", "b", "bdi", "cite", "code", "del", "dfn", "em", "i", "ins", "kbd", "mark", "q",
    "rt", "ruby", "s", "samp", "small", "span", "strong", "sub", "sup", "u", "var", "p", "h1",
    "h2", "h3", "h4", "h5", "h6", "pre", "th",
    // A term may hold no heading or sectioning element; phrasing is the safe subset.
    "dt",
];

/// Phrasing elements: the only ones allowed inside [`PHRASING_ONLY`] ones.
const PHRASING: &[&str] = &[
    "a", "abbr", "b", "bdi", "br", "cite", "code", "del", "dfn", "em", "i", "img", "ins", "kbd",
    "mark", "q", "rt", "ruby", "s", "samp", "small", "span", "strong", "sub", "sup", "u", "var",
    "wbr",
];

/// Attributes allowed through: on every element, and per element.
const GENERIC_ATTRIBUTES: &[&str] = &["title"];
const ATTRIBUTES: &[(&str, &[&str])] = &[
    ("a", &["href"]),
    ("img", &["src", "alt"]),
    ("ol", &["start"]),
    ("td", &["colspan", "rowspan", "align", "style"]),
    ("th", &["colspan", "rowspan", "align", "style"]),
];

/// Attributes read only to find a table cell's alignment (see
/// [`cell_alignment`]); never written.
const ALIGNMENT_SOURCES: &[&str] = &["align", "style"];

/// Whether the sanitiser reads attribute `key` on element `element` (it keeps
/// it, or turns a table cell's alignment into a class).
pub(crate) fn allows_attribute(element: &str, key: &str) -> bool {
    allowed_attribute(element, key).is_some()
}

/// Decides what the references in the HTML become.
pub trait Resolver {
    /// What an `<img src>` becomes: `Some(image)` packed into the book, or
    /// `None` to leave the image out (its alt text stays).
    fn image(&mut self, src: &str) -> Result<Option<Image>>;

    /// What a link whose `href` is not an absolute `http`, `https` or
    /// `mailto` URL leads to: a page of the book (a file name the book
    /// holds in every edition), or `None` to keep only the link's text.
    fn link(&mut self, href: &str) -> Option<String> {
        let _ = href;
        None
    }
}

/// Decides what an `<img src>` becomes: `Some(image)` packed into the
/// book, or `None` to leave the image out (its alt text stays).
pub type ImageResolver<'a> = dyn FnMut(&str) -> Result<Option<Image>> + 'a;

/// An image resolver alone keeps no relative link.
struct ImagesOnly<'r, 'a>(&'r mut ImageResolver<'a>);

impl Resolver for ImagesOnly<'_, '_> {
    fn image(&mut self, src: &str) -> Result<Option<Image>> {
        (self.0)(src)
    }
}

/// What the walk does with an element.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Action {
    /// Keep it.
    Write,
    /// Drop its tags, keep its content.
    Unwrap,
    /// Keep it inside a wrapper element (`li` in a list).
    Wrap(&'static str),
    /// Drop it with its content.
    Drop,
    /// Replaced already (an image); nothing to close.
    Replaced,
}

/// Safe, valid nodes for `html`; says too whether elements nested deeper
/// than [`nesting::MAX_DEPTH`] were flattened. The walk is iterative, so no
/// input can overflow the stack.
pub fn to_nodes(html: &str, images: &mut ImageResolver) -> Result<(Vec<Node>, bool)> {
    to_nodes_resolving(html, &mut ImagesOnly(images))
}

/// [`to_nodes`], with `resolver` deciding what images and relative links
/// become.
pub fn to_nodes_resolving(html: &str, resolver: &mut dyn Resolver) -> Result<(Vec<Node>, bool)> {
    let balanced = nesting::balance(html);
    let tree = Html::parse_fragment(&balanced.html);
    // The elements being built, innermost last; the first collects the result.
    let mut open: Vec<Element> = vec![Element::new("", Vec::new())];
    // Per open source element, what was done with it.
    let mut actions: Vec<Action> = Vec::new();
    // How many of the kept elements allow only phrasing content, and how many are links.
    let mut context = Context::default();
    let mut dropping = 0usize;
    for edge in tree.root_element().traverse().skip(1) {
        match edge {
            Edge::Open(n) => match n.value() {
                HtmlNode::Element(_) if dropping > 0 => dropping += 1,
                _ if dropping > 0 => {}
                HtmlNode::Text(text) => {
                    let parent = innermost(&open);
                    let node = Node::Text(text.to_string());
                    match text_wrapper(parent) {
                        Some(tag) if !text.trim().is_empty() => {
                            push(&mut open, Node::Element(Element::new(tag, vec![node])))
                        }
                        _ => push(&mut open, node),
                    }
                }
                HtmlNode::Element(element) => {
                    let source_name = element.name();
                    // A table footer may come before the body in HTML, not in XHTML's order.
                    let allowed = allowed_name(source_name).map(|n| match n {
                        "tfoot" => "tbody",
                        n => n,
                    });
                    let Some(name) = allowed else {
                        let drop = DROP_WITH_CONTENT.contains(&source_name);
                        if drop {
                            dropping = 1;
                        }
                        actions.push(if drop { Action::Drop } else { Action::Unwrap });
                        continue;
                    };
                    let mut action = action(name, innermost(&open), context);
                    // Ruby without a reading is not ruby.
                    let has_reading = || {
                        n.children()
                            .any(|c| c.value().as_element().is_some_and(|e| e.name() == "rt"))
                    };
                    if name == "ruby" && !has_reading() {
                        action = Action::Unwrap;
                    }
                    if action == Action::Unwrap {
                        actions.push(action);
                        continue;
                    }
                    if let Action::Wrap(tag) = action {
                        open.push(Element::new(tag, Vec::new()));
                    }
                    if name == "img" {
                        let alt = element.attr("alt").unwrap_or("");
                        let node = match resolver.image(element.attr("src").unwrap_or(""))? {
                            Some(image) => Node::Image(Image {
                                alt: alt.to_string(),
                                ..image
                            }),
                            None => Node::Text(alt.to_string()),
                        };
                        push(&mut open, node);
                        if matches!(action, Action::Wrap(_)) {
                            close(&mut open);
                        }
                        actions.push(Action::Replaced);
                        continue;
                    }
                    let mut attrs = Vec::new();
                    for (key, value) in element.attrs() {
                        if ALIGNMENT_SOURCES.contains(&key) {
                            continue;
                        }
                        let Some(key) = allowed_attribute(name, key) else {
                            continue;
                        };
                        let value = match valid_attribute(key, value) {
                            Some(value) => Some(value),
                            None if key == "href" && !is_absolute_url(value) => {
                                resolver.link(value.trim())
                            }
                            None => None,
                        };
                        attrs.extend(value.map(|value| (key, value)));
                    }
                    if let Some(class) = cell_alignment(name, element) {
                        attrs.push(("class", class));
                    }
                    open.push(Element {
                        name,
                        attrs,
                        children: Vec::new(),
                    });
                    context.enter(name, 1);
                    actions.push(action);
                }
                _ => {}
            },
            Edge::Close(n) => {
                if !n.value().is_element() {
                    continue;
                }
                if dropping > 1 {
                    dropping -= 1;
                    continue;
                }
                match actions.pop() {
                    Some(Action::Drop) => dropping = 0,
                    Some(action @ (Action::Write | Action::Wrap(_))) => {
                        if let Some(name) = close(&mut open) {
                            context.enter(name, -1);
                        }
                        if matches!(action, Action::Wrap(_)) {
                            close(&mut open);
                        }
                    }
                    _ => {}
                }
            }
        }
    }
    while open.len() > 1 {
        close(&mut open);
    }
    let root = open.pop().map(|e| e.children).unwrap_or_default();
    Ok((root, balanced.flattened))
}

/// The name of the innermost element being built (`None` at the top).
fn innermost(open: &[Element]) -> Option<&str> {
    open.last().map(|e| e.name).filter(|n| !n.is_empty())
}

/// Appends `node` to the innermost element being built.
fn push(open: &mut [Element], node: Node) {
    if let Some(parent) = open.last_mut() {
        parent.children.push(node);
    }
}

/// Finishes the innermost element being built; returns its name.
fn close(open: &mut Vec<Element>) -> Option<&'static str> {
    if open.len() < 2 {
        return None;
    }
    let mut done = open.pop()?;
    match done.name {
        "ruby" => add_ruby_fallbacks(&mut done),
        "dl" => complete_groups(&mut done),
        _ => {}
    }
    let name = done.name;
    push(open, Node::Element(done));
    Some(name)
}

/// Puts parentheses around every reading of `ruby` for readers without
/// ruby support. The walk drops `rp` from the source (with its content, which
/// could be anything), so every ruby gets the same fallbacks, written here.
fn add_ruby_fallbacks(ruby: &mut Element) {
    let rp = |text: &str| Node::Element(Element::new("rp", vec![Node::Text(text.to_string())]));
    let children = std::mem::take(&mut ruby.children);
    for child in children {
        if matches!(&child, Node::Element(e) if e.name == "rt") {
            ruby.children.push(rp("（"));
            ruby.children.push(child);
            ruby.children.push(rp("）"));
        } else {
            ruby.children.push(child);
        }
    }
}

/// Gives every group of terms in definition list `dl` a definition and
/// every group of definitions a term (an empty one where the HTML had
/// none): XHTML allows only `dt`s followed by `dd`s. Markdown always writes
/// both; raw HTML may not.
fn complete_groups(dl: &mut Element) {
    let empty = |name| Node::Element(Element::new(name, Vec::new()));
    let children = std::mem::take(&mut dl.children);
    let mut last = None;
    for child in children {
        // Only terms and definitions are elements here: the walk wraps the rest in `dd`.
        if let Node::Element(element) = &child {
            if last.is_none() && element.name == "dd" {
                dl.children.push(empty("dt"));
            }
            last = Some(element.name);
        }
        dl.children.push(child);
    }
    if last == Some("dt") {
        dl.children.push(empty("dd"));
    }
}

/// The class aligning table cell `name` (`td`, `th`): `align-left`,
/// `align-center` or `align-right`, from Markdown's `style="text-align: …"`
/// or raw HTML's obsolete `align` attribute (which EPUBCheck rejects). Other
/// values and every other style are dropped.
fn cell_alignment(name: &str, element: &scraper::node::Element) -> Option<String> {
    if !matches!(name, "td" | "th") {
        return None;
    }
    let from_style = || {
        element.attr("style")?.split(';').find_map(|declaration| {
            let (property, value) = declaration.split_once(':')?;
            property
                .trim()
                .eq_ignore_ascii_case("text-align")
                .then_some(value)
        })
    };
    let value = element.attr("align").or_else(from_style)?.trim();
    ["left", "center", "right"]
        .iter()
        .find(|a| a.eq_ignore_ascii_case(value))
        .map(|a| format!("align-{a}"))
}

/// `name` as one of the allowed elements, or `None`.
fn allowed_name(name: &str) -> Option<&'static str> {
    TAGS.iter().copied().find(|t| *t == name)
}

/// `key` as an attribute allowed on `element`, or `None`.
fn allowed_attribute(element: &str, key: &str) -> Option<&'static str> {
    let per_element = ATTRIBUTES
        .iter()
        .filter(|(e, _)| *e == element)
        .flat_map(|(_, keys)| keys.iter());
    GENERIC_ATTRIBUTES
        .iter()
        .chain(per_element)
        .copied()
        .find(|k| *k == key)
}

/// Counts of open written elements that constrain what may go inside them.
#[derive(Clone, Copy, Default)]
struct Context {
    phrasing_only: isize,
    links: isize,
}

impl Context {
    fn enter(&mut self, name: &str, step: isize) {
        if PHRASING_ONLY.contains(&name) {
            self.phrasing_only += step;
        }
        if name == "a" {
            self.links += step;
        }
    }
}

/// What to do with element `name` inside written element `parent`.
fn action(name: &str, parent: Option<&str>, context: Context) -> Action {
    if context.phrasing_only > 0 && !PHRASING.contains(&name) {
        return Action::Unwrap;
    }
    if name == "a" && context.links > 0 {
        return Action::Unwrap;
    }
    let required: &[&str] = match name {
        "li" => &["ul", "ol"],
        "dt" | "dd" => &["dl"],
        "rt" => &["ruby"],
        "thead" | "tbody" | "tfoot" => &["table"],
        "tr" => &["table", "thead", "tbody", "tfoot"],
        "td" | "th" => &["tr"],
        _ => {
            return match text_wrapper(parent) {
                Some(tag) => Action::Wrap(tag),
                None if matches!(parent, Some("table" | "thead" | "tbody" | "tfoot" | "tr")) => {
                    Action::Unwrap
                }
                None => Action::Write,
            };
        }
    };
    if parent.is_some_and(|p| required.contains(&p)) {
        Action::Write
    } else {
        Action::Unwrap
    }
}

/// The element that content other than items must be wrapped in inside `parent`.
fn text_wrapper(parent: Option<&str>) -> Option<&'static str> {
    match parent {
        Some("ul" | "ol") => Some("li"),
        Some("dl") => Some("dd"),
        _ => None,
    }
}

/// The value to write for attribute `key`, or `None` to leave it out: links
/// must be valid absolute `http`, `https` or `mailto` URLs (relative links
/// would point at files the book does not contain), numbers must be numbers.
fn valid_attribute(key: &str, value: &str) -> Option<String> {
    let value = value.trim();
    match key {
        "href" => {
            let url = url::Url::parse(value).ok()?;
            let ok = match url.scheme() {
                "http" | "https" => {
                    url.host().is_some() && url.fragment().is_none_or(|f| !f.contains('#'))
                }
                "mailto" => url.path().contains('@'),
                _ => false,
            };
            // The url crate keeps a stray `%`; EPUBCheck does not.
            let escapes_ok = url.as_str().split('%').skip(1).all(|rest| {
                rest.len() >= 2 && rest.as_bytes()[..2].iter().all(u8::is_ascii_hexdigit)
            });
            (ok && escapes_ok).then(|| url.to_string())
        }
        "start" => value.parse::<i32>().ok().map(|n| n.to_string()),
        "colspan" => value
            .parse::<u16>()
            .ok()
            .filter(|n| (1..=1000).contains(n))
            .map(|n| n.to_string()),
        "rowspan" => value
            .parse::<u16>()
            .ok()
            .filter(|n| *n <= 65534)
            .map(|n| n.to_string()),
        _ => Some(value.to_string()),
    }
}

/// Whether `href` is an absolute URL (with a scheme), valid or not.
fn is_absolute_url(href: &str) -> bool {
    url::Url::parse(href.trim()).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn xhtml(html: &str) -> String {
        let mut no_images = |_: &str| Ok(None);
        let (nodes, _) = to_nodes(html, &mut no_images).unwrap();
        let mut out = String::new();
        crate::document::write_xhtml(&nodes, &mut out, &mut crate::document::escape_text);
        out
    }

    #[test]
    fn executable_things_go_and_the_rest_is_xml() {
        assert_eq!(
            xhtml(
                "<div onclick=\"x()\" style=\"a\">a<br>b&nbsp;c<script>alert(1)</script><x-y>d</x-y></div>"
            ),
            "<div>a<br/>b\u{a0}cd</div>"
        );
        assert_eq!(
            xhtml(
                "<a href=\"javascript:alert(1)\">j</a><a href=\"x.html\">r</a><a href=\"https://e.org/?a=1&b=<2>\">e</a>"
            ),
            "<a>j</a><a>r</a><a href=\"https://e.org/?a=1&amp;b=%3C2%3E\">e</a>"
        );
        assert_eq!(
            xhtml("<iframe src=x>inside</iframe><style>p{}</style>ok"),
            "ok"
        );
        assert_eq!(xhtml("<img title='a<b' alt=x src=\"y.png\">"), "x");
    }

    #[test]
    fn only_valid_absolute_links_keep_their_href() {
        assert_eq!(
            xhtml(
                "<a href=\"https://e.com/a%zz\">1</a><a href=\"mailto:\">2</a>\
                 <a href=\"https://e.com/#a#b\">3</a><a href=\"mailto:x@y.z\">4</a>"
            ),
            "<a>1</a><a>2</a><a>3</a><a href=\"mailto:x@y.z\">4</a>"
        );
    }

    #[test]
    fn relative_links_are_asked_about_and_absolute_ones_never() {
        struct Chapters(Vec<String>);
        impl Resolver for Chapters {
            fn image(&mut self, _: &str) -> Result<Option<Image>> {
                Ok(None)
            }
            fn link(&mut self, href: &str) -> Option<String> {
                self.0.push(href.to_string());
                (href == "b.md#x").then(|| "c0002.xhtml".to_string())
            }
        }
        let mut chapters = Chapters(Vec::new());
        let (nodes, _) = to_nodes_resolving(
            "<a href=\" b.md#x\">b</a><a href=\"c.md\">c</a><a href=\"javascript:x()\">j</a>",
            &mut chapters,
        )
        .unwrap();
        let mut out = String::new();
        crate::document::write_xhtml(&nodes, &mut out, &mut crate::document::escape_text);
        assert_eq!(out, "<a href=\"c0002.xhtml\">b</a><a>c</a><a>j</a>");
        assert_eq!(chapters.0, ["b.md#x", "c.md"]);
    }

    #[test]
    fn content_models_are_enforced() {
        assert_eq!(xhtml("<i>x<h3>h</h3><p>p</p></i>"), "<i>xhp</i>");
        assert_eq!(xhtml("<span><div>d</div></span>"), "<span>d</span>");
        assert_eq!(
            xhtml("<ul>t<p>p</p><li>i</li></ul>"),
            "<ul><li>t</li><li><p>p</p></li><li>i</li></ul>"
        );
        assert_eq!(xhtml("<li>alone</li><dd>dd</dd><rt>rt</rt>"), "aloneddrt");
        assert_eq!(
            xhtml("<a href=\"https://a.b\">1<a href=\"https://c.d\">2</a></a>"),
            "<a href=\"https://a.b/\">1</a><a href=\"https://c.d/\">2</a>"
        );
        assert_eq!(
            xhtml("<ruby>漢<rp>(</rp><rt>かん</rt><rp>)</rp></ruby>"),
            "<ruby>漢<rp>（</rp><rt>かん</rt><rp>）</rp></ruby>"
        );
        assert_eq!(xhtml("<ruby>漢</ruby>"), "漢");
        assert_eq!(xhtml("<figure>f<figcaption>c</figcaption></figure>"), "fc");
        assert_eq!(
            xhtml("<table><caption>c</caption><tfoot><tr><td>f</td></tr></tfoot></table>"),
            "<table><tbody><tr><td>f</td></tr></tbody></table>"
        );
        assert_eq!(
            xhtml("<ol start=\"abc\"><li>x</li></ol><ol start=\"3\"><li>y</li></ol>"),
            "<ol><li>x</li></ol><ol start=\"3\"><li>y</li></ol>"
        );
        assert_eq!(
            xhtml("<table><tr><td>1</td></tr></table>"),
            "<table><tbody><tr><td>1</td></tr></tbody></table>"
        );
    }

    #[test]
    fn definition_lists_keep_their_content_models() {
        assert_eq!(
            xhtml("<dl><dt>T</dt><dd><p>D</p><ul><li>i</li></ul></dd></dl>"),
            "<dl><dt>T</dt><dd><p>D</p><ul><li>i</li></ul></dd></dl>"
        );
        // A term holds phrasing only; anything else in the list is a definition.
        assert_eq!(
            xhtml("<dl><dt><h2>T</h2></dt><dd>D</dd>stray<p>p</p></dl>"),
            "<dl><dt>T</dt><dd>D</dd><dd>stray</dd><dd><p>p</p></dd></dl>"
        );
        // Every term gets a definition, every definition a term.
        assert_eq!(
            xhtml("<dl><dd>a</dd><dt>b</dt><dt>c</dt></dl>"),
            "<dl><dt></dt><dd>a</dd><dt>b</dt><dt>c</dt><dd></dd></dl>"
        );
        // Terms and definitions outside a list lose their tags.
        assert_eq!(xhtml("<p>a</p><dt>b</dt><dd>c</dd>"), "<p>a</p>bc");
    }

    #[test]
    fn every_ruby_reading_gets_parentheses() {
        assert_eq!(
            xhtml("<ruby>漢<rt>かん</rt>字<rt>じ</rt></ruby>"),
            "<ruby>漢<rp>（</rp><rt>かん</rt><rp>）</rp>字<rp>（</rp><rt>じ</rt><rp>）</rp></ruby>"
        );
        // Source parentheses of any kind are replaced, not doubled.
        assert_eq!(
            xhtml("<ruby>漢<rp>[</rp><rt>かん</rt><rp>]</rp></ruby>"),
            "<ruby>漢<rp>（</rp><rt>かん</rt><rp>）</rp></ruby>"
        );
        assert_eq!(
            xhtml("<ruby>漢<rp>（</rp><rt>かん</rt><rp>）</rp></ruby>"),
            "<ruby>漢<rp>（</rp><rt>かん</rt><rp>）</rp></ruby>"
        );
        // `rb` and `rtc` (obsolete in HTML) lose their tags; their bases and
        // readings get the same parentheses.
        assert_eq!(
            xhtml(
                "<ruby><rb>読</rb><rt>よ</rt><rb>書</rb><rp>(</rp><rt>しょ</rt><rp>)</rp></ruby>"
            ),
            "<ruby>読<rp>（</rp><rt>よ</rt><rp>）</rp>書<rp>（</rp><rt>しょ</rt><rp>）</rp></ruby>"
        );
        assert_eq!(
            xhtml("<p><ruby>漢<rtc><rt>かん</rt></rtc></ruby></p>"),
            "<p><ruby>漢<rp>（</rp><rt>かん</rt><rp>）</rp></ruby></p>"
        );
    }

    #[test]
    fn cell_alignment_becomes_a_class() {
        assert_eq!(
            xhtml(
                "<table><tr><th style=\"text-align: center\">a</th><td align=\"RIGHT\">b</td>\
                 <td style=\"color: red; text-align:left\">c</td><td style=\"color: red\">d</td>\
                 <td align=\"justify\" colspan=\"2\">e</td></tr></table>"
            ),
            "<table><tbody><tr><th class=\"align-center\">a</th><td class=\"align-right\">b</td>\
             <td class=\"align-left\">c</td><td>d</td><td colspan=\"2\">e</td></tr></tbody></table>"
        );
        // Alignment is for cells only.
        assert_eq!(
            xhtml("<p align=\"center\" style=\"text-align: center\">p</p>"),
            "<p>p</p>"
        );
    }

    #[test]
    fn deep_nesting_does_not_overflow() {
        let html = "<blockquote>".repeat(5000) + "deep";
        let out = xhtml(&html);
        assert!(out.contains("deep"));
        assert_eq!(
            out.matches("<blockquote>").count(),
            out.matches("</blockquote>").count()
        );
    }
}
