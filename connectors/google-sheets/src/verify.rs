//! `X-Sheets-Signature` verification, and the test signer that makes fixtures.
//!
//! The shipped Apps Script signs `"<t>." + body` (the exact UTF-8 bytes it posts) with
//! `Utilities.computeHmacSha256Signature(bytes, keyBytes)` and sends
//! `X-Sheets-Signature: t=<unix seconds>,v1=<lowercase hex>`. The scheme is Stripe's
//! ([`invoice_core::verify::timestamped`]), so a relay operator reads one grammar for both.

use chrono::{DateTime, Utc};
use invoice_core::verify::timestamped::{self, Failure, Window};
use invoice_core::Secret;

use crate::error::SheetsError;

/// A parsed `X-Sheets-Signature` header: the timestamp and every `v1` signature.
pub use invoice_core::verify::timestamped::Header as SignatureHeader;

/// The header name.
pub const HEADER: &str = "x-sheets-signature";

fn error(failure: Failure) -> SheetsError {
    match failure {
        Failure::Malformed => SheetsError::MalformedHeader,
        Failure::NoMatch => SheetsError::NoMatch,
        Failure::TooOld | Failure::TooNew => SheetsError::Stale,
    }
}

/// Parses `t=<unix>,v1=<hex>[,v1=<hex>...]`. Unknown schemes are ignored; no `t` or no
/// usable `v1` is malformed. A `v1` that is not 64 hex digits is ignored (it cannot
/// match; this is how the classic Apps Script bug, hex of signed bytes with `-` signs,
/// shows up).
pub fn parse_header(value: &[u8]) -> Result<SignatureHeader, SheetsError> {
    timestamped::parse(value).map_err(error)
}

/// Verifies a request: header present and well-formed, some `v1` equal to
/// HMAC-SHA256(secret, "t." + body) for some secret, and `t` within `tolerance_secs` of
/// `now` either way (the script's clock is Google's; a future `t` is a forgery or a
/// replay-window extension, so it is refused too).
pub fn verify(
    header: Option<&[u8]>,
    body: &[u8],
    secrets: &[Secret],
    now: DateTime<Utc>,
    tolerance_secs: u64,
) -> Result<i64, SheetsError> {
    let header = header.ok_or(SheetsError::MissingHeader)?;
    timestamped::verify(header, body, secrets, now, tolerance_secs, Window::BothWays).map_err(error)
}

/// The header the shipped script sends for `body` signed with `secret` at `timestamp`
/// (the test signer for fixtures).
///
/// ```
/// use invoice_connector_google_sheets::verify::{sign_header, verify};
/// use invoice_core::Secret;
/// use chrono::{TimeZone, Utc};
/// let h = sign_header(&Secret::new("s"), 1_700_000_000, b"{}");
/// let now = Utc.timestamp_opt(1_700_000_010, 0).unwrap();
/// assert!(verify(Some(h.as_bytes()), b"{}", &[Secret::new("s")], now, 300).is_ok());
/// ```
pub fn sign_header(secret: &Secret, timestamp: i64, body: &[u8]) -> String {
    timestamped::sign(secret, timestamp, body)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // tests may unwrap (see the workspace lints)
mod tests {
    use super::*;
    use chrono::TimeZone;
    use invoice_core::verify::hmac_sha256;

    #[test]
    fn header_grammar() {
        assert_eq!(parse_header(b"v1=00"), Err(SheetsError::MalformedHeader));
        assert_eq!(parse_header(b"t=1"), Err(SheetsError::MalformedHeader));
        assert_eq!(
            parse_header(b"t=x,v1=00"),
            Err(SheetsError::MalformedHeader)
        );
        assert_eq!(parse_header(&[0xff]), Err(SheetsError::MalformedHeader));
        let two = format!("t=5,v1={},v1={}", "00".repeat(32), "11".repeat(32));
        assert_eq!(parse_header(two.as_bytes()).map(|h| h.v1.len()), Ok(2));
    }

    /// Apps Script returns signed bytes; hex without `(b + 256) % 256` gives `-`-prefixed
    /// digits. That output never verifies.
    #[test]
    fn signed_byte_hex_bug_is_refused() {
        let s = Secret::new("k");
        let mac = hmac_sha256(b"k", &[b"100.", b"{}"]);
        let buggy: String = mac
            .iter()
            .map(|b| {
                // JavaScript's `n.toString(16)` of a signed byte: `-5`, `7f`, `a`.
                let v = i16::from(i8::from_ne_bytes([*b]));
                if v < 0 {
                    format!("-{:x}", -v)
                } else {
                    format!("{v:x}")
                }
            })
            .collect();
        assert!(
            buggy.contains('-'),
            "the vector must contain a negative byte"
        );
        let header = format!("t=100,v1={buggy}");
        let now = Utc.timestamp_opt(100, 0).unwrap();
        assert!(verify(
            Some(header.as_bytes()),
            b"{}",
            std::slice::from_ref(&s),
            now,
            300
        )
        .is_err());
        let good = sign_header(&s, 100, b"{}");
        assert_eq!(
            verify(Some(good.as_bytes()), b"{}", &[s], now, 300),
            Ok(100)
        );
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
            Err(SheetsError::Stale)
        );
        assert_eq!(
            verify(Some(h.as_bytes()), b"b", &[s], at(699), 300),
            Err(SheetsError::Stale)
        );
    }
}
