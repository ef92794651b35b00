//! `wenji build` end to end: runs the real binary, unzips what it wrote and
//! checks what readers and EPUBCheck care about.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::support::*;

/// Runs of four or more Han characters in `text`.
fn han_runs(text: &str) -> Vec<String> {
    let mut runs = Vec::new();
    let mut run = String::new();
    for c in text.chars().chain(std::iter::once(' ')) {
        if ('\u{4e00}'..='\u{9fff}').contains(&c) {
            run.push(c);
        } else {
            if run.chars().count() >= 4 {
                runs.push(run.clone());
            }
            run.clear();
        }
    }
    runs
}

/// The free and paid text of a source file, split by its markers — an
/// oracle independent of wenji's own marker code (well-formed markers only).
fn free_and_paid(source: &str) -> (String, String) {
    let (mut free, mut paid) = (String::new(), String::new());
    let mut rest = source;
    let mut in_paid = false;
    loop {
        let marker = if in_paid {
            "##paidend##"
        } else {
            "##paidbegin##"
        };
        match rest.find(marker) {
            Some(i) => {
                if in_paid { &mut paid } else { &mut free }.push_str(&rest[..i]);
                rest = &rest[i + marker.len()..];
                in_paid = !in_paid;
            }
            None => {
                if in_paid { &mut paid } else { &mut free }.push_str(rest);
                return (free, paid);
            }
        }
    }
}

/// Asserts that no paid run (absent from the free text) is in the preview
/// and that every one is in the full edition.
fn assert_no_leak(sources: &[PathBuf], preview: &Path, full: &Path) {
    let preview = everything(&entries(preview));
    let full = everything(&entries(full));
    let mut checked = 0;
    for source in sources {
        let (free, paid) = free_and_paid(&fs::read_to_string(source).unwrap());
        for run in han_runs(&paid)
            .into_iter()
            .filter(|r| !free.contains(r.as_str()))
        {
            assert!(
                !preview.contains(&run),
                "paid text '{run}' of {} leaked into the preview",
                source.display()
            );
            assert!(
                full.contains(&run),
                "paid text '{run}' of {} missing from the full edition",
                source.display()
            );
            checked += 1;
        }
    }
    assert!(checked > 0, "the sources have no paid text to check");
}

/// Parses every XML entry and checks the language tags agree everywhere.
fn assert_well_formed_and_one_language(entries: &[Entry]) -> String {
    let opf = text(entries, "OEBPS/package.opf");
    let doc = roxmltree::Document::parse(&opf).unwrap();
    let xml_lang = doc
        .root_element()
        .attribute(("http://www.w3.org/XML/1998/namespace", "lang"))
        .unwrap();
    let dc_language = doc
        .descendants()
        .find(|n| n.has_tag_name("language"))
        .unwrap()
        .text()
        .unwrap();
    assert_eq!(xml_lang, dc_language);
    for entry in entries.iter().filter(|e| {
        e.name.ends_with(".xhtml") || e.name.ends_with(".ncx") || e.name.ends_with(".svg")
    }) {
        let source = String::from_utf8(entry.data.clone()).unwrap();
        let options = roxmltree::ParsingOptions {
            allow_dtd: true,
            ..Default::default()
        };
        let doc = roxmltree::Document::parse_with_options(&source, options)
            .unwrap_or_else(|e| panic!("{} is not XML: {e}", entry.name));
        if entry.name.ends_with(".xhtml") {
            let root = doc.root_element();
            assert_eq!(root.attribute("lang"), Some(dc_language), "{}", entry.name);
            assert_eq!(
                root.attribute(("http://www.w3.org/XML/1998/namespace", "lang")),
                Some(dc_language),
                "{}",
                entry.name
            );
            assert!(
                entry.data.len() <= 256 * 1024,
                "{} is larger than 256 KiB",
                entry.name
            );
        }
    }
    dc_language.to_string()
}

#[test]
fn the_sample_book_is_a_complete_epub() {
    let out = tempfile::tempdir().unwrap();
    let book = out.path().join("book.epub");
    ok(wenji(
        &repo(),
        &["build", "content/", "-o", book.to_str().unwrap()],
    ));
    let entries = entries(&book);
    assert_eq!(entries[0].name, "mimetype");
    assert!(entries[0].stored);
    assert_eq!(entries[0].data, b"application/epub+zip");
    let lang = assert_well_formed_and_one_language(&entries);
    assert_eq!(lang, "zh-Hans");
    let opf = text(&entries, "OEBPS/package.opf");
    // wenji.toml sets title, author and preview suffix.
    assert!(
        opf.contains("<dc:title id=\"title\">晨读集（试读）</dc:title>"),
        "{opf}"
    );
    assert!(opf.contains(">林小川</dc:creator>"));
    assert!(opf.contains("<dc:identifier id=\"book-id\">urn:uuid:"));
    assert!(opf.contains(&format!(
        "<meta property=\"dcterms:modified\">{EPOCH_STAMP}</meta>"
    )));
    assert!(opf.contains("page-progression-direction=\"ltr\""));
    // The cover comes from covers/cover.svg beside wenji.toml.
    let cover = entries
        .iter()
        .find(|e| e.name == "OEBPS/images/cover.svg")
        .unwrap();
    assert_eq!(
        cover.data,
        fs::read(repo().join("covers/cover.svg")).unwrap()
    );
    let nav = text(&entries, "OEBPS/nav.xhtml");
    for title in [
        "晨读",
        "茶与时间",
        "走路去上班",
        "一、水",
        "二、叶",
        "四、余味",
    ] {
        assert!(nav.contains(&format!(">{title}</a>")), "nav lacks {title}");
    }
    assert!(
        !nav.contains("三、等"),
        "a heading inside a paid part reached the preview's navigation"
    );
    let ncx = text(&entries, "OEBPS/toc.ncx");
    assert!(ncx.contains("<text>茶与时间</text>") && !ncx.contains("三、等"));
    let chapter = text(&entries, "OEBPS/c0001.xhtml");
    assert!(chapter.contains("<p class=\"paid-notice\">（此处为付费内容，完整版可读全文。）</p>"));
}

#[test]
fn previews_hold_no_paid_text_and_full_editions_hold_all() {
    let out = tempfile::tempdir().unwrap();
    let mut cases: Vec<(Vec<PathBuf>, Vec<String>)> = vec![
        (
            fs::read_dir(repo().join("content"))
                .unwrap()
                .map(|e| e.unwrap().path())
                .collect(),
            vec!["content/".into()],
        ),
        (
            vec![repo().join("tests/fixtures/markdown/essay.md")],
            vec!["tests/fixtures/markdown/essay.md".into()],
        ),
    ];
    let seed = repo().join("../shared/seeds");
    if let Ok(dir) = fs::read_dir(&seed) {
        let files: Vec<PathBuf> = dir.map(|e| e.unwrap().path()).collect();
        let args = files
            .iter()
            .map(|f| f.to_string_lossy().into_owned())
            .collect();
        cases.push((files, args));
    }
    for (n, (sources, inputs)) in cases.into_iter().enumerate() {
        for layout in ["horizontal", "vertical"] {
            let book = out.path().join(format!("{n}-{layout}.epub"));
            let mut args = vec![
                "build",
                "--layout",
                layout,
                "--edition",
                "both",
                "-o",
                book.to_str().unwrap(),
            ];
            args.extend(inputs.iter().map(String::as_str));
            ok(wenji(&repo(), &args));
            let full = out.path().join(format!("{n}-{layout}.full.epub"));
            assert_no_leak(&sources, &book, &full);
        }
    }
}

#[test]
fn a_paid_image_stays_out_of_the_preview() {
    let out = tempfile::tempdir().unwrap();
    let book = out.path().join("md.epub");
    let essay = repo().join("tests/fixtures/markdown/essay.md");
    ok(wenji(
        out.path(),
        &[
            "build",
            essay.to_str().unwrap(),
            "--edition",
            "both",
            "-o",
            book.to_str().unwrap(),
        ],
    ));
    let paid_png = fs::read(repo().join("tests/fixtures/markdown/images/paid-only.png")).unwrap();
    let free_png = fs::read(repo().join("tests/fixtures/markdown/images/ink.png")).unwrap();
    let preview = entries(&book);
    let full = entries(&out.path().join("md.full.epub"));
    assert!(preview.iter().any(|e| e.data == free_png));
    assert!(!preview.iter().any(|e| e.data == paid_png));
    assert!(full.iter().any(|e| e.data == paid_png));
    assert_well_formed_and_one_language(&preview);
    assert_well_formed_and_one_language(&full);
    let chapter = text(&preview, "OEBPS/c0001.xhtml");
    for banned in [
        "<script",
        "onclick",
        "javascript:",
        "<iframe",
        "框架里的字",
        "<style",
        "display: none",
    ] {
        assert!(!chapter.contains(banned), "{banned} reached the book");
    }
    let opf = text(&preview, "OEBPS/package.opf");
    assert!(opf.contains("media-type=\"image/png\""));
}

#[test]
fn builds_are_byte_identical_and_honour_source_date_epoch() {
    let out = tempfile::tempdir().unwrap();
    let build = |name: &str, epoch: &str| {
        let book = out.path().join(name);
        let args = [
            "build",
            "content/",
            "--layout",
            "vertical",
            "-o",
            book.to_str().unwrap(),
        ];
        ok(wenji_at(epoch, &repo(), &args));
        fs::read(book).unwrap()
    };
    let a = build("a.epub", EPOCH);
    assert_eq!(a, build("b.epub", EPOCH));
    assert_ne!(a, build("c.epub", "1800000000"));
    let stamp = zip::DateTime::from_date_and_time(2023, 11, 14, 22, 13, 20).unwrap();
    assert!(
        entries(&out.path().join("a.epub"))
            .iter()
            .all(|e| e.modified == Some(stamp))
    );
}

#[test]
fn both_editions_differ_in_title_and_identifier() {
    let out = tempfile::tempdir().unwrap();
    let book = out.path().join("sub/book.epub");
    let written = ok(wenji(
        &repo(),
        &[
            "build",
            "content/",
            "--edition",
            "both",
            "-o",
            book.to_str().unwrap(),
        ],
    ));
    assert_eq!(String::from_utf8_lossy(&written.stdout).lines().count(), 2);
    let preview = text(&entries(&book), "OEBPS/package.opf");
    let full = text(
        &entries(&out.path().join("sub/book.full.epub")),
        "OEBPS/package.opf",
    );
    let id = |opf: &str| {
        opf.split("book-id\">")
            .nth(1)
            .unwrap()
            .split('<')
            .next()
            .unwrap()
            .to_string()
    };
    assert_ne!(id(&preview), id(&full));
    assert!(preview.contains("晨读集（试读）") && !full.contains("试读"));
    // --full is --edition full.
    let only_full = out.path().join("full.epub");
    ok(wenji(
        &repo(),
        &[
            "build",
            "content/",
            "--full",
            "-o",
            only_full.to_str().unwrap(),
        ],
    ));
    assert_eq!(
        fs::read(&only_full).unwrap(),
        fs::read(out.path().join("sub/book.full.epub")).unwrap()
    );
    let clash = wenji(
        &repo(),
        &["build", "content/", "--full", "--edition", "both"],
    );
    assert_eq!(clash.status.code(), Some(2));
}

#[test]
fn a_book_without_paid_text_is_complete_in_both_editions() {
    let out = tempfile::tempdir().unwrap();
    let essay = out.path().join("free.txt");
    fs::write(&essay, "自由\n全是免费的文字。\n").unwrap();
    ok(wenji(
        out.path(),
        &["build", "free.txt", "--edition", "both", "-o", "free.epub"],
    ));
    assert_eq!(
        fs::read(out.path().join("free.epub")).unwrap(),
        fs::read(out.path().join("free.full.epub")).unwrap()
    );
}

#[test]
fn vertical_books_turn_right_to_left() {
    let out = tempfile::tempdir().unwrap();
    let book = out.path().join("v.epub");
    ok(wenji(
        &repo(),
        &[
            "build",
            "content/",
            "--layout",
            "vertical",
            "-o",
            book.to_str().unwrap(),
        ],
    ));
    let entries = entries(&book);
    let opf = text(&entries, "OEBPS/package.opf");
    assert!(opf.contains("page-progression-direction=\"rtl\""));
    assert!(opf.contains("<meta name=\"primary-writing-mode\" content=\"vertical-rl\"/>"));
    let css = text(&entries, "OEBPS/styles/book.css");
    for property in ["writing-mode", "-epub-writing-mode", "-webkit-writing-mode"] {
        assert!(css.contains(&format!("{property}: vertical-rl;")));
    }
}

#[test]
fn legacy_encodings_are_detected_and_decoded() {
    let out = tempfile::tempdir().unwrap();
    let simplified = "家书\n这是一封用国标码写成的家书，我们都很好。\n请不要挂念，来年春天再见。\n";
    let traditional =
        "家書\n這是一封用大五碼寫成的家書，我們都很好。\n請不要掛念，來年春天再見。\n";
    fs::write(
        out.path().join("gb.txt"),
        encoding_rs::GB18030.encode(simplified).0,
    )
    .unwrap();
    fs::write(
        out.path().join("big5.txt"),
        encoding_rs::BIG5.encode(traditional).0,
    )
    .unwrap();
    let mut utf16 = vec![0xff, 0xfe];
    utf16.extend(simplified.encode_utf16().flat_map(u16::to_le_bytes));
    fs::write(out.path().join("utf16.txt"), utf16).unwrap();
    for (file, expected, lang) in [
        ("gb.txt", simplified, "zh-Hans"),
        ("big5.txt", traditional, "zh-Hant"),
        ("utf16.txt", simplified, "zh-Hans"),
    ] {
        let book = out.path().join(format!("{file}.epub"));
        ok(wenji(
            out.path(),
            &["build", file, "-o", book.to_str().unwrap()],
        ));
        let entries = entries(&book);
        assert_eq!(
            assert_well_formed_and_one_language(&entries),
            lang,
            "{file}"
        );
        let chapter = text(&entries, "OEBPS/c0001.xhtml");
        for line in expected.lines().skip(1) {
            assert!(
                chapter.contains(&format!("<p>{line}</p>")),
                "{file}: {line}"
            );
        }
    }
}

#[test]
fn bad_flag_values_are_usage_mistakes() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("e.txt"), "题\n文\n").unwrap();
    for (flag, value, message) in [
        ("--encoding", "klingon", "unknown encoding 'klingon'"),
        ("--lang", "中文", "'中文' is not a BCP 47 language tag"),
    ] {
        let output = wenji(dir.path(), &["build", "e.txt", flag, value, "-o", "b.epub"]);
        let err = stderr(&output);
        assert_eq!(output.status.code(), Some(2), "{err}");
        assert!(err.contains(flag) && err.contains(message), "{err}");
        assert!(!dir.path().join("b.epub").exists());
    }
}

#[test]
fn a_bad_config_encoding_names_the_key() {
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir(dir.path().join("book")).unwrap();
    fs::write(dir.path().join("book/e.txt"), "标题\n正文一段。\n").unwrap();
    let config = dir.path().join("book/wenji.toml");
    // A label that is no encoding, and one that does not fit the essay.
    for (label, message) in [
        ("klingon", "unknown encoding 'klingon'"),
        ("big5", "book/e.txt:1: this line is not valid Big5 text"),
    ] {
        fs::write(&config, format!("encoding = \"{label}\"\n")).unwrap();
        let output = wenji(dir.path(), &["build", "book", "-o", "b.epub"]);
        assert_fails_with(&output, message);
        let key = format!("encoding = \"{label}\" in book/wenji.toml");
        assert!(stderr(&output).contains(&key), "{}", stderr(&output));
        assert!(!dir.path().join("b.epub").exists());
    }
    // --encoding overrides the key, and then the key is not blamed.
    let output = wenji(
        dir.path(),
        &["build", "book", "--encoding", "big5", "-o", "b.epub"],
    );
    assert_fails_with(&output, "book/e.txt:1: this line is not valid Big5 text");
    assert!(
        !stderr(&output).contains("encoding = "),
        "{}",
        stderr(&output)
    );
}

#[test]
fn one_author_in_the_config_may_be_a_string() {
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir(dir.path().join("book")).unwrap();
    fs::write(dir.path().join("book/e.txt"), "标题\n正文一段。\n").unwrap();
    fs::write(dir.path().join("book/wenji.toml"), "authors = \"某某\"\n").unwrap();
    ok(wenji(dir.path(), &["build", "book", "-o", "b.epub"]));
    let opf = text(&entries(&dir.path().join("b.epub")), "OEBPS/package.opf");
    assert!(opf.contains(">某某</dc:creator>"), "{opf}");
    assert_eq!(opf.matches("</dc:creator>").count(), 1, "{opf}");
}

#[test]
fn an_output_that_is_a_folder_is_named() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("e.txt"), "题\n文\n").unwrap();
    fs::create_dir(dir.path().join("books")).unwrap();
    let output = wenji(dir.path(), &["build", "e.txt", "-o", "books"]);
    assert_fails_with(
        &output,
        "books: this is a folder; give the book a file name",
    );
}

#[test]
fn a_dash_input_says_essays_come_from_files() {
    let dir = tempfile::tempdir().unwrap();
    let output = wenji(dir.path(), &["build", "-"]);
    assert_fails_with(&output, "-: essays are not read from standard input");
    // A file really named `-` is an input like any other (and not an essay).
    fs::write(dir.path().join("-"), "题\n文\n").unwrap();
    let output = wenji(dir.path(), &["build", "-"]);
    assert_fails_with(&output, "-: not an essay");
}

#[test]
fn output_names_get_epub_or_are_refused_and_dash_is_standard_output() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(
        dir.path().join("e.txt"),
        "题\n免费\n##paidbegin##付费\n##paidend##\n",
    )
    .unwrap();
    ok(wenji(
        dir.path(),
        &["build", "e.txt", "--edition", "both", "-o", "book"],
    ));
    assert!(dir.path().join("book.epub").is_file());
    assert!(dir.path().join("book.full.epub").is_file());
    assert!(!dir.path().join("book").exists());
    for (args, message) in [
        (
            &["-o", "book.pdf"][..],
            "give a name ending in .epub, not .pdf",
        ),
        (
            &["--edition", "both", "-o", "-"][..],
            "-o - writes one book",
        ),
    ] {
        let mut all = vec!["build", "e.txt"];
        all.extend(args);
        let output = wenji(dir.path(), &all);
        assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
        assert!(stderr(&output).contains(message), "{}", stderr(&output));
    }
    assert!(!dir.path().join("book.pdf").exists() && !dir.path().join("-").exists());
    let piped = ok(wenji(dir.path(), &["build", "e.txt", "--full", "-o", "-"]));
    assert_eq!(
        piped.stdout,
        fs::read(dir.path().join("book.full.epub")).unwrap()
    );
}

#[test]
fn a_closed_standard_output_stops_nothing() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(
        dir.path().join("e.txt"),
        "题\n免费\n##paidbegin##付费\n##paidend##\n",
    )
    .unwrap();
    // `true` exits without reading: wenji's printing meets a closed pipe.
    let script = format!(
        "set -o pipefail; '{}' build e.txt --edition both -o b.epub | true",
        env!("CARGO_BIN_EXE_wenji")
    );
    let output = Command::new("bash")
        .args(["-c", &script])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    // Nothing about the closed pipe: the book's summary alone.
    let err = stderr(&output);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.starts_with("题: 1 chapter, "), "{err}");
    assert!(dir.path().join("b.epub").exists());
    assert!(dir.path().join("b.full.epub").exists());
}

#[test]
fn bad_input_fails_with_a_named_error_and_writes_nothing() {
    let out = tempfile::tempdir().unwrap();
    let dir = out.path();
    fs::write(
        dir.join("broken.txt"),
        b"title\nline two\n\xff\xfe\xfd bad\n",
    )
    .unwrap();
    fs::write(dir.join("empty.txt"), "\n \u{3000}\n").unwrap();
    fs::write(dir.join("image.txt"), b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR").unwrap();
    fs::write(dir.join("notes.pdf"), "x").unwrap();
    let cases: &[(&[&str], &str)] = &[
        (&["build", "missing.txt"], "missing.txt: cannot read it"),
        (
            &["build", "broken.txt", "--encoding", "utf-8"],
            "broken.txt:3: this line is not valid UTF-8",
        ),
        (&["build", "empty.txt"], "empty.txt: the essay is empty"),
        (
            &["build", "image.txt"],
            "image.txt: this is not a text file",
        ),
        (&["build", "notes.pdf"], "notes.pdf: not an essay"),
        (
            &[
                "build",
                "broken.txt",
                "--encoding",
                "latin1",
                "--cover",
                "notes.pdf",
            ],
            "notes.pdf: a cover must be",
        ),
    ];
    for (args, message) in cases {
        let mut all = args.to_vec();
        if !all.contains(&"-o") {
            all.extend(["-o", "out.epub"]);
        }
        assert_fails_with(&wenji(dir, &all), message);
        assert!(!dir.join("out.epub").exists());
    }
    assert_eq!(
        fs::read(dir.join("broken.txt")).unwrap(),
        b"title\nline two\n\xff\xfe\xfd bad\n"
    );
    let leftovers: Vec<_> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".wenji-"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn malformed_markers_warn_and_fail_closed() {
    let out = tempfile::tempdir().unwrap();
    // Each essay: its free text, its text that must stay out of the preview,
    // and the warning it must give (None: no warning names it). None of the
    // marked text is free.
    let cases: &[(&str, &str, Option<&str>)] = &[
        (
            "open.txt",
            "题目\n开头免费。\n##paidbegin##没有结束标记的付费段落。\n还是付费。\n",
            Some("open.txt:3: ##paidbegin## is never closed"),
        ),
        (
            "stray.txt",
            "题目\n丢了开始标记的段落。\n##paidend##\n结尾免费。\n",
            Some("stray.txt:3: ##paidend## without a ##paidbegin##"),
        ),
        (
            "nested.txt",
            "题目\n开头免费。##paidbegin##外层付费##paidbegin##内层付费##paidend##仍是付费##paidend##结尾免费。\n",
            Some("nested.txt:2: ##paidbegin## inside a paid part"),
        ),
        (
            "wide.txt",
            "题目\n开头免费。\n＃＃ｐａｉｄ＿ｂｅｇｉｎ＃＃全角标记后的付费。\n＃＃ＰＡＩＤＥＮＤ＃＃\n结尾免费。\n",
            Some("wide.txt:3: a paid marker not written exactly was read as ##paidbegin##"),
        ),
        (
            "code.md",
            "# 题目\n\n开头免费。\n\n```\n代码 ##paidbegin## 代码块里的付费\n```\n\n## 付费部分的小标题\n\n付费正文。##paidend##\n\n结尾免费。\n",
            Some("code.md:5: a paid marker inside code cuts the code in two"),
        ),
        (
            "heading.md",
            "# 题目\n\n开头免费。\n\n## 标题##paidbegin##标题里的付费\n\n### 付费的小节\n\n付费。\n\n##paidend##结尾免费。\n",
            None,
        ),
    ];
    let mut names = Vec::new();
    for (name, source, _) in cases {
        fs::write(out.path().join(name), source).unwrap();
        names.push(*name);
    }
    let mut args = vec!["build"];
    args.extend(&names);
    args.extend(["--title", "T", "--edition", "both", "-o", "b.epub"]);
    let err = stderr(&ok(wenji(out.path(), &args)));
    for (name, _, warning) in cases {
        match warning {
            Some(warning) => assert!(
                err.contains(&format!("warning: {warning}")),
                "{warning}\n{err}"
            ),
            None => assert!(!err.contains(name), "{name} warned:\n{err}"),
        }
    }
    let preview = everything(&entries(&out.path().join("b.epub")));
    let full = everything(&entries(&out.path().join("b.full.epub")));
    for paid in [
        "没有结束标记",
        "还是付费",
        "丢了开始标记",
        "外层付费",
        "内层付费",
        "仍是付费",
        "全角标记后的付费",
        "代码块里的付费",
        "付费部分的小标题",
        "付费正文",
        "标题里的付费",
        "付费的小节",
    ] {
        assert!(!preview.contains(paid), "{paid} leaked");
        assert!(full.contains(paid), "{paid} missing from the full edition");
    }
    for free in ["开头免费", "结尾免费"] {
        assert!(preview.contains(free), "{free}");
    }
    for marker_text in ["paidbegin", "paidend", "ｐａｉｄ"] {
        assert!(!full.contains(marker_text), "{marker_text}");
    }
}

#[test]
fn long_essays_continue_in_files_under_256_kib() {
    let out = tempfile::tempdir().unwrap();
    let mut essay = String::from("长文\n");
    for i in 0..3000 {
        essay.push_str(&format!("第{i}段：这是一段足够长的文字，用来把一个章节撑到好几个文件那么大，读者翻页时不应察觉。\n"));
    }
    essay.push_str(&"一口气写下去的超长段落。".repeat(40_000));
    fs::write(out.path().join("long.txt"), essay).unwrap();
    ok(wenji(out.path(), &["build", "long.txt", "-o", "long.epub"]));
    let entries = entries(&out.path().join("long.epub"));
    assert_well_formed_and_one_language(&entries);
    let chapters: Vec<_> = entries
        .iter()
        .filter(|e| e.name.starts_with("OEBPS/c0001"))
        .collect();
    assert!(chapters.len() >= 4, "{}", chapters.len());
    let opf = text(&entries, "OEBPS/package.opf");
    assert!(opf.contains("<itemref idref=\"c0001-2\"/>"));
    let all = everything(&entries);
    assert!(all.contains("第2999段"));
    assert_eq!(all.matches("一口气写下去的超长段落。").count(), 40_000);
}

#[test]
fn config_file_is_read_and_flags_win() {
    let out = tempfile::tempdir().unwrap();
    let dir = out.path();
    // The settings and covers of a book stand beside its essays.
    fs::create_dir_all(dir.join("essays/covers")).unwrap();
    fs::write(dir.join("essays/2.txt"), "二\n第二篇。\n").unwrap();
    fs::write(dir.join("essays/10.txt"), "十\n第十篇。\n").unwrap();
    fs::write(dir.join("essays/wenji.toml"), "title = \"配置的书名\"\nauthors = [\"甲\", \"乙\"]\nlayout = \"vertical\"\ncss = \"../extra.css\"\n").unwrap();
    // A wenji.toml in the current folder is not the book's.
    fs::write(dir.join("wenji.toml"), "title = \"别的书\"\n").unwrap();
    fs::write(dir.join("extra.css"), "p { color: #333333; }\n").unwrap();
    fs::write(
        dir.join("essays/covers/cover.png"),
        b"\x89PNG\r\n\x1a\nnot really but the signature",
    )
    .unwrap();
    let output = ok(wenji(dir, &["build", "essays", "-o", "a.epub"]));
    assert!(
        stderr(&output).contains("settings: essays/wenji.toml"),
        "{}",
        stderr(&output)
    );
    let a = entries(&dir.join("a.epub"));
    let opf = text(&a, "OEBPS/package.opf");
    assert!(opf.contains("<dc:title id=\"title\">配置的书名</dc:title>"));
    assert!(opf.contains(">甲</dc:creator>") && opf.contains(">乙</dc:creator>"));
    assert!(opf.contains("page-progression-direction=\"rtl\""));
    assert!(
        opf.contains(
            "href=\"images/cover.png\" media-type=\"image/png\" properties=\"cover-image\""
        )
    );
    assert_eq!(
        text(&a, "OEBPS/styles/extra.css"),
        "p { color: #333333; }\n"
    );
    assert!(text(&a, "OEBPS/c0001.xhtml").contains("href=\"styles/extra.css\""));
    // Natural order: 2 before 10.
    assert!(text(&a, "OEBPS/c0001.xhtml").contains("第二篇"));
    ok(wenji(
        dir,
        &[
            "build",
            "essays",
            "--title",
            "旗标书名",
            "--layout",
            "horizontal",
            "--author",
            "丙",
            "-o",
            "b.epub",
        ],
    ));
    let opf = text(&entries(&dir.join("b.epub")), "OEBPS/package.opf");
    assert!(opf.contains("旗标书名") && opf.contains(">丙</dc:creator>") && !opf.contains(">甲<"));
    assert!(opf.contains("page-progression-direction=\"ltr\""));
    fs::write(dir.join("bad.toml"), "titel = \"typo\"\n").unwrap();
    let output = wenji(dir, &["build", "essays", "--config", "bad.toml"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(stderr(&output).contains("bad.toml: unknown field `titel`"));
}

#[test]
fn default_output_is_the_title_slug_and_covers_match_the_essay() {
    let out = tempfile::tempdir().unwrap();
    let dir = out.path();
    fs::create_dir_all(dir.join("covers")).unwrap();
    fs::write(dir.join("walk.txt"), "散步 记\n走一走。\n").unwrap();
    let svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 10 10\"><rect width=\"10\" height=\"10\"/></svg>";
    fs::write(dir.join("covers/walk.svg"), svg).unwrap();
    let output = ok(wenji(dir, &["build", "walk.txt"]));
    assert_eq!(
        String::from_utf8_lossy(&output.stdout).trim(),
        "散步-记.epub"
    );
    let entries = entries(&dir.join("散步-记.epub"));
    assert_eq!(text(&entries, "OEBPS/images/cover.svg"), svg);
}

#[test]
fn generated_covers_carry_title_and_authors() {
    let out = tempfile::tempdir().unwrap();
    fs::write(out.path().join("a.txt"), "题目甲\n内容。\n").unwrap();
    ok(wenji(
        out.path(),
        &[
            "build",
            "a.txt",
            "--author",
            "作者乙",
            "--layout",
            "vertical",
            "--no-raster-cover",
            "-o",
            "a.epub",
        ],
    ));
    let svg = text(
        &entries(&out.path().join("a.epub")),
        "OEBPS/images/cover.svg",
    );
    // Vertical: one <text> per glyph, no writing-mode (which MuPDF ignores).
    for glyph in "题目甲作者乙".chars() {
        assert!(svg.contains(&format!(">{glyph}</text>")), "{svg}");
    }
    assert!(!svg.contains("writing-mode"));
}

// ---- CJK typesetting -------------------------------------------------------

fn build_fixture(out: &Path, fixture: &str, extra: &[&str]) -> Vec<Entry> {
    let book = out.join("book.epub");
    let source = repo().join(fixture);
    let mut args = vec![
        "build",
        source.to_str().unwrap(),
        "--full",
        "-o",
        book.to_str().unwrap(),
    ];
    args.extend(extra);
    ok(wenji(out, &args));
    entries(&book)
}

#[test]
fn vertical_books_get_upright_digits_corner_brackets_and_full_width_punctuation() {
    let out = tempfile::tempdir().unwrap();
    let essay = out.path().join("v.txt");
    fs::write(
        &essay,
        "竖排\n他说：“今天是12月25日，她说‘好’。”2023年的冬天,很冷!真的!?好。A12号楼。\n",
    )
    .unwrap();
    ok(wenji(
        out.path(),
        &["build", "v.txt", "--layout", "vertical", "-o", "v.epub"],
    ));
    let entries = entries(&out.path().join("v.epub"));
    let chapter = text(&entries, "OEBPS/c0001.xhtml");
    assert!(chapter.contains(
        "<p>他说：『今天是<span class=\"tcy\">12</span>月<span class=\"tcy\">25</span>日，她说「好」。』\
         2023年的冬天，很冷！真的<span class=\"tcy\">!?</span>好。A12号楼。</p>"
    ), "{chapter}");
    let css = text(&entries, "OEBPS/styles/book.css");
    for rule in [
        "text-combine-upright: all;",
        "-webkit-text-combine: horizontal;",
        "-epub-text-combine: horizontal;",
    ] {
        assert!(css.contains(rule), "{rule}");
    }
    let all = everything(&entries);
    assert!(
        !all.chars().any(|c| ('\u{fe10}'..='\u{fe4f}').contains(&c)),
        "vertical presentation forms"
    );

    ok(wenji(out.path(), &["build", "v.txt", "-o", "h.epub"]));
    let horizontal = text(&entries_of(out.path(), "h.epub"), "OEBPS/c0001.xhtml");
    assert!(horizontal.contains(
        "<p>他说：“今天是12月25日，她说‘好’。”2023年的冬天,很冷!真的!?好。A12号楼。</p>"
    ));
}

fn entries_of(dir: &Path, name: &str) -> Vec<Entry> {
    entries(&dir.join(name))
}

#[test]
fn typography_is_configurable() {
    let out = tempfile::tempdir().unwrap();
    fs::write(out.path().join("v.txt"), "题\n“好”,5月365天\n").unwrap();
    fs::write(
        out.path().join("wenji.toml"),
        "layout = \"vertical\"\n[typography]\ntate_chu_yoko = [1, 3]\nvertical_punctuation = false\n",
    )
    .unwrap();
    ok(wenji(out.path(), &["build", "v.txt", "-o", "v.epub"]));
    let chapter = text(&entries_of(out.path(), "v.epub"), "OEBPS/c0001.xhtml");
    assert!(
        chapter
            .contains("<p>“好”,<span class=\"tcy\">5</span>月<span class=\"tcy\">365</span>天</p>"),
        "{chapter}"
    );
}

/// The `<body>` of every chapter page of `entries`, in order.
fn chapter_bodies(entries: &[Entry]) -> String {
    entries
        .iter()
        .filter(|e| e.name.starts_with("OEBPS/c") && e.name.ends_with(".xhtml"))
        .map(|e| {
            let page = String::from_utf8_lossy(&e.data);
            let start = page.find("<body").unwrap_or(0);
            page[start..].to_string()
        })
        .collect()
}

#[test]
fn vertical_quotes_follow_the_locale_by_nesting_level() {
    let out = tempfile::tempdir().unwrap();
    let dir = out.path();
    // The same sentences typed with double quotes outside, then single.
    fs::write(
        dir.join("hans.txt"),
        "引号\n老师说：“这本《山居笔记》里写着‘慢慢读’。”\n他又说:\"别急,'一页一页'地读。\"\n\
         书上印着“Hello, world”和 don't 两句，第5章也有。\n",
    )
    .unwrap();
    fs::write(
        dir.join("hant.txt"),
        "引號\n老師說：“這本書裡寫著‘慢慢讀’。”\n他又說：‘別急，“一頁一頁”地讀。’\n",
    )
    .unwrap();
    let build = |file: &str, out_name: &str, extra: &[&str]| {
        let mut args = vec!["build", file, "--layout", "vertical", "-o", out_name];
        args.extend(extra);
        ok(wenji(dir, &args));
        chapter_bodies(&entries_of(dir, out_name))
    };
    let hans = build("hans.txt", "hans.epub", &[]);
    assert!(
        hans.contains("老师说：『这本《山居笔记》里写着「慢慢读」。』"),
        "{hans}"
    );
    assert!(
        hans.contains("他又说：『别急，「一页一页」地读。』"),
        "{hans}"
    );
    assert!(
        hans.contains("“Hello, world”") && hans.contains("don't"),
        "{hans}"
    );
    assert!(hans.contains("第<span class=\"tcy\">5</span>章"), "{hans}");
    let hant = build("hant.txt", "hant.epub", &[]);
    assert!(
        hant.contains("老師說：「這本書裡寫著『慢慢讀』。」"),
        "{hant}"
    );
    assert!(
        hant.contains("他又說：「別急，『一頁一頁』地讀。」"),
        "{hant}"
    );

    fs::write(
        dir.join("wenji.toml"),
        "[typography]\nquotes = \"corner-outside\"\nbook_title_marks = \"wavy-line\"\n",
    )
    .unwrap();
    let entries = {
        build("hans.txt", "corner.epub", &[]);
        entries_of(dir, "corner.epub")
    };
    let corner = chapter_bodies(&entries);
    assert!(
        corner.contains(
            "老师说：「这本<span class=\"book-title\">山居笔记</span>里写着『慢慢读』。」"
        ),
        "{corner}"
    );
    let css = text(&entries, "OEBPS/styles/book.css");
    assert!(css.contains("span.book-title") && css.contains("text-underline-position: left"));

    // Horizontal: curly quotes as typed, ASCII ones become the locale's.
    fs::remove_file(dir.join("wenji.toml")).unwrap();
    ok(wenji(dir, &["build", "hans.txt", "-o", "h.epub"]));
    let horizontal = chapter_bodies(&entries_of(dir, "h.epub"));
    assert!(
        horizontal.contains("他又说:“别急,‘一页一页’地读。”"),
        "{horizontal}"
    );
    assert!(horizontal.contains("老师说：“这本《山居笔记》里写着‘慢慢读’。”"));
}

#[test]
fn a_real_gbk_novel_keeps_no_ascii_quote_in_vertical_text() {
    let source = repo().join("../shared/real-texts/hongloumeng-gbk.txt");
    if !source.is_file() {
        eprintln!("../shared/real-texts/hongloumeng-gbk.txt is absent: not checked here");
        return;
    }
    let out = tempfile::tempdir().unwrap();
    let copy = out.path().join("hongloumeng.txt");
    fs::copy(&source, &copy).unwrap();
    ok(wenji(
        out.path(),
        &[
            "build",
            "hongloumeng.txt",
            "--layout",
            "vertical",
            "--full",
            "-o",
            "h.epub",
        ],
    ));
    let bodies = chapter_bodies(&entries_of(out.path(), "h.epub"));
    let text_only = regex::Regex::new("<[^>]*>")
        .unwrap()
        .replace_all(&bodies, "");
    assert!(!text_only.contains('"') && !text_only.contains("&quot;"));
    let opening = |marks: &str| text_only.chars().filter(|c| marks.contains(*c)).count();
    // Double quotes are the outer ones: 『 opens more quotations than 「.
    assert!(
        opening("『") > 5 * opening("「"),
        "{} {}",
        opening("『"),
        opening("「")
    );
    assert!(opening("“‘") == 0, "curly quotes left");
}

#[test]
fn taiwan_quotes_and_language_detection() {
    let out = tempfile::tempdir().unwrap();
    let entries = build_fixture(
        out.path(),
        "tests/fixtures/zh-hant/街角的茶館.txt",
        &["--layout", "vertical"],
    );
    assert_eq!(assert_well_formed_and_one_language(&entries), "zh-Hant");
    let chapter = text(&entries, "OEBPS/c0001.xhtml");
    assert!(
        chapter.contains("他總說：「泡茶不急，『慢慢來』才有味道。」"),
        "{chapter}"
    );
    let ja = build_fixture(
        out.path(),
        "tests/fixtures/ja/窓辺の猫.txt",
        &["--layout", "vertical"],
    );
    assert_eq!(assert_well_formed_and_one_language(&ja), "ja");
}

#[test]
fn plain_text_headings_become_nested_navigation() {
    let out = tempfile::tempdir().unwrap();
    fs::write(
        out.path().join("h.txt"),
        "书\n第一章 起点\n正文。\n一、小节\n正文。\n第二章 终点\n正文。\n",
    )
    .unwrap();
    ok(wenji(out.path(), &["build", "h.txt", "-o", "h.epub"]));
    let entries = entries_of(out.path(), "h.epub");
    let nav = text(&entries, "OEBPS/nav.xhtml");
    assert!(nav.contains(
        "<li><a href=\"c0001.xhtml#s1\">第一章 起点</a>\n<ol>\n<li><a href=\"c0001.xhtml#s2\">一、小节</a></li>\n</ol>\n</li>\n\
         <li><a href=\"c0001.xhtml#s3\">第二章 终点</a></li>"
    ), "{nav}");
    assert!(text(&entries, "OEBPS/c0001.xhtml").contains("<h2 id=\"s1\">第一章 起点</h2>"));
    ok(wenji(
        out.path(),
        &["build", "h.txt", "--no-detect-headings", "-o", "p.epub"],
    ));
    let plain = entries_of(out.path(), "p.epub");
    assert!(!text(&plain, "OEBPS/c0001.xhtml").contains("<h2"));
    assert!(text(&plain, "OEBPS/c0001.xhtml").contains("<p>第一章 起点</p>"));
}

#[test]
fn the_seed_essay_has_no_false_headings() {
    let seeds = repo().join("../shared/seeds");
    let Ok(dir) = fs::read_dir(&seeds) else {
        return; // the seed lives outside the repository; CI checks it when present
    };
    for seed in dir {
        let path = seed.unwrap().path();
        let (essay, _) = wenji::build::load_essay(
            &path,
            wenji::decode::Reading::default(),
            None,
            &wenji::parse::PlainRules::default(),
        )
        .unwrap();
        let headings = essay
            .blocks()
            .filter(|b| matches!(b, wenji::essay::Block::Heading { .. }))
            .count();
        assert_eq!(headings, 0, "{}", path.display());
    }
}

#[test]
fn ruby_title_page_toc_page_and_accessibility_metadata() {
    let out = tempfile::tempdir().unwrap();
    let entries = build_fixture(
        out.path(),
        "tests/fixtures/ja/窓辺の猫.txt",
        &["--layout", "vertical", "--title-page", "--toc-page"],
    );
    assert_well_formed_and_one_language(&entries);
    let chapter = text(&entries, "OEBPS/c0001.xhtml");
    assert!(chapter.contains("<ruby>窓辺<rp>（</rp><rt>まどべ</rt><rp>）</rp></ruby>"));
    assert!(chapter.contains("<ruby>小雨<rp>（</rp><rt>こさめ</rt><rp>）</rp></ruby>"));
    let opf = text(&entries, "OEBPS/package.opf");
    let spine: Vec<&str> = opf.lines().filter(|l| l.starts_with("<itemref")).collect();
    assert_eq!(
        &spine[..3],
        [
            "<itemref idref=\"cover\"/>",
            "<itemref idref=\"titlepage\"/>",
            "<itemref idref=\"toc\"/>"
        ]
    );
    for property in [
        "schema:accessMode\">textual",
        "schema:accessModeSufficient\">textual",
        "schema:accessibilityFeature\">structuralNavigation",
        "schema:accessibilityFeature\">tableOfContents",
        "schema:accessibilityHazard\">none",
        "schema:accessibilitySummary",
    ] {
        assert!(opf.contains(property), "{property}");
    }
    let toc = text(&entries, "OEBPS/toc.xhtml");
    assert!(toc.contains("role=\"doc-toc\""));
    assert!(
        toc.contains("<a href=\"c0001.xhtml#s1\">第一章　朝</a>"),
        "{toc}"
    );
    let title = text(&entries, "OEBPS/titlepage.xhtml");
    assert!(title.contains("<h1 class=\"book-title\">窓辺の猫</h1>"));
    let nav = text(&entries, "OEBPS/nav.xhtml");
    assert!(
        nav.contains("epub:type=\"titlepage\" href=\"titlepage.xhtml\"")
            && nav.contains("epub:type=\"toc\" href=\"toc.xhtml\"")
    );
}

// ---- regressions found in review ---------------------------------------------

#[test]
fn a_forced_encoding_that_hides_the_markers_is_refused() {
    let out = tempfile::tempdir().unwrap();
    fs::write(
        out.path().join("f16.txt"),
        "Title\nfree\n##paidbegin##SECRET##paidend##\nend\n",
    )
    .unwrap();
    let output = wenji(
        out.path(),
        &["build", "f16.txt", "--encoding", "utf-16le", "-o", "x.epub"],
    );
    assert_fails_with(
        &output,
        "read as UTF-16LE this file holds no paid marker, but read as UTF-8",
    );
    assert!(!out.path().join("x.epub").exists());
}

#[test]
fn odd_metadata_still_makes_a_valid_package() {
    let out = tempfile::tempdir().unwrap();
    fs::write(out.path().join("e.txt"), "题\n文。\n").unwrap();
    ok(wenji(
        out.path(),
        &[
            "build", "e.txt", "--title", "A\u{1}B", "--author", "", "--author", "X\u{b}Y", "-o",
            "a.epub",
        ],
    ));
    let entries = entries_of(out.path(), "a.epub");
    assert_well_formed_and_one_language(&entries);
    let opf = text(&entries, "OEBPS/package.opf");
    assert!(
        opf.contains("<dc:title id=\"title\">AB</dc:title>") && opf.contains(">XY</dc:creator>")
    );
    assert_eq!(opf.matches("<dc:creator").count(), 1);
    ok(wenji(
        out.path(),
        &[
            "build", "e.txt", "--title", " ", "--author", "", "-o", "b.epub",
        ],
    ));
    let opf = text(&entries_of(out.path(), "b.epub"), "OEBPS/package.opf");
    assert!(
        opf.contains("<dc:title id=\"title\">题</dc:title>") && opf.contains(">佚名</dc:creator>")
    );
}

#[test]
fn one_image_under_two_names_gets_two_manifest_ids() {
    let out = tempfile::tempdir().unwrap();
    let jpeg = b"\xff\xd8\xff\xe0 the same bytes twice";
    fs::write(out.path().join("a.jpg"), jpeg).unwrap();
    fs::write(out.path().join("b.jpeg"), jpeg).unwrap();
    fs::write(out.path().join("e.md"), "# T\n\n![a](a.jpg) ![b](b.jpeg)\n").unwrap();
    ok(wenji(out.path(), &["build", "e.md", "-o", "e.epub"]));
    let opf = text(&entries_of(out.path(), "e.epub"), "OEBPS/package.opf");
    let ids: BTreeSet<&str> = opf
        .lines()
        .filter_map(|l| l.strip_prefix("<item id=\"img-"))
        .map(|l| l.split('"').next().unwrap())
        .collect();
    assert_eq!(ids.len(), 2, "{opf}");
}

// ---- embedded fonts ----------------------------------------------------------

#[cfg(not(feature = "fonts"))]
#[test]
fn font_embedding_needs_the_fonts_feature() {
    let out = tempfile::tempdir().unwrap();
    fs::write(out.path().join("e.txt"), "题\n文。\n").unwrap();
    fs::write(out.path().join("f.otf"), b"OTTO").unwrap();
    let output = wenji(
        out.path(),
        &["build", "e.txt", "--font", "f.otf", "-o", "e.epub"],
    );
    assert_fails_with(&output, "--features fonts");
}

/// With the `fonts` feature, `WENJI_TEST_FONT` must name a CJK font (CI uses
/// Debian's Noto Serif CJK); a missing font fails rather than skips.
#[cfg(feature = "fonts")]
#[test]
fn an_embedded_font_is_subset_per_edition() {
    let font =
        std::env::var("WENJI_TEST_FONT").expect("set WENJI_TEST_FONT to a CJK .ttc/.otf font");
    let font_size = fs::metadata(&font).unwrap().len();
    let out = tempfile::tempdir().unwrap();
    let build = |name: &str, extra: &[&str]| {
        let book = out.path().join(name);
        let mut args = vec![
            "build",
            "content/",
            "--layout",
            "vertical",
            "--edition",
            "both",
        ];
        args.extend(extra);
        args.extend(["-o", book.to_str().unwrap()]);
        ok(wenji(&repo(), &args));
        book
    };
    let plain = build("plain.epub", &[]);
    let with_font = build("font.epub", &["--font", &font]);
    let warned = stderr(&wenji(
        &repo(),
        &["build", "content/", "--font", &font, "-o", "-"],
    ));
    assert!(!warned.contains("has no glyphs"), "{warned}");
    let added = fs::metadata(&with_font).unwrap().len() - fs::metadata(&plain).unwrap().len();
    assert!(
        font_size > 10_000_000,
        "use a large CJK font to test subsetting"
    );
    assert!(added < 1_000_000, "embedding added {added} bytes");
    let preview = entries(&with_font);
    let full = entries(&out.path().join("font.full.epub"));
    assert_well_formed_and_one_language(&preview);
    let opf = text(&preview, "OEBPS/package.opf");
    assert!(opf.contains("prefix=\"ibooks: http://vocabulary.itunes.apple.com/rdf/ibooks/vocabulary-extensions-1.0/\""));
    assert!(opf.contains("<meta property=\"ibooks:specified-fonts\">true</meta>"));
    assert!(text(&preview, "OEBPS/styles/font.css").contains("@font-face"));
    assert!(text(&preview, "OEBPS/c0001.xhtml").contains("href=\"styles/font.css\""));
    let font_of = |entries: &[Entry]| {
        entries
            .iter()
            .find(|e| e.name.starts_with("OEBPS/fonts/"))
            .unwrap()
            .data
            .clone()
    };
    // The preview's subset covers fewer characters: no glyph gives paid text away.
    assert!(font_of(&preview).len() < font_of(&full).len());
}

/// A font without CJK glyphs (`WENJI_TEST_LATIN_FONT`, default Debian's
/// DejaVu Sans) given to a Chinese book is embedded with a warning; given to
/// an English book, without one.
#[cfg(feature = "fonts")]
#[test]
fn an_embedded_font_without_cjk_glyphs_warns() {
    let font = std::env::var("WENJI_TEST_LATIN_FONT")
        .unwrap_or_else(|_| "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf".to_string());
    assert!(
        Path::new(&font).is_file(),
        "{font} is missing: set WENJI_TEST_LATIN_FONT to a font without CJK glyphs"
    );
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("zh.txt"), "春天\n春天来了，花开了。\n").unwrap();
    fs::write(dir.path().join("en.txt"), "Spring\nThe flowers are out.\n").unwrap();
    let output = ok(wenji(
        dir.path(),
        &["build", "zh.txt", "--font", &font, "-o", "zh.epub"],
    ));
    let warning = format!(
        "warning: {font}: this font has no glyphs for 8 of the 8 CJK characters of the book; \
         readers will fall back"
    );
    assert!(stderr(&output).contains(&warning), "{}", stderr(&output));
    assert!(dir.path().join("zh.epub").is_file());
    let output = ok(wenji(
        dir.path(),
        &["build", "en.txt", "--font", &font, "-o", "en.epub"],
    ));
    assert!(
        !stderr(&output).contains("no glyphs"),
        "{}",
        stderr(&output)
    );
}

/// A file HarfBuzz cannot read as a font is an error naming it, not the book.
#[cfg(feature = "fonts")]
#[test]
fn an_embedded_font_harfbuzz_cannot_read_is_named() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("e.txt"), "题\n文。\n").unwrap();
    fs::write(
        dir.path().join("f.ttf"),
        b"\0\x01\0\0 these bytes are no font",
    )
    .unwrap();
    let output = wenji(
        dir.path(),
        &["build", "e.txt", "--font", "f.ttf", "-o", "e.epub"],
    );
    assert_fails_with(&output, "error: f.ttf: cannot embed this font: ");
    assert!(!stderr(&output).contains("archive"), "{}", stderr(&output));
    assert!(!dir.path().join("e.epub").exists());
}

/// Builds `name` (already in `dir`) alone to `<name>.epub`; returns its entries
/// after checking every XML file parses and no XHTML file passes 256 KiB.
fn build_alone(dir: &Path, name: &str, extra: &[&str]) -> (Vec<Entry>, String) {
    let epub = format!("{name}.epub");
    let mut args = vec!["build", name, "-o", &epub];
    args.extend(extra);
    let output = ok(wenji(dir, &args));
    let entries = entries(&dir.join(&epub));
    assert_well_formed_and_one_language(&entries);
    (entries, stderr(&output))
}

/// The text of every chapter file, tags and line breaks removed, in spine order.
fn chapter_text(entries: &[Entry]) -> String {
    let mut text = String::new();
    for entry in entries.iter().filter(|e| e.name.starts_with("OEBPS/c")) {
        let source = String::from_utf8(entry.data.clone()).unwrap();
        let options = roxmltree::ParsingOptions {
            allow_dtd: true,
            ..Default::default()
        };
        let doc = roxmltree::Document::parse_with_options(&source, options).unwrap();
        let body = doc.descendants().find(|n| n.has_tag_name("body")).unwrap();
        text.extend(
            body.descendants()
                .filter(|n| n.is_text())
                .filter_map(|n| n.text()),
        );
    }
    text.replace('\n', "")
}

#[test]
fn degenerate_essays_make_valid_books() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    fs::write(d.join("title-only.txt"), "只有标题\n").unwrap();
    fs::write(
        d.join("many.txt"),
        format!("很多段\n{}", "字\n".repeat(100_000)),
    )
    .unwrap();
    // Several megabytes on one line: sentences first, then none at all.
    let line = "这是一句话。".repeat(200_000) + &"没有句号的长段落".repeat(100_000);
    fs::write(d.join("one-line.txt"), format!("一行\n{line}\n")).unwrap();
    let items: String = (0..20_000).map(|i| format!("1. 第{i}项\n")).collect();
    let big_block = format!("# 大块\n\n{}\n\n{items}", "很长的段落。".repeat(100_000));
    fs::write(d.join("big-block.md"), big_block).unwrap();
    let nested_lists: String = (0..3000)
        .map(|i| format!("{}- 层{i}\n", "  ".repeat(i)))
        .collect();
    let deep = format!(
        "# 深\n\n{} 引用\n\n{nested_lists}\n\n{}内容\n\n## {}\n",
        ">".repeat(5000),
        "<div><span>".repeat(20_000),
        "长标题".repeat(50_000)
    );
    fs::write(d.join("deep.md"), deep).unwrap();

    let (entries, _) = build_alone(d, "title-only.txt", &[]);
    assert!(text(&entries, "OEBPS/nav.xhtml").contains("只有标题"));

    let (entries, _) = build_alone(d, "many.txt", &[]);
    assert_eq!(chapter_text(&entries).matches('字').count(), 100_000);

    let (entries, _) = build_alone(d, "one-line.txt", &[]);
    let text = chapter_text(&entries);
    assert_eq!(text.matches("这是一句话。").count(), 200_000);
    assert_eq!(text.matches("没有句号的长段落").count(), 100_000);

    let (entries, _) = build_alone(d, "big-block.md", &[]);
    let text = chapter_text(&entries);
    assert_eq!(text.matches("很长的段落。").count(), 100_000);
    assert!(text.contains("第0项") && text.contains("第19999项"));

    for layout in ["vertical", "horizontal"] {
        let (entries, err) = build_alone(d, "deep.md", &["--layout", layout]);
        assert!(
            err.contains("nested more than 100 levels deep were flattened"),
            "{err}"
        );
        let text = chapter_text(&entries);
        assert!(text.contains("引用") && text.contains("层2999") && text.contains("内容"));
        assert_eq!(text.matches("长标题").count(), 50_000);
    }
}

#[test]
fn unusable_essays_fail_with_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let mut bom_utf16_body_utf8 = vec![0xff, 0xfe];
    bom_utf16_body_utf8.extend("标题\n正文\n".as_bytes());
    // A first line this long is text, so only a metadata title can be too long.
    let long_title = format!(
        "Title: {}\n*** START OF THE PROJECT GUTENBERG EBOOK ***\nText.\n",
        "长".repeat(1001)
    );
    let mut zip_archive = b"PK\x03\x04\x14\0\0\0\x08\0".to_vec();
    zip_archive.extend([0u8; 64]);
    let cases: &[(&str, &[u8], &str)] = &[
        (
            "long-title.txt",
            long_title.as_bytes(),
            "long-title.txt: the title is 1001 characters long",
        ),
        (
            "blank.txt",
            b" \n\t\n\xe3\x80\x80\n",
            "blank.txt: the essay is empty",
        ),
        ("nothing.txt", b"", "nothing.txt: the essay is empty"),
        (
            "archive.txt",
            &zip_archive,
            "archive.txt: this is not a text file",
        ),
        (
            "photo.md",
            b"\xff\xd8\xff\xe0\0\x10JFIF\0\x01",
            "photo.md: this is not a text file",
        ),
        (
            "bom.txt",
            &bom_utf16_body_utf8,
            "bom.txt: the file starts with a UTF-16LE byte-order mark but is not UTF-16LE text",
        ),
    ];
    for (name, bytes, message) in cases {
        fs::write(d.join(name), bytes).unwrap();
        assert_fails_with(&wenji(d, &["build", name, "-o", "out.epub"]), message);
        assert!(!d.join("out.epub").exists());
    }
}

#[test]
fn odd_encodings_are_read_or_repaired_on_request() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let essay = "编码\n免费的段落。\n##paidbegin##付费的段落。##paidend##\n";
    let utf16le: Vec<u8> = essay.encode_utf16().flat_map(u16::to_le_bytes).collect();
    let utf16be: Vec<u8> = essay.encode_utf16().flat_map(u16::to_be_bytes).collect();
    fs::write(d.join("le.txt"), utf16le).unwrap();
    fs::write(d.join("be.txt"), utf16be).unwrap();
    for name in ["le.txt", "be.txt"] {
        let (entries, _) = build_alone(d, name, &[]);
        let all = everything(&entries);
        assert!(all.contains("免费的段落") && !all.contains("付费的段落"));
    }
    let mut mixed = "混合\n第一段是好的。\n".as_bytes().to_vec();
    mixed.extend(b"\xc3\x28 broken\n");
    mixed.extend("最后一段。\n".as_bytes());
    fs::write(d.join("mixed.txt"), &mixed).unwrap();
    assert_fails_with(
        &wenji(d, &["build", "mixed.txt", "-o", "out.epub"]),
        "mixed.txt:3: this line is not valid UTF-8",
    );
    let (entries, err) = build_alone(d, "mixed.txt", &["--lossy"]);
    assert!(
        err.contains("warning: mixed.txt:3: 1 line(s) are not valid UTF-8"),
        "{err}"
    );
    assert!(chapter_text(&entries).contains("\u{fffd}( broken"));
    mixed.extend(b"##paid\xffbegin##\n");
    fs::write(d.join("mixed.txt"), &mixed).unwrap();
    assert_fails_with(
        &wenji(d, &["build", "mixed.txt", "--lossy", "-o", "out.epub"]),
        "mixed.txt:5: this line is not valid UTF-8 text and may hold a paid marker",
    );
    fs::write(
        d.join("controls.txt"),
        "控制\n字\u{1}符\u{fffe}与\u{ffff}段落\u{7}。\n",
    )
    .unwrap();
    let (entries, err) = build_alone(d, "controls.txt", &[]);
    assert!(
        err.contains("controls.txt:2: removed 4 control character(s)"),
        "{err}"
    );
    assert!(chapter_text(&entries).contains("字符与段落。"));
}

#[test]
fn output_paths_are_created_or_refused_clearly() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    fs::write(d.join("a.txt"), "标题\n正文。\n").unwrap();
    ok(wenji(d, &["build", "a.txt", "-o", "new/deeper/a.epub"]));
    assert!(d.join("new/deeper/a.epub").is_file());
    assert_fails_with(
        &wenji(d, &["build", "a.txt", "-o", "a.txt/out.epub"]),
        "cannot write the book",
    );
    assert_fails_with(
        &wenji(d, &["build", "a.txt", "-o", "/proc/wenji/out.epub"]),
        "/proc/wenji/out.epub: cannot write the book",
    );
    std::os::unix::fs::symlink(d.join("gone.txt"), d.join("dangling.txt")).unwrap();
    assert_fails_with(
        &wenji(d, &["build", "dangling.txt", "-o", "out.epub"]),
        "dangling.txt: cannot read it",
    );
}

#[test]
fn two_builds_writing_one_path_leave_one_whole_book() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    for (name, word) in [("a.txt", "甲"), ("b.txt", "乙")] {
        let body: String = (0..3000)
            .map(|i| format!("{word}{i}：一段话。\n"))
            .collect();
        fs::write(d.join(name), format!("{word}\n{body}")).unwrap();
    }
    for _ in 0..5 {
        let spawn = |name: &str| {
            Command::new(env!("CARGO_BIN_EXE_wenji"))
                .args(["build", name, "-o", "same.epub"])
                .current_dir(d)
                .output()
        };
        let (a, b) = std::thread::scope(|s| {
            let a = s.spawn(|| spawn("a.txt"));
            let b = s.spawn(|| spawn("b.txt"));
            (a.join().unwrap().unwrap(), b.join().unwrap().unwrap())
        });
        assert!(a.status.success() && b.status.success());
        let text = chapter_text(&entries(&d.join("same.epub")));
        let whole_a = text.contains("甲0：") && text.contains("甲2999：") && !text.contains('乙');
        let whole_b = text.contains("乙0：") && text.contains("乙2999：") && !text.contains('甲');
        assert!(whole_a || whole_b, "a mixed or partial book");
        let names: Vec<_> = fs::read_dir(d)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert!(names.iter().all(|n| !n.starts_with(".wenji-")), "{names:?}");
    }
}

// ---- Aozora Bunko notation (issue 10) ------------------------------------------

/// Builds `essay` (in both editions) and returns the preview's and the full
/// edition's entries.
fn aozora_book(essay: &Path) -> (Vec<Entry>, Vec<Entry>) {
    aozora_book_in(essay, "vertical")
}

fn aozora_book_in(essay: &Path, layout: &str) -> (Vec<Entry>, Vec<Entry>) {
    let out = tempfile::tempdir().unwrap();
    let book = out.path().join("book.epub");
    let essay = essay.to_str().unwrap();
    ok(wenji(
        out.path(),
        &[
            "build",
            essay,
            "--layout",
            layout,
            "--edition",
            "both",
            "-o",
            "book.epub",
        ],
    ));
    (entries(&book), entries(&out.path().join("book.full.epub")))
}

/// Navigation entries of a book's table of contents.
fn toc_entries(entries: &[Entry]) -> usize {
    let nav = text(entries, "OEBPS/nav.xhtml");
    let toc = nav.split("epub:type=\"toc\"").nth(1).unwrap();
    toc.split("</nav>").next().unwrap().matches("<a ").count()
}

#[test]
fn aozora_notation_is_read_not_printed() {
    let (preview, full) = aozora_book(&repo().join("tests/fixtures/aozora/窓辺の記録.txt"));
    let opf = text(&full, "OEBPS/package.opf");
    assert!(opf.contains(">窓辺の記録</dc:title>"), "{opf}");
    assert!(opf.contains(">山田花子</dc:creator>"), "{opf}");
    // The chapter and its two 中見出し.
    assert_eq!(toc_entries(&full), 3);
    let all = everything(&full);
    for shown in ["［＃", "※［", "テキスト中に現れる記号", "中見出し"] {
        assert!(!all.contains(shown), "{shown} is printed");
    }
    // A gaiji note with a U+ code is its character; ruby is ruby.
    assert!(all.contains("扭った紙"), "gaiji");
    assert!(all.contains("<ruby>窓辺<rp>（</rp><rt>まどべ</rt>"), "ruby");
    // 改ページ starts a new file; dialogue the source does not indent gets no indent.
    let second = text(&full, "OEBPS/c0001-2.xhtml");
    assert!(second.contains("<h2 id=\"s2\">二</h2>"), "{second}");
    assert!(!all.contains("class=\"page-break\""), "page break");
    assert!(all.contains("<p class=\"noindent\">「おはよう」"), "indent");
    assert!(all.contains("鳴いた") && !everything(&preview).contains("鳴いた"));
    // The colophon is on a page of its own, last in the spine, in both editions.
    for book in [&preview, &full] {
        let colophon = text(book, "OEBPS/colophon.xhtml");
        assert!(colophon.contains("epub:type=\"colophon\""), "{colophon}");
        assert!(colophon.contains("role=\"doc-colophon\""), "{colophon}");
        assert!(
            colophon.contains("底本：「窓辺の記録」架空書房"),
            "{colophon}"
        );
        assert!(!text(book, "OEBPS/c0001.xhtml").contains("底本"));
        let opf = text(book, "OEBPS/package.opf");
        let last = opf.lines().rfind(|l| l.starts_with("<itemref")).unwrap();
        assert!(last.contains("idref=\"colophon\""), "{last}");
    }
}

#[test]
fn real_aozora_texts_keep_every_heading_and_no_annotation() {
    let texts = repo().join("../shared/real-texts");
    if !texts.is_dir() {
        eprintln!("../shared/real-texts is absent: the real Aozora files are not checked here");
        return;
    }
    // Headings counted in the sources (中見出し and 大見出し), plus the chapter.
    for (file, headings, author) in [
        ("aozora-botchan.txt", 11, "夏目漱石"),
        ("aozora-kokoro.txt", 113, "夏目漱石"),
    ] {
        let (_, full) = aozora_book(&texts.join(file));
        assert_eq!(toc_entries(&full), headings + 1, "{file}");
        let opf = text(&full, "OEBPS/package.opf");
        assert!(opf.contains(&format!(">{author}</dc:creator>")), "{file}");
        let all = everything(&full);
        assert!(!all.contains("［＃") && !all.contains("※［"), "{file}");
        assert!(!all.contains("テキスト中に現れる記号"), "{file}");
        // Every gaiji note has a JIS X 0213 code that resolves.
        assert!(!all.contains('〔'), "{file}");
    }
}

/// Headings an Aozora source marks: `「X」は…見出し` references and
/// `ここから…見出し` stretches (one heading line each); the closing
/// annotations end in `終わり］` and do not count.
fn marked_headings(source: &str) -> usize {
    source.matches("見出し］").count()
}

#[test]
fn every_aozora_annotation_family_is_rendered() {
    let fixture = repo().join("tests/fixtures/aozora/庭の四季.txt");
    let source = fs::read_to_string(&fixture).unwrap();
    for layout in ["vertical", "horizontal"] {
        let (_, full) = aozora_book_in(&fixture, layout);
        let all = everything(&full);
        assert!(!all.contains("［＃") && !all.contains("※［"), "{layout}");
        assert_eq!(toc_entries(&full), marked_headings(&source) + 1);
        for rendered in [
            "<h2 id=\"s1\">春の章</h2>",
            "<h3 id=\"s2\">一　梅</h3>",
            "<h4 id=\"s6\">冬の朝</h4>",
            "<em class=\"bouten sesame\">かならず</em>",
            "<em class=\"bouten open-sesame\">白い花</em>",
            "<em class=\"bouten sesame left\">鳥の名</em>",
            "<em class=\"bouten cross\">いない</em>",
            "<span class=\"bosen wavy\">氷が張る</span>",
            "<span class=\"bosen dashed left\">消える</span>",
            "<b>六月</b>",
            "<i>plum</i>",
            "<span class=\"tcy\">１２</span>",
            "<span class=\"yoko\">IKE NO HATA</span>",
            "<span class=\"warichu\">昔は舟をつないだという</span>",
            "<span class=\"kakomi\">注意</span>",
            "H<sub>2</sub>O",
            "m<sup>2</sup>",
            "<ruby class=\"left\">イケノハタ<rp>（</rp><rt>いけのはた</rt>",
            "<p class=\"jisage-2 noindent\">雨だれ",
            "<p class=\"jisage-3 hang-3\">祖父の言葉",
            "<p class=\"jisage-2 hang-1\">父の言葉",
            "<p class=\"chitsuki noindent\">（雨の日",
            "<p class=\"chiage-2 noindent\">祖父記す",
            "雪<sub class=\"kaeriten\">レ</sub>見<sub class=\"kaeriten\">二</sub>",
            "学<sup class=\"okurigana\">ビテ</sup>",
            "<span class=\"smaller-2\">（足あとは三つ）</span>",
            "<span class=\"kogaki\">っ</span>",
            "<p><b>雪の日だけは",
            "alt=\"窓から見た庭\"/><figcaption>窓から見た庭</figcaption>",
            "<ruby>〔魚＋雪〕<rp>（</rp><rt>たら</rt>",
            // Gaiji by JIS X 0213 code and by Unicode code point.
            "絵の下には枻の字が一つ、埼の字が一つ",
        ] {
            assert!(all.contains(rendered), "{layout}: {rendered}");
        }
        // 改丁, 改見開き and 改段 start new files too.
        let pages: Vec<&str> = full
            .iter()
            .map(|e| e.name.as_str())
            .filter(|n| n.starts_with("OEBPS/c0001"))
            .collect();
        assert_eq!(pages.len(), 4, "{pages:?}");
        assert!(text(&full, "OEBPS/c0001-2.xhtml").contains(">三　雨</h3>"));
        let opf = text(&full, "OEBPS/package.opf");
        assert!(opf.contains("media-type=\"image/png\""), "{opf}");
    }
}

#[test]
fn a_paid_part_in_an_aozora_text_leaks_nothing() {
    let mut sources = vec![repo().join("tests/fixtures/aozora/庭の四季.txt")];
    let texts = repo().join("../shared/real-texts");
    if texts.is_dir() {
        sources.extend(["aozora-botchan.txt", "aozora-kokoro.txt"].map(|f| texts.join(f)));
    } else {
        eprintln!("../shared/real-texts is absent: only the fixture is checked");
    }
    for source in sources {
        let text_in = fs::read_to_string(&source).unwrap().replace("\r\n", "\n");
        let lines: Vec<&str> = text_in.lines().collect();
        // Around the first heading after the legend: the heading, the
        // annotations and a sentence of our own go paid.
        let heading = lines
            .iter()
            .position(|l| l.contains("見出し］") && !l.contains("ここ"))
            .unwrap();
        let mut copy: Vec<String> = lines[..heading].iter().map(|l| l.to_string()).collect();
        copy.push("##paidbegin##".into());
        copy.push("　有料の一文、ここから先は読者だけのもの。［＃「有料」に傍点］".into());
        copy.extend(lines[heading..heading + 4].iter().map(|l| l.to_string()));
        copy.push("##paidend##".into());
        copy.extend(lines[heading + 4..].iter().map(|l| l.to_string()));
        let dir = tempfile::tempdir().unwrap();
        let essay = dir.path().join(source.file_name().unwrap());
        fs::write(&essay, copy.join("\n")).unwrap();
        let (preview, full) = aozora_book(&essay);
        let shown = everything(&preview);
        assert!(!shown.contains("読者だけのもの"), "{}", source.display());
        assert!(everything(&full).contains("読者だけのもの"));
        assert!(toc_entries(&preview) < toc_entries(&full));
    }
}

// ---- --input-format and `format` in wenji.toml ------------------------------------

/// The Aozora fixture read with `args` added; the full edition's entries.
fn aozora_fixture_read(args: &[&str]) -> Vec<Entry> {
    let dir = tempfile::tempdir().unwrap();
    let essay = repo().join("tests/fixtures/aozora/窓辺の記録.txt");
    let mut all = vec!["build", essay.to_str().unwrap(), "--full", "-o", "b.epub"];
    all.extend(args);
    ok(wenji(dir.path(), &all));
    entries(&dir.path().join("b.epub"))
}

#[test]
fn input_format_plain_prints_the_aozora_notation() {
    let detected = everything(&aozora_fixture_read(&[]));
    let plain = aozora_fixture_read(&["--input-format", "plain"]);
    let all = everything(&plain);
    assert!(!detected.contains("［＃"));
    // The legend and every annotation are text now; the author line too.
    assert!(all.contains("テキスト中に現れる記号"), "legend");
    assert!(all.contains("［＃「一」は中見出し］"), "annotation");
    let opf = text(&plain, "OEBPS/package.opf");
    assert!(opf.contains(">窓辺の記録</dc:title>"), "{opf}");
    assert!(!opf.contains(">山田花子</dc:creator>"), "{opf}");
}

#[test]
fn input_format_aozora_reads_annotations_without_the_header() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(
        dir.path().join("e.txt"),
        "庭の話\n　石を［＃「石」に傍点］並べた。\n［＃改ページ］\n　次の朝。\n",
    )
    .unwrap();
    let build = |args: &[&str]| {
        let mut all = vec!["build", "e.txt", "-o", "b.epub"];
        all.extend(args);
        ok(wenji(dir.path(), &all));
        entries(&dir.path().join("b.epub"))
    };
    // Detected: no Aozora header, so plain text, annotations printed.
    assert!(everything(&build(&[])).contains("［＃改ページ］"));
    let book = build(&["--input-format", "aozora"]);
    let all = everything(&book);
    assert!(!all.contains("［＃"), "annotations are read");
    assert!(all.contains("<em class=\"bouten sesame\">石</em>を並べた。"));
    assert!(text(&book, "OEBPS/c0001-2.xhtml").contains("次の朝。"));
    let opf = text(&book, "OEBPS/package.opf");
    assert!(opf.contains("<dc:title id=\"title\">庭の話"), "{opf}");
}

#[test]
fn input_format_markdown_reads_a_txt_as_markdown_and_the_config_may_say_so() {
    let dir = tempfile::tempdir().unwrap();
    let book = dir.path().join("book");
    fs::create_dir(&book).unwrap();
    fs::write(book.join("e.txt"), "# 标题\n\n一段*强调*的话。\n").unwrap();
    let read = |args: &[&str]| {
        let mut all = vec!["build", "book", "--full", "-o", "b.epub"];
        all.extend(args);
        ok(wenji(dir.path(), &all));
        text(&entries(&dir.path().join("b.epub")), "OEBPS/c0001.xhtml")
    };
    assert!(read(&[]).contains("一段*强调*的话。"));
    let flagged = read(&["--input-format", "markdown"]);
    assert!(flagged.contains("一段<em>强调</em>的话。"), "{flagged}");
    fs::write(book.join("wenji.toml"), "format = \"markdown\"\n").unwrap();
    assert_eq!(read(&[]), flagged);
    // The flag wins over the config.
    assert!(read(&["--input-format", "plain"]).contains("一段*强调*的话。"));

    fs::write(book.join("wenji.toml"), "format = \"md\"\n").unwrap();
    let output = wenji(dir.path(), &["build", "book", "-o", "b.epub"]);
    assert_fails_with(
        &output,
        "format = \"md\" in book/wenji.toml: not an input format",
    );
    let usage = wenji(dir.path(), &["build", "book", "--input-format", "md"]);
    assert_eq!(usage.status.code(), Some(2), "{}", stderr(&usage));
}

#[test]
fn a_translator_in_an_aozora_header_is_a_contributor_not_an_author() {
    let dir = tempfile::tempdir().unwrap();
    let source = fs::read_to_string(repo().join("tests/fixtures/aozora/窓辺の記録.txt")).unwrap();
    let translated = source.replacen("山田花子\n", "山田花子\n川村一郎訳\n", 1);
    assert_ne!(translated, source);
    fs::write(dir.path().join("窓辺.txt"), translated).unwrap();
    ok(wenji(
        dir.path(),
        &["build", "窓辺.txt", "--title-page", "-o", "b.epub"],
    ));
    let book = entries(&dir.path().join("b.epub"));
    let opf = text(&book, "OEBPS/package.opf");
    assert!(
        opf.contains("<dc:creator id=\"creator1\">山田花子</dc:creator>"),
        "{opf}"
    );
    assert!(
        opf.contains("<dc:contributor id=\"contributor1\">川村一郎</dc:contributor>\n<meta refines=\"#contributor1\" property=\"role\" scheme=\"marc:relators\">trl</meta>"),
        "{opf}"
    );
    // The cover and the title page name the author only.
    let title_page = text(&book, "OEBPS/titlepage.xhtml");
    assert!(
        title_page.contains("山田花子") && !title_page.contains("川村"),
        "{title_page}"
    );
    assert_eq!(
        everything(&book).matches("川村一郎").count(),
        1,
        "only in the OPF"
    );
}

// ---- Plain text as people have it (issue 11) ---------------------------------------

/// Builds the plain-text `essay` in both editions; returns the preview's and
/// the full edition's entries and what wenji printed.
fn plain_book(essay: &Path) -> (Vec<Entry>, Vec<Entry>, String) {
    let out = tempfile::tempdir().unwrap();
    let essay = essay.to_str().unwrap();
    let output = ok(wenji(
        out.path(),
        &["build", essay, "--edition", "both", "-o", "book.epub"],
    ));
    let preview = entries(&out.path().join("book.epub"));
    let full = entries(&out.path().join("book.full.epub"));
    assert_well_formed_and_one_language(&full);
    (preview, full, stderr(&output))
}

/// Every XHTML file of a book, one after another, as written.
fn all_xhtml(entries: &[Entry]) -> String {
    entries
        .iter()
        .filter(|e| e.name.ends_with(".xhtml"))
        .map(|e| String::from_utf8_lossy(&e.data).into_owned())
        .collect()
}

/// Asserts that none of `boilerplate` is in any XHTML file of `entries`.
fn assert_no_boilerplate(entries: &[Entry], boilerplate: &[&str], what: &str) {
    let xhtml = all_xhtml(entries);
    for shown in boilerplate {
        assert!(!xhtml.contains(shown), "{what}: {shown} is printed");
    }
}

fn plain_fixture(name: &str) -> PathBuf {
    repo().join("tests/fixtures/plain").join(name)
}

#[test]
fn a_gutenberg_file_gives_title_and_creators_and_loses_its_boilerplate() {
    let (_, full, printed) = plain_book(&plain_fixture("lantern-keeper.txt"));
    let opf = text(&full, "OEBPS/package.opf");
    assert!(
        opf.contains(">The Lantern Keeper and Other Small Lights</dc:title>"),
        "{opf}"
    );
    assert!(
        opf.contains("<dc:creator id=\"creator1\">Mara Quill</dc:creator>\n<meta refines=\"#creator1\" property=\"role\" scheme=\"marc:relators\">aut</meta>"),
        "{opf}"
    );
    assert!(
        opf.contains(">Ivo Penrose</dc:contributor>\n<meta refines=\"#contributor1\" property=\"role\" scheme=\"marc:relators\">trl</meta>"),
        "{opf}"
    );
    assert_no_boilerplate(
        &full,
        &[
            "Gutenberg",
            "START OF",
            "Produced by",
            "Release date",
            "licence",
            "Title:",
            "-----",
            "by Mara Quill",
        ],
        "lantern-keeper",
    );
    let body = chapter_text(&full);
    assert!(body.contains("CHAPTER I. The Lamp on the Hill"), "{body}");
    assert!(body.contains("nobody in the village"), "{body}");
    assert!(printed.contains("lantern-keeper.txt:19: a Project Gutenberg file"));
}

#[test]
fn an_old_small_print_gutenberg_file_loses_its_small_print() {
    let (_, full, _) = plain_book(&plain_fixture("notes-on-rain.txt"));
    let opf = text(&full, "OEBPS/package.opf");
    assert!(opf.contains(">Notes on Rain</dc:title>"), "{opf}");
    assert!(opf.contains(">Basil Moor</dc:creator>"), "{opf}");
    assert_no_boilerplate(
        &full,
        &[
            "Gutenberg",
            "SMALL PRINT",
            "Etexts",
            "prepared by",
            "NOTES ON RAIN",
        ],
        "notes-on-rain",
    );
    assert!(chapter_text(&full).contains("The second note is about gutters."));
}

#[test]
fn a_scraped_web_page_is_read_not_printed_and_keeps_its_paid_part() {
    let (preview, full, printed) = plain_book(&plain_fixture("山外青山.txt"));
    let opf = text(&full, "OEBPS/package.opf");
    // The first line is a banner around 简介: the file name is the title.
    assert!(opf.contains(">山外青山</dc:title>"), "{opf}");
    assert!(printed.contains("山外青山.txt:1: the first line is a chapter or section heading"));
    assert!(printed.contains("the title is the file name \"山外青山\""));
    assert!(printed.contains("山外青山.txt:2: this text holds web page markup"));
    for book in [&preview, &full] {
        assert_no_boilerplate(
            book,
            &[
                "&lt;p",
                "&lt;/p",
                "&lt;br",
                "&amp;nbsp;",
                "&amp;quot;",
                "正文",
                "=====",
            ],
            "山外青山",
        );
    }
    let body = chapter_text(&full);
    for kept in [
        "一个少年离开山村",
        "把门轻轻带上&走进雾里",
        // ASCII quotes in Chinese text are paired and converted.
        "“路上小心。”",
        "本章完",
    ] {
        assert!(body.contains(kept), "{kept}: {body}");
    }
    // The paid paragraphs, split out of one line, stay paid.
    assert!(body.contains("撑伞的老人") && body.contains("这条路我走了六十年"));
    let shown = everything(&preview);
    assert!(!shown.contains("撑伞") && !shown.contains("六十年"));
    assert!(chapter_text(&preview).contains("河水比他想的要凉"));
}

#[test]
fn a_section_name_first_is_not_the_title() {
    let (_, full, printed) = plain_book(&plain_fixture("槐树下.txt"));
    let opf = text(&full, "OEBPS/package.opf");
    assert!(opf.contains(">槐树下</dc:title>"), "{opf}");
    assert!(printed.contains("槐树下.txt:1: the first line is a chapter or section heading"));
    assert!(printed.contains("--title"), "{printed}");
    // 序言 stays in the text, a section before the first chapter.
    let chapter = text(&full, "OEBPS/c0001.xhtml");
    assert!(
        chapter.contains("</h1>\n<h2 id=\"s1\">序言</h2>"),
        "{chapter}"
    );
}

#[test]
fn real_plain_texts_get_their_titles_and_lose_their_boilerplate() {
    let texts = repo().join("../shared/real-texts");
    if !texts.is_dir() {
        eprintln!("../shared/real-texts is absent: the real plain texts are not checked here");
        return;
    }
    let (_, alice, printed) = plain_book(&texts.join("gutenberg-alice.txt"));
    let opf = text(&alice, "OEBPS/package.opf").replace('’', "'");
    assert!(
        opf.contains(">Alice's Adventures in Wonderland</dc:title>"),
        "{opf}"
    );
    assert!(opf.contains(">Lewis Carroll</dc:creator>"), "{opf}");
    // Its Language: line is the book's language.
    assert!(opf.contains("<dc:language>en</dc:language>"), "{opf}");
    assert!(printed.contains("a Project Gutenberg file"), "{printed}");
    assert_no_boilerplate(&alice, &["Gutenberg", "START OF", "eBook"], "alice");

    let (_, aq, printed) = plain_book(&texts.join("aq-zhengzhuan.txt"));
    let opf = text(&aq, "OEBPS/package.opf");
    assert!(opf.contains(">aq-zhengzhuan</dc:title>"), "{opf}");
    assert!(!opf.contains(">序言</dc:title>"));
    assert!(printed.contains("the title is the file name \"aq-zhengzhuan\""));

    let (_, hongloumeng, _) = plain_book(&texts.join("hongloumeng-gbk.txt"));
    let opf = text(&hongloumeng, "OEBPS/package.opf");
    assert!(opf.contains(">红楼梦</dc:title>"), "{opf}");
}

// ---- Plain text paragraphs (issue 11) ---------------------------------------------

/// Paragraphs (`<p`) in a built book's chapters.
fn paragraph_count(entries: &[Entry]) -> usize {
    entries
        .iter()
        .filter(|e| e.name.starts_with("OEBPS/c0"))
        .map(|e| {
            let page = String::from_utf8_lossy(&e.data);
            page.matches("<p>").count() + page.matches("<p class=").count()
        })
        .sum()
}

#[test]
fn one_line_paragraph_essays_build_as_before() {
    let mut essays: Vec<PathBuf> = fs::read_dir(repo().join("content"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .collect();
    if let Ok(seeds) = fs::read_dir(repo().join("../shared/seeds")) {
        essays.extend(seeds.map(|e| e.unwrap().path()));
    }
    for essay in essays {
        let out = tempfile::tempdir().unwrap();
        let output = ok(wenji(
            out.path(),
            &["build", essay.to_str().unwrap(), "--full", "-o", "b.epub"],
        ));
        let err = String::from_utf8_lossy(&output.stderr);
        assert!(!err.contains("hard-wrapped"), "{}: {err}", essay.display());
        // One paragraph per non-blank line after the title.
        let text = fs::read_to_string(&essay).unwrap();
        let lines = text
            .lines()
            .map(|l| l.replace("##paidbegin##", "").replace("##paidend##", ""))
            .filter(|l| !l.trim().is_empty())
            .count();
        let book = entries(&out.path().join("b.epub"));
        assert_eq!(paragraph_count(&book) + 1, lines, "{}", essay.display());
    }
}

#[test]
fn hard_wrapped_real_texts_are_reflowed() {
    let texts = repo().join("../shared/real-texts");
    if !texts.is_dir() {
        eprintln!("../shared/real-texts is absent: the real plain texts are not checked here");
        return;
    }
    let out = tempfile::tempdir().unwrap();
    let alice = texts.join("gutenberg-alice.txt");
    ok(wenji(
        out.path(),
        &[
            "build",
            alice.to_str().unwrap(),
            "--full",
            "-o",
            "alice.epub",
        ],
    ));
    let book = entries(&out.path().join("alice.epub"));
    // 819 runs of lines between blank lines after the Gutenberg header:
    // 12 chapter headings, the title block, the rest paragraphs (verse
    // stanzas one paragraph each).
    let paragraphs = paragraph_count(&book);
    assert!((780..=830).contains(&paragraphs), "{paragraphs}");
    assert_eq!(toc_entries(&book), 12 + 1);
    // 红楼梦: one paragraph per line, 120 回.
    let hlm = texts.join("hongloumeng-gbk.txt");
    ok(wenji(
        out.path(),
        &["build", hlm.to_str().unwrap(), "--full", "-o", "hlm.epub"],
    ));
    let book = entries(&out.path().join("hlm.epub"));
    assert_eq!(paragraph_count(&book), 2878);
    assert_eq!(toc_entries(&book), 120 + 1);
}

#[test]
fn plain_text_paragraph_shapes_are_read_from_each_file() {
    let dir = repo().join("tests/fixtures/plain");
    // (file, paragraphs, headings, the start of a reflowed paragraph)
    for (file, paragraphs, headings, reflowed) in [
        (
            "wrapped-en.txt",
            4,
            2,
            "<p>His daughter said the notebook was the dullest book in the world. He said that",
        ),
        (
            "wrapped-zh.txt",
            3,
            2,
            "<p>走到半山腰，天忽然暗了下来。老周说要下雨了，催我们快走，可谁也不愿意",
        ),
        ("wrapped-zh-gbk.txt", 3, 2, "坑坑洼洼的土路往上走。"),
        (
            "indented-zh.txt",
            4,
            0,
            "<p>「你心不静，」祖母笑着说，「鱼是不肯出来的。」</p>",
        ),
        ("indented-zh-big5.txt", 4, 0, "大人們也不大管。</p>"),
    ] {
        let out = tempfile::tempdir().unwrap();
        let essay = dir.join(file);
        let output = ok(wenji(
            out.path(),
            &["build", essay.to_str().unwrap(), "--full", "-o", "b.epub"],
        ));
        let err = String::from_utf8_lossy(&output.stderr);
        assert!(err.contains("hard-wrapped"), "{file}: {err}");
        let book = entries(&out.path().join("b.epub"));
        assert_eq!(paragraph_count(&book), paragraphs, "{file}");
        assert_eq!(toc_entries(&book), headings + 1, "{file}");
        assert!(everything(&book).contains(reflowed), "{file}");
        // Forced, every line stays a paragraph.
        ok(wenji(
            out.path(),
            &[
                "build",
                essay.to_str().unwrap(),
                "--full",
                "--paragraphs",
                "line",
                "-o",
                "l.epub",
            ],
        ));
        assert!(
            paragraph_count(&entries(&out.path().join("l.epub"))) > paragraphs,
            "{file}"
        );
    }
}

#[test]
fn a_gutenberg_language_line_is_the_books_language() {
    let dir = tempfile::tempdir().unwrap();
    let essay = dir.path().join("lune.txt");
    fs::write(
        &essay,
        "Title: La lune\nAuthor: Jeanne Martin\nLanguage: French\n\n*** START OF THE PROJECT GUTENBERG EBOOK LA LUNE ***\n\nLa lune est sortie derrière la colline.\n\n*** END OF THE PROJECT GUTENBERG EBOOK LA LUNE ***\n",
    )
    .unwrap();
    ok(wenji(dir.path(), &["build", "lune.txt", "-o", "b.epub"]));
    let opf = text(&entries(&dir.path().join("b.epub")), "OEBPS/package.opf");
    assert!(opf.contains("<dc:language>fr</dc:language>"), "{opf}");
    // --lang wins.
    ok(wenji(
        dir.path(),
        &["build", "lune.txt", "--lang", "de", "-o", "d.epub"],
    ));
    let opf = text(&entries(&dir.path().join("d.epub")), "OEBPS/package.opf");
    assert!(opf.contains("<dc:language>de</dc:language>"), "{opf}");
}

// ---- Markdown footnotes (issue 12) --------------------------------------------------

#[test]
fn footnotes_are_epub_footnotes_and_paid_ones_stay_out_of_the_preview() {
    let out = tempfile::tempdir().unwrap();
    let essay = repo().join("tests/fixtures/markdown/footnotes.md");
    let output = ok(wenji(
        out.path(),
        &[
            "build",
            essay.to_str().unwrap(),
            "--edition",
            "both",
            "-o",
            "b.epub",
        ],
    ));
    let err = String::from_utf8_lossy(&output.stderr);
    assert!(err.contains("footnote [^unused] is never cited"), "{err}");
    let preview = entries(&out.path().join("b.epub"));
    let full = entries(&out.path().join("b.full.epub"));
    let shown = everything(&preview);
    // Defined in the paid part, or cited from it: paid.
    for paid in ["试读版里不应出现", "属于付费内容"] {
        assert!(!shown.contains(paid), "{paid}");
        assert!(everything(&full).contains(paid), "{paid}");
    }
    let page = text(&preview, "OEBPS/c0001.xhtml");
    // Numbered without gaps where paid notes were.
    assert!(page.contains("href=\"#fn-2\">2</a>。</p>"), "{page}");
    assert!(!page.contains("#fn-3"), "{page}");
    assert!(page.contains(
        "<aside epub:type=\"footnote\" role=\"doc-footnote\" id=\"fn-1\"><p><a href=\"#fnref-1\" role=\"doc-backlink\">1</a> 第一个免费注释"
    ));
    let page = text(&full, "OEBPS/c0001.xhtml");
    assert_eq!(page.matches("<aside ").count(), 4);
    // A citation inside a link goes after it.
    assert!(
        page.contains("见此处</a><a epub:type=\"noteref\""),
        "{page}"
    );
}

#[test]
fn a_note_defined_only_in_a_paid_part_makes_the_preview_a_preview() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(
        dir.path().join("n.md"),
        "# 标题\n\n正文引用一个注释[^n]。\n\n##paidbegin##\n\n[^n]: 只在付费部分定义的注释。\n\n##paidend##\n",
    )
    .unwrap();
    ok(wenji(
        dir.path(),
        &["build", "n.md", "--edition", "both", "-o", "b.epub"],
    ));
    let preview = everything(&entries(&dir.path().join("b.epub")));
    assert!(!preview.contains("只在付费部分定义"));
    assert!(!preview.contains("epub:type=\"noteref\""));
    let full = everything(&entries(&dir.path().join("b.full.epub")));
    assert!(full.contains("只在付费部分定义"));
}

// ---- Languages per chapter (issue 12) -----------------------------------------------

/// A folder with a Chinese essay (its paid part full of kana, which must
/// not make it Japanese) and a longer Japanese essay, both with paid parts.
fn mixed_language_folder() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let essays = dir.path().join("essays");
    fs::create_dir(&essays).unwrap();
    fs::write(
        essays.join("01-茶.txt"),
        "喝茶\n　　这个下午我们坐在院子里喝茶，说了很多关于书和时间的话。\n\
         ##paidbegin##\n　　ここからは有料の部分です。ひらがなとカタカナばかりの文章です。\n##paidend##\n",
    )
    .unwrap();
    fs::write(
        essays.join("02-雨.txt"),
        concat!(
            "雨の日\n",
            "　　雨の日は、窓のそばで本を読むのがいちばん好きだ。\n",
            "　　傘をさして歩く人たちを眺めながら、ゆっくりとページをめくる。\n",
            "　　夕方になると、雨の音が少しずつ静かになっていく。\n",
            "##paidbegin##\n　　有料の部分では、雨上がりの散歩について書いている。\n##paidend##\n",
        ),
    )
    .unwrap();
    dir
}

/// The `xml:lang` of an XHTML page.
fn page_lang(xhtml: &str) -> &str {
    xhtml
        .split("xml:lang=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap_or_default()
}

/// The `dc:language` elements of an OPF, in order.
fn dc_languages(opf: &str) -> Vec<&str> {
    opf.split("<dc:language>")
        .skip(1)
        .filter_map(|rest| rest.split("</dc:language>").next())
        .collect()
}

#[test]
fn each_chapter_is_in_its_own_language_and_the_book_lists_them_by_share() {
    let dir = mixed_language_folder();
    for layout in ["horizontal", "vertical"] {
        let book = dir.path().join(format!("{layout}.epub"));
        ok(wenji(
            dir.path(),
            &[
                "build",
                "essays",
                "--edition",
                "both",
                "--layout",
                layout,
                "-o",
                book.to_str().unwrap(),
            ],
        ));
        let full_book = dir.path().join(format!("{layout}.full.epub"));
        for (edition, epub) in [("preview", &book), ("full", &full_book)] {
            let entries = entries(epub);
            let chinese = text(&entries, "OEBPS/c0001.xhtml");
            let japanese = text(&entries, "OEBPS/c0002.xhtml");
            assert_eq!(page_lang(&chinese), "zh-Hans", "{edition}: {chinese}");
            assert!(chinese.contains("lang=\"zh-Hans\""), "{edition}");
            assert_eq!(page_lang(&japanese), "ja", "{edition}: {japanese}");
            // More Japanese text than Chinese: Japanese is the main language.
            let opf = text(&entries, "OEBPS/package.opf");
            assert_eq!(dc_languages(&opf), ["ja", "zh-Hans"], "{edition}: {opf}");
            assert!(opf.contains("xml:lang=\"ja\""), "{edition}");
            let nav = text(&entries, "OEBPS/nav.xhtml");
            assert_eq!(page_lang(&nav), "ja", "{edition}");
            if edition == "preview" {
                assert!(
                    chinese.contains("（此处为付费内容，请阅读完整版。）"),
                    "{chinese}"
                );
                assert!(!chinese.contains("有料"), "{chinese}");
                assert!(japanese.contains("（この先は有料部分です。完全版でお読みください。）"));
                assert!(!japanese.contains("雨上がり"), "{japanese}");
            } else {
                assert!(chinese.contains("ひらがなとカタカナ"), "{chinese}");
                assert!(!chinese.contains("请阅读完整版"), "{chinese}");
            }
        }
    }
}

#[test]
fn lang_forces_one_language_on_every_chapter() {
    let dir = mixed_language_folder();
    // Even on an essay naming its own language.
    fs::write(
        dir.path().join("essays/03-港.md"),
        "---\nlang: ja\n---\n# 港口\n\n黃昏的港口很安靜。\n",
    )
    .unwrap();
    ok(wenji(
        dir.path(),
        &["build", "essays", "--lang", "zh-Hant", "-o", "forced.epub"],
    ));
    let entries = entries(&dir.path().join("forced.epub"));
    let pages = ["c0001.xhtml", "c0002.xhtml", "c0003.xhtml", "nav.xhtml"];
    for page in pages.map(|name| format!("OEBPS/{name}")) {
        let xhtml = text(&entries, &page);
        assert_eq!(page_lang(&xhtml), "zh-Hant", "{page}");
    }
    assert!(text(&entries, "OEBPS/c0002.xhtml").contains("（此處為付費內容，請閱讀完整版。）"));
    let opf = text(&entries, "OEBPS/package.opf");
    assert_eq!(dc_languages(&opf), ["zh-Hant"], "{opf}");
}

#[test]
fn an_essay_naming_its_language_keeps_it_in_a_mixed_book() {
    let dir = mixed_language_folder();
    fs::write(
        dir.path().join("essays/03-港.md"),
        "---\nlang: zh-Hant\n---\n# 港口\n\n黃昏的港口很安靜。\n",
    )
    .unwrap();
    ok(wenji(dir.path(), &["build", "essays", "-o", "b.epub"]));
    let entries = entries(&dir.path().join("b.epub"));
    assert_eq!(page_lang(&text(&entries, "OEBPS/c0003.xhtml")), "zh-Hant");
    assert_eq!(page_lang(&text(&entries, "OEBPS/c0001.xhtml")), "zh-Hans");
    let opf = text(&entries, "OEBPS/package.opf");
    assert_eq!(dc_languages(&opf), ["ja", "zh-Hans", "zh-Hant"], "{opf}");
}

// ---- Readers (issue 13) -------------------------------------------------------------

#[test]
fn the_cover_page_of_a_vertical_book_is_horizontal() {
    let out = tempfile::tempdir().unwrap();
    let content = repo().join("content");
    ok(wenji(
        out.path(),
        &[
            "build",
            content.to_str().unwrap(),
            "--layout",
            "vertical",
            "-o",
            "v.epub",
        ],
    ));
    let book = entries(&out.path().join("v.epub"));
    let cover = text(&book, "OEBPS/cover.xhtml");
    let root = cover.lines().find(|l| l.starts_with("<html")).unwrap();
    assert!(root.contains("class=\"cover\""), "{root}");
    // Chapter pages keep the vertical root.
    let chapter = text(&book, "OEBPS/c0001.xhtml");
    let root = chapter.lines().find(|l| l.starts_with("<html")).unwrap();
    assert!(!root.contains("class="), "{root}");
}
