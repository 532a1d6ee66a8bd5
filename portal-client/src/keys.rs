//! Key formats of the Standard Webhooks scheme.
//!
//! - `whsec_<base64>`: a symmetric HMAC-SHA256 key (the prefix is optional, as in the
//!   reference libraries; the base64 part is decoded and its bytes are the key).
//! - `whsk_<base64>`: an Ed25519 signing key (32-byte seed, or 64-byte seed + public key).
//! - `whpk_<base64>`: an Ed25519 public key (32 bytes), what a portal needs to check `v1a`.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use ed25519_dalek::{SigningKey, VerifyingKey};
use invoice_core::Secret;

/// Prefix of a symmetric secret.
pub const SECRET_PREFIX: &str = "whsec_";
/// Prefix of an Ed25519 signing (private) key.
pub const SIGNING_KEY_PREFIX: &str = "whsk_";
/// Prefix of an Ed25519 public key.
pub const PUBLIC_KEY_PREFIX: &str = "whpk_";

/// A key that could not be read. Never contains the key itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum KeyError {
    /// The value is not UTF-8 text.
    #[error("key is not utf-8 text")]
    NotText,
    /// The base64 part does not decode.
    #[error("key is not valid base64 after its prefix")]
    NotBase64,
    /// The decoded key is empty or of a length the scheme does not allow.
    #[error("key has the wrong length ({0} bytes)")]
    WrongLength(usize),
    /// No signing key at all was configured.
    #[error("no signing key configured")]
    NoKeys,
    /// A public key that is not a valid Ed25519 point.
    #[error("public key is not a valid ed25519 key")]
    InvalidPublicKey,
}

/// Decodes a `whsec_<base64>` secret (prefix optional) into the HMAC key bytes.
///
/// ```
/// use invoice_core::Secret;
/// let key = portal_client::keys::hmac_key(&Secret::new("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")).unwrap();
/// assert_eq!(key.expose().len(), 24);
/// ```
pub fn hmac_key(secret: &Secret) -> Result<Secret, KeyError> {
    let text = secret.expose_str().ok_or(KeyError::NotText)?.trim();
    let b64 = text.strip_prefix(SECRET_PREFIX).unwrap_or(text);
    let bytes = STANDARD.decode(b64).map_err(|_| KeyError::NotBase64)?;
    if bytes.is_empty() {
        return Err(KeyError::WrongLength(0));
    }
    Ok(Secret::new(bytes))
}

/// Decodes a `whsk_<base64>` Ed25519 signing key (32-byte seed or 64-byte keypair).
pub fn signing_key(secret: &Secret) -> Result<SigningKey, KeyError> {
    let text = secret.expose_str().ok_or(KeyError::NotText)?.trim();
    let b64 = text.strip_prefix(SIGNING_KEY_PREFIX).unwrap_or(text);
    let bytes = Secret::new(STANDARD.decode(b64).map_err(|_| KeyError::NotBase64)?);
    let raw = bytes.expose();
    if raw.len() != 32 && raw.len() != 64 {
        return Err(KeyError::WrongLength(raw.len()));
    }
    let mut seed = [0u8; 32];
    seed.copy_from_slice(&raw[..32]);
    let key = SigningKey::from_bytes(&seed);
    seed.fill(0);
    if raw.len() == 64 && key.verifying_key().as_bytes()[..] != raw[32..] {
        // The public half does not belong to the seed.
        return Err(KeyError::InvalidPublicKey);
    }
    Ok(key)
}

/// Decodes a `whpk_<base64>` Ed25519 public key.
pub fn public_key(text: &str) -> Result<VerifyingKey, KeyError> {
    let text = text.trim();
    let b64 = text.strip_prefix(PUBLIC_KEY_PREFIX).unwrap_or(text);
    let bytes = STANDARD.decode(b64).map_err(|_| KeyError::NotBase64)?;
    let arr: [u8; 32] = bytes
        .as_slice()
        .try_into()
        .map_err(|_| KeyError::WrongLength(bytes.len()))?;
    VerifyingKey::from_bytes(&arr).map_err(|_| KeyError::InvalidPublicKey)
}

/// The `whpk_<base64>` text of a signing key's public half, to hand to a portal.
pub fn public_key_text(key: &SigningKey) -> String {
    format!(
        "{PUBLIC_KEY_PREFIX}{}",
        STANDARD.encode(key.verifying_key().as_bytes())
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_prefix_is_optional() {
        let a = hmac_key(&Secret::new("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")).unwrap();
        let b = hmac_key(&Secret::new("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")).unwrap();
        assert_eq!(a, b);
    }

    #[test]
    fn bad_secrets_are_errors_without_the_value() {
        let err = hmac_key(&Secret::new("whsec_not base64!!")).unwrap_err();
        assert_eq!(err, KeyError::NotBase64);
        assert!(!err.to_string().contains("not base64!!"));
        assert_eq!(
            hmac_key(&Secret::new("whsec_")).unwrap_err(),
            KeyError::WrongLength(0)
        );
        assert_eq!(
            hmac_key(&Secret::new(vec![0xff, 0xfe])).unwrap_err(),
            KeyError::NotText
        );
    }

    #[test]
    fn signing_key_round_trips_through_public_text() {
        let seed = STANDARD.encode([7u8; 32]);
        let sk = signing_key(&Secret::new(format!("whsk_{seed}"))).unwrap();
        let pk = public_key(&public_key_text(&sk)).unwrap();
        assert_eq!(pk, sk.verifying_key());
        let mut pair = [7u8; 32].to_vec();
        pair.extend_from_slice(sk.verifying_key().as_bytes());
        let sk2 = signing_key(&Secret::new(format!("whsk_{}", STANDARD.encode(&pair)))).unwrap();
        assert_eq!(sk2.verifying_key(), sk.verifying_key());
        pair[40] ^= 1;
        assert_eq!(
            signing_key(&Secret::new(format!("whsk_{}", STANDARD.encode(&pair)))).unwrap_err(),
            KeyError::InvalidPublicKey
        );
        assert_eq!(
            signing_key(&Secret::new(format!("whsk_{}", STANDARD.encode([1u8; 31])))).unwrap_err(),
            KeyError::WrongLength(31)
        );
    }
}
