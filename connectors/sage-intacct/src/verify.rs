//! Authentication. Smart Events cannot sign, set headers or add a timestamp: the URL is
//! the only thing an admin controls. A post is accepted when
//! 1. it came on `/webhooks/sage-intacct/{company}/{token}` and the relay verified the
//!    token (`ctx.url_token_verified`), or
//! 2. its query string has `token=<value>` equal (constant time) to a configured secret.
//!
//! Both are checked on the request line, before the body is read. A present but wrong
//! `token` parameter is refused even on a verified path. This proves the sender knows the
//! URL, nothing more: the body is never trusted for state, which is read back from
//! Intacct's API.

use http::Uri;
use invoice_core::verify::matches_any_secret;
use invoice_core::Secret;

use crate::error::IntacctError;

/// The query parameter carrying the token.
pub const TOKEN_PARAM: &str = "token";

/// The raw (undecoded) value of the `token` query parameter, if there is one.
pub fn query_token(uri: &Uri) -> Option<&str> {
    uri.query()?
        .split('&')
        .find_map(|pair| pair.strip_prefix("token="))
}

/// Checks a post's authentication (see the module docs).
pub fn check(uri: &Uri, secrets: &[Secret], url_token_verified: bool) -> Result<(), IntacctError> {
    match query_token(uri) {
        Some(t) if matches_any_secret(secrets, t.as_bytes()) => Ok(()),
        Some(_) => Err(IntacctError::TokenMismatch),
        None if url_token_verified => Ok(()),
        None => Err(IntacctError::MissingToken),
    }
}

/// `uri` with its `token` parameter set to `token` (the test signer; other parameters are
/// kept).
pub fn with_token(uri: &Uri, token: &str) -> Option<Uri> {
    let mut query: Vec<String> = uri
        .query()
        .map(|q| {
            q.split('&')
                .filter(|p| !p.starts_with("token=") && !p.is_empty())
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default();
    query.push(format!("{TOKEN_PARAM}={token}"));
    format!("{}?{}", uri.path(), query.join("&")).parse().ok()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // constant inputs
mod tests {
    use super::*;

    #[test]
    fn token_rules() {
        let s = [Secret::new("si-7Hq2Lx9Vb4Nc8Md1Kf6T")];
        let uri = |q: &str| {
            format!("/webhooks/sage-intacct/acme{q}")
                .parse::<Uri>()
                .unwrap()
        };
        assert_eq!(
            check(&uri("?token=si-7Hq2Lx9Vb4Nc8Md1Kf6T"), &s, false),
            Ok(())
        );
        assert_eq!(
            check(&uri("?a=1&token=si-7Hq2Lx9Vb4Nc8Md1Kf6T"), &s, false),
            Ok(())
        );
        assert_eq!(
            check(&uri("?token=si-7Hq2Lx9Vb4Nc8Md1Kf6t"), &s, true),
            Err(IntacctError::TokenMismatch)
        );
        assert_eq!(check(&uri(""), &s, false), Err(IntacctError::MissingToken));
        assert_eq!(check(&uri(""), &s, true), Ok(()));
        assert_eq!(
            check(&uri("?xtoken=si-7Hq2Lx9Vb4Nc8Md1Kf6T"), &s, false),
            Err(IntacctError::MissingToken)
        );
        assert_eq!(
            check(&uri("?token="), &[], true),
            Err(IntacctError::TokenMismatch)
        );
        let signed = with_token(&uri("?a=1&token=old"), "new-token").unwrap();
        assert_eq!(signed.query(), Some("a=1&token=new-token"));
    }
}
