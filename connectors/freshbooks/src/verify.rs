//! `X-FreshBooks-Hmac-SHA256` verification, and the test signer that makes fixtures.
//!
//! FreshBooks documents the check as Python:
//! `base64(hmac_sha256(verifier, json.dumps({k: str(v) for k, v in form.items()})))`.
//! So the signed bytes are not the raw body but the form fields (URL-decoded, first
//! value of each name, in the order posted) rendered as `json.dumps` does by default:
//! `{"k": "v", "k2": "v2"}` with `", "` and `": "` separators, `"` and `\` escaped,
//! control characters and every non-ASCII character as `\uXXXX` (lowercase hex, UTF-16
//! surrogate pairs beyond the BMP). The rendering is derived from the raw bytes before
//! anything else looks at the fields.

use std::borrow::Cow;

use base64::Engine;
use invoice_core::verify::{hmac_sha256, hmac_sha256_any};
use invoice_core::Secret;

use crate::error::FreshbooksError;

/// The signature header.
pub const HEADER: &str = "x-freshbooks-hmac-sha256";

/// One form field: name and value, URL-decoded (borrowed from the body unless decoding
/// changed them).
pub type Field<'a> = (Cow<'a, str>, Cow<'a, str>);

/// The form fields of a body: URL-decoded, first value of each name, in posted order.
pub fn form_fields(body: &[u8]) -> Vec<Field<'_>> {
    // A callback has six or seven fields: one allocation for the usual form.
    let mut out: Vec<Field<'_>> = Vec::with_capacity(8);
    for (k, v) in form_urlencoded::parse(body) {
        if !out.iter().any(|(seen, _)| *seen == k) {
            out.push((k, v));
        }
    }
    out
}

fn push_json_string(out: &mut String, s: &str) {
    out.push('"');
    // Runs of printable ASCII other than `"` and `\` are copied as they are.
    let mut run = 0;
    for (i, c) in s.char_indices() {
        if (' '..='~').contains(&c) && c != '"' && c != '\\' {
            continue;
        }
        out.push_str(&s[run..i]);
        run = i + c.len_utf8();
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{08}' => out.push_str("\\b"),
            '\u{0c}' => out.push_str("\\f"),
            c => {
                const HEX: &[u8; 16] = b"0123456789abcdef";
                let mut buf = [0u16; 2];
                for unit in c.encode_utf16(&mut buf) {
                    let u = usize::from(*unit);
                    out.push_str("\\u");
                    for shift in [12, 8, 4, 0] {
                        out.push(char::from(HEX[(u >> shift) & 15]));
                    }
                }
            }
        }
    }
    out.push_str(&s[run..]);
    out.push('"');
}

/// The string FreshBooks signs: Python's `json.dumps` of the fields (see module docs).
///
/// ```
/// use invoice_connector_freshbooks::verify::signed_string;
/// let f = vec![("name".into(), "invoice.update".into()), ("note".into(), "é\"".into())];
/// assert_eq!(signed_string(&f), r#"{"name": "invoice.update", "note": "\u00e9\""}"#);
/// ```
pub fn signed_string(fields: &[Field<'_>]) -> String {
    // `{"k": "v", ...}`: 6 bytes per field beside the texts, more only when escaping.
    let len: usize = fields.iter().map(|(k, v)| k.len() + v.len() + 8).sum();
    let mut out = String::with_capacity(len + 2);
    out.push('{');
    for (i, (k, v)) in fields.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        push_json_string(&mut out, k);
        out.push_str(": ");
        push_json_string(&mut out, v);
    }
    out.push('}');
    out
}

/// Verifies the header against the fields, any verifier may match.
pub fn verify(
    header: Option<&[u8]>,
    fields: &[Field<'_>],
    secrets: &[Secret],
) -> Result<(), FreshbooksError> {
    let header = header.ok_or(FreshbooksError::MissingHeader)?;
    // Decoded on the stack: a signature too long for the buffer is no 32-byte MAC and
    // matches nothing, as before.
    let mut sig = [0u8; 48];
    let len = base64::engine::general_purpose::STANDARD
        .decode_slice(header, &mut sig)
        .map_err(|_| FreshbooksError::NoMatch)?;
    let signed = signed_string(fields);
    if hmac_sha256_any(secrets, &[signed.as_bytes()], &sig[..len]) {
        Ok(())
    } else {
        Err(FreshbooksError::NoMatch)
    }
}

/// The header FreshBooks would send for `body` under `verifier` (test signer).
pub fn sign(verifier: &Secret, body: &[u8]) -> String {
    let signed = signed_string(&form_fields(body));
    base64::engine::general_purpose::STANDARD
        .encode(hmac_sha256(verifier.expose(), &[signed.as_bytes()]))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    /// The SDK docs' example body, signed by python3
    /// `base64(hmac(b"scADVVi5QuKuj5qTjVkbJNYQe7V7USpGd", json.dumps(dict(parse_qsl(body)))))`.
    #[test]
    fn known_answer() {
        let body = b"name=invoice.create&object_id=1234567&account_id=6BApk&business_id=6543&identity_id=1234&user_id=1";
        let s = Secret::new("scADVVi5QuKuj5qTjVkbJNYQe7V7USpGd");
        assert_eq!(
            signed_string(&form_fields(body)),
            r#"{"name": "invoice.create", "object_id": "1234567", "account_id": "6BApk", "business_id": "6543", "identity_id": "1234", "user_id": "1"}"#
        );
        assert_eq!(
            sign(&s, body),
            "/S03vyYmI7CekM4YXBHUhs9o5rnMtqGLrW3aA8S9gPc="
        );
    }

    #[test]
    fn escapes_like_python() {
        let f = form_fields("a=%F0%9F%98%80&b=x%0Ay&a=second&c=%7F".as_bytes());
        assert_eq!(
            signed_string(&f),
            r#"{"a": "\ud83d\ude00", "b": "x\ny", "c": "\u007f"}"#
        );
    }

    /// Escapes between runs of plain ASCII (the runs are copied whole), as Python's
    /// `json.dumps("ab\"c\\d\x01é€😀\x08end")` renders them; borrowed and decoded fields.
    #[test]
    fn escapes_between_plain_runs() {
        let f =
            form_fields("k=ab%22c%5Cd%01%C3%A9%E2%82%AC%F0%9F%98%80%08end&p+q=plain".as_bytes());
        assert!(matches!(f[1].1, Cow::Borrowed("plain")));
        assert_eq!(
            signed_string(&f),
            r#"{"k": "ab\"c\\d\u0001\u00e9\u20ac\ud83d\ude00\bend", "p q": "plain"}"#
        );
    }

    #[test]
    fn refusals() {
        let s = Secret::new("v");
        let f = form_fields(b"name=x");
        assert_eq!(
            verify(None, &f, std::slice::from_ref(&s)),
            Err(FreshbooksError::MissingHeader)
        );
        assert_eq!(
            verify(Some(b"!!"), &f, std::slice::from_ref(&s)),
            Err(FreshbooksError::NoMatch)
        );
        let good = sign(&s, b"name=x");
        assert!(verify(Some(good.as_bytes()), &f, std::slice::from_ref(&s)).is_ok());
        assert_eq!(
            verify(Some(good.as_bytes()), &form_fields(b"name=y"), &[s]),
            Err(FreshbooksError::NoMatch)
        );
    }
}
