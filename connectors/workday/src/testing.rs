//! The conformance harnesses (Basic, the default, and HMAC), the test signers, and the
//! fuzz target body.

use std::path::PathBuf;
use std::sync::Arc;

use chrono::{DateTime, TimeZone, Utc};
use http::HeaderValue;
use invoice_core::{ConnectorInfo, IngestContext, InvoiceSource, Secret, WebhookRequest};

use crate::config::{AuthMode, WorkdayConfig};
use crate::source::{info_for, WorkdaySource};
use crate::verify::{basic_header, sign_header, HMAC_HEADER};

/// The password / key every fixture uses.
pub const FIXTURE_SECRET: &str = "wd-Relay-Fixture-Secret-2c7e91";
/// The integration system user of the fixtures.
pub const FIXTURE_USER: &str = "ISU_INVOICE_RELAY";
/// The tenants of the fixtures.
pub const FIXTURE_TENANTS: [&str; 2] = ["brightline", "brightline_impl"];

/// Sets `Authorization: Basic` for the fixture user with `secret` (`at` is unused: Basic
/// covers no time).
pub fn sign_basic(request: &mut WebhookRequest, secret: &Secret, _at: DateTime<Utc>) {
    if let Ok(v) = HeaderValue::from_str(&basic_header(FIXTURE_USER, secret)) {
        request.headers_mut().insert(http::header::AUTHORIZATION, v);
    }
}

/// Sets `X-Relay-Signature` over the body at `at` with `secret`.
pub fn sign_hmac(request: &mut WebhookRequest, secret: &Secret, at: DateTime<Utc>) {
    let header = sign_header(secret, at.timestamp(), request.body());
    if let Ok(v) = HeaderValue::from_str(&header) {
        request.headers_mut().insert(HMAC_HEADER, v);
    }
}

/// The harness the conformance kit drives, in `mode`.
#[derive(Debug, Clone, Copy)]
pub struct Harness(pub AuthMode);

impl Default for Harness {
    fn default() -> Self {
        Harness(AuthMode::Basic)
    }
}

impl Harness {
    /// The fixtures folder of `mode` (`fixtures/`, `fixtures/hmac/`).
    pub fn fixtures(&self) -> PathBuf {
        let base = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures"));
        match self.0 {
            AuthMode::Basic => base,
            AuthMode::Hmac => base.join("hmac"),
        }
    }

    /// Capabilities.
    pub fn info(&self) -> ConnectorInfo {
        info_for(self.0, 300)
    }

    /// The fixture configuration with `secrets`.
    pub fn config(&self, secrets: Vec<Secret>) -> WorkdayConfig {
        let mut c = WorkdayConfig::basic(FIXTURE_USER, FIXTURE_SECRET, FIXTURE_TENANTS[0]);
        c.auth = self.0;
        c.secrets = secrets;
        c.tenants = FIXTURE_TENANTS.iter().map(|t| (*t).to_owned()).collect();
        c
    }

    /// A source with `secrets`.
    pub fn source(&self, secrets: Vec<Secret>) -> Arc<dyn InvoiceSource> {
        match WorkdaySource::new(self.config(secrets)) {
            Ok(s) => Arc::new(s),
            Err(e) => panic!("test source: {e}"),
        }
    }

    /// The signer of `mode`.
    pub fn sign(&self, request: &mut WebhookRequest, secret: &Secret, at: DateTime<Utc>) {
        match self.0 {
            AuthMode::Basic => sign_basic(request, secret, at),
            AuthMode::Hmac => sign_hmac(request, secret, at),
        }
    }
}

/// Fuzz target body: the first byte picks Basic or HMAC mode and whether the request is
/// authenticated correctly (so the XML reader is reached) or carries the rest's first
/// line as its credential header. Never panics.
pub fn fuzz_ingest(data: &[u8]) {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let now = Utc
        .timestamp_opt(1_768_411_200, 0)
        .single()
        .unwrap_or_default();
    let harness = Harness(if mode & 2 == 0 {
        AuthMode::Basic
    } else {
        AuthMode::Hmac
    });
    let header_name = harness.info().signature_header.unwrap_or("authorization");
    let (header, body) = if mode & 1 == 0 {
        (None, rest)
    } else {
        let cut = rest.iter().position(|b| *b == b'\n').unwrap_or(rest.len());
        (Some(&rest[..cut]), rest.get(cut + 1..).unwrap_or_default())
    };
    let Ok(mut request) = http::Request::post("/webhooks/workday")
        .header("content-type", "application/xml")
        .body(bytes::Bytes::copy_from_slice(body))
    else {
        return;
    };
    match header {
        None => harness.sign(&mut request, &Secret::new(FIXTURE_SECRET), now),
        Some(h) => {
            if let Ok(v) = HeaderValue::from_bytes(h) {
                request.headers_mut().insert(header_name, v);
            }
        }
    }
    let source = harness.source(vec![Secret::new(FIXTURE_SECRET)]);
    let ctx = IngestContext::at(now);
    let _ = futures::executor::block_on(source.ingest(&request, &ctx));
}
