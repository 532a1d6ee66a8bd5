//! HTTP Basic credentials, checked on the raw header in constant time (Workday and SAP
//! S/4HANA pushes authenticate this way).

use base64::Engine;
use invoice_core::verify::{constant_time_eq, matches_any_secret};
use invoice_core::{Secret, SourceError};

/// Longest `Authorization` value read.
const MAX_HEADER: usize = 1024;

/// `Authorization: Basic` value for `user` and `password` (the fixtures' signer).
pub fn basic_header(user: &str, password: &Secret) -> String {
    let mut raw = user.as_bytes().to_vec();
    raw.push(b':');
    raw.extend_from_slice(password.expose());
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(raw)
    )
}

/// Verifies HTTP Basic credentials.
pub fn verify_basic(
    headers: &::http::HeaderMap,
    user: &str,
    secrets: &[Secret],
) -> Result<(), SourceError> {
    let v = headers
        .get(::http::header::AUTHORIZATION)
        .ok_or(SourceError::BadSignature("missing Authorization"))?
        .as_bytes();
    if v.len() > MAX_HEADER {
        return Err(SourceError::BadSignature("Authorization too long"));
    }
    // The scheme name is case-insensitive (RFC 9110).
    let encoded = match v.split_at_checked(6) {
        Some((scheme, rest)) if scheme.eq_ignore_ascii_case(b"basic ") => rest,
        _ => return Err(SourceError::BadSignature("Authorization is not Basic")),
    };
    let raw = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim_ascii())
        .map_err(|_| SourceError::BadSignature("Basic credentials are not base64"))?;
    let colon = raw
        .iter()
        .position(|b| *b == b':')
        .ok_or(SourceError::BadSignature("Basic credentials without `:`"))?;
    let user_ok = constant_time_eq(&raw[..colon], user.as_bytes());
    let pass_ok = matches_any_secret(secrets, &raw[colon + 1..]);
    if user_ok & pass_ok {
        Ok(())
    } else {
        Err(SourceError::BadSignature("Basic credentials do not match"))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use ::http::HeaderMap;

    #[test]
    fn basic_checks_user_and_password() {
        let s = [Secret::new("pass-0123456789abcdef")];
        let mut h = HeaderMap::new();
        h.insert(
            ::http::header::AUTHORIZATION,
            basic_header("ISU_INVOICE_RELAY", &s[0]).parse().unwrap(),
        );
        assert!(verify_basic(&h, "ISU_INVOICE_RELAY", &s).is_ok());
        assert!(verify_basic(&h, "OTHER", &s).is_err());
        let lower = basic_header("LOWER", &s[0]).replacen("Basic", "basic", 1);
        h.insert(::http::header::AUTHORIZATION, lower.parse().unwrap());
        assert!(verify_basic(&h, "LOWER", &s).is_ok());
        assert!(verify_basic(&h, "ISU_INVOICE_RELAY", &[Secret::new("x")]).is_err());
        h.insert(::http::header::AUTHORIZATION, "Basic !!!".parse().unwrap());
        assert!(verify_basic(&h, "ISU_INVOICE_RELAY", &s).is_err());
        let long = format!("Basic {}", "A".repeat(MAX_HEADER));
        h.insert(::http::header::AUTHORIZATION, long.parse().unwrap());
        assert!(verify_basic(&h, "ISU_INVOICE_RELAY", &s).is_err());
    }
}
