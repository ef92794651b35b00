//! The raster cover: the generated cover's SVG drawn by resvg as a PNG of
//! 1600×2560 (the size Kindle Direct Publishing recommends), so that every
//! reading system shows the same picture whatever its SVG support. It is
//! drawn from the very SVG of the edition, so it holds nothing else.
//!
//! The font must hold every character the cover draws, or resvg would leave
//! gaps: the book's `--font` if it does, else the first system font that
//! does, CJK serifs in the order the book's language prefers first (Noto
//! Serif CJK, Source Han Serif, then their sans-serif cousins), then any
//! other face. The system's fonts are looked for once per process. resvg
//! maps the font file again for every glyph of a vertical title (about
//! 2 ms a cover with a 26 MB Noto Serif CJK collection); reading it into
//! memory costs some 25 ms once, so a face is read once it has drawn
//! [`READ_AFTER`] covers: a batch draws the rest quicker, a single book
//! does not wait for it.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use resvg::tiny_skia;
use resvg::usvg::{self, fontdb};

use super::design::{HEIGHT, WIDTH};
use crate::typeset::cjk::Locale;

/// Media type of the raster cover.
pub const MEDIA_TYPE: &str = "image/png";

/// Why no raster cover was made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unavailable {
    /// No font holds every character the cover draws.
    NoFont,
    /// resvg could not draw the SVG (its message).
    Render(String),
}

/// How many covers a face draws from its mapped file before it is read
/// into memory.
const READ_AFTER: u32 = 10;

/// The fonts a cover may be drawn with.
#[derive(Debug)]
pub struct Fonts {
    /// Every face found (a font file is mapped whenever a face is read).
    database: Arc<fontdb::Database>,
    /// Every face, regular upright ones first, then by family and file:
    /// the order in which faces are tried after the preferred families.
    faces: Vec<fontdb::ID>,
    /// The faces covers were drawn with: how many, or the face read into
    /// memory.
    drawn: Mutex<HashMap<fontdb::ID, Drawn>>,
}

/// What a face has drawn.
#[derive(Debug, Clone)]
enum Drawn {
    /// This many covers, from its mapped file.
    Covers(u32),
    /// Enough to be read into memory: in a database of its own, with its id there.
    Read(Arc<fontdb::Database>, fontdb::ID),
}

impl Fonts {
    /// The system's fonts (fontconfig's folders on Linux), looked for the
    /// first time a cover needs them and kept for the rest of the process.
    pub fn system() -> &'static Fonts {
        static SYSTEM: OnceLock<Fonts> = OnceLock::new();
        SYSTEM.get_or_init(|| {
            let mut database = fontdb::Database::new();
            database.load_system_fonts();
            Fonts::new(database)
        })
    }

    /// No fonts at all: no cover can be drawn.
    pub fn none() -> Fonts {
        Fonts::new(fontdb::Database::new())
    }

    /// The faces of one font file's bytes (a TrueType or OpenType font or
    /// collection); none when they are not a font.
    pub fn from_shared(data: Arc<Vec<u8>>) -> Fonts {
        let mut database = fontdb::Database::new();
        database.load_font_source(fontdb::Source::Binary(data));
        Fonts::new(database)
    }

    fn new(database: fontdb::Database) -> Fonts {
        let mut faces: Vec<&fontdb::FaceInfo> = database.faces().collect();
        faces.sort_by_cached_key(|face| {
            let path = match &face.source {
                fontdb::Source::File(path) => path.to_string_lossy().into_owned(),
                _ => String::new(),
            };
            (
                face.weight.0.abs_diff(fontdb::Weight::NORMAL.0),
                face.style != fontdb::Style::Normal,
                face.stretch != fontdb::Stretch::Normal,
                face.families.first().map(|(name, _)| name.clone()),
                path,
                face.index,
            )
        });
        let faces = faces.into_iter().map(|face| face.id).collect();
        Fonts {
            database: Arc::new(database),
            faces,
            drawn: Mutex::new(HashMap::new()),
        }
    }

    /// Whether there is no face at all.
    pub fn is_empty(&self) -> bool {
        self.faces.is_empty()
    }

    /// The first face that has a glyph for every character of `text`
    /// (whitespace aside) — of the families preferred for `lang` first, in
    /// their order, then of any other — as a database to draw with and its
    /// id there.
    fn covering(&self, text: &str, lang: &str) -> Option<(Arc<fontdb::Database>, fontdb::ID)> {
        let preferred = preferred_families(lang);
        preferred
            .iter()
            .flat_map(|name| self.of_family(name))
            .chain(self.faces.iter().copied())
            .filter(|&id| self.covers(id, text))
            .find_map(|id| self.draw_with(id))
    }

    /// The faces of family `name`, in order.
    fn of_family<'s>(&'s self, name: &'s str) -> impl Iterator<Item = fontdb::ID> + 's {
        self.faces.iter().copied().filter(move |&id| {
            self.database.face(id).is_some_and(|face| {
                face.families
                    .iter()
                    .any(|(family, _)| family.eq_ignore_ascii_case(name))
            })
        })
    }

    /// Whether face `id` has a glyph for every character of `text` but whitespace.
    fn covers(&self, id: fontdb::ID, text: &str) -> bool {
        let covers = |data: &[u8], index| {
            let Ok(font) = skrifa::FontRef::from_index(data, index) else {
                return false;
            };
            let charmap = skrifa::charmap::Charmap::new(&font);
            text.chars()
                .filter(|c| !c.is_whitespace())
                .all(|c| charmap.map(c).is_some())
        };
        let drawn = self.lock().get(&id).cloned();
        let covered = match drawn {
            Some(Drawn::Read(database, id)) => database.with_face_data(id, covers),
            _ => self.database.with_face_data(id, covers),
        };
        covered.unwrap_or(false)
    }

    /// The database to draw a cover with face `id` and its id there: all
    /// faces, or once it has drawn [`READ_AFTER`] covers, the face alone
    /// read into memory (`None` when its file cannot be read any more).
    fn draw_with(&self, id: fontdb::ID) -> Option<(Arc<fontdb::Database>, fontdb::ID)> {
        // Held while a font is read, so that it is read once.
        let mut drawn = self.lock();
        let covers = match drawn.get(&id) {
            Some(Drawn::Read(database, own_id)) => return Some((Arc::clone(database), *own_id)),
            Some(Drawn::Covers(covers)) => *covers,
            None => 0,
        };
        if covers < READ_AFTER {
            drawn.insert(id, Drawn::Covers(covers + 1));
            return Some((Arc::clone(&self.database), id));
        }
        let mut face = self.database.face(id)?.clone();
        if let fontdb::Source::File(path) = &face.source {
            let data: Arc<dyn AsRef<[u8]> + Send + Sync> = Arc::new(std::fs::read(path).ok()?);
            face.source = fontdb::Source::Binary(data);
        }
        let mut database = fontdb::Database::new();
        let own_id = database.push_face_info(face);
        let database = Arc::new(database);
        drawn.insert(id, Drawn::Read(Arc::clone(&database), own_id));
        Some((database, own_id))
    }

    /// What faces have drawn (a panic elsewhere while holding it leaves it
    /// as it was: usable).
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<fontdb::ID, Drawn>> {
        self.drawn
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// The bytes of the system font file whose face would draw `text` for a
/// book in `lang`, if any (for tests that need a font file).
#[cfg(test)]
pub(crate) fn font_file_covering(text: &str, lang: &str) -> Option<Vec<u8>> {
    let fonts = Fonts::system();
    let (database, id) = fonts.covering(text, lang)?;
    database.with_face_data(id, |data, _| data.to_vec())
}

/// The families tried first for a book in `lang`: Noto and Source Han
/// serif, then sans-serif, of the book's own region first.
fn preferred_families(lang: &str) -> Vec<String> {
    let regions: &[&str] = match Locale::of(lang) {
        Locale::TraditionalChinese => &["TC", "HK", "SC", "JP", "KR"],
        Locale::Japanese => &["JP", "SC", "TC", "KR"],
        _ if lang.split('-').next() == Some("ko") => &["KR", "SC", "TC", "JP"],
        _ => &["SC", "TC", "JP", "KR"],
    };
    let mut families = Vec::new();
    for region in regions {
        for family in [
            "Noto Serif CJK",
            "Source Han Serif",
            "Noto Serif",
            "Noto Sans CJK",
            "Source Han Sans",
            "Noto Sans",
        ] {
            families.push(format!("{family} {region}"));
        }
    }
    families
}

/// The PNG of the cover `svg`, whose characters are `text`, drawn with the
/// first of `fonts` that has them all for a book in `lang`.
pub fn png(svg: &str, text: &str, lang: &str, fonts: &Fonts) -> Result<Vec<u8>, Unavailable> {
    let (database, face) = fonts.covering(text, lang).ok_or(Unavailable::NoFont)?;
    let render_error = |message: String| Unavailable::Render(message);
    let options = usvg::Options {
        fontdb: database,
        // Every text of the cover in the one face that has all its
        // characters, whatever family the SVG asks for.
        font_resolver: usvg::FontResolver {
            select_font: Box::new(move |_, _| Some(face)),
            select_fallback: Box::new(|_, _, _| None),
        },
        ..usvg::Options::default()
    };
    let tree = usvg::Tree::from_str(svg, &options).map_err(|e| render_error(e.to_string()))?;
    let mut pixmap = tiny_skia::Pixmap::new(WIDTH, HEIGHT)
        .ok_or_else(|| render_error(format!("cannot make a {WIDTH}×{HEIGHT} canvas")))?;
    let scale = WIDTH as f32 / tree.size().width();
    resvg::render(
        &tree,
        tiny_skia::Transform::from_scale(scale, scale),
        &mut pixmap.as_mut(),
    );
    encode(&pixmap).map_err(|e| render_error(e.to_string()))
}

/// `pixmap` as a PNG: indexed when it has at most 256 colours (the cover's
/// three and the shades anti-aliasing mixes of them: a third of the size
/// of RGB, and as quick), else RGB; opaque either way, as the cover is.
/// Compressed by the fast deflate made for PNG: flat colour compresses
/// well at once.
fn encode(pixmap: &tiny_skia::Pixmap) -> Result<Vec<u8>, png::EncodingError> {
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, pixmap.width(), pixmap.height());
    encoder.set_depth(png::BitDepth::Eight);
    encoder.set_compression(png::Compression::Fast);
    let data = match indexed(pixmap.data(), pixmap.width() as usize) {
        Some((palette, indices)) => {
            encoder.set_color(png::ColorType::Indexed);
            encoder.set_palette(palette);
            indices
        }
        None => {
            encoder.set_color(png::ColorType::Rgb);
            pixels(pixmap.data()).flat_map(rgb).collect()
        }
    };
    let mut writer = encoder.write_header()?;
    writer.write_image_data(&data)?;
    writer.finish()?;
    Ok(out)
}

/// The palette (RGB triples, in order of first appearance) and the
/// palette index of every pixel of `rgba`, rows `width` pixels long, if it
/// has at most 256 colours.
fn indexed(rgba: &[u8], width: usize) -> Option<(Vec<u8>, Vec<u8>)> {
    let mut colours: Vec<[u8; 4]> = Vec::new();
    let mut indices: Vec<u8> = Vec::with_capacity(rgba.len() / 4);
    let mut last: Option<([u8; 4], u8)> = None;
    let mut row_above = None;
    for row in rgba.chunks_exact(width * 4) {
        // Most rows are the row above again (plain paper, the frame's
        // sides): compared whole, which is much quicker than pixel by pixel.
        if row_above == Some(row) {
            indices.extend_from_within(indices.len() - width..);
            continue;
        }
        row_above = Some(row);
        for pixel in pixels(row) {
            // Runs of one colour are the rule: only a change is looked up.
            let index = match last {
                Some((colour, index)) if colour == pixel => index,
                _ => {
                    let index = match colours.iter().position(|&colour| colour == pixel) {
                        Some(index) => index,
                        None => {
                            colours.push(pixel);
                            colours.len() - 1
                        }
                    };
                    let index = u8::try_from(index).ok()?;
                    last = Some((pixel, index));
                    index
                }
            };
            indices.push(index);
        }
    }
    Some((colours.into_iter().flat_map(rgb).collect(), indices))
}

/// The RGBA pixels of `data`.
fn pixels(data: &[u8]) -> impl Iterator<Item = [u8; 4]> + '_ {
    data.chunks_exact(4)
        .map(|pixel| [pixel[0], pixel[1], pixel[2], pixel[3]])
}

/// The colour of an opaque pixel.
fn rgb([red, green, blue, _]: [u8; 4]) -> [u8; 3] {
    [red, green, blue]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn without_a_font_there_is_no_raster() {
        let svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"8\" height=\"8\"/>";
        assert_eq!(
            png(svg, "书", "zh-Hans", &Fonts::none()),
            Err(Unavailable::NoFont)
        );
        assert!(Fonts::none().is_empty());
        assert!(Fonts::from_shared(Arc::new(b"not a font".to_vec())).is_empty());
    }

    #[test]
    fn families_of_the_books_region_come_first() {
        assert_eq!(preferred_families("zh-Hans")[0], "Noto Serif CJK SC");
        assert_eq!(preferred_families("zh-TW")[0], "Noto Serif CJK TC");
        assert_eq!(preferred_families("ja")[0], "Noto Serif CJK JP");
        assert_eq!(preferred_families("ko")[0], "Noto Serif CJK KR");
        assert_eq!(preferred_families("en")[3], "Noto Sans CJK SC");
    }

    #[test]
    fn few_colours_are_indexed_and_many_are_not() {
        let (a, b) = ([1, 2, 3, 255], [4, 5, 6, 255]);
        // Two rows, the second the first again.
        let rgba = [a, b, b, a, b, b].concat();
        let (palette, indices) = indexed(&rgba, 3).unwrap();
        assert_eq!(palette, [1, 2, 3, 4, 5, 6]);
        assert_eq!(indices, [0, 1, 1, 0, 1, 1]);
        let many: Vec<u8> = (0..=256u32)
            .flat_map(|i| [i as u8, (i >> 8) as u8, 0, 255])
            .collect();
        assert_eq!(indexed(&many, 257), None);
    }

    #[test]
    fn a_face_draws_the_same_cover_from_its_mapped_file_and_from_memory() {
        let mut database = fontdb::Database::new();
        database.load_system_fonts();
        let fonts = Fonts::new(database);
        let svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"1600\" height=\"2560\">\
                   <rect width=\"1600\" height=\"2560\" fill=\"white\"/>\
                   <text x=\"800\" y=\"900\" font-size=\"300\">骨直︒</text></svg>";
        let Some((_, id)) = fonts.covering("骨直︒", "zh-Hans") else {
            let required = std::env::var("WENJI_REQUIRE_CJK_FONT");
            assert_ne!(required.as_deref(), Ok("1"), "no CJK font found");
            return;
        };
        let covers: Vec<Vec<u8>> = (0..READ_AFTER + 2)
            .map(|_| png(svg, "骨直︒", "zh-Hans", &fonts).unwrap())
            .collect();
        assert!(matches!(fonts.lock().get(&id), Some(Drawn::Read(..))));
        assert!(covers.iter().all(|cover| *cover == covers[0]));
        // The text was drawn: black on the white paper.
        let (pixels, _, _) = decode(&covers[0]);
        assert!(pixels.chunks_exact(3).any(|pixel| pixel == [0, 0, 0]));
    }

    /// The RGB pixels of PNG `bytes`, palette expanded, and its size.
    fn decode(bytes: &[u8]) -> (Vec<u8>, u32, u32) {
        let mut decoder = png::Decoder::new(std::io::Cursor::new(bytes));
        decoder.set_transformations(png::Transformations::EXPAND);
        let mut reader = decoder.read_info().unwrap();
        let mut pixels = vec![0; reader.output_buffer_size().unwrap()];
        let frame = reader.next_frame(&mut pixels).unwrap();
        assert_eq!(frame.color_type, png::ColorType::Rgb);
        pixels.truncate(frame.buffer_size());
        (pixels, frame.width, frame.height)
    }

    #[test]
    fn encoding_keeps_every_pixel_indexed_or_not() {
        let mut pixmap = tiny_skia::Pixmap::new(40, 30).unwrap();
        pixmap.fill(tiny_skia::Color::from_rgba8(244, 239, 230, 255));
        let mut paint = tiny_skia::Paint::default();
        paint.set_color_rgba8(43, 33, 24, 255);
        paint.anti_alias = true;
        let circle = tiny_skia::PathBuilder::from_circle(20.0, 15.0, 9.5).unwrap();
        let fill = tiny_skia::FillRule::Winding;
        let none = tiny_skia::Transform::identity();
        pixmap.fill_path(&circle, &paint, fill, none, None);
        let expected: Vec<u8> = pixels(pixmap.data()).flat_map(rgb).collect();
        let png = encode(&pixmap).unwrap();
        assert_eq!(decode(&png), (expected, 40, 30));
        assert_eq!(png[25], 3, "indexed colour");
        // A gradient of more than 256 colours is RGB.
        let mut many = tiny_skia::Pixmap::new(300, 2).unwrap();
        for (i, pixel) in many.data_mut().chunks_exact_mut(4).enumerate() {
            pixel.copy_from_slice(&[(i % 256) as u8, (i / 256) as u8, 9, 255]);
        }
        let expected: Vec<u8> = pixels(many.data()).flat_map(rgb).collect();
        let png = encode(&many).unwrap();
        assert_eq!(png[25], 2, "RGB colour");
        assert_eq!(decode(&png), (expected, 300, 2));
    }
}
