//! HTML from Markdown (raw HTML included) to safe, valid EPUB XHTML.
//!
//! ammonia removes everything executable and every element or attribute
//! outside an allow-list. Its output is HTML, not XML (`<br>`, `&nbsp;`, a
//! bare `<` in attributes), so html5ever (through scraper) parses it again
//! and [`write_xhtml`] writes the tree as XML. Safe is not yet valid: HTML
//! parsing happily puts a heading inside `<i>` or a paragraph inside `<ul>`,
//! which EPUBCheck rejects, so the writer also enforces the content models
//! that matter: an element that may not stand where it is loses its tags
//! (its content stays), and stray text or elements in a list are wrapped in
//! an item.

use std::collections::HashSet;
use std::sync::LazyLock;

use ego_tree::NodeRef;
use ego_tree::iter::Edge;
use scraper::{Html, Node};

use crate::error::Result;
use crate::parse::nesting;
use crate::xml::escape_into;

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
    "del",
    "dfn",
    "div",
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
    ("td", &["colspan", "rowspan"]),
    ("th", &["colspan", "rowspan"]),
];

/// Whether the sanitiser keeps attribute `key` on element `element`.
pub(crate) fn allows_attribute(element: &str, key: &str) -> bool {
    GENERIC_ATTRIBUTES.contains(&key)
        || ATTRIBUTES
            .iter()
            .any(|(e, keys)| *e == element && keys.contains(&key))
}

static SANITIZER: LazyLock<ammonia::Builder<'static>> = LazyLock::new(|| {
    let mut builder = ammonia::Builder::empty();
    builder
        .tags(TAGS.iter().copied().collect())
        .clean_content_tags(DROP_WITH_CONTENT.iter().copied().collect())
        .generic_attributes(GENERIC_ATTRIBUTES.iter().copied().collect())
        .tag_attributes(
            ATTRIBUTES
                .iter()
                .map(|(element, keys)| (*element, keys.iter().copied().collect()))
                .collect(),
        )
        .url_schemes(HashSet::from(["http", "https", "mailto"]))
        .url_relative(ammonia::UrlRelative::PassThrough)
        .link_rel(None)
        .strip_comments(true);
    builder
});

/// Sanitises `html` and parses the result into a tree for [`write_xhtml`];
/// says too whether elements nested deeper than [`nesting::MAX_DEPTH`] were
/// flattened. The HTML is balanced first ([`nesting::balance`]), so that
/// hostile tag soup costs html5ever linear time and memory.
pub fn clean(html: &str) -> (Html, bool) {
    let balanced = nesting::balance(html);
    let tree = Html::parse_fragment(&SANITIZER.clean(&balanced.html).to_string());
    (tree, balanced.flattened)
}

/// Decides where an `<img src>` goes: `Some(href)` inside the book, or
/// `None` to leave the image out (its alt text stays).
pub type ImageResolver<'a> = dyn FnMut(&str) -> Result<Option<String>> + 'a;

/// What the writer does with an element.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Action {
    /// Write its tags.
    Write,
    /// Drop its tags, keep its content.
    Unwrap,
    /// Write it inside a wrapper element (`li` in a list, `dd` in a `dl`).
    Wrap(&'static str),
}

/// Writes the sanitised tree under `node` as XHTML, iteratively so that deep
/// nesting cannot overflow the stack.
pub fn write_xhtml(
    node: NodeRef<Node>,
    images: &mut ImageResolver,
    out: &mut String,
) -> Result<()> {
    // Elements whose tags were written, innermost last; and per open element what was done.
    let mut written: Vec<&str> = Vec::new();
    let mut actions: Vec<(Action, &str)> = Vec::new();
    // How many of the written elements allow only phrasing content, and how many are links.
    let mut context = Context::default();
    for edge in node.traverse() {
        match edge {
            Edge::Open(n) => match n.value() {
                Node::Text(text) => {
                    let wrapper = text_wrapper(written.last().copied());
                    match wrapper {
                        Some(_) if text.trim().is_empty() => escape_into(out, text),
                        Some(tag) => {
                            out.push_str(&format!("<{tag}>"));
                            escape_into(out, text);
                            out.push_str(&format!("</{tag}>"));
                        }
                        None => escape_into(out, text),
                    }
                }
                Node::Element(element) => {
                    let source_name = element.name();
                    let mut action = action(source_name, written.last().copied(), context);
                    // Ruby without a reading is not ruby.
                    let has_reading = || {
                        n.children()
                            .any(|c| c.value().as_element().is_some_and(|e| e.name() == "rt"))
                    };
                    if source_name == "ruby" && !has_reading() {
                        action = Action::Unwrap;
                    }
                    // A table footer may come before the body in HTML, not in XHTML's order.
                    let name = if source_name == "tfoot" {
                        "tbody"
                    } else {
                        source_name
                    };
                    actions.push((action, name));
                    if action == Action::Unwrap {
                        continue;
                    }
                    if let Action::Wrap(tag) = action {
                        out.push_str(&format!("<{tag}>"));
                    }
                    if name == "img" {
                        let alt = element.attr("alt").unwrap_or("");
                        match images(element.attr("src").unwrap_or(""))? {
                            Some(href) => {
                                out.push_str("<img src=\"");
                                escape_into(out, &href);
                                out.push_str("\" alt=\"");
                                escape_into(out, alt);
                                out.push_str("\"/>");
                            }
                            None => escape_into(out, alt),
                        }
                        continue;
                    }
                    out.push('<');
                    out.push_str(name);
                    for (key, value) in element.attrs() {
                        let Some(value) = valid_attribute(key, value) else {
                            continue;
                        };
                        out.push(' ');
                        out.push_str(key);
                        out.push_str("=\"");
                        escape_into(out, &value);
                        out.push('"');
                    }
                    if VOID.contains(&name) {
                        out.push_str("/>");
                    } else {
                        out.push('>');
                        written.push(name);
                        context.enter(name, 1);
                    }
                }
                _ => {}
            },
            Edge::Close(n) => {
                if !n.value().is_element() {
                    continue;
                }
                let Some((action, name)) = actions.pop() else {
                    continue;
                };
                if action == Action::Unwrap {
                    continue;
                }
                if !VOID.contains(&name) {
                    written.pop();
                    context.enter(name, -1);
                    out.push_str("</");
                    out.push_str(name);
                    out.push('>');
                }
                if let Action::Wrap(tag) = action {
                    out.push_str(&format!("</{tag}>"));
                }
            }
        }
    }
    Ok(())
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

#[cfg(test)]
mod tests {
    use super::*;

    fn xhtml(html: &str) -> String {
        let (tree, _) = clean(html);
        let mut out = String::new();
        let mut no_images = |_: &str| Ok(None);
        for child in tree.root_element().children() {
            write_xhtml(child, &mut no_images, &mut out).unwrap();
        }
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
            "<ruby>漢<rt>かん</rt></ruby>"
        );
        assert_eq!(xhtml("<ruby>漢</ruby>"), "漢");
        assert_eq!(
            xhtml("<dl><dt>a</dt></dl><figure>f<figcaption>c</figcaption></figure>"),
            "afc"
        );
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
