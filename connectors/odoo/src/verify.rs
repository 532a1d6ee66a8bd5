//! `X-Odoo-Signature` verification, and the test signer that makes fixtures.
//!
//! The shipped module (`scripts/invoice_relay/models/invoice_relay.py`) signs
//! `"<t>." + body` with `hmac.new(secret.encode(), ..., hashlib.sha256).hexdigest()` and
//! sends `X-Odoo-Signature: t=<unix seconds>,v1=<lowercase hex>`.

use chrono::{DateTime, Utc};
use invoice_core::verify::{check_timestamp, hmac_sha256, hmac_sha256_any, TimeCheck};
use invoice_core::Secret;

use crate::error::OdooError;

/// The header name.
pub const HEADER: &str = "x-odoo-signature";

/// A parsed `X-Odoo-Signature` header: the timestamp and every `v1` signature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignatureHeader {
    /// `t=`.
    pub timestamp: i64,
    /// Each `v1=`, hex-decoded.
    pub v1: Vec<[u8; 32]>,
}

/// Parses `t=<unix>,v1=<hex>[,v1=<hex>...]`. Unknown schemes are ignored; no `t` or no
/// usable `v1` is malformed. A `v1` that is not 64 hex digits is ignored (it cannot
/// match).
pub fn parse_header(value: &[u8]) -> Result<SignatureHeader, OdooError> {
    let value = std::str::from_utf8(value).map_err(|_| OdooError::MalformedHeader)?;
    let mut timestamp = None;
    let mut v1 = Vec::new();
    for item in value.split(',') {
        let Some((k, v)) = item.trim().split_once('=') else {
            continue;
        };
        match k {
            "t" => timestamp = Some(v.parse::<i64>().map_err(|_| OdooError::MalformedHeader)?),
            "v1" => {
                let mut sig = [0u8; 32];
                if hex::decode_to_slice(v, &mut sig).is_ok() {
                    v1.push(sig);
                }
            }
            _ => {}
        }
    }
    match timestamp {
        Some(timestamp) if !v1.is_empty() => Ok(SignatureHeader { timestamp, v1 }),
        _ => Err(OdooError::MalformedHeader),
    }
}

/// Verifies a request: header present and well-formed, some `v1` equal to
/// HMAC-SHA256(secret, "t." + body) for some secret, and `t` within `tolerance_secs` of
/// `now` either way (a future `t` would stretch the replay window, so it is refused).
pub fn verify(
    header: Option<&[u8]>,
    body: &[u8],
    secrets: &[Secret],
    now: DateTime<Utc>,
    tolerance_secs: u64,
) -> Result<i64, OdooError> {
    let parsed = parse_header(header.ok_or(OdooError::Unauthenticated)?)?;
    let t = parsed.timestamp.to_string();
    let mut matched = false;
    for sig in &parsed.v1 {
        matched |= hmac_sha256_any(secrets, &[t.as_bytes(), b".", body], sig);
    }
    if !matched {
        return Err(OdooError::NoMatch);
    }
    if check_timestamp(parsed.timestamp, now, tolerance_secs) != TimeCheck::Fresh {
        return Err(OdooError::Stale);
    }
    Ok(parsed.timestamp)
}

/// The header the shipped module sends for `body` signed with `secret` at `timestamp`
/// (the test signer for fixtures).
///
/// ```
/// use invoice_connector_odoo::verify::{sign_header, verify};
/// use invoice_core::Secret;
/// use chrono::{TimeZone, Utc};
/// let h = sign_header(&Secret::new("s"), 1_700_000_000, b"{}");
/// let now = Utc.timestamp_opt(1_700_000_010, 0).unwrap();
/// assert!(verify(Some(h.as_bytes()), b"{}", &[Secret::new("s")], now, 300).is_ok());
/// ```
pub fn sign_header(secret: &Secret, timestamp: i64, body: &[u8]) -> String {
    let t = timestamp.to_string();
    let mac = hmac_sha256(secret.expose(), &[t.as_bytes(), b".", body]);
    format!("t={t},v1={}", hex::encode(mac))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // tests may unwrap (see the workspace lints)
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn header_grammar() {
        assert_eq!(parse_header(b"v1=00"), Err(OdooError::MalformedHeader));
        assert_eq!(parse_header(b"t=1"), Err(OdooError::MalformedHeader));
        assert_eq!(parse_header(b"t=x,v1=00"), Err(OdooError::MalformedHeader));
        assert_eq!(parse_header(&[0xff]), Err(OdooError::MalformedHeader));
        let two = format!("t=5,v1={},v1={}", "00".repeat(32), "11".repeat(32));
        assert_eq!(parse_header(two.as_bytes()).map(|h| h.v1.len()), Ok(2));
    }

    #[test]
    fn window_is_checked_both_ways() {
        let s = Secret::new("k");
        let h = sign_header(&s, 1000, b"b");
        let at = |t| Utc.timestamp_opt(t, 0).unwrap();
        assert_eq!(
            verify(
                Some(h.as_bytes()),
                b"b",
                std::slice::from_ref(&s),
                at(1300),
                300
            ),
            Ok(1000)
        );
        assert_eq!(
            verify(
                Some(h.as_bytes()),
                b"b",
                std::slice::from_ref(&s),
                at(1301),
                300
            ),
            Err(OdooError::Stale)
        );
        assert_eq!(
            verify(Some(h.as_bytes()), b"b", &[s], at(699), 300),
            Err(OdooError::Stale)
        );
    }
}
