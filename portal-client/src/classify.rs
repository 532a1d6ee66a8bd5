//! Turning the portal's answer (or the lack of one) into a [`Receipt`] or a
//! [`DeliveryError`] the outbox understands.
//!
//! | answer | result |
//! | --- | --- |
//! | 2xx | `Ok(Receipt { duplicate: false })` |
//! | 409 | `Ok(Receipt { duplicate: true })`: the portal already has this id |
//! | 408, 429, 5xx | `Retryable`, with `Retry-After` (seconds or HTTP date) when given |
//! | timeout, connection error | `Retryable` |
//! | 3xx | `Permanent`: redirects are not followed; fix the configured URL |
//! | other 4xx (and anything else) | `Permanent` |

use std::time::Duration;

use chrono::{DateTime, NaiveDateTime, Utc};
use http::{HeaderMap, StatusCode};
use invoice_core::{DeliveryError, Receipt};

/// Most bytes of an error response quoted in the message.
pub(crate) const MAX_QUOTED_BODY: usize = 200;

/// Classifies an HTTP answer. `body` is a prefix of the response body, for the message.
pub(crate) fn classify_status(
    status: StatusCode,
    headers: &HeaderMap,
    body: &[u8],
    now: DateTime<Utc>,
) -> Result<Receipt, DeliveryError> {
    let code = status.as_u16();
    if status.is_success() {
        return Ok(Receipt {
            status: code,
            duplicate: false,
        });
    }
    if status == StatusCode::CONFLICT {
        return Ok(Receipt {
            status: code,
            duplicate: true,
        });
    }
    let message = describe(status, body);
    if status == StatusCode::REQUEST_TIMEOUT
        || status == StatusCode::TOO_MANY_REQUESTS
        || status.is_server_error()
    {
        return Err(DeliveryError::Retryable {
            message,
            status: Some(code),
            retry_after: retry_after(headers, now),
        });
    }
    Err(DeliveryError::Permanent {
        message,
        status: Some(code),
    })
}

/// Classifies a transport failure (no HTTP answer). Never mentions the URL.
pub(crate) fn classify_transport(err: &reqwest::Error) -> DeliveryError {
    let what = if err.is_timeout() {
        "timed out"
    } else if err.is_connect() {
        "could not connect"
    } else if err.is_body() || err.is_decode() {
        "response body failed"
    } else if err.is_request() {
        "request failed"
    } else {
        "transport error"
    };
    let mut message = format!("portal {what}");
    // The innermost cause (e.g. "connection refused"), without the URL reqwest adds.
    let mut cause: Option<&dyn std::error::Error> = std::error::Error::source(err);
    let mut last = None;
    while let Some(c) = cause {
        last = Some(c.to_string());
        cause = c.source();
    }
    if let Some(l) = last {
        message.push_str(": ");
        message.push_str(&l);
    }
    DeliveryError::Retryable {
        message,
        status: None,
        retry_after: None,
    }
}

fn describe(status: StatusCode, body: &[u8]) -> String {
    let mut m = format!("portal answered {status}");
    let text = String::from_utf8_lossy(&body[..body.len().min(MAX_QUOTED_BODY)]);
    let text: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let text = text.trim();
    if !text.is_empty() {
        m.push_str(": ");
        m.push_str(text);
    }
    m
}

/// `Retry-After` as a delay: delta-seconds, or an HTTP date (IMF-fixdate, RFC 850 or
/// asctime) relative to `now`. A date in the past is a zero delay; garbage is `None`.
pub(crate) fn retry_after(headers: &HeaderMap, now: DateTime<Utc>) -> Option<Duration> {
    let value = headers
        .get(http::header::RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim();
    parse_retry_after(value, now)
}

pub(crate) fn parse_retry_after(value: &str, now: DateTime<Utc>) -> Option<Duration> {
    if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) {
        // Huge values saturate rather than fail.
        return Some(Duration::from_secs(
            value.parse::<u64>().unwrap_or(u64::MAX),
        ));
    }
    let at = parse_http_date(value)?;
    Some((at - now).to_std().unwrap_or(Duration::ZERO))
}

fn parse_http_date(value: &str) -> Option<DateTime<Utc>> {
    // IMF-fixdate: "Sun, 06 Nov 1994 08:49:37 GMT"; RFC 850: "Sunday, 06-Nov-94 08:49:37 GMT";
    // asctime: "Sun Nov  6 08:49:37 1994".
    const FORMATS: [&str; 3] = [
        "%a, %d %b %Y %H:%M:%S GMT",
        "%A, %d-%b-%y %H:%M:%S GMT",
        "%a %b %e %H:%M:%S %Y",
    ];
    FORMATS
        .iter()
        .find_map(|f| NaiveDateTime::parse_from_str(value, f).ok())
        .map(|n| n.and_utc())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(1994, 11, 6, 8, 49, 0).unwrap()
    }

    fn classify(code: u16, retry: Option<&str>) -> Result<Receipt, DeliveryError> {
        let mut h = HeaderMap::new();
        if let Some(r) = retry {
            h.insert(http::header::RETRY_AFTER, r.parse().unwrap());
        }
        classify_status(StatusCode::from_u16(code).unwrap(), &h, b"", now())
    }

    #[test]
    fn success_and_conflict_are_ok() {
        for code in [200, 201, 202, 204] {
            assert_eq!(
                classify(code, None).unwrap(),
                Receipt {
                    status: code,
                    duplicate: false
                }
            );
        }
        assert!(classify(409, None).unwrap().duplicate);
    }

    #[test]
    fn retryable_codes() {
        for code in [408, 429, 500, 502, 503, 504, 599] {
            let e = classify(code, None).unwrap_err();
            assert!(e.is_retryable(), "{code}");
            assert_eq!(e.status(), Some(code));
        }
    }

    #[test]
    fn permanent_codes() {
        for code in [301, 302, 400, 401, 403, 404, 410, 413, 415, 422] {
            let e = classify(code, None).unwrap_err();
            assert!(!e.is_retryable(), "{code}");
            assert_eq!(e.status(), Some(code));
        }
    }

    #[test]
    fn retry_after_seconds_and_dates() {
        let e = classify(429, Some("120")).unwrap_err();
        assert_eq!(e.retry_after(), Some(Duration::from_secs(120)));
        let e = classify(503, Some("Sun, 06 Nov 1994 08:49:37 GMT")).unwrap_err();
        assert_eq!(e.retry_after(), Some(Duration::from_secs(37)));
        let e = classify(503, Some("Sunday, 06-Nov-94 08:49:30 GMT")).unwrap_err();
        assert_eq!(e.retry_after(), Some(Duration::from_secs(30)));
        let e = classify(503, Some("Sun Nov  6 08:50:00 1994")).unwrap_err();
        assert_eq!(e.retry_after(), Some(Duration::from_secs(60)));
        let e = classify(503, Some("Sat, 05 Nov 1994 08:49:37 GMT")).unwrap_err();
        assert_eq!(e.retry_after(), Some(Duration::ZERO));
        let e = classify(503, Some("soon")).unwrap_err();
        assert_eq!(e.retry_after(), None);
        let e = classify(503, Some("-5")).unwrap_err();
        assert_eq!(e.retry_after(), None);
        let e = classify(429, Some("99999999999999999999999")).unwrap_err();
        assert_eq!(e.retry_after(), Some(Duration::from_secs(u64::MAX)));
    }

    #[test]
    fn error_bodies_are_quoted_briefly_without_control_characters() {
        let body = format!("bad\r\nthing {}", "x".repeat(1000));
        let e = classify_status(
            StatusCode::BAD_REQUEST,
            &HeaderMap::new(),
            body.as_bytes(),
            now(),
        )
        .unwrap_err();
        let m = e.to_string();
        assert!(m.contains("400 Bad Request: bad  thing"), "{m}");
        assert!(m.len() < 300, "{}", m.len());
    }
}
