//! The built-in stylesheets (`styles/` in the repository), compiled into the
//! binary: the layout's own rules, then the rules shared by both layouts.

use std::sync::LazyLock;

use crate::typeset::Layout;

/// The `font-family` name of a font embedded with `--font`.
pub const EMBEDDED_FAMILY: &str = "wenji-embedded";

const COMMON: &str = include_str!("../../styles/common.css");
const AOZORA: &str = include_str!("../../styles/aozora.css");
const HORIZONTAL: &str = include_str!("../../styles/horizontal.css");
const VERTICAL: &str = include_str!("../../styles/vertical.css");

static HORIZONTAL_SHEET: LazyLock<String> = LazyLock::new(|| sheet(Layout::Horizontal));
static VERTICAL_SHEET: LazyLock<String> = LazyLock::new(|| sheet(Layout::Vertical));

fn sheet(layout: Layout) -> String {
    let own = match layout {
        Layout::Horizontal => HORIZONTAL,
        Layout::Vertical => VERTICAL,
    };
    format!("{COMMON}\n{own}\n{AOZORA}\n{}", indent_rules(layout))
}

/// Aozora indents, in characters: `jisage-N` indents every line of a
/// paragraph, `indent-N` and `hang-N` move its first line in and out from
/// there, `chiage-N` keeps it N characters from the foot. Written with the
/// layout's physical sides (the top of a vertical column is its start), which
/// every reading engine understands.
fn indent_rules(layout: Layout) -> String {
    let (start, end) = match layout {
        Layout::Horizontal => ("left", "right"),
        Layout::Vertical => ("top", "bottom"),
    };
    let mut css = String::from("/* Aozora indents (generated). */\n");
    for n in 1..=crate::parse::aozora::MAX_INDENT {
        css.push_str(&format!(
            "p.jisage-{n} {{ padding-{start}: {n}em; }}\n\
             p.indent-{n} {{ text-indent: {n}em; }}\n\
             p.hang-{n} {{ text-indent: -{n}em; }}\n\
             p.chiage-{n} {{ padding-{end}: {n}em; }}\n"
        ));
    }
    css
}

/// The complete built-in stylesheet for `layout`.
pub fn stylesheet(layout: Layout) -> &'static str {
    match layout {
        Layout::Horizontal => &HORIZONTAL_SHEET,
        Layout::Vertical => &VERTICAL_SHEET,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vertical_sheet_sets_every_writing_mode_form() {
        let css = stylesheet(Layout::Vertical);
        for property in ["writing-mode", "-epub-writing-mode", "-webkit-writing-mode"] {
            assert!(
                css.contains(&format!("  {property}: vertical-rl;")),
                "{property}"
            );
        }
        assert!(!stylesheet(Layout::Horizontal).contains("vertical-rl"));
        // The cover page stays horizontal, in every form.
        let cover = css
            .split("html.cover {")
            .nth(1)
            .unwrap()
            .split('}')
            .next()
            .unwrap();
        for property in ["writing-mode", "-epub-writing-mode", "-webkit-writing-mode"] {
            assert!(
                cover.contains(&format!("  {property}: horizontal-tb;")),
                "{property}"
            );
        }
    }

    #[test]
    fn aozora_indents_use_the_layouts_sides() {
        let vertical = stylesheet(Layout::Vertical);
        assert!(vertical.contains("p.jisage-3 { padding-top: 3em; }"));
        assert!(vertical.contains("p.chiage-20 { padding-bottom: 20em; }"));
        let horizontal = stylesheet(Layout::Horizontal);
        assert!(horizontal.contains("p.jisage-3 { padding-left: 3em; }"));
        assert!(horizontal.contains("p.hang-2 { text-indent: -2em; }"));
    }

    #[test]
    fn cjk_body_text_rules() {
        for layout in [Layout::Horizontal, Layout::Vertical] {
            let css = stylesheet(layout);
            assert!(css.contains("text-indent: 2em;"));
            assert!(css.contains("p:lang(ja) {\n  text-indent: 1em;"));
            assert!(css.contains("line-height: 1.75;"));
            assert!(css.contains("text-align: justify;"));
            assert!(css.contains("\"Yu Mincho\", serif;"));
            // No property EPUBCheck rejects (CSS-001).
            assert!(!css.contains("direction:") && !css.contains("unicode-bidi"));
        }
    }
}
