//! Image files: which ones a book can hold, and a check that a file is what
//! its name says (a renamed file would make the book invalid).

use std::path::Path;

/// Extensions tried, in order, when looking for a cover by name.
pub const IMAGE_EXTENSIONS: &[&str] = &["jpg", "jpeg", "png", "webp", "svg"];

/// The media type of an image file judged by its extension, if EPUB readers
/// can show it.
pub fn image_type(path: &Path) -> Option<&'static str> {
    let ext = path.extension()?.to_str()?.to_ascii_lowercase();
    Some(match ext.as_str() {
        "jpg" | "jpeg" => "image/jpeg",
        "png" => "image/png",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "svg" => "image/svg+xml",
        _ => return None,
    })
}

/// Whether `data` starts like a file of `media_type`.
pub fn looks_like(media_type: &str, data: &[u8]) -> bool {
    match media_type {
        "image/jpeg" => data.starts_with(&[0xff, 0xd8, 0xff]),
        "image/png" => data.starts_with(b"\x89PNG\r\n\x1a\n"),
        "image/gif" => data.starts_with(b"GIF87a") || data.starts_with(b"GIF89a"),
        "image/webp" => data.len() >= 12 && &data[..4] == b"RIFF" && &data[8..12] == b"WEBP",
        "image/svg+xml" => {
            let text = String::from_utf8_lossy(&data[..data.len().min(4096)]);
            let text = text.trim_start_matches('\u{feff}').trim_start();
            text.starts_with('<') && text.contains("<svg")
        }
        _ => false,
    }
}

/// Why an SVG image cannot go into a book, if it cannot: it must be
/// well-formed XML with an `svg` root, run no script (`script`, `on*`
/// attributes, `foreignObject`) and reference nothing outside itself.
pub fn svg_problem(data: &[u8]) -> Option<String> {
    let text = match std::str::from_utf8(data) {
        Ok(text) => text.trim_start_matches('\u{feff}'),
        Err(_) => return Some("is not UTF-8 text".into()),
    };
    let options = roxmltree::ParsingOptions {
        allow_dtd: true,
        ..Default::default()
    };
    let doc = match roxmltree::Document::parse_with_options(text, options) {
        Ok(doc) => doc,
        Err(e) => return Some(format!("is not well-formed XML ({e})")),
    };
    if doc.root_element().tag_name().name() != "svg" {
        return Some("has no <svg> root element".into());
    }
    for node in doc.descendants().filter(|n| n.is_element()) {
        let name = node.tag_name().name();
        if name == "script" || name == "foreignObject" {
            return Some(format!("contains <{name}>, which e-books may not run"));
        }
        for attribute in node.attributes() {
            if attribute.name().starts_with("on") {
                return Some(format!("has an event attribute ({})", attribute.name()));
            }
            if attribute.name() == "href" && !attribute.value().starts_with('#') {
                return Some(format!(
                    "refers to {}, outside the image",
                    attribute.value()
                ));
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_and_signatures() {
        assert_eq!(image_type(Path::new("a/B.JPG")), Some("image/jpeg"));
        assert_eq!(image_type(Path::new("a.bmp")), None);
        assert!(looks_like("image/png", b"\x89PNG\r\n\x1a\n...."));
        assert!(!looks_like("image/png", b"GIF89a"));
        assert!(looks_like(
            "image/svg+xml",
            b"<?xml version=\"1.0\"?>\n<svg xmlns=\"\"/>"
        ));
        assert!(!looks_like("image/svg+xml", b"hello"));
    }

    #[test]
    fn svg_images_are_checked() {
        let ok = br##"<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"><use xlink:href="#a"/></svg>"##;
        assert_eq!(svg_problem(ok), None);
        for bad in [
            &br#"<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>"#[..],
            br#"<svg xmlns="http://www.w3.org/2000/svg" onload="x()"/>"#,
            br#"<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"><image xlink:href="a.png"/></svg>"#,
            br#"<svg><rect></svg>"#,
        ] {
            assert!(svg_problem(bad).is_some(), "{}", String::from_utf8_lossy(bad));
        }
    }
}
