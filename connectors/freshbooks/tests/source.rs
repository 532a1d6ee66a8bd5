//! The verification callback, the account allow-list, and arbitrary input never panicking.

#![allow(clippy::unwrap_used)] // tests: a panic is the failure report

use std::sync::{Arc, Mutex};

use chrono::{TimeZone, Utc};
use invoice_connector_freshbooks::testing::{fuzz_ingest, sign, Harness, FIXTURE_SECRET};
use invoice_connector_freshbooks::{FreshbooksSource, HandshakeObserver};
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
        .uri("/webhooks/freshbooks")
        .header("content-type", "application/x-www-form-urlencoded")
        .body(bytes::Bytes::copy_from_slice(body))
        .unwrap()
}

fn now() -> IngestContext {
    IngestContext::at(Utc.with_ymd_and_hms(2026, 1, 15, 10, 0, 5).unwrap())
}

#[derive(Debug, Default)]
struct Seen(Mutex<Vec<(String, String, Vec<u8>)>>);

impl HandshakeObserver for Seen {
    fn verification(&self, account: &TenantId, callback_id: &str, verifier: &Secret) {
        self.0.lock().unwrap().push((
            account.as_str().to_owned(),
            callback_id.to_owned(),
            verifier.expose().to_vec(),
        ));
    }
}

#[test]
fn verification_callback_is_acknowledged_and_observed() {
    let seen = Arc::new(Seen::default());
    let source = FreshbooksSource::new(Harness::config(vec![Secret::new(FIXTURE_SECRET)]))
        .unwrap()
        .with_handshake_observer(seen.clone());
    let body = b"name=callback.verify&object_id=2001&verifier=newVerifier123&account_id=6BApk";
    let got = rt().block_on(source.ingest(&req(body), &now())).unwrap();
    assert!(got.handshake);
    assert!(got.events.is_empty() && got.pending.is_empty());
    assert_eq!(
        seen.0.lock().unwrap().clone(),
        vec![(
            "6BApk".to_owned(),
            "2001".to_owned(),
            b"newVerifier123".to_vec()
        )]
    );
}

#[test]
fn accounts_outside_the_allow_list_are_refused() {
    let mut config = Harness::config(vec![Secret::new(FIXTURE_SECRET)]);
    config.accounts = vec!["6BApk".into()];
    let source = FreshbooksSource::new(config).unwrap();
    let body = b"name=invoice.update&object_id=1&account_id=OTHER";
    let mut r = req(body);
    sign(&mut r, &Secret::new(FIXTURE_SECRET), Utc::now());
    let err = rt().block_on(source.ingest(&r, &now())).unwrap_err();
    assert_eq!(err.kind().as_str(), "unknown_tenant");
}

#[test]
fn the_signature_covers_field_values_not_just_names() {
    let source = Harness::source(vec![Secret::new(FIXTURE_SECRET)]);
    let mut r = req(b"name=invoice.update&object_id=1&account_id=6BApk");
    sign(&mut r, &Secret::new(FIXTURE_SECRET), Utc::now());
    let sig = r.headers().get("x-freshbooks-hmac-sha256").unwrap().clone();
    let mut forged = req(b"name=invoice.update&object_id=2&account_id=6BApk");
    forged.headers_mut().insert("x-freshbooks-hmac-sha256", sig);
    assert!(rt()
        .block_on(source.ingest(&forged, &now()))
        .unwrap_err()
        .kind()
        .is_auth());
}

proptest! {
    #[test]
    fn arbitrary_unsigned_bodies_are_refused(body in "[a-z_=&.%0-9A-F]{0,200}") {
        prop_assume!(!body.contains("verifier="));
        let source = Harness::source(vec![Secret::new(FIXTURE_SECRET)]);
        let mut r = req(body.as_bytes());
        r.headers_mut().insert("x-freshbooks-hmac-sha256", http::HeaderValue::from_static("AAAA"));
        prop_assert!(rt().block_on(source.ingest(&r, &now())).is_err());
    }

    #[test]
    fn arbitrary_signed_bodies_never_panic(body in proptest::collection::vec(any::<u8>(), 0..256)) {
        let source = Harness::source(vec![Secret::new(FIXTURE_SECRET)]);
        let mut r = req(&body);
        sign(&mut r, &Secret::new(FIXTURE_SECRET), Utc::now());
        let _ = rt().block_on(source.ingest(&r, &now()));
    }

    #[test]
    fn fuzz_target_never_panics(data in proptest::collection::vec(any::<u8>(), 0..512)) {
        fuzz_ingest(&data);
    }
}
