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
    let Some(first) = bytes.iter().position(|&b| b == b'&') else {
        return Ok(Cow::Borrowed(raw));
    };
    let mut out = String::with_capacity(raw.len());
    let (mut copied, mut at) = (0, first);
    // One loop over the bytes: a run without `&` is copied whole when the next reference
    // starts, the replacement (one ASCII character) pushed without a copy call.
    while let Some(&b) = bytes.get(at) {
        if b != b'&' {
            at += 1;
            continue;
        }
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
        out.push_str(before);
        out.push(with);
        at += len;
        copied = at;
    }
    out.push_str(raw.get(copied..).unwrap_or_default());
    Ok(Cow::Owned(out))
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
