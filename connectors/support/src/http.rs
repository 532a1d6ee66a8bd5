//! Small HTTP helpers shared by the connectors' API clients.

use invoice_core::EnrichError;

/// A transient enrichment failure (timeout, 5xx, 429): worth retrying, after
/// `retry_after_secs` when the platform said.
pub fn transient(message: String, retry_after_secs: Option<u64>) -> EnrichError {
    EnrichError::Transient {
        message,
        retry_after_secs,
    }
}

/// `Retry-After` in seconds, when the server gave it as a number of seconds (an HTTP
/// date, or anything else, gives `None`).
pub fn retry_after(headers: &reqwest::header::HeaderMap) -> Option<u64> {
    headers
        .get(reqwest::header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse().ok())
}

#[cfg(test)]
mod tests {
    use super::{retry_after, transient};
    use reqwest::header::{HeaderMap, HeaderValue, RETRY_AFTER};

    fn with(value: &'static str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(RETRY_AFTER, HeaderValue::from_static(value));
        h
    }

    #[test]
    fn seconds_are_read_and_dates_are_not() {
        assert_eq!(retry_after(&with(" 30 ")), Some(30));
        assert_eq!(retry_after(&with("Wed, 21 Oct 2015 07:28:00 GMT")), None);
        assert_eq!(retry_after(&with("-1")), None);
        assert_eq!(retry_after(&HeaderMap::new()), None);
    }

    #[test]
    fn transient_is_transient_with_its_retry_after() {
        let e = transient("timeout".into(), Some(5));
        assert!(e.is_transient());
        assert_eq!(e.to_string(), "transient: timeout");
    }
}
