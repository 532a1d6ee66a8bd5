//! The conformance harness: the fixture header secret, a source for given secrets, the
//! test signer, and a fuzz target body. Public so tools can sign requests the same way.

use std::path::PathBuf;
use std::sync::Arc;

use chrono::{DateTime, TimeZone, Utc};
use http::HeaderValue;
use invoice_core::fuzzing::{raw_request, run_ready, HeadEnd};
use invoice_core::{ConnectorInfo, IngestContext, InvoiceSource, Secret, WebhookRequest};

use crate::config::ZohoConfig;
use crate::source::{info, ZohoSource};
use crate::verify::TOKEN_HEADER;

/// The secret header value every fixture carries.
pub const FIXTURE_SECRET: &str = "zb-fixture-token-3f9a6c1e8b2d4075";

/// The organization the fixtures belong to.
pub const FIXTURE_ORGANIZATION: &str = "60012345678";

/// "Signs" `request` as a Zoho Books webhook with a secret header does: the header
/// carries the secret itself (replaces `X-Relay-Token`). `at` is unused.
pub fn sign(request: &mut WebhookRequest, secret: &Secret, at: DateTime<Utc>) {
    let _ = at;
    if let Ok(v) = HeaderValue::from_bytes(secret.expose()) {
        request.headers_mut().insert(TOKEN_HEADER, v);
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

    /// The configuration of the fixtures' organization, with `secrets`.
    pub fn config(secrets: Vec<Secret>) -> ZohoConfig {
        let mut c = ZohoConfig::with_secret(FIXTURE_SECRET);
        c.secrets = secrets;
        c.organization_id = Some(FIXTURE_ORGANIZATION.to_owned());
        c
    }

    /// A source with `secrets`.
    pub fn source(secrets: Vec<Secret>) -> Arc<dyn InvoiceSource> {
        match ZohoSource::new(Self::config(secrets)) {
            Ok(s) => Arc::new(s),
            Err(e) => panic!("test source: {e}"),
        }
    }
}

/// Fuzz target body: `data` is split at the first `\n\n` into a header block (`name: value`
/// lines) and a body; the request runs through verify and parse with the fixture secret.
/// When the first byte is even the secret header is set so the parser is reached.
/// Never panics.
pub fn fuzz_ingest(data: &[u8]) {
    let Some(mut request) = raw_request(data, "/webhooks/zoho-books", HeadEnd::Lf) else {
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
    let Ok(source) = ZohoSource::new(Harness::config(vec![secret])) else {
        return;
    };
    let ctx = IngestContext::at(now);
    let _ = run_ready(source.ingest(&request, &ctx));
}
