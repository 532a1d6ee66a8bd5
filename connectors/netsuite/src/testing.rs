//! The conformance harness: the fixture secret, a source for given secrets, the test
//! signer, and the fuzz body. Used by `tests/`; public so tools can sign requests the same
//! way.

use std::path::PathBuf;
use std::sync::Arc;

use chrono::{DateTime, TimeZone, Utc};
use http::HeaderValue;
use invoice_core::fuzzing::{raw_request, run_ready, HeadEnd};
use invoice_core::{ConnectorInfo, IngestContext, InvoiceSource, Secret, WebhookRequest};

use crate::config::NetsuiteConfig;
use crate::source::{info, NetsuiteSource};
use crate::verify::{sign as sign_values, HEADER, TIMESTAMP_HEADER};

/// The secret every fixture is signed with.
pub const FIXTURE_SECRET: &str = "netsuite_invoice_relay_fixture_secret";

/// Signs `request` as the shipped script would at `at` with `secret` (replaces
/// `X-NS-Timestamp` and `X-NS-Signature`).
pub fn sign(request: &mut WebhookRequest, secret: &Secret, at: DateTime<Utc>) {
    let (t, sig) = sign_values(secret, at.timestamp(), request.body());
    for (name, value) in [(TIMESTAMP_HEADER, t), (HEADER, sig)] {
        if let Ok(v) = HeaderValue::from_str(&value) {
            request.headers_mut().insert(name, v);
        }
    }
}

/// The configuration the fixtures are read with: accounts `1234567` and its sandbox
/// `1234567_SB1`, `default_currency` USD.
pub fn fixture_config(secrets: Vec<Secret>) -> NetsuiteConfig {
    let mut config = NetsuiteConfig::with_secret(FIXTURE_SECRET);
    config.secrets = secrets;
    config.accounts = vec!["1234567".into(), "1234567_SB1".into()];
    config.default_currency = Some("USD".into());
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
        match NetsuiteSource::new(fixture_config(secrets)) {
            Ok(s) => Arc::new(s),
            Err(e) => panic!("test source: {e}"),
        }
    }
}

/// Fuzz target body: `data` is a raw HTTP request head and body (split at the first blank
/// line; header lines `Name: value`). Runs verify and parse with the fixture secret and a
/// fixed clock; never panics. A signature line is added when the head has none, so the
/// parser behind verification is reached too.
pub fn fuzz_ingest(data: &[u8]) {
    let Some(mut request) = raw_request(data, "/webhooks/netsuite", HeadEnd::CrlfOrLf) else {
        return;
    };
    let signed = request.headers().contains_key(HEADER);
    let now = Utc
        .timestamp_opt(1_768_471_200, 0)
        .single()
        .unwrap_or_default();
    if !signed {
        sign(&mut request, &Secret::new(FIXTURE_SECRET), now);
    }
    let Ok(source) = NetsuiteSource::new(fixture_config(vec![Secret::new(FIXTURE_SECRET)])) else {
        return;
    };
    let ctx = IngestContext::at(now);
    let _ = run_ready(source.ingest(&request, &ctx));
}
