//! The cover: the user's image, or an SVG drawn from the title and authors
//! (set in columns for vertical books), and the XHTML page that shows it.

use std::borrow::Cow;

use crate::book::Cover;
use crate::publication::Publication;
use crate::typeset::{Layout, Page, xhtml};
use crate::xml::escape_into;

/// Name of the cover page inside the publication.
pub const PAGE_NAME: &str = "cover.xhtml";

const WIDTH: u32 = 1200;
const HEIGHT: u32 = 1800;
const TITLE_SIZE: u32 = 96;
const AUTHOR_SIZE: u32 = 56;
const FONTS: &str =
    "'Noto Serif CJK SC', 'Source Han Serif SC', 'Songti SC', 'Noto Serif CJK JP', serif";

/// The cover image's path inside the publication, media type and bytes.
pub fn image<'a>(publication: &Publication<'a>) -> (String, &'static str, Cow<'a, [u8]>) {
    match publication.cover {
        Cover::Image {
            extension,
            media_type,
            data,
        } => (
            format!("images/cover.{extension}"),
            media_type,
            Cow::Borrowed(&data[..]),
        ),
        Cover::Generated => (
            "images/cover.svg".to_string(),
            "image/svg+xml",
            Cow::Owned(svg(publication).into_bytes()),
        ),
    }
}

/// The cover page.
pub fn page(publication: &Publication) -> Page {
    let (href, _, _) = image(publication);
    let title = publication.title.clone();
    let mut body = String::from("<div class=\"cover\"><img src=\"");
    escape_into(&mut body, &href);
    body.push_str("\" alt=\"");
    escape_into(&mut body, &title);
    body.push_str("\"/></div>\n");
    let label = crate::lang::strings(publication.lang).cover;
    Page {
        name: PAGE_NAME.to_string(),
        xhtml: xhtml::document(
            publication,
            label,
            " class=\"cover\" epub:type=\"cover\"",
            &body,
        ),
    }
}

/// A generated cover: title (and the preview mark) large, authors below or,
/// in a vertical book, in columns from the right.
pub fn svg(publication: &Publication) -> String {
    let mut title_lines = wrap(publication.own_title, 10.0, 6);
    title_lines.extend(publication.mark.map(str::to_string));
    let author_lines = wrap(&publication.authors.join("、"), 16.0, 3);
    let mut out = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
         <svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" viewBox=\"0 0 {WIDTH} {HEIGHT}\" \
         width=\"{WIDTH}\" height=\"{HEIGHT}\" xml:lang=\"{lang}\">\n\
         <rect x=\"0\" y=\"0\" width=\"{WIDTH}\" height=\"{HEIGHT}\" fill=\"#f4efe6\"/>\n\
         <rect x=\"60\" y=\"60\" width=\"{w}\" height=\"{h}\" fill=\"none\" stroke=\"#8c2f1b\" stroke-width=\"6\"/>\n",
        lang = crate::xml::escape(publication.lang),
        w = WIDTH - 120,
        h = HEIGHT - 120,
    );
    match publication.layout {
        Layout::Horizontal => {
            let mut y = 520;
            for line in &title_lines {
                text(&mut out, WIDTH / 2, y, TITLE_SIZE, "middle", "", line);
                y += TITLE_SIZE * 3 / 2;
            }
            let mut y = HEIGHT - 360;
            for line in &author_lines {
                text(&mut out, WIDTH / 2, y, AUTHOR_SIZE, "middle", "", line);
                y += AUTHOR_SIZE * 3 / 2;
            }
        }
        Layout::Vertical => {
            let vertical = " writing-mode=\"tb-rl\"";
            let mut x = WIDTH - 260;
            for line in &title_lines {
                text(&mut out, x, 240, TITLE_SIZE, "start", vertical, line);
                x = x.saturating_sub(TITLE_SIZE * 3 / 2);
            }
            let mut x = 160 + AUTHOR_SIZE * 3 / 2 * (author_lines.len() as u32).saturating_sub(1);
            for line in &author_lines {
                text(
                    &mut out,
                    x,
                    HEIGHT - 120 - 16 * AUTHOR_SIZE,
                    AUTHOR_SIZE,
                    "start",
                    vertical,
                    line,
                );
                x = x.saturating_sub(AUTHOR_SIZE * 3 / 2);
            }
        }
    }
    out.push_str("</svg>\n");
    out
}

fn text(out: &mut String, x: u32, y: u32, size: u32, anchor: &str, extra: &str, content: &str) {
    out.push_str(&format!(
        "<text x=\"{x}\" y=\"{y}\" font-size=\"{size}\" text-anchor=\"{anchor}\" fill=\"#2b2118\" \
         font-family=\"{FONTS}\"{extra}>"
    ));
    escape_into(out, content);
    out.push_str("</text>\n");
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
