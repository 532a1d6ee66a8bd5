//! Runs the shipped Odoo module's notifier (`scripts/invoice_relay/models/invoice_relay.py`)
//! under Python with stand-ins for `odoo` and `requests` (`tests/shim/odoo_shim.py`), and
//! feeds every captured request (headers and exact body bytes) to the connector. Skips,
//! saying so, only when `python3` is not installed.

#![allow(clippy::unwrap_used)] // tests may unwrap (see the workspace lints)

use std::path::Path;
use std::process::Command;

use chrono::{TimeZone, Utc};
use invoice_connector_odoo::testing::{fixture_config, FIXTURE_SECRET};
use invoice_connector_odoo::OdooSource;
use invoice_core::reexports::bytes::Bytes;
use invoice_core::{EventDetail, EventKind, IngestContext, Ingested, InvoiceSource, Secret};
use serde_json::Value;

const DIR: &str = env!("CARGO_MANIFEST_DIR");

fn run(scenario: &str) -> Option<Value> {
    let present = Command::new("python3")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !present {
        eprintln!("SKIPPED: `python3` is not installed; the Odoo module signing test needs it");
        return None;
    }
    let out = Command::new("python3")
        .arg(Path::new(DIR).join("tests/shim/odoo_shim.py"))
        .arg(Path::new(DIR).join("scripts/invoice_relay/models/invoice_relay.py"))
        .arg(scenario)
        .env("RELAY_SECRET", FIXTURE_SECRET)
        .output()
        .expect("python3 runs");
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

fn ingest(source: &OdooSource, req: &http::Request<Bytes>) -> Ingested {
    let now = Utc.with_ymd_and_hms(2026, 1, 15, 10, 0, 3).unwrap();
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    rt.block_on(source.ingest(req, &IngestContext::at(now)))
        .unwrap_or_else(|e| panic!("module's request refused: {e}"))
}

fn source() -> OdooSource {
    OdooSource::new(fixture_config(vec![Secret::new(FIXTURE_SECRET)])).unwrap()
}

#[test]
fn shipped_module_signs_after_commit_and_its_signatures_verify() {
    let Some(out) = run("notify") else { return };
    assert_eq!(
        out["sent_before_commit"], 0,
        "nothing is sent before the commit"
    );
    let reqs = requests(&out);
    assert_eq!(reqs.len(), 2, "the vendor bill is not sent");
    let source = source();

    let partial = ingest(&source, &reqs[0]);
    assert_eq!(partial.tenant.as_str(), "anodize-prod");
    let e = &partial.events[0];
    assert_eq!(
        (e.kind, e.key.id.as_str()),
        (EventKind::PaymentReceived, "2087")
    );
    let s = e.snapshot.as_ref().unwrap();
    assert_eq!(
        (s.total.to_string(), s.paid.to_string()),
        ("1250.00".into(), "800.00".into())
    );
    assert_eq!(
        s.customer.name.as_deref(),
        Some("Oberflächentechnik Müller GmbH")
    );
    assert_eq!(s.number.as_deref(), Some("INV/2026/00042"));
    assert_eq!(e.source_version, Some(1_768_471_198_000));

    // 0.1 + 0.2 in Python is 0.30000000000000004: read as text, rounded to cents.
    let credit = ingest(&source, &reqs[1]);
    let c = &credit.events[0];
    assert_eq!((c.kind, c.key.id.as_str()), (EventKind::Adjusted, "2087"));
    match &c.detail {
        EventDetail::Adjustment(a) => assert_eq!(a.amount.amount().to_string(), "0.30"),
        other => panic!("not an adjustment: {other:?}"),
    }
}

#[test]
fn shipped_module_signature_is_refused_with_another_secret_or_a_changed_byte() {
    let Some(out) = run("notify") else { return };
    let req = requests(&out).remove(0);
    let now = Utc.with_ymd_and_hms(2026, 1, 15, 10, 0, 3).unwrap();
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let other = OdooSource::new(fixture_config(vec![Secret::new("another")])).unwrap();
    assert!(rt
        .block_on(other.ingest(&req, &IngestContext::at(now)))
        .is_err());
    let mut body = req.body().to_vec();
    body[10] ^= 1;
    let mut tampered = req.clone();
    *tampered.body_mut() = Bytes::from(body);
    assert!(rt
        .block_on(source().ingest(&tampered, &IngestContext::at(now)))
        .is_err());
}

#[test]
fn shipped_module_retries_once_on_503_with_a_fresh_signature() {
    let Some(out) = run("retry") else { return };
    let reqs = requests(&out);
    assert_eq!(reqs.len(), 2);
    assert_eq!(reqs[0].body(), reqs[1].body(), "same body");
    assert_ne!(
        reqs[0].headers()["x-odoo-signature"],
        reqs[1].headers()["x-odoo-signature"],
        "signed again at send time"
    );
    let source = source();
    let a = ingest(&source, &reqs[0]);
    let b = ingest(&source, &reqs[1]);
    assert_eq!(
        a.events[0].platform_event_id, b.events[0].platform_event_id,
        "the retry is a duplicate for the journal"
    );
}
