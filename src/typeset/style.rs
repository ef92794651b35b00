//! The built-in stylesheets (`styles/` in the repository), compiled into the
//! binary: the layout's own rules, then the rules shared by both layouts.

use std::sync::LazyLock;

use crate::typeset::Layout;

/// The `font-family` name of a font embedded with `--font`.
pub const EMBEDDED_FAMILY: &str = "wenji-embedded";

const COMMON: &str = include_str!("../../styles/common.css");
const HORIZONTAL: &str = include_str!("../../styles/horizontal.css");
const VERTICAL: &str = include_str!("../../styles/vertical.css");

static HORIZONTAL_SHEET: LazyLock<String> = LazyLock::new(|| format!("{COMMON}\n{HORIZONTAL}"));
static VERTICAL_SHEET: LazyLock<String> = LazyLock::new(|| format!("{COMMON}\n{VERTICAL}"));

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
