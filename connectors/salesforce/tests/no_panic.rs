//! Arbitrary bytes and headers never panic the source or the fuzz target.
#![allow(clippy::unwrap_used)] // tests: a panic is the failure report

use chrono::{TimeZone, Utc};
use invoice_connector_salesforce::testing::{fuzz_ingest, Harness, FIXTURE_SECRET};
use invoice_core::testing::fixture::load_dir;
use invoice_core::{IngestContext, Secret};
use proptest::prelude::*;

fn run(content_type: &str, secret: Option<&str>, body: Vec<u8>, token: bool) {
    let source = Harness::source(vec![Secret::new(FIXTURE_SECRET)]);
    let mut b = http::Request::builder()
        .method("POST")
        .uri("/webhooks/salesforce");
    if let Ok(v) = http::HeaderValue::from_str(content_type) {
        b = b.header(http::header::CONTENT_TYPE, v);
    }
    if let Some(s) = secret.and_then(|s| http::HeaderValue::from_str(s).ok()) {
        b = b.header("x-relay-secret", s);
    }
    let req = b.body(bytes::Bytes::from(body)).unwrap();
    let mut ctx = IngestContext::at(Utc.timestamp_opt(1_772_445_608, 0).unwrap());
    ctx.url_token_verified = token;
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let _ = rt.block_on(source.ingest(&req, &ctx));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn arbitrary_bytes_never_panic(
        body in proptest::collection::vec(any::<u8>(), 0..2048),
        ct in prop_oneof![Just("text/xml; charset=utf-8".to_owned()), Just("application/json".to_owned()), ".{0,30}"],
        token in any::<bool>(),
    ) {
        run(&ct, Some(FIXTURE_SECRET), body, token);
    }

    #[test]
    fn mutated_fixtures_never_panic(
        which in 0usize..14,
        edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..8),
        cut in any::<prop::sample::Index>(),
    ) {
        let fixtures = load_dir(&Harness::fixtures()).unwrap();
        let f = &fixtures[which % fixtures.len()];
        let mut body = f.request.body().to_vec();
        if body.is_empty() { return Ok(()); }
        for (i, b) in edits {
            let at = i.index(body.len());
            body[at] = b;
        }
        body.truncate(cut.index(body.len() + 1).max(1));
        let ct = f.request.headers().get(http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok()).unwrap_or("text/xml").to_owned();
        run(&ct, Some(FIXTURE_SECRET), body, true);
    }

    #[test]
    fn fuzz_target_never_panics(data in proptest::collection::vec(any::<u8>(), 0..2048)) {
        fuzz_ingest(&data);
    }
}

#[test]
fn fuzz_target_never_panics_on_fixture_shapes() {
    for f in load_dir(&Harness::fixtures()).unwrap() {
        let mut data = Vec::new();
        for (k, v) in f.request.headers() {
            data.extend_from_slice(k.as_str().as_bytes());
            data.extend_from_slice(b": ");
            data.extend_from_slice(v.as_bytes());
            data.extend_from_slice(b"\r\n");
        }
        data.extend_from_slice(b"\r\n");
        data.extend_from_slice(f.request.body());
        fuzz_ingest(&data);
    }
}
