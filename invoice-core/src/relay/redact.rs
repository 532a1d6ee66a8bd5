//! Header redaction for what is stored with a received request.

use http::HeaderMap;

/// Headers that carry secrets, tokens or signatures, by lowercase name or name part.
const SENSITIVE: &[&str] = &[
    "authorization",
    "cookie",
    "signature",
    "secret",
    "token",
    "x-api-key",
    "hmac",
    "webhook-key",
];

/// Header name/value pairs with every sensitive value replaced by `[redacted]`:
/// `Authorization`, cookies, anything naming a signature, secret, token or HMAC, and the
/// connector's own signature header. Non-UTF-8 values are stored lossily.
///
/// ```
/// use http::HeaderMap;
/// let mut h = HeaderMap::new();
/// h.insert("stripe-signature", "t=1,v1=abc".parse().unwrap());
/// h.insert("content-type", "application/json".parse().unwrap());
/// let r = invoice_core::relay::redact_headers(&h, None);
/// assert!(r.contains(&("stripe-signature".to_string(), "[redacted]".to_string())));
/// assert!(r.contains(&("content-type".to_string(), "application/json".to_string())));
/// ```
pub fn redact_headers(
    headers: &HeaderMap,
    signature_header: Option<&str>,
) -> Vec<(String, String)> {
    headers
        .iter()
        .map(|(name, value)| {
            let n = name.as_str();
            let sensitive = SENSITIVE.iter().any(|s| n.contains(s))
                || signature_header.is_some_and(|h| h.eq_ignore_ascii_case(n));
            let v = if sensitive {
                "[redacted]".to_owned()
            } else {
                String::from_utf8_lossy(value.as_bytes()).into_owned()
            };
            (n.to_owned(), v)
        })
        .collect()
}
