//! Stage 5: packaging. Writes the typeset publication as an EPUB 3 zip: the
//! stored `mimetype` first, then the container, package document, navigation,
//! styles, cover and chapters, all stamped with the book's modification time
//! so the same book always gives the same bytes.
//!
//! The `epub-builder` crate is not used: it cannot put `xml:lang` on the
//! package or the navigation document, set `page-progression-direction`
//! (its `epub_direction` is ignored), or add item properties, and 0.8.3
//! writes a duplicate id that EPUBCheck rejects. The `zip` crate does the
//! archive; the XML is small enough to write directly.

pub mod guard;
pub mod nav;
pub mod opf;

use std::io::{Cursor, Seek, Write};
use std::sync::LazyLock;

use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipArchive, ZipWriter};

use crate::publication::Publication;
use crate::typeset::{self, Layout, cover, font, style, xhtml};
use opf::Item;

/// The publication folder inside the archive.
const ROOT: &str = "OEBPS";

const CONTAINER: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
<container version=\"1.0\" xmlns=\"urn:oasis:names:tc:opendocument:xmlns:container\">\n\
<rootfiles>\n<rootfile full-path=\"OEBPS/package.opf\" media-type=\"application/oebps-package+xml\"/>\n\
</rootfiles>\n</container>\n";

const XHTML: &str = "application/xhtml+xml";

/// Entries smaller than this are stored, not deflated.
const MIN_DEFLATE_LEN: usize = 1024;

/// Why a book could not be packaged.
#[derive(Debug, thiserror::Error)]
pub enum PackageError {
    /// The zip writer failed.
    #[error("cannot write the book archive: {0}")]
    Zip(#[from] zip::result::ZipError),
    /// The font could not be subset.
    #[error("cannot embed the font: {0}; try another font or leave --font out")]
    Font(String),
    /// A paid marker shape reached the book's pages (see [`guard`]).
    #[error(
        "the book would show a paid marker (in {}, line {}): the text after it may be paid, \
         so the book is not written; write ##paidbegin## and ##paidend## exactly in the essay, \
         and keep marker words out of titles and settings",
        .0.entry, .0.line
    )]
    MarkerShown(guard::Survivor),
}

impl From<std::io::Error> for PackageError {
    fn from(error: std::io::Error) -> Self {
        PackageError::Zip(error.into())
    }
}

/// Writes `publication` as an EPUB to `out` and returns the writer. It is
/// [guarded](guard) before a byte of it is written.
pub fn write_epub<W: Write + Seek>(publication: &Publication, out: W) -> Result<W, PackageError> {
    let set = typeset::typeset(publication);
    let (cover_href, cover_type, cover_data) = cover::image(publication);

    let mut items = vec![
        item("nav", nav::NAV_NAME, XHTML, Some("nav"), false),
        item(
            "ncx",
            nav::NCX_NAME,
            "application/x-dtbncx+xml",
            None,
            false,
        ),
        item("css", xhtml::STYLESHEET, "text/css", None, false),
    ];
    if publication.extra_css.is_some() {
        items.push(item(
            "css-extra",
            xhtml::EXTRA_STYLESHEET,
            "text/css",
            None,
            false,
        ));
    }
    items.push(item(
        "cover-image",
        &cover_href,
        cover_type,
        Some("cover-image"),
        false,
    ));
    items.push(item("cover", cover::PAGE_NAME, XHTML, None, true));
    for page in &set.front {
        items.push(item(
            page.name.trim_end_matches(".xhtml"),
            &page.name,
            XHTML,
            None,
            true,
        ));
    }
    for page in &set.pages {
        let id = page.name.trim_end_matches(".xhtml");
        items.push(item(id, &page.name, XHTML, None, true));
    }
    for image in &set.images {
        // The href's name (hash and extension) is unique; the id must be too.
        let name = image.href.trim_start_matches("images/").replace('.', "-");
        items.push(item(
            &format!("img-{name}"),
            &image.href,
            image.media_type,
            None,
            false,
        ));
    }

    let nav = nav::nav_document(publication, &set.toc);
    let font = match &publication.font {
        Some(source) => {
            let pages = set.pages.iter().chain(&set.front).chain([&set.cover_page]);
            let chars = font::used_chars(pages.map(|p| p.xhtml.as_str()).chain([nav.as_str()]));
            let embedded = font::embed(source, &chars).map_err(PackageError::Font)?;
            items.push(item(
                "font",
                &embedded.href,
                embedded.media_type,
                None,
                false,
            ));
            items.push(item(
                "css-font",
                font::FONT_STYLESHEET,
                "text/css",
                None,
                false,
            ));
            Some(embedded)
        }
        None => None,
    };

    let stamp = zip_time(publication.modified);
    let stored = SimpleFileOptions::default()
        .compression_method(CompressionMethod::Stored)
        .last_modified_time(stamp);
    let deflated = SimpleFileOptions::default()
        .compression_method(CompressionMethod::Deflated)
        .last_modified_time(stamp);

    // Raster images are compressed already; everything else is text.
    // Raster images are compressed already, and deflating a small entry
    // costs more (each stream sets up ~200 KB of tables) than it saves.
    let options_for = |media_type: &str, len: usize| {
        let raster = media_type.starts_with("image/") && media_type != "image/svg+xml";
        if raster || len < MIN_DEFLATE_LEN {
            stored
        } else {
            deflated
        }
    };
    let opf = opf::package_document(publication, &items);
    let ncx = nav::ncx(publication, &set.toc);
    let mut entries: Vec<(&str, &[u8], &str)> = vec![
        (
            opf::OPF_NAME,
            opf.as_bytes(),
            "application/oebps-package+xml",
        ),
        (nav::NAV_NAME, nav.as_bytes(), XHTML),
        (nav::NCX_NAME, ncx.as_bytes(), "application/x-dtbncx+xml"),
    ];
    if let Some(extra) = &publication.extra_css {
        entries.push((xhtml::EXTRA_STYLESHEET, extra.as_bytes(), "text/css"));
    }
    if let Some(embedded) = &font {
        entries.push((font::FONT_STYLESHEET, embedded.css.as_bytes(), "text/css"));
        // Fonts compress; deflate them like text.
        entries.push((&embedded.href, &embedded.data, "font"));
    }
    entries.push((&cover_href, &cover_data, cover_type));
    entries.push((cover::PAGE_NAME, set.cover_page.xhtml.as_bytes(), XHTML));
    entries.extend(
        set.front
            .iter()
            .map(|p| (p.name.as_str(), p.xhtml.as_bytes(), XHTML)),
    );
    entries.extend(
        set.pages
            .iter()
            .map(|p| (p.name.as_str(), p.xhtml.as_bytes(), XHTML)),
    );
    entries.extend(
        set.images
            .iter()
            .map(|i| (i.href.as_str(), &i.data[..], i.media_type)),
    );
    guard(&entries)?;

    let mut zip = ZipWriter::new(out);
    zip.start_file("mimetype", stored)?;
    zip.write_all(b"application/epub+zip")?;
    let mut shared = shared_entries(publication.layout).clone();
    for index in 0..shared.len() {
        zip.raw_copy_file_touch(shared.by_index(index)?, stamp, None)?;
    }
    for (name, data, media_type) in entries {
        zip.start_file(
            format!("{ROOT}/{name}"),
            options_for(media_type, data.len()),
        )?;
        zip.write_all(data)?;
    }
    Ok(zip.finish()?)
}

/// Runs the [`guard`] over every XML entry (pages, navigation, package
/// document, SVG images and cover): no book may show a paid marker.
fn guard(entries: &[(&str, &[u8], &str)]) -> Result<(), PackageError> {
    let xml_types = [
        XHTML,
        "application/oebps-package+xml",
        "application/x-dtbncx+xml",
        "image/svg+xml",
    ];
    for (name, data, media_type) in entries {
        if xml_types.contains(media_type) {
            let text = String::from_utf8_lossy(data);
            guard::check(name, &text).map_err(PackageError::MarkerShown)?;
        }
    }
    Ok(())
}

/// The entries that are the same in every book of a layout (container and
/// stylesheet), compressed once per process and copied raw into each book:
/// batch builds make tens of thousands of books.
fn shared_entries(layout: Layout) -> &'static ZipArchive<Cursor<Vec<u8>>> {
    static HORIZONTAL: LazyLock<ZipArchive<Cursor<Vec<u8>>>> =
        LazyLock::new(|| compress_shared(Layout::Horizontal));
    static VERTICAL: LazyLock<ZipArchive<Cursor<Vec<u8>>>> =
        LazyLock::new(|| compress_shared(Layout::Vertical));
    match layout {
        Layout::Horizontal => &HORIZONTAL,
        Layout::Vertical => &VERTICAL,
    }
}

fn compress_shared(layout: Layout) -> ZipArchive<Cursor<Vec<u8>>> {
    let build = || -> zip::result::ZipResult<ZipArchive<Cursor<Vec<u8>>>> {
        let options = SimpleFileOptions::default().compression_method(CompressionMethod::Deflated);
        let mut zip = ZipWriter::new(Cursor::new(Vec::new()));
        zip.start_file("META-INF/container.xml", options)?;
        zip.write_all(CONTAINER.as_bytes())?;
        zip.start_file(format!("{ROOT}/{}", xhtml::STYLESHEET), options)?;
        zip.write_all(style::stylesheet(layout).as_bytes())?;
        ZipArchive::new(zip.finish()?)
    };
    build().expect("zipping fixed text in memory cannot fail")
}

fn item(
    id: &str,
    href: &str,
    media_type: &str,
    properties: Option<&'static str>,
    in_spine: bool,
) -> Item {
    Item {
        id: id.to_string(),
        href: href.to_string(),
        media_type: media_type.to_string(),
        properties,
        in_spine,
    }
}

/// The zip timestamp for `seconds` since 1970 (zip dates start in 1980 and end in 2107).
fn zip_time(seconds: i64) -> zip::DateTime {
    let t = opf::timestamp(seconds);
    let year = u16::try_from(t.year()).unwrap_or(1980).clamp(1980, 2107);
    zip::DateTime::from_date_and_time(
        year,
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second(),
    )
    .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_font_that_cannot_be_subset_says_so() {
        let message = PackageError::Font("font subsetting failed: bad table".into()).to_string();
        assert!(
            message.starts_with("cannot embed the font: font subsetting failed"),
            "{message}"
        );
        assert!(!message.contains("archive"), "{message}");
    }
}
