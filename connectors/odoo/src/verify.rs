//! `X-Odoo-Signature` verification, and the test signer that makes fixtures.
//!
//! The shipped module (`scripts/invoice_relay/models/invoice_relay.py`) signs
//! `"<t>." + body` with `hmac.new(secret.encode(), ..., hashlib.sha256).hexdigest()` and
//! sends `X-Odoo-Signature: t=<unix seconds>,v1=<lowercase hex>`, the scheme of
//! [`invoice_core::verify::timestamped`].

use chrono::{DateTime, Utc};
use invoice_core::verify::timestamped::{self, Failure, Window};
use invoice_core::Secret;

use crate::error::OdooError;

/// A parsed `X-Odoo-Signature` header: the timestamp and every `v1` signature.
pub use invoice_core::verify::timestamped::Header as SignatureHeader;

/// The header name.
pub const HEADER: &str = "x-odoo-signature";

fn error(failure: Failure) -> OdooError {
    match failure {
        Failure::Malformed => OdooError::MalformedHeader,
        Failure::NoMatch => OdooError::NoMatch,
        Failure::TooOld | Failure::TooNew => OdooError::Stale,
    }
}

/// Parses `t=<unix>,v1=<hex>[,v1=<hex>...]`. Unknown schemes are ignored; no `t` or no
/// usable `v1` is malformed. A `v1` that is not 64 hex digits is ignored (it cannot
/// match).
pub fn parse_header(value: &[u8]) -> Result<SignatureHeader, OdooError> {
    timestamped::parse(value).map_err(error)
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
    let header = header.ok_or(OdooError::Unauthenticated)?;
    timestamped::verify(header, body, secrets, now, tolerance_secs, Window::BothWays).map_err(error)
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
    timestamped::sign(secret, timestamp, body)
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
