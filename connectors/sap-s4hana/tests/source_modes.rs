//! The shared-secret header and Basic modes (Event Mesh webhook authentication), and the
//! request checks every mode shares.
#![allow(clippy::unwrap_used)] // tests: a panic is the failure report

use chrono::{TimeZone, Utc};
use invoice_connector_sap_s4hana::testing::{Harness, FIXTURE_SECRET};
use invoice_connector_sap_s4hana::verify::basic_header;
use invoice_connector_sap_s4hana::{AuthMode, SapSource};
use invoice_core::{ErrorKind, IngestContext, InvoiceSource, Secret};

const BODY: &str = r#"{"type":"sap.s4.beh.billingdocument.v1.BillingDocument.Created.v1","specversion":"1.0","source":"/default/sap.s4.beh/244572008","id":"42010aef-0cf0-1eef-b2d3-5e8a7c9d1f20","time":"2026-01-14T09:12:44Z","datacontenttype":"application/json","data":{"BillingDocument":"90000042"}}"#;

fn ctx() -> IngestContext {
    IngestContext::at(Utc.timestamp_opt(1_768_381_980, 0).unwrap())
}

fn req(headers: &[(&str, &str)], body: &str) -> http::Request<bytes::Bytes> {
    let mut b = http::Request::post("/webhooks/sap-s4hana");
    for (k, v) in headers {
        b = b.header(*k, *v);
    }
    b.body(bytes::Bytes::from(body.to_owned())).unwrap()
}

fn source(mode: AuthMode) -> SapSource {
    let mut c = Harness::config(vec![Secret::new(FIXTURE_SECRET)]);
    c.auth = mode;
    c.basic_user = Some("EVENT_MESH".into());
    SapSource::new(c).unwrap()
}

#[tokio::test]
async fn shared_secret_header_mode() {
    let s = source(AuthMode::SharedSecret);
    let ok = s
        .ingest(
            &req(
                &[
                    ("x-relay-token", FIXTURE_SECRET),
                    ("content-type", "application/json"),
                ],
                BODY,
            ),
            &ctx(),
        )
        .await
        .unwrap();
    assert_eq!(ok.pending.len(), 1);
    for bad in [
        &[("x-relay-token", "sap-relay-fixture-key-7f3a9c2f")][..],
        &[],
    ] {
        let e = s.ingest(&req(bad, BODY), &ctx()).await.unwrap_err();
        assert_eq!(e.kind(), ErrorKind::BadSignature);
    }
}

#[tokio::test]
async fn basic_mode() {
    let s = source(AuthMode::Basic);
    let good = basic_header("EVENT_MESH", &Secret::new(FIXTURE_SECRET));
    let ok = s
        .ingest(&req(&[("authorization", &good)], BODY), &ctx())
        .await
        .unwrap();
    assert_eq!(ok.pending[0].entity_id, "90000042");
    let wrong_user = basic_header("OTHER", &Secret::new(FIXTURE_SECRET));
    let wrong_pass = basic_header("EVENT_MESH", &Secret::new("sap-relay-fixture-key-0000000"));
    for h in [
        wrong_user.as_str(),
        wrong_pass.as_str(),
        "Bearer abc",
        "Basic",
    ] {
        let e = s
            .ingest(&req(&[("authorization", h)], BODY), &ctx())
            .await
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::BadSignature, "{h}");
    }
}

#[tokio::test]
async fn content_types_and_bad_bodies() {
    let s = source(AuthMode::SharedSecret);
    let token = ("x-relay-token", FIXTURE_SECRET);
    let e = s
        .ingest(&req(&[token, ("content-type", "text/plain")], BODY), &ctx())
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Unsupported);
    for body in [
        "{}",
        "[]x",
        r#"{"type":"sap.s4.beh.billingdocument.v1.BillingDocument.Created.v1","specversion":"1.0","source":"/default/sap.s4.beh/244572008","id":"x","data":{"BillingDocument":"9000/0042"}}"#,
        r#"{"type":"sap.s4.beh.billingdocument.v1.BillingDocument.Created.v1","specversion":"0.3","source":"/default/sap.s4.beh/244572008","id":"x","data":{"BillingDocument":"1"}}"#,
    ] {
        let e = s.ingest(&req(&[token], body), &ctx()).await.unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Malformed, "{body}");
    }
    // In a batch, an unreadable entry is skipped and the rest kept.
    let batch = format!(r#"[{BODY},{{"specversion":"1.0"}}]"#);
    let ok = s.ingest(&req(&[token], &batch), &ctx()).await.unwrap();
    assert_eq!((ok.pending.len(), ok.skipped.len()), (1, 1));
    assert!(ok.skipped[0].event_id.starts_with("sha256:"));
}

#[test]
fn config_refuses_unknown_keys_and_short_secrets() {
    let mut reg = invoice_core::registry::ConnectorRegistry::new();
    invoice_connector_sap_s4hana::register(&mut reg);
    let p = invoice_core::Platform::SapS4hana;
    let e = reg
        .build(
            p,
            &serde_json::json!({"secrets": ["0123456789abcdef"], "sekrets": []}),
        )
        .unwrap_err();
    assert!(e.to_string().contains("sekrets"), "{e}");
    assert!(reg
        .build(p, &serde_json::json!({"secrets": ["short"]}))
        .is_err());
    assert!(reg
        .build(
            p,
            &serde_json::json!({"secrets": ["0123456789abcdef"], "auth": "basic"})
        )
        .is_err());
    let built = reg
        .build(p, &serde_json::json!({"secrets": ["0123456789abcdef"]}))
        .unwrap();
    assert!(built.enricher.is_none());
    assert!(
        reg.build(
            p,
            &serde_json::json!({"secrets": ["0123456789abcdef"], "api_base": "https://x.example"})
        )
        .is_err(),
        "api_base without credentials"
    );
}
