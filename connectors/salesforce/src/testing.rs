//! The conformance harness: the fixture secrets, a source for given secrets, the test
//! signer, and the fuzz target body. Used by `tests/`; public so tools can sign requests
//! the same way.

use std::path::PathBuf;
use std::sync::Arc;
use std::task::{Context, Waker};

use chrono::{DateTime, TimeZone, Utc};
use http::header::CONTENT_TYPE;
use http::HeaderValue;
use invoice_core::{ConnectorInfo, IngestContext, InvoiceSource, Secret, WebhookRequest};

use crate::config::SalesforceConfig;
use crate::source::{info, SalesforceSource};
use crate::verify::{sign_header, SECRET_HEADER, SIGNATURE_HEADER};

/// The `X-Relay-Secret` value of every Outbound Message fixture.
pub const FIXTURE_SECRET: &str = "sfrelay-fixture-shared-secret-0001";

/// The HMAC key of every Platform Event fixture.
pub const FIXTURE_EVENT_SECRET: &str = "sfrelay-fixture-event-hmac-key-0001";

/// The orgs the fixtures come from (the second one in its 15-character form).
pub const FIXTURE_ORGS: [&str; 2] = ["00D5g000004XyZaEAK", "00D8d000009QrSt"];

fn is_json(request: &WebhookRequest) -> bool {
    request
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.trim_start()
                .to_ascii_lowercase()
                .starts_with("application/json")
        })
}

/// Signs `request` with `secret` at `at`: a Platform Event callout (`application/json`)
/// gets `X-Relay-Signature` (HMAC over `"t." + body`), an Outbound Message gets
/// `X-Relay-Secret: <secret>` (what the proxy or Named Credential adds).
pub fn sign(request: &mut WebhookRequest, secret: &Secret, at: DateTime<Utc>) {
    if is_json(request) {
        let header = sign_header(secret, at.timestamp(), request.body());
        if let Ok(v) = HeaderValue::from_str(&header) {
            request.headers_mut().insert(SIGNATURE_HEADER, v);
        }
    } else if let Ok(v) = HeaderValue::from_bytes(secret.expose()) {
        request.headers_mut().insert(SECRET_HEADER, v);
    }
}

/// The harness the conformance kit drives.
#[derive(Debug, Default, Clone, Copy)]
pub struct Harness;

impl Harness {
    /// The fixtures folder of this crate.
    pub fn fixtures() -> PathBuf {
        PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures"))
    }

    /// Capabilities.
    pub fn info() -> ConnectorInfo {
        info()
    }

    /// The fixture configuration with `secrets` as the shared secrets.
    pub fn config(secrets: Vec<Secret>) -> SalesforceConfig {
        let mut config = SalesforceConfig::for_org(FIXTURE_ORGS[0]);
        config.org_ids = FIXTURE_ORGS.iter().map(|o| (*o).to_owned()).collect();
        config.secrets = secrets;
        config.event_secrets = vec![Secret::new(FIXTURE_EVENT_SECRET)];
        config.statuses.insert(
            "Sent to Customer".into(),
            crate::mapping::SalesforceStatus::Posted,
        );
        config
    }

    /// A source with `secrets`.
    pub fn source(secrets: Vec<Secret>) -> Arc<dyn InvoiceSource> {
        match SalesforceSource::new(Self::config(secrets)) {
            Ok(s) => Arc::new(s),
            Err(e) => panic!("test source: {e}"),
        }
    }
}

/// Fuzz target body: `data` is `Name: value` header lines, a blank line, then the body.
/// Runs authentication, parsing and mapping on the fixture configuration; never panics.
pub fn fuzz_ingest(data: &[u8]) {
    let (head, body) = split_head(data);
    let mut builder = http::Request::builder()
        .method("POST")
        .uri("/webhooks/salesforce");
    for line in head.split(|b| *b == b'\n') {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        let Some(colon) = line.iter().position(|b| *b == b':') else {
            continue;
        };
        let (name, value) = (&line[..colon], &line[colon + 1..]);
        if let (Ok(n), Ok(v)) = (
            http::HeaderName::from_bytes(name),
            HeaderValue::from_bytes(value.trim_ascii()),
        ) {
            builder = builder.header(n, v);
        }
    }
    let Ok(request) = builder.body(bytes::Bytes::copy_from_slice(body)) else {
        return;
    };
    let Ok(source) = SalesforceSource::new(Harness::config(vec![Secret::new(FIXTURE_SECRET)]))
    else {
        return;
    };
    let now = Utc
        .timestamp_opt(1_772_445_600, 0)
        .single()
        .unwrap_or_default();
    let mut ctx = IngestContext::at(now);
    ctx.url_token_verified = data.first().is_some_and(|b| b & 1 == 1);
    let mut fut = source.ingest(&request, &ctx);
    let mut cx = Context::from_waker(Waker::noop());
    // The source awaits nothing; a few polls always finish it.
    for _ in 0..4 {
        if fut.as_mut().poll(&mut cx).is_ready() {
            return;
        }
    }
}

fn split_head(data: &[u8]) -> (&[u8], &[u8]) {
    for sep in [&b"\r\n\r\n"[..], &b"\n\n"[..]] {
        if let Some(i) = data.windows(sep.len()).position(|w| w == sep) {
            return (&data[..i], &data[i + sep.len()..]);
        }
    }
    (&[], data)
}
