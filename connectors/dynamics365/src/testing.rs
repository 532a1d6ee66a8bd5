//! The conformance harness: the fixture key, a source for given keys, the test signer
//! (puts the key in `?code=`, as a WebhookKey registration does), and the fuzz body.
//! Used by `tests/`; public so tools can build requests the same way.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

use chrono::{DateTime, TimeZone, Utc};
use http::HeaderValue;
use invoice_core::{ConnectorInfo, IngestContext, InvoiceSource, Secret, WebhookRequest};

use crate::config::{AuthMode, Dynamics365Config};
use crate::source::{info, Dynamics365Source};
use crate::verify::{sign as put_key, KeyLocation};

/// The key every fixture carries.
pub const FIXTURE_SECRET: &str = "d365_invoice_relay_fixture_webhook_key";

/// The fixtures' organization (tenant).
pub const FIXTURE_ORG: &str = "4ef5b371-e89e-e711-8122-000d3aa2331c";

/// Puts `secret` in the request's `code` query parameter (WebhookKey), as Dataverse
/// sends it. `_at` is unused: Dataverse keys carry no time.
pub fn sign(request: &mut WebhookRequest, secret: &Secret, _at: DateTime<Utc>) {
    let at = KeyLocation {
        mode: AuthMode::WebhookKey,
        name: "code".into(),
    };
    put_key(request, &at, secret);
}

/// The configuration the fixtures are read with: WebhookKey, the fixture organization,
/// USD and EUR currency records, no default currency.
pub fn fixture_config(secrets: Vec<Secret>) -> Dynamics365Config {
    let mut config = Dynamics365Config::with_secret(FIXTURE_SECRET);
    config.secrets = secrets;
    config.organizations = vec![FIXTURE_ORG.into()];
    config.currencies = BTreeMap::from([
        (
            "6b1f2c8e-4ea2-e711-8122-000d3aa2331c".to_owned(),
            "USD".to_owned(),
        ),
        (
            "7d2e3f90-4ea2-e711-8122-000d3aa2331c".to_owned(),
            "EUR".to_owned(),
        ),
    ]);
    config
}

/// The harness the conformance kit drives.
#[derive(Debug, Default, Clone, Copy)]
pub struct Harness;

impl Harness {
    /// The fixtures folder of this crate.
    pub fn fixtures() -> PathBuf {
        PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures"))
    }

    /// Capabilities (WebhookKey: the key is in the URL, no signature header).
    pub fn info() -> ConnectorInfo {
        info()
    }

    /// A source with `secrets`.
    pub fn source(secrets: Vec<Secret>) -> Arc<dyn InvoiceSource> {
        match Dynamics365Source::new(fixture_config(secrets)) {
            Ok(s) => Arc::new(s),
            Err(e) => panic!("test source: {e}"),
        }
    }
}

/// Fuzz target body: `data` is a raw HTTP request head and body (split at the first blank
/// line; header lines `Name: value`; a first line `?query` becomes the query string).
/// The fixture key is added when the head names no `code`, so the parser behind the key
/// check is reached too. Never panics.
pub fn fuzz_ingest(data: &[u8]) {
    let (head, body) = split_request(data);
    let mut query = String::new();
    let mut builder = http::Request::builder().method("POST");
    for line in head.split(|b| *b == b'\n') {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if let Some(q) = line.strip_prefix(b"?") {
            query = String::from_utf8_lossy(q).into_owned();
            continue;
        }
        let Some(colon) = line.iter().position(|b| *b == b':') else {
            continue;
        };
        let (name, value) = (&line[..colon], &line[colon + 1..]);
        let (Ok(name), Ok(value)) = (
            http::HeaderName::from_bytes(name),
            HeaderValue::from_bytes(value.trim_ascii()),
        ) else {
            continue;
        };
        builder = builder.header(name, value);
    }
    let uri = format!("/webhooks/dynamics365?{query}");
    let builder = match uri.parse::<http::Uri>() {
        Ok(u) => builder.uri(u),
        Err(_) => builder.uri("/webhooks/dynamics365"),
    };
    let Ok(mut request) = builder.body(bytes_of(body)) else {
        return;
    };
    let now = Utc
        .timestamp_opt(1_768_471_200, 0)
        .single()
        .unwrap_or_default();
    if !query.contains("code=") {
        sign(&mut request, &Secret::new(FIXTURE_SECRET), now);
    }
    let Ok(source) = Dynamics365Source::new(fixture_config(vec![Secret::new(FIXTURE_SECRET)]))
    else {
        return;
    };
    let _ = block_on(source.ingest(&request, &IngestContext::at(now)));
}

fn split_request(data: &[u8]) -> (&[u8], &[u8]) {
    match data.windows(4).position(|w| w == b"\r\n\r\n") {
        Some(i) => (&data[..i], &data[i + 4..]),
        None => match data.windows(2).position(|w| w == b"\n\n") {
            Some(i) => (&data[..i], &data[i + 2..]),
            None => (&[], data),
        },
    }
}

fn bytes_of(body: &[u8]) -> invoice_core::reexports::bytes::Bytes {
    invoice_core::reexports::bytes::Bytes::copy_from_slice(body)
}

/// Polls a future that never waits (ingest does no I/O) to completion on this thread.
fn block_on<F: std::future::Future>(fut: F) -> F::Output {
    use std::task::{Context, Poll, Wake, Waker};
    struct Noop;
    impl Wake for Noop {
        fn wake(self: Arc<Self>) {}
    }
    let waker = Waker::from(Arc::new(Noop));
    let mut cx = Context::from_waker(&waker);
    let mut fut = std::pin::pin!(fut);
    loop {
        if let Poll::Ready(out) = fut.as_mut().poll(&mut cx) {
            return out;
        }
    }
}
