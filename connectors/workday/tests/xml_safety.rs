//! What the Workday reader refuses or skips: DOCTYPEs and entities, foreign namespaces,
//! undeclared prefixes, deep nesting, non-XML content types, messages without invoices,
//! invoices without an id; and the config's key checks.
#![allow(clippy::unwrap_used)] // tests: a panic is the failure report

use chrono::{TimeZone, Utc};
use invoice_connector_workday::testing::{Harness, FIXTURE_SECRET, FIXTURE_USER};
use invoice_connector_workday::verify::basic_header;
use invoice_core::{ErrorKind, IngestContext, Secret};

fn ingest(body: &str, ct: &str) -> Result<invoice_core::Ingested, invoice_core::SourceError> {
    let req = http::Request::post("/webhooks/workday")
        .header("content-type", ct)
        .header(
            "authorization",
            basic_header(FIXTURE_USER, &Secret::new(FIXTURE_SECRET)),
        )
        .body(bytes::Bytes::from(body.to_owned()))
        .unwrap();
    let source = Harness::default().source(vec![Secret::new(FIXTURE_SECRET)]);
    let ctx = IngestContext::at(Utc.timestamp_opt(1_768_411_200, 0).unwrap());
    futures::executor::block_on(source.ingest(&req, &ctx))
}

#[test]
fn hostile_and_foreign_documents_are_malformed() {
    let deep = format!(
        "<wd:A xmlns:wd=\"urn:com.workday/bsvc\">{}{}</wd:A>",
        "<wd:B>".repeat(40),
        "</wd:B>".repeat(40)
    );
    for body in [
        "<!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]><wd:A xmlns:wd=\"urn:com.workday/bsvc\">&e;</wd:A>",
        "<A><Customer_Invoice/></A>",
        "<wd:A><wd:Customer_Invoice/></wd:A>",
        "<wd:A xmlns:wd=\"urn:com.workday/bsvc\"></wd:A>",
        "<wd:A xmlns:wd=\"urn:com.workday/bsvc\"><wd:Customer_Invoice>",
        deep.as_str(),
        "not xml",
    ] {
        let e = ingest(body, "application/xml").unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Malformed, "{body}");
    }
}

#[test]
fn an_invoice_without_id_is_skipped_and_json_is_unsupported() {
    let body = "<wd:M xmlns:wd=\"urn:com.workday/bsvc\"><wd:Customer_Invoice><wd:Customer_Invoice_Data><wd:Total_Invoice_Amount>1</wd:Total_Invoice_Amount></wd:Customer_Invoice_Data></wd:Customer_Invoice></wd:M>";
    let out = ingest(body, "text/xml").unwrap();
    assert_eq!((out.events.len(), out.skipped.len()), (0, 1));
    let e = ingest(body, "application/json").unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Unsupported);
}

#[test]
fn config_refuses_unknown_keys_and_missing_user() {
    let mut reg = invoice_core::registry::ConnectorRegistry::new();
    invoice_connector_workday::register(&mut reg);
    let p = invoice_core::Platform::Workday;
    let ok =
        serde_json::json!({"basic_user": "ISU", "secrets": ["0123456789abcdef"], "tenants": ["t"]});
    assert!(reg.build(p, &ok).is_ok());
    let mut bad = ok.clone();
    bad["tenant"] = serde_json::json!("t");
    assert!(reg
        .build(p, &bad)
        .unwrap_err()
        .to_string()
        .contains("tenant"));
    assert!(reg
        .build(
            p,
            &serde_json::json!({"secrets": ["0123456789abcdef"], "tenants": ["t"]})
        )
        .is_err());
    assert!(reg
        .build(
            p,
            &serde_json::json!({"auth": "hmac", "secrets": ["0123456789abcdef"], "tenants": ["t"]})
        )
        .is_ok());
}
