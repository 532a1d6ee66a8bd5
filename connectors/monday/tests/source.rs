//! Challenge echo, URL-token mode, and arbitrary input never panicking.

#![allow(clippy::unwrap_used)] // tests: a panic is the failure report

use chrono::{TimeZone, Utc};
use invoice_connector_monday::testing::{fuzz_ingest, sign, Harness, FIXTURE_SECRET};
use invoice_connector_monday::MondaySource;
use invoice_core::{IngestContext, InvoiceSource, Secret, TenantId};
use proptest::prelude::*;

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap()
}

fn req(body: &[u8]) -> http::Request<bytes::Bytes> {
    http::Request::builder()
        .method("POST")
        .uri("/webhooks/monday")
        .header("content-type", "application/json")
        .body(bytes::Bytes::copy_from_slice(body))
        .unwrap()
}

const EVENT: &[u8] = br#"{"event":{"type":"update_column_value","pulseId":1,"columnId":"status","columnType":"color","value":{"label":{"index":2,"text":"Paid"}},"triggerTime":"2026-01-15T10:00:00.000Z","triggerUuid":"u1"}}"#;

#[test]
fn challenge_is_echoed_byte_for_byte() {
    let source = Harness::source(vec![Secret::new(FIXTURE_SECRET)]);
    let body = br#"{"challenge":"3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P"}"#;
    let now = Utc.with_ymd_and_hms(2026, 1, 15, 10, 0, 0).unwrap();
    let got = rt()
        .block_on(source.ingest(&req(body), &IngestContext::at(now)))
        .unwrap();
    assert!(got.handshake);
    assert_eq!(&got.reply.body[..], &body[..]);
    assert_eq!(
        got.reply.headers.get("content-type").unwrap(),
        "application/json"
    );
}

#[test]
fn url_token_mode_needs_the_flag_and_a_verified_token() {
    let now = Utc.with_ymd_and_hms(2026, 1, 15, 10, 0, 0).unwrap();
    let mut ctx = IngestContext::at(now);
    ctx.route_tenant = Some(TenantId("9603417".into()));
    let strict = Harness::source(vec![Secret::new(FIXTURE_SECRET)]);
    ctx.url_token_verified = true;
    assert!(rt()
        .block_on(strict.ingest(&req(EVENT), &ctx))
        .unwrap_err()
        .kind()
        .is_auth());
    let mut config = Harness::config(vec![Secret::new(FIXTURE_SECRET)]);
    config.accept_url_token = true;
    let lenient = MondaySource::new(config).unwrap();
    let got = rt().block_on(lenient.ingest(&req(EVENT), &ctx)).unwrap();
    assert_eq!(got.tenant.as_str(), "9603417");
    assert_eq!(got.events.len(), 1);
    ctx.url_token_verified = false;
    assert!(rt()
        .block_on(lenient.ingest(&req(EVENT), &ctx))
        .unwrap_err()
        .kind()
        .is_auth());
}

proptest! {
    #[test]
    fn arbitrary_tokens_are_refused(token in "[A-Za-z0-9._ -]{0,200}") {
        let source = Harness::source(vec![Secret::new(FIXTURE_SECRET)]);
        let mut r = req(EVENT);
        if let Ok(v) = http::HeaderValue::from_str(&token) {
            r.headers_mut().insert("authorization", v);
        }
        let now = Utc.with_ymd_and_hms(2026, 1, 15, 10, 0, 0).unwrap();
        prop_assert!(rt().block_on(source.ingest(&r, &IngestContext::at(now))).is_err());
    }

    #[test]
    fn arbitrary_signed_bodies_never_panic(body in "[\\[\\]{}\",:a-zA-Z0-9_. -]{0,200}") {
        let source = Harness::source(vec![Secret::new(FIXTURE_SECRET)]);
        let mut r = req(body.as_bytes());
        let now = Utc.with_ymd_and_hms(2026, 1, 15, 10, 0, 0).unwrap();
        sign(&mut r, &Secret::new(FIXTURE_SECRET), now);
        let _ = rt().block_on(source.ingest(&r, &IngestContext::at(now)));
    }

    #[test]
    fn fuzz_target_never_panics(data in proptest::collection::vec(any::<u8>(), 0..512)) {
        fuzz_ingest(&data);
    }
}
