//! Arbitrary bytes and headers never panic the source, and anything unsigned is refused.

#![allow(clippy::unwrap_used)] // tests may unwrap (see the workspace lints)

use chrono::{TimeZone, Utc};
use invoice_connector_servicenow::testing::{fixture_config, fuzz_ingest, sign, FIXTURE_SECRET};
use invoice_connector_servicenow::{ServicenowAuth, ServicenowSource};
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
                                      header in proptest::collection::vec(any::<u8>(), 0..120),
                                      basic in any::<bool>()) {
        let mut config = fixture_config(vec![Secret::new(if basic { "relay:pw" } else { FIXTURE_SECRET })]);
        if basic {
            config.auth = ServicenowAuth::Basic;
        }
        let source = ServicenowSource::new(config).unwrap();
        let now = Utc.timestamp_opt(1_768_471_200, 0).unwrap();
        let mut req = http::Request::builder().method("POST").uri("/webhooks/servicenow")
            .body(Bytes::from(body)).unwrap();
        if let Ok(v) = http::HeaderValue::from_bytes(&header) {
            req.headers_mut().insert("webhook-signature", v.clone());
            req.headers_mut().insert("authorization", v);
            req.headers_mut().insert("webhook-id", http::HeaderValue::from_static("msg_1"));
            req.headers_mut().insert("webhook-timestamp", http::HeaderValue::from_static("1768471200"));
        }
        let r = rt().block_on(source.ingest(&req, &IngestContext::at(now)));
        prop_assert!(r.is_err(), "an unsigned or wrongly signed request was accepted");
    }

    /// Signed garbage reaches the parser: every record is an event or skipped.
    #[test]
    fn signed_arbitrary_records_never_panic(state in ".{0,16}", amount in "[-0-9.eE\"]{0,24}",
                                            paid in "[-0-9.eE\"]{0,24}", updated in ".{0,22}",
                                            cur in ".{0,4}", due in ".{0,12}", count in "[-0-9\"a]{0,22}") {
        let num = |t: &str| if serde_json::from_str::<serde_json::Value>(t).is_ok() { t.to_owned() } else { serde_json::to_string(t).unwrap() };
        let body = format!(
            r#"{{"source":"servicenow","instance":"anodizeworks","table":"x_invoice","records":[{{"sys_id":"abc","state":{},"amount":{},"amount_paid":{},"currency":{},"due_date":{},"sys_updated_on":{},"sys_mod_count":{}}}]}}"#,
            serde_json::to_string(&state).unwrap(), num(&amount), num(&paid),
            serde_json::to_string(&cur).unwrap(), serde_json::to_string(&due).unwrap(),
            serde_json::to_string(&updated).unwrap(), num(&count));
        let now = Utc.timestamp_opt(1_768_471_200, 0).unwrap();
        let mut req = http::Request::builder().method("POST").uri("/webhooks/servicenow")
            .body(Bytes::from(body)).unwrap();
        sign(&mut req, &Secret::new(FIXTURE_SECRET), now);
        let source = ServicenowSource::new(fixture_config(vec![Secret::new(FIXTURE_SECRET)])).unwrap();
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
