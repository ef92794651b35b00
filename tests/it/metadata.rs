//! Book metadata from Markdown front matter and `wenji.toml`: what reaches
//! the package document of each edition, which source wins, and that a
//! preview never carries the ISBN.

use std::fs;
use std::path::Path;

use crate::support::*;

/// Builds `source` (relative to the repository) into both editions in
/// `out`, with `extra` flags; returns the preview's and the full edition's
/// entries and what wenji printed on stderr.
fn build_both(out: &Path, source: &str, extra: &[&str]) -> (Vec<Entry>, Vec<Entry>, String) {
    let source = repo().join(source);
    let book = out.join("book.epub");
    let mut args = vec![
        "build",
        source.to_str().unwrap(),
        "--edition",
        "both",
        "-o",
        book.to_str().unwrap(),
    ];
    args.extend(extra);
    let output = ok(wenji(out, &args));
    (
        entries(&book),
        entries(&out.join("book.full.epub")),
        stderr(&output),
    )
}

/// The metadata lines of a package document that front matter sets.
fn metadata_lines(opf: &str) -> Vec<&str> {
    opf.lines()
        .filter(|line| {
            ["dc:", "refines", "belongs-to-collection"]
                .iter()
                .any(|mark| line.contains(mark))
        })
        .filter(|line| !line.starts_with("<metadata"))
        .collect()
}

#[test]
fn yaml_and_toml_front_matter_fill_the_package_document_alike() {
    let out = tempfile::tempdir().unwrap();
    let fixture = "tests/fixtures/markdown/front-matter";
    let (yaml_preview, yaml_full, _) = build_both(out.path(), &format!("{fixture}/yaml.md"), &[]);
    let full_opf = text(&yaml_full, "OEBPS/package.opf");
    assert_eq!(
        metadata_lines(&full_opf),
        [
            "<dc:identifier id=\"book-id\">urn:isbn:9787532145676</dc:identifier>",
            "<dc:title id=\"title\">山中小记</dc:title>",
            "<dc:creator id=\"creator1\">林小川</dc:creator>",
            "<meta refines=\"#creator1\" property=\"role\" scheme=\"marc:relators\">aut</meta>",
            "<dc:creator id=\"creator2\">周青</dc:creator>",
            "<meta refines=\"#creator2\" property=\"role\" scheme=\"marc:relators\">aut</meta>",
            "<dc:contributor id=\"contributor1\">王一</dc:contributor>",
            "<meta refines=\"#contributor1\" property=\"role\" scheme=\"marc:relators\">edt</meta>",
            "<dc:contributor id=\"contributor2\">陈二</dc:contributor>",
            "<meta refines=\"#contributor2\" property=\"role\" scheme=\"marc:relators\">ill</meta>",
            "<dc:language>zh-Hans</dc:language>",
            "<dc:description>几则在山里走路时写下的小记。</dc:description>",
            "<dc:publisher>竹林小社</dc:publisher>",
            "<dc:date>2024-03-01</dc:date>",
            "<dc:subject>随笔</dc:subject>",
            "<dc:subject>山行</dc:subject>",
            "<dc:rights>版权所有 2024 林小川</dc:rights>",
            "<meta property=\"belongs-to-collection\" id=\"series\">行走丛书</meta>",
            "<meta refines=\"#series\" property=\"collection-type\">series</meta>",
            "<meta refines=\"#series\" property=\"group-position\">2</meta>",
            "<meta refines=\"#book-id\" property=\"identifier-type\" scheme=\"onix:codelist5\">15</meta>",
        ]
    );
    // The preview is another product: its own identifier, no ISBN anywhere,
    // but the same public metadata.
    let preview_opf = text(&yaml_preview, "OEBPS/package.opf");
    assert!(preview_opf.contains("<dc:identifier id=\"book-id\">urn:uuid:"));
    assert!(preview_opf.contains("<dc:publisher>竹林小社</dc:publisher>"));
    assert!(preview_opf.contains("group-position\">2<"));
    let everything = everything(&yaml_preview);
    assert!(!everything.contains("9787532145676") && !everything.contains("isbn"));
    assert!(!everything.contains("identifier-type"));
    // The front matter is not text of the book, the repeated `# title` is
    // not a second heading, and a `---` rule in the middle stays a rule.
    let chapter = text(&yaml_full, "OEBPS/c0001.xhtml");
    // The title stands in <title> and the one <h1>, nowhere else.
    assert_eq!(chapter.matches("山中小记").count(), 2, "{chapter}");
    assert!(!chapter.contains("series") && !chapter.contains("draft"));
    assert!(chapter.contains("<hr"), "{chapter}");
    assert!(!text(&yaml_preview, "OEBPS/c0001.xhtml").contains("山顶那块石头"));

    let toml_out = tempfile::tempdir().unwrap();
    let (toml_preview, toml_full, _) =
        build_both(toml_out.path(), &format!("{fixture}/toml.md"), &[]);
    assert_eq!(text(&toml_full, "OEBPS/package.opf"), full_opf);
    assert_eq!(text(&toml_preview, "OEBPS/package.opf"), preview_opf);
}

#[test]
fn flags_win_over_the_config_and_the_config_over_a_single_essays_front_matter() {
    let out = tempfile::tempdir().unwrap();
    let essay = repo().join("tests/fixtures/markdown/front-matter/yaml.md");
    fs::copy(&essay, out.path().join("yaml.md")).unwrap();
    fs::write(
        out.path().join("wenji.toml"),
        "publisher = \"配置社\"\ntitle = \"配置书名\"\nisbn = \"\"\n",
    )
    .unwrap();
    let book = out.path().join("configured.epub");
    ok(wenji(
        out.path(),
        &["build", "yaml.md", "--full", "-o", book.to_str().unwrap()],
    ));
    let opf = text(&entries(&book), "OEBPS/package.opf");
    assert!(
        opf.contains("<dc:title id=\"title\">配置书名</dc:title>"),
        "{opf}"
    );
    let book = out.path().join("flagged.epub");
    ok(wenji(
        out.path(),
        &[
            "build",
            "yaml.md",
            "--full",
            "--title",
            "旗",
            "-o",
            book.to_str().unwrap(),
        ],
    ));
    let opf = text(&entries(&book), "OEBPS/package.opf");
    assert!(
        opf.contains("<dc:title id=\"title\">旗</dc:title>"),
        "{opf}"
    );
    assert!(opf.contains("<dc:publisher>配置社</dc:publisher>"), "{opf}");
    // Keys the config leaves out (or blank) come from the front matter.
    assert!(opf.contains("<dc:description>几则在山里走路时写下的小记。</dc:description>"));
    assert!(
        opf.contains(">urn:isbn:9787532145676</dc:identifier>"),
        "{opf}"
    );
    assert!(opf.contains(">林小川</dc:creator>"));
}

#[test]
fn wenji_toml_sets_the_books_metadata_and_essays_only_their_chapters() {
    let out = tempfile::tempdir().unwrap();
    let (preview, full, err) = build_both(out.path(), "tests/fixtures/markdown/metadata-book", &[]);
    let full_opf = text(&full, "OEBPS/package.opf");
    assert_eq!(
        metadata_lines(&full_opf),
        [
            "<dc:identifier id=\"book-id\">urn:uuid:0f1e2d3c-4b5a-4978-8a6b-5c4d3e2f1a0b</dc:identifier>",
            "<dc:title id=\"title\">四季杂记</dc:title>",
            "<dc:creator id=\"creator1\">林小川</dc:creator>",
            "<meta refines=\"#creator1\" property=\"role\" scheme=\"marc:relators\">aut</meta>",
            "<dc:contributor id=\"contributor1\">王一</dc:contributor>",
            "<meta refines=\"#contributor1\" property=\"role\" scheme=\"marc:relators\">trl</meta>",
            "<dc:language>zh-Hans</dc:language>",
            "<dc:description>春夏秋冬各写一篇。</dc:description>",
            "<dc:publisher>竹林小社</dc:publisher>",
            "<dc:date>2023-12</dc:date>",
            "<dc:subject>随笔</dc:subject>",
            "<dc:subject>四季</dc:subject>",
            "<dc:rights>版权所有</dc:rights>",
            "<meta property=\"belongs-to-collection\" id=\"series\">行走丛书</meta>",
            "<meta refines=\"#series\" property=\"collection-type\">series</meta>",
            "<meta refines=\"#series\" property=\"group-position\">1.5</meta>",
            "<dc:identifier id=\"isbn\">urn:isbn:9787532145676</dc:identifier>",
            "<meta refines=\"#isbn\" property=\"identifier-type\" scheme=\"onix:codelist5\">15</meta>",
        ]
    );
    let preview_opf = text(&preview, "OEBPS/package.opf");
    assert!(!everything(&preview).contains("9787532145676"));
    assert_eq!(preview_opf.matches("<dc:identifier").count(), 1);
    // Chapter titles come from each essay's front matter.
    let nav = text(&full, "OEBPS/nav.xhtml");
    assert!(nav.contains(">春</a>") && nav.contains(">冬</a>"), "{nav}");
    // An essay's book-level key is left out, with a warning naming it.
    assert!(!full_opf.contains("另一家出版社"));
    assert!(
        err.contains("1-spring.md: front matter keys for the whole book (publisher)")
            && err.contains("wenji.toml"),
        "{err}"
    );
}

#[test]
fn bad_metadata_stops_the_build_naming_file_line_or_key() {
    let out = tempfile::tempdir().unwrap();
    let write = |name: &str, text: &str| fs::write(out.path().join(name), text).unwrap();
    write(
        "marker.md",
        "---\ntitle: 题\ndescription: 免费 ##paidbegin## 付费\n---\n\n正文\n",
    );
    let output = wenji(out.path(), &["build", "marker.md", "-o", "a.epub"]);
    assert_fails_with(&output, "marker.md:3: front matter: a paid marker");
    assert!(!stderr(&output).contains("付费"));
    assert!(!out.path().join("a.epub").exists());
    write(
        "date.md",
        "+++\ntitle = \"题\"\ndate = \"2024-13-01\"\n+++\n\n正文\n",
    );
    let output = wenji(out.path(), &["build", "date.md", "-o", "b.epub"]);
    assert_fails_with(
        &output,
        "date.md:3: front matter: date \"2024-13-01\": not a date",
    );
    fs::create_dir(out.path().join("book")).unwrap();
    write("book/e.md", "# 题\n\n正文\n");
    write("book/wenji.toml", "isbn = \"978-7-5321-4567-5\"\n");
    let output = wenji(out.path(), &["build", "book", "-o", "c.epub"]);
    assert_fails_with(&output, "isbn = \"978-7-5321-4567-5\" in ");
    assert!(stderr(&output).contains("check digit"));
}
