//! Embedded fonts (`--font`): the font is cut down to the glyphs one edition
//! uses — so a preview's font reveals nothing of the paid text — by
//! HarfBuzz's subsetter, which keeps the layout tables vertical text needs
//! (the `vert` glyph substitutions and vertical metrics). The pure-Rust
//! subsetters (allsorts, subsetter) drop those tables, which would leave
//! punctuation misplaced in vertical books. HarfBuzz needs a C++ compiler and
//! libclang to build, so font embedding is the cargo feature `fonts`.

use std::collections::BTreeSet;

use crate::typeset::style::EMBEDDED_FAMILY;

/// Path of the embedded font inside the publication, without extension.
pub const FONT_STEM: &str = "fonts/embedded";
/// Path of the stylesheet that applies the embedded font.
pub const FONT_STYLESHEET: &str = "styles/font.css";

/// A font subset ready to pack.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmbeddedFont {
    /// Path inside the publication.
    pub href: String,
    /// `font/otf` or `font/ttf`.
    pub media_type: &'static str,
    /// The subset font.
    pub data: Vec<u8>,
    /// The stylesheet with its `@font-face` rule.
    pub css: String,
}

/// The characters of XHTML documents that readers will draw.
pub fn used_chars<'a>(documents: impl IntoIterator<Item = &'a str>) -> BTreeSet<char> {
    let mut chars = BTreeSet::new();
    for document in documents {
        let body = document
            .split_once("<body")
            .and_then(|(_, rest)| rest.split_once('>'))
            .map_or(document, |(_, body)| body);
        chars.extend(crate::xml::text_outside_tags(body).filter(|c| !c.is_control()));
    }
    chars
}

/// Subsets `font` to `chars`.
#[cfg(feature = "fonts")]
pub fn embed(font: &[u8], chars: &BTreeSet<char>) -> Result<EmbeddedFont, String> {
    let data = hb_subset::subset(font, chars.iter().copied())
        .map_err(|e| format!("font subsetting failed: {e}"))?;
    Ok(finish(data))
}

/// Without the `fonts` feature there is no subsetter.
#[cfg(not(feature = "fonts"))]
pub fn embed(_font: &[u8], _chars: &BTreeSet<char>) -> Result<EmbeddedFont, String> {
    Err(NOT_BUILT_IN.to_string())
}

/// How many of `chars` `font` has no glyph for (by its character map); an
/// error when HarfBuzz finds no glyphs in it at all.
#[cfg(feature = "fonts")]
pub fn missing_glyphs(font: &[u8], chars: &BTreeSet<char>) -> Result<usize, String> {
    let unreadable = || "HarfBuzz cannot read it".to_string();
    let blob = hb_subset::Blob::from_bytes(font).map_err(|_| unreadable())?;
    let face = hb_subset::FontFace::new(blob).map_err(|_| unreadable())?;
    if face.glyph_count() == 0 {
        return Err("HarfBuzz finds no glyphs in it".to_string());
    }
    let covered = face.covered_codepoints().map_err(|_| unreadable())?;
    Ok(chars.iter().filter(|&&c| !covered.contains(c)).count())
}

/// Without the `fonts` feature no font is read.
#[cfg(not(feature = "fonts"))]
pub fn missing_glyphs(_font: &[u8], _chars: &BTreeSet<char>) -> Result<usize, String> {
    Err(NOT_BUILT_IN.to_string())
}

/// Why `--font` fails in a wenji built without the `fonts` feature.
pub const NOT_BUILT_IN: &str = "this wenji was built without font embedding; reinstall it with `cargo install --locked --path . --features fonts` \
     (needs g++ and libclang)";

#[cfg_attr(not(feature = "fonts"), allow(dead_code))]
fn finish(data: Vec<u8>) -> EmbeddedFont {
    let (extension, media_type, format) = if data.starts_with(b"OTTO") {
        ("otf", "font/otf", "opentype")
    } else {
        ("ttf", "font/ttf", "truetype")
    };
    let href = format!("{FONT_STEM}.{extension}");
    let css = format!(
        "/* wenji: the embedded font, subset to this book's characters. */\n\
         @font-face {{\n  font-family: \"{EMBEDDED_FAMILY}\";\n  src: url(\"../{href}\") format(\"{format}\");\n}}\n\n\
         html body, html body:lang(zh-Hant), html body:lang(zh-TW), html body:lang(zh-HK), html body:lang(ja) {{\n  \
         font-family: \"{EMBEDDED_FAMILY}\", serif;\n}}\n"
    );
    EmbeddedFont {
        href,
        media_type,
        data,
        css,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_drawn_text_counts() {
        let doc = "<?xml version=\"1.0\"?><html><head><title>题目</title></head><body><p>甲&amp;乙</p></body></html>";
        let chars: String = used_chars([doc]).into_iter().collect();
        // Entities count by their letters: a few spare glyphs, never a missing one.
        assert_eq!(chars, "&;amp乙甲");
    }

    #[test]
    fn the_stylesheet_names_the_font() {
        let font = finish(b"OTTO....".to_vec());
        assert_eq!(font.href, "fonts/embedded.otf");
        assert!(
            font.css
                .contains("src: url(\"../fonts/embedded.otf\") format(\"opentype\")")
        );
    }
}
