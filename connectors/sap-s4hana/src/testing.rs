//! The conformance harness: the fixture key, a source for given secrets, the test signer
//! (HMAC mode), and the fuzz target body.

use std::path::PathBuf;
use std::sync::Arc;

use chrono::{DateTime, TimeZone, Utc};
use http::HeaderValue;
use invoice_core::{ConnectorInfo, IngestContext, InvoiceSource, Secret, WebhookRequest};

use crate::config::SapConfig;
use crate::source::{info, SapSource};
use crate::verify::{sign_header, HMAC_HEADER};

/// The HMAC key every fixture is signed with.
pub const FIXTURE_SECRET: &str = "sap-relay-fixture-key-7f3a9c2e";

/// The SAP system ids the fixtures come from.
pub const FIXTURE_SYSTEMS: [&str; 2] = ["244572008", "0LOQ7PA"];

/// Signs `request` as the shipped iFlow script would at `at` with `secret`.
pub fn sign(request: &mut WebhookRequest, secret: &Secret, at: DateTime<Utc>) {
    let header = sign_header(secret, at.timestamp(), request.body());
    if let Ok(v) = HeaderValue::from_str(&header) {
        request.headers_mut().insert(HMAC_HEADER, v);
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

    /// The fixture configuration with `secrets`.
    pub fn config(secrets: Vec<Secret>) -> SapConfig {
        let mut c = SapConfig::with_secret(FIXTURE_SECRET);
        c.secrets = secrets;
        c.systems = FIXTURE_SYSTEMS.iter().map(|s| (*s).to_owned()).collect();
        c
    }

    /// A source with `secrets`.
    pub fn source(secrets: Vec<Secret>) -> Arc<dyn InvoiceSource> {
        match SapSource::new(Self::config(secrets)) {
            Ok(s) => Arc::new(s),
            Err(e) => panic!("test source: {e}"),
        }
    }
}

/// Fuzz target body: the first byte chooses a request signed correctly over the rest (so
/// the CloudEvent reader is reached) or one whose `X-Relay-Signature` is the first line
/// of the rest. Never panics.
pub fn fuzz_ingest(data: &[u8]) {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let now = Utc
        .timestamp_opt(1_768_381_964, 0)
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
    let mut builder = http::Request::post("/webhooks/sap-s4hana")
        .header("content-type", "application/cloudevents+json");
    if let Ok(v) = HeaderValue::from_bytes(&header) {
        builder = builder.header(HMAC_HEADER, v);
    }
    let Ok(request) = builder.body(bytes::Bytes::copy_from_slice(body)) else {
        return;
    };
    let source = Harness::source(vec![Secret::new(FIXTURE_SECRET)]);
    let mut ctx = IngestContext::at(now);
    if mode & 2 == 2 {
        ctx.route_tenant = Some("244572008".into());
    }
    let _ = futures::executor::block_on(source.ingest(&request, &ctx));
}

/// Fuzz body for the OData readers: JSON and Atom. Never panics.
pub fn fuzz_odata(data: &[u8]) {
    let _ = crate::odata::parse_json(data);
    let _ = crate::odata::parse_atom(data);
}
