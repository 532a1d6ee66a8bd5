//! `intuit-signature` verification, and the test signer that makes fixtures.
//!
//! Intuit signs every delivery, legacy and CloudEvents alike, with
//! `base64(HMAC-SHA256(key = verifier token, message = raw body))`. There is no timestamp
//! in the signature, so there is no replay window; duplicates are caught by the journal.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use invoice_core::verify::{hmac_sha256, hmac_sha256_any};
use invoice_core::Secret;

use crate::error::QboError;

/// The header name.
pub const HEADER: &str = "intuit-signature";

/// Verifies `header` against `body` with every verifier token (rotation): the header must
/// be standard base64 (padding and zero trailing bits required) of a 32-byte MAC, and
/// some token must produce it. Compared in constant time.
pub fn verify(header: Option<&[u8]>, body: &[u8], secrets: &[Secret]) -> Result<(), QboError> {
    let header = header.ok_or(QboError::MissingHeader)?;
    let text = std::str::from_utf8(header).map_err(|_| QboError::MalformedHeader)?;
    // Decoded on the stack: a longer text than a 32-byte tag's fails to fit and is
    // refused like any other length but 32.
    let mut mac = [0u8; 48];
    let len = STANDARD
        .decode_slice(text.trim(), &mut mac)
        .map_err(|_| QboError::MalformedHeader)?;
    if len != 32 {
        return Err(QboError::MalformedHeader);
    }
    if hmac_sha256_any(secrets, &[body], &mac[..len]) {
        Ok(())
    } else {
        Err(QboError::NoMatch)
    }
}

/// The header Intuit would send for `body` signed with `secret` (test signer for fixtures).
///
/// ```
/// use invoice_connector_quickbooks_online::verify::{sign, verify};
/// use invoice_core::Secret;
/// let s = Secret::new("verifier");
/// let h = sign(&s, b"{}");
/// assert!(verify(Some(h.as_bytes()), b"{}", &[s]).is_ok());
/// ```
pub fn sign(secret: &Secret, body: &[u8]) -> String {
    STANDARD.encode(hmac_sha256(secret.expose(), &[body]))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The vector in Intuit's Java SDK (`WebhooksServiceTest`): token, body and signature
    /// as published.
    #[test]
    fn intuit_published_vector_verifies() {
        let token = Secret::new("b5771f19b12ddb4bcdb9f08bdc50bc63878a");
        let body = br#"{"eventNotifications":[{"realmId":"1185883450","dataChangeEvent":{"entities":[{"name":"Customer","id":"1","operation":"Create","lastUpdated":"2015-10-05T14:42:19-0700"}]}}]}"#;
        let sig = b"JC2GUwciPmRBwEO7WvrRmKqu9tGOKL8FFallocTFi8Q=";
        assert_eq!(
            verify(Some(sig), body, std::slice::from_ref(&token)),
            Ok(())
        );
        assert_eq!(sign(&token, body).as_bytes(), sig);
        assert_eq!(
            verify(Some(b"1234"), body, &[token]),
            Err(QboError::MalformedHeader)
        );
    }

    #[test]
    fn header_grammar_and_rotation() {
        let old = Secret::new("old");
        let new = Secret::new("new");
        let h = sign(&new, b"x");
        assert_eq!(
            verify(None, b"x", std::slice::from_ref(&old)),
            Err(QboError::MissingHeader)
        );
        assert_eq!(
            verify(Some(h.as_bytes()), b"x", std::slice::from_ref(&old)),
            Err(QboError::NoMatch)
        );
        assert_eq!(
            verify(Some(h.as_bytes()), b"x", &[old, new.clone()]),
            Ok(())
        );
        let padded = format!(" {h} ");
        assert_eq!(
            verify(Some(padded.as_bytes()), b"x", std::slice::from_ref(&new)),
            Ok(())
        );
        // Longer than a tag, and longer than the stack buffer it is decoded into.
        for n in [33, 48, 64, 200] {
            let long = STANDARD.encode(vec![0u8; n]);
            assert_eq!(
                verify(Some(long.as_bytes()), b"x", std::slice::from_ref(&new)),
                Err(QboError::MalformedHeader)
            );
        }
        let short = STANDARD.encode([0u8; 31]);
        assert_eq!(
            verify(Some(short.as_bytes()), b"x", std::slice::from_ref(&new)),
            Err(QboError::MalformedHeader)
        );
        assert_eq!(
            verify(Some(&[0xff, 0xfe]), b"x", &[new]),
            Err(QboError::MalformedHeader)
        );
    }
}
