//! The key check, and the test signer that puts a key where Dataverse would.
//!
//! Dataverse signs nothing. A webhook registration carries a static key in one of three
//! places (`register-web-hook.md`, "Authentication options"): **WebhookKey** appends
//! `?code=<value>`, **HttpQueryString** appends `?<name>=<value>` pairs, **HttpHeader**
//! adds `<name>: <value>` headers. The key is compared as a whole, in constant time,
//! against every configured secret; both the percent-decoded and the raw query value are
//! tried (Dataverse's encoding of unusual characters in keys is not documented). The
//! body is not covered by anything: TLS protects it in transit, and a leaked key lets its
//! holder post anything, so keep keys long and rotate them.

use invoice_core::verify::matches_any_secret;
use invoice_core::{Secret, WebhookRequest};

use crate::config::AuthMode;
use crate::error::DynamicsError;

/// Where the key is read from: the mode and the (lower-case header or query) name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyLocation {
    /// The mode.
    pub mode: AuthMode,
    /// The header name (lower case) or query parameter name.
    pub name: String,
}

/// Checks the request's key against `secrets`.
///
/// - a missing key is [`DynamicsError::MissingKey`];
/// - a key equal to no secret is [`DynamicsError::NoMatch`]; a repeated query parameter or
///   header must match as a whole in every occurrence (no "one of them is right").
pub fn verify(
    request: &WebhookRequest,
    location: &KeyLocation,
    secrets: &[Secret],
) -> Result<(), DynamicsError> {
    let candidates: Vec<Vec<Vec<u8>>> = match location.mode {
        AuthMode::HttpHeader => request
            .headers()
            .get_all(location.name.as_str())
            .iter()
            .map(|v| vec![v.as_bytes().to_vec()])
            .collect(),
        AuthMode::WebhookKey | AuthMode::HttpQueryString => {
            query_values(request.uri().query().unwrap_or(""), &location.name)
        }
    };
    if candidates.is_empty() {
        return Err(DynamicsError::MissingKey(location.name.clone()));
    }
    let mut all = true;
    for forms in &candidates {
        let mut one = false;
        for form in forms {
            one |= !form.is_empty() && matches_any_secret(secrets, form);
        }
        all &= one;
    }
    if all {
        Ok(())
    } else {
        Err(DynamicsError::NoMatch)
    }
}

/// Every value of `name` in `query`, each as its decoded and raw forms.
fn query_values(query: &str, name: &str) -> Vec<Vec<Vec<u8>>> {
    let mut out = Vec::new();
    for pair in query.split('&') {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        let key: String = form_urlencoded::parse(format!("{k}=").as_bytes())
            .next()
            .map(|(k, _)| k.into_owned())
            .unwrap_or_default();
        if key != name {
            continue;
        }
        let decoded: String = form_urlencoded::parse(format!("x={v}").as_bytes())
            .next()
            .map(|(_, v)| v.into_owned())
            .unwrap_or_default();
        out.push(vec![decoded.into_bytes(), v.as_bytes().to_vec()]);
    }
    out
}

/// Puts `secret` where `location` says, as Dataverse does (the test signer): replaces the
/// header, or the query parameter (percent-encoded, other parameters kept in order).
///
/// ```
/// use invoice_connector_dynamics365::verify::{sign, verify, KeyLocation};
/// use invoice_connector_dynamics365::AuthMode;
/// use invoice_core::Secret;
/// let mut req = http::Request::builder().uri("/webhooks/dynamics365?x=1")
///     .body(invoice_core::reexports::bytes::Bytes::new()).unwrap();
/// let at = KeyLocation { mode: AuthMode::WebhookKey, name: "code".into() };
/// sign(&mut req, &at, &Secret::new("k/+=="));
/// assert_eq!(req.uri().query(), Some("x=1&code=k%2F%2B%3D%3D"));
/// assert!(verify(&req, &at, &[Secret::new("k/+==")]).is_ok());
/// ```
pub fn sign(request: &mut WebhookRequest, location: &KeyLocation, secret: &Secret) {
    match location.mode {
        AuthMode::HttpHeader => {
            if let (Ok(name), Ok(value)) = (
                http::HeaderName::from_bytes(location.name.as_bytes()),
                http::HeaderValue::from_bytes(secret.expose()),
            ) {
                request.headers_mut().insert(name, value);
            }
        }
        AuthMode::WebhookKey | AuthMode::HttpQueryString => {
            let uri = request.uri();
            let path = uri.path().to_owned();
            let mut kept: Vec<&str> = uri
                .query()
                .unwrap_or("")
                .split('&')
                .filter(|p| !p.is_empty())
                .filter(|p| p.split_once('=').map_or(*p, |(k, _)| k) != location.name)
                .collect();
            let encoded: String = form_urlencoded::Serializer::new(String::new())
                .append_pair(&location.name, &String::from_utf8_lossy(secret.expose()))
                .finish();
            kept.push(&encoded);
            let target = format!("{path}?{}", kept.join("&"));
            if let Ok(new_uri) = target.parse() {
                *request.uri_mut() = new_uri;
            }
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // tests may unwrap (see the workspace lints)
mod tests {
    use super::*;
    use invoice_core::reexports::bytes::Bytes;

    fn req(uri: &str, header: Option<&str>) -> WebhookRequest {
        let mut b = http::Request::builder().method("POST").uri(uri);
        if let Some(h) = header {
            b = b.header("x-invoice-relay-key", h);
        }
        b.body(Bytes::new()).unwrap()
    }

    fn at(mode: AuthMode, name: &str) -> KeyLocation {
        KeyLocation {
            mode,
            name: name.into(),
        }
    }

    #[test]
    fn each_mode_reads_its_own_place_only() {
        let s = [Secret::new("k1"), Secret::new("k2")];
        let code = at(AuthMode::WebhookKey, "code");
        let query = at(AuthMode::HttpQueryString, "key");
        let header = at(AuthMode::HttpHeader, "x-invoice-relay-key");
        assert!(verify(&req("/w?code=k2", None), &code, &s).is_ok());
        assert!(verify(&req("/w?key=k1&code=zz", None), &query, &s).is_ok());
        assert!(verify(&req("/w", Some("k1")), &header, &s).is_ok());
        // A key in the wrong place is missing, not matched.
        assert_eq!(
            verify(&req("/w?key=k1", Some("k1")), &code, &s),
            Err(DynamicsError::MissingKey("code".into()))
        );
        assert_eq!(
            verify(&req("/w?code=k1", None), &header, &s),
            Err(DynamicsError::MissingKey("x-invoice-relay-key".into()))
        );
    }

    #[test]
    fn wrong_empty_prefix_and_repeated_keys_are_refused() {
        let s = [Secret::new("secret-key")];
        let code = at(AuthMode::WebhookKey, "code");
        for uri in [
            "/w?code=",
            "/w?code=secret",
            "/w?code=secret-keyX",
            "/w?code=SECRET-KEY",
            "/w?code=secret-key&code=other",
            "/w?code=other&code=secret-key",
        ] {
            assert_eq!(
                verify(&req(uri, None), &code, &s),
                Err(DynamicsError::NoMatch),
                "{uri}"
            );
        }
        assert!(verify(&req("/w?code=secret%2Dkey", None), &code, &s).is_ok());
    }

    #[test]
    fn sign_replaces_an_existing_key_and_keeps_other_parameters() {
        let code = at(AuthMode::WebhookKey, "code");
        let mut r = req("/webhooks/dynamics365/org?code=old&x=1", None);
        sign(&mut r, &code, &Secret::new("new"));
        assert_eq!(r.uri().query(), Some("x=1&code=new"));
        assert_eq!(r.uri().path(), "/webhooks/dynamics365/org");
    }
}
