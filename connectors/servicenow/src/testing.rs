//! The conformance harness: the fixture key, a source for given keys, the test signer,
//! and the fuzz body. Used by `tests/`; public so tools can sign requests the same way.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

use chrono::{DateTime, TimeZone, Utc};
use http::HeaderValue;
use invoice_core::fuzzing::{raw_request, run_ready, HeadEnd};
use invoice_core::{ConnectorInfo, IngestContext, InvoiceSource, Secret, WebhookRequest};

use crate::config::ServicenowConfig;
use crate::source::{info, ServicenowSource};
use crate::verify::{sign as sign_value, ID_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER};

/// The key every fixture is signed with (a plain key: the script base64-encodes it for
/// `generateMac`).
pub const FIXTURE_SECRET: &str = "servicenow_invoice_relay_fixture_secret";

/// Signs `request` as the shipped script would at `at` with `secret`: keeps its
/// `webhook-id` (or uses `msg_test`), replaces `webhook-timestamp` and
/// `webhook-signature`.
pub fn sign(request: &mut WebhookRequest, secret: &Secret, at: DateTime<Utc>) {
    let id = request
        .headers()
        .get(ID_HEADER)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("msg_test")
        .to_owned();
    let sig = sign_value(secret, &id, at.timestamp(), request.body());
    for (name, value) in [
        (ID_HEADER, id),
        (TIMESTAMP_HEADER, at.timestamp().to_string()),
        (SIGNATURE_HEADER, sig),
    ] {
        if let Ok(v) = HeaderValue::from_str(&value) {
            request.headers_mut().insert(name, v);
        }
    }
}

/// The configuration the fixtures are read with: instance `anodizeworks`, tables
/// `x_invoice` and `x_anodize_invoice`, EUR by default, and `u_in_clarification` mapped
/// to `disputed`.
pub fn fixture_config(secrets: Vec<Secret>) -> ServicenowConfig {
    let mut config = ServicenowConfig::with_secret(FIXTURE_SECRET);
    config.secrets = secrets;
    config.instances = vec!["anodizeworks".into()];
    config.tables = vec!["x_invoice".into(), "x_anodize_invoice".into()];
    config.default_currency = Some("EUR".into());
    config.states = BTreeMap::from([("u_in_clarification".to_owned(), "disputed".to_owned())]);
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

    /// Capabilities.
    pub fn info() -> ConnectorInfo {
        info()
    }

    /// A source with `secrets`.
    pub fn source(secrets: Vec<Secret>) -> Arc<dyn InvoiceSource> {
        match ServicenowSource::new(fixture_config(secrets)) {
            Ok(s) => Arc::new(s),
            Err(e) => panic!("test source: {e}"),
        }
    }
}

/// Fuzz target body: `data` is a raw HTTP request head and body (split at the first blank
/// line; header lines `Name: value`). Runs verify and parse with the fixture key and a
/// fixed clock; never panics. A signature is added when the head has none, so the parser
/// behind verification is reached too.
pub fn fuzz_ingest(data: &[u8]) {
    let Some(mut request) = raw_request(data, "/webhooks/servicenow", HeadEnd::CrlfOrLf) else {
        return;
    };
    let signed = request.headers().contains_key(SIGNATURE_HEADER);
    let now = Utc
        .timestamp_opt(1_768_471_200, 0)
        .single()
        .unwrap_or_default();
    if !signed {
        sign(&mut request, &Secret::new(FIXTURE_SECRET), now);
    }
    let Ok(source) = ServicenowSource::new(fixture_config(vec![Secret::new(FIXTURE_SECRET)]))
    else {
        return;
    };
    let _ = run_ready(source.ingest(&request, &IngestContext::at(now)));
}
