//! Placeholder for the reader page's embedded files, with the API the serve
//! contract fixes; the page helper's `assets.rs` replaces it.

/// An embedded file the reader page needs.
pub struct Asset {
    /// Its `Content-Type`.
    pub content_type: &'static str,
    /// Its bytes.
    pub bytes: &'static [u8],
}

/// The embedded file served at `path` ("/" is the page), if any.
pub fn asset(path: &str) -> Option<Asset> {
    (path == "/").then_some(Asset {
        content_type: "text/html; charset=utf-8",
        bytes: b"<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>wenji</title></head>\n\
<body><p><a href=\"/book.epub\">preview</a> <a href=\"/book.full.epub\">full</a></p></body></html>\n",
    })
}
