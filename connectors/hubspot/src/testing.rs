//! The conformance harness: the fixture secret and public URL, a source for given
//! secrets, the test signer, and a fuzz target body. Public so tools can sign requests the
//! same way.

use std::path::PathBuf;
use std::sync::Arc;

use chrono::{DateTime, TimeZone, Utc};
use http::HeaderValue;
use invoice_core::fuzzing::{raw_request, run_ready, HeadEnd};
use invoice_core::{ConnectorInfo, IngestContext, InvoiceSource, Secret, WebhookRequest};

use crate::config::HubspotConfig;
use crate::source::{info, HubspotSource};
use crate::verify::{
    public_uri, sign_v1, sign_v3, HEADER_LEGACY, HEADER_TIMESTAMP, HEADER_V3, HEADER_VERSION,
};

/// The client secret every fixture is signed with.
pub const FIXTURE_SECRET: &str = "8f3c2a1e-5b7d-4c9a-a0e2-invoice-relay-fixture";

/// The public base URL the fixtures were sent to.
pub const FIXTURE_PUBLIC_BASE: &str = "https://relay.example.com";

/// Signs `request` as HubSpot's webhooks API does at `at` with `secret`: v3 over the
/// public URI (`FIXTURE_PUBLIC_BASE` + path) and the millisecond timestamp, plus the v1
/// signature HubSpot still sends alongside.
pub fn sign(request: &mut WebhookRequest, secret: &Secret, at: DateTime<Utc>) {
    let ms = at.timestamp_millis();
    let uri = public_uri(FIXTURE_PUBLIC_BASE, request.uri());
    let v3 = sign_v3(secret, request.method().as_str(), &uri, request.body(), ms);
    let v1 = sign_v1(secret, request.body());
    let h = request.headers_mut();
    for (name, value) in [
        (HEADER_V3, v3),
        (HEADER_TIMESTAMP, ms.to_string()),
        (HEADER_LEGACY, v1),
        (HEADER_VERSION, "v1".to_owned()),
    ] {
        if let Ok(v) = HeaderValue::from_str(&value) {
            h.insert(name, v);
        }
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
    pub fn config(secrets: Vec<Secret>) -> HubspotConfig {
        let mut config = HubspotConfig::with_secret(FIXTURE_SECRET);
        config.secrets = secrets;
        config.public_base_url = Some(FIXTURE_PUBLIC_BASE.to_owned());
        config
    }

    /// A source with `secrets`.
    pub fn source(secrets: Vec<Secret>) -> Arc<dyn InvoiceSource> {
        match HubspotSource::new(Self::config(secrets)) {
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
    let Some(mut request) = raw_request(data, "/webhooks/hubspot", HeadEnd::Lf) else {
        return;
    };
    let now = Utc
        .timestamp_opt(1_768_471_200, 0)
        .single()
        .unwrap_or_default();
    let secret = Secret::new(FIXTURE_SECRET);
    if data.first().is_some_and(|b| b % 2 == 0) {
        sign(&mut request, &secret, now);
    }
    let Ok(source) = HubspotSource::new(Harness::config(vec![secret])) else {
        return;
    };
    let ctx = IngestContext::at(now);
    let _ = run_ready(source.ingest(&request, &ctx));
}
