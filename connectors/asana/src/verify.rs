//! `X-Hook-Signature` verification, and the test signer that makes fixtures.

use invoice_core::verify::{hmac_sha256, hmac_sha256_any};
use invoice_core::Secret;

use crate::error::AsanaError;

/// The signature header of event deliveries.
pub const HEADER: &str = "x-hook-signature";

/// The handshake header (and its echo in the reply).
pub const HANDSHAKE_HEADER: &str = "x-hook-secret";

/// Verifies `X-Hook-Signature`: lowercase (or uppercase) hex HMAC-SHA256 of the raw body
/// keyed by a hook secret, any configured secret may match.
pub fn verify(header: Option<&[u8]>, body: &[u8], secrets: &[Secret]) -> Result<(), AsanaError> {
    let header = header.ok_or(AsanaError::MissingHeader)?;
    let mut sig = [0u8; 32];
    hex::decode_to_slice(header, &mut sig).map_err(|_| AsanaError::NoMatch)?;
    if hmac_sha256_any(secrets, &[body], &sig) {
        Ok(())
    } else {
        Err(AsanaError::NoMatch)
    }
}

/// The header Asana would send for `body` under `secret` (test signer).
///
/// ```
/// use invoice_connector_asana::verify::{sign, verify};
/// use invoice_core::Secret;
/// let s = Secret::new("b537207f20cbfa02357cf448134da559e8bd39d61597dcd5631b8012eae53e81");
/// let h = sign(&s, br#"{"events":[]}"#);
/// assert!(verify(Some(h.as_bytes()), br#"{"events":[]}"#, &[s]).is_ok());
/// ```
pub fn sign(secret: &Secret, body: &[u8]) -> String {
    hex::encode(hmac_sha256(secret.expose(), &[body]))
}

/// A handshake secret that can be echoed: 1 to 256 visible ASCII characters.
pub fn handshake_secret(value: &[u8]) -> Result<&str, AsanaError> {
    if value.is_empty() || value.len() > 256 || !value.iter().all(|b| b.is_ascii_graphic()) {
        return Err(AsanaError::BadHandshake);
    }
    std::str::from_utf8(value).map_err(|_| AsanaError::BadHandshake)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn known_answer_and_refusals() {
        let s = Secret::new("secret");
        // Computed independently with python3 hmac.
        assert_eq!(
            sign(&s, b"{\"events\":[]}"),
            "a642b59553c93e227ec0f2f38910fbf71231a2197c00899833c00478cec86f34"
        );
        assert_eq!(
            verify(None, b"x", std::slice::from_ref(&s)),
            Err(AsanaError::MissingHeader)
        );
        assert_eq!(
            verify(Some(b"zz"), b"x", std::slice::from_ref(&s)),
            Err(AsanaError::NoMatch)
        );
        let good = sign(&s, b"x");
        assert_eq!(
            verify(Some(good.as_bytes()), b"y", std::slice::from_ref(&s)),
            Err(AsanaError::NoMatch)
        );
        assert_eq!(
            verify(Some(good.to_uppercase().as_bytes()), b"x", &[s]),
            Ok(())
        );
    }

    #[test]
    fn handshake_values() {
        assert!(handshake_secret(b"b537207f20cbfa02").is_ok());
        assert!(handshake_secret(b"").is_err());
        assert!(handshake_secret(b"a b").is_err());
        assert!(handshake_secret(&[b'a'; 257]).is_err());
    }
}
