//! `decode`: arbitrary bytes through `wenji::decode::decode`, once with
//! detection and once with an encoding forced (chosen by the first byte),
//! each strict and `lossy`. Never panics. On `Ok` the text holds no `\r`, no BOM and no character XML
//! 1.0 forbids; valid UTF-8 (without NUL unless it has a BOM) always decodes;
//! and in an ASCII-compatible encoding no paid marker of the bytes is lost.
#![no_main]

use std::path::Path;

use encoding_rs::{
    BIG5, EUC_JP, EUC_KR, Encoding, GB18030, GBK, ISO_2022_JP, REPLACEMENT, SHIFT_JIS, UTF_8,
    UTF_16BE, UTF_16LE, WINDOWS_1252, X_USER_DEFINED,
};
use libfuzzer_sys::fuzz_target;
use wenji::decode::{Reading, decode};

const FORCED: &[&Encoding] = &[
    UTF_8,
    GB18030,
    GBK,
    BIG5,
    SHIFT_JIS,
    EUC_JP,
    EUC_KR,
    UTF_16LE,
    UTF_16BE,
    ISO_2022_JP,
    WINDOWS_1252,
    REPLACEMENT,
    X_USER_DEFINED,
];

/// Positions where a paid marker starts (ASCII case ignored), counted independently of wenji.
fn markers(bytes: &[u8]) -> usize {
    (0..bytes.len())
        .filter(|&i| {
            ["##paidbegin##", "##paidend##"].iter().any(|m| {
                bytes.len() - i >= m.len()
                    && bytes[i..i + m.len()].eq_ignore_ascii_case(m.as_bytes())
            })
        })
        .count()
}

fn check(bytes: &[u8], forced: Option<&'static Encoding>, lossy: bool) {
    let path = Path::new("f.txt");
    let result = decode(
        path,
        bytes,
        Reading {
            encoding: forced,
            lossy,
        },
    );
    if forced.is_none() && std::str::from_utf8(bytes).is_ok() {
        let bom = bytes.starts_with(b"\xef\xbb\xbf");
        if bom || !bytes.contains(&0) {
            assert!(result.is_ok(), "valid UTF-8 refused: {:?}", result.err());
        }
    }
    let Ok(decoded) = result else { return };
    for c in decoded.text.chars() {
        assert!(
            !matches!(c, '\r' | '\u{feff}' | '\u{0}'..='\u{8}' | '\u{b}' | '\u{c}' | '\u{e}'..='\u{1f}' | '\u{fffe}' | '\u{ffff}'),
            "forbidden {c:?} in decoded text"
        );
    }
    let has_bytes = markers(bytes) > 0;
    if has_bytes {
        assert!(
            wenji::paid::has_marker(&decoded.text),
            "marker hidden by {}",
            decoded.encoding.name()
        );
    }
    // Where '#' and ASCII letters decode to themselves, every marker of the bytes survives.
    if decoded.encoding.is_ascii_compatible()
        && decoded.encoding != UTF_16LE
        && decoded.encoding != UTF_16BE
    {
        assert!(
            markers(decoded.text.as_bytes()) >= markers(bytes),
            "marker lost in {}",
            decoded.encoding.name()
        );
    }
}

fuzz_target!(|bytes: &[u8]| {
    check(bytes, None, false);
    check(bytes, None, true);
    if let Some((&first, rest)) = bytes.split_first() {
        let forced = Some(FORCED[usize::from(first & 0x7f) % FORCED.len()]);
        check(rest, forced, first & 0x80 != 0);
    }
});
