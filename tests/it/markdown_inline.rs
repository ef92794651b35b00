//! Markdown inline rules end to end (`tests/fixtures/markdown/inline.md`):
//! CJK soft breaks, table alignment classes and ruby, the same in both
//! layouts, with paid ruby kept out of the preview.

use std::path::Path;

use crate::support::*;

/// The first chapter page of `fixture` built in `layout`, as the edition
/// `edition` writes it.
fn chapter(dir: &Path, layout: &str, edition: &str) -> String {
    let book = dir.join(format!("{layout}-{edition}.epub"));
    let source = repo().join("tests/fixtures/markdown/inline.md");
    ok(wenji(
        dir,
        &[
            "build",
            source.to_str().unwrap(),
            "--layout",
            layout,
            "--edition",
            edition,
            "-o",
            book.to_str().unwrap(),
        ],
    ));
    text(&entries(&book), "OEBPS/c0001.xhtml")
}

#[test]
fn soft_breaks_alignment_and_ruby_in_both_layouts() {
    let out = tempfile::tempdir().unwrap();
    for layout in ["horizontal", "vertical"] {
        let full = chapter(out.path(), layout, "full");
        for expected in [
            "この段落は行の途中で改行されていますが、読むときには一続きの文になります。",
            "English words on\ntwo lines keep a space.",
            "<em>強調した語</em>のあとも続きます。",
            "<ruby>漢字<rp>（</rp><rt>かんじ</rt><rp>）</rp></ruby>",
            "<ruby>電<rp>（</rp><rt>でん</rt><rp>）</rp>子<rp>（</rp><rt>し</rt><rp>）</rp>\
             書<rp>（</rp><rt>しょ</rt><rp>）</rp>籍<rp>（</rp><rt>せき</rt><rp>）</rp></ruby>",
            "<ruby>東京<rp>（</rp><rt>とうきょう</rt><rp>）</rp></ruby>",
            "<code>{コード|こーど}</code>",
            "<th class=\"align-left\">",
            "<th class=\"align-center\">",
            "<th class=\"align-right\">",
            "<td class=\"align-left\"><ruby>語<rp>（</rp><rt>ご</rt><rp>）</rp></ruby></td>",
            "<td class=\"align-center\"><ruby>本<rp>（</rp><rt>ほん</rt><rp>）</rp>\
             文<rp>（</rp><rt>ぶん</rt><rp>）</rp></ruby></td>",
            "<td class=\"align-right\">手書きの表</td>",
            "<ruby>手<rp>（</rp><rt>て</rt><rp>）</rp></ruby>書きのルビ。",
            "有料の<ruby>合言葉<rp>（</rp><rt>あいことば</rt><rp>）</rp></ruby>は次の行へ",
        ] {
            assert!(full.contains(expected), "{layout}: {expected}\n{full}");
        }
        for absent in [" align=", "style=", "color", "[", "{漢字", "《"] {
            assert!(!full.contains(absent), "{layout}: {absent}\n{full}");
        }
        let preview = chapter(out.path(), layout, "preview");
        assert!(preview.contains("<ruby>漢字<rp>（</rp>"), "{preview}");
        for paid in ["合言葉", "あいことば", "次の行"] {
            assert!(!preview.contains(paid), "{layout}: {paid}");
        }
    }
}
