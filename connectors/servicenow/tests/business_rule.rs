//! Runs the shipped Script Include and Business Rule (and the resync fix script) under
//! Node with shims of `Class`, `gs`, `GlideStringUtil`, `GlideCertificateEncryption`,
//! `sn_ws.RESTMessageV2` (capturing instead of sending), `GlideRecord` and `current`
//! (`tests/shim/servicenow.js`), and feeds every captured request (headers and exact body
//! bytes) to the connector. Skips, saying so, only when `node` is not installed.

#![allow(clippy::unwrap_used)] // tests may unwrap (see the workspace lints)

use std::path::Path;
use std::process::Command;

use chrono::{TimeZone, Utc};
use invoice_connector_servicenow::testing::{fixture_config, FIXTURE_SECRET};
use invoice_connector_servicenow::{ServicenowAuth, ServicenowConfig, ServicenowSource};
use invoice_core::reexports::bytes::Bytes;
use invoice_core::{
    ErrorKind, EventKind, IngestContext, Ingested, InvoiceSource, Lifecycle, Secret,
};
use serde_json::Value;

const DIR: &str = env!("CARGO_MANIFEST_DIR");

fn run(scenario: &str) -> Option<Value> {
    let present = Command::new("node")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !present {
        eprintln!("SKIPPED: `node` is not installed; the business-rule test needs Node.js");
        return None;
    }
    let out = Command::new("node")
        .arg(Path::new(DIR).join("tests/shim/servicenow.js"))
        .arg(Path::new(DIR).join("scripts"))
        .arg(scenario)
        .env("RELAY_SECRET", FIXTURE_SECRET)
        .output()
        .expect("node runs");
    assert!(
        out.status.success(),
        "shim failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    Some(serde_json::from_slice(&out.stdout).expect("shim prints JSON"))
}

fn requests(v: &Value) -> Vec<http::Request<Bytes>> {
    v["requests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let url = r["url"].as_str().unwrap();
            let path = url.split_once(".example").map(|(_, p)| p).unwrap_or(url);
            let mut b = http::Request::builder().method("POST").uri(path);
            for (k, v) in r["headers"].as_object().unwrap() {
                b = b.header(k.as_str(), v.as_str().unwrap());
            }
            let body = hex::decode(r["body_hex"].as_str().unwrap()).unwrap();
            b.body(Bytes::from(body)).unwrap()
        })
        .collect()
}

fn ingest_with(
    config: ServicenowConfig,
    req: &http::Request<Bytes>,
) -> Result<Ingested, ErrorKind> {
    let source = ServicenowSource::new(config).unwrap();
    let now = Utc.with_ymd_and_hms(2026, 1, 15, 10, 0, 1).unwrap();
    tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap()
        .block_on(source.ingest(req, &IngestContext::at(now)))
        .map_err(|e| e.kind())
}

fn ingest(req: &http::Request<Bytes>) -> Ingested {
    ingest_with(fixture_config(vec![Secret::new(FIXTURE_SECRET)]), req)
        .unwrap_or_else(|e| panic!("script's request refused: {e:?}"))
}

#[test]
fn shipped_rule_signs_a_paid_update_that_verifies() {
    let Some(out) = run("update_paid") else {
        return;
    };
    let reqs = requests(&out);
    assert_eq!(reqs.len(), 1);
    assert!(reqs[0].headers()["webhook-signature"]
        .to_str()
        .unwrap()
        .starts_with("v1,"));
    let got = ingest(&reqs[0]);
    assert_eq!(got.tenant.as_str(), "anodizeworks");
    let e = &got.events[0];
    assert_eq!(
        (e.kind, e.key.id.as_str()),
        (EventKind::Paid, "9d385017c611228701d22104cc95c371")
    );
    let s = e.snapshot.as_ref().unwrap();
    assert_eq!(s.lifecycle, Lifecycle::Paid);
    assert_eq!(
        (s.total.to_string(), s.paid.to_string()),
        ("1250.00".into(), "1250.00".into())
    );
    assert_eq!(s.currency.as_str(), "EUR");
    assert_eq!(s.due_date.unwrap().to_string(), "2026-01-10");
    assert_eq!(s.number.as_deref(), Some("INV0001042"));
    assert_eq!(s.customer.name.as_deref(), Some("Acme Coatings GmbH"));
    assert_eq!(e.source_version, Some(7));
    assert_eq!(
        e.platform_event_id,
        "x_invoice/9d385017c611228701d22104cc95c371:7"
    );
    assert_eq!(e.occurred_at.to_rfc3339(), "2026-01-15T09:59:58+00:00");
}

#[test]
fn shipped_rule_reports_an_insert_as_issued() {
    let Some(out) = run("insert_open") else {
        return;
    };
    let got = ingest(&requests(&out)[0]);
    let e = &got.events[0];
    assert_eq!(e.kind, EventKind::Issued);
    let s = e.snapshot.as_ref().unwrap();
    assert_eq!(
        (s.currency.as_str(), s.total.to_string()),
        ("USD", "640.50".into())
    );
    assert_eq!(e.source_version, Some(0));
}

/// A `whsec_` property and the same key as plain text give the same signature: the script
/// strips the prefix and hands the base64 to generateMac, or base64-encodes the plain key.
#[test]
fn whsec_and_plain_keys_sign_identically_and_both_configs_verify() {
    let Some(a) = run("update_paid") else { return };
    let Some(b) = run("whsec") else { return };
    let (a, b) = (requests(&a).remove(0), requests(&b).remove(0));
    assert_eq!(
        a.headers()["webhook-signature"],
        b.headers()["webhook-signature"]
    );
    let whsec = format!("whsec_{}", base64_of(FIXTURE_SECRET.as_bytes()));
    ingest_with(fixture_config(vec![Secret::new(whsec)]), &b).unwrap();
}

fn base64_of(b: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(b)
}

#[test]
fn configured_field_names_are_used() {
    let Some(out) = run("custom_fields") else {
        return;
    };
    let got = ingest(&requests(&out)[0]);
    let e = &got.events[0];
    assert_eq!(e.kind, EventKind::PaymentReceived);
    let s = e.snapshot.as_ref().unwrap();
    assert_eq!(s.number.as_deref(), Some("AW-2026-0117"));
    assert_eq!(
        (s.currency.as_str(), s.total.to_string(), s.paid.to_string()),
        ("CHF", "2000.00".into(), "500.00".into())
    );
    assert_eq!(
        e.platform_event_id,
        "x_anodize_invoice/1d3f5a7c9e1b3d5f7a9c1e0c2f4e6a8b:3"
    );
}

#[test]
fn non_ascii_text_is_escaped_so_the_signature_holds() {
    let Some(out) = run("non_ascii") else { return };
    let req = requests(&out).remove(0);
    assert!(req.body().is_ascii(), "body must be pure ASCII");
    let got = ingest(&req);
    let s = got.events[0].snapshot.as_ref().unwrap();
    assert_eq!(s.customer.name.as_deref(), Some("Zürich Härterei AG"));
    assert_eq!(got.events[0].kind, EventKind::PaymentReceived);
}

#[test]
fn basic_auth_with_credentials_or_a_profile() {
    for (scenario, cred) in [
        ("basic", "relay:pa:ss wörd"),
        ("basic_profile", "relay-profile:pr0file"),
    ] {
        let Some(out) = run(scenario) else { return };
        let req = requests(&out).remove(0);
        assert!(req.headers().get("webhook-signature").is_none());
        let mut c = fixture_config(vec![Secret::new(cred)]);
        c.auth = ServicenowAuth::Basic;
        let got = ingest_with(c.clone(), &req).unwrap();
        assert_eq!(got.events[0].kind, EventKind::Paid);
        c.secrets = vec![Secret::new("relay:other")];
        assert_eq!(ingest_with(c, &req).unwrap_err(), ErrorKind::BadSignature);
        // An HMAC-configured relay refuses a Basic post.
        assert_eq!(
            ingest_with(fixture_config(vec![Secret::new(FIXTURE_SECRET)]), &req).unwrap_err(),
            ErrorKind::BadSignature
        );
    }
}

#[test]
fn shipped_rule_retries_once_after_a_503_with_the_same_signature() {
    let Some(out) = run("retry") else { return };
    let reqs = requests(&out);
    assert_eq!(reqs.len(), 2);
    let (a, b) = (ingest(&reqs[0]), ingest(&reqs[1]));
    assert_eq!(a.events[0].platform_event_id, b.events[0].platform_event_id);
    assert_eq!(out["logs"][0]["level"], "warn");
}

#[test]
fn resync_posts_batches_and_every_record_maps() {
    let Some(out) = run("resync") else { return };
    let reqs = requests(&out);
    assert_eq!(reqs.len(), 2, "3 records in batches of 2");
    let first = ingest(&reqs[0]);
    let second = ingest(&reqs[1]);
    let kinds: Vec<_> = first
        .events
        .iter()
        .chain(&second.events)
        .map(|e| e.kind)
        .collect();
    assert_eq!(
        kinds,
        [
            EventKind::Paid,
            EventKind::Issued,
            EventKind::PaymentReceived
        ]
    );
    assert!(out["logs"][0]["message"]
        .as_str()
        .unwrap()
        .contains("3 sent, 0 failed"));
}

#[test]
fn shipped_rule_signature_fails_with_another_key_or_a_changed_byte() {
    let Some(out) = run("update_paid") else {
        return;
    };
    let req = requests(&out).remove(0);
    assert_eq!(
        ingest_with(fixture_config(vec![Secret::new("other")]), &req).unwrap_err(),
        ErrorKind::BadSignature
    );
    let mut tampered = req.clone();
    let mut body = req.body().to_vec();
    body[40] ^= 1;
    *tampered.body_mut() = Bytes::from(body);
    assert_eq!(
        ingest_with(fixture_config(vec![Secret::new(FIXTURE_SECRET)]), &tampered).unwrap_err(),
        ErrorKind::BadSignature
    );
}

#[test]
fn without_a_secret_the_rule_sends_nothing() {
    let Some(out) = run("no_secret") else { return };
    assert!(requests(&out).is_empty());
    assert_eq!(out["logs"][0]["level"], "error");
}
