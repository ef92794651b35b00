//! Cross-checks of a reading the user chose: a forced encoding is not
//! checked by detection, and `--lossy` repairs whatever does not decode, so
//! either could read a file in the wrong encoding and hide its paid markers.
//! The bytes are read again in every encoding essays come in; a reading
//! that shows a marker the chosen one hides refuses the file.

use std::path::Path;
use std::sync::LazyLock;

use encoding_rs::{
    BIG5, EUC_JP, EUC_KR, Encoding, GB18030, GBK, ISO_2022_JP, SHIFT_JIS, UTF_8, UTF_16BE, UTF_16LE,
};
use regex::Regex;

use super::decode_allowing;
use crate::error::{Error, Result, Warning};
use crate::paid;

/// The encodings essays come in, each tried on the bytes of a file read in
/// a forced (or repaired) encoding to see whether it shows a paid marker
/// the chosen one hides.
const CANDIDATES: [&Encoding; 9] = [
    UTF_8,
    UTF_16LE,
    UTF_16BE,
    GB18030,
    BIG5,
    SHIFT_JIS,
    EUC_JP,
    EUC_KR,
    ISO_2022_JP,
];

/// Refuses `text`, read from `bytes` as `encoding`, when it shows no paid
/// marker but other candidate encodings that read the bytes (nearly)
/// without errors show one (all named): the preview would leak what such
/// a marker opens. A candidate that does not fit the bytes gives up after
/// its first few bad bytes, so this costs little unless one does fit.
pub(super) fn check_no_hidden_marker(
    path: &Path,
    encoding: &'static Encoding,
    bytes: &[u8],
    text: &str,
) -> Result<()> {
    let ascii = bytes.is_ascii();
    let utf16_implausible = utf8_without_zeros(bytes);
    let reveals: Vec<&'static str> = CANDIDATES
        .into_iter()
        .filter(|&candidate| !same_decoder(candidate, encoding))
        // ASCII reads alike in every ASCII-compatible encoding.
        .filter(|&candidate| {
            !(ascii && candidate.is_ascii_compatible() && encoding.is_ascii_compatible())
        })
        // UTF-16 that is valid UTF-8 without zero bytes has no ASCII
        // character (each has a zero byte) and no full-width one (each has
        // a 0xFF byte): no marker, nor even a line break. UTF-16 reads most
        // UTF-8 Chinese without an error, so this saves two decodings.
        .filter(|&candidate| {
            !(utf16_implausible && (candidate == UTF_16LE || candidate == UTF_16BE))
        })
        // Without an escape byte ISO-2022-JP reads only the ASCII the
        // other candidates read too: it can show no marker of its own.
        .filter(|&candidate| candidate != ISO_2022_JP || bytes.contains(&super::ESCAPE))
        .filter(|&candidate| {
            decode_allowing(candidate, bytes, allowed_errors(candidate))
                .is_ok_and(|other| paid::has_marker(&other))
        })
        .map(Encoding::name)
        .collect();
    if reveals.is_empty() || paid::has_marker(text) {
        return Ok(());
    }
    Err(Error::MarkerHiddenByEncoding {
        path: path.to_path_buf(),
        encoding: encoding.name(),
        reveals: reveals.join(" or "),
    })
}

/// Whether `bytes` are valid UTF-8 holding no zero byte.
fn utf8_without_zeros(bytes: &[u8]) -> bool {
    !bytes.contains(&0) && std::str::from_utf8(bytes).is_ok()
}

/// Whether two encodings decode every byte sequence alike (encoding_rs
/// reads GBK with its GB18030 decoder).
fn same_decoder(a: &'static Encoding, b: &'static Encoding) -> bool {
    let family = |e: &'static Encoding| if e == GBK { GB18030 } else { e };
    family(a) == family(b)
}

/// Refuses UTF-16 read in the wrong byte order: line breaks are code units
/// 0x000A and 0x000D, and swapped they become U+0A00 and U+0D00, which
/// essays do not hold, so the right order has far more line breaks.
pub(super) fn check_byte_order(
    path: &Path,
    encoding: &'static Encoding,
    bytes: &[u8],
) -> Result<()> {
    let other = if encoding == UTF_16LE {
        UTF_16BE
    } else if encoding == UTF_16BE {
        UTF_16LE
    } else {
        return Ok(());
    };
    let breaks = utf16_line_breaks(encoding, bytes);
    let other_breaks = utf16_line_breaks(other, bytes);
    if other_breaks > 2 * breaks {
        return Err(Error::ByteOrder {
            path: path.to_path_buf(),
            encoding: encoding.name(),
            breaks,
            other: other.name(),
            other_breaks,
        });
    }
    Ok(())
}

/// How many code units of `bytes`, read as UTF-16 in `encoding`'s byte
/// order, are line breaks.
pub(super) fn utf16_line_breaks(encoding: &'static Encoding, bytes: &[u8]) -> usize {
    let unit: fn([u8; 2]) -> u16 = if encoding == UTF_16LE {
        u16::from_le_bytes
    } else {
        u16::from_be_bytes
    };
    bytes
        .chunks_exact(2)
        .filter(|pair| matches!(unit([pair[0], pair[1]]), 0x0a | 0x0d))
        .count()
}

/// How many bad bytes a candidate reading may have and still count. A
/// wrong multi-byte encoding reads bytes into characters, so one that fits
/// the bytes only nearly (see [`nearly`]) is kept from seeing markers in
/// mojibake. ISO-2022-JP reads no byte above 0x7F as a character, so its
/// every marker comes from 7-bit bytes and escape sequences put there on
/// purpose: it may have any number of bad bytes, and a line of it pasted
/// into a UTF-8 file still shows its markers.
fn allowed_errors(candidate: &'static Encoding) -> fn(usize) -> usize {
    if candidate == ISO_2022_JP {
        any_number
    } else {
        nearly
    }
}

/// What "nearly without errors" allows a candidate decoding: a few bad
/// bytes, and one more per 1000 bytes read. A wrong encoding fails this
/// within its first few thousand bytes.
fn nearly(read: usize) -> usize {
    4 + read / 1000
}

/// Every bad byte is allowed.
fn any_number(_read: usize) -> usize {
    usize::MAX
}

/// Warns once about the lines of `text` (read from `bytes` as `encoding`
/// by --lossy) whose bad bytes were replaced with U+FFFD, naming the first.
/// A repaired line is an error when it, or its bytes read in any candidate
/// encoding, may hold a paid marker: a marker with a bad byte in it, or
/// one the chosen encoding turned into mojibake, would no longer be seen.
pub(super) fn check_repaired_lines(
    path: &Path,
    encoding: &'static Encoding,
    bytes: &[u8],
    text: &str,
    warnings: &mut Vec<Warning>,
) -> Result<()> {
    let raw = raw_lines(encoding, bytes);
    // An encoding that does not keep line breaks as they are (none of the
    // candidates) has its first repaired line checked against the whole file.
    let lines_kept = raw.len() == text.split('\n').count();
    let mut first = None;
    let mut count = 0;
    for (index, line) in text.split('\n').enumerate() {
        if !line.contains('\u{fffd}') {
            continue;
        }
        count += 1;
        first.get_or_insert(index + 1);
        let suspect = if lines_kept {
            may_hold_marker(line) || raw_line_may_hold_marker(raw[index])
        } else {
            count == 1 && (may_hold_marker(text) || raw_line_may_hold_marker(bytes))
        };
        if suspect {
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
    Ok(())
}

/// The bytes of each line of `bytes` read as `encoding`, without their
/// line feed: split at the code unit 0x000A in UTF-16, else at the byte
/// 0x0A, which the ASCII-compatible encodings never use inside a character.
fn raw_lines<'a>(encoding: &'static Encoding, bytes: &'a [u8]) -> Vec<&'a [u8]> {
    let feed: &[u8] = if encoding == UTF_16LE {
        b"\n\0"
    } else if encoding == UTF_16BE {
        b"\0\n"
    } else {
        b"\n"
    };
    let mut lines = Vec::new();
    let mut start = 0;
    let mut at = 0;
    while at + feed.len() <= bytes.len() {
        if &bytes[at..at + feed.len()] == feed {
            lines.push(&bytes[start..at]);
            start = at + feed.len();
        }
        at += feed.len();
    }
    lines.push(&bytes[start..]);
    lines
}

/// Whether the bytes of a repaired line show a paid marker in any
/// candidate encoding; UTF-16 is read from both byte boundaries, since a
/// line cut out of a file in another encoding may start mid-unit.
fn raw_line_may_hold_marker(raw_line: &[u8]) -> bool {
    CANDIDATES.iter().any(|&candidate| {
        let shifted = if candidate == UTF_16LE || candidate == UTF_16BE {
            raw_line.get(1..).unwrap_or_default()
        } else {
            raw_line
        };
        [raw_line, shifted]
            .iter()
            .any(|bytes| shows_marker(&candidate.decode_without_bom_handling(bytes).0))
    })
}

/// Whether another encoding's reading of a repaired line shows a paid
/// marker, whole or broken by a bad byte: one bad byte leaves a pair of
/// hash signs or the letters `paid` intact (full-width or not, any case).
/// A lone `＃` does not count: mojibake is full of them.
fn shows_marker(reading: &str) -> bool {
    static BROKEN_MARKER: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new("(?i)[#＃]{2}|[pｐ][aａ][iｉ][dｄ]").expect("the pattern is valid")
    });
    BROKEN_MARKER.is_match(reading) || paid::has_marker(reading)
}

/// Whether a repaired line in the chosen encoding may hold a paid marker:
/// it shows one (see [`shows_marker`]) or has a `#` sign at all, since a
/// bad byte may have broken the rest.
pub(super) fn may_hold_marker(line: &str) -> bool {
    line.contains(['#', '＃']) || shows_marker(line)
}
