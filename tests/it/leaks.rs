//! Paid text never reaches a preview, however a marker is written: each
//! test builds real books with the binary from essays that hide markers the
//! way an attacker (or an unlucky editor) would, and looks for every paid
//! token in the whole archive of the preview and in the full edition.

use std::fs;

use crate::support::*;

/// A token no typographic rule changes and no marker contains.
fn token(kind: &str, index: usize) -> String {
    let letters: String = index
        .to_string()
        .bytes()
        .map(|d| char::from(b'a' + (d - b'0')))
        .collect();
    format!("{kind}tok{letters}x")
}

/// Writes one essay per `(begin, inside, end)`: a free token, a paid token
/// after `begin` (with `inside` in the paid part), `end`, another free
/// token. Builds them as one book in both editions and asserts that no paid
/// token is in the preview and every one is in the full edition; returns
/// the warnings printed.
fn assert_paid_parts_hold(extension: &str, cases: &[(&str, &str, &str)]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let essays = dir.path().join("essays");
    fs::create_dir(&essays).unwrap();
    for (i, (begin, inside, end)) in cases.iter().enumerate() {
        let heading = if extension == "md" { "# " } else { "" };
        let essay = format!(
            "{heading}题目{i}\n\n{}\n\n{begin}{}\n\n{inside}\n\n{}\n\n{end}\n\n{}\n",
            token("free", i),
            token("paid", i),
            token("after", i),
            token("tail", i),
        );
        fs::write(essays.join(format!("{i:03}.{extension}")), essay).unwrap();
    }
    let output = ok(wenji(
        dir.path(),
        &[
            "build",
            "essays",
            "--edition",
            "both",
            "--title",
            "T",
            "-o",
            "b.epub",
        ],
    ));
    let preview = everything(&entries(&dir.path().join("b.epub")));
    let full = everything(&entries(&dir.path().join("b.full.epub")));
    for (i, case) in cases.iter().enumerate() {
        assert!(preview.contains(&token("free", i)), "{case:?}");
        for paid in [token("paid", i), token("after", i)] {
            assert!(!preview.contains(&paid), "{paid} leaked: {case:?}");
            assert!(
                full.contains(&paid),
                "{paid} missing from the full edition: {case:?}"
            );
        }
    }
    stderr(&output)
}

#[test]
fn invisible_characters_inside_markers_do_not_hide_them() {
    let invisible = [
        "\u{200b}",
        "\u{200c}",
        "\u{200d}",
        "\u{2060}",
        "\u{ad}",
        "\u{200e}",
        "\u{34f}",
        "\u{fe0e}",
        "\u{3164}",
        "\u{180e}",
        "\u{e0020}",
        "\u{301}",
        "\u{2063}",
        "\u{115f}",
    ];
    let cases: Vec<(String, String)> = invisible
        .iter()
        .map(|x| (format!("##paid{x}begin##"), format!("##pa{x}idend##")))
        .collect();
    let cases: Vec<_> = cases
        .iter()
        .map(|(b, e)| (b.as_str(), "", e.as_str()))
        .collect();
    assert_paid_parts_hold("txt", &cases);
    // The end is exact in canonical form, so the text after it is free.
    let dir = tempfile::tempdir().unwrap();
    fs::write(
        dir.path().join("e.txt"),
        "题目\n免费。\n##paid\u{200b}begin##\n付费。\n##paid\u{2060}end##\nfreetail\n",
    )
    .unwrap();
    ok(wenji(dir.path(), &["build", "e.txt", "-o", "b.epub"]));
    assert!(everything(&entries(&dir.path().join("b.epub"))).contains("freetail"));
}

#[test]
fn near_miss_and_look_alike_markers_open_paid_parts() {
    let cases = [
        ("##paid\\_begin##", "", "##paidend##"),
        ("＃＃ｐａｉｄ＿ｂｅｇｉｎ＃＃", "", "##paidend##"),
        ("##paid－begin##", "", "##paidend##"),
        ("##paid\u{2010}begin##", "", "##paidend##"),
        ("##pаidbеgin##", "", "##paidend##"), // Cyrillic а, е
        ("##рaidbegіn##", "", "##paidend##"), // Cyrillic р, і
        ("##paιdbegin##", "", "##paidend##"), // Greek ι
        ("##paıdbegin##", "", "##paidend##"), // dotless ı
        ("##𝐩𝐚𝐢𝐝𝐛𝐞𝐠𝐢𝐧##", "", "##paidend##"),
        ("## paid begin ##", "", "##paidend##"),
    ];
    let warnings = assert_paid_parts_hold("txt", &cases);
    assert_eq!(
        warnings
            .matches("not written exactly was read as ##paidbegin##")
            .count(),
        4 + 1,
        "{warnings}"
    );
}

#[test]
fn markdown_that_renders_a_marker_opens_a_paid_part() {
    let cases = [
        ("##&#112;aidbegin##", "", "##paidend##"),
        ("##paid*begin*##", "", "##paidend##"),
        ("##paid**begin**##", "", "##paidend##"),
        ("\\#\\#paidbegin\\#\\#", "", "##paidend##"),
        ("&#x23;&#35;paidbegin&num;&num;", "", "##paidend##"),
        ("##paid<span>begin</span>##", "", "##paidend##"),
        ("##pa&iota;dbegin##", "", "##paidend##"),
        ("##paid`begin`##", "", "##paidend##"),
        ("##paid[begin](x.html)##", "", "##paidend##"),
    ];
    assert_paid_parts_hold("md", &cases);
}

#[test]
fn prose_and_near_misses_never_close_a_paid_part() {
    let text_cases = [
        ("##paidbegin##", "#paid endorsement", ""),
        ("##paidbegin##", "#paidend of year", ""),
        ("##paidbegin##", "##paid_end##", ""),
        ("##paidbegin##", "###paidend###", ""),
        ("##paidbegin##", "## paid end ##", ""),
        ("##paidbegin##", "paidend", ""),
    ];
    assert_paid_parts_hold("txt", &text_cases);
    let markdown_cases = [
        ("##paidbegin##", "## Paid endorsements", ""),
        ("##paidbegin##", "##paid**end**##", ""),
        ("##paidbegin##", "\\#\\#paidend\\#\\#", ""),
        ("##paidbegin##", "&#35;&#35;paidend&#35;&#35;", ""),
    ];
    assert_paid_parts_hold("md", &markdown_cases);
}

#[test]
fn a_stray_end_in_markdown_frees_only_a_real_title() {
    let dir = tempfile::tempdir().unwrap();
    let secret = "paidtokstray";
    for (name, start) in [
        (
            "paragraph.md",
            format!("{secret} as a first paragraph\n\nmore\n"),
        ),
        ("image.md", format!("![{secret}](a.png)\n\nmore {secret}\n")),
    ] {
        let essay = format!("{start}\n##paidend##\n\nfree tail\n");
        fs::write(dir.path().join(name), essay).unwrap();
        fs::write(dir.path().join("a.png"), PNG).unwrap();
        ok(wenji(
            dir.path(),
            &["build", name, "--edition", "both", "-o", "b.epub"],
        ));
        let preview = everything(&entries(&dir.path().join("b.epub")));
        assert!(!preview.contains(secret), "{name}");
        assert!(preview.contains("free tail"), "{name}");
        assert!(everything(&entries(&dir.path().join("b.full.epub"))).contains(secret));
    }
}

/// The smallest valid PNG (one transparent pixel).
const PNG: &[u8] = &[
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1f, 0x15, 0xc4,
    0x89, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9c, 0x63, 0x00, 0x01, 0x00, 0x00,
    0x05, 0x00, 0x01, 0x0d, 0x0a, 0x2d, 0xb4, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4e, 0x44, 0xae,
    0x42, 0x60, 0x82,
];

#[test]
fn a_preview_that_would_show_a_marker_is_never_written() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("e.txt"), "题目\n正文。\n").unwrap();
    for title in [
        "##paidbegin## 书名",
        "书名 ##ｐａｉｄｅｎｄ##",
        "paid\u{200b}begin",
    ] {
        let output = wenji(
            dir.path(),
            &["build", "e.txt", "--title", title, "-o", "b.epub"],
        );
        assert_fails_with(&output, "the book would show a paid marker (in package.opf");
        assert!(!dir.path().join("b.epub").exists());
        let leftovers: Vec<_> = fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(leftovers.len(), 1, "only the essay is left");
    }
    // Ruby in plain text can show a marker the source matcher never saw:
    // the reader sees `##paidbegin##` with a small annotation over the b.
    fs::write(
        dir.path().join("ruby.txt"),
        "题目\n免费。\n##paid｜b《x》egin##paidtokruby\n",
    )
    .unwrap();
    let output = wenji(dir.path(), &["build", "ruby.txt", "-o", "r.epub"]);
    assert_fails_with(&output, "the book would show a paid marker (in c0001.xhtml");
    assert!(!dir.path().join("r.epub").exists());
    fs::remove_file(dir.path().join("ruby.txt")).unwrap();
    // Packaging cannot tell the editions apart: the full edition is refused too.
    let output = wenji(
        dir.path(),
        &[
            "build",
            "e.txt",
            "--title",
            "##paidbegin##",
            "--edition",
            "full",
            "-o",
            "b.epub",
        ],
    );
    assert_fails_with(&output, "the book would show a paid marker");
}

#[test]
fn messages_and_reports_never_quote_paid_content() {
    let dir = tempfile::tempdir().unwrap();
    let essays = dir.path().join("essays");
    fs::create_dir(&essays).unwrap();
    fs::write(
        essays.join("a.md"),
        "# 题目\n\n免费。\n\n##paidbegin##\n\n![图](https://example.org/paidtokimage.png)\n\n\
         #paid_end paidtokprose\n\n##paidbegin##\n",
    )
    .unwrap();
    fs::write(
        essays.join("b.md"),
        "# 题目\n\n免费。\n\n##paidbegin##\n\n![图](paidtokmissing/x.png)\n\n##paidend##\n",
    )
    .unwrap();
    let output = wenji(
        dir.path(),
        &[
            "batch",
            "essays",
            "-o",
            "books",
            "--report",
            "report.json",
            "--strict",
        ],
    );
    // A missing image is a warning; --strict makes it (and the rest) fail.
    assert_eq!(output.status.code(), Some(1), "b.md fails");
    let printed = stderr(&output) + &String::from_utf8_lossy(&output.stdout);
    let report = fs::read_to_string(dir.path().join("report.json")).unwrap();
    for said in [&printed, &report] {
        assert!(said.contains("paid part starting at line"), "{said}");
        assert!(!said.contains("paidtok"), "{said}");
    }
}
