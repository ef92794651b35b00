//! The one list of what a book holds. Typesetting makes a [`Resource`] of
//! every page, stylesheet and image; packaging adds the navigation and the
//! font; then the package document's manifest and spine, the navigation's
//! landmarks, the guard and the zip writer all read the same list, so
//! nothing is kept in step by hand.

use std::borrow::Cow;

use crate::typeset::Page;
use crate::typeset::cover::COVER_IMAGE;

/// Media type of XHTML documents.
pub const XHTML: &str = "application/xhtml+xml";
/// Media type of stylesheets.
pub const CSS: &str = "text/css";
/// Media type of the NCX.
pub const NCX: &str = "application/x-dtbncx+xml";

/// One file of the publication, in reading and packing order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resource<'a> {
    /// Manifest id (an XML name, unique in the book).
    pub id: String,
    /// Path relative to the package document.
    pub href: String,
    /// Media type.
    pub media_type: &'static str,
    /// Manifest `properties` (`nav`, `cover-image`), if any.
    pub properties: Option<&'static str>,
    /// Whether it is read in order (listed in the spine).
    pub in_spine: bool,
    /// The navigation landmark it is, if any.
    pub landmark: Option<Landmark>,
    /// Its contents.
    pub bytes: Bytes<'a>,
}

/// A landmark of the navigation document: a structural part of the book.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Landmark {
    /// Its `epub:type` (`cover`, `titlepage`, `toc`, `bodymatter`).
    pub kind: &'static str,
    /// Its label.
    pub label: String,
}

/// What a resource holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Bytes<'a> {
    /// The same in every book this program writes (the built-in
    /// stylesheets): the zip writer compresses it once per process.
    Fixed(&'static [u8]),
    /// Made for this book, or borrowed from its sources.
    Book(Cow<'a, [u8]>),
    /// A page packaging has checked and compressed already, as a one-entry
    /// zip archive: a huge book is not held as text page after page.
    Packed(Vec<u8>),
}

impl Bytes<'_> {
    /// The contents, unless they were packed already.
    pub fn as_slice(&self) -> Option<&[u8]> {
        match self {
            Bytes::Fixed(bytes) => Some(bytes),
            Bytes::Book(bytes) => Some(bytes),
            Bytes::Packed(_) => None,
        }
    }
}

impl<'a> Resource<'a> {
    /// A resource read out of order (not in the spine), without properties.
    pub fn file(
        id: impl Into<String>,
        href: impl Into<String>,
        media_type: &'static str,
        bytes: Bytes<'a>,
    ) -> Self {
        Resource {
            id: id.into(),
            href: href.into(),
            media_type,
            properties: None,
            in_spine: false,
            landmark: None,
            bytes,
        }
    }

    /// An XHTML page read in order; its id is its name without `.xhtml`.
    pub fn page(page: Page) -> Self {
        Resource::page_holding(page.name, Bytes::Book(Cow::Owned(page.xhtml.into_bytes())))
    }

    /// The XHTML page `name`, read in order, holding `bytes`.
    pub fn page_holding(name: String, bytes: Bytes<'a>) -> Self {
        let id = name.trim_end_matches(".xhtml").to_string();
        Resource {
            in_spine: true,
            ..Resource::file(id, name, XHTML, bytes)
        }
    }

    /// This resource with manifest `properties`.
    pub fn with_properties(self, properties: &'static str) -> Self {
        Resource {
            properties: Some(properties),
            ..self
        }
    }

    /// This resource as the landmark `kind` labelled `label`.
    pub fn with_landmark(self, kind: &'static str, label: impl Into<String>) -> Self {
        Resource {
            landmark: Some(Landmark {
                kind,
                label: label.into(),
            }),
            ..self
        }
    }

    /// Whether it is an XML document (XHTML, NCX, SVG).
    pub fn is_xml(&self) -> bool {
        is_xml(self.media_type)
    }

    /// Whether it is an image shown in the text (not the cover).
    pub fn is_content_image(&self) -> bool {
        self.media_type.starts_with("image/") && self.properties != Some(COVER_IMAGE)
    }

    /// Whether it is a font.
    pub fn is_font(&self) -> bool {
        self.media_type.starts_with("font/")
    }
}

/// Whether `media_type` is an XML document type.
pub fn is_xml(media_type: &str) -> bool {
    media_type == XHTML || media_type.ends_with("+xml")
}

/// Whether files of `media_type` are compressed already (raster images),
/// so deflating them again would only cost time.
pub fn is_compressed(media_type: &str) -> bool {
    matches!(
        media_type,
        "image/jpeg" | "image/png" | "image/gif" | "image/webp" | "font/woff" | "font/woff2"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn media_types_say_what_a_file_is() {
        for xml in [XHTML, NCX, "image/svg+xml", "application/oebps-package+xml"] {
            assert!(is_xml(xml), "{xml}");
        }
        assert!(!is_xml(CSS) && !is_xml("image/png"));
        assert!(is_compressed("image/jpeg") && is_compressed("image/webp"));
        assert!(!is_compressed("image/svg+xml") && !is_compressed("font/otf"));
    }

    #[test]
    fn a_page_is_read_in_order_under_its_stem() {
        let page = Resource::page(Page {
            name: "c0001-2.xhtml".into(),
            xhtml: "<p/>".into(),
        });
        assert_eq!((page.id.as_str(), page.in_spine), ("c0001-2", true));
        assert_eq!(page.bytes.as_slice(), Some(&b"<p/>"[..]));
        let cover = Resource::file("c", "images/c.png", "image/png", Bytes::Fixed(b""))
            .with_properties(COVER_IMAGE);
        assert!(!cover.is_content_image());
    }
}
