//! The opt-in signature path, URL-token mode, and arbitrary input never panicking.

#![allow(clippy::unwrap_used)] // tests: a panic is the failure report

use chrono::{TimeZone, Utc};
use invoice_connector_zoho_books::testing::{fuzz_ingest, sign, Harness, FIXTURE_SECRET};
use invoice_connector_zoho_books::verify::sign as sign_hmac;
use invoice_connector_zoho_books::ZohoSource;
use invoice_core::{IngestContext, InvoiceSource, Secret, TenantId};
use proptest::prelude::*;

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap()
}

const BODY: &[u8] = br#"{"invoice":{"invoice_id":"982000000567114","status":"paid","currency_code":"EUR","total":1250.50,"balance":0,"last_modified_time":"2026-01-20T09:45:12+0530"}}"#;

fn req(uri: &str, headers: &[(&str, &str)]) -> http::Request<bytes::Bytes> {
    let mut b = http::Request::builder().method("POST").uri(uri);
    for (k, v) in headers {
        b = b.header(*k, *v);
    }
    b.body(bytes::Bytes::from_static(BODY)).unwrap()
}

fn now() -> IngestContext {
    IngestContext::at(Utc.with_ymd_and_hms(2026, 1, 20, 5, 0, 0).unwrap())
}

#[test]
fn signature_is_checked_only_with_hmac_secrets() {
    let key = Secret::new("zbwebhooksecret123");
    let sig = sign_hmac(&key, "org=60012345678", BODY, false);
    let uri = "/webhooks/zoho-books?org=60012345678";
    let plain = Harness::source(vec![Secret::new(FIXTURE_SECRET)]);
    let r = req(uri, &[("x-zoho-webhook-signature", &sig)]);
    assert!(rt()
        .block_on(plain.ingest(&r, &now()))
        .unwrap_err()
        .kind()
        .is_auth());
    let mut config = Harness::config(vec![Secret::new(FIXTURE_SECRET)]);
    config.hmac_secrets = vec![key];
    let signed = ZohoSource::new(config).unwrap();
    let got = rt().block_on(signed.ingest(&r, &now())).unwrap();
    assert_eq!(got.events[0].kind.as_str(), "paid");
    // The query is signed: changing it breaks the signature.
    let moved = req(
        "/webhooks/zoho-books?org=1",
        &[("x-zoho-webhook-signature", &sig)],
    );
    assert!(rt()
        .block_on(signed.ingest(&moved, &now()))
        .unwrap_err()
        .kind()
        .is_auth());
    // A present but wrong signature is not rescued by a correct secret header.
    let both = req(
        uri,
        &[
            ("x-zoho-webhook-signature", "00"),
            ("x-relay-token", FIXTURE_SECRET),
        ],
    );
    assert!(rt()
        .block_on(signed.ingest(&both, &now()))
        .unwrap_err()
        .kind()
        .is_auth());
}

#[test]
fn url_token_mode() {
    let mut ctx = now();
    ctx.route_tenant = Some(TenantId("60099999999".into()));
    ctx.url_token_verified = true;
    let mut config = Harness::config(vec![Secret::new(FIXTURE_SECRET)]);
    config.organization_id = None;
    let strict = ZohoSource::new(config.clone()).unwrap();
    let r = req("/webhooks/zoho-books/60099999999/tok", &[]);
    assert!(rt()
        .block_on(strict.ingest(&r, &ctx))
        .unwrap_err()
        .kind()
        .is_auth());
    config.accept_url_token = true;
    let lenient = ZohoSource::new(config).unwrap();
    assert_eq!(
        rt().block_on(lenient.ingest(&r, &ctx))
            .unwrap()
            .tenant
            .as_str(),
        "60099999999"
    );
    ctx.url_token_verified = false;
    assert!(rt()
        .block_on(lenient.ingest(&r, &ctx))
        .unwrap_err()
        .kind()
        .is_auth());
}

#[test]
fn short_header_secrets_are_refused_at_start_up() {
    assert!(
        ZohoSource::new(invoice_connector_zoho_books::ZohoConfig::with_secret(
            "short"
        ))
        .is_err()
    );
}

proptest! {
    #[test]
    fn arbitrary_tokens_are_refused(token in "[ -~]{0,64}") {
        prop_assume!(token != FIXTURE_SECRET);
        let source = Harness::source(vec![Secret::new(FIXTURE_SECRET)]);
        let r = req("/webhooks/zoho-books", &[("x-relay-token", &token)]);
        prop_assert!(rt().block_on(source.ingest(&r, &now())).is_err());
    }

    #[test]
    fn arbitrary_authenticated_bodies_never_panic(body in proptest::collection::vec(any::<u8>(), 0..256)) {
        let source = Harness::source(vec![Secret::new(FIXTURE_SECRET)]);
        let mut r = http::Request::builder().method("POST").uri("/webhooks/zoho-books")
            .body(bytes::Bytes::from(body)).unwrap();
        sign(&mut r, &Secret::new(FIXTURE_SECRET), Utc::now());
        let _ = rt().block_on(source.ingest(&r, &now()));
    }

    #[test]
    fn fuzz_target_never_panics(data in proptest::collection::vec(any::<u8>(), 0..512)) {
        fuzz_ingest(&data);
    }
}
