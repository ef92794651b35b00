//! Stage 5: packaging. Adds the navigation and the embedded font to the
//! typeset [resources](Resource), and writes them as an EPUB 3 zip: the
//! stored `mimetype` first, then the container, the package document and
//! every resource in the manifest's order, all stamped with the book's
//! modification time so the same book always gives the same bytes.
//!
//! The `epub-builder` crate is not used: it cannot put `xml:lang` on the
//! package or the navigation document, set `page-progression-direction`
//! (its `epub_direction` is ignored), or add item properties, and 0.8.3
//! writes a duplicate id that EPUBCheck rejects. The `zip` crate does the
//! archive; the XML is small enough to write with [`crate::xml::Writer`].

pub mod guard;
pub mod nav;
pub mod opf;

use std::borrow::Cow;
use std::collections::BTreeSet;
use std::io::{Cursor, Seek, Write};
use std::sync::{LazyLock, Mutex, PoisonError};

use zip::result::ZipResult;
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipArchive, ZipWriter};

use crate::publication::Publication;
use crate::typeset::resource::{self, Bytes, Resource};
use crate::typeset::{self, Page, Typeset, font};
use crate::xml::Writer;

/// The publication folder inside the archive.
const ROOT: &str = "OEBPS";

const CONTAINER_NAME: &str = "META-INF/container.xml";
/// The container, which names the package document.
static CONTAINER: LazyLock<String> = LazyLock::new(|| {
    let mut out = Writer::document();
    out.start(
        "container",
        &[
            ("version", "1.0"),
            ("xmlns", "urn:oasis:names:tc:opendocument:xmlns:container"),
        ],
    )
    .newline();
    out.start("rootfiles", &[]).newline();
    let opf = format!("{ROOT}/{}", opf::OPF_NAME);
    let rootfile = [("full-path", opf.as_str()), ("media-type", OPF_TYPE)];
    out.empty("rootfile", &rootfile).newline();
    out.end().newline();
    out.end().newline();
    out.finish()
});

/// Media type of the package document.
const OPF_TYPE: &str = "application/oebps-package+xml";

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
    let stamp = zip_time(publication.modified);
    let mut packer = Packer {
        stamp,
        font_chars: publication.font.map(|_| BTreeSet::new()),
    };
    let resources = resources(publication, &mut packer)?;
    let opf = opf::package_document(publication, &resources);
    guard(&opf, &resources)?;
    Ok(write_zip(out, stamp, &opf, &resources)?)
}

/// Pages at least this large are checked and compressed as soon as they
/// are typeset: a huge essay is then never held as text twice (its model
/// and all its pages) at once.
const PACK_MIN_LEN: usize = 64 * 1024;

/// Checks and compresses large pages as typesetting finishes them.
struct Packer {
    stamp: zip::DateTime,
    /// The characters of the packed pages, when a font is to be subset.
    font_chars: Option<BTreeSet<char>>,
}

impl Packer {
    /// What to keep of `page`: its text, or for a large page the page
    /// [guarded](guard) and deflated into a one-entry archive.
    fn pack<'a>(&mut self, page: Page) -> Result<Bytes<'a>, PackageError> {
        if page.xhtml.len() < PACK_MIN_LEN {
            return Ok(owned(page.xhtml.into_bytes()));
        }
        guard::check(&page.name, &page.xhtml).map_err(PackageError::MarkerShown)?;
        if let Some(chars) = &mut self.font_chars {
            chars.extend(font::used_chars([page.xhtml.as_str()]));
        }
        let mut one = ZipWriter::new(Cursor::new(Vec::new()));
        let name = format!("{ROOT}/{}", page.name);
        one.start_file(name, entry_options(CompressionMethod::Deflated, self.stamp))?;
        one.write_all(page.xhtml.as_bytes())?;
        Ok(Bytes::Packed(one.finish()?.into_inner()))
    }
}

/// Everything the book holds, in order: the navigation document and the
/// NCX, what typesetting made, and the embedded font, if any.
fn resources<'a>(
    publication: &Publication<'a>,
    packer: &mut Packer,
) -> Result<Vec<Resource<'a>>, PackageError> {
    let Typeset { resources, toc } = typeset::typeset(publication, &mut |page| packer.pack(page))?;
    let nav = nav::nav_document(publication, &toc, &resources);
    let ncx = nav::ncx(publication, &toc);
    let navigation = [
        Resource::file(
            "nav",
            nav::NAV_NAME,
            resource::XHTML,
            owned(nav.into_bytes()),
        )
        .with_properties("nav"),
        Resource::file("ncx", nav::NCX_NAME, resource::NCX, owned(ncx.into_bytes())),
    ];
    let mut all: Vec<Resource<'a>> = navigation.into_iter().chain(resources).collect();
    if let (Some(source), Some(packed_chars)) = (publication.font, packer.font_chars.take()) {
        let font = embedded_font(source, &all, packed_chars)?;
        all.extend(font);
    }
    Ok(all)
}

fn owned<'a>(bytes: Vec<u8>) -> Bytes<'a> {
    Bytes::Book(Cow::Owned(bytes))
}

/// The font `source`, subset to the characters the XHTML `resources` and
/// the packed pages (`packed_chars`) draw, and the stylesheet that applies it.
fn embedded_font<'a>(
    source: &[u8],
    resources: &[Resource],
    packed_chars: BTreeSet<char>,
) -> Result<[Resource<'a>; 2], PackageError> {
    let pages: Vec<Cow<str>> = resources
        .iter()
        .filter(|r| r.media_type == resource::XHTML)
        .filter_map(|r| r.bytes.as_slice())
        .map(String::from_utf8_lossy)
        .collect();
    let mut chars = font::used_chars(pages.iter().map(|page| page.as_ref()));
    chars.extend(packed_chars);
    let embedded = font::embed(source, &chars).map_err(PackageError::Font)?;
    let css = owned(embedded.css.into_bytes());
    Ok([
        Resource::file(
            "font",
            embedded.href,
            embedded.media_type,
            owned(embedded.data),
        ),
        Resource::file("css-font", font::FONT_STYLESHEET, resource::CSS, css),
    ])
}

/// Runs the [`guard`] over the package document `opf` and every XML
/// resource (pages, navigation, SVG images and cover): no book may show a
/// paid marker.
fn guard(opf: &str, resources: &[Resource]) -> Result<(), PackageError> {
    // Packed pages were checked when they were packed.
    let documents = resources.iter().filter(|r| r.is_xml()).filter_map(|r| {
        Some((
            r.href.as_str(),
            String::from_utf8_lossy(r.bytes.as_slice()?),
        ))
    });
    for (name, text) in [(opf::OPF_NAME, Cow::Borrowed(opf))]
        .into_iter()
        .chain(documents)
    {
        guard::check(name, &text).map_err(PackageError::MarkerShown)?;
    }
    Ok(())
}

/// Writes the archive: the stored `mimetype` first, the container, the
/// package document `opf`, then every resource, all stamped `stamp`.
fn write_zip<W: Write + Seek>(
    out: W,
    stamp: zip::DateTime,
    opf: &str,
    resources: &[Resource],
) -> ZipResult<W> {
    let mut zip = ZipWriter::new(out);
    zip.start_file("mimetype", entry_options(CompressionMethod::Stored, stamp))?;
    zip.write_all(b"application/epub+zip")?;
    copy_fixed(&mut zip, CONTAINER_NAME, CONTAINER.as_bytes(), stamp)?;
    let opf_name = format!("{ROOT}/{}", opf::OPF_NAME);
    write_entry(&mut zip, &opf_name, OPF_TYPE, opf.as_bytes(), stamp)?;
    for resource in resources {
        let name = format!("{ROOT}/{}", resource.href);
        match &resource.bytes {
            Bytes::Fixed(bytes) => copy_fixed(&mut zip, &name, bytes, stamp)?,
            Bytes::Book(bytes) => write_entry(&mut zip, &name, resource.media_type, bytes, stamp)?,
            Bytes::Packed(archive) => {
                let mut one = ZipArchive::new(Cursor::new(archive.as_slice()))?;
                zip.raw_copy_file(one.by_index(0)?)?;
            }
        }
    }
    zip.finish()
}

/// Writes entry `name` of `media_type`: stored when it is compressed
/// already (raster images) or small (deflating a small entry costs more —
/// each stream sets up ~200 KB of tables — than it saves), else deflated.
fn write_entry<W: Write + Seek>(
    zip: &mut ZipWriter<W>,
    name: &str,
    media_type: &str,
    bytes: &[u8],
    stamp: zip::DateTime,
) -> ZipResult<()> {
    let method = if resource::is_compressed(media_type) || bytes.len() < MIN_DEFLATE_LEN {
        CompressionMethod::Stored
    } else {
        CompressionMethod::Deflated
    };
    zip.start_file(name, entry_options(method, stamp))?;
    zip.write_all(bytes)?;
    Ok(())
}

/// Deflate level 3: on the benchmark's essays as small as level 6 (within
/// 0.3%), and 16% faster on a 36 MB essay; level 1 would be 20% larger.
const DEFLATE_LEVEL: i64 = 3;

fn entry_options(method: CompressionMethod, stamp: zip::DateTime) -> SimpleFileOptions {
    SimpleFileOptions::default()
        .compression_method(method)
        .compression_level((method == CompressionMethod::Deflated).then_some(DEFLATE_LEVEL))
        .last_modified_time(stamp)
}

/// Writes entry `name` holding `bytes` that are the same in every book (the
/// container, the built-in stylesheets): they are deflated once per process
/// and copied raw into each book, since batch builds make tens of thousands.
fn copy_fixed<W: Write + Seek>(
    zip: &mut ZipWriter<W>,
    name: &str,
    bytes: &'static [u8],
    stamp: zip::DateTime,
) -> ZipResult<()> {
    type Deflated = ZipArchive<Cursor<Vec<u8>>>;
    static DEFLATED: Mutex<Vec<(String, usize, usize, Deflated)>> = Mutex::new(Vec::new());
    let key = (bytes.as_ptr() as usize, bytes.len());
    let mut archive = {
        let mut cache = DEFLATED.lock().unwrap_or_else(PoisonError::into_inner);
        match cache
            .iter()
            .find(|(n, p, l, _)| n == name && (*p, *l) == key)
        {
            Some((.., archive)) => archive.clone(),
            None => {
                let mut one = ZipWriter::new(Cursor::new(Vec::new()));
                one.start_file(name, entry_options(CompressionMethod::Deflated, stamp))?;
                one.write_all(bytes)?;
                let archive = ZipArchive::new(one.finish()?)?;
                cache.push((name.to_string(), key.0, key.1, archive.clone()));
                archive
            }
        }
    };
    zip.raw_copy_file_touch(archive.by_index(0)?, stamp, None)
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

    #[test]
    fn the_archive_holds_what_the_manifest_lists_in_its_order() {
        let mut publication = crate::publication::sample(false);
        publication.extra_css = Some("p { margin: 0; }");
        let epub = write_epub(&publication, Cursor::new(Vec::new())).unwrap();
        let mut archive = ZipArchive::new(epub).unwrap();
        let names: Vec<String> = (0..archive.len())
            .map(|i| archive.by_index(i).unwrap().name().unwrap().to_string())
            .collect();
        let mut opf = String::new();
        std::io::Read::read_to_string(&mut archive.by_name("OEBPS/package.opf").unwrap(), &mut opf)
            .unwrap();
        let document = roxmltree::Document::parse(&opf).unwrap();
        let listed: Vec<String> = document
            .descendants()
            .filter(|n| n.has_tag_name("item"))
            .map(|n| format!("{ROOT}/{}", n.attribute("href").unwrap()))
            .collect();
        assert_eq!(
            names[..3],
            ["mimetype", CONTAINER_NAME, "OEBPS/package.opf"]
        );
        assert_eq!(names[3..], listed);
        assert!(listed.contains(&"OEBPS/styles/extra.css".to_string()));
    }

    #[test]
    fn the_package_document_and_every_xml_resource_are_guarded() {
        let marker = "<svg xmlns=\"http://www.w3.org/2000/svg\"><text>##paidend##</text></svg>";
        let file = |href: &str, media_type| {
            Resource::file("x", href, media_type, Bytes::Fixed(marker.as_bytes()))
        };
        let clean = "<package><metadata/></package>";
        let refused = |opf: &str, resources: &[Resource]| match guard(opf, resources) {
            Err(PackageError::MarkerShown(survivor)) => Some(survivor.entry),
            _ => None,
        };
        assert_eq!(refused(clean, &[file("a.css", resource::CSS)]), None);
        for media_type in ["image/svg+xml", resource::XHTML, resource::NCX] {
            let resources = [file("a.css", resource::CSS), file("b", media_type)];
            assert_eq!(refused(clean, &resources), Some("b".into()), "{media_type}");
        }
        let opf = "<package><metadata>##paidbegin##</metadata></package>";
        assert_eq!(refused(opf, &[]), Some(opf::OPF_NAME.into()));
    }
}
