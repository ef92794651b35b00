//! The cover: the user's image as given, or one drawn from the title and
//! authors ([`design`]) — a PNG ([`raster`]) when a font has every
//! character it draws, else the SVG — and the XHTML page that shows it.

pub mod design;
pub mod raster;

use std::borrow::Cow;
use std::sync::OnceLock;

use crate::book::Cover;
use crate::publication::Publication;
use crate::typeset::resource::{Bytes, Resource};
use crate::typeset::{Page, xhtml};
use raster::{Fonts, Unavailable};

/// Name of the cover page inside the publication.
pub const PAGE_NAME: &str = "cover.xhtml";
/// The manifest `properties` (and the id) of the cover image.
pub const COVER_IMAGE: &str = "cover-image";

/// The cover image: the user's as given, or the generated one drawn with
/// the book's font or the system's ([`Fonts::system`]).
pub fn image<'a>(publication: &Publication<'a>) -> Resource<'a> {
    image_with(publication, Fonts::system)
}

/// The cover image, a generated one drawn with `publication.font` if it has
/// every character, else with `fonts` (asked for only then). Without a font
/// that has them all the cover is the SVG, and the reason is kept for
/// [`raster_warning`].
pub fn image_with<'a, 'f>(
    publication: &Publication<'a>,
    fonts: impl FnOnce() -> &'f Fonts,
) -> Resource<'a> {
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
        Cover::Generated { raster } => {
            let drawing = design::draw(publication);
            let png = if *raster {
                generated_png(publication, &drawing, fonts)
            } else {
                None
            };
            match png {
                Some(png) => (
                    "images/cover.png".to_string(),
                    raster::MEDIA_TYPE,
                    Cow::Owned(png),
                ),
                None => (
                    "images/cover.svg".to_string(),
                    "image/svg+xml",
                    Cow::Owned(drawing.svg.into_bytes()),
                ),
            }
        }
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

/// The PNG of `drawing`, drawn with the book's font or else `fonts`;
/// `None`, with the reason kept for [`raster_warning`], when neither has
/// every character.
fn generated_png<'f>(
    publication: &Publication,
    drawing: &design::Drawing,
    fonts: impl FnOnce() -> &'f Fonts,
) -> Option<Vec<u8>> {
    let own = publication
        .font
        .map(|font| Fonts::from_shared(font.clone()));
    let drawn = |fonts: &Fonts| raster::png(&drawing.svg, &drawing.text, publication.lang, fonts);
    let result = match own.as_ref().map(drawn) {
        Some(Ok(png)) => Ok(png),
        _ => drawn(fonts()),
    };
    result
        .map_err(|reason| {
            let _ = UNAVAILABLE.set(reason);
        })
        .ok()
}

/// Why a generated cover of this process stayed SVG, the first time it did.
static UNAVAILABLE: OnceLock<Unavailable> = OnceLock::new();

/// The one warning a run gives when a generated cover could not be drawn as
/// a PNG (and stayed SVG), however many books it made.
pub fn raster_warning() -> Option<String> {
    UNAVAILABLE.get().map(|reason| match reason {
        Unavailable::NoFont => format!(
            "no font found with every character of the cover to draw it: it stays an SVG, \
             which some readers draw badly. Install a CJK font (Debian, Ubuntu: apt install \
             fonts-noto-cjk){}; \
             --no-raster-cover keeps the SVG without this warning",
            // --font is only accepted by a wenji built with the `fonts` feature.
            if cfg!(feature = "fonts") {
                " or give --font FILE"
            } else {
                ""
            }
        ),
        Unavailable::Render(message) => {
            format!("the cover could not be drawn as a PNG ({message}): it stays an SVG")
        }
    })
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::publication::sample;

    fn with_cover(cover: Cover) -> Publication<'static> {
        let mut publication = sample(true);
        publication.cover = Box::leak(Box::new(cover));
        publication
    }

    #[test]
    fn without_a_font_the_generated_cover_stays_svg_and_says_how_to_get_one() {
        let publication = with_cover(Cover::Generated { raster: true });
        let none = Fonts::none();
        let image = image_with(&publication, || &none);
        assert_eq!(image.href, "images/cover.svg");
        assert_eq!(image.media_type, "image/svg+xml");
        assert_eq!(image.properties, Some(COVER_IMAGE));
        let svg = String::from_utf8(image.bytes.as_slice().unwrap().to_vec()).unwrap();
        assert!(svg.contains(">（试读）<"), "{svg}");
        let warning = raster_warning().unwrap();
        assert!(warning.contains("no font found") && warning.contains("fonts-noto-cjk"));
        // Only a wenji that accepts --font (the `fonts` feature) suggests it.
        assert_eq!(
            warning.contains("--font"),
            cfg!(feature = "fonts"),
            "{warning}"
        );
    }

    #[test]
    fn the_books_own_font_draws_the_cover_before_any_other() {
        let mut publication = with_cover(Cover::Generated { raster: true });
        let drawing = design::draw(&publication);
        let Some(font) = raster::font_file_covering(&drawing.text, publication.lang) else {
            let required = std::env::var("WENJI_REQUIRE_CJK_FONT");
            assert_ne!(required.as_deref(), Ok("1"), "no CJK font found");
            return;
        };
        let font: &'static Arc<Vec<u8>> = Box::leak(Box::new(Arc::new(font)));
        publication.font = Some(font);
        let none = Fonts::none();
        let image = image_with(&publication, || &none);
        assert_eq!(image.href, "images/cover.png");
        assert_eq!(image.media_type, "image/png");
        let png = image.bytes.as_slice().unwrap();
        assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"));
    }

    #[test]
    fn fonts_are_looked_for_only_for_a_raster_cover() {
        let no_fonts = || -> &Fonts { panic!("fonts were looked for") };
        let svg_only = image_with(&with_cover(Cover::Generated { raster: false }), no_fonts);
        assert_eq!(svg_only.href, "images/cover.svg");
        let data = std::sync::Arc::new(b"\x89PNG\r\n\x1a\n".to_vec());
        let given = Cover::Image {
            extension: "png".into(),
            media_type: "image/png",
            data: data.clone(),
        };
        let image = image_with(&with_cover(given), no_fonts);
        assert_eq!(image.href, "images/cover.png");
        assert_eq!(image.bytes.as_slice(), Some(&data[..]));
    }
}
