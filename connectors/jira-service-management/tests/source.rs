//! Shared-secret header mode, tenant rules, and arbitrary input never panicking.

#![allow(clippy::unwrap_used)] // tests: a panic is the failure report

use chrono::{TimeZone, Utc};
use invoice_connector_jira_service_management::testing::{
    fuzz_ingest, sign, Harness, FIXTURE_SECRET, FIXTURE_TOKEN,
};
use invoice_core::{IngestContext, Secret};
use proptest::prelude::*;

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap()
}

const BODY: &[u8] = br#"{"webhookEvent":"jira:issue_updated","timestamp":1768474795407,"issue":{"id":"10042","key":"INV-42","self":"https://anodix.atlassian.net/rest/api/2/issue/10042","fields":{"status":{"name":"Paid","id":"10012"},"customfield_10050":1250.0,"customfield_10052":"EUR","updated":"2026-01-15T10:59:55.407+0000"}},"changelog":{"items":[{"field":"status","toString":"Paid"}]}}"#;

fn req(headers: &[(&str, &str)], body: &[u8]) -> http::Request<bytes::Bytes> {
    let mut b = http::Request::builder()
        .method("POST")
        .uri("/webhooks/jira-service-management");
    for (k, v) in headers {
        b = b.header(*k, *v);
    }
    b.body(bytes::Bytes::copy_from_slice(body)).unwrap()
}

fn now() -> IngestContext {
    IngestContext::at(Utc.with_ymd_and_hms(2026, 1, 15, 11, 0, 0).unwrap())
}

#[test]
fn automation_header_token_is_compared_exactly() {
    let source = Harness::source(vec![Secret::new(FIXTURE_SECRET)]);
    let ok = rt()
        .block_on(source.ingest(&req(&[("x-relay-token", FIXTURE_TOKEN)], BODY), &now()))
        .unwrap();
    assert_eq!(ok.events.len(), 1);
    assert_eq!(ok.tenant.as_str(), "anodix.atlassian.net");
    assert_eq!(
        ok.events[0].snapshot.as_ref().unwrap().total.to_string(),
        "1250.0"
    );
    for wrong in [
        "",
        "automation-token-5c0a9e27b1f84d3",
        "automation-token-5c0a9e27b1f84d37",
    ] {
        let r = rt().block_on(source.ingest(&req(&[("x-relay-token", wrong)], BODY), &now()));
        assert!(r.unwrap_err().kind().is_auth(), "{wrong:?} accepted");
    }
}

#[test]
fn a_bad_signature_is_not_rescued_by_a_good_token() {
    let source = Harness::source(vec![Secret::new(FIXTURE_SECRET)]);
    let r = rt().block_on(source.ingest(
        &req(
            &[
                ("x-hub-signature", "sha256=00"),
                ("x-relay-token", FIXTURE_TOKEN),
            ],
            BODY,
        ),
        &now(),
    ));
    assert!(r.unwrap_err().kind().is_auth());
}

#[test]
fn signature_without_prefix_is_refused() {
    let source = Harness::source(vec![Secret::new(FIXTURE_SECRET)]);
    let mut r = req(&[], BODY);
    sign(&mut r, &Secret::new(FIXTURE_SECRET), Utc::now());
    let full = r
        .headers()
        .get("x-hub-signature")
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    let bare = full.trim_start_matches("sha256=").to_owned();
    let r = req(&[("x-hub-signature", &bare)], BODY);
    assert!(rt()
        .block_on(source.ingest(&r, &now()))
        .unwrap_err()
        .kind()
        .is_auth());
}

proptest! {
    #[test]
    fn arbitrary_unsigned_bodies_are_refused(body in proptest::collection::vec(any::<u8>(), 0..256)) {
        let source = Harness::source(vec![Secret::new(FIXTURE_SECRET)]);
        let r = req(&[("x-hub-signature", "sha256=0000")], &body);
        prop_assert!(rt().block_on(source.ingest(&r, &now())).is_err());
    }

    #[test]
    fn arbitrary_signed_bodies_never_panic(body in "[\\[\\]{}\",:a-zA-Z0-9_. +-]{0,200}") {
        let source = Harness::source(vec![Secret::new(FIXTURE_SECRET)]);
        let mut r = req(&[], body.as_bytes());
        sign(&mut r, &Secret::new(FIXTURE_SECRET), Utc::now());
        let _ = rt().block_on(source.ingest(&r, &now()));
    }

    #[test]
    fn fuzz_target_never_panics(data in proptest::collection::vec(any::<u8>(), 0..512)) {
        fuzz_ingest(&data);
    }
}
