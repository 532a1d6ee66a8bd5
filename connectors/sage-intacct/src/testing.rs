//! The conformance harness: the fixture token, a source for given tokens, the test
//! signer (it sets the `token` query parameter), and the fuzz target body.

use std::path::PathBuf;
use std::sync::Arc;
use std::task::{Context, Waker};

use chrono::{DateTime, TimeZone, Utc};
use http::HeaderValue;
use invoice_core::{ConnectorInfo, IngestContext, InvoiceSource, Secret, WebhookRequest};

use crate::config::IntacctConfig;
use crate::source::{info, IntacctSource};
use crate::verify::with_token;

/// The token every fixture carries in its query string.
pub const FIXTURE_SECRET: &str = "si-7Hq2Lx9Vb4Nc8Md1Kf6Tz3Wp0";

/// The companies the fixtures come from.
pub const FIXTURE_COMPANIES: [&str; 2] = ["brightline-anodizing", "kansai-plating"];

/// "Signs" `request` the only way a Smart Event can be: sets `?token=<secret>` (other
/// query parameters are kept). `at` is unused: nothing is timestamped.
pub fn sign(request: &mut WebhookRequest, secret: &Secret, _at: DateTime<Utc>) {
    let Some(token) = secret.expose_str() else {
        return;
    };
    if let Some(uri) = with_token(request.uri(), token) {
        *request.uri_mut() = uri;
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

    /// The fixture configuration with `secrets` as the query tokens.
    pub fn config(secrets: Vec<Secret>) -> IntacctConfig {
        let mut c = IntacctConfig::for_company(FIXTURE_COMPANIES[0]);
        c.company_ids = FIXTURE_COMPANIES.iter().map(|c| (*c).to_owned()).collect();
        c.secrets = secrets;
        c
    }

    /// A source with `secrets`.
    pub fn source(secrets: Vec<Secret>) -> Arc<dyn InvoiceSource> {
        match IntacctSource::new(Self::config(secrets)) {
            Ok(s) => Arc::new(s),
            Err(e) => panic!("test source: {e}"),
        }
    }
}

/// Fuzz target body: the first line is the request target (`/webhooks/...?token=...`),
/// then `Name: value` header lines, a blank line, the body. Never panics.
pub fn fuzz_ingest(data: &[u8]) {
    let (head, body) = split_head(data);
    let mut lines = head.split(|b| *b == b'\n');
    let target = lines
        .next()
        .and_then(|l| std::str::from_utf8(l).ok())
        .map(str::trim)
        .filter(|t| t.starts_with('/'))
        .unwrap_or("/webhooks/sage-intacct");
    let mut builder = http::Request::builder().method("POST").uri(target);
    for line in lines {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        let Some(colon) = line.iter().position(|b| *b == b':') else {
            continue;
        };
        if let (Ok(n), Ok(v)) = (
            http::HeaderName::from_bytes(&line[..colon]),
            HeaderValue::from_bytes(line[colon + 1..].trim_ascii()),
        ) {
            builder = builder.header(n, v);
        }
    }
    let Ok(request) = builder.body(bytes::Bytes::copy_from_slice(body)) else {
        return;
    };
    let Ok(source) = IntacctSource::new(Harness::config(vec![Secret::new(FIXTURE_SECRET)])) else {
        return;
    };
    let now = Utc
        .timestamp_opt(1_768_442_400, 0)
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
