//! `build_book` (cargo forbids a binary named `build`): a whole book in
//! memory. The first byte picks the format (plain text or Markdown), layout
//! and front pages; the rest, as UTF-8, is cut at U+0001 into free and paid
//! chunks, each paid chunk written as
//! `##paidbegin##PAIDxyz123<chunk>##paidend##`. The essay goes through
//! decode, parse, `Book`, typeset and `write_epub` for both editions (and the
//! raw text, markers and garbage as they came, for the preview). Checks:
//! every XML entry (.xhtml, .opf, .ncx, .svg, .xml) is well-formed, pages are
//! at most 256 KiB, the manifest names exactly the files of the publication
//! and the spine only manifest items, every table-of-contents link reaches
//! an existing page and id; the preview holds the token in no entry name or
//! content unless the token comes from free text (checked by rebuilding with
//! another token); the full edition holds the token. A preview may be
//! refused by the guard (`PackageError::MarkerShown`: a marker shape
//! would show): that is a legitimate outcome, checked only in that nothing
//! else refuses a book; the full edition is never refused.
#![no_main]

use std::collections::{HashMap, HashSet};
use std::io::{Cursor, Read};
use std::path::PathBuf;
use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;
use wenji::book::{Book, Cover, PreviewText, Typography};
use wenji::package::PackageError;
use wenji::parse::{Format, PlainRules};
use wenji::{Edition, Layout};

const TOKEN: &str = "PAIDxyz123";
const OTHER_TOKEN: &str = "PAIDqrs456";

/// A folder holding an image of each kind Markdown may reference.
static DIR: LazyLock<tempfile::TempDir> = LazyLock::new(|| {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("img.png"), b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR").unwrap();
    std::fs::write(
        dir.path().join("pic.svg"),
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"1\" height=\"1\"/>",
    )
    .unwrap();
    dir
});

struct Choice {
    format: Format,
    layout: Layout,
    title_page: bool,
    toc_page: bool,
    punctuation: bool,
}

fn with_token(raw: &str, token: &str) -> String {
    let mut out = String::with_capacity(raw.len() + 64);
    for (i, chunk) in raw.split('\u{1}').enumerate() {
        if i % 2 == 1 {
            out.push_str("##paidbegin##");
            out.push_str(token);
            out.push_str(chunk);
            out.push_str("##paidend##");
        } else {
            out.push_str(chunk);
        }
    }
    out
}

fn load(text: &str, choice: &Choice) -> Option<Book> {
    let name = if choice.format == Format::Text {
        "e.txt"
    } else {
        "e.md"
    };
    let path: PathBuf = DIR.path().join(name);
    let decoded = wenji::decode::decode(&path, text.as_bytes(), Default::default()).ok()?;
    let (essay, _) = wenji::parse::parse(
        &path,
        &decoded.text,
        choice.format,
        &PlainRules::default(),
    )
    .ok()?;
    // As build::load_book: the language from free text only.
    let mut sample = String::new();
    essay.for_each_free_text(&mut |text| sample.push_str(text));
    let lang = wenji::lang::detect(&sample).to_string();
    let words = wenji::lang::strings(&lang);
    Some(Book {
        title: essay.title.clone(),
        authors: vec![words.unknown_author.to_string()],
        contributors: Vec::new(),
        languages: vec![lang],
        layout: choice.layout,
        meta: Default::default(),
        modified: 0,
        // No PNG: drawing one per input would slow the fuzzer down.
        cover: Cover::Generated { raster: false },
        extra_css: None,
        font: None,
        preview: PreviewText {
            notice: Some(words.paid_notice.to_string()),
            title_suffix: words.preview_suffix.to_string(),
        },
        typography: Typography {
            vertical_punctuation: choice.punctuation,
            title_page: choice.title_page,
            toc_page: choice.toc_page,
            ..wenji::settings::Options::default().typography
        },
        essays: vec![essay],
        chapter_depths: vec![1],
    })
}

fn xml<'a>(name: &str, text: &'a str) -> roxmltree::Document<'a> {
    let options = roxmltree::ParsingOptions {
        allow_dtd: true,
        ..Default::default()
    };
    roxmltree::Document::parse_with_options(text, options)
        .unwrap_or_else(|e| panic!("{name} is not well-formed: {e}\n{text}"))
}

/// Writes the edition and checks the package; returns its entries, or
/// `None` if the guard refused the book.
fn build(book: &Book, edition: Edition) -> Option<Vec<(String, Vec<u8>)>> {
    let publication = wenji::edition::select(book, edition);
    let zip = match wenji::package::write_epub(&publication, Cursor::new(Vec::new())) {
        Ok(out) => out.into_inner(),
        Err(PackageError::MarkerShown(_)) => return None,
        Err(error) => panic!("an in-memory {edition:?} edition failed: {error}"),
    };
    let mut archive = zip::ZipArchive::new(Cursor::new(zip)).expect("readable zip");
    let mut entries = Vec::new();
    for i in 0..archive.len() {
        let mut file = archive.by_index(i).unwrap();
        let mut data = Vec::new();
        file.read_to_end(&mut data).unwrap();
        let name = file.name().expect("UTF-8 entry name").to_string();
        entries.push((name, data));
    }
    assert_eq!(entries[0].0, "mimetype");
    let mut ids: HashMap<String, HashSet<String>> = HashMap::new();
    let mut docs = Vec::new();
    for (name, data) in &entries {
        if [".xhtml", ".opf", ".ncx", ".svg", ".xml"]
            .iter()
            .any(|e| name.ends_with(e))
        {
            let text = std::str::from_utf8(data).unwrap_or_else(|e| panic!("{name}: {e}"));
            let doc = xml(name, text);
            if name.ends_with(".xhtml") {
                assert!(data.len() <= 256 * 1024, "{name} is {} bytes", data.len());
                let page = name.trim_start_matches("OEBPS/").to_string();
                let found = doc
                    .descendants()
                    .filter_map(|n| n.attribute("id"))
                    .map(String::from);
                ids.entry(page).or_default().extend(found);
            }
            docs.push((name.clone(), doc));
        }
    }
    let names: HashSet<&str> = entries.iter().map(|(n, _)| n.as_str()).collect();
    for (name, doc) in &docs {
        if name.ends_with(".opf") {
            let items: Vec<_> = doc
                .descendants()
                .filter(|n| n.has_tag_name("item"))
                .collect();
            let mut manifest = HashSet::new();
            for item in &items {
                let id = item.attribute("id").unwrap();
                assert!(manifest.insert(id), "duplicate manifest id {id}");
                let href = format!("OEBPS/{}", item.attribute("href").unwrap());
                assert!(
                    names.contains(href.as_str()),
                    "manifest names missing {href}"
                );
            }
            let published = names
                .iter()
                .filter(|n| n.starts_with("OEBPS/") && **n != "OEBPS/package.opf");
            assert_eq!(published.count(), items.len(), "files outside the manifest");
            for itemref in doc.descendants().filter(|n| n.has_tag_name("itemref")) {
                assert!(manifest.contains(itemref.attribute("idref").unwrap()));
            }
        }
        if name.ends_with("nav.xhtml") || name.ends_with(".ncx") {
            let links = doc.descendants().filter_map(|n| match n.tag_name().name() {
                "a" => n.attribute("href"),
                "content" => n.attribute("src"),
                _ => None,
            });
            for link in links {
                let (page, fragment) = link.split_once('#').unwrap_or((link, ""));
                let page_ids = ids
                    .get(page)
                    .unwrap_or_else(|| panic!("{name} links to missing {page}"));
                assert!(
                    fragment.is_empty() || page_ids.contains(fragment),
                    "{name}: no #{fragment} in {page}"
                );
            }
        }
    }
    Some(entries)
}

fn contains(entries: &[(String, Vec<u8>)], token: &str) -> bool {
    let needle = token.as_bytes();
    entries
        .iter()
        .any(|(name, data)| name.contains(token) || data.windows(needle.len()).any(|w| w == needle))
}

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    let Ok(raw) = std::str::from_utf8(rest) else {
        return;
    };
    let choice = Choice {
        format: if selector & 1 == 0 {
            Format::Text
        } else {
            Format::Markdown
        },
        layout: if selector & 2 == 0 {
            Layout::Horizontal
        } else {
            Layout::Vertical
        },
        title_page: selector & 4 != 0,
        toc_page: selector & 8 != 0,
        punctuation: selector & 16 == 0,
    };
    if let Some(book) = load(&with_token(raw, TOKEN), &choice) {
        if let Some(preview) = build(&book, Edition::Preview)
            && contains(&preview, TOKEN)
        {
            // Free text may spell the token itself (entities, stripped controls):
            // a leak is paid text that follows the token it was given.
            let again = load(&with_token(raw, OTHER_TOKEN), &choice).expect("same shape loads");
            if let Some(preview) = build(&again, Edition::Preview) {
                assert!(!contains(&preview, OTHER_TOKEN), "paid text in the preview");
            }
        }
        if raw.contains('\u{1}') {
            let full = build(&book, Edition::Full).expect("a full edition is never refused");
            assert!(
                contains(&full, TOKEN),
                "paid text missing from the full edition"
            );
        }
    }
    if raw.contains('\u{1}') {
        if let Some(book) = load(raw, &choice) {
            build(&book, Edition::Preview);
        }
    }
});
