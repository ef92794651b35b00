//! Links between chapters that name a heading (`[see](b.md#setup)`, which
//! parsing turns into `c0002.xhtml#setup`). Headings are numbered per
//! edition (`s1`, `s2`…) and land on whichever page of their chapter the
//! page splitter puts them, so such a link is resolved against where this
//! edition set the heading: a first typesetting pass finds every heading's
//! page and id ([`Anchors::of`]), the second writes the links. A heading
//! this edition does not hold (a paid one in the preview), or a fragment no
//! heading's slug matches, leads to the chapter's start.

use std::collections::HashMap;

use crate::document::{Element, Node};
use crate::typeset::NavEntry;

/// Where each chapter's headings are: `(chapter stem, slug)` → `page#sN`.
#[derive(Debug, Default)]
pub struct Anchors {
    targets: HashMap<(String, String), String>,
}

impl Anchors {
    /// The anchors of a typeset book's table of contents: its heading
    /// entries (`page#sN`), at any depth, in reading order.
    pub fn of(toc: &[NavEntry]) -> Self {
        let mut targets = HashMap::new();
        // Slugs seen per chapter, for GitHub's `-1`, `-2` suffixes.
        let mut seen: HashMap<(String, String), usize> = HashMap::new();
        let mut stack: Vec<&NavEntry> = toc.iter().rev().collect();
        while let Some(entry) = stack.pop() {
            stack.extend(entry.children.iter().rev());
            if !entry.href.contains('#') {
                continue;
            }
            let stem = stem_of(&entry.href).to_string();
            let base = slug(&entry.title);
            let count = seen.entry((stem.clone(), base.clone())).or_insert(0);
            let slug = match *count {
                0 => base,
                n => format!("{base}-{n}"),
            };
            *count += 1;
            targets
                .entry((stem, slug))
                .or_insert_with(|| entry.href.clone());
        }
        Anchors { targets }
    }

    /// `nodes` with their chapter links resolved, or `None` when they hold
    /// none (nothing is copied then).
    pub fn resolve(&self, nodes: &[Node]) -> Option<Vec<Node>> {
        if !nodes.iter().any(holds_chapter_link) {
            return None;
        }
        Some(nodes.iter().map(|n| self.resolve_node(n)).collect())
    }

    fn resolve_node(&self, node: &Node) -> Node {
        let Node::Element(element) = node else {
            return node.clone();
        };
        let mut attrs = element.attrs.clone();
        if let Some((_, href)) = attrs.iter_mut().find(|(k, _)| *k == "href")
            && let Some((page, fragment)) = chapter_link(href)
        {
            let key = (stem_of(page).to_string(), fragment.to_string());
            *href = self
                .targets
                .get(&key)
                .cloned()
                .unwrap_or_else(|| page.to_string());
        }
        Node::Element(Element {
            name: element.name,
            attrs,
            children: element
                .children
                .iter()
                .map(|c| self.resolve_node(c))
                .collect(),
        })
    }
}

/// Whether `node` holds a link to a heading of a chapter.
pub fn holds_chapter_link(node: &Node) -> bool {
    match node {
        Node::Element(element) => {
            element.attr("href").and_then(chapter_link).is_some()
                || element.children.iter().any(holds_chapter_link)
        }
        _ => false,
    }
}

/// `cNNNN.xhtml#fragment` split into page and fragment.
fn chapter_link(href: &str) -> Option<(&str, &str)> {
    let (page, fragment) = href.split_once('#')?;
    let stem = page.strip_suffix(".xhtml")?;
    let is_chapter =
        stem.len() == 5 && stem.starts_with('c') && stem[1..].bytes().all(|b| b.is_ascii_digit());
    (is_chapter && !fragment.is_empty()).then_some((page, fragment))
}

/// `c0002` of `c0002-3.xhtml#s4`.
fn stem_of(href: &str) -> &str {
    let page = href.split('#').next().unwrap_or(href);
    let page = page.strip_suffix(".xhtml").unwrap_or(page);
    page.split('-').next().unwrap_or(page)
}

/// A heading's slug as GitHub, mdBook and most Markdown tools make it:
/// lower case, letters, digits (CJK included), `-` and `_` kept, spaces
/// become `-`, other punctuation goes.
pub fn slug(title: &str) -> String {
    title
        .trim()
        .chars()
        .flat_map(char::to_lowercase)
        .filter_map(|c| match c {
            ' ' => Some('-'),
            '-' | '_' => Some(c),
            c if c.is_alphanumeric() => Some(c),
            _ => None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(title: &str, href: &str, children: Vec<NavEntry>) -> NavEntry {
        NavEntry {
            title: title.into(),
            href: href.into(),
            children,
        }
    }

    #[test]
    fn slugs_follow_the_usual_rules() {
        assert_eq!(slug("Getting Started!"), "getting-started");
        assert_eq!(slug("安装 与 配置"), "安装-与-配置");
        assert_eq!(slug("API_v2 (beta)"), "api_v2-beta");
    }

    #[test]
    fn links_lead_where_this_edition_set_the_heading() {
        let toc = [entry(
            "B",
            "c0002.xhtml",
            vec![
                entry(
                    "安装",
                    "c0002.xhtml#s1",
                    vec![entry("Notes", "c0002-2.xhtml#s2", vec![])],
                ),
                entry("Notes", "c0002-3.xhtml#s3", vec![]),
            ],
        )];
        let anchors = Anchors::of(&toc);
        let link = |href: &str| {
            let mut a = Element::new("a", vec![Node::Text("x".into())]);
            a.attrs.push(("href", href.to_string()));
            vec![Node::Element(Element::new("p", vec![Node::Element(a)]))]
        };
        let href = |nodes: Vec<Node>| {
            let Node::Element(p) = &nodes[0] else {
                panic!()
            };
            let Node::Element(a) = &p.children[0] else {
                panic!()
            };
            a.attr("href").unwrap().to_string()
        };
        assert_eq!(
            href(anchors.resolve(&link("c0002.xhtml#notes")).unwrap()),
            "c0002-2.xhtml#s2"
        );
        assert_eq!(
            href(anchors.resolve(&link("c0002.xhtml#notes-1")).unwrap()),
            "c0002-3.xhtml#s3"
        );
        assert_eq!(
            href(anchors.resolve(&link("c0002.xhtml#安装")).unwrap()),
            "c0002.xhtml#s1"
        );
        // No such heading in this edition: the chapter's start.
        assert_eq!(
            href(anchors.resolve(&link("c0002.xhtml#paid")).unwrap()),
            "c0002.xhtml"
        );
        assert!(anchors.resolve(&link("https://example.com/#x")).is_none());
    }
}
