//! The handshake reply, the observer hook, and arbitrary input never panicking.

#![allow(clippy::unwrap_used)] // tests: a panic is the failure report

use std::sync::{Arc, Mutex};

use chrono::{TimeZone, Utc};
use invoice_connector_asana::testing::{fuzz_ingest, sign, Harness, FIXTURE_SECRET};
use invoice_connector_asana::{AsanaSource, HandshakeObserver};
use invoice_core::{IngestContext, InvoiceSource, Secret, TenantId};
use proptest::prelude::*;

#[derive(Debug, Default)]
struct Seen(Mutex<Vec<(String, Vec<u8>)>>);

impl HandshakeObserver for Seen {
    fn handshake(&self, tenant: &TenantId, secret: &Secret) {
        self.0
            .lock()
            .unwrap()
            .push((tenant.as_str().to_owned(), secret.expose().to_vec()));
    }
}

fn request(headers: &[(&str, &str)], body: &'static [u8]) -> http::Request<bytes::Bytes> {
    let mut b = http::Request::builder()
        .method("POST")
        .uri("/webhooks/asana");
    for (k, v) in headers {
        b = b.header(*k, *v);
    }
    b.body(bytes::Bytes::from_static(body)).unwrap()
}

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap()
}

#[test]
fn handshake_echoes_the_secret_header_and_tells_the_observer() {
    let seen = Arc::new(Seen::default());
    let source = AsanaSource::new(Harness::config(vec![Secret::new(FIXTURE_SECRET)]))
        .unwrap()
        .with_handshake_observer(seen.clone());
    let secret = "b537207f20cbfa02357cf448134da559e8bd39d61597dcd5631b8012eae53e81";
    let req = request(&[("x-hook-secret", secret)], b"");
    let now = Utc.with_ymd_and_hms(2026, 1, 15, 10, 0, 0).unwrap();
    let got = rt()
        .block_on(source.ingest(&req, &IngestContext::at(now)))
        .unwrap();
    assert!(got.handshake);
    assert_eq!(got.reply.status, 200);
    assert_eq!(got.reply.headers.get("x-hook-secret").unwrap(), secret);
    assert!(got.reply.body.is_empty());
    assert!(
        !format!("{:?}", got.reply).contains(secret),
        "Debug prints the secret"
    );
    let seen = seen.0.lock().unwrap().clone();
    assert_eq!(
        seen,
        vec![("1201937163829400".to_owned(), secret.as_bytes().to_vec())]
    );
}

#[test]
fn unusable_handshake_values_are_refused() {
    let source = Harness::source(vec![Secret::new(FIXTURE_SECRET)]);
    let now = Utc.with_ymd_and_hms(2026, 1, 15, 10, 0, 0).unwrap();
    let req = request(&[("x-hook-secret", "has space")], b"");
    let r = rt().block_on(source.ingest(&req, &IngestContext::at(now)));
    assert!(r.is_err());
}

#[test]
fn a_signed_request_is_never_a_handshake() {
    // With both headers present the signature decides: a forged signature cannot be
    // turned into a handshake by adding X-Hook-Secret.
    let source = Harness::source(vec![Secret::new(FIXTURE_SECRET)]);
    let now = Utc.with_ymd_and_hms(2026, 1, 15, 10, 0, 0).unwrap();
    let req = request(
        &[("x-hook-secret", "abc"), ("x-hook-signature", "00")],
        br#"{"events":[]}"#,
    );
    let r = rt().block_on(source.ingest(&req, &IngestContext::at(now)));
    assert!(r.unwrap_err().kind().is_auth());
}

proptest! {
    #[test]
    fn arbitrary_unsigned_bodies_are_refused(body in proptest::collection::vec(any::<u8>(), 0..256)) {
        let source = Harness::source(vec![Secret::new(FIXTURE_SECRET)]);
        let req = http::Request::builder().method("POST").uri("/webhooks/asana")
            .header("x-hook-signature", "0".repeat(64))
            .body(bytes::Bytes::from(body)).unwrap();
        let now = Utc.with_ymd_and_hms(2026, 1, 15, 10, 0, 0).unwrap();
        prop_assert!(rt().block_on(source.ingest(&req, &IngestContext::at(now))).is_err());
    }

    #[test]
    fn arbitrary_signed_bodies_never_panic(body in "[\\[\\]{}\",:a-z0-9_. -]{0,200}") {
        let source = Harness::source(vec![Secret::new(FIXTURE_SECRET)]);
        let mut req = http::Request::builder().method("POST").uri("/webhooks/asana")
            .body(bytes::Bytes::from(body.into_bytes())).unwrap();
        let now = Utc.with_ymd_and_hms(2026, 1, 15, 10, 0, 0).unwrap();
        sign(&mut req, &Secret::new(FIXTURE_SECRET), now);
        let _ = rt().block_on(source.ingest(&req, &IngestContext::at(now)));
    }

    #[test]
    fn fuzz_target_never_panics(data in proptest::collection::vec(any::<u8>(), 0..512)) {
        fuzz_ingest(&data);
    }
}
