//! Arbitrary bytes and headers never panic `ingest` (nor the fuzz target body).

#![allow(clippy::unwrap_used)] // tests: a panic is the failure report

use chrono::{TimeZone, Utc};
use invoice_connector_hubspot::testing::{fuzz_ingest, sign, Harness, FIXTURE_SECRET};
use invoice_core::{IngestContext, Secret};
use proptest::prelude::*;

fn run(body: Vec<u8>, headers: Vec<(usize, Vec<u8>)>, signed: bool) {
    const NAMES: [&str; 4] = [
        "x-hubspot-signature-v3",
        "x-hubspot-request-timestamp",
        "x-hubspot-signature",
        "x-hubspot-signature-version",
    ];
    let mut req = http::Request::builder()
        .method("POST")
        .uri("/webhooks/hubspot")
        .body(bytes::Bytes::from(body))
        .unwrap();
    for (i, v) in headers {
        if let Ok(h) = http::HeaderValue::from_bytes(&v) {
            req.headers_mut().insert(NAMES[i % NAMES.len()], h);
        }
    }
    let now = Utc.with_ymd_and_hms(2026, 1, 15, 10, 40, 0).unwrap();
    if signed {
        sign(&mut req, &Secret::new(FIXTURE_SECRET), now);
    }
    let source = Harness::source(vec![Secret::new(FIXTURE_SECRET)]);
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let r = rt.block_on(source.ingest(&req, &IngestContext::at(now)));
    if !signed {
        assert!(r.is_err());
    }
}

fn json_ish() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        proptest::collection::vec(any::<u8>(), 0..256),
        "[\\[\\]{}\",:a-zA-Z0-9. -]{0,200}".prop_map(String::into_bytes),
        Just(br#"[{"eventId":1,"portalId":2,"occurredAt":9223372036854775807,"subscriptionType":"object.propertyChange","objectId":3,"objectTypeId":"0-53","propertyName":"hs_invoice_status","propertyValue":"paid"}]"#.to_vec()),
        Just(br#"[{"eventId":1,"portalId":2,"occurredAt":-1,"subscriptionType":".","objectId":3,"objectTypeId":"0-53"}]"#.to_vec()),
    ]
}

proptest! {
    #[test]
    fn arbitrary_unsigned_input_is_refused_without_panic(
        body in json_ish(),
        headers in proptest::collection::vec((0usize..4, proptest::collection::vec(any::<u8>(), 0..64)), 0..4),
    ) {
        run(body, headers, false);
    }

    #[test]
    fn arbitrary_signed_input_never_panics(body in json_ish()) {
        run(body, Vec::new(), true);
    }

    #[test]
    fn fuzz_target_never_panics(data in proptest::collection::vec(any::<u8>(), 0..512)) {
        fuzz_ingest(&data);
    }
}
