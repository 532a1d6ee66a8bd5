//! What connectors' fuzz targets (`testing::fuzz_ingest`) share: turning raw bytes into a
//! webhook request, and running an ingest future that awaits nothing. Enabled by the
//! `fuzzing` feature, which adds no dependencies, so connectors can keep their fuzz
//! bodies in their public `testing` module.
//!
//! ```
//! use invoice_core::fuzzing::{raw_request, run_ready, HeadEnd};
//! let req = raw_request(b"X-Sig: t=1\r\n\r\n{}", "/webhooks/x", HeadEnd::CrlfOrLf).unwrap();
//! assert_eq!(req.headers()["x-sig"], "t=1");
//! assert_eq!(&req.body()[..], b"{}");
//! assert_eq!(run_ready(async { 7 }), Some(7));
//! ```

use std::future::Future;
use std::task::{Context, Poll, Waker};

use http::{HeaderName, HeaderValue};

use crate::WebhookRequest;

/// Where the request head ends and the body begins.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HeadEnd {
    /// At the first `\r\n\r\n`, else at the first `\n\n`.
    CrlfOrLf,
    /// At the first `\n\n` only.
    Lf,
}

/// A `POST` to `uri` from `data`: the head's lines are `Name: value` headers (a trailing
/// `\r` and white space around the value dropped; lines without `:` or with an invalid
/// name or value skipped), the rest is the body. Without a head end, all of `data` is the
/// body. `None` only when `uri` is not a valid request target.
pub fn raw_request(data: &[u8], uri: &str, head_end: HeadEnd) -> Option<WebhookRequest> {
    let (head, body) = split(data, head_end);
    let mut builder = http::Request::builder().method("POST").uri(uri);
    for line in head.split(|b| *b == b'\n') {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        let Some(colon) = line.iter().position(|b| *b == b':') else {
            continue;
        };
        let (name, value) = (&line[..colon], &line[colon + 1..]);
        if let (Ok(name), Ok(value)) = (
            HeaderName::from_bytes(name),
            HeaderValue::from_bytes(value.trim_ascii()),
        ) {
            builder = builder.header(name, value);
        }
    }
    builder.body(bytes::Bytes::copy_from_slice(body)).ok()
}

fn split(data: &[u8], head_end: HeadEnd) -> (&[u8], &[u8]) {
    let crlf = match head_end {
        HeadEnd::CrlfOrLf => data.windows(4).position(|w| w == b"\r\n\r\n"),
        HeadEnd::Lf => None,
    };
    match crlf {
        Some(i) => (&data[..i], &data[i + 4..]),
        None => match data.windows(2).position(|w| w == b"\n\n") {
            Some(i) => (&data[..i], &data[i + 2..]),
            None => (&[], data),
        },
    }
}

/// Runs a future that awaits nothing pending (a source's ingest does no I/O) on this
/// thread: polls it a few times and gives its output, or `None` if it is still pending
/// (a fuzz target must not hang).
pub fn run_ready<F: Future>(fut: F) -> Option<F::Output> {
    let mut cx = Context::from_waker(Waker::noop());
    let mut fut = std::pin::pin!(fut);
    for _ in 0..16 {
        if let Poll::Ready(out) = fut.as_mut().poll(&mut cx) {
            return Some(out);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn head_ends_and_bad_lines() {
        let data = b"A: 1\r\nno colon\r\nB\x01: 2\r\nC:  3 \r\n\r\nbody\n\nmore";
        let crlf = raw_request(data, "/w", HeadEnd::CrlfOrLf);
        let crlf = crlf.as_ref().map(|r| (r.headers().len(), r.body().clone()));
        assert_eq!(crlf, Some((2, bytes::Bytes::from_static(b"body\n\nmore"))));
        // `Lf` ends the head at the first `\n\n` only: here, inside the body.
        let lf = raw_request(data, "/w", HeadEnd::Lf);
        assert_eq!(
            lf.map(|r| r.body().clone()),
            Some(bytes::Bytes::from_static(b"more"))
        );
        let none = raw_request(b"just a body", "/w", HeadEnd::Lf);
        assert_eq!(
            none.map(|r| (r.headers().len(), r.body().len())),
            Some((0, 11))
        );
        assert!(raw_request(b"", "not a uri\n", HeadEnd::Lf).is_none());
    }

    #[test]
    fn pending_forever_is_none() {
        assert_eq!(run_ready(std::future::pending::<()>()), None);
    }
}
