//! Stage 1: bytes to text. Detects the encoding (BOM, ISO-2022-JP by its
//! escape sequences, UTF-8, else chardetng limited to the CJK legacy
//! encodings), decodes strictly so that a bad byte
//! is an error naming its line rather than a silent U+FFFD, normalises line
//! endings and strips the characters XML 1.0 forbids. A forced or --lossy
//! reading is checked against the other encodings the bytes could be in, so
//! that a wrong one cannot hide a paid marker (issue 9).

use std::path::Path;

use encoding_rs::{
    BIG5, EUC_JP, EUC_KR, Encoding, GB18030, GBK, ISO_2022_JP, SHIFT_JIS, UTF_8, UTF_16BE, UTF_16LE,
};

mod crosscheck;

use crate::error::{Error, Result, Warning};
use crate::paid;
use crosscheck::{
    check_byte_order, check_no_hidden_marker, check_repaired_lines, utf16_line_breaks,
};

/// How much of a file chardetng looks at; enough to be sure, cheap on huge files.
const SNIFF_LIMIT: usize = 1 << 20;

/// How to read essays: a forced encoding, and whether bad bytes may be replaced.
#[derive(Debug, Clone, Copy, Default)]
pub struct Reading {
    /// Encoding forced on every essay; `None` detects it.
    pub encoding: Option<&'static Encoding>,
    /// Replace bytes that do not decode with U+FFFD (and warn) instead of failing.
    pub lossy: bool,
}

/// An essay's text after decoding.
#[derive(Debug)]
pub struct Decoded {
    /// The text, with `\n` line endings and no XML-forbidden characters.
    pub text: String,
    /// The encoding the bytes were read in.
    pub encoding: &'static Encoding,
    /// Things that were repaired on the way.
    pub warnings: Vec<Warning>,
}

/// Looks up an encoding by its WHATWG label (`gb18030`, `big5`, `utf-16le`, …).
pub fn encoding_for_label(label: &str) -> Result<&'static Encoding> {
    Encoding::for_label(label.trim().as_bytes())
        .ok_or_else(|| Error::UnknownEncoding(label.to_string()))
}

/// Decodes the bytes of the essay at `path` as `reading` says, taking them
/// over: valid UTF-8 without a byte-order mark (the common case) becomes the
/// text without a copy, so a huge essay is held once, not twice.
pub fn decode_owned(path: &Path, bytes: Vec<u8>, reading: Reading) -> Result<Decoded> {
    // ISO-2022-JP is valid UTF-8 too: its escape byte sends it to detection.
    let plain_utf8 = reading.encoding.is_none()
        && !reading.lossy
        && Encoding::for_bom(&bytes).is_none()
        && !bytes.contains(&0)
        && !bytes.contains(&ESCAPE);
    if !plain_utf8 {
        return decode(path, &bytes, reading);
    }
    match String::from_utf8(bytes) {
        Ok(raw) => {
            let mut warnings = Vec::new();
            let text = clean(path, raw, &mut warnings);
            Ok(Decoded {
                text,
                encoding: UTF_8,
                warnings,
            })
        }
        Err(not_utf8) => decode(path, not_utf8.as_bytes(), reading),
    }
}

/// Decodes the bytes of the essay at `path` as `reading` says.
pub fn decode(path: &Path, bytes: &[u8], reading: Reading) -> Result<Decoded> {
    let bom = Encoding::for_bom(bytes);
    let (encoding, body) = match (reading.encoding, bom) {
        // A forced encoding overrides a BOM, whose bytes are then dropped.
        (Some(encoding), Some((_, bom_len))) => (encoding, &bytes[bom_len..]),
        (Some(encoding), None) => (encoding, bytes),
        (None, Some((encoding, bom_len))) => {
            let body = &bytes[bom_len..];
            check_bom(path, encoding, body)?;
            (encoding, body)
        }
        (None, None) => (detect(path, bytes, reading.lossy)?, bytes),
    };
    check_byte_order(path, encoding, body)?;
    let (raw, repaired) = if reading.lossy {
        let (text, had_errors) = encoding.decode_without_bom_handling(body);
        (text.into_owned(), had_errors)
    } else {
        let text = decode_strict(encoding, body).map_err(|line| Error::Decode {
            path: path.to_path_buf(),
            line,
            encoding: encoding.name(),
        })?;
        (text, false)
    };
    // A forced encoding is not checked by detection, and --lossy repairs
    // whatever does not decode: either can read the file in the wrong
    // encoding and hide its paid markers. So can escape sequences: a
    // marker in full-width letters behind `ESC $ B` is plain ASCII pairs
    // to any other encoding, and a line of ISO-2022-JP pasted into a UTF-8
    // file is not ISO-2022-JP to detection.
    if reading.encoding.is_some() || reading.lossy || body.contains(&ESCAPE) {
        check_no_hidden_marker(path, encoding, body, &raw)?;
    }
    let mut warnings = Vec::new();
    if repaired {
        check_repaired_lines(path, encoding, body, &raw, &mut warnings)?;
    }
    // A wrong encoding can hide the paid markers (UTF-16 read from UTF-8 bytes
    // turns them into CJK characters): if the bytes show a marker the text
    // does not, the preview could leak, so refuse.
    if paid::has_marker_bytes(body) && !paid::has_marker(&raw) {
        return Err(Error::WrongEncoding {
            path: path.to_path_buf(),
            encoding: encoding.name(),
        });
    }
    let text = clean(path, raw, &mut warnings);
    Ok(Decoded {
        text,
        encoding,
        warnings,
    })
}

/// Refuses a byte-order mark the bytes after it contradict: UTF-16 text
/// has a zero byte in every ASCII character, line breaks included, and
/// UTF-8 text must be valid UTF-8.
fn check_bom(path: &Path, encoding: &'static Encoding, body: &[u8]) -> Result<()> {
    let contradiction = if encoding == UTF_8 {
        std::str::from_utf8(body).is_err()
    } else {
        body.contains(&b'\n') && !body.contains(&0)
    };
    if contradiction {
        return Err(Error::BomMismatch {
            path: path.to_path_buf(),
            encoding: encoding.name(),
        });
    }
    Ok(())
}

/// The encoding of bytes without a BOM: UTF-16 when its zero bytes say so,
/// UTF-8 when valid (or broken but `lossy`), else chardetng's guess among
/// the CJK encodings. Zero bytes that are not UTF-16 are binary data,
/// unless control bytes are as rare as a stray one in a text, which
/// [`clean`] removes with a warning.
fn detect(path: &Path, bytes: &[u8], lossy: bool) -> Result<&'static Encoding> {
    if bytes.contains(&0) {
        if let Some(encoding) = utf16_without_bom(bytes) {
            return Ok(encoding);
        }
        if !has_few_control_bytes(bytes) {
            return Err(Error::Binary {
                path: path.to_path_buf(),
            });
        }
    }
    if let Some(line) = broken_utf8_line(bytes) {
        if lossy {
            return Ok(UTF_8);
        }
        return Err(Error::Decode {
            path: path.to_path_buf(),
            line,
            encoding: UTF_8.name(),
        });
    }
    Ok(guess_legacy(bytes))
}

/// Whether control bytes other than tab, line breaks and form feed are at
/// most one in 64 bytes (and one in any file): text with a stray NUL, not
/// images or archives, whose compressed data is full of them.
fn has_few_control_bytes(bytes: &[u8]) -> bool {
    let controls = bytes
        .iter()
        .filter(|&&b| matches!(b, 0..=8 | 0x0b | 0x0e..=0x1f))
        .count();
    controls <= 1 + bytes.len() / 64
}

/// UTF-16LE or BE text without a BOM: the byte order with more line breaks
/// (see [`check_byte_order`]), whose whole decodes into lines of text (no
/// controls but tab and line breaks), when the bytes are not UTF-8 text
/// with stray zeros. Binary data fails one of these. Zero bytes may stand
/// on both sides of the code units: 一 is U+4E00.
fn utf16_without_bom(bytes: &[u8]) -> Option<&'static Encoding> {
    if !bytes.len().is_multiple_of(2) {
        return None;
    }
    let le_breaks = utf16_line_breaks(UTF_16LE, bytes);
    let be_breaks = utf16_line_breaks(UTF_16BE, bytes);
    let encoding = match le_breaks.cmp(&be_breaks) {
        std::cmp::Ordering::Greater => UTF_16LE,
        std::cmp::Ordering::Less => UTF_16BE,
        std::cmp::Ordering::Equal => return None,
    };
    // UTF-8 with stray zero bytes: without them it reads as UTF-8 text, and
    // they are too few for UTF-16, where every ASCII character has one.
    let without_zeros: Vec<u8> = bytes.iter().copied().filter(|&b| b != 0).collect();
    let zeros = bytes.len() - without_zeros.len();
    let utf8_with_zeros = std::str::from_utf8(&without_zeros)
        .is_ok_and(|t| zeros * 3 < bytes.len() || t.chars().any(|c| c.len_utf8() > 1));
    if utf8_with_zeros {
        return None;
    }
    let text = decode_strict(encoding, bytes).ok()?;
    let is_text = !text
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\t' | '\n' | '\r'));
    is_text.then_some(encoding)
}

/// The line of the first bad byte when the bytes are UTF-8 text with an
/// error in it: multi-byte UTF-8 before the error shows the file is UTF-8,
/// and trying legacy encodings would only turn it into mojibake.
fn broken_utf8_line(bytes: &[u8]) -> Option<usize> {
    let error = std::str::from_utf8(bytes).err()?;
    let valid = &bytes[..error.valid_up_to()];
    let multibyte = valid.iter().filter(|&&b| b >= 0xc0).count();
    (multibyte >= 2).then(|| line_count(std::str::from_utf8(valid).unwrap_or_default()))
}

/// The escape byte that starts ISO-2022-JP's designations.
const ESCAPE: u8 = 0x1b;

/// The escape sequences encoding_rs's ISO-2022-JP decoder switches on:
/// JIS X 0208 (`ESC $ B`, and its 1978 edition `ESC $ @`), ASCII
/// (`ESC ( B`), JIS X 0201 Roman (`ESC ( J`) and its katakana (`ESC ( I`).
const ISO_2022_JP_ESCAPES: [&[u8]; 5] = [b"\x1b$B", b"\x1b$@", b"\x1b(B", b"\x1b(J", b"\x1b(I"];

/// ISO-2022-JP when the bytes are 7-bit and hold one of its escape
/// sequences; else UTF-8 when they are valid UTF-8; else chardetng's guess
/// when it is one of the CJK encodings the project promises; else
/// Shift_JIS when the bytes read as Japanese with kana in it (see
/// [`shift_jis_with_kana`]); else GB18030 (the most common legacy encoding
/// of the essays wenji is made for).
fn guess_legacy(bytes: &[u8]) -> &'static Encoding {
    if is_iso_2022_jp(bytes) {
        return ISO_2022_JP;
    }
    if std::str::from_utf8(bytes).is_ok() {
        return UTF_8;
    }
    let sample = &bytes[..bytes.len().min(SNIFF_LIMIT)];
    let guess = chardetng_guess(sample, sample.len() == bytes.len(), None);
    if [GBK, GB18030, BIG5, SHIFT_JIS, EUC_JP, EUC_KR].contains(&guess) {
        // encoding_rs decodes GBK with the full GB18030 decoder; name it so.
        return if guess == GBK { GB18030 } else { guess };
    }
    shift_jis_with_kana(sample, sample.len() == bytes.len()).unwrap_or(GB18030)
}

/// Whether `bytes` are ISO-2022-JP: 7-bit, with at least one of the escape
/// sequences it switches character sets with. Other 7-bit text (escape
/// codes of terminal colours included) is left to UTF-8.
fn is_iso_2022_jp(bytes: &[u8]) -> bool {
    bytes.is_ascii()
        && bytes
            .windows(3)
            .any(|window| ISO_2022_JP_ESCAPES.contains(&window))
}

/// chardetng's guess for `sample` (the whole file when `complete`), with
/// an optional top-level domain as a hint of the language.
fn chardetng_guess(sample: &[u8], complete: bool, tld: Option<&[u8]>) -> &'static Encoding {
    let mut detector = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
    detector.feed(sample, complete);
    detector.guess(tld, chardetng::Utf8Detection::Deny)
}

/// Shift_JIS for a short Japanese file chardetng took for a single-byte
/// encoding (a few lines of a title, an author and mostly kanji can look
/// like Cyrillic to it): when the bytes read as Shift_JIS without an error
/// and with kana, chardetng is asked again with Japan's domain as a hint.
/// Kana in Shift_JIS need a lead byte of 0x82 or 0x83, which Big5 never
/// has and GBK only in rare characters, so Chinese text does not pass; an
/// EUC-JP reading would not do, since Big5's most common characters (一,
/// 中, …) are EUC-JP's hiragana. `None` when there is no kana or the hint
/// does not make chardetng say Shift_JIS.
fn shift_jis_with_kana(sample: &[u8], complete: bool) -> Option<&'static Encoding> {
    let mut decoder = SHIFT_JIS.new_decoder_without_bom_handling();
    let mut text =
        String::with_capacity(decoder.max_utf8_buffer_length_without_replacement(sample.len())?);
    // A sample cut from a longer file may end inside a character: that is
    // not an error unless the sample is the whole file.
    let (result, _) = decoder.decode_to_string_without_replacement(sample, &mut text, complete);
    if result != encoding_rs::DecoderResult::InputEmpty || !text.chars().any(is_kana) {
        return None;
    }
    let guess = chardetng_guess(sample, complete, Some(b"jp"));
    (guess == SHIFT_JIS).then_some(guess)
}

/// Hiragana and full-width katakana (the half-width ones are what
/// Chinese double-byte text turns into when read as Shift_JIS).
fn is_kana(c: char) -> bool {
    matches!(c, '\u{3041}'..='\u{309f}' | '\u{30a0}'..='\u{30ff}')
}

/// Decodes without replacement; on malformed input returns the 1-based line.
fn decode_strict(encoding: &'static Encoding, bytes: &[u8]) -> std::result::Result<String, usize> {
    decode_allowing(encoding, bytes, strictly).map_err(|decoded| line_count(&decoded))
}

/// How much input the decoder is given at a time: encoding_rs may scan all
/// the input it is given on every call, and a call ends at each bad byte.
const DECODE_CHUNK: usize = 1 << 16;

/// Decodes `bytes`, replacing bad ones with U+FFFD as long as there are at
/// most `allowed_errors(bytes read so far)` of them; past that, stops and
/// returns what was decoded before the error too many.
pub(super) fn decode_allowing(
    encoding: &'static Encoding,
    bytes: &[u8],
    allowed_errors: fn(usize) -> usize,
) -> std::result::Result<String, String> {
    let mut decoder = encoding.new_decoder_without_bom_handling();
    // Room for the first chunk; the string grows (doubling) as needed.
    let first_chunk = bytes.len().min(DECODE_CHUNK);
    let capacity = decoder
        .max_utf8_buffer_length_without_replacement(first_chunk)
        .unwrap_or(first_chunk.saturating_mul(3));
    let mut out = String::with_capacity(capacity);
    let mut errors = 0;
    let mut read_so_far = 0;
    for chunk in bytes.chunks(DECODE_CHUNK) {
        let last = read_so_far + chunk.len() == bytes.len();
        let mut rest = chunk;
        loop {
            let (result, read) = decoder.decode_to_string_without_replacement(rest, &mut out, last);
            rest = &rest[read..];
            read_so_far += read;
            match result {
                encoding_rs::DecoderResult::InputEmpty => break,
                encoding_rs::DecoderResult::OutputFull => out.reserve(rest.len() * 3 + 16),
                encoding_rs::DecoderResult::Malformed(_, _) => {
                    errors += 1;
                    if errors > allowed_errors(read_so_far) {
                        return Err(out);
                    }
                    out.push('\u{fffd}');
                }
            }
        }
    }
    Ok(out)
}

/// No bad byte at all.
fn strictly(_read: usize) -> usize {
    0
}

/// The 1-based number of the line that `text` ends on (LF, CRLF or CR endings).
fn line_count(text: &str) -> usize {
    let bytes = text.as_bytes();
    let breaks = bytes
        .iter()
        .enumerate()
        .filter(|&(i, &b)| b == b'\n' || (b == b'\r' && bytes.get(i + 1) != Some(&b'\n')))
        .count();
    breaks + 1
}

/// Normalises CRLF and CR to LF and drops characters XML 1.0 forbids, with
/// one warning naming the first line where that happened.
fn clean(path: &Path, raw: String, warnings: &mut Vec<Warning>) -> String {
    let needs_work = raw
        .chars()
        .any(|c| c == '\r' || is_xml_forbidden(c) || c == '\u{feff}');
    if !needs_work {
        return raw;
    }
    let mut text = String::with_capacity(raw.len());
    let mut stripped = 0usize;
    let mut first_line = None;
    let mut line = 1usize;
    let mut chars = raw.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\r' => {
                if chars.peek() == Some(&'\n') {
                    chars.next();
                }
                text.push('\n');
                line += 1;
            }
            '\n' => {
                text.push('\n');
                line += 1;
            }
            // A stray BOM inside the text is invisible and harmless: drop it quietly.
            '\u{feff}' => {}
            c if is_xml_forbidden(c) => {
                stripped += 1;
                first_line.get_or_insert(line);
            }
            c => text.push(c),
        }
    }
    if stripped > 0 {
        warnings.push(Warning::new(
            path,
            first_line,
            format!("removed {stripped} control character(s) that e-books cannot hold"),
        ));
    }
    text
}

/// Characters outside XML 1.0's `Char` production (surrogates cannot occur in `str`).
fn is_xml_forbidden(c: char) -> bool {
    matches!(c, '\u{0}'..='\u{8}' | '\u{b}' | '\u{c}' | '\u{e}'..='\u{1f}' | '\u{fffe}' | '\u{ffff}')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p() -> &'static Path {
        Path::new("essay.txt")
    }

    fn forced(encoding: &'static Encoding) -> Reading {
        Reading {
            encoding: Some(encoding),
            lossy: false,
        }
    }

    fn utf16(text: &str, little_endian: bool) -> Vec<u8> {
        text.encode_utf16()
            .flat_map(|unit| {
                if little_endian {
                    unit.to_le_bytes()
                } else {
                    unit.to_be_bytes()
                }
            })
            .collect()
    }

    #[test]
    fn utf16_without_bom_is_recognised() {
        // 一 (U+4E00) puts a zero byte on the other side of its code unit
        // from the zeros of ASCII characters.
        for text in ["标题 Title\n正文，第二行。\n", "一二三\n统一的一行。\n一\n"]
        {
            for little_endian in [true, false] {
                let decoded = decode(p(), &utf16(text, little_endian), Reading::default()).unwrap();
                assert_eq!(decoded.text, text);
                assert_eq!(
                    decoded.encoding.name(),
                    ["UTF-16BE", "UTF-16LE"][little_endian as usize]
                );
            }
        }
        // Zero bytes on both sides of the code units and no line break in
        // either byte order: binary, not text.
        let err = decode(p(), b"ab\0\0c\nd\0", Reading::default()).unwrap_err();
        assert!(matches!(err, Error::Binary { .. }), "{err}");
    }

    #[test]
    fn a_stray_nul_in_utf8_is_removed_with_a_warning() {
        for (bytes, text) in [
            ("标题\n正文\n\0\n", "标题\n正文\n\n"),
            ("Tea\nfree text\n\0\n", "Tea\nfree text\n\n"),
            ("ab\n\0", "ab\n"),
            ("题目\n一段\0正文。\n", "题目\n一段正文。\n"),
        ] {
            let decoded = decode(p(), bytes.as_bytes(), Reading::default()).unwrap();
            assert_eq!(decoded.encoding, UTF_8, "{bytes:?}");
            assert_eq!(decoded.text, text);
            assert_eq!(decoded.warnings.len(), 1, "{bytes:?}");
            assert!(decoded.warnings[0].message.contains("control character"));
        }
    }

    #[test]
    fn a_bom_the_content_contradicts_is_an_error() {
        let mut utf16_bom_utf8_body = vec![0xff, 0xfe];
        utf16_bom_utf8_body.extend_from_slice("标题\n正文\n".as_bytes());
        let mut utf8_bom_gb_body = b"\xef\xbb\xbf".to_vec();
        utf8_bom_gb_body.extend_from_slice(&GB18030.encode("标题\n正文\n").0);
        for bytes in [utf16_bom_utf8_body, utf8_bom_gb_body.clone()] {
            let err = decode(p(), &bytes, Reading::default()).unwrap_err();
            assert!(matches!(err, Error::BomMismatch { .. }), "{err}");
            assert!(err.to_string().contains("--encoding"), "{err}");
        }
        // Naming the real encoding overrides the BOM, whose bytes are dropped.
        let decoded = decode(p(), &utf8_bom_gb_body, forced(GB18030)).unwrap();
        assert_eq!(decoded.text, "标题\n正文\n");
    }

    #[test]
    fn lossy_replaces_bad_bytes_with_a_warning_but_never_near_a_marker() {
        let mut bytes = "标题\n好的一行\n".as_bytes().to_vec();
        bytes.extend_from_slice(b"bad \xff byte\n");
        let lossy = Reading {
            encoding: None,
            lossy: true,
        };
        let decoded = decode(p(), &bytes, lossy).unwrap();
        assert_eq!(decoded.text, "标题\n好的一行\nbad \u{fffd} byte\n");
        assert_eq!(decoded.warnings[0].line, Some(3));
        assert!(decoded.warnings[0].message.contains("--lossy"));

        let mut marker = "标题\n好的一行\n".as_bytes().to_vec();
        marker.extend_from_slice(b"##paid\xffbegin##secret\n");
        let err = decode(p(), &marker, lossy).unwrap_err();
        assert!(matches!(err, Error::LossyMarker { line: 3, .. }), "{err}");
    }

    #[test]
    fn utf8_with_and_without_bom() {
        let plain = decode(p(), "标题\n正文".as_bytes(), Reading::default()).unwrap();
        assert_eq!(plain.text, "标题\n正文");
        let bom = decode(p(), b"\xef\xbb\xbf\xe6\xa0\x87", Reading::default()).unwrap();
        assert_eq!(bom.text, "标");
    }

    #[test]
    fn gb18030_and_big5_are_detected() {
        let text = "国家安全是民族复兴的根基，社会稳定是国家强盛的前提。我们要坚持人民至上。\n第二段文字在这里。";
        let (gb, _, _) = GB18030.encode(text);
        let decoded = decode(p(), &gb, Reading::default()).unwrap();
        assert_eq!(decoded.encoding, GB18030);
        assert_eq!(decoded.text, text);

        let trad = "國家安全是民族復興的根基，社會穩定是國家強盛的前提。我們要堅持人民至上。\n這是第二段。";
        let (b5, _, _) = BIG5.encode(trad);
        let decoded = decode(p(), &b5, Reading::default()).unwrap();
        assert_eq!(decoded.encoding, BIG5);
        assert_eq!(decoded.text, trad);
    }

    /// ① ㈱ № (NEC row 13), ≒ (JIS X 0208), 髙 﨑 (IBM extensions) as
    /// Windows writes them (CP932, what `iconv -t CP932` gives).
    const CP932_ONLY: (&[u8], &str) = (
        b"\x87\x40\x87\x8a\x87\x82\x81\xe0\xfb\xfc\xfa\xb1",
        "①㈱№≒髙﨑",
    );

    #[test]
    fn cp932_extensions_are_read_as_shift_jis() {
        // A short Aozora-style file with CRLF: title, author, one line.
        let mut bytes = SHIFT_JIS
            .encode("雨の手紙\r\n佐藤一郎\r\n\r\n　")
            .0
            .into_owned();
        bytes.extend_from_slice(CP932_ONLY.0);
        bytes.extend_from_slice(&SHIFT_JIS.encode("の店に手紙を出した。\r\n").0);
        let decoded = decode(p(), &bytes, Reading::default()).unwrap();
        assert_eq!(decoded.encoding, SHIFT_JIS);
        assert_eq!(
            decoded.text,
            format!(
                "雨の手紙\n佐藤一郎\n\n　{}の店に手紙を出した。\n",
                CP932_ONLY.1
            )
        );
        // The IBM extensions NEC chose (rows 89 to 92) read the same.
        let nec_selected = decode(p(), b"\xee\xe0\xed\x95", forced(SHIFT_JIS)).unwrap();
        assert_eq!(nec_selected.text, "髙﨑");
    }

    #[test]
    fn short_japanese_files_are_shift_jis_or_euc_jp() {
        // Three to five lines with CRLF. chardetng alone takes this one for
        // windows-1251 (and wenji read it as GB18030 mojibake): 髙 is EE E0,
        // where NEC's tools (and Python's cp932) put it.
        let mut nec = SHIFT_JIS.encode("一\r\n鈴木\r\n\r\n　").0.into_owned();
        nec.extend_from_slice(b"\xee\xe0");
        nec.extend_from_slice(&SHIFT_JIS.encode("橋①番\r\n　おわり。\r\n").0);
        let decoded = decode(p(), &nec, Reading::default()).unwrap();
        assert_eq!(decoded.encoding, SHIFT_JIS);
        assert_eq!(decoded.text, "一\n鈴木\n\n　髙橋①番\n　おわり。\n");
        let texts = [
            "一\r\n鈴木\r\n\r\n　髙橋①番\r\n　おわり。\r\n",
            "春の雨\r\n田中太郎\r\n　朝から雨が降っている。\r\n",
            "大学図書館\r\n中村\r\n　図書館閲覧室利用者多数。\r\n",
            "山道\r\n吉田四郎\r\n\r\n　山道を歩いて峠を越えた先に、小さな村があった。\r\n",
        ];
        for text in texts {
            for encoding in [SHIFT_JIS, EUC_JP] {
                let (bytes, _, unmappable) = encoding.encode(text);
                if unmappable {
                    continue;
                }
                let decoded = decode(p(), &bytes, Reading::default()).unwrap();
                assert_eq!(decoded.encoding, encoding, "{text}");
                assert_eq!(decoded.text, text.replace("\r\n", "\n"));
            }
        }
    }

    #[test]
    fn kana_does_not_turn_short_chinese_into_japanese() {
        // Tiny files chardetng alone takes for a single-byte encoding and,
        // with Japan's domain as a hint, for Shift_JIS (measured). Read as
        // Shift_JIS they have no kana, so the hint is not given.
        let gbk = GB18030.encode("现\r\n料\r\n少重\r\n").0;
        assert_eq!(guess_legacy(&gbk), GB18030);
        let big5 = BIG5.encode("利\r\n我\r\n做\r\n").0;
        assert_ne!(guess_legacy(&big5), SHIFT_JIS);
        // Read as EUC-JP this one has kana (任 is A5 F4 in Big5, ヴ in
        // EUC-JP) and the hint makes it EUC-JP: only Shift_JIS may call
        // for the hint.
        let big5 = BIG5.encode("結\r\n任\r\n應\r\n").0;
        assert!(![SHIFT_JIS, EUC_JP].contains(&guess_legacy(&big5)));
    }

    #[test]
    fn iso_2022_jp_is_detected_by_its_escape_sequences() {
        let text = "冬の駅\n石川健\n\n　小さな駅舎に、最後の列車が着いた。\n";
        let bytes = ISO_2022_JP.encode(text).0;
        assert!(bytes.is_ascii() && bytes.starts_with(b"\x1b$B"));
        let decoded = decode_owned(p(), bytes.to_vec(), Reading::default()).unwrap();
        assert_eq!(decoded.encoding, ISO_2022_JP);
        assert_eq!(decoded.text, text);
        // JIS X 0208 of 1978, JIS X 0201 Roman, and NEC's row 13 (①) as
        // Windows mail (CP50220) writes it behind `ESC $ B`.
        let decoded = decode(p(), b"\x1b$@F|\x1b(J \x1b$B-!\x1b(B\n", Reading::default()).unwrap();
        assert_eq!(decoded.text, "日 ①\n");
        // Terminal colour codes are not ISO-2022-JP; nor is 8-bit text.
        let colours =
            decode_owned(p(), b"red \x1b[31mtext\n".to_vec(), Reading::default()).unwrap();
        assert_eq!(colours.encoding, UTF_8);
        let mut eight_bit = "标题\n".as_bytes().to_vec();
        eight_bit.extend_from_slice(b"\x1b$BF|\x1b(B\n");
        let decoded = decode(p(), &eight_bit, Reading::default()).unwrap();
        assert_eq!(decoded.encoding, UTF_8);
    }

    /// [`WIDE_MARKERS_JAPANESE`] in ISO-2022-JP: the markers are JIS X 0208
    /// pairs (＃ is `!t`, ｐ is `#p`) behind `ESC $ B`.
    fn iso_2022_jp_wide_markers() -> Vec<u8> {
        let bytes = ISO_2022_JP.encode(WIDE_MARKERS_JAPANESE).0.into_owned();
        assert!(!paid::has_marker(&String::from_utf8_lossy(&bytes)));
        bytes
    }

    #[test]
    fn escape_sequences_cannot_hide_a_paid_marker() {
        // Full-width markers in JIS X 0208: ISO-2022-JP shows them.
        let wide = iso_2022_jp_wide_markers();
        let decoded = decode(p(), &wide, Reading::default()).unwrap();
        assert_eq!(decoded.text, WIDE_MARKERS_JAPANESE);
        let decoded = decode(p(), &wide, forced(ISO_2022_JP)).unwrap();
        assert_eq!(decoded.text, WIDE_MARKERS_JAPANESE);
        // Read as UTF-8 they are ASCII pairs: refused.
        let (encoding, reveals) = hidden_marker(&wide, "utf-8", false);
        assert_eq!((encoding, reveals.as_str()), ("UTF-8", "ISO-2022-JP"));
        // A marker split by a switch to JIS X 0201 Roman (or back to
        // ASCII) is still a marker in ISO-2022-JP.
        let split = b"Title\n##paid\x1b(Jbegin##secret\x1b(B##paid\x1b(Bend##\n";
        let decoded = decode(p(), split, Reading::default()).unwrap();
        assert_eq!(decoded.encoding, ISO_2022_JP);
        assert!(decoded.text.contains("##paidbegin##secret##paidend##"));
        // In a UTF-8 file (not 7-bit, so not detected as ISO-2022-JP) a
        // pasted ISO-2022-JP line, or an escape sequence inside a marker,
        // hides it from UTF-8 (which drops the escape byte): refused.
        let mut pasted = "标题\n开头的话大家都能读。\n".as_bytes().to_vec();
        pasted.extend_from_slice(&wide);
        let mut split_in_utf8 = "标题\n开头的话。\n".as_bytes().to_vec();
        split_in_utf8.extend_from_slice(b"##paid\x1b(Bbegin##secret\n");
        for bytes in [pasted, split_in_utf8] {
            let err = decode(p(), &bytes, Reading::default()).unwrap_err();
            assert!(
                matches!(&err, Error::MarkerHiddenByEncoding { encoding: "UTF-8", reveals, .. } if reveals == "ISO-2022-JP"),
                "{err}"
            );
        }
    }

    #[test]
    fn utf16_with_bom() {
        let mut bytes = vec![0xff, 0xfe];
        for unit in "标题\r\n正文".encode_utf16() {
            bytes.extend_from_slice(&unit.to_le_bytes());
        }
        assert_eq!(
            decode(p(), &bytes, Reading::default()).unwrap().text,
            "标题\n正文"
        );
    }

    #[test]
    fn invalid_bytes_name_the_line() {
        let mut bytes = "第一行\n第二行\n".as_bytes().to_vec();
        bytes.extend_from_slice(b"\xff\xff\xff\n");
        let err = decode(p(), &bytes, forced(UTF_8)).unwrap_err();
        assert!(matches!(err, Error::Decode { line: 3, .. }), "{err}");
        assert!(err.to_string().starts_with("essay.txt:3:"));
    }

    #[test]
    fn a_bad_byte_in_utf8_text_is_an_error_on_its_line() {
        let mut bytes = "标题\n正文\n".repeat(20).into_bytes();
        bytes.extend_from_slice(b"\xff\n");
        let err = decode(p(), &bytes, Reading::default()).unwrap_err();
        assert!(
            matches!(
                err,
                Error::Decode {
                    line: 41,
                    encoding: "UTF-8",
                    ..
                }
            ),
            "{err}"
        );
    }

    /// The error of reading `bytes` as `forced` (with `lossy`): the two
    /// encodings it names, or panics when it is not a hidden marker.
    fn hidden_marker(bytes: &[u8], forced: &str, lossy: bool) -> (&'static str, String) {
        let reading = Reading {
            encoding: Some(encoding_for_label(forced).unwrap()),
            lossy,
        };
        match decode(p(), bytes, reading) {
            Err(Error::MarkerHiddenByEncoding {
                encoding, reveals, ..
            }) => (encoding, reveals),
            other => panic!("read as {forced}: {other:?}"),
        }
    }

    /// An essay whose paid sentence sits between full-width markers.
    const WIDE_MARKERS: &str = "一篇短文\n开头的话大家都能读。\n＃＃ｐａｉｄｂｅｇｉｎ＃＃只有付费读者才能读到这一句。＃＃ｐａｉｄｅｎｄ＃＃\n结尾。\n";
    /// The same in traditional characters, which Big5 can hold.
    const WIDE_MARKERS_TRADITIONAL: &str = "一篇短文\n開頭的話大家都能讀。\n＃＃ｐａｉｄｂｅｇｉｎ＃＃只有付費讀者才能讀到這一句。＃＃ｐａｉｄｅｎｄ＃＃\n結尾。\n";

    /// The same in Japanese, for Shift_JIS and EUC-JP.
    const WIDE_MARKERS_JAPANESE: &str = "短い文章\n誰でも読める部分です。\n＃＃ｐａｉｄｂｅｇｉｎ＃＃お金を払った人だけが読める文です。＃＃ｐａｉｄｅｎｄ＃＃\n終わり。\n";
    /// The same in Korean, for EUC-KR.
    const WIDE_MARKERS_KOREAN: &str = "짧은 글\n누구나 읽는 부분.\n＃＃ｐａｉｄｂｅｇｉｎ＃＃돈을 낸 사람만 읽는 문장.＃＃ｐａｉｄｅｎｄ＃＃\n끝.\n";

    #[test]
    fn a_forced_encoding_that_hides_paid_markers_is_refused() {
        let ascii = b"Title\nfree\n##paidbegin##SECRET##paidend##\nend\n";
        let (encoding, reveals) = hidden_marker(ascii, "utf-16le", false);
        assert_eq!(encoding, "UTF-16LE");
        assert!(reveals.starts_with("UTF-8 or gb18030"), "{reveals}");

        let big5 = BIG5.encode(WIDE_MARKERS_TRADITIONAL).0;
        assert_eq!(
            hidden_marker(&big5, "gb18030", false),
            ("gb18030", "Big5".into())
        );
        let sjis = SHIFT_JIS.encode(WIDE_MARKERS_JAPANESE).0;
        assert_eq!(
            hidden_marker(&sjis, "gb18030", false),
            ("gb18030", "Shift_JIS".into())
        );
        assert_eq!(
            hidden_marker(&sjis, "euc-kr", false),
            ("EUC-KR", "Shift_JIS".into())
        );
        let euc_kr = EUC_KR.encode(WIDE_MARKERS_KOREAN).0;
        let (encoding, reveals) = hidden_marker(&euc_kr, "utf-16le", false);
        assert_eq!(
            (encoding, reveals.as_str()),
            ("UTF-16LE", "gb18030 or EUC-KR")
        );

        // --lossy replaces what gb18030 cannot read but keeps the mojibake.
        let utf8 = WIDE_MARKERS.as_bytes();
        assert_eq!(
            hidden_marker(utf8, "gb18030", true),
            ("gb18030", "UTF-8".into())
        );
    }

    #[test]
    fn the_right_forced_encoding_is_not_refused() {
        let plain = "一篇短文\n没有付费的部分，只有普通的句子。\n第二段也很普通。\n";
        let plain_traditional = "一篇短文\n沒有付費的部分，只有普通的句子。\n第二段也很普通。\n";
        let cases = [
            (WIDE_MARKERS, "gb18030", GB18030),
            (plain, "gb18030", GB18030),
            (plain, "gbk", GB18030),
            (WIDE_MARKERS_TRADITIONAL, "big5", BIG5),
            (plain_traditional, "big5", BIG5),
            (WIDE_MARKERS_JAPANESE, "shift_jis", SHIFT_JIS),
            (WIDE_MARKERS_JAPANESE, "euc-jp", EUC_JP),
            (WIDE_MARKERS_KOREAN, "euc-kr", EUC_KR),
            (WIDE_MARKERS_JAPANESE, "iso-2022-jp", ISO_2022_JP),
            (WIDE_MARKERS_JAPANESE, "csiso2022jp", ISO_2022_JP),
        ];
        for (text, label, encoding) in cases {
            let bytes = encoding.encode(text).0;
            let decoded = decode(p(), &bytes, forced(encoding_for_label(label).unwrap()))
                .unwrap_or_else(|e| panic!("{label}: {e}"));
            assert_eq!(decoded.text, text, "{label}");
        }
        for text in [WIDE_MARKERS, plain] {
            let decoded = decode(p(), &utf16(text, true), forced(UTF_16LE)).unwrap();
            assert_eq!(decoded.text, text);
        }
    }

    #[test]
    fn utf16_in_the_wrong_byte_order_is_refused() {
        let text = "一篇短文\n开头的话大家都能读。\n结尾。\n";
        for (little_endian, forced_label, other) in [
            (true, "utf-16be", "UTF-16LE"),
            (false, "utf-16le", "UTF-16BE"),
        ] {
            let mut bytes = utf16(text, little_endian);
            let reading = forced(encoding_for_label(forced_label).unwrap());
            let err = decode(p(), &bytes, reading).unwrap_err();
            assert!(
                matches!(err, Error::ByteOrder { breaks: 0, other_breaks: 3, other: o, .. } if o == other),
                "{err}"
            );
            // A byte-order mark that lies is caught the same way.
            let lying_bom: &[u8] = if little_endian {
                b"\xfe\xff"
            } else {
                b"\xff\xfe"
            };
            bytes.splice(0..0, lying_bom.iter().copied());
            let err = decode(p(), &bytes, Reading::default()).unwrap_err();
            assert!(matches!(err, Error::ByteOrder { .. }), "{err}");
        }
    }

    #[test]
    fn lossy_does_not_take_a_lone_full_width_hash_in_mojibake_for_a_marker() {
        // 中裣 in UTF-8 (E4 B8 AD E8 A3 A3) ends in A3 A3, read as gb18030: ＃.
        let mut bytes = "标题\n这一行有中裣两个字，".as_bytes().to_vec();
        bytes.extend(b"\xff\n");
        assert!(GB18030.decode_without_bom_handling(&bytes).0.contains('＃'));
        let lossy = Reading {
            encoding: None,
            lossy: true,
        };
        let decoded = decode(p(), &bytes, lossy).unwrap();
        assert_eq!(decoded.text, "标题\n这一行有中裣两个字，\u{fffd}\n");
        assert_eq!(decoded.warnings[0].line, Some(2));
    }

    #[test]
    fn lossy_reads_the_bytes_of_a_repaired_line_in_every_encoding() {
        // Big5 bytes read as gb18030: the full-width markers turn into other
        // characters, with no `#` or `paid` left to see in that reading.
        // Bad bytes (invalid in both) keep Big5 from reading the whole file.
        let mut bytes = BIG5.encode("一篇短文\n開頭的話。\n").0.into_owned();
        bytes.extend(b"\xff");
        bytes.extend(
            BIG5.encode("＃＃ｐａｉｄｂｅｇｉｎ＃＃付費的句子。")
                .0
                .iter(),
        );
        bytes.extend(b"\xff\n");
        bytes.extend(BIG5.encode("結尾。").0.iter());
        bytes.extend(b"\xff\xff\xff\xff\xff\n");
        let reading = Reading {
            encoding: Some(GB18030),
            lossy: true,
        };
        let (mojibake, _) = GB18030.decode_without_bom_handling(&bytes);
        let line = mojibake.lines().nth(2).unwrap();
        assert!(!crosscheck::may_hold_marker(line), "{line}");
        let err = decode(p(), &bytes, reading).unwrap_err();
        assert!(matches!(err, Error::LossyMarker { line: 3, .. }), "{err}");
    }

    #[test]
    fn nul_bytes_mean_binary() {
        let err = decode(p(), b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR", Reading::default()).unwrap_err();
        assert!(matches!(err, Error::Binary { .. }));
    }

    #[test]
    fn line_endings_and_control_characters() {
        let decoded = decode(p(), b"a\r\nb\rc\x07d\n", Reading::default()).unwrap();
        assert_eq!(decoded.text, "a\nb\ncd\n");
        assert_eq!(decoded.warnings.len(), 1);
        assert_eq!(decoded.warnings[0].line, Some(3));
    }

    #[test]
    fn forced_encoding_wins() {
        let (gb, _, _) = GB18030.encode("中文");
        let decoded = decode(p(), &gb, forced(encoding_for_label("gbk").unwrap())).unwrap();
        assert_eq!(decoded.text, "中文");
        assert!(encoding_for_label("klingon").is_err());
    }
}
