//! The cover: the user's image, or an SVG drawn from the title and authors
//! (set in columns for vertical books), and the XHTML page that shows it.

use std::borrow::Cow;

use crate::book::Cover;
use crate::publication::Publication;
use crate::typeset::resource::{Bytes, Resource};
use crate::typeset::{Layout, Page, xhtml};
use crate::xml::Writer;

/// Name of the cover page inside the publication.
pub const PAGE_NAME: &str = "cover.xhtml";
/// The manifest `properties` (and the id) of the cover image.
pub const COVER_IMAGE: &str = "cover-image";

const WIDTH: u32 = 1200;
const HEIGHT: u32 = 1800;
const TITLE_SIZE: u32 = 96;
const AUTHOR_SIZE: u32 = 56;
const FONTS: &str =
    "'Noto Serif CJK SC', 'Source Han Serif SC', 'Songti SC', 'Noto Serif CJK JP', serif";

/// The cover image: the user's, or a generated SVG.
pub fn image<'a>(publication: &Publication<'a>) -> Resource<'a> {
    let (href, media_type, bytes) = match publication.cover {
        Cover::Image {
            extension,
            media_type,
            data,
        } => (
            format!("images/cover.{extension}"),
            *media_type,
            Cow::Borrowed(&data[..]),
        ),
        Cover::Generated => (
            "images/cover.svg".to_string(),
            "image/svg+xml",
            Cow::Owned(svg(publication).into_bytes()),
        ),
    };
    Resource::file(COVER_IMAGE, href, media_type, Bytes::Book(bytes)).with_properties(COVER_IMAGE)
}

/// The cover page, showing the image at `image_href`.
pub fn page(publication: &Publication, image_href: &str) -> Page {
    let label = crate::lang::strings(publication.lang).cover;
    let xhtml = xhtml::document(
        publication,
        label,
        &[("class", "cover"), ("epub:type", "cover")],
        |out| {
            out.start("div", &[("class", "cover")])
                .empty("img", &[("src", image_href), ("alt", &publication.title)])
                .end()
                .newline();
        },
    );
    Page {
        name: PAGE_NAME.to_string(),
        xhtml,
    }
}

/// A generated cover: title (and the preview mark) large, authors below or,
/// in a vertical book, in columns from the right.
pub fn svg(publication: &Publication) -> String {
    let mut title_lines = wrap(publication.own_title, 10.0, 6);
    title_lines.extend(publication.mark.map(str::to_string));
    let author_lines = wrap(&publication.authors.join("、"), 16.0, 3);
    let (width, height) = (WIDTH.to_string(), HEIGHT.to_string());
    let mut out = Writer::document();
    out.start(
        "svg",
        &[
            ("xmlns", "http://www.w3.org/2000/svg"),
            ("version", "1.1"),
            ("viewBox", &format!("0 0 {WIDTH} {HEIGHT}")),
            ("width", &width),
            ("height", &height),
            ("xml:lang", publication.lang),
        ],
    )
    .newline();
    out.empty(
        "rect",
        &[
            ("x", "0"),
            ("y", "0"),
            ("width", &width),
            ("height", &height),
            ("fill", "#f4efe6"),
        ],
    )
    .newline();
    out.empty(
        "rect",
        &[
            ("x", "60"),
            ("y", "60"),
            ("width", &(WIDTH - 120).to_string()),
            ("height", &(HEIGHT - 120).to_string()),
            ("fill", "none"),
            ("stroke", "#8c2f1b"),
            ("stroke-width", "6"),
        ],
    )
    .newline();
    match publication.layout {
        Layout::Horizontal => {
            let mut y = 520;
            for line in &title_lines {
                text(&mut out, (WIDTH / 2, y), TITLE_SIZE, false, line);
                y += TITLE_SIZE * 3 / 2;
            }
            let mut y = HEIGHT - 360;
            for line in &author_lines {
                text(&mut out, (WIDTH / 2, y), AUTHOR_SIZE, false, line);
                y += AUTHOR_SIZE * 3 / 2;
            }
        }
        Layout::Vertical => {
            let mut x = WIDTH - 260;
            for line in &title_lines {
                text(&mut out, (x, 240), TITLE_SIZE, true, line);
                x = x.saturating_sub(TITLE_SIZE * 3 / 2);
            }
            let mut x = 160 + AUTHOR_SIZE * 3 / 2 * (author_lines.len() as u32).saturating_sub(1);
            let y = HEIGHT - 120 - 16 * AUTHOR_SIZE;
            for line in &author_lines {
                text(&mut out, (x, y), AUTHOR_SIZE, true, line);
                x = x.saturating_sub(AUTHOR_SIZE * 3 / 2);
            }
        }
    }
    out.end().newline();
    out.finish()
}

/// One line of the generated cover at `(x, y)`: centred, or set from the
/// top in a column when `vertical`.
fn text(out: &mut Writer, (x, y): (u32, u32), size: u32, vertical: bool, content: &str) {
    let (x, y, size) = (x.to_string(), y.to_string(), size.to_string());
    let mut attributes = vec![
        ("x", x.as_str()),
        ("y", &y),
        ("font-size", &size),
        ("text-anchor", if vertical { "start" } else { "middle" }),
        ("fill", "#2b2118"),
        ("font-family", FONTS),
    ];
    if vertical {
        attributes.push(("writing-mode", "tb-rl"));
    }
    out.element("text", &attributes, content).newline();
}

/// Breaks `text` into at most `max_lines` lines of about `width` full-width
/// characters (half-width ones count half); the last line ends in … if cut.
fn wrap(text: &str, width: f32, max_lines: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    let mut used = 0.0;
    for c in text.chars() {
        let w = if c.is_ascii() { 0.55 } else { 1.0 };
        if used + w > width {
            if lines.len() + 1 == max_lines {
                line.pop();
                line.push('…');
                break;
            }
            lines.push(std::mem::take(&mut line));
            used = 0.0;
        }
        line.push(c);
        used += w;
    }
    lines.push(line);
    lines
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::publication::sample;

    #[test]
    fn wrap_counts_half_width_as_half() {
        assert_eq!(wrap("一二三四五", 2.0, 5), ["一二", "三四", "五"]);
        assert_eq!(wrap("abcd", 2.0, 5), ["abc", "d"]);
        assert_eq!(wrap("一二三四五六七", 2.0, 2), ["一二", "三…"]);
    }

    #[test]
    fn generated_cover_marks_the_preview_and_follows_the_layout() {
        let preview = svg(&sample(true));
        assert!(preview.contains(">试读<") || preview.contains(">（试读）<"));
        let mut full = sample(false);
        assert!(!svg(&full).contains("试读"));
        assert!(!preview.contains("tb-rl"));
        full.layout = Layout::Vertical;
        assert!(svg(&full).contains("writing-mode=\"tb-rl\""));
    }
}
