//! Gaiji notes (外字注記): `※［＃「てへん＋丑」、第4水準2-12-93］` stands for a
//! character the source's encoding lacks. A `U+XXXX` code or a JIS X 0213
//! men-ku-ten code gives the character; otherwise the description is all
//! there is, shown in 〔〕.

use super::jisx0213;

/// The character(s) a gaiji note stands for, or its description when no
/// code resolves.
pub(super) fn resolve(note: &str) -> Result<String, String> {
    if let Some(c) = unicode(note) {
        return Ok(c.to_string());
    }
    if let Some(text) = jisx0213::parse_code(note)
        .and_then(|(plane, row, cell)| jisx0213::char_at(plane, row, cell))
    {
        return Ok(text.to_string());
    }
    // 「てへん＋丑」、… or 二の字点、…
    let description = match note.strip_prefix('「') {
        Some(rest) => rest.split_once('」').map_or(rest, |(d, _)| d),
        None => note.split('、').next().unwrap_or(note),
    };
    Err(description.to_string())
}

/// The `U+XXXX` code in `note`.
fn unicode(note: &str) -> Option<char> {
    let at = note.find("U+")?;
    let hex: String = note[at + 2..]
        .chars()
        .take_while(char::is_ascii_hexdigit)
        .take(6)
        .collect();
    u32::from_str_radix(&hex, 16).ok().and_then(char::from_u32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_resolve_descriptions_remain() {
        assert_eq!(resolve("「てへん＋丑」、U+626D、8-4").unwrap(), "扭");
        assert_eq!(resolve("「口＋世」、123-4").unwrap_err(), "口＋世");
        assert_eq!(resolve("「てへん＋劣」、第3水準1-84-77").unwrap(), "挘");
        assert_eq!(resolve("「てへん＋丑」、第4水準2-12-93").unwrap(), "扭");
        // A code the table does not hold keeps the description.
        assert_eq!(resolve("「x」、第3水準1-13-80").unwrap_err(), "x");
        assert_eq!(resolve("「x」、U+D800").unwrap_err(), "x");
        // A description without 「」 and a code.
        assert_eq!(resolve("二の字点、1-2-22").unwrap(), "〻");
        assert_eq!(
            resolve("小書き平仮名ん、168-12").unwrap_err(),
            "小書き平仮名ん"
        );
    }
}
