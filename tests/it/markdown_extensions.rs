//! Markdown extensions end to end (`tests/fixtures/markdown/extensions.md`):
//! definition lists, task lists, super- and subscript and smart
//! punctuation in both layouts, paid items kept out of the preview, and
//! `toc_depth` (flag and `wenji.toml`) limiting the navigation.

use std::path::Path;

use crate::support::*;

fn fixture() -> std::path::PathBuf {
    repo().join("tests/fixtures/markdown/extensions.md")
}

/// Builds `source` with `args` into `dir/name` and returns its entries.
fn build(dir: &Path, source: &Path, name: &str, args: &[&str]) -> Vec<Entry> {
    let book = dir.join(name);
    let mut all = vec![
        "build",
        source.to_str().unwrap(),
        "-o",
        book.to_str().unwrap(),
    ];
    all.extend_from_slice(args);
    ok(wenji(dir, &all));
    entries(&book)
}

#[test]
fn definition_and_task_lists_in_both_layouts_and_editions() {
    let out = tempfile::tempdir().unwrap();
    for layout in ["horizontal", "vertical"] {
        let args = ["--layout", layout, "--full"];
        let full = everything(&build(out.path(), &fixture(), "full.epub", &args));
        for expected in [
            "<dt>Steep</dt>",
            "<dd>To leave the leaves in hot water.</dd>",
            "<dd>What the path up the hill felt like.</dd>",
            "<dt>Gongfu</dt>",
            // Raw HTML's incomplete groups are completed.
            "<dl><dt></dt><dd>A definition that came without its word.</dd>\
             <dt>A word left without a definition</dt><dd></dd></dl>",
            "<li>☑\u{a0}buy a kettle with a thermometer</li>",
            "<li>☐\u{a0}try a second infusion</li>",
            "<sup>o</sup>",
            "<sub>2</sub>",
            "H~2~O",
            "“Patience,” the shop owner said –",
            "it’s the one ingredient you can’t buy…",
            "the secret third infusion",
            "<dt>Secret term</dt>",
        ] {
            assert!(full.contains(expected), "{layout}: {expected}");
        }
        for absent in ["<input", "checkbox", "\"Patience"] {
            assert!(!full.contains(absent), "{layout}: {absent}");
        }
        let preview = everything(&build(
            out.path(),
            &fixture(),
            "preview.epub",
            &["--layout", layout],
        ));
        assert!(preview.contains("<dt>Gongfu</dt>"));
        for paid in ["secret third", "Secret term", "full edition see"] {
            assert!(!preview.contains(paid), "{layout}: {paid}");
        }
    }
}

/// How many entries the navigation document, the NCX and the
/// table-of-contents page of `entries` list.
fn listed(entries: &[Entry]) -> (usize, usize, usize) {
    let nav = text(entries, "OEBPS/nav.xhtml");
    let nav_toc = &nav[..nav.find("landmarks").unwrap()];
    let ncx = text(entries, "OEBPS/toc.ncx");
    let page = text(entries, "OEBPS/toc.xhtml");
    (
        nav_toc.matches("<a href=").count(),
        ncx.matches("<navPoint").count(),
        page.matches("<a href=").count(),
    )
}

#[test]
fn toc_depth_limits_the_navigation_by_flag_and_config() {
    let out = tempfile::tempdir().unwrap();
    // 1 chapter, 3 sections, 2 subsections.
    let all = build(out.path(), &fixture(), "all.epub", &["--toc-page"]);
    assert_eq!(listed(&all), (6, 6, 6));
    let ncx = text(&all, "OEBPS/toc.ncx");
    assert!(ncx.contains("name=\"dtb:depth\" content=\"3\""), "{ncx}");
    let two = build(
        out.path(),
        &fixture(),
        "two.epub",
        &["--toc-page", "--toc-depth", "2"],
    );
    assert_eq!(listed(&two), (4, 4, 4));
    let ncx = text(&two, "OEBPS/toc.ncx");
    assert!(ncx.contains("name=\"dtb:depth\" content=\"2\""), "{ncx}");
    let one = build(
        out.path(),
        &fixture(),
        "one.epub",
        &["--toc-page", "--toc-depth", "1"],
    );
    assert_eq!(listed(&one), (1, 1, 1));

    // The same from wenji.toml, and the flag wins over it.
    let book = out.path().join("book");
    std::fs::create_dir(&book).unwrap();
    std::fs::copy(fixture(), book.join("extensions.md")).unwrap();
    std::fs::write(book.join("wenji.toml"), "toc_page = true\ntoc_depth = 2\n").unwrap();
    assert_eq!(
        listed(&build(out.path(), &book, "config.epub", &[])),
        (4, 4, 4)
    );
    let flag = build(out.path(), &book, "flag.epub", &["--toc-depth", "3"]);
    assert_eq!(listed(&flag), (6, 6, 6));
}

#[test]
fn toc_depth_must_be_a_positive_number() {
    let out = tempfile::tempdir().unwrap();
    let source = fixture();
    let book = out.path().join("zero.epub");
    for bad in ["0", "-1", "two"] {
        let output = wenji(
            out.path(),
            &[
                "build",
                source.to_str().unwrap(),
                "--toc-depth",
                bad,
                "-o",
                book.to_str().unwrap(),
            ],
        );
        assert_eq!(output.status.code(), Some(2), "{bad}: {}", stderr(&output));
    }
    let folder = out.path().join("book");
    std::fs::create_dir(&folder).unwrap();
    std::fs::copy(fixture(), folder.join("extensions.md")).unwrap();
    std::fs::write(folder.join("wenji.toml"), "toc_depth = 0\n").unwrap();
    let output = wenji(
        out.path(),
        &[
            "build",
            folder.to_str().unwrap(),
            "-o",
            book.to_str().unwrap(),
        ],
    );
    assert!(!output.status.success());
    let message = stderr(&output);
    assert!(message.contains("wenji.toml"), "{message}");
    assert!(
        message.contains("toc_depth = 0: give the number"),
        "{message}"
    );
    assert!(!book.exists());
}
