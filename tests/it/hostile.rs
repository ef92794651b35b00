//! Hostile input: files under a megabyte built to cost the parsers
//! unbounded time or memory (misnested and unclosed tags, a megabyte line of
//! `《》`, huge tables and emphasis runs, thousands of headings) and SVG
//! images that would run code. Each is generated here, built with the real
//! binary, and checked for what bounds the work: the book is well-formed,
//! no file passes 256 KiB, elements nest no deeper than the cap, and the
//! book holds no more elements than the input has tags (nothing reopened).
//! Speed is measured in benchmarks, not here.

use std::fs;
use std::path::Path;
use std::process::Output;

use crate::support::{entries, ok, text, wenji};

use wenji::parse::nesting::{MAX_CELLS_PER_ROW, MAX_DEPTH};

/// `html`, `body` and the chapter's `section` around the essay's elements.
const FRAME_DEPTH: usize = 3;
const MAX_FILE_BYTES: usize = 256 * 1024;

/// Writes `content` as `name` in a fresh folder and builds it with `args`.
fn build(name: &str, content: &str, args: &[&str]) -> (tempfile::TempDir, Output) {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join(name), content).unwrap();
    let mut all = vec!["build", name];
    all.extend(args);
    all.extend(["-o", "book.epub"]);
    let output = wenji(dir.path(), &all);
    (dir, output)
}

/// The book's XHTML files by name, each checked to be well-formed and
/// within the size limit.
fn xhtml_files(dir: &Path, output: &Output) -> Vec<(String, String)> {
    ok(output.clone());
    entries(&dir.join("book.epub"))
        .into_iter()
        .filter(|entry| entry.name.ends_with(".xhtml"))
        .map(|entry| {
            let text = String::from_utf8(entry.data).unwrap();
            assert!(
                text.len() <= MAX_FILE_BYTES,
                "{}: {} bytes",
                entry.name,
                text.len()
            );
            (entry.name, text)
        })
        .collect()
}

/// Shape of the chapters: deepest element nesting, number of elements, and
/// their text, over every chapter file.
struct Shape {
    depth: usize,
    elements: usize,
    text: String,
}

fn chapters(files: &[(String, String)]) -> Shape {
    let mut shape = Shape {
        depth: 0,
        elements: 0,
        text: String::new(),
    };
    for (name, text) in files.iter().filter(|(n, _)| n.starts_with("OEBPS/c")) {
        let options = roxmltree::ParsingOptions {
            allow_dtd: true,
            nodes_limit: u32::MAX,
            ..Default::default()
        };
        let document = roxmltree::Document::parse_with_options(text, options)
            .unwrap_or_else(|e| panic!("{name} is not XML: {e}"));
        for node in document.descendants() {
            if node.is_element() {
                shape.elements += 1;
                shape.depth = shape
                    .depth
                    .max(node.ancestors().filter(|a| a.is_element()).count());
            } else if node.is_text() {
                shape.text.push_str(node.text().unwrap_or_default());
            }
        }
    }
    shape
}

#[test]
fn misnested_formatting_is_closed_not_reopened() {
    let repeats = 39_000; // 780 KB
    let (dir, output) = build(
        "soup.md",
        &format!("# 汤\n\n{}", "<b><i><a>x<div>y</b>".repeat(repeats)),
        &[],
    );
    let shape = chapters(&xhtml_files(dir.path(), &output));
    assert!(shape.depth <= MAX_DEPTH + FRAME_DEPTH, "{}", shape.depth);
    // Five tags a repeat, one paragraph around them, the frame and title.
    assert!(shape.elements <= 5 * repeats + 10, "{}", shape.elements);
    assert_eq!(shape.text.matches('y').count(), repeats);
}

#[test]
fn links_around_blocks_stay_under_the_depth_cap() {
    let repeats = 32_000; // 416 KB
    let (dir, output) = build(
        "links.md",
        &format!("# 链\n\n{}", "<a><div>x</a>".repeat(repeats)),
        &[],
    );
    let shape = chapters(&xhtml_files(dir.path(), &output));
    assert!(shape.depth <= MAX_DEPTH + FRAME_DEPTH, "{}", shape.depth);
    assert!(shape.elements <= 2 * repeats + 10, "{}", shape.elements);
    assert_eq!(shape.text.matches('x').count(), repeats);
}

#[test]
fn unclosed_formatting_is_not_reopened_in_every_paragraph() {
    let paragraphs = 200_000; // 800 KB
    let bold: String = (0..100).map(|n| format!("<b title={n}>")).collect();
    let (dir, output) = build(
        "bold.md",
        &format!("# 粗\n\n{bold}{}", "<p>x".repeat(paragraphs)),
        &[],
    );
    let files = xhtml_files(dir.path(), &output);
    let shape = chapters(&files);
    assert!(shape.elements <= paragraphs + 200, "{}", shape.elements);
    assert_eq!(shape.text.matches('x').count(), paragraphs);
}

#[test]
fn deep_divs_are_flattened_with_a_warning() {
    let (dir, output) = build(
        "deep.md",
        &format!("# 深\n\n{}x", "<div>".repeat(100_000)),
        &[],
    );
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    let shape = chapters(&xhtml_files(dir.path(), &output));
    assert!(stderr.contains("flattened"), "{stderr}");
    assert!(shape.depth <= MAX_DEPTH + FRAME_DEPTH, "{}", shape.depth);
    assert!(shape.text.contains('x'));
}

#[test]
fn a_megabyte_line_of_title_marks_keeps_every_mark() {
    let repeats = 111_000; // 1 MB on one line
    let (dir, output) = build(
        "marks.txt",
        &format!("标题\n{}\n", "《东》".repeat(repeats)),
        &[],
    );
    let shape = chapters(&xhtml_files(dir.path(), &output));
    // (A cut between pages may fall inside a mark.)
    assert_eq!(shape.text.matches('东').count(), repeats);
}

#[test]
fn a_table_of_fifty_thousand_columns_builds() {
    let columns = 50_000;
    let table = format!(
        "{}|\n{}|\n{}",
        "|a".repeat(columns),
        "|-".repeat(columns),
        "|乙\n".repeat(20_000)
    );
    let (dir, output) = build("wide.md", &format!("# 宽\n\n{table}"), &[]);
    let shape = chapters(&xhtml_files(dir.path(), &output));
    // pulldown-cmark ends a table this wide after a few rows; the rest is a
    // paragraph (html5ever moves text out of the table before it).
    assert!(shape.text.matches('乙').count() >= 20_000);
    // Markdown pads each of those rows to 50,000 cells; at most a thousand stay.
    assert!(
        shape.elements < 10 * MAX_CELLS_PER_ROW,
        "{}",
        shape.elements
    );
}

#[test]
fn runs_of_emphasis_build() {
    let repeats = 60_000;
    let (dir, output) = build(
        "stars.md",
        &format!("# 星\n\n{}", "*a**b***".repeat(repeats)),
        &[],
    );
    let shape = chapters(&xhtml_files(dir.path(), &output));
    assert_eq!(shape.text.matches('b').count(), repeats);
}

#[test]
fn thousands_of_headings_split_the_toc_page_and_keep_the_nav_lean() {
    let headings = 8_000;
    let essay: String = (0..headings)
        .map(|n| format!("## 第{n}节的一个相当长的标题文字\n\n正文。\n\n"))
        .collect();
    let (dir, output) = build("many.md", &format!("# 多\n\n{essay}"), &["--toc-page"]);
    let files = xhtml_files(dir.path(), &output);
    let toc_pages: Vec<&String> = files
        .iter()
        .filter(|(name, _)| name.starts_with("OEBPS/toc"))
        .map(|(_, text)| text)
        .collect();
    assert!(toc_pages.len() > 1, "{}", toc_pages.len());
    // (A link cut between pages is opened again on the next.)
    let listed: std::collections::BTreeSet<&str> = toc_pages
        .iter()
        .flat_map(|t| t.split("#s").skip(1))
        .map(|rest| rest.split('"').next().unwrap_or_default())
        .collect();
    assert_eq!(listed.len(), headings);
    let opf = text(&entries(&dir.path().join("book.epub")), "OEBPS/package.opf");
    assert!(opf.contains("<itemref idref=\"toc-2\""), "{opf}");
    assert!(files.iter().any(|(name, _)| name == "OEBPS/nav.xhtml"));
}

#[test]
fn svg_images_that_animate_or_reach_outside_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        r#"<animate attributeName="href" values="javascript:alert(1)"/>"#,
        r#"<rect><set attributeName="onmouseover" to="alert(1)"/></rect>"#,
        r#"<style>rect { fill: url(https://example.org/x.svg#p) }</style><rect/>"#,
    ];
    for (index, inside) in cases.iter().enumerate() {
        let svg = format!(r#"<svg xmlns="http://www.w3.org/2000/svg">{inside}</svg>"#);
        fs::write(dir.path().join(format!("p{index}.svg")), svg).unwrap();
        let essay = format!("# 图\n\n![图](p{index}.svg)\n");
        fs::write(dir.path().join("essay.md"), essay).unwrap();
        // Left out with a warning naming it; --strict makes that an error.
        let output = wenji(dir.path(), &["build", "essay.md", "-o", "book.epub"]);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(0), "{inside}: {stderr}");
        assert!(
            stderr.contains(&format!("essay.md:3: image 'p{index}.svg'")),
            "{stderr}"
        );
        let book = entries(&dir.path().join("book.epub"));
        assert!(!book.iter().any(|e| e.name.ends_with(".svg")
            && e.name.contains("images/")
            && !e.name.ends_with("cover.svg")));
        let output = wenji(
            dir.path(),
            &["build", "essay.md", "--strict", "-o", "strict.epub"],
        );
        assert_eq!(output.status.code(), Some(1), "{inside}");
        assert!(!dir.path().join("strict.epub").exists());
    }
}
