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
}
