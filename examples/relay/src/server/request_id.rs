//! Request ids: taken from a sane incoming `x-request-id`, else made here; echoed back and
//! put on the request's tracing span.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::OnceLock;

/// The header carrying the id.
pub const HEADER: &str = "x-request-id";

static COUNTER: AtomicU64 = AtomicU64::new(1);
static PREFIX: OnceLock<String> = OnceLock::new();

/// The id for a request: the caller's if it is short and plain, else `<process>-<n>`.
pub fn for_request(headers: &http::HeaderMap) -> String {
    if let Some(v) = headers.get(HEADER).and_then(|v| v.to_str().ok()) {
        if !v.is_empty()
            && v.len() <= 64
            && v.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        {
            return v.to_owned();
        }
    }
    let prefix = PREFIX.get_or_init(|| format!("{:08x}", rand::random::<u32>()));
    format!("{prefix}-{}", COUNTER.fetch_add(1, Ordering::Relaxed))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_plain_ids_and_replaces_others() {
        let mut h = http::HeaderMap::new();
        h.insert(HEADER, "abc-123".parse().unwrap());
        assert_eq!(for_request(&h), "abc-123");
        h.insert(HEADER, "a b\"c".parse().unwrap());
        assert_ne!(for_request(&h), "a b\"c");
        let a = for_request(&http::HeaderMap::new());
        let b = for_request(&http::HeaderMap::new());
        assert_ne!(a, b);
    }
}
