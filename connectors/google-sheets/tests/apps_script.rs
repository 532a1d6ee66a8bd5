//! Runs the shipped Apps Script (`scripts/invoice-relay.gs`) under Node with shims of the
//! Apps Script services (`tests/shim/apps_script.js`: `Utilities.computeHmacSha256Signature`
//! returning signed bytes, `UrlFetchApp.fetch` capturing instead of sending,
//! `PropertiesService`, `LockService`, `SpreadsheetApp`), and feeds every captured request
//! (headers and exact body bytes) to the connector. Skips, saying so, only when `node` is
//! not installed.

#![allow(clippy::unwrap_used)] // tests may unwrap (see the workspace lints)

use std::path::Path;
use std::process::Command;

use chrono::{TimeZone, Utc};
use invoice_connector_google_sheets::testing::{fixture_config, FIXTURE_SECRET};
use invoice_connector_google_sheets::SheetsSource;
use invoice_core::reexports::bytes::Bytes;
use invoice_core::{EventKind, IngestContext, Ingested, InvoiceSource, Lifecycle, Secret};
use serde_json::Value;

const DIR: &str = env!("CARGO_MANIFEST_DIR");

fn node_available() -> bool {
    Command::new("node")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

/// Runs a scenario; `None` (after printing why) when node is missing.
fn run(scenario: &str) -> Option<Value> {
    if !node_available() {
        eprintln!("SKIPPED: `node` is not installed; the Apps Script signing test needs Node.js");
        return None;
    }
    let out = Command::new("node")
        .arg(Path::new(DIR).join("tests/shim/apps_script.js"))
        .arg(Path::new(DIR).join("scripts/invoice-relay.gs"))
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
        .expect("requests")
        .iter()
        .map(|r| {
            assert_eq!(r["method"], "post");
            assert_eq!(r["mute_http_exceptions"], true);
            let url = r["url"].as_str().expect("url");
            let path = url.split_once(".example").map(|(_, p)| p).unwrap_or(url);
            let mut b = http::Request::builder().method("POST").uri(path);
            for (k, v) in r["headers"].as_object().expect("headers") {
                b = b.header(k.as_str(), v.as_str().expect("header value"));
            }
            let body = hex::decode(r["body_hex"].as_str().expect("body")).expect("hex");
            b.body(Bytes::from(body)).expect("request")
        })
        .collect()
}

fn ingest(source: &SheetsSource, req: &http::Request<Bytes>) -> Ingested {
    let now = Utc.with_ymd_and_hms(2026, 1, 15, 10, 0, 2).unwrap();
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    rt.block_on(source.ingest(req, &IngestContext::at(now)))
        .unwrap_or_else(|e| panic!("script's request refused: {e}"))
}

fn source() -> SheetsSource {
    SheetsSource::new(fixture_config(vec![Secret::new(FIXTURE_SECRET)])).unwrap()
}

#[test]
fn shipped_script_signs_single_and_range_edits_that_verify() {
    let Some(out) = run("edit") else { return };
    let reqs = requests(&out);
    assert_eq!(reqs.len(), 2, "one post per edit");
    let source = source();
    let one = ingest(&source, &reqs[0]);
    assert_eq!(
        one.tenant.as_str(),
        "1AbCdEfGhIjKlMnOpQrStUvWxYz0123456789abcdEF"
    );
    assert_eq!(one.events.len(), 1);
    let paid = &one.events[0];
    assert_eq!(
        (paid.kind, paid.key.id.as_str()),
        (EventKind::Paid, "INV-1042")
    );
    let snap = paid.snapshot.as_ref().unwrap();
    assert_eq!(snap.total.to_string(), "4250.00");
    assert_eq!(
        snap.due_date.map(|d| d.to_string()).as_deref(),
        Some("2026-01-12")
    );
    assert_eq!(paid.source_version, Some(1_768_471_200_000));

    // The header row is left out; rows 2-4 arrive in one post.
    let range = ingest(&source, &reqs[1]);
    let kinds: Vec<_> = range
        .events
        .iter()
        .map(|e| (e.kind, e.key.id.as_str()))
        .collect();
    assert_eq!(
        kinds,
        [
            (EventKind::Issued, "INV-1041"),
            (EventKind::Paid, "INV-1042"),
            (EventKind::PaymentReceived, "INV-1043"),
        ]
    );
    // Non-ASCII cells are signed as the UTF-8 bytes that were sent.
    let nordic = range.events[2].snapshot.as_ref().unwrap();
    assert_eq!(nordic.currency.as_str(), "EUR");
    assert_eq!(nordic.paid.to_string(), "400.00");
    assert_eq!(
        nordic.due_date.map(|d| d.to_string()).as_deref(),
        Some("2026-01-10")
    );
    // The same row content, sheet and row number give the same event id.
    assert_eq!(
        one.events[0].platform_event_id,
        range.events[1].platform_event_id
    );
}

#[test]
fn shipped_script_signature_fails_with_another_secret_or_a_changed_byte() {
    let Some(out) = run("edit") else { return };
    let req = requests(&out).remove(0);
    let other = SheetsSource::new(fixture_config(vec![Secret::new("another secret")])).unwrap();
    let now = Utc.with_ymd_and_hms(2026, 1, 15, 10, 0, 2).unwrap();
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    assert!(rt
        .block_on(other.ingest(&req, &IngestContext::at(now)))
        .is_err());
    let mut body = req.body().to_vec();
    let last = body.len() - 3;
    body[last] ^= 1;
    let mut tampered = req.clone();
    *tampered.body_mut() = Bytes::from(body);
    assert!(rt
        .block_on(source().ingest(&tampered, &IngestContext::at(now)))
        .is_err());
}

#[test]
fn shipped_script_chunks_a_bulk_paste_of_450_rows_into_three_signed_posts() {
    let Some(out) = run("bulk") else { return };
    let reqs = requests(&out);
    assert_eq!(reqs.len(), 3);
    let source = source();
    let mut rows = 0;
    let mut ids = std::collections::BTreeSet::new();
    for r in &reqs {
        let got = ingest(&source, r);
        rows += got.events.len() + got.skipped.len();
        for e in &got.events {
            ids.insert(e.key.id.clone());
            // de_DE display values: "1.234,50 €".
            let s = e.snapshot.as_ref().unwrap();
            assert_eq!(s.currency.as_str(), "EUR");
            assert!(s.total.to_string().ends_with(".50"), "{}", s.total);
        }
    }
    assert_eq!(rows, 450);
    assert_eq!(ids.len(), 450, "every row of the paste arrives once");
    assert_eq!(out["properties"]["relay.fetches.2026-01-15"], "3");
}

#[test]
fn shipped_script_queues_rows_when_the_relay_is_down_and_resends_them() {
    let Some(out) = run("retry") else { return };
    let reqs = requests(&out);
    assert_eq!(reqs.len(), 2, "the 503 post and the retry");
    let source = source();
    let first = ingest(&source, &reqs[0]);
    let retry = ingest(&source, &reqs[1]);
    assert!(String::from_utf8_lossy(reqs[1].body()).contains(r#""trigger":"retry""#));
    let ids = |i: &Ingested| {
        i.events
            .iter()
            .map(|e| e.platform_event_id.clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(
        ids(&first),
        ids(&retry),
        "the retry carries the same row snapshots"
    );
    let props = out["properties"].as_object().unwrap();
    assert!(
        !props.keys().any(|k| k.starts_with("relay.retry.")),
        "queue drained: {props:?}"
    );
}

#[test]
fn shipped_script_stops_at_the_daily_fetch_budget_and_queues_the_rest() {
    let Some(out) = run("budget") else { return };
    let reqs = requests(&out);
    assert_eq!(reqs.len(), 1);
    let got = ingest(&source(), &reqs[0]);
    assert_eq!(got.events.len() + got.skipped.len(), 200);
    let queued: Vec<&str> = out["properties"]
        .as_object()
        .unwrap()
        .iter()
        .filter(|(k, _)| k.starts_with("relay.retry."))
        .map(|(_, v)| v.as_str().unwrap())
        .collect();
    let mut queued = queued;
    queued.sort();
    assert_eq!(queued, ["202-401", "402-451"]);
    let lifecycles: Vec<Lifecycle> = got
        .events
        .iter()
        .filter_map(|e| e.snapshot.as_ref().map(|s| s.lifecycle))
        .collect();
    assert!(lifecycles.contains(&Lifecycle::Draft));
}

#[test]
fn shipped_script_bulk_paste_through_the_relay_applies_each_row_once() {
    use std::sync::Arc;

    use invoice_core::journal::{Journal, MemoryJournal};
    use invoice_core::{ManualClock, Platform, Relay, Route};

    let Some(out) = run("bulk") else { return };
    let journal = Arc::new(MemoryJournal::new());
    let relay = Relay::builder(journal.clone())
        .source(Arc::new(source()))
        .clock(Arc::new(ManualClock::new(
            Utc.with_ymd_and_hms(2026, 1, 15, 10, 0, 2).unwrap(),
        )))
        .build();
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let reqs = requests(&out);
    let (mut applied, mut skipped) = (0, 0);
    for r in &reqs {
        let got = rt
            .block_on(relay.ingest(Platform::GoogleSheets, r, Route::default()))
            .unwrap();
        assert_eq!(got.reply.status, 200);
        applied += got.report.applied;
        skipped += got.report.skipped;
    }
    // Statuses cycle Offen, Open, Paid, Overdue, Draft: every row is a known word here.
    assert_eq!((applied, skipped), (450, 0));
    for r in &reqs {
        let again = rt
            .block_on(relay.ingest(Platform::GoogleSheets, r, Route::default()))
            .unwrap();
        assert_eq!(again.report.applied, 0);
    }
    assert!(rt.block_on(journal.verify_chain()).is_ok());
}
