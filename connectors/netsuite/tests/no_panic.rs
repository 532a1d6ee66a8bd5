//! Arbitrary bytes and headers never panic the source, and anything unsigned is refused.

#![allow(clippy::unwrap_used)] // tests may unwrap (see the workspace lints)

use chrono::{TimeZone, Utc};
use invoice_connector_netsuite::testing::{fixture_config, fuzz_ingest, sign, FIXTURE_SECRET};
use invoice_connector_netsuite::NetsuiteSource;
use invoice_core::reexports::bytes::Bytes;
use invoice_core::{IngestContext, InvoiceSource, Secret};
use proptest::prelude::*;

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap()
}

proptest! {
    #[test]
    fn arbitrary_requests_never_panic(body in proptest::collection::vec(any::<u8>(), 0..600),
                                      header in proptest::collection::vec(any::<u8>(), 0..120)) {
        let source = NetsuiteSource::new(fixture_config(vec![Secret::new(FIXTURE_SECRET)])).unwrap();
        let now = Utc.timestamp_opt(1_768_471_200, 0).unwrap();
        let mut req = http::Request::builder().method("POST").uri("/webhooks/netsuite")
            .body(Bytes::from(body)).unwrap();
        if let Ok(v) = http::HeaderValue::from_bytes(&header) {
            req.headers_mut().insert("x-ns-signature", v);
            req.headers_mut().insert("x-ns-timestamp", http::HeaderValue::from_static("1768471200"));
        }
        let r = rt().block_on(source.ingest(&req, &IngestContext::at(now)));
        prop_assert!(r.is_err(), "an unsigned or wrongly signed request was accepted");
    }

    /// Signed garbage reaches the parser: every invoice is an event or skipped, never a panic.
    #[test]
    fn signed_arbitrary_invoices_never_panic(status in ".{0,16}", total in "[-0-9.eE\"]{0,24}",
                                             remaining in "[-0-9.eE\"]{0,24}", lm in ".{0,26}",
                                             cur in ".{0,4}", due in ".{0,12}") {
        let num = |t: &str| if serde_json::from_str::<serde_json::Value>(t).is_ok() { t.to_owned() } else { serde_json::to_string(t).unwrap() };
        let body = format!(
            r#"{{"account":"1234567","recordType":"invoice","eventType":"edit","id":"1","lastModified":{},"invoices":[{{"id":"1","status":{},"currency":{},"total":{},"amountRemaining":{},"dueDate":{},"lastModified":{}}}]}}"#,
            serde_json::to_string(&lm).unwrap(), serde_json::to_string(&status).unwrap(),
            serde_json::to_string(&cur).unwrap(), num(&total), num(&remaining),
            serde_json::to_string(&due).unwrap(), serde_json::to_string(&lm).unwrap());
        let now = Utc.timestamp_opt(1_768_471_200, 0).unwrap();
        let mut req = http::Request::builder().method("POST").uri("/webhooks/netsuite")
            .body(Bytes::from(body)).unwrap();
        sign(&mut req, &Secret::new(FIXTURE_SECRET), now);
        let source = NetsuiteSource::new(fixture_config(vec![Secret::new(FIXTURE_SECRET)])).unwrap();
        let got = rt().block_on(source.ingest(&req, &IngestContext::at(now)));
        prop_assert!(got.is_ok(), "{:?}", got.err());
        let got = got.unwrap();
        prop_assert_eq!(got.events.len() + got.skipped.len(), 1);
    }

    #[test]
    fn fuzz_body_never_panics(data in proptest::collection::vec(any::<u8>(), 0..800)) {
        fuzz_ingest(&data);
    }
}
