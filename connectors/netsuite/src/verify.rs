//! `X-NS-Timestamp` + `X-NS-Signature` verification, and the test signer that makes
//! fixtures.
//!
//! The shipped User Event script signs `"<timestamp>." + body` with `N/crypto`
//! (`createSecretKey` from an API secret or credential GUID, `createHmac` SHA256,
//! `update` UTF-8, `digest` HEX) and sends the timestamp and the hex digest in two
//! headers. Hex is accepted in either case (NetSuite's HEX output case is not documented).
//! The signed payload and the window (both ways) are those of
//! [`invoice_core::verify::timestamped`].

use chrono::{DateTime, Utc};
use invoice_core::verify::timestamped::{self, Window};
use invoice_core::Secret;

use crate::error::NetsuiteError;

/// The signature header.
pub const HEADER: &str = "x-ns-signature";
/// The timestamp header.
pub const TIMESTAMP_HEADER: &str = "x-ns-timestamp";

/// Verifies a request: both headers present and well-formed, the signature equal to
/// HMAC-SHA256(secret, "timestamp." + body) for some secret, and the timestamp within
/// `tolerance_secs` of `now` either way.
pub fn verify(
    timestamp: Option<&[u8]>,
    signature: Option<&[u8]>,
    body: &[u8],
    secrets: &[Secret],
    now: DateTime<Utc>,
    tolerance_secs: u64,
) -> Result<i64, NetsuiteError> {
    let (Some(ts_raw), Some(sig)) = (timestamp, signature) else {
        return Err(NetsuiteError::MissingHeader);
    };
    let ts_text = std::str::from_utf8(ts_raw).map_err(|_| NetsuiteError::MalformedHeader)?;
    if ts_text.is_empty() || !ts_text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(NetsuiteError::MalformedHeader);
    }
    let ts: i64 = ts_text
        .parse()
        .map_err(|_| NetsuiteError::MalformedHeader)?;
    let mut mac = [0u8; 32];
    hex::decode_to_slice(sig, &mut mac).map_err(|_| NetsuiteError::MalformedHeader)?;
    if !timestamped::signature_matches(secrets, ts_text.as_bytes(), body, &[mac]) {
        return Err(NetsuiteError::NoMatch);
    }
    timestamped::check_window(ts, now, tolerance_secs, Window::BothWays)
        .map_err(|_| NetsuiteError::Stale)?;
    Ok(ts)
}

/// The `(X-NS-Timestamp, X-NS-Signature)` values the shipped script sends for `body`
/// signed with `secret` at `timestamp` (the test signer for fixtures).
///
/// ```
/// use invoice_connector_netsuite::verify::{sign, verify};
/// use invoice_core::Secret;
/// use chrono::{TimeZone, Utc};
/// let (t, s) = sign(&Secret::new("k"), 1_700_000_000, b"{}");
/// let now = Utc.timestamp_opt(1_700_000_010, 0).unwrap();
/// let ok = verify(Some(t.as_bytes()), Some(s.as_bytes()), b"{}", &[Secret::new("k")], now, 300);
/// assert_eq!(ok, Ok(1_700_000_000));
/// ```
pub fn sign(secret: &Secret, timestamp: i64, body: &[u8]) -> (String, String) {
    (
        timestamp.to_string(),
        timestamped::signature_hex(secret, timestamp, body),
    )
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // tests may unwrap (see the workspace lints)
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn upper_case_hex_verifies_and_bad_headers_are_malformed() {
        let s = Secret::new("k");
        let (t, sig) = sign(&s, 1000, b"b");
        let now = Utc.timestamp_opt(1000, 0).unwrap();
        let upper = sig.to_uppercase();
        let secrets = std::slice::from_ref(&s);
        assert_eq!(
            verify(
                Some(t.as_bytes()),
                Some(upper.as_bytes()),
                b"b",
                secrets,
                now,
                300
            ),
            Ok(1000)
        );
        for (ts, sg) in [("+1000", sig.as_str()), ("", sig.as_str()), ("1000", "zz")] {
            assert_eq!(
                verify(
                    Some(ts.as_bytes()),
                    Some(sg.as_bytes()),
                    b"b",
                    secrets,
                    now,
                    300
                ),
                Err(NetsuiteError::MalformedHeader)
            );
        }
        assert_eq!(
            verify(None, Some(sig.as_bytes()), b"b", secrets, now, 300),
            Err(NetsuiteError::MissingHeader)
        );
    }

    #[test]
    fn window_is_checked_both_ways_and_the_timestamp_is_signed() {
        let s = Secret::new("k");
        let (t, sig) = sign(&s, 1000, b"b");
        let at = |x| Utc.timestamp_opt(x, 0).unwrap();
        let secrets = std::slice::from_ref(&s);
        let check = |ts: &str, now| {
            verify(
                Some(ts.as_bytes()),
                Some(sig.as_bytes()),
                b"b",
                secrets,
                now,
                300,
            )
        };
        assert_eq!(check(&t, at(1300)), Ok(1000));
        assert_eq!(check(&t, at(1301)), Err(NetsuiteError::Stale));
        assert_eq!(check(&t, at(699)), Err(NetsuiteError::Stale));
        assert_eq!(check("1001", at(1000)), Err(NetsuiteError::NoMatch));
    }
}
