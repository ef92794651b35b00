//! Bounds raw HTML before an HTML parser sees it: caps how deeply
//! elements nest, in Markdown events and in HTML, and rewrites HTML tag soup
//! as balanced markup that html5ever parses without repairs.
//!
//! html5ever's tree builder is quadratic or worse on hostile tag soup: it
//! checks the stack of open elements for every tag (100,000 nested `<div>`s
//! took four minutes), runs the adoption agency for every misnested
//! formatting end tag (`<b><i><a>x<div>y</b>` repeated took over a minute),
//! and reopens every formatting element a block closed implicitly, in every
//! later paragraph (100 unclosed `<b>`s before 200,000 `<p>`s made 20 million
//! elements and exhausted 6 GB). [`balance`] is a linear scan that builds
//! the element tree itself, as html5ever would, with three differences that
//! bound the work: it drops the tags of elements nested deeper than
//! [`MAX_DEPTH`] (browsers cap depth too, WebKit and Blink at 512), it
//! closes every element explicitly instead of reopening formatting elements
//! (text keeps its place, misnested formatting ends where it is closed), and
//! it keeps only the elements and attributes the sanitiser allows. What it
//! writes is balanced and nested the way html5ever nests it, so the parsers
//! that follow build exactly its tree, with no element reopened.

use pulldown_cmark::{Event, Tag, TagEnd};

use crate::parse::sanitize::{self, DROP_WITH_CONTENT, TAGS, VOID};

/// The deepest element nesting kept.
pub const MAX_DEPTH: usize = 100;

/// Markdown events with the starts and ends of lists, items, quotes and
/// definition lists (terms, definitions)
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
                Event::Start(
                    Tag::List(_)
                    | Tag::Item
                    | Tag::BlockQuote(_)
                    | Tag::DefinitionList
                    | Tag::DefinitionListTitle
                    | Tag::DefinitionListDefinition,
                ) => {
                    let keep = self.open.len() < MAX_DEPTH;
                    self.open.push(keep);
                    keep
                }
                Event::End(
                    TagEnd::List(_)
                    | TagEnd::Item
                    | TagEnd::BlockQuote(_)
                    | TagEnd::DefinitionList
                    | TagEnd::DefinitionListTitle
                    | TagEnd::DefinitionListDefinition,
                ) => self.open.pop().unwrap_or(true),
                _ => true,
            };
            if keep {
                return Some(event);
            }
            self.flattened = true;
        }
    }
}

/// Elements whose content is text to the HTML tokenizer: an unclosed one
/// swallows the rest of the input.
const RAW_TEXT: &[&str] = &[
    "script",
    "style",
    "xmp",
    "iframe",
    "noembed",
    "noframes",
    "noscript",
    "textarea",
    "title",
    "plaintext",
];

/// Elements that close an open `p` when they start (HTML's "close a p element").
const CLOSE_P: &[&str] = &[
    "blockquote",
    "div",
    "dl",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "li",
    "ol",
    "p",
    "pre",
    "table",
    "ul",
];

/// Allowed elements that are "special" to the HTML parser: an `li` never
/// closes an `li` outside one of these (except `div` and `p`).
const SPECIAL: &[&str] = &[
    "blockquote",
    "dd",
    "div",
    "dl",
    "dt",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "li",
    "ol",
    "p",
    "pre",
    "table",
    "tbody",
    "td",
    "tfoot",
    "th",
    "thead",
    "tr",
    "ul",
];

/// Elements that bound a scope: an element below one of them is not "in
/// scope" for tags above it.
const SCOPE_BOUNDARIES: &[&str] = &["table", "td", "th"];

/// The most cells kept in a table row: no reader lays out more columns
/// (the sanitiser caps `colspan` at 1,000 too), and Markdown pads every row
/// to the header's width, so a header of 50,000 columns made 50,000 cells
/// a row. Later cells' content joins the last cell kept.
pub const MAX_CELLS_PER_ROW: usize = 1000;

/// The elements of a table's structure.
const TABLE_PARTS: &[&str] = &["table", "thead", "tbody", "tfoot", "tr", "td", "th"];

/// Table elements in which only other table elements may start.
const TABLE_ROWS: &[&str] = &["table", "thead", "tbody", "tfoot", "tr"];

const HEADINGS: &[&str] = &["h1", "h2", "h3", "h4", "h5", "h6"];

/// HTML rewritten by [`balance`].
#[derive(Debug, PartialEq, Eq)]
pub struct Balanced {
    /// Balanced markup with only allowed elements and attributes.
    pub html: String,
    /// Whether elements nested deeper than [`MAX_DEPTH`] lost their tags.
    pub flattened: bool,
}

/// Rewrites `html` as balanced markup of allowed elements at most
/// [`MAX_DEPTH`] deep, in time linear in its length: each element's tags
/// are written explicitly where html5ever would end or reopen it implicitly;
/// elements the sanitiser removes lose their tags (or their content, for
/// those it removes with content), and so do comments and stray end tags.
pub fn balance(html: &str) -> Balanced {
    let mut balancer = Balancer {
        html,
        out: String::with_capacity(html.len() + html.len() / 8),
        open: Vec::new(),
        rows: Vec::new(),
        flattened: false,
        no_end_after: Vec::new(),
    };
    balancer.run();
    Balanced {
        html: balancer.out,
        flattened: balancer.flattened,
    }
}

/// A tag as the HTML tokenizer reads it.
struct ParsedTag<'a> {
    /// Lowercase name.
    name: String,
    /// Attribute names (lowercase) and raw values.
    attributes: Vec<(String, &'a str)>,
    /// Index just past the tag's `>`.
    end: usize,
}

struct Balancer<'a> {
    html: &'a str,
    out: String,
    /// The open allowed elements, innermost last; never more than [`MAX_DEPTH`].
    open: Vec<&'static str>,
    /// Per open `tr`, innermost last: how many cells it has.
    rows: Vec<usize>,
    flattened: bool,
    /// Elements removed with content whose end tag was looked for in vain
    /// from a position on: no search from there on can succeed either.
    no_end_after: Vec<(&'static str, usize)>,
}

impl Balancer<'_> {
    fn run(&mut self) {
        let html = self.html;
        let bytes = html.as_bytes();
        let mut at = 0;
        while at < html.len() {
            let Some(found) = html[at..].find('<') else {
                self.out.push_str(&html[at..]);
                break;
            };
            let start = at + found;
            self.out.push_str(&html[at..start]);
            at = match bytes.get(start + 1) {
                Some(b'!') if html[start..].starts_with("<!--") => comment_end(html, start),
                Some(b'!' | b'?') => html[start..]
                    .find('>')
                    .map_or(html.len(), |e| start + e + 1),
                Some(b'/') if bytes.get(start + 2).is_some_and(u8::is_ascii_alphabetic) => {
                    match parse_tag(html, start) {
                        Some(tag) => {
                            self.end_tag(&tag.name);
                            tag.end
                        }
                        None => html.len(),
                    }
                }
                Some(b'/') => html[start..]
                    .find('>')
                    .map_or(html.len(), |e| start + e + 1),
                Some(b) if b.is_ascii_alphabetic() => match parse_tag(html, start) {
                    Some(tag) => self.start_tag(&tag),
                    None => html.len(),
                },
                _ => {
                    self.out.push_str("&lt;");
                    start + 1
                }
            };
        }
        self.close_from(0);
    }

    /// Handles a start tag; returns where scanning goes on.
    fn start_tag(&mut self, tag: &ParsedTag) -> usize {
        if let Some(&name) = DROP_WITH_CONTENT
            .iter()
            .find(|n| **n == tag.name)
            .or_else(|| RAW_TEXT.iter().find(|n| **n == tag.name))
        {
            return self.skip_content(name, tag.end);
        }
        let Some(&name) = TAGS.iter().find(|n| **n == tag.name) else {
            return tag.end;
        };
        let in_rows = self.open.last().is_some_and(|top| TABLE_ROWS.contains(top));
        if in_rows
            && !TABLE_PARTS.contains(&name)
            && let Some(table) = self.open.iter().rposition(|n| *n == "table")
        {
            // Only cells hold content in a table: HTML moves other content
            // out in front of the table. Ending the table keeps it in order.
            self.close_from(table);
        }
        match name {
            "td" | "th" => {
                if self.in_full_row() {
                    return tag.end;
                }
                if !self.open_table_part() {
                    return tag.end;
                }
                match self.open.last().copied() {
                    Some("table") => {
                        self.push("tbody", &[]);
                        self.push("tr", &[]);
                    }
                    Some("thead" | "tbody" | "tfoot") => self.push("tr", &[]),
                    _ => {}
                }
            }
            "tr" => {
                if !self.open_table_part() {
                    return tag.end;
                }
                if self.open.last() == Some(&"tr") {
                    self.close_from(self.open.len() - 1);
                }
                if self.open.last() == Some(&"table") {
                    self.push("tbody", &[]);
                }
            }
            "thead" | "tbody" | "tfoot" => {
                let Some(table) = self.open.iter().rposition(|n| *n == "table") else {
                    return tag.end;
                };
                self.close_from(table + 1);
            }
            "table" => {
                self.close_p();
                if in_rows && let Some(table) = self.open.iter().rposition(|n| *n == "table") {
                    self.close_from(table);
                }
            }
            "li" | "dd" | "dt" => {
                // An item ends the open item of its kind (a term or a definition ends either).
                let ends = |open: &str| match name {
                    "li" => open == "li",
                    _ => matches!(open, "dd" | "dt"),
                };
                for index in (0..self.open.len()).rev() {
                    match self.open[index] {
                        open if ends(open) => {
                            self.close_from(index);
                            break;
                        }
                        "div" | "p" => {}
                        other if SPECIAL.contains(&other) => break,
                        _ => {}
                    }
                }
                self.close_p();
            }
            "a" => {
                for index in (0..self.open.len()).rev() {
                    match self.open[index] {
                        "a" => {
                            self.close_from(index);
                            break;
                        }
                        "td" | "th" => break,
                        _ => {}
                    }
                }
            }
            // In ruby, HTML ends the elements whose end tags are implied (a reading, a paragraph).
            "rt" if self.in_scope("ruby").is_some() => {
                while matches!(self.open.last(), Some(&("p" | "li" | "rt"))) {
                    self.close_from(self.open.len() - 1);
                }
            }
            _ if CLOSE_P.contains(&name) => {
                self.close_p();
                if HEADINGS.contains(&name)
                    && self.open.last().is_some_and(|top| HEADINGS.contains(top))
                {
                    self.close_from(self.open.len() - 1);
                }
            }
            _ => {}
        }
        if VOID.contains(&name) {
            self.write_start(name, &tag.attributes);
        } else {
            self.push(name, &tag.attributes);
        }
        tag.end
    }

    /// Handles an end tag: closes the innermost open element of that name
    /// and every element inside it; a stray end tag is dropped.
    fn end_tag(&mut self, name: &str) {
        // The last cell of a full row stays open for the content of those left out.
        if matches!(name, "td" | "th") && self.in_full_row() {
            return;
        }
        if let Some(index) = self.open.iter().rposition(|n| *n == name) {
            self.close_from(index);
        }
    }

    /// Before a table part starts: closes whatever is open inside the
    /// innermost table, cell or row, and the cell itself. `false` when no
    /// table is open.
    fn open_table_part(&mut self) -> bool {
        let Some(part) = self.open.iter().rposition(|n| {
            matches!(
                *n,
                "table" | "thead" | "tbody" | "tfoot" | "tr" | "td" | "th"
            )
        }) else {
            return false;
        };
        let cell = matches!(self.open[part], "td" | "th");
        self.close_from(part + usize::from(!cell));
        true
    }

    /// Whether the innermost open table part is a row, or a cell of a row,
    /// that has [`MAX_CELLS_PER_ROW`] cells already.
    fn in_full_row(&self) -> bool {
        let part = self.open.iter().rev().find(|n| TABLE_PARTS.contains(n));
        matches!(part, Some(&("tr" | "td" | "th")))
            && self
                .rows
                .last()
                .is_some_and(|&cells| cells >= MAX_CELLS_PER_ROW)
    }

    /// Closes the `p` in button scope, if any, with everything inside it.
    fn close_p(&mut self) {
        if let Some(index) = self.in_scope("p") {
            self.close_from(index);
        }
    }

    /// The index of the innermost open `name` not hidden behind a table or cell.
    fn in_scope(&self, name: &str) -> Option<usize> {
        for (index, open) in self.open.iter().enumerate().rev() {
            if *open == name {
                return Some(index);
            }
            if SCOPE_BOUNDARIES.contains(open) {
                return None;
            }
        }
        None
    }

    /// Opens element `name`, unless that would nest deeper than [`MAX_DEPTH`].
    fn push(&mut self, name: &'static str, attributes: &[(String, &str)]) {
        if self.open.len() >= MAX_DEPTH {
            self.flattened = true;
            return;
        }
        self.write_start(name, attributes);
        self.open.push(name);
        match name {
            "tr" => self.rows.push(0),
            "td" | "th" => {
                if let Some(cells) = self.rows.last_mut() {
                    *cells += 1;
                }
            }
            _ => {}
        }
    }

    fn write_start(&mut self, name: &str, attributes: &[(String, &str)]) {
        self.out.push('<');
        self.out.push_str(name);
        for (index, (key, value)) in attributes.iter().enumerate() {
            // HTML keeps the first of repeated attributes.
            let repeated = attributes[..index].iter().any(|(k, _)| k == key);
            if repeated || !sanitize::allows_attribute(name, key) {
                continue;
            }
            self.out.push(' ');
            self.out.push_str(key);
            self.out.push_str("=\"");
            self.out.push_str(&value.replace('"', "&quot;"));
            self.out.push('"');
        }
        self.out.push('>');
    }

    /// Closes the open elements from `index` on, innermost first.
    fn close_from(&mut self, index: usize) {
        for name in self.open.drain(index..).rev() {
            if name == "tr" {
                self.rows.pop();
            }
            self.out.push_str("</");
            self.out.push_str(name);
            self.out.push('>');
        }
    }

    /// Skips the content of element `name` removed with it, whose start tag
    /// ends at `from`: up to its end tag. Without one, text-only elements
    /// swallow the rest (as they do in HTML); others lose only their start tag.
    fn skip_content(&mut self, name: &'static str, from: usize) -> usize {
        let known_missing = self
            .no_end_after
            .iter()
            .any(|(n, after)| *n == name && *after <= from);
        if !known_missing && let Some(end) = find_end_tag(self.html, from, name) {
            return end;
        }
        if !known_missing {
            self.no_end_after.push((name, from));
        }
        if RAW_TEXT.contains(&name) {
            self.html.len()
        } else {
            from
        }
    }
}

/// The index just past the comment starting at `start` (`<!--`): HTML ends
/// it at `-->` or `--!>`, and `<!-->` and `<!--->` are whole comments.
fn comment_end(html: &str, start: usize) -> usize {
    let body = &html[start + 2..];
    let ends = [
        body.find("-->").map(|e| e + 3),
        body.find("--!>").map(|e| e + 4),
    ];
    ends.into_iter()
        .flatten()
        .min()
        .map_or(html.len(), |e| start + 2 + e)
}

/// The index just past the end tag `</name…>` after `from`, if there is one.
fn find_end_tag(html: &str, from: usize, name: &str) -> Option<usize> {
    let bytes = html.as_bytes();
    let mut at = from;
    while let Some(found) = html[at..].find("</") {
        let start = at + found;
        let after = start + 2 + name.len();
        let matches = bytes
            .get(start + 2..after)
            .is_some_and(|n| n.eq_ignore_ascii_case(name.as_bytes()))
            && bytes
                .get(after)
                .is_none_or(|b| b.is_ascii_whitespace() || *b == b'/' || *b == b'>');
        if matches {
            return Some(parse_tag(html, start).map_or(html.len(), |tag| tag.end));
        }
        at = start + 2;
    }
    None
}

/// Reads the tag starting at `start` (`<` then a letter, or `</` then a
/// letter) the way the HTML tokenizer does; `None` when the input ends
/// inside it (the tokenizer then drops it).
fn parse_tag(html: &str, start: usize) -> Option<ParsedTag<'_>> {
    let bytes = html.as_bytes();
    let closing = bytes[start + 1] == b'/';
    let is_space = |b: u8| matches!(b, b'\t' | b'\n' | b'\x0c' | b'\r' | b' ');
    let name_start = start + 1 + usize::from(closing);
    let mut at = name_start;
    while at < bytes.len() && !is_space(bytes[at]) && bytes[at] != b'/' && bytes[at] != b'>' {
        at += 1;
    }
    let name = html[name_start..at].to_ascii_lowercase();
    let mut attributes = Vec::new();
    loop {
        // Before an attribute name.
        while at < bytes.len() && (is_space(bytes[at]) || bytes[at] == b'/') {
            at += 1;
        }
        match bytes.get(at) {
            None => return None,
            Some(b'>') => break,
            _ => {}
        }
        // The name; a leading `=` belongs to it.
        let key_start = at;
        at += 1;
        while at < bytes.len() && !is_space(bytes[at]) && !matches!(bytes[at], b'/' | b'>' | b'=') {
            at += 1;
        }
        let key = html[key_start..at].to_ascii_lowercase();
        while at < bytes.len() && is_space(bytes[at]) {
            at += 1;
        }
        if bytes.get(at) != Some(&b'=') {
            attributes.push((key, ""));
            continue;
        }
        at += 1;
        while at < bytes.len() && is_space(bytes[at]) {
            at += 1;
        }
        let value = match bytes.get(at) {
            None => return None,
            Some(&quote @ (b'"' | b'\'')) => {
                let close = html[at + 1..].find(char::from(quote))? + at + 1;
                let value = &html[at + 1..close];
                at = close + 1;
                value
            }
            Some(b'>') => "",
            Some(_) => {
                let value_start = at;
                while at < bytes.len() && !is_space(bytes[at]) && bytes[at] != b'>' {
                    at += 1;
                }
                &html[value_start..at]
            }
        };
        attributes.push((key, value));
    }
    Some(ParsedTag {
        name,
        attributes,
        end: at + 1,
    })
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
    fn deep_definition_lists_are_flattened_to_the_limit() {
        let markdown = "term\n: ".repeat(MAX_DEPTH * 2) + "deep";
        let mut events = ShallowEvents::new(pulldown_cmark::Parser::new_ext(
            &markdown,
            pulldown_cmark::Options::ENABLE_DEFINITION_LIST,
        ));
        let mut html = String::new();
        pulldown_cmark::html::push_html(&mut html, &mut events);
        assert!(html.contains("<dl>"), "{html}");
        assert!(depth(&html) <= MAX_DEPTH + 1, "{}", depth(&html));
    }

    #[test]
    fn terms_and_definitions_end_each_other_as_html_does() {
        assert_eq!(
            balance("<dl><dt>a<dd>b<p>c<dt>d<dd>e</dl>").html,
            "<dl><dt>a</dt><dd>b<p>c</p></dd><dt>d</dt><dd>e</dd></dl>"
        );
        // A list item bounds them, as it bounds items: html5ever nests them there.
        assert_eq!(
            balance("<dl><dd><ul><li>e<dd>f</dl>").html,
            "<dl><dd><ul><li>e<dd>f</dd></li></ul></dd></dl>"
        );
        assert_eq!(
            balance("<dl><dd><ul><li>a<li>b</ul></dl>").html,
            "<dl><dd><ul><li>a</li><li>b</li></ul></dd></dl>"
        );
        // A definition list closes a paragraph.
        assert_eq!(
            balance("<p>a<dl><dt>b</dl>").html,
            "<p>a</p><dl><dt>b</dt></dl>"
        );
    }

    #[test]
    fn shallow_html_is_left_alone() {
        let html = "<div><p>a</p><br><p>b".repeat(MAX_DEPTH / 2);
        assert!(!balance(&html).flattened);
    }

    #[test]
    fn deep_nesting_is_capped_and_content_kept() {
        let html = format!(
            "{}x{}",
            "<div class=\"a>b\">".repeat(1000),
            "</div>".repeat(1000)
        );
        let balanced = balance(&html);
        assert!(balanced.flattened);
        let limited = balanced.html;
        assert_eq!(depth(&limited), MAX_DEPTH);
        assert!(limited.contains('x'));
        assert_eq!(
            limited,
            "<div>".repeat(MAX_DEPTH) + "x" + &"</div>".repeat(MAX_DEPTH)
        );
    }

    #[test]
    fn unclosed_tags_are_closed_and_optional_ends_written() {
        let unclosed = "<blockquote>".repeat(5000) + "deep";
        let balanced = balance(&unclosed);
        assert!(balanced.flattened);
        let limited = balanced.html;
        assert_eq!(
            limited,
            "<blockquote>".repeat(MAX_DEPTH) + "deep" + &"</blockquote>".repeat(MAX_DEPTH)
        );
        let paragraphs = "<p>one".repeat(5000);
        assert!(!balance(&paragraphs).flattened);
        assert_eq!(balance("<p>one<p>two").html, "<p>one</p><p>two</p>");
    }

    #[test]
    fn comments_and_text_angles_are_not_tags() {
        let html = format!("<!-- {} -->", "<div>".repeat(500)) + &"a < b ".repeat(300);
        assert!(!balance(&html).flattened);
        assert_eq!(balance("<!---->a<!-->b<!--->c<!-- x --!>d").html, "abcd");
        assert_eq!(
            balance("1 < 2 <3 </ 4> <?x> <!x> 5").html,
            "1 &lt; 2 &lt;3    5"
        );
    }

    #[test]
    fn misnested_formatting_ends_where_it_is_closed() {
        assert_eq!(
            balance("<b><i><a>x<div>y</b>z</a></i>").html,
            "<b><i><a>x<div>y</div></a></i></b>z"
        );
        assert_eq!(
            balance("<p><b>1<p>2</b><a>3<a>4").html,
            "<p><b>1</b></p><p>2<a>3</a><a>4</a></p>"
        );
        assert_eq!(
            balance("<ul><li><b>a<li>b<div><li>c</ul></p>").html,
            "<ul><li><b>a</b></li><li>b<div></div></li><li>c</li></ul>"
        );
        assert_eq!(balance("<h1>a<h2>b").html, "<h1>a</h1><h2>b</h2>");
        assert_eq!(
            balance("<ruby>漢<p>x<rt>かん</ruby>").html,
            "<ruby>漢<p>x</p><rt>かん</rt></ruby>"
        );
    }

    #[test]
    fn tables_get_their_rows_and_end_before_stray_content() {
        assert_eq!(
            balance("<table><td>1<td>2<tr><th>3<table><tr><td>4</table>5</table><td>6").html,
            "<table><tbody><tr><td>1</td><td>2</td></tr><tr><th>3<table><tbody><tr><td>4</td></tr></tbody></table>5</th></tr></tbody></table>6"
        );
        assert_eq!(
            balance("<table><tr><td>a</td></tr><table><thead><tr><td>b<tbody><tr><td>c").html,
            "<table><tbody><tr><td>a</td></tr></tbody></table><table><thead><tr><td>b</td></tr></thead><tbody><tr><td>c</td></tr></tbody></table>"
        );
        assert_eq!(
            balance("<p>a <table></p>\n<p><img src=\"i.svg\" alt=\"图\"></p><td>x").html,
            "<p>a </p><table>\n</table><p><img src=\"i.svg\" alt=\"图\"></p>x"
        );
    }

    #[test]
    fn rows_keep_at_most_the_maximum_of_cells() {
        let row = |cells: usize| format!("<tr>{}</tr>", "<td>c</td>".repeat(cells));
        let html = format!("<table>{}{}</table>", row(MAX_CELLS_PER_ROW + 500), row(3));
        let balanced = balance(&html).html;
        let expected = format!(
            "<table><tbody><tr>{}<td>{}</td></tr>{}</tbody></table>",
            "<td>c</td>".repeat(MAX_CELLS_PER_ROW - 1),
            "c".repeat(501),
            row(3)
        );
        assert_eq!(balanced, expected);
    }

    #[test]
    fn tags_are_read_as_html_reads_them() {
        assert_eq!(
            balance("<B TITLE=\"a>b\" x'y=1 title=z>t</b ><span title='\"'/>u").html,
            "<b title=\"a>b\">t</b><span title=\"&quot;\">u</span>"
        );
        assert_eq!(
            balance(
                "<a href=x onclick=\"y()\" style=z>l</a><img src=\"i.png\" alt=a onerror=b><br/>"
            )
            .html,
            "<a href=\"x\">l</a><img src=\"i.png\" alt=\"a\"><br>"
        );
        assert_eq!(balance("<div-x><div a=\"unterminated").html, "");
    }

    #[test]
    fn removed_elements_go_with_their_content() {
        assert_eq!(
            balance("<script><div></script >x<svg><p>y</svg>z<object><i>o</object><style>s").html,
            "xz"
        );
        assert_eq!(balance("<svg>kept<b>b</b>").html, "kept<b>b</b>");
        // An element with no end tag never makes the search for it quadratic.
        let many = "<svg>".repeat(50_000);
        assert_eq!(balance(&many).html, "");
    }

    /// html5ever parses balanced output into exactly the tree it describes:
    /// nothing is closed implicitly, so no formatting element is reopened.
    #[test]
    fn html5ever_repairs_nothing_in_balanced_output() {
        let hostile = [
            "<b><i><a>x<div>y</b>".repeat(50),
            "<a><div>x</a>".repeat(50),
            (0..30)
                .map(|n| format!("<b title={n}>"))
                .collect::<String>()
                + &"<p>x".repeat(50),
            // (Text directly in a table moves before it: that is all html5ever changes.)
            "<table><i> <td>1<p>p<tr><b>\n<th>3<li>l<table>".repeat(20),
            "<ul><li><em>a<li>b<ol><li><strong>c</ul><h2>h<h3>i<p>j<pre>k".repeat(20),
            "<p><q>a<blockquote>b</q><hr><span>c<table><tr><td>d</p>".repeat(12),
        ];
        for html in hostile {
            let balanced = balance(&html).html;
            let reparsed = scraper::Html::parse_fragment(&balanced);
            assert_eq!(reparsed.root_element().inner_html(), balanced, "{html}");
        }
    }
}
