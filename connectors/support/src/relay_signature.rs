//! The `X-Relay-Signature` header our own signing scripts send (Workday Studio, the SAP
//! S/4HANA iFlow, the QuickBooks Desktop forwarder): `t=<unix seconds>,v1=<hex>[,v1=<hex>]`,
//! the hex being HMAC-SHA256 of `"<t>." + raw body` under a configured secret's bytes
//! (Stripe's scheme). Any `v1` may match any secret (rotation); `t` must lie within the
//! tolerance of the injected clock.

use chrono::{DateTime, Utc};
use invoice_core::verify::{check_timestamp, hmac_sha256, hmac_sha256_any, TimeCheck};
use invoice_core::{Secret, SourceError};

/// The header's name.
pub const HEADER: &str = "x-relay-signature";
/// Longest header value looked at.
const MAX_HEADER: usize = 1024;

/// The header value signing `body` at `t` with `secret` (what the scripts compute; also
/// the fixtures' signer).
pub fn sign_header(secret: &Secret, t: i64, body: &[u8]) -> String {
    let ts = t.to_string();
    let mac = hmac_sha256(secret.expose(), &[ts.as_bytes(), b".", body]);
    format!("t={ts},v1={}", hex::encode(mac))
}

/// Verifies the header over `body`.
pub fn verify_hmac(
    header: Option<&[u8]>,
    body: &[u8],
    secrets: &[Secret],
    now: DateTime<Utc>,
    tolerance: u64,
) -> Result<(), SourceError> {
    verify_signed_at(header, body, secrets, now, tolerance).map(|_| ())
}

/// Verifies the header over `body`; returns the signed `t`.
///
/// - a missing, over-long or malformed header, a `v1` that is not hex, or no `v1`
///   matching any secret returns `BadSignature`;
/// - a valid signature whose `t` is outside `tolerance` seconds of `now` returns
///   `StaleTimestamp`.
pub fn verify_signed_at(
    header: Option<&[u8]>,
    body: &[u8],
    secrets: &[Secret],
    now: DateTime<Utc>,
    tolerance: u64,
) -> Result<i64, SourceError> {
    let header = header.ok_or(SourceError::BadSignature("missing X-Relay-Signature"))?;
    if header.len() > MAX_HEADER {
        return Err(SourceError::BadSignature("X-Relay-Signature too long"));
    }
    let header = std::str::from_utf8(header)
        .map_err(|_| SourceError::BadSignature("malformed X-Relay-Signature"))?;
    let mut t: Option<&str> = None;
    let mut sigs: Vec<Vec<u8>> = Vec::new();
    for part in header.split(',') {
        let (k, v) = part
            .trim()
            .split_once('=')
            .ok_or(SourceError::BadSignature("malformed X-Relay-Signature"))?;
        match k {
            "t" if t.is_none() => t = Some(v),
            "v1" => {
                sigs.push(hex::decode(v).map_err(|_| SourceError::BadSignature("v1 is not hex"))?)
            }
            _ => return Err(SourceError::BadSignature("malformed X-Relay-Signature")),
        }
    }
    let t = t.ok_or(SourceError::BadSignature("X-Relay-Signature without t"))?;
    if t.is_empty() || t.len() > 12 || !t.bytes().all(|b| b.is_ascii_digit()) {
        return Err(SourceError::BadSignature("t is not unix seconds"));
    }
    let ts: i64 = t
        .parse()
        .map_err(|_| SourceError::BadSignature("t is not unix seconds"))?;
    let mut ok = false;
    for sig in &sigs {
        ok |= hmac_sha256_any(secrets, &[t.as_bytes(), b".", body], sig);
    }
    if !ok {
        return Err(SourceError::BadSignature("no v1 signature matches"));
    }
    match check_timestamp(ts, now, tolerance) {
        TimeCheck::Fresh => Ok(ts),
        TimeCheck::TooOld => Err(SourceError::StaleTimestamp(
            "X-Relay-Signature t is too old",
        )),
        TimeCheck::TooNew => Err(SourceError::StaleTimestamp(
            "X-Relay-Signature t is in the future",
        )),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn hmac_round_trip_rotation_and_window() {
        let now = Utc.timestamp_opt(1_768_381_964, 0).unwrap();
        let old = Secret::new("old-key-0123456789");
        let new = Secret::new("new-key-0123456789");
        let h = sign_header(&new, now.timestamp(), b"{}");
        let both = [old.clone(), new];
        assert!(verify_hmac(Some(h.as_bytes()), b"{}", &both, now, 300).is_ok());
        assert_eq!(
            verify_signed_at(Some(h.as_bytes()), b"{}", &both, now, 300).unwrap(),
            now.timestamp()
        );
        assert!(verify_hmac(Some(h.as_bytes()), b"{} ", &both, now, 300).is_err());
        assert!(verify_hmac(Some(h.as_bytes()), b"{}", &[old], now, 300).is_err());
        let late = now + chrono::Duration::seconds(301);
        assert!(matches!(
            verify_hmac(Some(h.as_bytes()), b"{}", &both, late, 300),
            Err(SourceError::StaleTimestamp(_))
        ));
        for bad in ["", "t=", "v1=00", "t=1,v1=zz", "t=-1,v1=00", "t=1,x=2"] {
            assert!(verify_hmac(Some(bad.as_bytes()), b"{}", &both, now, 300).is_err());
        }
        assert!(verify_hmac(None, b"{}", &both, now, 300).is_err());
    }
}
