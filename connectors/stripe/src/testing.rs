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

/// Fuzz entry point: never panics on any input. The first byte chooses between a request
/// signed correctly for the rest of the input (so the parser and mapping are reached) and
/// one whose `Stripe-Signature` is the input's first line (so the header parser is).
pub fn fuzz_ingest(data: &[u8]) {
    use chrono::TimeZone;
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let now = Utc
        .timestamp_opt(1_772_445_600, 0)
        .single()
        .unwrap_or_default();
    let (header, body) = if mode & 1 == 0 {
        let header = sign_header(&Secret::new(FIXTURE_SECRET), now.timestamp(), rest);
        (header.into_bytes(), rest)
    } else {
        let cut = rest.iter().position(|b| *b == b'\n').unwrap_or(rest.len());
        (
            rest[..cut].to_vec(),
            rest.get(cut + 1..).unwrap_or_default(),
        )
    };
    let mut builder = http::Request::post("/webhooks/stripe");
    if let Ok(v) = HeaderValue::from_bytes(&header) {
        builder = builder.header(HEADER, v);
    }
    let Ok(request) = builder.body(bytes::Bytes::copy_from_slice(body)) else {
        return;
    };
    let source = Harness::source(vec![Secret::new(FIXTURE_SECRET)]);
    let ctx = invoice_core::IngestContext::at(now);
    let _ = futures::executor::block_on(source.ingest(&request, &ctx));
}
