//! The conformance harness: the fixture key and Web Connector credentials, a source for
//! given secrets, the forwarder's test signer, and the fuzz target body.

use std::path::PathBuf;
use std::sync::Arc;

use chrono::{DateTime, TimeZone, Utc};
use http::HeaderValue;
use invoice_core::{ConnectorInfo, IngestContext, InvoiceSource, Secret, WebhookRequest};

use crate::config::QbdConfig;
use crate::source::{info, QbdSource};
use crate::verify::{sign_header, HEADER};

/// The key every fixture is signed with (forwarder signature and session tickets).
pub const FIXTURE_SECRET: &str = "qbd-relay-fixture-key-5b81e0d4";
/// The Web Connector user of the fixtures.
pub const FIXTURE_USER: &str = "invoice-relay";
/// The Web Connector password of the fixtures.
pub const FIXTURE_PASSWORD: &str = "qbwc-Fixture-Passw0rd";
/// The companies of the fixtures.
pub const FIXTURE_COMPANIES: [&str; 2] = ["brightline-anodizing", "kansai-plating"];

/// Signs a forwarded event message as the companion script does.
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

    /// The fixture configuration with `secrets`.
    pub fn config(secrets: Vec<Secret>) -> QbdConfig {
        let mut c = QbdConfig::new(
            FIXTURE_SECRET,
            FIXTURE_USER,
            FIXTURE_PASSWORD,
            FIXTURE_COMPANIES[0],
        );
        c.secrets = secrets;
        c.companies = FIXTURE_COMPANIES.iter().map(|c| (*c).to_owned()).collect();
        c.initial_from = Some("2026-01-01T00:00:00".into());
        c
    }

    /// A source with `secrets`.
    pub fn source(secrets: Vec<Secret>) -> Arc<dyn InvoiceSource> {
        match QbdSource::new(Self::config(secrets)) {
            Ok(s) => Arc::new(s),
            Err(e) => panic!("test source: {e}"),
        }
    }
}

/// Fuzz target body. The first byte picks the path: a forwarded message signed correctly
/// over the rest (bit 0 clear), a Web Connector call with the rest as its SOAP body
/// (bits 0 and 1 set), or raw `Name: value` header lines, a blank line and a body.
/// Never panics.
pub fn fuzz_ingest(data: &[u8]) {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let now = Utc
        .timestamp_opt(1_768_381_964, 0)
        .single()
        .unwrap_or_default();
    let mut builder = http::Request::post("/webhooks/quickbooks-desktop");
    let body: &[u8] = if mode & 1 == 0 {
        let header = sign_header(&Secret::new(FIXTURE_SECRET), now.timestamp(), rest);
        builder = builder.header(HEADER, header);
        rest
    } else if mode & 2 == 2 {
        builder = builder
            .header(
                "soapaction",
                "\"http://developer.intuit.com/receiveResponseXML\"",
            )
            .header("content-type", "text/xml; charset=utf-8");
        rest
    } else {
        let (head, body) = split_head(rest);
        for line in head.split(|b| *b == b'\n') {
            let line = line.strip_suffix(b"\r").unwrap_or(line);
            let Some(colon) = line.iter().position(|b| *b == b':') else {
                continue;
            };
            if let (Ok(n), Ok(v)) = (
                http::HeaderName::from_bytes(&line[..colon]),
                HeaderValue::from_bytes(line[colon + 1..].trim_ascii()),
            ) {
                builder = builder.header(n, v);
            }
        }
        body
    };
    let Ok(request) = builder.body(bytes::Bytes::copy_from_slice(body)) else {
        return;
    };
    let source = Harness::source(vec![Secret::new(FIXTURE_SECRET)]);
    let ctx = IngestContext::at(now);
    let _ = futures::executor::block_on(source.ingest(&request, &ctx));
}

fn split_head(data: &[u8]) -> (&[u8], &[u8]) {
    for sep in [&b"\r\n\r\n"[..], &b"\n\n"[..]] {
        if let Some(i) = data.windows(sep.len()).position(|w| w == sep) {
            return (&data[..i], &data[i + sep.len()..]);
        }
    }
    (&[], data)
}
