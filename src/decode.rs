//! Stage 1: bytes to text. Detects the encoding (BOM, UTF-8, else chardetng
//! limited to the CJK legacy encodings), decodes strictly so that a bad byte
//! is an error naming its line rather than a silent U+FFFD, normalises line
//! endings and strips the characters XML 1.0 forbids.

use std::path::Path;

use encoding_rs::{BIG5, EUC_JP, EUC_KR, Encoding, GB18030, GBK, SHIFT_JIS, UTF_8};

use crate::error::{Error, Result, Warning};
use crate::paid;

/// How much of a file chardetng looks at; enough to be sure, cheap on huge files.
const SNIFF_LIMIT: usize = 1 << 20;

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

/// Decodes the bytes of the essay at `path`; `forced` skips detection.
pub fn decode(path: &Path, bytes: &[u8], forced: Option<&'static Encoding>) -> Result<Decoded> {
    let (encoding, body) = match (forced, Encoding::for_bom(bytes)) {
        (Some(encoding), Some((bom_encoding, bom_len))) if encoding == bom_encoding => {
            (encoding, &bytes[bom_len..])
        }
        (Some(encoding), _) => (encoding, bytes),
        (None, Some((encoding, bom_len))) => (encoding, &bytes[bom_len..]),
        (None, None) => {
            if bytes.contains(&0) {
                return Err(Error::Binary {
                    path: path.to_path_buf(),
                });
            }
            if let Some(line) = broken_utf8_line(bytes) {
                return Err(Error::Decode {
                    path: path.to_path_buf(),
                    line,
                    encoding: UTF_8.name(),
                });
            }
            (detect(bytes), bytes)
        }
    };
    let raw = decode_strict(encoding, body).map_err(|line| Error::Decode {
        path: path.to_path_buf(),
        line,
        encoding: encoding.name(),
    })?;
    // A wrong encoding can hide the paid markers (UTF-16 read from UTF-8 bytes
    // turns them into CJK characters): if the bytes show a marker the text
    // does not, the preview could leak, so refuse.
    if paid::has_marker_bytes(body) && !paid::has_marker(&raw) {
        return Err(Error::WrongEncoding {
            path: path.to_path_buf(),
            encoding: encoding.name(),
        });
    }
    let mut warnings = Vec::new();
    let text = clean(path, &raw, &mut warnings);
    Ok(Decoded {
        text,
        encoding,
        warnings,
    })
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
fn detect(bytes: &[u8]) -> &'static Encoding {
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

    #[test]
    fn utf8_with_and_without_bom() {
        let plain = decode(p(), "标题\n正文".as_bytes(), None).unwrap();
        assert_eq!(plain.text, "标题\n正文");
        let bom = decode(p(), b"\xef\xbb\xbf\xe6\xa0\x87", None).unwrap();
        assert_eq!(bom.text, "标");
    }

    #[test]
    fn gb18030_and_big5_are_detected() {
        let text = "国家安全是民族复兴的根基，社会稳定是国家强盛的前提。我们要坚持人民至上。\n第二段文字在这里。";
        let (gb, _, _) = GB18030.encode(text);
        let decoded = decode(p(), &gb, None).unwrap();
        assert_eq!(decoded.encoding, GB18030);
        assert_eq!(decoded.text, text);

        let trad = "國家安全是民族復興的根基，社會穩定是國家強盛的前提。我們要堅持人民至上。\n這是第二段。";
        let (b5, _, _) = BIG5.encode(trad);
        let decoded = decode(p(), &b5, None).unwrap();
        assert_eq!(decoded.encoding, BIG5);
        assert_eq!(decoded.text, trad);
    }

    #[test]
    fn utf16_with_bom() {
        let mut bytes = vec![0xff, 0xfe];
        for unit in "标题\r\n正文".encode_utf16() {
            bytes.extend_from_slice(&unit.to_le_bytes());
        }
        assert_eq!(decode(p(), &bytes, None).unwrap().text, "标题\n正文");
    }

    #[test]
    fn invalid_bytes_name_the_line() {
        let mut bytes = "第一行\n第二行\n".as_bytes().to_vec();
        bytes.extend_from_slice(b"\xff\xff\xff\n");
        let err = decode(p(), &bytes, Some(UTF_8)).unwrap_err();
        assert!(matches!(err, Error::Decode { line: 3, .. }), "{err}");
        assert!(err.to_string().starts_with("essay.txt:3:"));
    }

    #[test]
    fn a_bad_byte_in_utf8_text_is_an_error_on_its_line() {
        let mut bytes = "标题\n正文\n".repeat(20).into_bytes();
        bytes.extend_from_slice(b"\xff\n");
        let err = decode(p(), &bytes, None).unwrap_err();
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
            decode(p(), bytes, Some(forced)),
            Err(Error::WrongEncoding { .. })
        ));
        let mut utf16 = vec![0xff, 0xfe];
        utf16.extend(
            "题\n##paidbegin##付费"
                .encode_utf16()
                .flat_map(u16::to_le_bytes),
        );
        assert!(
            decode(p(), &utf16, None)
                .unwrap()
                .text
                .contains("##paidbegin##")
        );
    }

    #[test]
    fn nul_bytes_mean_binary() {
        let err = decode(p(), b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR", None).unwrap_err();
        assert!(matches!(err, Error::Binary { .. }));
    }

    #[test]
    fn line_endings_and_control_characters() {
        let decoded = decode(p(), b"a\r\nb\rc\x07d\n", None).unwrap();
        assert_eq!(decoded.text, "a\nb\ncd\n");
        assert_eq!(decoded.warnings.len(), 1);
        assert_eq!(decoded.warnings[0].line, Some(3));
    }

    #[test]
    fn forced_encoding_wins() {
        let (gb, _, _) = GB18030.encode("中文");
        let decoded = decode(p(), &gb, Some(encoding_for_label("gbk").unwrap())).unwrap();
        assert_eq!(decoded.text, "中文");
        assert!(encoding_for_label("klingon").is_err());
    }
}
