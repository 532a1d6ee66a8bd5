//! Runs the shipped SuiteScript 2.1 User Event script (`scripts/invoice_relay_ue.js`)
//! under Node with a tiny AMD `define` and shims of `N/crypto`, `N/encode`, `N/https`
//! (capturing instead of sending), `N/record`, `N/runtime`, `N/search` and `N/log`
//! (`tests/shim/suitescript.js`), and feeds every captured request (headers and exact body
//! bytes) to the connector. Skips, saying so, only when `node` is not installed.

#![allow(clippy::unwrap_used)] // tests may unwrap (see the workspace lints)

use std::path::Path;
use std::process::Command;

use chrono::{TimeZone, Utc};
use invoice_connector_netsuite::testing::{fixture_config, FIXTURE_SECRET};
use invoice_connector_netsuite::NetsuiteSource;
use invoice_core::reexports::bytes::Bytes;
use invoice_core::{EventKind, IngestContext, Ingested, InvoiceSource, Lifecycle, Secret};
use serde_json::Value;

const DIR: &str = env!("CARGO_MANIFEST_DIR");

fn run(scenario: &str) -> Option<Value> {
    let present = Command::new("node")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !present {
        eprintln!("SKIPPED: `node` is not installed; the SuiteScript signing test needs Node.js");
        return None;
    }
    let out = Command::new("node")
        .arg(Path::new(DIR).join("tests/shim/suitescript.js"))
        .arg(Path::new(DIR).join("scripts/invoice_relay_ue.js"))
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

fn now() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 1, 15, 10, 0, 1).unwrap()
}

fn ingest(req: &http::Request<Bytes>) -> Ingested {
    let source = NetsuiteSource::new(fixture_config(vec![Secret::new(FIXTURE_SECRET)])).unwrap();
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    rt.block_on(source.ingest(req, &IngestContext::at(now())))
        .unwrap_or_else(|e| panic!("script's request refused: {e}"))
}

#[test]
fn shipped_script_signs_an_invoice_edit_that_verifies() {
    let Some(out) = run("invoice_edit") else {
        return;
    };
    let reqs = requests(&out);
    assert_eq!(reqs.len(), 1);
    let got = ingest(&reqs[0]);
    assert_eq!(got.tenant.as_str(), "1234567");
    let e = &got.events[0];
    assert_eq!(
        (e.kind, e.key.id.as_str()),
        (EventKind::PaymentReceived, "4711")
    );
    let s = e.snapshot.as_ref().unwrap();
    assert_eq!(s.lifecycle, Lifecycle::PartiallyPaid);
    assert_eq!(
        (s.total.to_string(), s.paid.to_string()),
        ("1150.00".into(), "400.00".into())
    );
    assert_eq!(s.currency.as_str(), "USD");
    assert_eq!(
        s.due_date.map(|d| d.to_string()).as_deref(),
        Some("2026-01-17")
    );
    assert_eq!(s.number.as_deref(), Some("INV10042"));
    assert_eq!(e.source_version, Some(1_768_381_964_000));
}

#[test]
fn shipped_script_signs_the_same_with_an_api_secret_or_a_credential_guid() {
    let Some(a) = run("invoice_edit") else { return };
    let Some(b) = run("guid_secret") else { return };
    let (a, b) = (requests(&a).remove(0), requests(&b).remove(0));
    assert_eq!(a.headers()["x-ns-signature"], b.headers()["x-ns-signature"]);
    ingest(&b);
}

#[test]
fn shipped_script_posts_every_invoice_a_payment_applies() {
    let Some(out) = run("payment_create") else {
        return;
    };
    let reqs = requests(&out);
    assert_eq!(reqs.len(), 1, "one post for the payment");
    let got = ingest(&reqs[0]);
    let kinds: Vec<_> = got
        .events
        .iter()
        .map(|e| (e.kind, e.key.id.as_str()))
        .collect();
    // The unapplied line and the journal line are left out.
    assert_eq!(
        kinds,
        [
            (EventKind::Paid, "4712"),
            (EventKind::PaymentReceived, "4711")
        ]
    );
    // The payment's save time outranks the invoices' own older lastModified.
    for e in &got.events {
        assert_eq!(e.source_version, Some(1_768_471_198_000));
        assert!(e
            .platform_event_id
            .starts_with("customerpayment/9120:create:"));
    }
}

#[test]
fn shipped_script_reports_a_deleted_invoice_as_void() {
    let Some(out) = run("invoice_delete") else {
        return;
    };
    let got = ingest(&requests(&out)[0]);
    let e = &got.events[0];
    assert_eq!((e.kind, e.key.id.as_str()), (EventKind::Voided, "4713"));
    assert_eq!(
        e.snapshot.as_ref().unwrap().customer.name.as_deref(),
        Some("Zürich Härterei AG")
    );
}

#[test]
fn shipped_script_retries_once_after_a_connection_error() {
    let Some(out) = run("retry") else { return };
    let reqs = requests(&out);
    assert_eq!(reqs.len(), 2);
    let a = ingest(&reqs[0]);
    let b = ingest(&reqs[1]);
    assert_eq!(a.events[0].platform_event_id, b.events[0].platform_event_id);
    assert_eq!(out["logs"][0]["title"], "Invoice Relay unreachable");
}

#[test]
fn shipped_script_signature_fails_with_another_secret_or_a_changed_byte() {
    let Some(out) = run("invoice_edit") else {
        return;
    };
    let req = requests(&out).remove(0);
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let other = NetsuiteSource::new(fixture_config(vec![Secret::new("other")])).unwrap();
    assert!(rt
        .block_on(other.ingest(&req, &IngestContext::at(now())))
        .is_err());
    let mut tampered = req.clone();
    let mut body = req.body().to_vec();
    body[20] ^= 1;
    *tampered.body_mut() = Bytes::from(body);
    let source = NetsuiteSource::new(fixture_config(vec![Secret::new(FIXTURE_SECRET)])).unwrap();
    assert!(rt
        .block_on(source.ingest(&tampered, &IngestContext::at(now())))
        .is_err());
    let mut later = req.clone();
    later
        .headers_mut()
        .insert("x-ns-timestamp", "1768471201".parse().unwrap());
    assert!(rt
        .block_on(source.ingest(&later, &IngestContext::at(now())))
        .is_err());
}
