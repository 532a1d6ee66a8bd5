//! Arbitrary bytes, keys and attribute values never panic the source, and a request
//! without the right key is refused.

#![allow(clippy::unwrap_used)] // tests may unwrap (see the workspace lints)

use chrono::{TimeZone, Utc};
use invoice_connector_dynamics365::testing::{
    fixture_config, fuzz_ingest, sign, FIXTURE_ORG, FIXTURE_SECRET,
};
use invoice_connector_dynamics365::Dynamics365Source;
use invoice_core::reexports::bytes::Bytes;
use invoice_core::{IngestContext, InvoiceSource, Secret};
use proptest::prelude::*;

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap()
}

fn source() -> Dynamics365Source {
    Dynamics365Source::new(fixture_config(vec![Secret::new(FIXTURE_SECRET)])).unwrap()
}

proptest! {
    #[test]
    fn arbitrary_requests_with_arbitrary_keys_are_refused(
        body in proptest::collection::vec(any::<u8>(), 0..600),
        key in "[ -~]{0,60}",
    ) {
        prop_assume!(key != FIXTURE_SECRET);
        let now = Utc.timestamp_opt(1_768_471_200, 0).unwrap();
        let mut req = http::Request::builder().method("POST").uri("/webhooks/dynamics365")
            .body(Bytes::from(body)).unwrap();
        sign(&mut req, &Secret::new(key), now);
        let r = rt().block_on(source().ingest(&req, &IngestContext::at(now)));
        prop_assert!(r.is_err_and(|e| e.kind().is_auth()));
    }

    /// With the right key, garbage reaches the parser: every row is an event or skipped.
    #[test]
    fn keyed_arbitrary_attribute_values_never_panic(
        state in "[-0-9a-z\"{}:,]{0,12}", status in "[-0-9\"]{0,8}",
        total in "[-0-9.eE\"]{0,24}", due in ".{0,24}", modified in ".{0,28}",
        message in "(Create|Update|SetState|Delete|UpdateMultiple|Assign|.{0,8})",
    ) {
        let j = |t: &str| if serde_json::from_str::<serde_json::Value>(t).is_ok() { t.to_owned() } else { serde_json::to_string(t).unwrap() };
        let attrs = format!(
            r#"[{{"key":"statecode","value":{{"Value":{}}}}},{{"key":"statuscode","value":{}}},{{"key":"totalamount","value":{{"Value":{}}}}},{{"key":"duedate","value":{}}},{{"key":"modifiedon","value":{}}},{{"key":"transactioncurrencyid","value":{{"Id":"x","Name":"USD"}}}}]"#,
            j(&state), j(&status), j(&total), serde_json::to_string(&due).unwrap(),
            serde_json::to_string(&modified).unwrap());
        let body = format!(
            r#"{{"MessageName":{},"PrimaryEntityName":"invoice","PrimaryEntityId":"a","OrganizationId":"{FIXTURE_ORG}","InputParameters":[{{"key":"Target","value":{{"Id":"a","Attributes":{attrs}}}}},{{"key":"Targets","value":{{"Entities":[{{"Id":"b","Attributes":{attrs}}}]}}}}],"PostEntityImages":[{{"key":"p","value":{{"Attributes":{attrs}}}}}]}}"#,
            serde_json::to_string(&message).unwrap());
        let now = Utc.timestamp_opt(1_768_471_200, 0).unwrap();
        let mut req = http::Request::builder().method("POST").uri("/webhooks/dynamics365")
            .body(Bytes::from(body)).unwrap();
        sign(&mut req, &Secret::new(FIXTURE_SECRET), now);
        let got = rt().block_on(source().ingest(&req, &IngestContext::at(now)));
        prop_assert!(got.is_ok(), "{:?}", got.err());
        let got = got.unwrap();
        prop_assert!(got.events.len() + got.skipped.len() >= 1);
    }

    #[test]
    fn fuzz_body_never_panics(data in proptest::collection::vec(any::<u8>(), 0..800)) {
        fuzz_ingest(&data);
    }
}
