//! Authentication of both paths, and the test signers that make fixtures.
//!
//! Salesforce signs nothing. Outbound Messages are accepted when one of these holds, in
//! this order:
//! 1. an `X-Relay-Secret` header is present: it must equal a configured secret
//!    (constant time); a present, wrong header is refused even if 2 or 3 would pass;
//! 2. the request came on `/webhooks/salesforce/{org}/{token}` and the relay verified
//!    the token (`ctx.url_token_verified`);
//! 3. the source is configured `network_authenticated` (mutual TLS or an IP allowlist in
//!    front of the relay).
//!
//! The `OrganizationId` allowlist is checked after parsing, in every case.
//!
//! Platform Event callouts are signed by our Apex: `X-Relay-Signature: t=<unix>,v1=<hex>`,
//! HMAC-SHA256 of `"<t>." + raw body` under an event secret
//! (`Crypto.generateMac('hmacSHA256', ...)`), any `v1` may match, 300 s tolerance: the
//! scheme of [`invoice_core::verify::timestamped`], future timestamps accepted.

use chrono::{DateTime, Utc};
use invoice_core::verify::matches_any_secret;
use invoice_core::verify::timestamped::{self, Failure, Window};
use invoice_core::Secret;

use crate::error::SalesforceError;

/// The shared-secret header (Outbound Messages, through a proxy or Named Credential).
pub const SECRET_HEADER: &str = "x-relay-secret";
/// The HMAC header of Platform Event callouts.
pub const SIGNATURE_HEADER: &str = "x-relay-signature";

/// Checks an Outbound Message's authentication (see the module docs for the order).
pub fn check_shared_secret(
    header: Option<&[u8]>,
    secrets: &[Secret],
    url_token_verified: bool,
    network_authenticated: bool,
) -> Result<(), SalesforceError> {
    match header {
        Some(value) if matches_any_secret(secrets, value) => Ok(()),
        Some(_) => Err(SalesforceError::SecretMismatch),
        None if url_token_verified || network_authenticated => Ok(()),
        None => Err(SalesforceError::MissingSecret),
    }
}

/// A parsed `X-Relay-Signature`: the timestamp and every `v1` signature.
pub use invoice_core::verify::timestamped::Header as SignatureHeader;

fn error(failure: Failure) -> SalesforceError {
    match failure {
        Failure::Malformed => SalesforceError::MalformedSignature,
        Failure::NoMatch => SalesforceError::SignatureMismatch,
        // `Window::PastOnly` never answers `TooNew`.
        Failure::TooOld | Failure::TooNew => SalesforceError::TooOld,
    }
}

/// Parses `t=<unix>,v1=<hex>[,v1=<hex>...]`. Unknown keys are ignored; no `t` or no
/// well-formed `v1` is malformed.
pub fn parse_signature(value: &[u8]) -> Result<SignatureHeader, SalesforceError> {
    timestamped::parse(value).map_err(error)
}

/// Verifies a Platform Event callout: header present and well-formed, some `v1` equal to
/// HMAC-SHA256(event secret, `"t." + body`), and `t` not older than `tolerance_secs`
/// before `now`. Returns `t`.
pub fn verify_signature(
    header: Option<&[u8]>,
    body: &[u8],
    secrets: &[Secret],
    now: DateTime<Utc>,
    tolerance_secs: u64,
) -> Result<i64, SalesforceError> {
    let header = header.ok_or(SalesforceError::MissingSignature)?;
    timestamped::verify(header, body, secrets, now, tolerance_secs, Window::PastOnly).map_err(error)
}

/// The `X-Relay-Signature` our Apex sends for `body` at `timestamp` (test signer).
///
/// ```
/// use invoice_connector_salesforce::verify::{sign_header, verify_signature};
/// use invoice_core::Secret;
/// use chrono::{TimeZone, Utc};
/// let key = Secret::new("sf-event-key");
/// let h = sign_header(&key, 1_772_700_000, b"{}");
/// let now = Utc.timestamp_opt(1_772_700_005, 0).unwrap();
/// assert_eq!(verify_signature(Some(h.as_bytes()), b"{}", &[key], now, 300), Ok(1_772_700_000));
/// ```
pub fn sign_header(secret: &Secret, timestamp: i64, body: &[u8]) -> String {
    timestamped::sign(secret, timestamp, body)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn shared_secret_order() {
        let s = [Secret::new("0123456789abcdef-secret")];
        assert_eq!(
            check_shared_secret(Some(b"0123456789abcdef-secret"), &s, false, false),
            Ok(())
        );
        // A wrong header is refused even where a URL token or the network vouches.
        assert_eq!(
            check_shared_secret(Some(b"0123456789abcdef-secreT"), &s, true, true),
            Err(SalesforceError::SecretMismatch)
        );
        assert_eq!(
            check_shared_secret(None, &s, false, false),
            Err(SalesforceError::MissingSecret)
        );
        assert_eq!(check_shared_secret(None, &s, true, false), Ok(()));
        assert_eq!(check_shared_secret(None, &[], false, true), Ok(()));
        // No secrets configured: any header value is wrong.
        assert_eq!(
            check_shared_secret(Some(b""), &[], true, true),
            Err(SalesforceError::SecretMismatch)
        );
    }

    #[test]
    fn signature_grammar_and_window() {
        assert_eq!(
            parse_signature(b"v1=00"),
            Err(SalesforceError::MalformedSignature)
        );
        assert_eq!(
            parse_signature(b"t=1,v1=zz"),
            Err(SalesforceError::MalformedSignature)
        );
        assert_eq!(
            parse_signature(&[0xff]),
            Err(SalesforceError::MalformedSignature)
        );
        let k = Secret::new("k");
        let h = sign_header(&k, 1000, b"b");
        let ok = Utc.timestamp_opt(1300, 0).unwrap();
        let late = Utc.timestamp_opt(1301, 0).unwrap();
        assert_eq!(
            verify_signature(Some(h.as_bytes()), b"b", std::slice::from_ref(&k), ok, 300),
            Ok(1000)
        );
        assert_eq!(
            verify_signature(
                Some(h.as_bytes()),
                b"b",
                std::slice::from_ref(&k),
                late,
                300
            ),
            Err(SalesforceError::TooOld)
        );
        assert_eq!(
            verify_signature(Some(h.as_bytes()), b"c", &[k], ok, 300),
            Err(SalesforceError::SignatureMismatch)
        );
        assert_eq!(
            verify_signature(Some(h.as_bytes()), b"b", &[], ok, 300),
            Err(SalesforceError::SignatureMismatch)
        );
    }
}
