//! `Stripe-Signature` verification, and the test signer that makes fixtures; the scheme
//! is [`invoice_core::verify::timestamped`] with future timestamps accepted.

use chrono::{DateTime, Utc};
use invoice_core::verify::timestamped::{self, Failure, Window};
use invoice_core::Secret;

use crate::error::StripeError;

/// A parsed `Stripe-Signature` header: the timestamp and every `v1` signature.
pub use invoice_core::verify::timestamped::Header as SignatureHeader;

/// The header name.
pub const HEADER: &str = "stripe-signature";

fn error(failure: Failure) -> StripeError {
    match failure {
        Failure::Malformed => StripeError::MalformedHeader,
        Failure::NoMatch => StripeError::NoMatch,
        // `Window::PastOnly` never answers `TooNew`.
        Failure::TooOld | Failure::TooNew => StripeError::TooOld,
    }
}

/// Parses `t=<unix>,v1=<hex>[,v1=<hex>...][,v0=...]`. Unknown schemes are ignored; no `t`
/// or no `v1` is malformed. A `v1` that is not 64 hex digits is ignored (it cannot match).
pub fn parse_header(value: &[u8]) -> Result<SignatureHeader, StripeError> {
    timestamped::parse(value).map_err(error)
}

/// Verifies a request: header present and well-formed, some `v1` equal to
/// HMAC-SHA256(secret, "t." + body) for some secret, and the timestamp not older than
/// `tolerance_secs` before `now` (future timestamps are accepted, as Stripe's SDKs do).
pub fn verify(
    header: Option<&[u8]>,
    body: &[u8],
    secrets: &[Secret],
    now: DateTime<Utc>,
    tolerance_secs: u64,
) -> Result<i64, StripeError> {
    let header = header.ok_or(StripeError::MissingHeader)?;
    timestamped::verify(header, body, secrets, now, tolerance_secs, Window::PastOnly).map_err(error)
}

/// The header Stripe would send for `body` signed with `secret` at `timestamp` (test
/// signer for fixtures).
///
/// ```
/// use invoice_connector_stripe::verify::{sign_header, verify};
/// use invoice_core::Secret;
/// use chrono::{TimeZone, Utc};
/// let h = sign_header(&Secret::new("whsec_x"), 1_700_000_000, b"{}");
/// let now = Utc.timestamp_opt(1_700_000_010, 0).unwrap();
/// assert!(verify(Some(h.as_bytes()), b"{}", &[Secret::new("whsec_x")], now, 300).is_ok());
/// ```
pub fn sign_header(secret: &Secret, timestamp: i64, body: &[u8]) -> String {
    timestamped::sign(secret, timestamp, body)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    /// The header published in stripe-dotnet's tests parses as Stripe means it: one
    /// timestamp, one v1, the v0 ignored.
    #[test]
    fn published_header_parses() {
        let h = parse_header(
            b"t=1533204620,v1=2220f87ef101a04665f11cdf770523143f875572008577fa0f20882ddb9cc3c7,v0=abc",
        )
        .unwrap();
        assert_eq!(h.timestamp, 1533204620);
        assert_eq!(h.v1.len(), 1);
    }

    #[test]
    fn header_grammar() {
        assert_eq!(parse_header(b"v1=00"), Err(StripeError::MalformedHeader));
        assert_eq!(parse_header(b"t=1"), Err(StripeError::MalformedHeader));
        assert_eq!(
            parse_header(b"t=x,v1=00"),
            Err(StripeError::MalformedHeader)
        );
        assert_eq!(
            parse_header(b"t=1,v1=zz"),
            Err(StripeError::MalformedHeader)
        );
        assert_eq!(
            parse_header(&[0xff, 0xfe]),
            Err(StripeError::MalformedHeader)
        );
        let two = format!("t=5,v1={},v1={}", "00".repeat(32), "11".repeat(32));
        assert_eq!(parse_header(two.as_bytes()).unwrap().v1.len(), 2);
    }

    #[test]
    fn any_v1_matches_and_old_is_refused() {
        let s = Secret::new("whsec_a");
        let good = sign_header(&s, 1000, b"body");
        let header = format!("t=1000,v1={},{}", "ab".repeat(32), &good[7..]);
        let now = Utc.timestamp_opt(1100, 0).unwrap();
        assert_eq!(
            verify(
                Some(header.as_bytes()),
                b"body",
                std::slice::from_ref(&s),
                now,
                300
            ),
            Ok(1000)
        );
        let late = Utc.timestamp_opt(1301, 0).unwrap();
        assert_eq!(
            verify(Some(good.as_bytes()), b"body", &[s], late, 300),
            Err(StripeError::TooOld)
        );
    }
}
