//! Standard Webhooks verification (the shipped script's default), HTTP Basic (its
//! alternative), and the test signer that makes fixtures.
//!
//! The script signs `"<webhook-id>.<webhook-timestamp>.<body>"` with
//! `GlideCertificateEncryption.generateMac(key, "HmacSHA256", data)`. That API takes the
//! key **base64-encoded** (it decodes it to the raw key bytes: the documented example
//! passes `GlideStringUtil.base64Encode("sample_key")` for the key `sample_key`) and
//! returns the MAC **base64-encoded** (the 32 raw bytes, not hex). So a Standard Webhooks
//! secret `whsec_<base64>` is handed over without its prefix, and a plain key is
//! base64-encoded first; both name the same key bytes here. The data is a string: the
//! script keeps the body pure ASCII (`\uXXXX` escapes) so its byte encoding cannot
//! differ between the MAC and the request.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use chrono::{DateTime, Utc};
use invoice_core::verify::{
    check_timestamp, hmac_sha256, hmac_sha256_any, matches_any_secret, TimeCheck,
};
use invoice_core::Secret;

use crate::error::ServicenowError;

/// The signature header.
pub const SIGNATURE_HEADER: &str = "webhook-signature";
/// The message id header.
pub const ID_HEADER: &str = "webhook-id";
/// The timestamp header.
pub const TIMESTAMP_HEADER: &str = "webhook-timestamp";

/// The key bytes of a configured secret: the base64 after `whsec_`, else the secret's
/// own bytes. `None` for a `whsec_` secret that is not base64.
pub fn key_bytes(secret: &Secret) -> Option<Secret> {
    match secret.expose().strip_prefix(b"whsec_") {
        Some(b64) => STANDARD
            .decode(b64)
            .ok()
            .filter(|k| !k.is_empty())
            .map(Secret::new),
        None => Some(secret.clone()),
    }
}

/// Verifies the Standard Webhooks headers against `keys` (already [`key_bytes`]): some
/// `v1,<base64>` entry of `webhook-signature` equals HMAC-SHA256(key, "id.ts.body") for
/// some key, and `webhook-timestamp` is within `tolerance_secs` of `now` either way.
/// Returns the timestamp.
pub fn verify(
    id: Option<&[u8]>,
    timestamp: Option<&[u8]>,
    signature: Option<&[u8]>,
    body: &[u8],
    keys: &[Secret],
    now: DateTime<Utc>,
    tolerance_secs: u64,
) -> Result<i64, ServicenowError> {
    let (Some(id), Some(ts_raw), Some(sig)) = (id, timestamp, signature) else {
        return Err(ServicenowError::MissingHeader);
    };
    if id.is_empty() || id.len() > 256 {
        return Err(ServicenowError::MalformedHeader);
    }
    let ts_text = std::str::from_utf8(ts_raw).map_err(|_| ServicenowError::MalformedHeader)?;
    if ts_text.is_empty() || ts_text.len() > 19 || !ts_text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(ServicenowError::MalformedHeader);
    }
    let ts: i64 = ts_text
        .parse()
        .map_err(|_| ServicenowError::MalformedHeader)?;
    let sig = std::str::from_utf8(sig).map_err(|_| ServicenowError::MalformedHeader)?;
    let mut readable = false;
    let mut matched = false;
    for entry in sig.split(' ').filter(|e| !e.is_empty()) {
        let Some(b64) = entry.strip_prefix("v1,") else {
            continue;
        };
        let Ok(mac) = STANDARD.decode(b64) else {
            continue;
        };
        readable = true;
        matched |= hmac_sha256_any(keys, &[id, b".", ts_text.as_bytes(), b".", body], &mac);
    }
    if !readable {
        return Err(ServicenowError::MalformedHeader);
    }
    if !matched {
        return Err(ServicenowError::NoMatch);
    }
    if check_timestamp(ts, now, tolerance_secs) != TimeCheck::Fresh {
        return Err(ServicenowError::Stale);
    }
    Ok(ts)
}

/// Verifies `Authorization: Basic <base64(user:password)>` against `user:password`
/// secrets, in constant time.
pub fn verify_basic(
    authorization: Option<&[u8]>,
    credentials: &[Secret],
) -> Result<(), ServicenowError> {
    let Some(value) = authorization else {
        return Err(ServicenowError::MissingHeader);
    };
    let value = std::str::from_utf8(value).map_err(|_| ServicenowError::MalformedHeader)?;
    let (scheme, b64) = value
        .trim()
        .split_once(' ')
        .ok_or(ServicenowError::MalformedHeader)?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return Err(ServicenowError::MalformedHeader);
    }
    let decoded = STANDARD
        .decode(b64.trim())
        .map_err(|_| ServicenowError::MalformedHeader)?;
    if matches_any_secret(credentials, &decoded) {
        Ok(())
    } else {
        Err(ServicenowError::NoMatch)
    }
}

/// The `webhook-signature` value for `body` under `secret` (a configured secret, `whsec_`
/// or plain) with `id` and `timestamp` (the test signer for fixtures). An unreadable
/// `whsec_` secret signs with its own bytes, so the result simply fails verification.
///
/// ```
/// use invoice_connector_servicenow::verify::{key_bytes, sign, verify};
/// use invoice_core::Secret;
/// use chrono::{TimeZone, Utc};
/// let secret = Secret::new("whsec_c2FtcGxlX2tleQ==");
/// let sig = sign(&secret, "msg_1", 1_700_000_000, b"{}");
/// let now = Utc.timestamp_opt(1_700_000_010, 0).unwrap();
/// let keys = [key_bytes(&secret).unwrap()];
/// let ok = verify(Some(b"msg_1"), Some(b"1700000000"), Some(sig.as_bytes()), b"{}", &keys, now, 300);
/// assert_eq!(ok, Ok(1_700_000_000));
/// ```
pub fn sign(secret: &Secret, id: &str, timestamp: i64, body: &[u8]) -> String {
    let key = key_bytes(secret).unwrap_or_else(|| secret.clone());
    let t = timestamp.to_string();
    let mac = hmac_sha256(
        key.expose(),
        &[id.as_bytes(), b".", t.as_bytes(), b".", body],
    );
    format!("v1,{}", STANDARD.encode(mac))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // tests may unwrap (see the workspace lints)
mod tests {
    use super::*;
    use chrono::TimeZone;

    /// The API reference's example inputs: key `GlideStringUtil.base64Encode("sample_key")`,
    /// data `"sample_data"`. The reference prints no output; this is HMAC-SHA256 with key
    /// bytes `sample_key`, computed independently (Python `hmac`), in base64.
    #[test]
    fn generate_mac_reference_example() {
        let key = key_bytes(&Secret::new("whsec_c2FtcGxlX2tleQ==")).unwrap();
        assert_eq!(key.expose(), b"sample_key");
        let mac = hmac_sha256(key.expose(), &[b"sample_data"]);
        assert_eq!(
            STANDARD.encode(mac),
            "4VWUI48lJvmGSF6MYmOVWA9c0hfu55Ur+3e+fUFFFr4="
        );
    }

    #[test]
    fn several_signatures_any_one_verifies_and_junk_is_malformed() {
        let k = Secret::new("k");
        let good = sign(&k, "m", 1000, b"b");
        let now = Utc.timestamp_opt(1000, 0).unwrap();
        let keys = [k];
        let list = format!("v1,AAAA {good} v2,xyz");
        let check = |sig: &str| {
            verify(
                Some(b"m"),
                Some(b"1000"),
                Some(sig.as_bytes()),
                b"b",
                &keys,
                now,
                300,
            )
        };
        assert_eq!(check(&list), Ok(1000));
        assert_eq!(check("v1,AAAA"), Err(ServicenowError::NoMatch));
        assert_eq!(check("v2,abc"), Err(ServicenowError::MalformedHeader));
        assert_eq!(check(""), Err(ServicenowError::MalformedHeader));
        let stale = verify(
            Some(b"m"),
            Some(b"1000"),
            Some(good.as_bytes()),
            b"b",
            &keys,
            Utc.timestamp_opt(1301, 0).unwrap(),
            300,
        );
        assert_eq!(stale, Err(ServicenowError::Stale));
        let other_id = verify(
            Some(b"n"),
            Some(b"1000"),
            Some(good.as_bytes()),
            b"b",
            &keys,
            now,
            300,
        );
        assert_eq!(other_id, Err(ServicenowError::NoMatch));
        let plus = verify(
            Some(b"m"),
            Some(b"+1000"),
            Some(good.as_bytes()),
            b"b",
            &keys,
            now,
            300,
        );
        assert_eq!(plus, Err(ServicenowError::MalformedHeader));
    }

    #[test]
    fn basic_credentials() {
        let creds = [Secret::new("relay:pa:ss"), Secret::new("relay2:x")];
        let h = |s: &str| format!("Basic {}", STANDARD.encode(s));
        assert!(verify_basic(Some(h("relay:pa:ss").as_bytes()), &creds).is_ok());
        assert!(verify_basic(Some(h("relay2:x").as_bytes()), &creds).is_ok());
        assert_eq!(
            verify_basic(Some(h("relay:pa:sS").as_bytes()), &creds),
            Err(ServicenowError::NoMatch)
        );
        assert_eq!(
            verify_basic(Some(b"Bearer abc"), &creds),
            Err(ServicenowError::MalformedHeader)
        );
        assert_eq!(
            verify_basic(None, &creds),
            Err(ServicenowError::MissingHeader)
        );
        assert!(verify_basic(
            Some(format!("basic  {}", STANDARD.encode("relay2:x")).as_bytes()),
            &creds
        )
        .is_ok());
    }
}
