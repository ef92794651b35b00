//! The generated cover as books carry it: a 1600×2560 PNG when a CJK font
//! is found, else the SVG and one warning saying how to get one. Both
//! branches run on every Linux machine: the second with a fontconfig file
//! (`FONTCONFIG_FILE`, which fontdb reads) that names an empty folder. `WENJI_REQUIRE_CJK_FONT=1` (set by CI, which
//! installs fonts-noto-cjk) makes a missing font a failure.

use std::fs;
use std::path::Path;
use std::process::{Command, Output};

use crate::support::{EPOCH, Entry, entries, ok, repo, stderr, text};

/// What the warning about a missing font says.
const NO_FONT: &str = "no font found with every character of the cover";

/// The sample book's essays and settings in `dir`, without its cover image,
/// so that the cover is generated.
fn sample_book_without_cover(dir: &Path) {
    for entry in fs::read_dir(repo().join("content")).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap();
        if name == "wenji.toml" {
            let config = fs::read_to_string(&path).unwrap();
            assert!(config.lines().any(|line| line.starts_with("cover =")));
            let kept: String = config
                .lines()
                .filter(|line| !line.starts_with("cover ="))
                .map(|line| format!("{line}\n"))
                .collect();
            fs::write(dir.join(name), kept).unwrap();
        } else {
            fs::copy(&path, dir.join(name)).unwrap();
        }
    }
}

/// Runs wenji in `cwd` with `args` and `environment` added.
fn wenji_with(cwd: &Path, environment: &[(&str, &Path)], args: &[&str]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_wenji"));
    command
        .args(args)
        .current_dir(cwd)
        .env("SOURCE_DATE_EPOCH", EPOCH);
    for (name, value) in environment {
        command.env(name, value);
    }
    command.output().expect("wenji runs")
}

/// A fontconfig file under `dir` whose only font folder is empty: no font
/// is found.
fn no_fonts(dir: &Path) -> std::path::PathBuf {
    let empty = dir.join("no-fonts");
    fs::create_dir_all(&empty).unwrap();
    let config = dir.join("fonts.conf");
    let xml = format!(
        "<?xml version=\"1.0\"?>\n<fontconfig><dir>{}</dir></fontconfig>\n",
        empty.display()
    );
    fs::write(&config, xml).unwrap();
    config
}

/// The width and height a PNG's header gives.
fn png_size(png: &[u8]) -> (u32, u32) {
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n", "not a PNG");
    assert_eq!(&png[12..16], b"IHDR");
    let number = |at: usize| u32::from_be_bytes(png[at..at + 4].try_into().unwrap());
    (number(16), number(20))
}

fn entry<'a>(entries: &'a [Entry], name: &str) -> Option<&'a Entry> {
    entries.iter().find(|e| e.name == name)
}

/// The package's cover item is the SVG alone, and the cover page shows it.
fn assert_svg_cover(book: &[Entry]) {
    let opf = text(book, "OEBPS/package.opf");
    assert!(
        opf.contains(
            "href=\"images/cover.svg\" media-type=\"image/svg+xml\" properties=\"cover-image\""
        ),
        "{opf}"
    );
    assert!(entry(book, "OEBPS/images/cover.png").is_none());
    let svg = text(book, "OEBPS/images/cover.svg");
    assert!(!svg.contains("writing-mode"));
    assert!(text(book, "OEBPS/cover.xhtml").contains("src=\"images/cover.svg\""));
}

#[test]
fn the_generated_cover_is_a_1600_by_2560_png_when_a_cjk_font_is_found() {
    let dir = tempfile::tempdir().unwrap();
    sample_book_without_cover(dir.path());
    let args = [
        "build",
        ".",
        "--layout",
        "vertical",
        "--edition",
        "both",
        "-o",
        "book.epub",
    ];
    let output = ok(wenji_with(dir.path(), &[], &args));
    let preview = entries(&dir.path().join("book.epub"));
    let full = entries(&dir.path().join("book.full.epub"));
    let warned = stderr(&output).matches(NO_FONT).count();
    if warned > 0 {
        assert_ne!(
            std::env::var("WENJI_REQUIRE_CJK_FONT").as_deref(),
            Ok("1"),
            "WENJI_REQUIRE_CJK_FONT=1 but no CJK font was found: install fonts-noto-cjk"
        );
        assert_eq!(warned, 1, "one warning for both editions");
        assert_svg_cover(&preview);
        assert_svg_cover(&full);
        return;
    }
    let mut covers = Vec::new();
    for book in [&preview, &full] {
        let opf = text(book, "OEBPS/package.opf");
        assert!(
            opf.contains(
                "<item id=\"cover-image\" href=\"images/cover.png\" media-type=\"image/png\" properties=\"cover-image\"/>"
            ),
            "{opf}"
        );
        // The SVG it was drawn from is not packed: every item is used.
        assert!(!opf.contains("cover.svg") && entry(book, "OEBPS/images/cover.svg").is_none());
        assert!(text(book, "OEBPS/cover.xhtml").contains("<img src=\"images/cover.png\""));
        let png = &entry(book, "OEBPS/images/cover.png").unwrap().data;
        assert_eq!(png_size(png), (1600, 2560));
        covers.push(png.clone());
    }
    // The preview's cover carries its mark; the full edition's does not.
    assert_ne!(covers[0], covers[1]);
    // Byte for byte the same books again.
    let again = dir.path().join("again");
    fs::create_dir(&again).unwrap();
    let again_book = again.join("book.epub");
    let mut args_again = args;
    args_again[7] = again_book.to_str().unwrap();
    ok(wenji_with(dir.path(), &[], &args_again));
    for (first, second) in [
        ("book.epub", "again/book.epub"),
        ("book.full.epub", "again/book.full.epub"),
    ] {
        assert!(
            fs::read(dir.path().join(first)).unwrap() == fs::read(dir.path().join(second)).unwrap(),
            "{first} differs from one build to the next"
        );
    }
}

#[test]
#[cfg_attr(
    any(not(unix), target_os = "macos"),
    ignore = "fontdb reads FONTCONFIG_FILE on Linux and the BSDs only"
)]
fn without_fonts_the_cover_stays_svg_with_one_warning_per_run() {
    let dir = tempfile::tempdir().unwrap();
    sample_book_without_cover(dir.path());
    let config = no_fonts(dir.path());
    let fontconfig = [("FONTCONFIG_FILE", config.as_path())];
    let args = ["build", ".", "--edition", "both", "-o", "book.epub"];
    let output = ok(wenji_with(dir.path(), &fontconfig, &args));
    let err = stderr(&output);
    assert_eq!(err.matches(NO_FONT).count(), 1, "{err}");
    // The book's summary stays the last line, after the warning.
    let last = err.lines().last().unwrap();
    assert!(last.starts_with("晨读集: 3 chapters, "), "{err}");
    // The default build has no `fonts` feature, so it does not suggest --font.
    assert!(
        err.contains("fonts-noto-cjk") && !err.contains("--font"),
        "{err}"
    );
    assert_svg_cover(&entries(&dir.path().join("book.epub")));
    assert_svg_cover(&entries(&dir.path().join("book.full.epub")));

    // Turned off, by flag or by the config, the SVG is all there is to say.
    let output = ok(wenji_with(
        dir.path(),
        &fontconfig,
        &["build", ".", "--no-raster-cover", "-o", "flag.epub"],
    ));
    assert!(!stderr(&output).contains(NO_FONT), "{}", stderr(&output));
    assert_svg_cover(&entries(&dir.path().join("flag.epub")));
    let config_path = dir.path().join("wenji.toml");
    let settings = fs::read_to_string(&config_path).unwrap();
    fs::write(&config_path, format!("raster_cover = false\n{settings}")).unwrap();
    let output = ok(wenji_with(
        dir.path(),
        &fontconfig,
        &["build", ".", "-o", "config.epub"],
    ));
    assert!(!stderr(&output).contains(NO_FONT), "{}", stderr(&output));
    assert_svg_cover(&entries(&dir.path().join("config.epub")));
}

#[test]
fn a_title_no_font_can_draw_keeps_the_svg_cover_rather_than_missing_glyphs() {
    let dir = tempfile::tempdir().unwrap();
    // U+E000, a private-use character: no system font has a glyph for it.
    fs::write(
        dir.path().join("essay.txt"),
        "私用\u{E000}的标题\n正文一段。\n",
    )
    .unwrap();
    let output = ok(wenji_with(
        dir.path(),
        &[],
        &["build", "essay.txt", "-o", "book.epub"],
    ));
    let err = stderr(&output);
    assert_eq!(err.matches(NO_FONT).count(), 1, "{err}");
    assert_svg_cover(&entries(&dir.path().join("book.epub")));
}
