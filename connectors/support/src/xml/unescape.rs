//! Replacing references in text and attribute values.

use std::borrow::Cow;

use quick_xml::escape::{unescape as full, EscapeError};

/// quick-xml's `unescape` (the five predefined entities and character references), with
/// one pass and no search call per reference for the common case: text whose
/// references are all `&lt;`, `&gt;`, `&amp;`, `&apos;` or `&quot;` (an escaped qbXML
/// response holds thousands). Any other `&` (a character reference, another name, no
/// `;`) hands the whole text to quick-xml, so results and errors are always its own.
pub(super) fn unescape(raw: &str) -> Result<Cow<'_, str>, EscapeError> {
    let bytes = raw.as_bytes();
    let Some(first) = find_amp(bytes, 0) else {
        return Ok(Cow::Borrowed(raw));
    };
    let mut out = String::with_capacity(raw.len());
    let (mut copied, mut at) = (0, first);
    loop {
        let (with, len) = match bytes.get(at + 1..) {
            Some([b'l', b't', b';', ..]) => ('<', 4),
            Some([b'g', b't', b';', ..]) => ('>', 4),
            Some([b'a', b'm', b'p', b';', ..]) => ('&', 5),
            Some([b'a', b'p', b'o', b's', b';', ..]) => ('\'', 6),
            Some([b'q', b'u', b'o', b't', b';', ..]) => ('"', 6),
            _ => return full(raw),
        };
        let Some(before) = raw.get(copied..at) else {
            return full(raw);
        };
        // The run before the reference copied whole, the replacement (one ASCII
        // character) pushed without a copy call.
        out.push_str(before);
        out.push(with);
        copied = at + len;
        match find_amp(bytes, copied) {
            Some(next) => at = next,
            None => break,
        }
    }
    out.push_str(raw.get(copied..).unwrap_or_default());
    Ok(Cow::Owned(out))
}

/// The index of the first `&` in `bytes` at or after `from`: eight bytes per step (the
/// runs between references in an escaped document are short, shorter than a `memchr`
/// call's set-up), the tail byte by byte.
fn find_amp(bytes: &[u8], from: usize) -> Option<usize> {
    const ONES: u64 = u64::from_le_bytes([1; 8]);
    const HIGH: u64 = u64::from_le_bytes([0x80; 8]);
    const AMPS: u64 = u64::from_le_bytes([b'&'; 8]);
    let mut i = from;
    while let Some(chunk) = bytes.get(i..i + 8) {
        let Ok(word) = <[u8; 8]>::try_from(chunk) else {
            break;
        };
        // A zero byte of `x` is an `&`; the lowest flagged byte is the first one (a
        // borrow can only flag bytes above a true zero).
        let x = u64::from_le_bytes(word) ^ AMPS;
        let flagged = x.wrapping_sub(ONES) & !x & HIGH;
        if flagged != 0 {
            return Some(i + (flagged.trailing_zeros() / 8) as usize);
        }
        i += 8;
    }
    bytes
        .get(i..)?
        .iter()
        .position(|&b| b == b'&')
        .map(|p| i + p)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn same_as_quick_xml() {
        for raw in [
            "",
            "plain; text",
            "&lt;a&gt;b &amp; c&apos;&quot;&lt;/a&gt;",
            "x&lt;",
            "&amp;amp;",
            "&#60;&lt;",
            "&lt;&#x3C;",
            "&nbsp;",
            "&lt",
            "a & b",
            "&;",
            "&lt;&",
            "é&lt;ü&gt;",
        ] {
            let ours = unescape(raw).map_err(|e| e.to_string());
            let theirs = full(raw).map_err(|e| e.to_string());
            assert_eq!(ours, theirs, "{raw}");
            if let (Ok(a), Ok(b)) = (unescape(raw), full(raw)) {
                assert_eq!(
                    matches!(a, Cow::Borrowed(_)),
                    matches!(b, Cow::Borrowed(_)),
                    "{raw}"
                );
            }
        }
    }

    /// `find_amp` agrees with a byte search at every start, on every length and position
    /// of one or two `&` among bytes that differ from it by one bit (the carries the
    /// word trick must not mistake for a match) and non-ASCII text.
    #[test]
    fn find_amp_is_a_byte_search() {
        for len in 0..40usize {
            for filler in [b'x', b'\'', b'.', 0x27, 0x24, 0xa6, 0x00, 0xff] {
                for a in 0..=len {
                    for b in [None, Some(a + 1), Some(a + 9), Some(len.saturating_sub(1))] {
                        let mut bytes = vec![filler; len];
                        if a < len {
                            bytes[a] = b'&';
                        }
                        if let Some(b) = b.filter(|b| *b < len) {
                            bytes[b] = b'&';
                        }
                        for from in 0..=len {
                            let want = bytes[from..]
                                .iter()
                                .position(|&c| c == b'&')
                                .map(|p| p + from);
                            assert_eq!(find_amp(&bytes, from), want, "{bytes:?} from {from}");
                        }
                    }
                }
            }
        }
        assert_eq!(find_amp(b"", 3), None);
    }

    /// Longer texts than the exhaustive test reaches: references across the eight-byte
    /// steps, in runs of every length.
    #[test]
    fn same_as_quick_xml_on_longer_texts() {
        let refs = [
            "&lt;", "&gt;", "&amp;", "&apos;", "&quot;", "&#60;", "&x;", "&",
        ];
        for run in 0..20 {
            for r in refs {
                for count in 1..5 {
                    let text: String = (0..count)
                        .map(|i| {
                            format!(
                                "{}{r}",
                                "é-abcdefghijklmnopqrs"
                                    .chars()
                                    .skip(i)
                                    .take(run)
                                    .collect::<String>()
                            )
                        })
                        .collect();
                    let ours = unescape(&text).map_err(|e| e.to_string());
                    assert_eq!(ours, full(&text).map_err(|e| e.to_string()), "{text}");
                }
            }
        }
    }

    #[test]
    fn same_as_quick_xml_on_every_short_string() {
        const ALPHABET: &[u8] = b"&lt;amp#3x";
        let mut raw = Vec::new();
        for len in 0..=5u32 {
            for mut n in 0..ALPHABET.len().pow(len) {
                raw.clear();
                for _ in 0..len {
                    raw.push(ALPHABET[n % ALPHABET.len()]);
                    n /= ALPHABET.len();
                }
                let raw = std::str::from_utf8(&raw).unwrap();
                let ours = unescape(raw).map_err(|e| e.to_string());
                assert_eq!(ours, full(raw).map_err(|e| e.to_string()), "{raw}");
            }
        }
    }
}
