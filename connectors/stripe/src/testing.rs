//! The conformance harness: the fixture secret, a source for given secrets, and the test
//! signer. Used by `tests/conformance.rs`; public so tools can sign requests the same way.

use std::path::PathBuf;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use http::HeaderValue;
use invoice_core::{ConnectorInfo, InvoiceSource, Secret, WebhookRequest};

use crate::config::StripeConfig;
use crate::source::{info, StripeSource};
use crate::verify::{sign_header, HEADER};

/// The secret every fixture is signed with.
pub const FIXTURE_SECRET: &str = "whsec_invoice_relay_fixture_secret";

/// Signs `request` as Stripe would at `at` with `secret` (replaces `Stripe-Signature`).
pub fn sign(request: &mut WebhookRequest, secret: &Secret, at: DateTime<Utc>) {
    let header = sign_header(secret, at.timestamp(), request.body());
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
        let mut config = StripeConfig::with_secret(FIXTURE_SECRET);
        config.secrets = secrets;
        match StripeSource::new(config) {
            Ok(s) => Arc::new(s),
            Err(e) => panic!("test source: {e}"),
        }
    }
}
