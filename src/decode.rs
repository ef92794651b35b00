//! Stage 1: bytes to text. Detects the encoding (BOM, UTF-8, else chardetng
//! limited to the CJK legacy encodings), decodes strictly so that a bad byte
//! is an error naming its line rather than a silent U+FFFD, normalises line
//! endings and strips the characters XML 1.0 forbids.

use std::path::Path;

use encoding_rs::{
    BIG5, EUC_JP, EUC_KR, Encoding, GB18030, GBK, SHIFT_JIS, UTF_8, UTF_16BE, UTF_16LE,
};

use crate::error::{Error, Result, Warning};
use crate::paid;

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
    let mut warnings = Vec::new();
    let raw = if reading.lossy {
        decode_lossy(path, encoding, body, &mut warnings)?
    } else {
        decode_strict(encoding, body).map_err(|line| Error::Decode {
            path: path.to_path_buf(),
            line,
            encoding: encoding.name(),
        })?
    };
    // A wrong encoding can hide the paid markers (UTF-16 read from UTF-8 bytes
    // turns them into CJK characters): if the bytes show a marker the text
    // does not, the preview could leak, so refuse.
    if paid::has_marker_bytes(body) && !paid::has_marker(&raw) {
        return Err(Error::WrongEncoding {
            path: path.to_path_buf(),
            encoding: encoding.name(),
        });
    }
    let text = clean(path, &raw, &mut warnings);
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
/// the CJK encodings.
fn detect(path: &Path, bytes: &[u8], lossy: bool) -> Result<&'static Encoding> {
    if bytes.contains(&0) {
        return utf16_without_bom(bytes).ok_or_else(|| Error::Binary {
            path: path.to_path_buf(),
        });
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

/// UTF-16LE or BE text without a BOM: every zero byte on the same side of
/// its code unit, the whole decodes, and the result is lines of text (no
/// controls but tab and line breaks), and the bytes are not UTF-8 text with
/// stray zeros. Binary data fails one of these.
fn utf16_without_bom(bytes: &[u8]) -> Option<&'static Encoding> {
    if !bytes.len().is_multiple_of(2) {
        return None;
    }
    let zeros_at = |parity: usize| {
        bytes
            .iter()
            .enumerate()
            .all(|(i, &b)| b != 0 || i % 2 == parity)
    };
    let encoding = if zeros_at(1) {
        UTF_16LE
    } else if zeros_at(0) {
        UTF_16BE
    } else {
        return None;
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
    (is_text && text.contains('\n')).then_some(encoding)
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

/// UTF-8 when the bytes are valid UTF-8, else chardetng's guess when it is
/// one of the CJK encodings the project promises, else GB18030 (the most
/// common legacy encoding of the essays wenji is made for).
fn guess_legacy(bytes: &[u8]) -> &'static Encoding {
    if std::str::from_utf8(bytes).is_ok() {
        return UTF_8;
    }
    let mut detector = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
    let sample = &bytes[..bytes.len().min(SNIFF_LIMIT)];
    detector.feed(sample, sample.len() == bytes.len());
    let guess = detector.guess(None, chardetng::Utf8Detection::Deny);
    if [GBK, GB18030, BIG5, SHIFT_JIS, EUC_JP, EUC_KR].contains(&guess) {
        // encoding_rs decodes GBK with the full GB18030 decoder; name it so.
        if guess == GBK { GB18030 } else { guess }
    } else {
        GB18030
    }
}

/// Decodes without replacement; on malformed input returns the 1-based line.
fn decode_strict(encoding: &'static Encoding, bytes: &[u8]) -> std::result::Result<String, usize> {
    let mut decoder = encoding.new_decoder_without_bom_handling();
    let capacity = decoder
        .max_utf8_buffer_length_without_replacement(bytes.len())
        .unwrap_or(bytes.len().saturating_mul(3));
    let mut out = String::with_capacity(capacity);
    let mut rest = bytes;
    loop {
        let (result, read) = decoder.decode_to_string_without_replacement(rest, &mut out, true);
        rest = &rest[read..];
        match result {
            encoding_rs::DecoderResult::InputEmpty => return Ok(out),
            encoding_rs::DecoderResult::OutputFull => out.reserve(rest.len() * 3 + 16),
            encoding_rs::DecoderResult::Malformed(_, _) => {
                return Err(line_count(&out));
            }
        }
    }
}

/// Decodes replacing bad bytes with U+FFFD, with one warning naming the
/// first such line. A repaired line that may hold a paid marker is an error:
/// a marker with a bad byte in it would no longer be seen.
fn decode_lossy(
    path: &Path,
    encoding: &'static Encoding,
    bytes: &[u8],
    warnings: &mut Vec<Warning>,
) -> Result<String> {
    let (text, had_errors) = encoding.decode_without_bom_handling(bytes);
    if !had_errors {
        return Ok(text.into_owned());
    }
    let mut first = None;
    let mut count = 0;
    for (index, line) in text.split('\n').enumerate() {
        if !line.contains('\u{fffd}') {
            continue;
        }
        count += 1;
        first.get_or_insert(index + 1);
        let folded = line.to_lowercase();
        if line.contains(['#', '＃']) || folded.contains("paid") || folded.contains("ｐａｉｄ")
        {
            return Err(Error::LossyMarker {
                path: path.to_path_buf(),
                line: index + 1,
                encoding: encoding.name(),
            });
        }
    }
    warnings.push(Warning::new(
        path,
        first,
        format!(
            "{count} line(s) are not valid {}; bad bytes replaced with U+FFFD (--lossy)",
            encoding.name()
        ),
    ));
    Ok(text.into_owned())
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
fn clean(path: &Path, raw: &str, warnings: &mut Vec<Warning>) -> String {
    let needs_work = raw
        .chars()
        .any(|c| c == '\r' || is_xml_forbidden(c) || c == '\u{feff}');
    if !needs_work {
        return raw.to_string();
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
        let text = "标题 Title\n正文，第二行。\n";
        for little_endian in [true, false] {
            let decoded = decode(p(), &utf16(text, little_endian), Reading::default()).unwrap();
            assert_eq!(decoded.text, text);
        }
        // Zero bytes on both sides of the code units: binary, not text.
        let err = decode(p(), b"ab\0\0c\nd\0", Reading::default()).unwrap_err();
        assert!(matches!(err, Error::Binary { .. }), "{err}");
        // UTF-8 with one zero byte where UTF-16 would have one.
        for utf8 in ["标题\n正文\n\0\n", "Tea\nfree text\n\0\n", "ab\n\0"] {
            let err = decode(p(), utf8.as_bytes(), Reading::default()).unwrap_err();
            assert!(matches!(err, Error::Binary { .. }), "{err}");
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

    #[test]
    fn an_encoding_that_hides_paid_markers_is_refused() {
        let bytes = b"Title\nfree\n##paidbegin##SECRET##paidend##\nend\n";
        let forced = encoding_for_label("utf-16le").unwrap();
        assert!(matches!(
            decode(
                p(),
                bytes,
                Reading {
                    encoding: Some(forced),
                    lossy: false
                }
            ),
            Err(Error::WrongEncoding { .. })
        ));
        let mut utf16 = vec![0xff, 0xfe];
        utf16.extend(
            "题\n##paidbegin##付费"
                .encode_utf16()
                .flat_map(u16::to_le_bytes),
        );
        assert!(
            decode(p(), &utf16, Reading::default())
                .unwrap()
                .text
                .contains("##paidbegin##")
        );
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
