//! A multi-chapter Markdown book as documentation sites write them
//! (`tests/fixtures/markdown-book/`): chapter order from `SUMMARY.md` or
//! `chapters = [...]`, a heading-less `README.md` as the introduction,
//! links between chapter files, site-root images found through
//! `--resource-path`, missing images as warnings, and `--strict`.

use std::fs;
use std::path::{Path, PathBuf};

use crate::support::{
    assert_fails_with, entries, everything, ok, repo, stderr, text, wenji, wenji_at,
};

/// The fixture book.
fn fixture() -> PathBuf {
    repo().join("tests/fixtures/markdown-book")
}

/// A copy of the fixture book in a fresh folder, to add files to.
fn fixture_copy() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let book = dir.path().join("book");
    copy_tree(&fixture(), &book);
    (dir, book)
}

fn copy_tree(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for entry in fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// The chapter titles of `nav.xhtml`, in order, with their hrefs.
fn nav_chapters(epub: &Path) -> Vec<(String, String)> {
    let nav = text(&entries(epub), "OEBPS/nav.xhtml");
    let toc = &nav[..nav.find("</nav>").unwrap()];
    toc.split("<a href=\"")
        .skip(1)
        .filter_map(|rest| {
            let (href, rest) = rest.split_once("\">")?;
            let title = rest.split('<').next()?;
            (!href.contains('#')).then(|| (href.to_string(), title.to_string()))
        })
        .collect()
}

/// Builds `input` in `cwd` with `args` added; returns the preview's path.
fn build(cwd: &Path, input: &Path, args: &[&str]) -> (PathBuf, String) {
    let epub = cwd.join("book.epub");
    let mut all = vec![
        "build",
        input.to_str().unwrap(),
        "-o",
        epub.to_str().unwrap(),
    ];
    all.extend_from_slice(args);
    let output = ok(wenji(cwd, &all));
    (epub, stderr(&output))
}

#[test]
fn summary_orders_the_chapters_and_the_readme_is_the_introduction() {
    let out = tempfile::tempdir().unwrap();
    let resources = fixture().join("static");
    let (epub, err) = build(
        out.path(),
        &fixture(),
        &["--resource-path", resources.to_str().unwrap()],
    );
    let chapters = nav_chapters(&epub);
    let titles: Vec<&str> = chapters.iter().map(|(_, t)| t.as_str()).collect();
    assert_eq!(titles, ["前言", "安装", "配置", "使用"], "{err}");
    // 配置 is nested under 安装 in SUMMARY.md, and so in the navigation.
    let nav = text(&entries(&epub), "OEBPS/nav.xhtml");
    assert!(
        nav.contains(
            "<a href=\"c0002.xhtml\">安装</a>\n<ol>\n<li><a href=\"c0003.xhtml\">配置</a>"
        ),
        "{nav}"
    );
    // The draft and the unlisted file are said; SUMMARY.md is no chapter.
    assert!(
        err.contains("SUMMARY.md:9: '还没写的一章' is a draft chapter"),
        "{err}"
    );
    assert!(err.contains("draft-notes.md: not listed in"), "{err}");
    assert!(!err.contains("README"), "{err}");
    let all = crate::support::everything(&entries(&epub));
    assert!(!all.contains("第一部") && !all.contains("草稿笔记"));
}

#[test]
fn the_config_list_beats_summary_and_file_names() {
    let (dir, book) = fixture_copy();
    fs::write(
        book.join("wenji.toml"),
        "chapters = [\"usage.md\", \"config/setup.md\", \"install.md\"]\nresource_path = [\"static\"]\n",
    )
    .unwrap();
    let (epub, err) = build(dir.path(), &book, &[]);
    let titles: Vec<String> = nav_chapters(&epub).into_iter().map(|(_, t)| t).collect();
    assert_eq!(titles, ["使用", "配置", "安装"], "{err}");
    assert!(err.contains("README.md: not listed in"), "{err}");
    // resource_path, relative to the config, found the site-root image.
    assert!(!err.contains("logo.png"), "{err}");
    // A link to a chapter follows it to its new place; one to a file left out is text.
    let readme_link = text(&entries(&epub), "OEBPS/c0003.xhtml");
    assert!(
        readme_link.contains("<a href=\"c0002.xhtml\">配置</a>"),
        "{readme_link}"
    );
}

#[test]
fn a_listed_file_that_is_missing_stops_the_build() {
    let (dir, book) = fixture_copy();
    fs::write(
        book.join("wenji.toml"),
        "chapters = [\"install.md\", \"gone.md\"]\n",
    )
    .unwrap();
    let epub = dir.path().join("x.epub");
    let output = wenji(
        dir.path(),
        &[
            "build",
            book.to_str().unwrap(),
            "-o",
            epub.to_str().unwrap(),
        ],
    );
    assert_fails_with(&output, "chapter 'gone.md' does not exist");
    assert!(!epub.exists());
}

#[test]
fn without_a_list_the_readme_comes_first_titled_in_the_book_language() {
    let dir = tempfile::tempdir().unwrap();
    let book = dir.path().join("notes");
    fs::create_dir(&book).unwrap();
    fs::write(book.join("1.md"), "# 第一篇\n\nこれは日本語の文章です。\n").unwrap();
    fs::write(
        book.join("README.md"),
        "この本について、少しだけ書いておきます。\n",
    )
    .unwrap();
    let (epub, err) = build(dir.path(), &book, &[]);
    let titles: Vec<String> = nav_chapters(&epub).into_iter().map(|(_, t)| t).collect();
    assert_eq!(titles, ["はじめに", "第一篇"], "{err}");
    assert!(!err.contains("no '# title' heading"), "{err}");
}

#[test]
fn links_between_chapters_lead_to_their_first_page_in_both_editions() {
    let out = tempfile::tempdir().unwrap();
    let resources = fixture().join("static");
    let (preview, err) = build(
        out.path(),
        &fixture(),
        &[
            "--resource-path",
            resources.to_str().unwrap(),
            "--edition",
            "both",
        ],
    );
    let full = out.path().join("book.full.epub");
    for epub in [&preview, &full] {
        let book = entries(epub);
        let readme = text(&book, "OEBPS/c0001.xhtml");
        assert!(
            readme.contains("<a href=\"c0002.xhtml\">安装</a>"),
            "{readme}"
        );
        // A fragment leads to the heading it names.
        assert!(
            readme.contains("<a href=\"c0004.xhtml#s1\">使用</a>"),
            "{readme}"
        );
        // `../install.md` from a subfolder.
        let setup = text(&book, "OEBPS/c0003.xhtml");
        assert!(
            setup.contains("<a href=\"c0002.xhtml\">安装</a>"),
            "{setup}"
        );
        // A Markdown file outside the book: its text stays, without the link.
        let usage = text(&book, "OEBPS/c0004.xhtml");
        assert!(
            usage.contains("<a>旧手册</a>") && !usage.contains(".md"),
            "{usage}"
        );
    }
    assert!(
        err.contains("the link to '../旧手册.md' leads to no chapter"),
        "{err}"
    );
}

#[test]
fn a_missing_image_warns_with_its_line_and_keeps_its_alt_text() {
    let out = tempfile::tempdir().unwrap();
    // No --resource-path: the site-root image is not found.
    let (epub, err) = build(out.path(), &fixture(), &[]);
    let install = fixture().join("install.md");
    let expected = format!(
        "warning: {}:5: image '/images/logo.png' not found",
        install.display()
    );
    assert!(err.contains(&expected), "{err}");
    assert!(err.contains("--resource-path"), "{err}");
    let chapter = text(&entries(&epub), "OEBPS/c0002.xhtml");
    assert!(chapter.contains("<p>墨笔的标志</p>"), "{chapter}");
    assert!(!chapter.contains("<img"), "{chapter}");
}

#[test]
fn strict_turns_every_warning_into_an_error_and_writes_nothing() {
    let out = tempfile::tempdir().unwrap();
    let epub = out.path().join("book.epub");
    let fixture = fixture();
    let output = wenji(
        out.path(),
        &[
            "build",
            fixture.to_str().unwrap(),
            "--strict",
            "-o",
            epub.to_str().unwrap(),
        ],
    );
    let err = stderr(&output);
    assert_eq!(output.status.code(), Some(1), "{err}");
    assert!(err.contains("warning(s) with --strict"), "{err}");
    for each in [
        "install.md:5: image '/images/logo.png'",
        "is a draft chapter",
        "旧手册.md",
    ] {
        assert!(err.contains(each), "{each}: {err}");
    }
    assert!(!epub.exists());
    assert_eq!(fs::read_dir(out.path()).unwrap().count(), 0);
    // strict = true in the config does the same.
    let (dir, book) = fixture_copy();
    fs::write(book.join("wenji.toml"), "strict = true\n").unwrap();
    let output = wenji(
        dir.path(),
        &[
            "build",
            book.to_str().unwrap(),
            "-o",
            epub.to_str().unwrap(),
        ],
    );
    assert_fails_with(&output, "with --strict");
    assert!(!epub.exists());
}

#[test]
fn a_book_without_warnings_builds_with_strict() {
    let dir = tempfile::tempdir().unwrap();
    let book = dir.path().join("clean");
    fs::create_dir(&book).unwrap();
    fs::write(book.join("a.md"), "# 甲\n\n看[乙](b.md)。\n").unwrap();
    fs::write(book.join("b.md"), "# 乙\n\n正文。\n").unwrap();
    let (epub, err) = build(dir.path(), &book, &["--strict"]);
    assert!(epub.exists(), "{err}");
    // The command's own warning counts too.
    fs::remove_file(&epub).unwrap();
    let args = [
        "build",
        book.to_str().unwrap(),
        "--strict",
        "-o",
        epub.to_str().unwrap(),
    ];
    let output = wenji_at("soon", dir.path(), &args);
    assert_fails_with(&output, "SOURCE_DATE_EPOCH: 'soon' is not a number");
    assert!(!epub.exists());
}

#[test]
fn strict_fails_the_essay_in_a_batch_and_the_report_says_why() {
    let dir = tempfile::tempdir().unwrap();
    let essays = dir.path().join("essays");
    fs::create_dir(&essays).unwrap();
    fs::write(essays.join("ok.md"), "# 好\n\n正文。\n").unwrap();
    fs::write(essays.join("img.md"), "# 图\n\n![缺](none.png)\n").unwrap();
    let report = dir.path().join("report.json");
    let output = wenji(
        dir.path(),
        &[
            "batch",
            essays.to_str().unwrap(),
            "-o",
            dir.path().join("out").to_str().unwrap(),
            "--strict",
            "--report",
            report.to_str().unwrap(),
        ],
    );
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let report = fs::read_to_string(report).unwrap();
    assert!(report.contains("with --strict"), "{report}");
    assert!(report.contains("image 'none.png' not found"), "{report}");
    assert!(dir.path().join("out/ok.epub").exists());
    assert!(!dir.path().join("out/img.epub").exists());
}

#[test]
fn resource_paths_are_searched_in_order_and_confined() {
    let dir = tempfile::tempdir().unwrap();
    let first = dir.path().join("first");
    let second = dir.path().join("second");
    let essays = dir.path().join("essays");
    for folder in [&first, &second, &essays] {
        fs::create_dir_all(folder.join("images")).unwrap();
    }
    let ink = fs::read(repo().join("tests/fixtures/markdown/images/ink.png")).unwrap();
    let paid = fs::read(repo().join("tests/fixtures/markdown/images/paid-only.png")).unwrap();
    fs::write(second.join("images/a.png"), &ink).unwrap();
    fs::write(first.join("images/b.png"), &paid).unwrap();
    fs::write(second.join("images/b.png"), &ink).unwrap();
    // A secret beside the resource folders, reachable only by `..`.
    fs::write(dir.path().join("secret.png"), &paid).unwrap();
    fs::write(
        essays.join("e.md"),
        "# 图\n\n![a](/images/a.png)\n\n![b](/images/b.png)\n\n![逃](/../secret.png)\n\n![逃2](/images/../../secret.png)\n",
    )
    .unwrap();
    let (epub, err) = build(
        dir.path(),
        &essays.join("e.md"),
        &[
            "--resource-path",
            first.to_str().unwrap(),
            "--resource-path",
            second.to_str().unwrap(),
        ],
    );
    let book = entries(&epub);
    let images: Vec<&Vec<u8>> = book
        .iter()
        .filter(|e| e.name.starts_with("OEBPS/images/") && e.name.ends_with(".png"))
        // The generated cover is drawn as a PNG too.
        .filter(|e| e.name != "OEBPS/images/cover.png")
        .map(|e| &e.data)
        .collect();
    // a only in the second folder; b from the first, which has it.
    assert_eq!(images.len(), 2, "{err}");
    assert!(images.contains(&&ink) && images.contains(&&paid));
    let chapter = text(&book, "OEBPS/c0001.xhtml");
    assert!(
        chapter.contains("<p>逃</p>") && chapter.contains("<p>逃2</p>"),
        "{chapter}"
    );
    assert_eq!(
        err.matches("leads outside the resource folders").count(),
        2,
        "{err}"
    );
}

#[test]
fn a_link_to_a_heading_finds_its_page_in_each_edition() {
    let dir = tempfile::tempdir().unwrap();
    let book = dir.path().join("book");
    fs::create_dir(&book).unwrap();
    fs::write(
        book.join("a.md"),
        "# 甲\n\n见[设置](b.md#设置)与[秘诀](b.md#秘诀)，或[不存在的小节](b.md#没有)。\n",
    )
    .unwrap();
    // Enough text before the headings that they land on later pages.
    let filler = "这是一段用来把章节撑到好几页的文字，没有别的意思。".repeat(400);
    let mut b = String::from("# 乙\n\n");
    for _ in 0..40 {
        b.push_str(&filler);
        b.push_str("\n\n");
    }
    b.push_str(
        "## 设置\n\n设置的说明。\n\n##paidbegin##\n\n## 秘诀\n\n付费的秘诀。\n\n##paidend##\n",
    );
    fs::write(book.join("b.md"), b).unwrap();
    ok(wenji(
        dir.path(),
        &["build", "book", "--edition", "both", "-o", "out.epub"],
    ));
    let link = |epub: &str, label: &str| -> String {
        let page = text(&entries(&dir.path().join(epub)), "OEBPS/c0001.xhtml");
        let at = page.find(&format!(">{label}</a>")).unwrap();
        let start = page[..at].rfind("href=\"").unwrap() + 6;
        page[start..at - 1].to_string()
    };
    let full = link("out.full.epub", "设置");
    assert!(
        full.starts_with("c0002-") && full.ends_with("#s1"),
        "{full}"
    );
    assert!(link("out.full.epub", "秘诀").ends_with("#s2"));
    // The preview has no such heading: the chapter's start, nothing revealed.
    assert_eq!(link("out.epub", "秘诀"), "c0002.xhtml");
    assert_eq!(link("out.epub", "设置"), full);
    assert_eq!(link("out.full.epub", "不存在的小节"), "c0002.xhtml");
    // Every link resolves: EPUBCheck's RSC-012 would catch one that does not.
    for epub in ["out.epub", "out.full.epub"] {
        let book = entries(&dir.path().join(epub));
        let all = everything(&book);
        assert!(!all.contains("#设置") && !all.contains("#秘诀"), "{epub}");
    }
}
