//! Escaping for the XML that wenji writes (XHTML, OPF, NCX, SVG).

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
    fn hash_is_fnv1a() {
        assert_eq!(stable_hash(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(stable_hash(b"a"), 0xaf63_dc4c_8601_ec8c);
    }
}
