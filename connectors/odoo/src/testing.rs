//! The conformance harness: the fixture secret, a source for given secrets, the test
//! signer, and the fuzz body. Used by `tests/`; public so tools can sign requests the same
//! way.

use std::path::PathBuf;
use std::sync::Arc;

use chrono::{DateTime, TimeZone, Utc};
use http::HeaderValue;
use invoice_core::fuzzing::{raw_request, run_ready, HeadEnd};
use invoice_core::{ConnectorInfo, IngestContext, InvoiceSource, Secret, WebhookRequest};

use crate::config::OdooConfig;
use crate::source::{info, OdooSource};
use crate::verify::{sign_header, HEADER};

/// The secret every fixture is signed with.
pub const FIXTURE_SECRET: &str = "odoo_invoice_relay_fixture_secret";

/// Signs `request` as the shipped module would at `at` with `secret` (replaces
/// `X-Odoo-Signature`).
pub fn sign(request: &mut WebhookRequest, secret: &Secret, at: DateTime<Utc>) {
    let header = sign_header(secret, at.timestamp(), request.body());
    if let Ok(v) = HeaderValue::from_str(&header) {
        request.headers_mut().insert(HEADER, v);
    }
}

/// The configuration the fixtures are read with: `res.currency` 1 = EUR, 2 = USD (for
/// payloads read with `load=None`), database `anodize-prod`.
pub fn fixture_config(secrets: Vec<Secret>) -> OdooConfig {
    let mut config = OdooConfig::with_secret(FIXTURE_SECRET);
    config.secrets = secrets;
    config.database = Some("anodize-prod".into());
    config.currencies.insert("1".into(), "EUR".into());
    config.currencies.insert("2".into(), "USD".into());
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
        match OdooSource::new(fixture_config(secrets)) {
            Ok(s) => Arc::new(s),
            Err(e) => panic!("test source: {e}"),
        }
    }
}

/// Fuzz target body: `data` is a raw HTTP request head and body (split at the first blank
/// line; header lines `Name: value`). Runs authentication and parsing with the fixture
/// secret and a fixed clock; never panics. Odd first bytes take the URL-token path; else a
/// signature is added when the head has none, so the parser is reached either way.
pub fn fuzz_ingest(data: &[u8]) {
    let Some(mut request) = raw_request(data, "/webhooks/odoo", HeadEnd::CrlfOrLf) else {
        return;
    };
    let signed = request.headers().contains_key(HEADER);
    let now = Utc
        .timestamp_opt(1_768_471_200, 0)
        .single()
        .unwrap_or_default();
    let mut ctx = IngestContext::at(now);
    // Odd first bytes take the URL-token path: unsigned bodies reach the parser as is.
    ctx.url_token_verified = data.first().is_some_and(|b| b % 2 == 1);
    if !signed && !ctx.url_token_verified {
        sign(&mut request, &Secret::new(FIXTURE_SECRET), now);
    }
    let Ok(source) = OdooSource::new(fixture_config(vec![Secret::new(FIXTURE_SECRET)])) else {
        return;
    };
    let _ = run_ready(source.ingest(&request, &ctx));
}
