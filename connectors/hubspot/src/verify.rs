//! HubSpot request signatures, and the test signer that makes fixtures.
//!
//! - **v3** (`X-HubSpot-Signature-v3`): base64 HMAC-SHA256 keyed by the client secret over
//!   `method + uri + body + timestamp`, where `timestamp` is `X-HubSpot-Request-Timestamp`
//!   (epoch milliseconds, as sent) and `uri` is the full public URL with the escapes
//!   HubSpot lists decoded ([`decode_uri`]). Refused outside `tolerance` of `now`, in
//!   both directions (HubSpot's SDKs only check the past; a timestamp far in the future
//!   is as suspect as an old one).
//! - **v1** (`X-HubSpot-Signature`, `X-HubSpot-Signature-Version: v1`): lowercase hex
//!   SHA-256 (a plain hash, not an HMAC) of `client_secret + body`.
//! - **v2**: lowercase hex SHA-256 of `client_secret + method + uri + body`.
//!
//! v1 and v2 cover no time and v1 not even the URL: they are accepted only when the
//! configuration says so, and only when no v3 header is present.

use base64::Engine;
use chrono::{DateTime, Utc};
use invoice_core::verify::{constant_time_eq, hmac_sha256, hmac_sha256_any};
use invoice_core::Secret;
use sha2::{Digest, Sha256};

use crate::error::HubspotError;

/// The v3 signature header.
pub const HEADER_V3: &str = "x-hubspot-signature-v3";
/// The v3 timestamp header (epoch milliseconds).
pub const HEADER_TIMESTAMP: &str = "x-hubspot-request-timestamp";
/// The v1 / v2 signature header.
pub const HEADER_LEGACY: &str = "x-hubspot-signature";
/// Which version `X-HubSpot-Signature` is (`v1`, `v2`).
pub const HEADER_VERSION: &str = "x-hubspot-signature-version";

/// The escapes HubSpot decodes in the URI before signing (v3), with their characters.
const DECODED: [(&str, char); 12] = [
    ("%3A", ':'),
    ("%2F", '/'),
    ("%3F", '?'),
    ("%40", '@'),
    ("%21", '!'),
    ("%24", '$'),
    ("%27", '\''),
    ("%28", '('),
    ("%29", ')'),
    ("%2A", '*'),
    ("%2C", ','),
    ("%3B", ';'),
];

/// Decodes the escapes HubSpot lists (`%3A : %2F / %3F ? %40 @ %21 ! %24 $ %27 ' %28 (
/// %29 ) %2A * %2C , %3B ;`, hex digits in either case); every other escape stays as is.
///
/// ```
/// use invoice_connector_hubspot::verify::decode_uri;
/// assert_eq!(decode_uri("https://x.io/a%3Ab?c=%2f%20"), "https://x.io/a:b?c=/%20");
/// ```
pub fn decode_uri(uri: &str) -> String {
    let mut out = String::with_capacity(uri.len());
    let mut rest = uri;
    while let Some(i) = rest.find('%') {
        out.push_str(&rest[..i]);
        let tail = &rest[i..];
        let hit = tail.get(..3).and_then(|esc| {
            DECODED
                .iter()
                .find(|(e, _)| e.eq_ignore_ascii_case(esc))
                .map(|(_, c)| *c)
        });
        match hit {
            Some(c) => {
                out.push(c);
                rest = &tail[3..];
            }
            None => {
                out.push('%');
                rest = &tail[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// The public URI of a request: `base` (scheme, host, optional path prefix) followed by
/// the request's path and query.
pub fn public_uri(base: &str, request_uri: &http::Uri) -> String {
    let pq = request_uri
        .path_and_query()
        .map(|p| p.as_str())
        .unwrap_or("/");
    format!("{}{pq}", base.trim_end_matches('/'))
}

/// The signature-relevant parts of a request.
#[derive(Debug, Clone, Copy)]
pub struct Signed<'a> {
    /// `POST`.
    pub method: &'a str,
    /// The public URI, if known.
    pub uri: Option<&'a str>,
    /// Raw body.
    pub body: &'a [u8],
    /// `X-HubSpot-Signature-v3`.
    pub v3: Option<&'a [u8]>,
    /// `X-HubSpot-Request-Timestamp`.
    pub timestamp: Option<&'a [u8]>,
    /// `X-HubSpot-Signature`.
    pub legacy: Option<&'a [u8]>,
    /// `X-HubSpot-Signature-Version`.
    pub version: Option<&'a [u8]>,
}

/// Which signature verified a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Version {
    /// v1 (legacy, body only).
    V1,
    /// v2 (legacy, method + URI + body).
    V2,
    /// v3 (timestamped HMAC).
    V3,
}

/// Verifies a request (see the module docs).
pub fn verify(
    req: &Signed<'_>,
    secrets: &[Secret],
    now: DateTime<Utc>,
    tolerance_secs: u64,
    accept_legacy: bool,
) -> Result<Version, HubspotError> {
    if let Some(v3) = req.v3 {
        let ts_raw = req.timestamp.ok_or(HubspotError::BadTimestamp)?;
        let ts_text = std::str::from_utf8(ts_raw).map_err(|_| HubspotError::BadTimestamp)?;
        let ts: i64 = ts_text.parse().map_err(|_| HubspotError::BadTimestamp)?;
        let uri = decode_uri(req.uri.ok_or(HubspotError::NoPublicUrl)?);
        // Decoded on the stack: a signature too long for the buffer is no 32-byte MAC
        // and matches nothing, as before.
        let mut sig = [0u8; 48];
        let len = base64::engine::general_purpose::STANDARD
            .decode_slice(v3, &mut sig)
            .map_err(|_| HubspotError::NoMatch)?;
        let parts: [&[u8]; 4] = [req.method.as_bytes(), uri.as_bytes(), req.body, ts_raw];
        if !hmac_sha256_any(secrets, &parts, &sig[..len]) {
            return Err(HubspotError::NoMatch);
        }
        let now_ms = i128::from(now.timestamp_millis());
        let window = i128::from(tolerance_secs) * 1000;
        if (now_ms - i128::from(ts)).abs() > window {
            return Err(HubspotError::Stale);
        }
        return Ok(Version::V3);
    }
    let legacy = req.legacy.ok_or(HubspotError::MissingSignature)?;
    if !accept_legacy {
        return Err(HubspotError::VersionRefused);
    }
    let mut expected = [0u8; 32];
    hex::decode_to_slice(legacy, &mut expected).map_err(|_| HubspotError::NoMatch)?;
    let version = match req.version.unwrap_or(b"v1") {
        b"v1" => Version::V1,
        b"v2" => Version::V2,
        _ => return Err(HubspotError::VersionRefused),
    };
    let uri = match version {
        Version::V2 => req.uri.ok_or(HubspotError::NoPublicUrl)?,
        _ => "",
    };
    let mut ok = false;
    for s in secrets {
        let digest = match version {
            Version::V2 => sha256(&[s.expose(), req.method.as_bytes(), uri.as_bytes(), req.body]),
            _ => sha256(&[s.expose(), req.body]),
        };
        ok |= constant_time_eq(&digest, &expected);
    }
    if ok {
        Ok(version)
    } else {
        Err(HubspotError::NoMatch)
    }
}

fn sha256(parts: &[&[u8]]) -> [u8; 32] {
    let mut h = Sha256::new();
    for p in parts {
        h.update(p);
    }
    h.finalize().into()
}

/// The v3 signature HubSpot would send (test signer). `uri` is the public URI before
/// decoding; `timestamp_ms` the value of `X-HubSpot-Request-Timestamp`.
///
/// ```
/// use invoice_connector_hubspot::verify::sign_v3;
/// use invoice_core::Secret;
/// // HubSpot's Python SDK test vector.
/// let s = Secret::new("yyyyyyyy-yyyy-yyyy-yyyy-yyyyyyyyyyyy");
/// let sig = sign_v3(&s, "POST", "https://www.example.com/webhook_uri",
///     b"{'example_field':'example_value'}", 1693657560000);
/// assert_eq!(sig, "K36dawei4A+QBNolUOqo7s91KQDWQ5MXZ/QufNYuk/Y=");
/// ```
pub fn sign_v3(secret: &Secret, method: &str, uri: &str, body: &[u8], timestamp_ms: i64) -> String {
    let ts = timestamp_ms.to_string();
    let uri = decode_uri(uri);
    let mac = hmac_sha256(
        secret.expose(),
        &[method.as_bytes(), uri.as_bytes(), body, ts.as_bytes()],
    );
    base64::engine::general_purpose::STANDARD.encode(mac)
}

/// The v1 signature (hex SHA-256 of secret + body).
pub fn sign_v1(secret: &Secret, body: &[u8]) -> String {
    hex::encode(sha256(&[secret.expose(), body]))
}

/// The v2 signature (hex SHA-256 of secret + method + URI + body).
pub fn sign_v2(secret: &Secret, method: &str, uri: &str, body: &[u8]) -> String {
    hex::encode(sha256(&[
        secret.expose(),
        method.as_bytes(),
        uri.as_bytes(),
        body,
    ]))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    const DOC_SECRET: &str = "yyyyyyyy-yyyy-yyyy-yyyy-yyyyyyyyyyyy";
    const DOC_BODY: &str = r#"[{"eventId":1,"subscriptionId":12345,"portalId":62515,"occurredAt":1564113600000,"subscriptionType":"contact.creation","attemptNumber":0,"objectId":123,"changeSource":"CRM","changeFlag":"NEW","appId":54321}]"#;

    fn req<'a>(body: &'a [u8], v3: Option<&'a [u8]>, ts: Option<&'a [u8]>) -> Signed<'a> {
        Signed {
            method: "POST",
            uri: Some("https://www.example.com/webhook_uri"),
            body,
            v3,
            timestamp: ts,
            legacy: None,
            version: None,
        }
    }

    /// HubSpot's published v1 and v2 vectors (developers.hubspot.com v1/v2 request
    /// validation pages).
    #[test]
    fn published_v1_and_v2_vectors() {
        let s = Secret::new(DOC_SECRET);
        assert_eq!(
            sign_v1(&s, DOC_BODY.as_bytes()),
            "232db2615f3d666fe21a8ec971ac7b5402d33b9a925784df3ca654d05f4817de"
        );
        assert_eq!(
            sign_v2(&s, "GET", "https://www.example.com/webhook_uri", b""),
            "eee2dddcc73c94d699f5e395f4b9d454a069a6855fbfa152e91e88823087200e"
        );
    }

    /// The HubSpot SDK v3 vectors (hubspot-api-python and -ruby tests).
    #[test]
    fn published_v3_vectors() {
        let s = Secret::new(DOC_SECRET);
        let body = b"{'example_field':'example_value'}";
        let uri = "https://www.example.com/webhook_uri";
        assert_eq!(
            sign_v3(&s, "POST", uri, body, 1693657560000),
            "K36dawei4A+QBNolUOqo7s91KQDWQ5MXZ/QufNYuk/Y="
        );
        assert_eq!(
            sign_v3(&s, "POST", uri, body, 1700000300000),
            "RnbPH7+UMKVkbV32P8bz450N4M56aPmcru1+D3kSDtw="
        );
    }

    #[test]
    fn v3_window_and_match() {
        let s = Secret::new("k");
        let sig = sign_v3(
            &s,
            "POST",
            "https://www.example.com/webhook_uri",
            b"[]",
            1_000_000,
        );
        let r = req(b"[]", Some(sig.as_bytes()), Some(b"1000000"));
        let at = |ms| Utc.timestamp_millis_opt(ms).unwrap();
        assert_eq!(
            verify(&r, std::slice::from_ref(&s), at(1_200_000), 300, false),
            Ok(Version::V3)
        );
        assert_eq!(
            verify(&r, std::slice::from_ref(&s), at(1_300_001), 300, false),
            Err(HubspotError::Stale)
        );
        assert_eq!(
            verify(&r, std::slice::from_ref(&s), at(0), 300, false),
            Err(HubspotError::Stale)
        );
        let other = req(b"[ ]", Some(sig.as_bytes()), Some(b"1000000"));
        assert_eq!(
            verify(&other, std::slice::from_ref(&s), at(1_000_000), 300, false),
            Err(HubspotError::NoMatch)
        );
        let no_ts = req(b"[]", Some(sig.as_bytes()), None);
        assert_eq!(
            verify(&no_ts, &[s], at(1_000_000), 300, false),
            Err(HubspotError::BadTimestamp)
        );
    }

    #[test]
    fn legacy_only_when_enabled() {
        let s = Secret::new(DOC_SECRET);
        let sig = sign_v1(&s, DOC_BODY.as_bytes());
        let mut r = req(DOC_BODY.as_bytes(), None, None);
        r.legacy = Some(sig.as_bytes());
        r.version = Some(b"v1");
        let now = Utc.timestamp_opt(0, 0).unwrap();
        assert_eq!(
            verify(&r, std::slice::from_ref(&s), now, 300, false),
            Err(HubspotError::VersionRefused)
        );
        assert_eq!(
            verify(&r, std::slice::from_ref(&s), now, 300, true),
            Ok(Version::V1)
        );
        r.version = Some(b"v2");
        assert_eq!(verify(&r, &[s], now, 300, true), Err(HubspotError::NoMatch));
    }

    #[test]
    fn decoding_table() {
        assert_eq!(
            decode_uri("%3a%2F%3F%40%21%24%27%28%29%2A%2C%3B%20%"),
            ":/?@!$'()*,;%20%"
        );
    }
}
