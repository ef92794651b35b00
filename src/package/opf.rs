//! The package document: metadata, manifest and spine.

use crate::creator::Role;
use crate::metadata::About;
use crate::publication::Publication;
use crate::typeset::cover::COVER_IMAGE;
use crate::typeset::{Layout, Resource, resource};
use crate::xml::Writer;

/// Name of the package document inside the publication folder.
pub const OPF_NAME: &str = "package.opf";

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

/// The package document of `publication` holding `resources`.
pub fn package_document(publication: &Publication, resources: &[Resource]) -> String {
    let has_font = resources.iter().any(Resource::is_font);
    let mut out = Writer::document();
    let mut package = vec![
        ("xmlns", "http://www.idpf.org/2007/opf"),
        ("version", "3.0"),
        ("unique-identifier", "book-id"),
        ("xml:lang", publication.lang),
    ];
    if has_font {
        package.push(("prefix", IBOOKS_PREFIX));
    }
    out.start("package", &package).newline();
    metadata(&mut out, publication, resources);
    manifest(&mut out, resources);
    let mut spine = vec![(
        "page-progression-direction",
        publication.layout.page_progression(),
    )];
    if let Some(ncx) = resources.iter().find(|r| r.media_type == resource::NCX) {
        spine.insert(0, ("toc", &ncx.id));
    }
    out.start("spine", &spine).newline();
    for resource in resources.iter().filter(|r| r.in_spine) {
        out.empty("itemref", &[("idref", &resource.id)]).newline();
    }
    out.end().newline();
    out.end().newline();
    out.finish()
}

/// The vocabulary of `ibooks:` properties.
const IBOOKS_PREFIX: &str =
    "ibooks: http://vocabulary.itunes.apple.com/rdf/ibooks/vocabulary-extensions-1.0/";

/// The `metadata` element: identity, dates, accessibility, rendering.
fn metadata(out: &mut Writer, publication: &Publication, resources: &[Resource]) {
    out.start(
        "metadata",
        &[("xmlns:dc", "http://purl.org/dc/elements/1.1/")],
    )
    .newline();
    out.element(
        "dc:identifier",
        &[("id", "book-id")],
        &publication.identifier,
    )
    .newline();
    out.element("dc:title", &[("id", "title")], &publication.title)
        .newline();
    for (i, author) in publication.authors.iter().enumerate() {
        let id = format!("creator{}", i + 1);
        credit(out, "dc:creator", &id, author, Role::Author);
    }
    for (i, contributor) in publication.contributors.iter().enumerate() {
        let id = format!("contributor{}", i + 1);
        credit(
            out,
            "dc:contributor",
            &id,
            &contributor.name,
            contributor.role,
        );
    }
    // Every chapter's language, the main one first (EPUB 3 allows several).
    for lang in publication.languages {
        out.element("dc:language", &[], lang).newline();
    }
    about(out, publication.about);
    if let Some(isbn) = publication.isbn {
        let id = if isbn == publication.identifier {
            "book-id"
        } else {
            out.element("dc:identifier", &[("id", "isbn")], isbn)
                .newline();
            "isbn"
        };
        // ONIX code list 5, code 15: ISBN-13.
        let refines = format!("#{id}");
        let attributes = [
            ("refines", refines.as_str()),
            ("property", "identifier-type"),
            ("scheme", "onix:codelist5"),
        ];
        out.element("meta", &attributes, "15").newline();
    }
    let modified = modified_stamp(publication.modified);
    out.element("meta", &[("property", "dcterms:modified")], &modified)
        .newline();
    if let Some(cover) = resources.iter().find(|r| r.properties == Some(COVER_IMAGE)) {
        out.empty("meta", &[("name", "cover"), ("content", &cover.id)])
            .newline();
    }
    accessibility(out, resources.iter().any(Resource::is_content_image));
    if resources.iter().any(Resource::is_font) {
        // Apple Books shows embedded fonts only when told to.
        out.element("meta", &[("property", "ibooks:specified-fonts")], "true")
            .newline();
    }
    if publication.layout == Layout::Vertical {
        let mode = [("name", "primary-writing-mode"), ("content", "vertical-rl")];
        out.empty("meta", &mode).newline();
    }
    out.end().newline();
}

/// Description, publisher, date, subjects, rights and series, in that order.
fn about(out: &mut Writer, about: &About) {
    let texts = [
        ("dc:description", &about.description),
        ("dc:publisher", &about.publisher),
        ("dc:date", &about.date),
    ];
    for (element, text) in texts {
        if let Some(text) = text {
            out.element(element, &[], text).newline();
        }
    }
    for subject in &about.subjects {
        out.element("dc:subject", &[], subject).newline();
    }
    if let Some(rights) = &about.rights {
        out.element("dc:rights", &[], rights).newline();
    }
    if let Some(series) = &about.series {
        let collection = [("property", "belongs-to-collection"), ("id", "series")];
        out.element("meta", &collection, &series.name).newline();
        let kind = [("refines", "#series"), ("property", "collection-type")];
        out.element("meta", &kind, "series").newline();
        if let Some(position) = &series.position {
            let place = [("refines", "#series"), ("property", "group-position")];
            out.element("meta", &place, position).newline();
        }
    }
}

/// A `dc:creator` or `dc:contributor` `element` crediting `name` with `id`,
/// and its role as a MARC relator code (EPUB 3.3, D.1 "role").
fn credit(out: &mut Writer, element: &str, id: &str, name: &str, role: Role) {
    out.element(element, &[("id", id)], name).newline();
    let refines = format!("#{id}");
    let attributes = [
        ("refines", refines.as_str()),
        ("property", "role"),
        ("scheme", "marc:relators"),
    ];
    out.element("meta", &attributes, role.marc_code()).newline();
}

/// schema.org accessibility metadata: what the book offers and needs.
fn accessibility(out: &mut Writer, has_images: bool) {
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
    for (property, value) in meta {
        let property = format!("schema:{property}");
        out.element("meta", &[("property", &property)], value)
            .newline();
    }
    let summary = if has_images {
        "Text with headings, a table of contents and a logical reading order; images carry the author's alternative text."
    } else {
        "Text only, with headings, a table of contents and a logical reading order."
    };
    let attributes = [
        ("property", "schema:accessibilitySummary"),
        ("xml:lang", "en"),
    ];
    out.element("meta", &attributes, summary).newline();
}

/// The `manifest` element: every resource.
fn manifest(out: &mut Writer, resources: &[Resource]) {
    out.start("manifest", &[]).newline();
    for resource in resources {
        let mut attributes = vec![
            ("id", resource.id.as_str()),
            ("href", &resource.href),
            ("media-type", resource.media_type),
        ];
        attributes.extend(resource.properties.map(|p| ("properties", p)));
        out.empty("item", &attributes).newline();
    }
    out.end().newline();
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::publication::sample;
    use crate::typeset::{Bytes, Page};

    #[test]
    fn stamps_are_utc_and_clamped() {
        assert_eq!(modified_stamp(1_700_000_000), "2023-11-14T22:13:20Z");
        assert_eq!(modified_stamp(0), "1980-01-01T00:00:00Z");
    }

    #[test]
    fn metadata_and_direction() {
        let items = [Resource::page(Page {
            name: "c0001.xhtml".into(),
            xhtml: String::new(),
        })];
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

    #[test]
    fn every_creator_is_credited_with_a_marc_role() {
        use crate::creator::Creator;
        let contributors = [
            Creator::contributor_of("山田太郎訳").unwrap(),
            Creator::contributor_of("佐藤絵").unwrap(),
        ];
        let mut publication = sample(false);
        publication.contributors = &contributors;
        let opf = package_document(&publication, &[]);
        let credits: Vec<&str> = opf
            .lines()
            .filter(|l| l.contains("creator") || l.contains("contributor"))
            .collect();
        assert_eq!(
            credits,
            [
                "<dc:creator id=\"creator1\">某</dc:creator>",
                "<meta refines=\"#creator1\" property=\"role\" scheme=\"marc:relators\">aut</meta>",
                "<dc:contributor id=\"contributor1\">山田太郎</dc:contributor>",
                "<meta refines=\"#contributor1\" property=\"role\" scheme=\"marc:relators\">trl</meta>",
                "<dc:contributor id=\"contributor2\">佐藤</dc:contributor>",
                "<meta refines=\"#contributor2\" property=\"role\" scheme=\"marc:relators\">ill</meta>",
            ]
        );
    }

    #[test]
    fn isbn_and_series_are_refined() {
        use crate::metadata::{About, Series};
        let about = About {
            series: Some(Series {
                name: "丛书".into(),
                position: Some("3".into()),
            }),
            ..About::default()
        };
        let refined = |opf: &str| -> Vec<String> {
            opf.lines()
                .filter(|l| {
                    l.contains("refines=\"#series")
                        || l.contains("isbn")
                        || l.contains("collection")
                })
                .map(String::from)
                .collect()
        };
        let mut publication = sample(false);
        publication.about = &about;
        publication.identifier = "urn:isbn:9787532145676".into();
        publication.isbn = Some("urn:isbn:9787532145676");
        assert_eq!(
            refined(&package_document(&publication, &[])),
            [
                "<dc:identifier id=\"book-id\">urn:isbn:9787532145676</dc:identifier>",
                "<meta property=\"belongs-to-collection\" id=\"series\">丛书</meta>",
                "<meta refines=\"#series\" property=\"collection-type\">series</meta>",
                "<meta refines=\"#series\" property=\"group-position\">3</meta>",
            ]
        );
        let opf = package_document(&publication, &[]);
        assert!(opf.contains(
            "<meta refines=\"#book-id\" property=\"identifier-type\" scheme=\"onix:codelist5\">15</meta>"
        ));
        // With an identifier of its own, the ISBN is a second identifier.
        publication.identifier = "urn:uuid:x".into();
        let opf = package_document(&publication, &[]);
        assert!(opf.contains("<dc:identifier id=\"isbn\">urn:isbn:9787532145676</dc:identifier>\n<meta refines=\"#isbn\" property=\"identifier-type\" scheme=\"onix:codelist5\">15</meta>"));
        assert_eq!(opf.matches("identifier-type").count(), 1);
        // Without one (a preview), nothing of it.
        publication.isbn = None;
        let opf = package_document(&publication, &[]);
        assert!(!opf.contains("isbn") && !opf.contains("identifier-type"));
    }

    #[test]
    fn media_types_and_properties_drive_the_metadata() {
        let file = |id: &str, media_type| {
            Resource::file(id, format!("{id}.x"), media_type, Bytes::Fixed(b""))
        };
        let cover = file("cover-image", "image/png").with_properties(COVER_IMAGE);
        let plain = [cover.clone(), file("ncx", resource::NCX)];
        let opf = package_document(&sample(false), &plain);
        assert!(opf.contains("<meta name=\"cover\" content=\"cover-image\"/>"));
        assert!(opf.contains("<spine toc=\"ncx\" "));
        assert!(!opf.contains("visual") && !opf.contains("ibooks"));
        assert!(!opf.contains("<itemref"));
        let rich = [cover, file("photo", "image/jpeg"), file("f", "font/otf")];
        let opf = package_document(&sample(false), &rich);
        assert!(opf.contains(">visual</meta>"));
        assert!(opf.contains("prefix=\"ibooks: "));
        assert!(opf.contains("<meta property=\"ibooks:specified-fonts\">true</meta>"));
        assert!(opf.contains("<spine page-progression-direction=\"ltr\">"));
    }
}
