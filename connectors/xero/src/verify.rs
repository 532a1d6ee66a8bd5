//! `x-xero-signature` verification, and the test signer that makes fixtures.
//!
//! Xero signs every delivery, intent-to-receive probes included, with
//! `base64(HMAC-SHA256(key = webhook key, message = raw body))`. No timestamp is signed,
//! so there is no replay window; duplicates are caught by the journal.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use invoice_core::verify::{hmac_sha256, hmac_sha256_any};
use invoice_core::Secret;

use crate::error::XeroError;

/// The header name.
pub const HEADER: &str = "x-xero-signature";

/// Verifies `header` against `body` with every webhook key (rotation): the header must be
/// standard base64 (padding and zero trailing bits required) of a 32-byte MAC, and some
/// key must produce it. Compared in constant time.
pub fn verify(header: Option<&[u8]>, body: &[u8], secrets: &[Secret]) -> Result<(), XeroError> {
    let header = header.ok_or(XeroError::MissingHeader)?;
    let text = std::str::from_utf8(header).map_err(|_| XeroError::MalformedHeader)?;
    // Decoded on the stack: a text too long for the buffer is refused like any other
    // length but 32.
    let mut mac = [0u8; 48];
    let len = STANDARD
        .decode_slice(text.trim(), &mut mac)
        .map_err(|_| XeroError::MalformedHeader)?;
    if len != 32 {
        return Err(XeroError::MalformedHeader);
    }
    if hmac_sha256_any(secrets, &[body], &mac[..len]) {
        Ok(())
    } else {
        Err(XeroError::NoMatch)
    }
}

/// The header Xero would send for `body` signed with `secret` (test signer for fixtures).
///
/// ```
/// use invoice_connector_xero::verify::{sign, verify};
/// use invoice_core::Secret;
/// let s = Secret::new("webhook-key");
/// let h = sign(&s, b"{}");
/// assert!(verify(Some(h.as_bytes()), b"{}", &[s]).is_ok());
/// ```
pub fn sign(secret: &Secret, body: &[u8]) -> String {
    STANDARD.encode(hmac_sha256(secret.expose(), &[body]))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A real intent-to-receive probe reported in XeroAPI/XeroWebhooksReceiver#1: key,
    /// exact 95-byte body, and the deliberately wrong signature Xero sent (first character
    /// changed), which must be refused, while the correct one verifies.
    #[test]
    fn published_intent_to_receive_probe() {
        let key = Secret::new(
            "LR+QgKlbRciIPYpi65tTKLaZ3FzLLofCNEQWrRXqWXJeDFrfexzfVI9SmnVuCWDJ4jnjHB9ECtOyxZSofRxwWw==",
        );
        let body = br#"{"events":[],"firstEventSequence": 0,"lastEventSequence": 0, "entropy": "LUWDSUDGSWNZVALZXBEV"}"#;
        assert_eq!(body.len(), 95);
        let sent = b"/jzNbYUfrzg4g8wxm+dKHaZVrKxr2m75E296fUbD1E4=";
        assert_eq!(
            verify(Some(sent), body, std::slice::from_ref(&key)),
            Err(XeroError::NoMatch)
        );
        let right = sign(&key, body);
        assert_eq!(right, "BjzNbYUfrzg4g8wxm+dKHaZVrKxr2m75E296fUbD1E4=");
        assert_eq!(verify(Some(right.as_bytes()), body, &[key]), Ok(()));
    }

    #[test]
    fn header_grammar_and_rotation() {
        let old = Secret::new("old");
        let new = Secret::new("new");
        let h = sign(&new, b"x");
        assert_eq!(
            verify(None, b"x", std::slice::from_ref(&old)),
            Err(XeroError::MissingHeader)
        );
        assert_eq!(
            verify(Some(h.as_bytes()), b"x", std::slice::from_ref(&old)),
            Err(XeroError::NoMatch)
        );
        assert_eq!(
            verify(Some(h.as_bytes()), b"x", &[old, new.clone()]),
            Ok(())
        );
        let short = STANDARD.encode([0u8; 31]);
        assert_eq!(
            verify(Some(short.as_bytes()), b"x", std::slice::from_ref(&new)),
            Err(XeroError::MalformedHeader)
        );
        assert_eq!(
            verify(Some(b"not base64!"), b"x", &[new]),
            Err(XeroError::MalformedHeader)
        );
    }
}
