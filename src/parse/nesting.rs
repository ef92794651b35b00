//! Caps how deeply elements nest, in Markdown events and in HTML, before
//! the HTML is parsed.
//!
//! html5ever's tree builder checks the stack of open elements for every
//! tag, so thousands of nested `<div>`s (or `>` quotes, or list levels) take
//! time quadratic in the depth: 100,000 levels took four minutes. Browsers
//! cap depth too (WebKit and Blink at 512). This pass is a linear scan over
//! the tags that drops the tags of elements nested deeper than
//! [`MAX_DEPTH`], keeping their content. It only needs to be approximately
//! right: the sanitiser and XHTML writer that follow make any tag soup safe
//! and well-formed.

use pulldown_cmark::{Event, Tag, TagEnd};

/// The deepest element nesting kept.
pub const MAX_DEPTH: usize = 100;

/// Markdown events with the starts and ends of lists, items and quotes
/// nested deeper than [`MAX_DEPTH`] left out (their content stays), so that
/// deeply nested Markdown does not turn into megabytes of nested HTML.
pub struct ShallowEvents<I> {
    events: I,
    /// Per open container, whether its tags were kept.
    open: Vec<bool>,
    /// Whether any container was left out.
    pub flattened: bool,
}

impl<I> ShallowEvents<I> {
    /// Wraps a stream of Markdown events.
    pub fn new(events: I) -> Self {
        ShallowEvents {
            events,
            open: Vec::new(),
            flattened: false,
        }
    }
}

impl<'a, I: Iterator<Item = Event<'a>>> Iterator for ShallowEvents<I> {
    type Item = Event<'a>;

    fn next(&mut self) -> Option<Event<'a>> {
        loop {
            let event = self.events.next()?;
            let keep = match &event {
                Event::Start(Tag::List(_) | Tag::Item | Tag::BlockQuote(_)) => {
                    let keep = self.open.len() < MAX_DEPTH;
                    self.open.push(keep);
                    keep
                }
                Event::End(TagEnd::List(_) | TagEnd::Item | TagEnd::BlockQuote(_)) => {
                    self.open.pop().unwrap_or(true)
                }
                _ => true,
            };
            if keep {
                return Some(event);
            }
            self.flattened = true;
        }
    }
}

/// Elements without content; they never nest.
const VOID: &[&str] = &[
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source",
    "track", "wbr",
];

/// Elements the HTML parser closes by itself when a sibling starts, so
/// that repeating them does not nest.
const SELF_CLOSING_SIBLINGS: &[&str] = &[
    "p", "li", "dt", "dd", "tr", "td", "th", "thead", "tbody", "tfoot", "option", "optgroup", "rb",
    "rt", "rp", "colgroup",
];

/// `html` with the tags of elements deeper than [`MAX_DEPTH`] removed, or
/// `None` when nothing nests that deep.
pub fn limit(html: &str) -> Option<String> {
    // Fewer tags than the limit cannot nest beyond it.
    if html.bytes().filter(|&b| b == b'<').count() <= MAX_DEPTH {
        return None;
    }
    let bytes = html.as_bytes();
    let mut out = String::new();
    let mut copied = 0;
    let mut open: Vec<(&str, bool)> = Vec::new();
    let mut at = 0;
    while let Some(found) = html[at..].find('<') {
        let start = at + found;
        if html[start..].starts_with("<!--") {
            at = html[start..]
                .find("-->")
                .map_or(html.len(), |end| start + end + 3);
            continue;
        }
        let closing = bytes.get(start + 1) == Some(&b'/');
        let name_start = start + 1 + usize::from(closing);
        let name_len = bytes[name_start..]
            .iter()
            .take_while(|b| b.is_ascii_alphanumeric())
            .count();
        if name_len == 0 || !bytes[name_start].is_ascii_alphabetic() {
            at = start + 1;
            continue;
        }
        let name = &html[name_start..name_start + name_len];
        let end = tag_end(bytes, name_start + name_len);
        let keep = if closing {
            match open.iter().rposition(|(n, _)| n.eq_ignore_ascii_case(name)) {
                Some(index) => {
                    let kept = open[index].1;
                    open.truncate(index);
                    kept
                }
                None => true,
            }
        } else if is_one_of(name, VOID)
            || is_one_of(name, SELF_CLOSING_SIBLINGS)
            || bytes[..end].ends_with(b"/>")
        {
            true
        } else {
            let kept = open.len() < MAX_DEPTH;
            open.push((name, kept));
            kept
        };
        if !keep {
            out.push_str(&html[copied..start]);
            copied = end;
        }
        at = end;
    }
    if copied == 0 {
        return None;
    }
    out.push_str(&html[copied..]);
    Some(out)
}

/// The index just past the `>` that ends the tag whose attributes start at
/// `from` (quoted attribute values may hold `>`), or the end of the input.
fn tag_end(bytes: &[u8], from: usize) -> usize {
    let mut quote = None;
    for (offset, &b) in bytes[from..].iter().enumerate() {
        match (quote, b) {
            (None, b'"' | b'\'') => quote = Some(b),
            (Some(q), _) if b == q => quote = None,
            (None, b'>') => return from + offset + 1,
            _ => {}
        }
    }
    bytes.len()
}

fn is_one_of(name: &str, list: &[&str]) -> bool {
    list.iter().any(|known| known.eq_ignore_ascii_case(name))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn depth(html: &str) -> usize {
        let mut deepest = 0;
        let mut current = 0usize;
        for piece in html.split('<').skip(1) {
            if piece.starts_with('/') {
                current = current.saturating_sub(1);
            } else {
                current += 1;
                deepest = deepest.max(current);
            }
        }
        deepest
    }

    #[test]
    fn deep_markdown_is_flattened_to_the_limit() {
        let markdown = ">".repeat(MAX_DEPTH * 3) + " deep";
        let mut events = ShallowEvents::new(pulldown_cmark::Parser::new(&markdown));
        let mut html = String::new();
        pulldown_cmark::html::push_html(&mut html, &mut events);
        assert!(events.flattened);
        assert_eq!(html.matches("<blockquote>").count(), MAX_DEPTH);
        assert_eq!(html.matches("</blockquote>").count(), MAX_DEPTH);
        assert!(html.contains("deep"));
    }

    #[test]
    fn shallow_html_is_left_alone() {
        let html = "<div><p>a</p><br><p>b".repeat(100);
        assert_eq!(limit(&html), None);
    }

    #[test]
    fn deep_nesting_is_capped_and_content_kept() {
        let html = format!(
            "{}x{}",
            "<div class=\"a>b\">".repeat(1000),
            "</div>".repeat(1000)
        );
        let limited = limit(&html).unwrap();
        assert_eq!(depth(&limited), MAX_DEPTH);
        assert!(limited.contains('x'));
        assert_eq!(
            limited.matches("<div").count(),
            limited.matches("</div>").count()
        );
    }

    #[test]
    fn unclosed_tags_and_optional_ends() {
        let unclosed = "<blockquote>".repeat(5000) + "deep";
        let limited = limit(&unclosed).unwrap();
        assert_eq!(limited.matches("<blockquote>").count(), MAX_DEPTH);
        assert!(limited.ends_with("deep"));
        let paragraphs = "<p>one".repeat(5000);
        assert_eq!(limit(&paragraphs), None);
    }

    #[test]
    fn comments_and_text_angles_are_not_tags() {
        let html = format!("<!-- {} -->", "<div>".repeat(500)) + &"a < b ".repeat(300);
        assert_eq!(limit(&html), None);
    }
}
