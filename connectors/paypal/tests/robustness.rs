//! No panics on any input, and configuration that refuses what it should.

#![allow(clippy::unwrap_used)] // tests unwrap on fixed inputs

mod common;

use bytes::Bytes;
use http::HeaderValue;
use invoice_connector_paypal::testing::{
    fuzz_ingest, sign, Harness, FIXTURE_CERT_URL, FIXTURE_SECRET,
};
use invoice_connector_paypal::verify::{CERT_URL, HEADER, TRANSMISSION_ID, TRANSMISSION_TIME};
use invoice_core::registry::{ConfigError, ConnectorRegistry};
use invoice_core::{IngestContext, Platform, Secret, WebhookRequest};
use proptest::prelude::*;

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

const CONTENT_TYPES: [&str; 4] = [
    "application/json",
    "application/x-www-form-urlencoded",
    "application/x-www-form-urlencoded; charset=windows-1252",
    "text/plain",
];

fn request(ct: &str, headers: &[(&'static str, Vec<u8>)], body: Vec<u8>) -> WebhookRequest {
    let mut req = http::Request::builder()
        .method("POST")
        .uri("/webhooks/paypal")
        .header(http::header::CONTENT_TYPE, ct)
        .body(Bytes::from(body))
        .unwrap();
    for (name, value) in headers {
        if let Ok(v) = HeaderValue::from_bytes(value) {
            req.headers_mut().insert(*name, v);
        }
    }
    // Never name a certificate that would have to be fetched.
    req.headers_mut()
        .insert(CERT_URL, HeaderValue::from_static(FIXTURE_CERT_URL));
    req
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn arbitrary_requests_never_panic(
        ct in 0usize..CONTENT_TYPES.len(),
        body in proptest::collection::vec(any::<u8>(), 0..2048),
        sig in proptest::collection::vec(any::<u8>(), 0..400),
        tid in proptest::collection::vec(any::<u8>(), 0..64),
        time in proptest::collection::vec(any::<u8>(), 0..40),
        signed in any::<bool>(),
    ) {
        let rt = runtime();
        let source = Harness::source(vec![Secret::new(FIXTURE_SECRET)]);
        let mut req = request(
            CONTENT_TYPES[ct],
            &[(HEADER, sig), (TRANSMISSION_ID, tid), (TRANSMISSION_TIME, time)],
            body,
        );
        let now = chrono::DateTime::parse_from_rfc3339("2026-03-14T10:00:08Z").unwrap().to_utc();
        if signed {
            sign(&mut req, &Secret::new(FIXTURE_SECRET), now);
        }
        let r = rt.block_on(source.ingest(&req, &IngestContext::at(now)));
        // Signed arbitrary JSON bodies verify, then fail to parse or map: never a panic,
        // and never an event from an unsigned request.
        if !signed && ct == 0 {
            prop_assert!(r.is_err());
        }
    }

    #[test]
    fn arbitrary_forms_are_stored_never_applied(
        body in proptest::collection::vec(any::<u8>(), 1..2048),
    ) {
        let rt = runtime();
        let source = Harness::source(vec![Secret::new(FIXTURE_SECRET)]);
        let req = request(CONTENT_TYPES[1], &[], body);
        let now = chrono::DateTime::parse_from_rfc3339("2026-03-14T10:00:08Z").unwrap().to_utc();
        if let Ok(got) = rt.block_on(source.ingest(&req, &IngestContext::at(now))) {
            prop_assert!(got.events.is_empty());
            prop_assert_eq!(got.pending.len(), 1);
            prop_assert_eq!(got.pending[0].raw.as_deref(), Some(req.body().as_ref()));
        }
    }

    #[test]
    fn fuzz_target_never_panics(data in proptest::collection::vec(any::<u8>(), 0..3000)) {
        fuzz_ingest(&data);
    }
}

#[test]
fn fuzz_target_runs_fixtures_and_their_truncations() {
    for f in common::fixtures() {
        let mut data = Vec::new();
        for (name, value) in f.request.headers() {
            data.extend_from_slice(name.as_str().as_bytes());
            data.extend_from_slice(b": ");
            data.extend_from_slice(value.as_bytes());
            data.push(b'\n');
        }
        data.push(b'\n');
        data.extend_from_slice(f.request.body());
        for len in (0..data.len()).step_by(37) {
            fuzz_ingest(&data[..len]);
        }
        fuzz_ingest(&data);
    }
}

fn build(config: serde_json::Value) -> Result<invoice_core::registry::Connector, ConfigError> {
    let mut reg = ConnectorRegistry::new();
    invoice_connector_paypal::register(&mut reg);
    reg.build(Platform::Paypal, &config)
}

#[test]
fn configuration_is_checked() {
    let ok = build(serde_json::json!({
        "secrets": ["4JH86294D6297924G"],
        "receiver_ids": ["7QX5N4VGBCK3L"],
        "tenant": "brightline",
    }))
    .unwrap();
    assert_eq!(ok.source.info().platform, Platform::Paypal);
    assert!(ok.enricher.is_some());

    let unknown = build(serde_json::json!({"secrets": ["x"], "webhook_secret": "y"})).unwrap_err();
    assert!(unknown.to_string().contains("webhook_secret"), "{unknown}");
    let nothing = build(serde_json::json!({})).unwrap_err();
    assert!(nothing.to_string().contains("secrets"), "{nothing}");
    let api = build(serde_json::json!({"secrets": ["x"], "verification": "api"})).unwrap_err();
    assert!(api.to_string().contains("client_id"), "{api}");
    let plain = build(serde_json::json!({
        "secrets": ["x"],
        "postback_url": "http://ipnpb.paypal.com/cgi-bin/webscr",
    }))
    .unwrap_err();
    assert!(plain.to_string().contains("postback_url"), "{plain}");
    let no_hosts = build(serde_json::json!({"secrets": ["x"], "cert_hosts": []})).unwrap_err();
    assert!(no_hosts.to_string().contains("cert_hosts"), "{no_hosts}");
}

#[test]
fn secrets_never_show_in_debug_output() {
    let c = build(serde_json::json!({
        "secrets": ["WEBHOOKID-SHOULD-NOT-PRINT"],
        "verification": "api",
        "client_id": "CLIENT-ID-SHOULD-NOT-PRINT",
        "client_secret": "CLIENT-SECRET-SHOULD-NOT-PRINT",
    }))
    .unwrap();
    let debug = format!("{:?} {:?}", c.source, c.enricher);
    assert!(!debug.contains("SHOULD-NOT-PRINT"), "{debug}");
}
