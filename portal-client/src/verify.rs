//! The receiving side, for portals written in Rust: checks what [`HttpPortalSink`]
//! (or any Standard Webhooks sender) sends.
//!
//! - The signature is computed over the exact body bytes: verify before parsing.
//! - Every `v1` signature in the header is checked against every configured secret with a
//!   constant-time MAC comparison (`verify_slice`); `v1a` ones against every configured
//!   Ed25519 public key. One match is enough (rotation).
//! - `webhook-timestamp` must be within the tolerance (default 5 minutes) of `now`, which
//!   the caller passes in: verification never reads the wall clock.
//! - The returned `id` is the idempotency key: apply each id once.
//!
//! [`HttpPortalSink`]: crate::HttpPortalSink
//!
//! ```
//! use chrono::{TimeZone, Utc};
//! use http::HeaderMap;
//! use invoice_core::Secret;
//! use portal_client::verify::Verifier;
//!
//! // The published Standard Webhooks test vector.
//! let verifier = Verifier::new(&[Secret::new("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")]).unwrap();
//! let mut headers = HeaderMap::new();
//! headers.insert("webhook-id", "msg_p5jXN8AQM9LWM0D4loKWxJek".parse().unwrap());
//! headers.insert("webhook-timestamp", "1614265330".parse().unwrap());
//! headers.insert("webhook-signature", "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=".parse().unwrap());
//! let now = Utc.timestamp_opt(1614265330 + 60, 0).unwrap();
//! let ok = verifier.verify(&headers, br#"{"test": 2432232314}"#, now).unwrap();
//! assert_eq!(ok.id, "msg_p5jXN8AQM9LWM0D4loKWxJek");
//! ```

use std::fmt;

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use chrono::{DateTime, Utc};
use ed25519_dalek::{Signature, VerifyingKey};
use http::HeaderMap;
use invoice_core::verify::{check_timestamp, hmac_sha256_any, TimeCheck};
use invoice_core::Secret;

use crate::headers::{WEBHOOK_ID, WEBHOOK_SIGNATURE, WEBHOOK_TIMESTAMP};
use crate::keys::{self, KeyError};
use crate::sign::signed_content;

/// Default timestamp tolerance, as in the Standard Webhooks reference libraries.
pub const DEFAULT_TOLERANCE_SECS: u64 = 5 * 60;

/// Most signatures looked at in one header (bounds the work an attacker can cause).
const MAX_SIGNATURES: usize = 16;

/// Why a message was rejected. Never contains a secret or a signature.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum VerifyError {
    /// A required header is absent.
    #[error("missing header {0}")]
    MissingHeader(&'static str),
    /// A header is not visible ASCII, or empty.
    #[error("invalid header {0}")]
    InvalidHeader(&'static str),
    /// `webhook-timestamp` is not an integer.
    #[error("invalid timestamp")]
    InvalidTimestamp,
    /// Older than the tolerance allows.
    #[error("timestamp too old")]
    TimestampTooOld,
    /// Newer than the tolerance allows.
    #[error("timestamp too far in the future")]
    TimestampTooNew,
    /// No signature matched any key.
    #[error("no matching signature")]
    NoMatchingSignature,
}

impl VerifyError {
    /// The HTTP status a portal should answer: 400 for malformed headers, 401 otherwise.
    pub fn http_status(&self) -> u16 {
        match self {
            VerifyError::MissingHeader(_)
            | VerifyError::InvalidHeader(_)
            | VerifyError::InvalidTimestamp => 400,
            _ => 401,
        }
    }
}

/// A message that passed verification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    /// `webhook-id`: the idempotency key.
    pub id: String,
    /// `webhook-timestamp` (unix seconds).
    pub timestamp: i64,
    /// Which scheme matched.
    pub scheme: Scheme,
}

/// The signature scheme that matched.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scheme {
    /// `v1`: HMAC-SHA256 with a shared secret.
    HmacSha256,
    /// `v1a`: Ed25519 with a public key.
    Ed25519,
}

/// Verifies Standard Webhooks signatures. `Debug` shows only key counts.
#[derive(Clone)]
pub struct Verifier {
    hmac_keys: Vec<Secret>,
    public_keys: Vec<VerifyingKey>,
    tolerance_secs: u64,
}

impl Verifier {
    /// A verifier for `whsec_` secrets (prefix optional; several during a rotation).
    pub fn new(secrets: &[Secret]) -> Result<Self, KeyError> {
        let hmac_keys = secrets
            .iter()
            .map(keys::hmac_key)
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Verifier {
            hmac_keys,
            public_keys: Vec::new(),
            tolerance_secs: DEFAULT_TOLERANCE_SECS,
        })
    }

    /// Also accepts `v1a` signatures by these `whpk_` Ed25519 public keys.
    pub fn with_public_keys(mut self, keys: &[&str]) -> Result<Self, KeyError> {
        for k in keys {
            self.public_keys.push(keys::public_key(k)?);
        }
        Ok(self)
    }

    /// Sets the timestamp tolerance in seconds (both directions).
    pub fn with_tolerance_secs(mut self, secs: u64) -> Self {
        self.tolerance_secs = secs;
        self
    }

    /// Verifies a request from its headers and exact body bytes, at `now`.
    pub fn verify(
        &self,
        headers: &HeaderMap,
        body: &[u8],
        now: DateTime<Utc>,
    ) -> Result<Verified, VerifyError> {
        let id = header(headers, WEBHOOK_ID)?;
        let ts = header(headers, WEBHOOK_TIMESTAMP)?;
        let sigs = header(headers, WEBHOOK_SIGNATURE)?;
        self.verify_parts(id, ts, sigs, body, now)
    }

    /// Verifies from the three header values and the exact body bytes, at `now`.
    pub fn verify_parts(
        &self,
        id: &str,
        timestamp: &str,
        signatures: &str,
        body: &[u8],
        now: DateTime<Utc>,
    ) -> Result<Verified, VerifyError> {
        if id.is_empty() {
            return Err(VerifyError::InvalidHeader(WEBHOOK_ID));
        }
        let ts: i64 = timestamp
            .trim()
            .parse()
            .map_err(|_| VerifyError::InvalidTimestamp)?;
        match check_timestamp(ts, now, self.tolerance_secs) {
            TimeCheck::Fresh => {}
            TimeCheck::TooOld => return Err(VerifyError::TimestampTooOld),
            TimeCheck::TooNew => return Err(VerifyError::TimestampTooNew),
        }
        let ts_text = ts.to_string();
        let mut matched = None;
        let mut content: Option<Vec<u8>> = None;
        for entry in signatures
            .split(' ')
            .filter(|s| !s.is_empty())
            .take(MAX_SIGNATURES)
        {
            let Some((version, b64)) = entry.split_once(',') else {
                continue;
            };
            let Ok(raw) = STANDARD.decode(b64) else {
                continue;
            };
            match version {
                "v1" => {
                    let parts: [&[u8]; 5] = [id.as_bytes(), b".", ts_text.as_bytes(), b".", body];
                    if hmac_sha256_any(&self.hmac_keys, &parts, &raw) && matched.is_none() {
                        matched = Some(Scheme::HmacSha256);
                    }
                }
                "v1a" => {
                    let Ok(sig) = Signature::from_slice(&raw) else {
                        continue;
                    };
                    let msg = content.get_or_insert_with(|| signed_content(id, &ts_text, body));
                    let ok = self
                        .public_keys
                        .iter()
                        .any(|k| k.verify_strict(msg, &sig).is_ok());
                    if ok && matched.is_none() {
                        matched = Some(Scheme::Ed25519);
                    }
                }
                _ => {}
            }
        }
        match matched {
            Some(scheme) => Ok(Verified {
                id: id.to_owned(),
                timestamp: ts,
                scheme,
            }),
            None => Err(VerifyError::NoMatchingSignature),
        }
    }
}

fn header<'a>(headers: &'a HeaderMap, name: &'static str) -> Result<&'a str, VerifyError> {
    let v = headers.get(name).ok_or(VerifyError::MissingHeader(name))?;
    let s = v.to_str().map_err(|_| VerifyError::InvalidHeader(name))?;
    if s.trim().is_empty() {
        return Err(VerifyError::InvalidHeader(name));
    }
    Ok(s)
}

impl fmt::Debug for Verifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Verifier")
            .field("hmac_keys", &self.hmac_keys.len())
            .field("public_keys", &self.public_keys.len())
            .field("tolerance_secs", &self.tolerance_secs)
            .finish()
    }
}
