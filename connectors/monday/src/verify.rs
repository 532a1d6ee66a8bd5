//! The `Authorization` JWT of monday.com app webhooks (HS256, the app's Signing Secret),
//! verified by hand so that time comes from the relay's injected clock, and the test
//! signer that makes fixtures.
//!
//! - the value is the raw token (a `Bearer ` prefix is tolerated);
//! - the JOSE header must say `"alg":"HS256"`: `none` and every other algorithm are
//!   refused before any key is used;
//! - the MAC over `header.payload` is compared in constant time against every secret;
//! - then time: `exp` (if present) must not have passed, `iat` (if present) must be no
//!   older than `tolerance` and no more than `tolerance` in the future; a token with
//!   neither is refused (it would be valid forever).
//!
//! The JWT does not cover the body: it proves the sender and the time, not the bytes.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::{DateTime, Utc};
use invoice_core::verify::{hmac_sha256, hmac_sha256_any};
use invoice_core::Secret;
use serde::Deserialize;

use crate::error::MondayError;

/// The header carrying the JWT.
pub const HEADER: &str = "authorization";

#[derive(Deserialize)]
struct JoseHeader {
    alg: String,
}

/// The claims the relay reads. `shortLivedToken` (an API token) is deliberately not
/// deserialised, so it is never held or logged.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Claims {
    /// The monday.com account: the tenant.
    #[serde(default)]
    pub account_id: Option<u64>,
    /// The user whose action triggered the event.
    #[serde(default)]
    pub user_id: Option<u64>,
    /// Expiry, unix seconds.
    #[serde(default)]
    pub exp: Option<i64>,
    /// Issued at, unix seconds.
    #[serde(default)]
    pub iat: Option<i64>,
}

fn b64(part: &str) -> Result<Vec<u8>, MondayError> {
    URL_SAFE_NO_PAD
        .decode(part)
        .map_err(|_| MondayError::MalformedToken)
}

/// Verifies the header value (see the module docs) and returns the claims.
pub fn verify(
    header: Option<&[u8]>,
    secrets: &[Secret],
    now: DateTime<Utc>,
    tolerance_secs: u64,
) -> Result<Claims, MondayError> {
    let raw = header.ok_or(MondayError::MissingToken)?;
    let text = std::str::from_utf8(raw).map_err(|_| MondayError::MalformedToken)?;
    let token = text
        .get(..7)
        .filter(|p| p.eq_ignore_ascii_case("bearer "))
        .map_or(text, |_| &text[7..])
        .trim();
    let mut parts = token.split('.');
    let (Some(h), Some(p), Some(s), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(MondayError::MalformedToken);
    };
    let jose: JoseHeader =
        serde_json::from_slice(&b64(h)?).map_err(|_| MondayError::MalformedToken)?;
    if jose.alg != "HS256" {
        return Err(MondayError::MalformedToken);
    }
    let sig = b64(s)?;
    if !hmac_sha256_any(secrets, &[h.as_bytes(), b".", p.as_bytes()], &sig) {
        return Err(MondayError::NoMatch);
    }
    let claims: Claims =
        serde_json::from_slice(&b64(p)?).map_err(|_| MondayError::MalformedToken)?;
    let now = i128::from(now.timestamp());
    let tol = i128::from(tolerance_secs);
    if claims.exp.is_none() && claims.iat.is_none() {
        return Err(MondayError::MalformedToken);
    }
    if claims.exp.is_some_and(|exp| now > i128::from(exp)) {
        return Err(MondayError::Stale);
    }
    if let Some(iat) = claims.iat.map(i128::from) {
        if now - iat > tol || iat - now > tol {
            return Err(MondayError::Stale);
        }
    }
    Ok(claims)
}

/// A compact HS256 JWT over `claims_json` (test signer).
///
/// ```
/// use invoice_connector_monday::verify::{sign_jwt, verify};
/// use invoice_core::Secret;
/// use chrono::{TimeZone, Utc};
/// let s = Secret::new("signing-secret");
/// let t = sign_jwt(&s, r#"{"accountId":1,"iat":1700000000,"exp":1700000300}"#);
/// let now = Utc.timestamp_opt(1_700_000_010, 0).unwrap();
/// assert_eq!(verify(Some(t.as_bytes()), &[s], now, 300).unwrap().account_id, Some(1));
/// ```
pub fn sign_jwt(secret: &Secret, claims_json: &str) -> String {
    let h = URL_SAFE_NO_PAD.encode(br#"{"alg":"HS256","typ":"JWT"}"#);
    let p = URL_SAFE_NO_PAD.encode(claims_json.as_bytes());
    let mac = hmac_sha256(secret.expose(), &[h.as_bytes(), b".", p.as_bytes()]);
    format!("{h}.{p}.{}", URL_SAFE_NO_PAD.encode(mac))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(s: i64) -> DateTime<Utc> {
        Utc.timestamp_opt(s, 0).unwrap()
    }

    /// A token made by an independent HS256 implementation (python3 hmac + base64) with
    /// the secret `signing-secret`.
    #[test]
    fn known_answer_token() {
        let t = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJhY2NvdW50SWQiOjQyLCJ1c2VySWQiOjcsImlhdCI6MTcwMDAwMDAwMCwiZXhwIjoxNzAwMDAwMzAwfQ.w2bKvtfKEdH9yx_5Wg8x8Z8QLyJC4WkKCAPi0x8dRM8";
        let s = Secret::new("signing-secret");
        let ours = sign_jwt(
            &s,
            r#"{"accountId":42,"userId":7,"iat":1700000000,"exp":1700000300}"#,
        );
        assert_eq!(ours, t);
        let claims = verify(Some(t.as_bytes()), &[s], at(1_700_000_100), 300).unwrap();
        assert_eq!((claims.account_id, claims.user_id), (Some(42), Some(7)));
    }

    #[test]
    fn alg_none_and_others_are_refused() {
        let s = Secret::new("k");
        let none = format!(
            "{}.{}.",
            URL_SAFE_NO_PAD.encode(br#"{"alg":"none"}"#),
            URL_SAFE_NO_PAD.encode(br#"{"iat":1}"#)
        );
        assert_eq!(
            verify(Some(none.as_bytes()), std::slice::from_ref(&s), at(1), 300),
            Err(MondayError::MalformedToken)
        );
        let good = sign_jwt(&s, r#"{"iat":1}"#);
        let hs512 = good.replacen(
            &URL_SAFE_NO_PAD.encode(br#"{"alg":"HS256","typ":"JWT"}"#),
            &URL_SAFE_NO_PAD.encode(br#"{"alg":"HS512","typ":"JWT"}"#),
            1,
        );
        assert_eq!(
            verify(Some(hs512.as_bytes()), &[s], at(1), 300),
            Err(MondayError::MalformedToken)
        );
    }

    #[test]
    fn time_window() {
        let s = Secret::new("k");
        let t = sign_jwt(&s, r#"{"iat":1000,"exp":1060}"#);
        let v = |now| verify(Some(t.as_bytes()), std::slice::from_ref(&s), at(now), 300);
        assert!(v(1060).is_ok());
        assert_eq!(v(1061), Err(MondayError::Stale));
        assert_eq!(v(600), Err(MondayError::Stale));
        let no_time = sign_jwt(&s, r#"{"accountId":1}"#);
        assert_eq!(
            verify(
                Some(no_time.as_bytes()),
                std::slice::from_ref(&s),
                at(1),
                300
            ),
            Err(MondayError::MalformedToken)
        );
        let bearer = format!("Bearer {t}");
        assert!(verify(Some(bearer.as_bytes()), &[s], at(1000), 300).is_ok());
    }

    #[test]
    fn wrong_secret_and_garbage() {
        let t = sign_jwt(&Secret::new("a"), r#"{"iat":1}"#);
        let b = Secret::new("b");
        assert_eq!(
            verify(Some(t.as_bytes()), std::slice::from_ref(&b), at(1), 300),
            Err(MondayError::NoMatch)
        );
        for g in ["", "a.b", "a.b.c.d", "!!.!!.!!"] {
            assert!(verify(Some(g.as_bytes()), std::slice::from_ref(&b), at(1), 300).is_err());
        }
        assert_eq!(
            verify(None, &[b], at(1), 300),
            Err(MondayError::MissingToken)
        );
    }
}
