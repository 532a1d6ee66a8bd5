//! Arbitrary bytes and headers never panic `ingest` (and the fuzz target body).

// Tests may unwrap (see the workspace lint's comment).
#![allow(clippy::unwrap_used)]

use chrono::{TimeZone, Utc};
use invoice_connector_xero::testing::{fuzz_ingest, sign, Harness, FIXTURE_SECRET};
use invoice_core::{IngestContext, Secret};
use proptest::prelude::*;

fn run(body: Vec<u8>, header: Option<Vec<u8>>, signed: bool) {
    let mut req = http::Request::builder()
        .method("POST")
        .uri("/webhooks/xero")
        .body(bytes::Bytes::from(body))
        .unwrap();
    if let Some(h) = header.and_then(|h| http::HeaderValue::from_bytes(&h).ok()) {
        req.headers_mut().insert("x-xero-signature", h);
    }
    if signed {
        sign(&mut req, &Secret::new(FIXTURE_SECRET), Utc::now());
    }
    let source = Harness::source(vec![Secret::new(FIXTURE_SECRET)]);
    let ctx = IngestContext::at(Utc.with_ymd_and_hms(2026, 3, 1, 0, 0, 0).unwrap());
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let r = rt.block_on(source.ingest(&req, &ctx));
    if !signed {
        // Unsigned (or randomly signed) input never gets through.
        assert!(r.is_err());
    }
}

fn json_ish() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        proptest::collection::vec(any::<u8>(), 0..256),
        "[\\[\\]{}\",:a-zA-Z0-9. -]{0,200}".prop_map(String::into_bytes),
        Just(br#"{"events":[],"firstEventSequence": 0,"lastEventSequence": 0, "entropy": "X"}"#.to_vec()),
        Just(br#"{"events":[{"resourceUrl":"x","resourceId":"","eventDateUtc":"x","eventType":"UPDATE","eventCategory":"INVOICE","tenantId":"t"}]}"#.to_vec()),
        Just(br#"{"events":[{"resourceUrl":"x","resourceId":"1","eventDateUtc":"2026-01-01T00:00:00","eventType":"UPDATE","eventCategory":"INVOICE","tenantId":"t"}]}"#.to_vec()),
    ]
}

proptest! {
    #[test]
    fn arbitrary_unsigned_input_is_refused_without_panic(
        body in json_ish(),
        header in proptest::option::of(proptest::collection::vec(any::<u8>(), 0..64)),
    ) {
        run(body, header, false);
    }

    #[test]
    fn arbitrary_signed_input_never_panics(body in json_ish()) {
        run(body, None, true);
    }

    #[test]
    fn fuzz_target_never_panics(data in proptest::collection::vec(any::<u8>(), 0..512)) {
        fuzz_ingest(&data);
    }
}
