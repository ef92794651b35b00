//! The package document: metadata, manifest and spine.

use crate::publication::Publication;
use crate::typeset::Layout;
use crate::xml::escape;

/// Name of the package document inside the publication folder.
pub const OPF_NAME: &str = "package.opf";

/// One manifest item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    /// Manifest id (an XML name).
    pub id: String,
    /// Path relative to the package document.
    pub href: String,
    /// Media type.
    pub media_type: String,
    /// `properties` attribute, if any.
    pub properties: Option<&'static str>,
    /// Whether it is read in order (in the spine).
    pub in_spine: bool,
}

/// `dcterms:modified` for `seconds` since 1970, e.g. `2024-05-01T08:00:00Z`.
pub fn modified_stamp(seconds: i64) -> String {
    let t = timestamp(seconds);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

/// `seconds` since 1970 as a UTC date, clamped to years 1980–9999.
pub fn timestamp(seconds: i64) -> time::OffsetDateTime {
    const MIN: i64 = 315_532_800; // 1980-01-01, the zip format's first day
    const MAX: i64 = 253_402_300_799; // 9999-12-31T23:59:59
    time::OffsetDateTime::from_unix_timestamp(seconds.clamp(MIN, MAX))
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH)
}

/// schema.org accessibility metadata: what the book offers and needs.
fn accessibility(items: &[Item]) -> String {
    let has_images = items.iter().any(|i| i.id.starts_with("img-"));
    let mut meta = vec![("accessMode", "textual")];
    if has_images {
        meta.push(("accessMode", "visual"));
    }
    meta.extend([
        ("accessModeSufficient", "textual"),
        ("accessibilityFeature", "structuralNavigation"),
        ("accessibilityFeature", "tableOfContents"),
        ("accessibilityFeature", "readingOrder"),
        ("accessibilityHazard", "none"),
    ]);
    let mut out = String::new();
    for (property, value) in meta {
        out.push_str(&format!(
            "<meta property=\"schema:{property}\">{value}</meta>\n"
        ));
    }
    let summary = if has_images {
        "Text with headings, a table of contents and a logical reading order; images carry the author's alternative text."
    } else {
        "Text only, with headings, a table of contents and a logical reading order."
    };
    out.push_str(&format!(
        "<meta property=\"schema:accessibilitySummary\" xml:lang=\"en\">{summary}</meta>\n"
    ));
    out
}

/// The package document of `publication` with `items` in the manifest.
pub fn package_document(publication: &Publication, items: &[Item]) -> String {
    let lang = escape(publication.lang);
    let mut out = String::with_capacity(2048 + items.len() * 120);
    out.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let has_font = items.iter().any(|i| i.id == "font");
    let prefix = if has_font {
        " prefix=\"ibooks: http://vocabulary.itunes.apple.com/rdf/ibooks/vocabulary-extensions-1.0/\""
    } else {
        ""
    };
    out.push_str(&format!(
        "<package xmlns=\"http://www.idpf.org/2007/opf\" version=\"3.0\" unique-identifier=\"book-id\" xml:lang=\"{lang}\"{prefix}>\n"
    ));
    out.push_str("<metadata xmlns:dc=\"http://purl.org/dc/elements/1.1/\">\n");
    out.push_str(&format!(
        "<dc:identifier id=\"book-id\">{}</dc:identifier>\n",
        escape(&publication.identifier.clone())
    ));
    out.push_str(&format!(
        "<dc:title id=\"title\">{}</dc:title>\n",
        escape(&publication.title.clone())
    ));
    for (i, author) in publication.authors.iter().enumerate() {
        let n = i + 1;
        out.push_str(&format!(
            "<dc:creator id=\"creator{n}\">{}</dc:creator>\n",
            escape(author)
        ));
        out.push_str(&format!(
            "<meta refines=\"#creator{n}\" property=\"role\" scheme=\"marc:relators\">aut</meta>\n"
        ));
    }
    out.push_str(&format!("<dc:language>{lang}</dc:language>\n"));
    out.push_str(&format!(
        "<meta property=\"dcterms:modified\">{}</meta>\n",
        modified_stamp(publication.modified)
    ));
    out.push_str("<meta name=\"cover\" content=\"cover-image\"/>\n");
    out.push_str(&accessibility(items));
    if has_font {
        // Apple Books shows embedded fonts only when told to.
        out.push_str("<meta property=\"ibooks:specified-fonts\">true</meta>\n");
    }
    if publication.layout == Layout::Vertical {
        out.push_str("<meta name=\"primary-writing-mode\" content=\"vertical-rl\"/>\n");
    }
    out.push_str("</metadata>\n<manifest>\n");
    for item in items {
        out.push_str(&format!(
            "<item id=\"{}\" href=\"{}\" media-type=\"{}\"",
            escape(&item.id),
            escape(&item.href),
            escape(&item.media_type)
        ));
        if let Some(properties) = item.properties {
            out.push_str(&format!(" properties=\"{properties}\""));
        }
        out.push_str("/>\n");
    }
    out.push_str(&format!(
        "</manifest>\n<spine toc=\"ncx\" page-progression-direction=\"{}\">\n",
        publication.layout.page_progression()
    ));
    for item in items.iter().filter(|i| i.in_spine) {
        out.push_str(&format!("<itemref idref=\"{}\"/>\n", escape(&item.id)));
    }
    out.push_str("</spine>\n</package>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::publication::sample;

    #[test]
    fn stamps_are_utc_and_clamped() {
        assert_eq!(modified_stamp(1_700_000_000), "2023-11-14T22:13:20Z");
        assert_eq!(modified_stamp(0), "1980-01-01T00:00:00Z");
    }

    #[test]
    fn metadata_and_direction() {
        let items = vec![Item {
            id: "c0001".into(),
            href: "c0001.xhtml".into(),
            media_type: "application/xhtml+xml".into(),
            properties: None,
            in_spine: true,
        }];
        let opf = package_document(&sample(true), &items);
        assert!(opf.contains("xml:lang=\"zh-Hans\""));
        assert!(opf.contains("<dc:language>zh-Hans</dc:language>"));
        assert!(opf.contains("<dc:title id=\"title\">书（试读）</dc:title>"));
        assert!(opf.contains("page-progression-direction=\"ltr\""));
        assert!(!opf.contains("primary-writing-mode"));
        let mut full = sample(false);
        full.layout = Layout::Vertical;
        let opf = package_document(&full, &items);
        assert!(opf.contains("page-progression-direction=\"rtl\""));
        assert!(opf.contains("<meta name=\"primary-writing-mode\" content=\"vertical-rl\"/>"));
        assert!(opf.contains("<itemref idref=\"c0001\"/>"));
    }
}
