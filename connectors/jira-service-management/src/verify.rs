//! `X-Hub-Signature` and shared-secret header verification, and the test signer.

use invoice_core::verify::{hmac_sha256, hmac_sha256_any, matches_any_secret};
use invoice_core::Secret;

use crate::error::JsmError;

/// The signature header of admin webhooks with a secret.
pub const HEADER: &str = "x-hub-signature";

/// Verifies `X-Hub-Signature: sha256=<hex>` (HMAC-SHA256 of the raw body; hex in either
/// case), any secret may match.
pub fn verify_signature(header: &[u8], body: &[u8], secrets: &[Secret]) -> Result<(), JsmError> {
    let hex_part = header
        .strip_prefix(b"sha256=")
        .ok_or(JsmError::MalformedHeader)?;
    let mut sig = [0u8; 32];
    hex::decode_to_slice(hex_part, &mut sig).map_err(|_| JsmError::MalformedHeader)?;
    if hmac_sha256_any(secrets, &[body], &sig) {
        Ok(())
    } else {
        Err(JsmError::NoMatch)
    }
}

/// Verifies a shared-secret header value against the configured tokens (constant time).
pub fn verify_token(value: &[u8], tokens: &[Secret]) -> Result<(), JsmError> {
    if !tokens.is_empty() && matches_any_secret(tokens, value) {
        Ok(())
    } else {
        Err(JsmError::NoMatch)
    }
}

/// The `X-Hub-Signature` value Jira would send (test signer).
///
/// ```
/// use invoice_connector_jira_service_management::verify::{sign, verify_signature};
/// use invoice_core::Secret;
/// let s = Secret::new("It's a Secret to Everybody");
/// let h = sign(&s, b"Hello, World!");
/// assert_eq!(h, "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17");
/// assert!(verify_signature(h.as_bytes(), b"Hello, World!", &[s]).is_ok());
/// ```
pub fn sign(secret: &Secret, body: &[u8]) -> String {
    format!(
        "sha256={}",
        hex::encode(hmac_sha256(secret.expose(), &[body]))
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_grammar_and_tokens() {
        let s = Secret::new("k");
        let good = sign(&s, b"x");
        assert_eq!(
            verify_signature(&good.as_bytes()[7..], b"x", std::slice::from_ref(&s)),
            Err(JsmError::MalformedHeader)
        );
        assert_eq!(
            verify_signature(b"sha256=zz", b"x", std::slice::from_ref(&s)),
            Err(JsmError::MalformedHeader)
        );
        assert_eq!(
            verify_signature(good.as_bytes(), b"y", std::slice::from_ref(&s)),
            Err(JsmError::NoMatch)
        );
        assert_eq!(verify_signature(good.as_bytes(), b"x", &[s]), Ok(()));
        let t = [Secret::new("0123456789abcdef")];
        assert!(verify_token(b"0123456789abcdef", &t).is_ok());
        assert_eq!(
            verify_token(b"0123456789abcdeF", &t),
            Err(JsmError::NoMatch)
        );
        assert_eq!(verify_token(b"", &[]), Err(JsmError::NoMatch));
    }
}
