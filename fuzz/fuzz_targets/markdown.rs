//! `markdown`: arbitrary text through the Markdown parser, the essay in an
//! empty temporary folder so no image resolves. Never panics. On `Ok` every
//! `Block::Element`, written as XHTML, is well-formed XML in the XHTML namespace, uses
//! only the sanitiser's elements and attributes (so no `script`, no `on…`
//! attribute, no `javascript:` or other non-http(s)/mailto link), holds no
//! image, and keeps the content models the sanitiser promises (phrasing-only
//! elements hold only phrasing content, `li` only in lists, lists hold only
//! `li`, table parts in tables, no link in a link). Titles and headings are
//! non-empty single lines; parts alternate in access.
#![no_main]

use std::path::PathBuf;
use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;
use wenji::document::{self, Node};
use wenji::essay::Block;
use wenji::parse::{Format, MAX_TITLE_CHARS, PlainRules, parse};

static DIR: LazyLock<tempfile::TempDir> = LazyLock::new(|| tempfile::tempdir().unwrap());
static ESSAY: LazyLock<PathBuf> = LazyLock::new(|| DIR.path().join("essay.md"));

const XHTML_NS: &str = "http://www.w3.org/1999/xhtml";
const TAGS: &[&str] = &[
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
    "th",
    "thead",
    "tr",
    "u",
    "ul",
    "var",
    "wbr",
];
const PHRASING_ONLY: &[&str] = &[
    "a", "abbr", "b", "bdi", "cite", "code", "del", "dfn", "em", "i", "ins", "kbd", "mark", "q",
    "rt", "ruby", "s", "samp", "small", "span", "strong", "sub", "sup", "u", "var", "p", "h1",
    "h2", "h3", "h4", "h5", "h6", "pre", "th",
];
const PHRASING: &[&str] = &[
    "a", "abbr", "b", "bdi", "br", "cite", "code", "del", "dfn", "em", "i", "img", "ins", "kbd",
    "mark", "q", "rt", "ruby", "s", "samp", "small", "span", "strong", "sub", "sup", "u", "var",
    "wbr",
];

fn check_fragment(xhtml: &str) {
    let wrapped = format!("<root xmlns=\"{XHTML_NS}\">{xhtml}</root>");
    let doc = match roxmltree::Document::parse(&wrapped) {
        Ok(doc) => doc,
        Err(e) => panic!("not well-formed ({e}): {xhtml}"),
    };
    for node in doc
        .root_element()
        .descendants()
        .skip(1)
        .filter(|n| n.is_element())
    {
        let name = node.tag_name().name();
        assert_eq!(node.tag_name().namespace(), Some(XHTML_NS));
        assert!(
            TAGS.contains(&name),
            "element <{name}> let through: {xhtml}"
        );
        for attr in node.attributes() {
            let key = attr.name();
            assert!(
                matches!(
                    (name, key),
                    (_, "title")
                        | ("a", "href")
                        | ("ol", "start")
                        | ("td" | "th", "colspan" | "rowspan")
                ),
                "attribute {key} on <{name}>: {xhtml}"
            );
            if key == "href" {
                let v = attr.value().to_ascii_lowercase();
                assert!(
                    v.starts_with("http://")
                        || v.starts_with("https://")
                        || v.starts_with("mailto:"),
                    "href {v:?}: {xhtml}"
                );
            }
        }
        let parent = node
            .parent_element()
            .map(|p| p.tag_name().name())
            .filter(|_| node.parent_element() != Some(doc.root_element()));
        let ancestors: Vec<&str> = node
            .ancestors()
            .skip(1)
            .filter(|a| a.is_element() && *a != doc.root_element())
            .map(|a| a.tag_name().name())
            .collect();
        if ancestors.iter().any(|a| PHRASING_ONLY.contains(a)) {
            assert!(
                PHRASING.contains(&name),
                "<{name}> inside phrasing-only {ancestors:?}: {xhtml}"
            );
        }
        if name == "a" {
            assert!(!ancestors.contains(&"a"), "link in link: {xhtml}");
        }
        let required: &[&str] = match name {
            "li" => &["ul", "ol"],
            "rt" => &["ruby"],
            "thead" | "tbody" => &["table"],
            "tr" => &["table", "thead", "tbody"],
            "td" | "th" => &["tr"],
            _ => &[],
        };
        if !required.is_empty() {
            assert!(
                parent.is_some_and(|p| required.contains(&p)),
                "<{name}> in {parent:?}: {xhtml}"
            );
        }
        if matches!(name, "ul" | "ol") {
            for child in node.children() {
                assert!(
                    child.is_element() && child.tag_name().name() == "li"
                        || child.is_text() && child.text().is_some_and(|t| t.trim().is_empty()),
                    "list holds {:?}: {xhtml}",
                    child
                );
            }
        }
        if matches!(name, "table" | "thead" | "tbody" | "tr") {
            for child in node.children().filter(|c| c.is_text()) {
                assert!(
                    child.text().is_some_and(|t| t.trim().is_empty()),
                    "text in <{name}>: {xhtml}"
                );
            }
        }
    }
}

fuzz_target!(|text: &str| {
    let Ok((essay, _warnings)) = parse(&ESSAY, text, Format::Markdown, &PlainRules::default())
    else {
        return;
    };
    assert!(
        !essay.title.is_empty() && !essay.title.contains('\n'),
        "title {:?}",
        essay.title
    );
    assert!(essay.title.chars().count() <= MAX_TITLE_CHARS, "long title");
    let parts: Vec<_> = essay.parts().collect();
    for (n, (access, blocks)) in parts.iter().enumerate() {
        assert!(!blocks.is_empty(), "empty part");
        if n > 0 {
            assert_ne!(parts[n - 1].0, *access, "adjacent parts share access");
        }
        for block in blocks.iter() {
            let mut images = 0;
            block.for_each_image(&mut |_| images += 1);
            assert_eq!(images, 0, "image packed from an empty folder");
            match block {
                Block::Element(element) => {
                    let mut xhtml = String::new();
                    let nodes = [Node::Element(element.clone())];
                    document::write_xhtml(&nodes, &mut xhtml, &mut document::escape_text);
                    check_fragment(&xhtml);
                }
                Block::Heading { level, content } => {
                    assert!((1..=6).contains(level));
                    let text = document::plain_text(content);
                    assert!(!text.is_empty() && !text.contains('\n'), "heading {text:?}");
                    assert!(text.chars().count() <= MAX_TITLE_CHARS, "long heading");
                    let mut xhtml = String::new();
                    document::write_xhtml(content, &mut xhtml, &mut document::escape_text);
                    check_fragment(&format!("<span>{xhtml}</span>"));
                }
            }
        }
    }
});
