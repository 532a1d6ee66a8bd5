//! The conformance harness: the fixture webhook key, a source for given tokens, the
//! test signer, and a fuzz target body. Used by `tests/`; public so tools can sign
//! requests the same way.

use std::path::PathBuf;
use std::sync::Arc;

use chrono::{DateTime, TimeZone, Utc};
use http::HeaderValue;
use invoice_core::fuzzing::{raw_request, run_ready, HeadEnd};
use invoice_core::{ConnectorInfo, IngestContext, InvoiceSource, Secret, WebhookRequest};

use crate::config::XeroConfig;
use crate::source::{info, XeroSource};
use crate::verify::{sign as sign_body, HEADER};

/// The webhook key every fixture is signed with.
pub const FIXTURE_SECRET: &str = "invoice-relay-fixture-xero-webhook-key";

/// Signs `request` as Xero would with `secret` (replaces `x-xero-signature`). `at` is
/// unused: Xero's signature covers no time.
pub fn sign(request: &mut WebhookRequest, secret: &Secret, at: DateTime<Utc>) {
    let _ = at;
    let header = sign_body(secret, request.body());
    if let Ok(v) = HeaderValue::from_str(&header) {
        request.headers_mut().insert(HEADER, v);
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

    /// A source with `secrets`.
    pub fn source(secrets: Vec<Secret>) -> Arc<dyn InvoiceSource> {
        let mut config = XeroConfig::with_secret(FIXTURE_SECRET);
        config.secrets = secrets;
        match XeroSource::new(config) {
            Ok(s) => Arc::new(s),
            Err(e) => panic!("test source: {e}"),
        }
    }
}

/// Fuzz target body: `data` is split at the first `\n\n` into a header block (`name: value`
/// lines) and a body; the request is run through verify and parse with the fixture key.
/// Half the time (first byte even) the body is signed correctly so the parser is reached.
/// Never panics.
pub fn fuzz_ingest(data: &[u8]) {
    let Some(mut request) = raw_request(data, "/webhooks/xero", HeadEnd::Lf) else {
        return;
    };
    let secret = Secret::new(FIXTURE_SECRET);
    if data.first().is_some_and(|b| b % 2 == 0) {
        sign(&mut request, &secret, Utc::now());
    }
    let Ok(source) = XeroSource::new(XeroConfig::with_secret(FIXTURE_SECRET)) else {
        return;
    };
    let now = Utc
        .timestamp_opt(1_770_000_000, 0)
        .single()
        .unwrap_or_default();
    let ctx = IngestContext::at(now);
    let _ = run_ready(source.ingest(&request, &ctx));
}
