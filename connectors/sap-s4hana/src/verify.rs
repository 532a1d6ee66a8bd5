//! Authenticating a push, on the raw bytes, before anything is parsed.
//!
//! - HMAC: `X-Relay-Signature: t=<unix seconds>,v1=<hex>[,v1=<hex>]`, the hex being
//!   HMAC-SHA256 of `"<t>." + raw body` under a configured secret's bytes; any `v1` may
//!   match any secret (rotation); `t` must be within the tolerance of the injected clock.
//! - Shared secret: `X-Relay-Token` equal to a configured secret (constant time).
//! - Basic: `Authorization: Basic base64(user:password)`, user equal to `basic_user` and
//!   the password equal to a configured secret (constant time).

use http::HeaderMap;
use invoice_core::verify::matches_any_secret;
use invoice_core::{Secret, SourceError};

pub use invoice_connector_support::relay_signature::{
    sign_header, verify_hmac, HEADER as HMAC_HEADER,
};

/// The shared-secret header.
pub const TOKEN_HEADER: &str = "x-relay-token";

/// Verifies the shared-secret header.
pub fn verify_token(headers: &HeaderMap, secrets: &[Secret]) -> Result<(), SourceError> {
    let v = headers
        .get(TOKEN_HEADER)
        .ok_or(SourceError::BadSignature("missing X-Relay-Token"))?;
    if matches_any_secret(secrets, v.as_bytes()) {
        Ok(())
    } else {
        Err(SourceError::BadSignature("X-Relay-Token does not match"))
    }
}

pub use invoice_connector_support::basic::{basic_header, verify_basic};
