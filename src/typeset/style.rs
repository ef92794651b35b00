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
/// there, `chiage-N` sets it against the foot, N characters from it (as
/// `p.chitsuki` in styles/aozora.css; one rule per class, for readers such
/// as MuPDF whose CSS parser rejects `[class*=…]` and what follows it).
///
/// The horizontal layout pads the left and right sides. The vertical layout
/// pads the start and end of the line (its top and foot) with logical
/// properties, after a physical fallback that reads as the horizontal layout
/// does, for readers that show a vertical book horizontally (see
/// styles/vertical.css); the logical forms also clear the side the fallback
/// padded, which in vertical-rl is a block side.
fn indent_rules(layout: Layout) -> String {
    let mut css = String::from("/* Aozora indents (generated). */\n");
    for n in 1..=crate::parse::aozora::MAX_INDENT {
        let (jisage, chiage) = match layout {
            Layout::Horizontal => (
                format!("padding-left: {n}em;"),
                format!("padding-right: {n}em;"),
            ),
            Layout::Vertical => (
                format!(
                    "padding-left: {n}em; -webkit-padding-after: 0; -webkit-padding-start: {n}em; \
                     padding-block-end: 0; padding-inline-start: {n}em;"
                ),
                format!(
                    "padding-right: {n}em; -webkit-padding-before: 0; -webkit-padding-end: {n}em; \
                     padding-block-start: 0; padding-inline-end: {n}em;"
                ),
            ),
        };
        css.push_str(&format!(
            "p.jisage-{n} {{ {jisage} }}\n\
             p.indent-{n} {{ text-indent: {n}em; }}\n\
             p.hang-{n} {{ text-indent: -{n}em; }}\n\
             p.chiage-{n} {{ text-align: right; {chiage} }}\n"
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

    /// A rule of a stylesheet: its selector and its declarations in order.
    struct Rule {
        selector: String,
        declarations: Vec<(String, String)>,
    }

    impl Rule {
        /// Whether the rule sets a margin or padding with logical properties.
        fn is_logical(&self) -> bool {
            self.declarations
                .iter()
                .any(|(property, _)| vertical_rl_side(property).is_some())
        }
    }

    /// How many rules of the vertical sheet use logical properties: body,
    /// headings, chapter titles, paid notices, blocks, nested contents
    /// entries, definitions, then `jisage-N` and `chiage-N` for every N.
    fn logical_rule_count() -> usize {
        7 + 2 * usize::from(crate::parse::aozora::MAX_INDENT)
    }

    /// The rules of `css`, comments left out (the built-in sheets have no
    /// at-rules or nested blocks).
    fn rules(css: &str) -> Vec<Rule> {
        let mut text = String::new();
        let mut rest = css;
        while let Some(at) = rest.find("/*") {
            text.push_str(&rest[..at]);
            rest = rest[at..].split_once("*/").map_or("", |(_, after)| after);
        }
        text.push_str(rest);
        text.split('}')
            .filter_map(|chunk| chunk.split_once('{'))
            .map(|(selector, body)| Rule {
                selector: selector.split_whitespace().collect::<Vec<_>>().join(" "),
                declarations: body
                    .split(';')
                    .filter_map(|d| d.split_once(':'))
                    .map(|(p, v)| (p.trim().to_string(), v.trim().to_string()))
                    .collect(),
            })
            .collect()
    }

    /// The physical sides (top, right, bottom, left) a margin or padding
    /// declaration sets, with their values; `None` for other properties.
    fn physical_sides(property: &str, value: &str) -> Option<(&'static str, Vec<(usize, String)>)> {
        let (boxed, side) = ["margin", "padding"].into_iter().find_map(|boxed| {
            property
                .strip_prefix(boxed)
                .map(|side| (boxed, side.strip_prefix('-').unwrap_or(side)))
        })?;
        let side = match side {
            "" => {
                let v: Vec<&str> = value.split_whitespace().collect();
                let at = |i: usize| v[i.min(v.len() - 1)].to_string();
                let four = match v.len() {
                    1 | 2 => [at(0), at(1), at(0), at(1)],
                    3 => [at(0), at(1), at(2), at(1)],
                    _ => [at(0), at(1), at(2), at(3)],
                };
                return Some((boxed, four.into_iter().enumerate().collect()));
            }
            "top" => 0,
            "right" => 1,
            "bottom" => 2,
            "left" => 3,
            _ => return None,
        };
        Some((boxed, vec![(side, value.to_string())]))
    }

    /// The physical side (top, right, bottom, left) a logical margin or
    /// padding sets in vertical-rl, and whether it is the old WebKit name.
    fn vertical_rl_side(property: &str) -> Option<(&'static str, usize, bool)> {
        let (webkit, name) = match property.strip_prefix("-webkit-") {
            Some(name) => (true, name),
            None => (false, property),
        };
        let (boxed, logical) = ["margin", "padding"]
            .into_iter()
            .find_map(|boxed| name.strip_prefix(boxed).map(|rest| (boxed, rest)))?;
        let side = match (webkit, logical) {
            (false, "-block-start") | (true, "-before") => 1,
            (false, "-block-end") | (true, "-after") => 3,
            (false, "-inline-start") | (true, "-start") => 0,
            (false, "-inline-end") | (true, "-end") => 2,
            _ => return None,
        };
        Some((boxed, side, webkit))
    }

    #[test]
    fn vertical_spacing_is_logical_after_a_physical_fallback() {
        let mut checked = 0;
        for rule in rules(stylesheet(Layout::Vertical)) {
            let mut fallback = Vec::new();
            let (mut standard, mut webkit) = (Vec::new(), Vec::new());
            for (property, value) in &rule.declarations {
                if let Some((boxed, side, old_name)) = vertical_rl_side(property) {
                    assert!(
                        fallback.iter().any(|(b, _)| *b == boxed),
                        "{}: {property} has no physical fallback before it",
                        rule.selector
                    );
                    let set = if old_name { &mut webkit } else { &mut standard };
                    set.push((boxed, side));
                } else if let Some((boxed, sides)) = physical_sides(property, value) {
                    assert!(
                        standard.is_empty() && webkit.is_empty(),
                        "{}: {property} comes after the logical properties",
                        rule.selector
                    );
                    fallback.extend(sides.into_iter().map(|(side, _)| (boxed, side)));
                }
            }
            if standard.is_empty() && webkit.is_empty() {
                continue;
            }
            // A reader with vertical writing overrides every side the
            // fallback set, with either set of names.
            for set in [&standard, &webkit] {
                for side in &fallback {
                    assert!(
                        set.contains(side),
                        "{}: {side:?} keeps its fallback",
                        rule.selector
                    );
                }
            }
            checked += 1;
        }
        assert_eq!(checked, logical_rule_count());
    }

    #[test]
    fn vertical_headings_and_blocks_use_logical_margins() {
        // Every margin or padding of the vertical layout's own file either
        // is the same on every side or is a fallback its logical forms follow.
        for rule in rules(VERTICAL) {
            let logical = rule.is_logical();
            for (property, value) in &rule.declarations {
                if let Some((_, sides)) = physical_sides(property, value) {
                    let uniform = sides.iter().all(|(_, v)| *v == sides[0].1);
                    assert!(
                        logical || (uniform && sides.len() == 4),
                        "{}: {property}",
                        rule.selector
                    );
                }
            }
        }
        let vertical = rules(VERTICAL);
        for selector in [
            "body",
            "h1, h2, h3, h4, h5, h6",
            "h1.chapter-title",
            "p.paid-notice",
            "blockquote, pre, figure, ul, ol, table",
        ] {
            let rule = vertical.iter().find(|r| r.selector == selector).unwrap();
            for property in [
                "margin-block-start",
                "margin-block-end",
                "margin-inline-start",
                "margin-inline-end",
            ] {
                assert!(
                    rule.declarations.iter().any(|(p, _)| p == property),
                    "{selector}: {property}"
                );
            }
        }
    }

    /// The margins and paddings a reader without logical properties gives
    /// the elements `selector` names, from the rules of `css` with exactly
    /// that selector: (box, side) to value.
    fn physical_spacing(css: &[Rule], selector: &str) -> Vec<((&'static str, usize), String)> {
        let mut spacing: Vec<((&'static str, usize), String)> = Vec::new();
        let declarations = css
            .iter()
            .filter(|rule| rule.selector == selector)
            .flat_map(|rule| &rule.declarations);
        for (property, value) in declarations {
            if let Some((boxed, sides)) = physical_sides(property, value) {
                for (side, value) in sides {
                    spacing.retain(|(key, _)| *key != (boxed, side));
                    spacing.push(((boxed, side), value));
                }
            }
        }
        spacing.sort();
        spacing
    }

    #[test]
    fn the_vertical_fallback_reads_as_the_horizontal_layout() {
        let horizontal = rules(stylesheet(Layout::Horizontal));
        let vertical = rules(stylesheet(Layout::Vertical));
        let mut compared = 0;
        for rule in &vertical {
            if rule.is_logical() {
                assert_eq!(
                    physical_spacing(&vertical, &rule.selector),
                    physical_spacing(&horizontal, &rule.selector),
                    "{}",
                    rule.selector
                );
                compared += 1;
            }
        }
        assert_eq!(compared, logical_rule_count());
    }

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
        // The cover page and image-only pages stay horizontal, in every form.
        let horizontal = rules(css)
            .into_iter()
            .find(|rule| rule.selector == "html.cover, html.image-page")
            .unwrap();
        for property in ["writing-mode", "-epub-writing-mode", "-webkit-writing-mode"] {
            let value = (property.to_string(), "horizontal-tb".to_string());
            assert!(horizontal.declarations.contains(&value), "{property}");
        }
    }

    #[test]
    fn aozora_indents_use_the_layouts_sides() {
        let vertical = stylesheet(Layout::Vertical);
        assert!(vertical.contains(
            "p.jisage-3 { padding-left: 3em; -webkit-padding-after: 0; -webkit-padding-start: 3em; \
             padding-block-end: 0; padding-inline-start: 3em; }"
        ));
        assert!(vertical.contains(
            "p.chiage-20 { text-align: right; padding-right: 20em; -webkit-padding-before: 0; -webkit-padding-end: 20em; \
             padding-block-start: 0; padding-inline-end: 20em; }"
        ));
        let horizontal = stylesheet(Layout::Horizontal);
        assert!(horizontal.contains("p.jisage-3 { padding-left: 3em; }"));
        assert!(horizontal.contains("p.hang-2 { text-indent: -2em; }"));
    }

    #[test]
    fn rules_stay_within_what_every_engine_reads() {
        for layout in [Layout::Horizontal, Layout::Vertical] {
            for rule in rules(stylesheet(layout)) {
                // MuPDF's CSS parser rejects attribute selectors that match
                // part of a value (`[class*=…]`), and with them the rules after.
                for operator in ["*=", "^=", "$=", "~=", "|="] {
                    assert!(!rule.selector.contains(operator), "{}", rule.selector);
                }
                // MuPDF aligns `start` and `end` left; the line-relative
                // `left` and `right` are the top and foot of a vertical line.
                for (property, value) in &rule.declarations {
                    assert!(
                        property != "text-align" || !["start", "end"].contains(&value.as_str()),
                        "{}: text-align: {value}",
                        rule.selector
                    );
                }
            }
        }
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
