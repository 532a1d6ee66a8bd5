//! Arbitrary bytes and headers never panic the source, and anything unsigned is refused.

#![allow(clippy::unwrap_used)] // tests may unwrap (see the workspace lints)

use chrono::{TimeZone, Utc};
use invoice_connector_google_sheets::testing::{fixture_config, fuzz_ingest, sign, FIXTURE_SECRET};
use invoice_connector_google_sheets::SheetsSource;
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
        let source = SheetsSource::new(fixture_config(vec![Secret::new(FIXTURE_SECRET)])).unwrap();
        let now = Utc.timestamp_opt(1_768_471_200, 0).unwrap();
        let mut req = http::Request::builder().method("POST").uri("/webhooks/google-sheets")
            .body(Bytes::from(body)).unwrap();
        if let Ok(v) = http::HeaderValue::from_bytes(&header) {
            req.headers_mut().insert("x-sheets-signature", v);
        }
        let r = rt().block_on(source.ingest(&req, &IngestContext::at(now)));
        prop_assert!(r.is_err(), "an unsigned or wrongly signed request was accepted");
    }

    /// Signed garbage reaches the parser: it may be refused as malformed, never panic.
    #[test]
    fn signed_arbitrary_rows_never_panic(cells in proptest::collection::vec(".{0,24}", 8),
                                         row in any::<u32>(), sent in any::<i64>()) {
        let names = ["Invoice No.", "Customer", "Amount", "Currency", "Due Date", "Status", "Paid", "X"];
        let values: serde_json::Map<String, serde_json::Value> = names.iter().zip(&cells)
            .map(|(n, c)| ((*n).to_owned(), serde_json::Value::String(c.clone()))).collect();
        let body = serde_json::json!({"spreadsheetId": "s", "sheet": "Invoices", "sentAt": sent,
            "rows": [{"row": row, "values": values}]});
        let now = Utc.timestamp_opt(1_768_471_200, 0).unwrap();
        let mut req = http::Request::builder().method("POST").uri("/webhooks/google-sheets")
            .body(Bytes::from(serde_json::to_vec(&body).unwrap())).unwrap();
        sign(&mut req, &Secret::new(FIXTURE_SECRET), now);
        let source = SheetsSource::new(fixture_config(vec![Secret::new(FIXTURE_SECRET)])).unwrap();
        let got = rt().block_on(source.ingest(&req, &IngestContext::at(now)));
        prop_assert!(got.is_ok());
        let got = got.unwrap();
        prop_assert_eq!(got.events.len() + got.skipped.len(), 1);
    }

    #[test]
    fn fuzz_body_never_panics(data in proptest::collection::vec(any::<u8>(), 0..800)) {
        fuzz_ingest(&data);
    }
}
