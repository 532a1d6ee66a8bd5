//! PayPal REST webhook signatures, and the test signer that makes fixtures.
//!
//! PayPal signs, with the private key of the certificate at `PAYPAL-CERT-URL`, the UTF-8
//! string `<transmission id>|<transmission time>|<webhook id>|<crc32>`, where the webhook id
//! is the subscriber's own (configuration, not a header) and the CRC-32 (zlib) of the raw
//! body bytes is printed as an unsigned decimal. The algorithm is `SHA256withRSA`
//! (RSASSA-PKCS1-v1_5 with SHA-256); the signature travels base64 in
//! `PAYPAL-TRANSMISSION-SIG`.

use base64::Engine;
use http::HeaderMap;
use invoice_core::Secret;
use rsa::{Pkcs1v15Sign, RsaPrivateKey, RsaPublicKey};
use sha2::{Digest, Sha256};

use crate::error::PaypalError;

/// `PAYPAL-TRANSMISSION-SIG`: the signature header.
pub const HEADER: &str = "paypal-transmission-sig";
/// `PAYPAL-TRANSMISSION-ID`.
pub const TRANSMISSION_ID: &str = "paypal-transmission-id";
/// `PAYPAL-TRANSMISSION-TIME`.
pub const TRANSMISSION_TIME: &str = "paypal-transmission-time";
/// `PAYPAL-CERT-URL`.
pub const CERT_URL: &str = "paypal-cert-url";
/// `PAYPAL-AUTH-ALGO`.
pub const AUTH_ALGO: &str = "paypal-auth-algo";
/// The only algorithm PayPal uses.
pub const SHA256_WITH_RSA: &str = "SHA256withRSA";

/// The transmission headers of one REST webhook request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transmission {
    /// `PAYPAL-TRANSMISSION-ID`.
    pub id: String,
    /// `PAYPAL-TRANSMISSION-TIME`, as sent (it is signed as text).
    pub time: String,
    /// `PAYPAL-TRANSMISSION-SIG`, base64-decoded.
    pub signature: Vec<u8>,
    /// `PAYPAL-TRANSMISSION-SIG` as sent (the verification API wants it so).
    pub signature_b64: String,
    /// `PAYPAL-CERT-URL`.
    pub cert_url: String,
    /// `PAYPAL-AUTH-ALGO`.
    pub auth_algo: String,
}

fn text<'h>(headers: &'h HeaderMap, name: &'static str) -> Result<&'h str, PaypalError> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .ok_or(PaypalError::MissingHeader(name))
}

/// Reads the transmission headers. The signature header is checked first, so a request
/// without one is refused as unsigned; `PAYPAL-AUTH-ALGO`, when present, must be
/// `SHA256withRSA`.
pub fn read_transmission(headers: &HeaderMap) -> Result<Transmission, PaypalError> {
    let signature_b64 = text(headers, HEADER)?;
    let signature = base64::engine::general_purpose::STANDARD
        .decode(signature_b64)
        .map_err(|_| PaypalError::MalformedSignature)?;
    let auth_algo = match headers.get(AUTH_ALGO) {
        None => SHA256_WITH_RSA,
        Some(v) => v
            .to_str()
            .map_err(|_| PaypalError::UnsupportedAlgorithm)?
            .trim(),
    };
    if auth_algo != SHA256_WITH_RSA {
        return Err(PaypalError::UnsupportedAlgorithm);
    }
    Ok(Transmission {
        id: text(headers, TRANSMISSION_ID)?.to_owned(),
        time: text(headers, TRANSMISSION_TIME)?.to_owned(),
        signature,
        signature_b64: signature_b64.to_owned(),
        cert_url: text(headers, CERT_URL)?.to_owned(),
        auth_algo: auth_algo.to_owned(),
    })
}

/// CRC-32 (zlib polynomial) of the raw body.
///
/// ```
/// assert_eq!(invoice_connector_paypal::verify::crc32(b"123456789"), 0xCBF4_3926);
/// ```
pub fn crc32(body: &[u8]) -> u32 {
    crc32fast::hash(body)
}

/// The string PayPal signs: `<transmission id>|<time>|<webhook id>|<crc32 decimal>`.
pub fn signed_string(transmission_id: &str, time: &str, webhook_id: &str, body: &[u8]) -> String {
    format!("{transmission_id}|{time}|{webhook_id}|{}", crc32(body))
}

fn digest(s: &str) -> [u8; 32] {
    Sha256::digest(s.as_bytes()).into()
}

/// Verifies `t`'s signature over `body` with `key` for any of `webhook_ids` (all are
/// tried, so timing does not tell which matched).
pub fn verify_with_key(
    key: &RsaPublicKey,
    t: &Transmission,
    webhook_ids: &[Secret],
    body: &[u8],
) -> Result<(), PaypalError> {
    if webhook_ids.is_empty() {
        return Err(PaypalError::NoWebhookId);
    }
    let mut ok = false;
    for id in webhook_ids.iter().filter_map(Secret::expose_str) {
        let hashed = digest(&signed_string(&t.id, &t.time, id, body));
        ok |= key
            .verify(Pkcs1v15Sign::new::<Sha256>(), &hashed, &t.signature)
            .is_ok();
    }
    if ok {
        Ok(())
    } else {
        Err(PaypalError::NoMatch)
    }
}

/// The base64 `PAYPAL-TRANSMISSION-SIG` PayPal would send for `body` (test signer for
/// fixtures: signing is deterministic, so fixtures can be re-computed).
pub fn sign(
    key: &RsaPrivateKey,
    transmission_id: &str,
    time: &str,
    webhook_id: &str,
    body: &[u8],
) -> Result<String, rsa::Error> {
    let hashed = digest(&signed_string(transmission_id, time, webhook_id, body));
    let sig = key.sign(Pkcs1v15Sign::new::<Sha256>(), &hashed)?;
    Ok(base64::engine::general_purpose::STANDARD.encode(sig))
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::HeaderValue;

    /// The CRC-32 is printed as an unsigned decimal (the Java SDK's vector prints
    /// 3494065244, above `i32::MAX`); the check value of CRC-32 is 0xCBF43926.
    #[test]
    fn crc_is_printed_unsigned() {
        let s = signed_string(
            "tid",
            "2017-03-30T20:04:05Z",
            "96605875FF6516633",
            b"123456789",
        );
        assert_eq!(s, "tid|2017-03-30T20:04:05Z|96605875FF6516633|3421780262");
    }

    fn headers(sig: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(HEADER, HeaderValue::from_str(sig).unwrap());
        h.insert(TRANSMISSION_ID, HeaderValue::from_static("t-1"));
        h.insert(
            TRANSMISSION_TIME,
            HeaderValue::from_static("2026-01-01T00:00:00Z"),
        );
        h.insert(
            CERT_URL,
            HeaderValue::from_static("https://api.paypal.com/c"),
        );
        h
    }

    #[test]
    fn header_grammar() {
        assert!(read_transmission(&headers("AAAA")).is_ok());
        assert_eq!(
            read_transmission(&headers("***")),
            Err(PaypalError::MalformedSignature)
        );
        let mut h = headers("AAAA");
        h.insert(AUTH_ALGO, HeaderValue::from_static("SHA1withRSA"));
        assert_eq!(
            read_transmission(&h),
            Err(PaypalError::UnsupportedAlgorithm)
        );
        let mut h = headers("AAAA");
        h.remove(CERT_URL);
        assert_eq!(
            read_transmission(&h),
            Err(PaypalError::MissingHeader(CERT_URL))
        );
        assert_eq!(
            read_transmission(&HeaderMap::new()),
            Err(PaypalError::MissingHeader(HEADER))
        );
    }
}
