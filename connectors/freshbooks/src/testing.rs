//! The conformance harness: the fixture hook secret, a source for given secrets, the test
//! signer, and a fuzz target body. Public so tools can sign requests the same way.

use std::path::PathBuf;
use std::sync::Arc;

use chrono::{DateTime, TimeZone, Utc};
use http::HeaderValue;
use invoice_core::fuzzing::{raw_request, run_ready, HeadEnd};
use invoice_core::{ConnectorInfo, IngestContext, InvoiceSource, Secret, WebhookRequest};

use crate::config::FreshbooksConfig;
use crate::source::{info, FreshbooksSource};
use crate::verify::{sign as sign_body, HEADER};

/// The callback verifier every fixture is signed with.
pub const FIXTURE_SECRET: &str = "scADVVi5QuKuj5qTjVkbJNYQe7V7USpGd";

/// Signs `request` as FreshBooks would with the verifier `secret` (replaces
/// `X-FreshBooks-Hmac-SHA256`). `at` is unused: the signature covers no time.
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

    /// The configuration the fixtures need, with `secrets`.
    pub fn config(secrets: Vec<Secret>) -> FreshbooksConfig {
        let mut config = FreshbooksConfig::with_secret(FIXTURE_SECRET);
        config.secrets = secrets;
        config
    }

    /// A source with `secrets`.
    pub fn source(secrets: Vec<Secret>) -> Arc<dyn InvoiceSource> {
        match FreshbooksSource::new(Self::config(secrets)) {
            Ok(s) => Arc::new(s),
            Err(e) => panic!("test source: {e}"),
        }
    }
}

/// Fuzz target body: `data` is split at the first `\n\n` into a header block (`name: value`
/// lines) and a body; the request runs through verify and parse with the fixture secret.
/// When the first byte is even the body is signed correctly so the parser is reached.
/// Never panics.
pub fn fuzz_ingest(data: &[u8]) {
    let Some(mut request) = raw_request(data, "/webhooks/freshbooks", HeadEnd::Lf) else {
        return;
    };
    let secret = Secret::new(FIXTURE_SECRET);
    let now = Utc
        .timestamp_opt(1_768_471_200, 0)
        .single()
        .unwrap_or_default();
    if data.first().is_some_and(|b| b % 2 == 0) {
        sign(&mut request, &secret, now);
    }
    let Ok(source) = FreshbooksSource::new(Harness::config(vec![secret])) else {
        return;
    };
    let ctx = IngestContext::at(now);
    let _ = run_ready(source.ingest(&request, &ctx));
}
