//! Arbitrary bytes and headers never panic the source, and anything unsigned is refused.

#![allow(clippy::unwrap_used)] // tests may unwrap (see the workspace lints)

use chrono::{TimeZone, Utc};
use invoice_connector_odoo::testing::{fixture_config, fuzz_ingest, sign, FIXTURE_SECRET};
use invoice_connector_odoo::OdooSource;
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
        let source = OdooSource::new(fixture_config(vec![Secret::new(FIXTURE_SECRET)])).unwrap();
        let now = Utc.timestamp_opt(1_768_471_200, 0).unwrap();
        let mut req = http::Request::builder().method("POST").uri("/webhooks/odoo")
            .body(Bytes::from(body)).unwrap();
        if let Ok(v) = http::HeaderValue::from_bytes(&header) {
            req.headers_mut().insert("x-odoo-signature", v);
        }
        let r = rt().block_on(source.ingest(&req, &IngestContext::at(now)));
        prop_assert!(r.is_err(), "an unsigned or wrongly signed request was accepted");
    }

    /// Signed garbage reaches the parser: refused as malformed or mapped, never a panic.
    #[test]
    fn signed_arbitrary_notifications_never_panic(state in ".{0,12}", pay in ".{0,12}",
                                                  mt in "(out_invoice|out_refund|in_invoice|.{0,8})",
                                                  total in "-?[0-9]{0,30}(\\.[0-9]{0,20})?(e-?[0-9]{1,4})?",
                                                  wd in ".{0,22}", id in any::<i64>()) {
        let body = format!(
            r#"{{"_id": {id}, "_model": "account.move", "state": {}, "payment_state": {}, "move_type": {}, "amount_total": {}, "amount_residual": 0.0, "currency_id": [1, "EUR"], "write_date": {}}}"#,
            serde_json::to_string(&state).unwrap(), serde_json::to_string(&pay).unwrap(),
            serde_json::to_string(&mt).unwrap(), if total.is_empty() { "false".to_owned() } else { total.clone() },
            serde_json::to_string(&wd).unwrap());
        let now = Utc.timestamp_opt(1_768_471_200, 0).unwrap();
        let mut req = http::Request::builder().method("POST").uri("/webhooks/odoo")
            .body(Bytes::from(body)).unwrap();
        sign(&mut req, &Secret::new(FIXTURE_SECRET), now);
        let source = OdooSource::new(fixture_config(vec![Secret::new(FIXTURE_SECRET)])).unwrap();
        if let Ok(got) = rt().block_on(source.ingest(&req, &IngestContext::at(now))) {
            prop_assert_eq!(got.events.len() + got.skipped.len(), 1);
        }
    }

    #[test]
    fn fuzz_body_never_panics(data in proptest::collection::vec(any::<u8>(), 0..800)) {
        fuzz_ingest(&data);
    }
}
