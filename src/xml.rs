//! The XML that wenji writes (XHTML, OPF, NCX, SVG): one [`Writer`] that
//! escapes every text and attribute value once and closes what it opened,
//! so no document spells a closing tag by hand.

/// Builds one XML document in a string. It remembers the open elements:
/// [`Writer::end`] closes the innermost, and [`Writer::finish`] checks
/// (in debug builds) that none is left open.
#[derive(Debug, Default)]
pub struct Writer {
    out: String,
    /// The names of the open elements, one after another.
    names: String,
    /// Where each open element's name starts in `names`, outermost first.
    open: Vec<usize>,
}

impl Writer {
    /// An empty writer, for a fragment.
    pub fn new() -> Self {
        Writer::default()
    }

    /// A writer for a whole document, starting with the XML declaration.
    pub fn document() -> Self {
        let mut writer = Writer::new();
        writer
            .out
            .push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        writer
    }

    /// Writes a document type declaration (`<!DOCTYPE html>`) and a newline.
    pub fn doctype(&mut self, name: &str) -> &mut Self {
        self.out.push_str("<!DOCTYPE ");
        self.out.push_str(name);
        self.out.push_str(">\n");
        self
    }

    /// Opens element `name` with `attributes` (values are escaped).
    pub fn start(&mut self, name: &str, attributes: &[(&str, &str)]) -> &mut Self {
        self.tag(name, attributes);
        self.out.push('>');
        self.open.push(self.names.len());
        self.names.push_str(name);
        self
    }

    /// Writes element `name` with `attributes` and no content (`<name/>`).
    pub fn empty(&mut self, name: &str, attributes: &[(&str, &str)]) -> &mut Self {
        self.tag(name, attributes);
        self.out.push_str("/>");
        self
    }

    /// Writes element `name` with `attributes` holding only `text`.
    pub fn element(&mut self, name: &str, attributes: &[(&str, &str)], text: &str) -> &mut Self {
        self.start(name, attributes).text(text).end()
    }

    fn tag(&mut self, name: &str, attributes: &[(&str, &str)]) {
        open_tag_into(&mut self.out, name, attributes);
    }

    /// Writes `text`, escaped.
    pub fn text(&mut self, text: &str) -> &mut Self {
        escape_into(&mut self.out, text);
        self
    }

    /// Writes `markup` as it is: only for fragments that are already
    /// well-formed XML (a serialised page body).
    pub fn raw(&mut self, markup: &str) -> &mut Self {
        self.out.push_str(markup);
        self
    }

    /// Writes a line break.
    pub fn newline(&mut self) -> &mut Self {
        self.out.push('\n');
        self
    }

    /// Closes the innermost open element.
    pub fn end(&mut self) -> &mut Self {
        let Some(start) = self.open.pop() else {
            debug_assert!(false, "Writer::end with no open element");
            return self;
        };
        self.out.push_str("</");
        self.out.push_str(&self.names[start..]);
        self.out.push('>');
        self.names.truncate(start);
        self
    }

    /// Makes room for at least `additional` more bytes, so a large body is
    /// copied in once.
    pub fn reserve(&mut self, additional: usize) -> &mut Self {
        self.out.reserve(additional);
        self
    }

    /// How many bytes have been written so far.
    pub fn len(&self) -> usize {
        self.out.len()
    }

    /// Whether nothing has been written yet.
    pub fn is_empty(&self) -> bool {
        self.out.is_empty()
    }

    /// The document; every element must have been closed.
    pub fn finish(self) -> String {
        debug_assert!(
            self.open.is_empty(),
            "Writer::finish with <{}> still open",
            self.names
        );
        self.out
    }
}

/// Appends `<name key="value"…` (values escaped, the tag left open for
/// `>` or `/>`): the one place a start tag is spelled, for [`Writer`] and
/// for the document tree's serializer.
pub fn open_tag_into<V: AsRef<str>>(out: &mut String, name: &str, attributes: &[(&str, V)]) {
    out.push('<');
    out.push_str(name);
    for (key, value) in attributes {
        out.push(' ');
        out.push_str(key);
        out.push_str("=\"");
        escape_into(out, value.as_ref());
        out.push('"');
    }
}

/// Appends `text` to `out`, escaped for XML text and attribute values.
/// Characters XML 1.0 forbids (C0 controls, U+FFFE, U+FFFF) are dropped, so
/// no title, name or setting can make a document ill-formed.
pub fn escape_into(out: &mut String, text: &str) {
    let bytes = text.as_bytes();
    let mut last = 0;
    let mut i = 0;
    while i < bytes.len() {
        let (entity, len) = match bytes[i] {
            b'&' => ("&amp;", 1),
            b'<' => ("&lt;", 1),
            b'>' => ("&gt;", 1),
            b'"' => ("&quot;", 1),
            b if b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r') => ("", 1),
            0xef if matches!(bytes.get(i + 1..i + 3), Some([0xbf, 0xbe | 0xbf])) => ("", 3),
            _ => {
                i += 1;
                continue;
            }
        };
        out.push_str(&text[last..i]);
        out.push_str(entity);
        i += len;
        last = i;
    }
    out.push_str(&text[last..]);
}

/// `text` escaped for XML text and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    escape_into(&mut out, text);
    out
}

/// The characters of an XHTML fragment that are not inside tags.
pub fn text_outside_tags(xhtml: &str) -> impl Iterator<Item = char> + '_ {
    let mut in_tag = false;
    xhtml.chars().filter(move |&c| {
        let keep = !in_tag && c != '<';
        in_tag = (in_tag || c == '<') && c != '>';
        keep
    })
}

/// A stable 64-bit FNV-1a hash: the same on every machine and Rust version,
/// so names derived from it keep builds byte-identical.
pub fn stable_hash(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, &b| {
        (hash ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_characters() {
        assert_eq!(escape(r#"a<b>&"c"中"#), "a&lt;b&gt;&amp;&quot;c&quot;中");
        assert_eq!(
            escape("A\u{1}B\u{b}\u{fffe}\u{ffff}\u{fffd}\tC"),
            "AB\u{fffd}\tC"
        );
    }

    #[test]
    fn tags_are_not_text() {
        let text: String = text_outside_tags("<p a=\"b\">中<em>文</em></p>").collect();
        assert_eq!(text, "中文");
    }

    #[test]
    fn writer_escapes_once_and_closes_what_it_opened() {
        let mut w = Writer::document();
        w.doctype("html");
        w.start("html", &[("lang", "zh\"Hans")]).newline();
        w.start("body", &[]).start("p", &[("class", "a&b")]);
        w.text("<甲&乙>").empty("br", &[]).raw("<em>丙</em>");
        w.end().newline();
        w.element("h1", &[], "\u{1}题");
        w.end().end().newline();
        assert_eq!(
            w.finish(),
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!DOCTYPE html>\n\
             <html lang=\"zh&quot;Hans\">\n<body><p class=\"a&amp;b\">&lt;甲&amp;乙&gt;<br/><em>丙</em></p>\n\
             <h1>题</h1></body></html>\n"
        );
    }

    #[test]
    fn writer_counts_what_it_wrote() {
        let mut w = Writer::new();
        assert!(w.is_empty());
        w.element("p", &[], "文");
        assert_eq!(w.len(), "<p>文</p>".len());
    }

    #[test]
    #[should_panic(expected = "<section> still open")]
    #[cfg(debug_assertions)]
    fn finishing_with_an_open_element_is_a_bug() {
        let mut w = Writer::new();
        w.start("section", &[]);
        w.finish();
    }

    #[test]
    fn hash_is_fnv1a() {
        assert_eq!(stable_hash(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(stable_hash(b"a"), 0xaf63_dc4c_8601_ec8c);
    }
}
