//! Secret header comparison, the Zoho Billing style `X-Zoho-Webhook-Signature`, and the
//! test signer.
//!
//! The signature construction is the one Zoho documents for Billing (Subscriptions)
//! webhooks: take every query-string and (URL-decoded) form parameter, sort by name,
//! concatenate `name + value` with no separators, append the raw body if it is not a
//! form, HMAC-SHA256 with the webhook's secret, lowercase hex. Zoho's example:
//! query `subscription_id=90343&name=basic` and body
//! `{"created_date":"2019-03-06","event_id":"5675"}` sign
//! `namebasicsubscription_id90343{"created_date":"2019-03-06","event_id":"5675"}`.

use invoice_core::verify::{hmac_sha256, hmac_sha256_any, matches_any_secret};
use invoice_core::Secret;

use crate::error::ZohoError;

/// The signature header (Zoho Billing's name).
pub const SIGNATURE_HEADER: &str = "x-zoho-webhook-signature";

/// The default secret header.
pub const TOKEN_HEADER: &str = "x-relay-token";

/// The string Zoho signs for a request with `query` (raw, may be empty) and `body`.
pub fn signed_string(query: &str, body: &[u8], body_is_form: bool) -> Vec<u8> {
    let mut params: Vec<(String, String)> = form_urlencoded::parse(query.as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    if body_is_form {
        params.extend(form_urlencoded::parse(body).map(|(k, v)| (k.into_owned(), v.into_owned())));
    }
    params.sort();
    let mut out = Vec::new();
    for (k, v) in params {
        out.extend_from_slice(k.as_bytes());
        out.extend_from_slice(v.as_bytes());
    }
    if !body_is_form {
        out.extend_from_slice(body);
    }
    out
}

/// Verifies `X-Zoho-Webhook-Signature` (hex) for the request parts.
pub fn verify_signature(
    header: &[u8],
    query: &str,
    body: &[u8],
    body_is_form: bool,
    secrets: &[Secret],
) -> Result<(), ZohoError> {
    let mut sig = [0u8; 32];
    hex::decode_to_slice(header, &mut sig).map_err(|_| ZohoError::NoMatch)?;
    let signed = signed_string(query, body, body_is_form);
    if !secrets.is_empty() && hmac_sha256_any(secrets, &[&signed], &sig) {
        Ok(())
    } else {
        Err(ZohoError::NoMatch)
    }
}

/// Compares a secret header value with the configured secrets (constant time).
pub fn verify_token(value: &[u8], secrets: &[Secret]) -> Result<(), ZohoError> {
    if !secrets.is_empty() && matches_any_secret(secrets, value) {
        Ok(())
    } else {
        Err(ZohoError::NoMatch)
    }
}

/// The `X-Zoho-Webhook-Signature` value for a request (test signer).
pub fn sign(secret: &Secret, query: &str, body: &[u8], body_is_form: bool) -> String {
    hex::encode(hmac_sha256(
        secret.expose(),
        &[&signed_string(query, body, body_is_form)],
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Zoho's published example of the signed string.
    #[test]
    fn documented_signed_string() {
        assert_eq!(
            signed_string(
                "subscription_id=90343&name=basic",
                br#"{"created_date":"2019-03-06","event_id":"5675"}"#,
                false
            ),
            br#"namebasicsubscription_id90343{"created_date":"2019-03-06","event_id":"5675"}"#
        );
        assert_eq!(signed_string("b=2", b"a=1&c=%20", true), b"a1b2c ");
    }

    #[test]
    fn signature_and_token() {
        let s = Secret::new("zb-secret");
        let sig = sign(&s, "", b"{}", false);
        assert!(
            verify_signature(sig.as_bytes(), "", b"{}", false, std::slice::from_ref(&s)).is_ok()
        );
        assert_eq!(
            verify_signature(sig.as_bytes(), "", b"{ }", false, std::slice::from_ref(&s)),
            Err(ZohoError::NoMatch)
        );
        assert_eq!(
            verify_signature(sig.as_bytes(), "", b"{}", false, &[]),
            Err(ZohoError::NoMatch)
        );
        assert!(verify_token(b"zb-secret", std::slice::from_ref(&s)).is_ok());
        assert_eq!(verify_token(b"zb-secreT", &[s]), Err(ZohoError::NoMatch));
    }
}
