//! Producing Standard Webhooks signatures: `v1,<base64 HMAC-SHA256 of "id.timestamp.body">`
//! per secret, and optionally `v1a,<base64 Ed25519>` per signing key, space-separated.

use std::fmt;

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use ed25519_dalek::{Signer as _, SigningKey};
use invoice_core::{verify::hmac_sha256, Secret};

use crate::keys::{self, KeyError};

/// Signs messages with every configured key. `Debug` shows only how many keys there are.
#[derive(Clone)]
pub struct Signer {
    hmac_keys: Vec<Secret>,
    ed25519_keys: Vec<SigningKey>,
}

impl Signer {
    /// A signer from `whsec_` secrets (rotation: list the new one and the old one) and
    /// optional `whsk_` Ed25519 signing keys. At least one key overall is required.
    pub fn new(secrets: &[Secret], signing_keys: &[Secret]) -> Result<Self, KeyError> {
        let hmac_keys = secrets
            .iter()
            .map(keys::hmac_key)
            .collect::<Result<Vec<_>, _>>()?;
        let ed25519_keys = signing_keys
            .iter()
            .map(keys::signing_key)
            .collect::<Result<Vec<_>, _>>()?;
        if hmac_keys.is_empty() && ed25519_keys.is_empty() {
            return Err(KeyError::NoKeys);
        }
        Ok(Signer {
            hmac_keys,
            ed25519_keys,
        })
    }

    /// The `webhook-signature` header value for `id`, `timestamp` and the exact `body`.
    ///
    /// ```
    /// use invoice_core::Secret;
    /// use portal_client::Signer;
    /// // The published Standard Webhooks test vector.
    /// let s = Signer::new(&[Secret::new("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")], &[]).unwrap();
    /// assert_eq!(
    ///     s.sign("msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, br#"{"test": 2432232314}"#),
    ///     "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
    /// );
    /// ```
    pub fn sign(&self, id: &str, timestamp: i64, body: &[u8]) -> String {
        let ts = timestamp.to_string();
        let mut out = Vec::with_capacity(self.hmac_keys.len() + self.ed25519_keys.len());
        for key in &self.hmac_keys {
            let mac = hmac_sha256(
                key.expose(),
                &[id.as_bytes(), b".", ts.as_bytes(), b".", body],
            );
            out.push(format!("v1,{}", STANDARD.encode(mac)));
        }
        if !self.ed25519_keys.is_empty() {
            let content = signed_content(id, &ts, body);
            for key in &self.ed25519_keys {
                let sig = key.sign(&content);
                out.push(format!("v1a,{}", STANDARD.encode(sig.to_bytes())));
            }
        }
        out.join(" ")
    }

    /// The `whpk_` public keys a portal needs to check the `v1a` signatures.
    pub fn public_keys(&self) -> Vec<String> {
        self.ed25519_keys
            .iter()
            .map(keys::public_key_text)
            .collect()
    }
}

impl fmt::Debug for Signer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Signer")
            .field("hmac_keys", &self.hmac_keys.len())
            .field("ed25519_keys", &self.ed25519_keys.len())
            .finish()
    }
}

/// `id.timestamp.body`, the bytes every scheme signs.
pub(crate) fn signed_content(id: &str, timestamp: &str, body: &[u8]) -> Vec<u8> {
    let mut v = Vec::with_capacity(id.len() + timestamp.len() + body.len() + 2);
    v.extend_from_slice(id.as_bytes());
    v.push(b'.');
    v.extend_from_slice(timestamp.as_bytes());
    v.push(b'.');
    v.extend_from_slice(body);
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reproduces_the_reference_rust_library_vector() {
        // standard-webhooks/libraries/rust `test_sign`.
        let s = Signer::new(
            &[Secret::new("whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD")],
            &[],
        )
        .unwrap();
        assert_eq!(
            s.sign(
                "msg_27UH4WbU6Z5A5EzD8u03UvzRbpk",
                1649367553,
                br#"{"email":"test@example.com","username":"test_user"}"#
            ),
            "v1,tZ1I4/hDygAJgO5TYxiSd6Sd0kDW6hPenDe+bTa3Kkw="
        );
    }

    #[test]
    fn rotation_signs_with_every_secret_in_order() {
        let s = Signer::new(
            &[
                Secret::new("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"),
                Secret::new("whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD"),
            ],
            &[],
        )
        .unwrap();
        let header = s.sign(
            "msg_p5jXN8AQM9LWM0D4loKWxJek",
            1614265330,
            br#"{"test": 2432232314}"#,
        );
        let parts: Vec<&str> = header.split(' ').collect();
        assert_eq!(parts.len(), 2);
        assert_eq!(parts[0], "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
        assert!(parts[1].starts_with("v1,") && parts[1] != parts[0]);
    }

    #[test]
    fn ed25519_adds_a_v1a_signature() {
        let sk = Secret::new(format!("whsk_{}", STANDARD.encode([9u8; 32])));
        let s = Signer::new(&[], &[sk]).unwrap();
        let header = s.sign("msg_1", 1, b"{}");
        let sig = header.strip_prefix("v1a,").unwrap();
        assert_eq!(STANDARD.decode(sig).unwrap().len(), 64);
        assert_eq!(s.public_keys().len(), 1);
    }

    #[test]
    fn needs_a_key_and_never_prints_one() {
        assert!(Signer::new(&[], &[]).is_err());
        let s = Signer::new(
            &[Secret::new("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")],
            &[],
        )
        .unwrap();
        let dbg = format!("{s:?}");
        assert!(!dbg.contains("MfKQ"), "{dbg}");
    }
}
