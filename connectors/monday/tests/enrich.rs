//! The enricher against a loopback GraphQL endpoint serving `fixtures/api/`.

#![allow(clippy::unwrap_used)] // tests: a panic is the failure report

use std::collections::{HashMap, VecDeque};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::Router;
use chrono::{TimeZone, Utc};
use invoice_connector_monday::testing::{Harness, FIXTURE_SECRET};
use invoice_connector_monday::{MondayEnricher, MondaySource};
use invoice_core::journal::{Journal, MemoryJournal};
use invoice_core::testing::fixture::parse_http;
use invoice_core::{
    EnrichError, Enricher, EventDetail, EventKind, InvoiceKey, Lifecycle, ManualClock, Platform,
    Relay, Route, Secret, TenantId, ThinReference,
};

#[derive(Clone)]
struct Canned {
    status: u16,
    retry_after: Option<&'static str>,
    body: String,
}

fn canned(status: u16, fixture: &str) -> Canned {
    let path = format!("{}/fixtures/api/{fixture}", env!("CARGO_MANIFEST_DIR"));
    Canned {
        status,
        retry_after: None,
        body: std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}")),
    }
}

#[derive(Default)]
struct Mock {
    answers: Mutex<HashMap<String, VecDeque<Canned>>>,
    calls: Mutex<Vec<(String, String, serde_json::Value)>>,
}

impl Mock {
    fn answer(&self, id: &str, c: Canned) {
        self.answers
            .lock()
            .unwrap()
            .entry(id.to_owned())
            .or_default()
            .push_back(c);
    }
}

fn respond(c: Canned) -> Response {
    let mut r = (
        StatusCode::from_u16(c.status).unwrap(),
        [("content-type", "application/json; charset=utf-8")],
        c.body,
    )
        .into_response();
    if let Some(ra) = c.retry_after {
        r.headers_mut().insert("retry-after", ra.parse().unwrap());
    }
    r
}

async fn graphql(State(mock): State<Arc<Mock>>, headers: HeaderMap, body: String) -> Response {
    let h = |n: &str| {
        headers
            .get(n)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    let json: serde_json::Value = serde_json::from_str(&body).unwrap();
    mock.calls
        .lock()
        .unwrap()
        .push((h("authorization"), h("api-version"), json.clone()));
    if h("authorization") != "fixture-api-token" {
        return respond(canned(401, "error_unauthorized.json"));
    }
    let id = json["variables"]["ids"][0]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let mut answers = mock.answers.lock().unwrap();
    let queue = answers.entry(id).or_default();
    let c = if queue.len() > 1 {
        queue.pop_front()
    } else {
        queue.front().cloned()
    };
    respond(c.unwrap_or_else(|| canned(200, "items_empty.json")))
}

async fn start() -> (SocketAddr, Arc<Mock>) {
    let mock = Arc::new(Mock::default());
    let app = Router::new()
        .route("/v2", post(graphql))
        .with_state(mock.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (addr, mock)
}

fn enricher(addr: SocketAddr, token: &str) -> MondayEnricher {
    let mut c = Harness::config(vec![Secret::new("signing")]);
    c.api_base = format!("http://{addr}");
    c.api_token = Some(Secret::new(token));
    MondayEnricher::from_config(&c).unwrap()
}

fn reference(id: &str) -> ThinReference {
    let at = Utc.with_ymd_and_hms(2026, 1, 15, 10, 0, 0).unwrap();
    ThinReference {
        platform: Platform::Monday,
        tenant: TenantId("9603417".into()),
        event_id: "504b2eb76c80f672a18f892c0f700e41:fetch".into(),
        entity: "item".into(),
        entity_id: id.into(),
        operation: "update_column_value".into(),
        resource_url: None,
        occurred_at: at,
        received_at: at,
        raw: None,
    }
}

#[tokio::test]
async fn item_columns_become_a_snapshot() {
    let (addr, mock) = start().await;
    mock.answer("1772099344", canned(200, "item_1772099344_paid.json"));
    let events = enricher(addr, "fixture-api-token")
        .fetch(&reference("1772099344"))
        .await
        .unwrap();
    assert_eq!(events.len(), 1);
    let ev = &events[0];
    assert_eq!(ev.kind, EventKind::Updated);
    let t = Utc.with_ymd_and_hms(2026, 1, 15, 9, 59, 55).unwrap();
    assert_eq!(ev.source_version, Some(t.timestamp_millis() as u64));
    let s = ev.snapshot.as_ref().unwrap();
    assert_eq!(s.lifecycle, Lifecycle::Paid);
    assert_eq!(
        (s.total.to_string(), s.paid.to_string()),
        ("1250.5".into(), "1250.5".into())
    );
    assert_eq!(s.currency.as_str(), "EUR");
    assert_eq!(s.number.as_deref(), Some("INV-2026-0042"));
    assert_eq!(s.customer.platform_id, "CUST-ANODIX-17");
    let calls = mock.calls.lock().unwrap().clone();
    assert_eq!(calls.len(), 1);
    assert_eq!(calls[0].0, "fixture-api-token");
    assert_eq!(calls[0].1, "2025-04");
    assert_eq!(calls[0].2["variables"]["ids"][0], "1772099344");
    assert!(calls[0].2["query"]
        .as_str()
        .unwrap()
        .contains("items (ids: $ids)"));
}

#[tokio::test]
async fn overdue_label_adds_an_overdue_event() {
    let (addr, mock) = start().await;
    mock.answer("1772099411", canned(200, "item_1772099411_overdue.json"));
    let events = enricher(addr, "fixture-api-token")
        .fetch(&reference("1772099411"))
        .await
        .unwrap();
    assert_eq!(events.len(), 2);
    assert_eq!(
        events[0].snapshot.as_ref().unwrap().lifecycle,
        Lifecycle::Open
    );
    assert_eq!(
        events[1].detail,
        EventDetail::Overdue {
            days_past_due: 10,
            level: 10
        }
    );
}

#[tokio::test]
async fn complexity_errors_and_429_are_transient() {
    let (addr, mock) = start().await;
    mock.answer("1772099344", canned(200, "error_complexity.json"));
    let mut limited = canned(429, "error_complexity.json");
    limited.retry_after = Some("5");
    mock.answer("1772099344", limited);
    mock.answer("1772099344", canned(200, "item_1772099344_paid.json"));
    let e = enricher(addr, "fixture-api-token");
    let wait = |r: Result<_, EnrichError>| match r {
        Err(EnrichError::Transient {
            retry_after_secs, ..
        }) => retry_after_secs,
        other => panic!("{other:?}"),
    };
    assert_eq!(wait(e.fetch(&reference("1772099344")).await), Some(23));
    assert_eq!(wait(e.fetch(&reference("1772099344")).await), Some(5));
    assert!(e.fetch(&reference("1772099344")).await.is_ok());
}

#[tokio::test]
async fn revoked_token_is_transient_and_missing_item_rejected() {
    let (addr, _mock) = start().await;
    let err = enricher(addr, "revoked")
        .fetch(&reference("1772099344"))
        .await
        .unwrap_err();
    assert!(err.is_transient(), "{err}");
    let err = enricher(addr, "fixture-api-token")
        .fetch(&reference("1772099999"))
        .await
        .unwrap_err();
    assert!(matches!(err, EnrichError::Rejected(_)), "{err}");
    let err = enricher(addr, "fixture-api-token")
        .fetch(&reference("1 OR 1"))
        .await
        .unwrap_err();
    assert!(matches!(err, EnrichError::Rejected(_)), "{err}");
}

/// Status change -> `Relay` -> `paid` applied at once plus a pending reference -> the
/// worker reads the item's columns -> amounts applied.
#[tokio::test]
async fn status_change_then_enrichment_through_the_relay() {
    let (addr, mock) = start().await;
    mock.answer("1772099344", canned(200, "item_1772099344_paid.json"));
    let mut cfg = Harness::config(vec![Secret::new(FIXTURE_SECRET)]);
    cfg.api_base = format!("http://{addr}");
    let journal = Arc::new(MemoryJournal::new());
    let relay = Relay::builder(journal.clone())
        .source(Arc::new(MondaySource::new(cfg.clone()).unwrap()))
        .enricher(Arc::new(MondayEnricher::from_config(&cfg).unwrap()))
        .clock(Arc::new(ManualClock::new(
            Utc.with_ymd_and_hms(2026, 1, 15, 9, 59, 58).unwrap(),
        )))
        .build();
    let raw = std::fs::read(Harness::fixtures().join("03_status_paid.http")).unwrap();
    let out = relay
        .ingest(
            Platform::Monday,
            &parse_http(&raw).unwrap(),
            Route::default(),
        )
        .await
        .unwrap();
    assert_eq!((out.report.applied, out.report.pending), (1, 1));
    let key = InvoiceKey::new(Platform::Monday, "9603417", "1772099344");
    assert_eq!(
        journal.load(&key).await.unwrap().unwrap().state.lifecycle,
        Lifecycle::Paid
    );
    let report = relay.enrich_once(10).await.unwrap();
    assert_eq!(
        (report.resolved, report.retried, report.rejected),
        (1, 0, 0)
    );
    let state = journal.load(&key).await.unwrap().unwrap().state;
    assert_eq!(state.lifecycle, Lifecycle::Paid);
    assert_eq!(state.total.to_string(), "1250.5");
    assert!(state.balance.is_zero());
    assert!(journal.verify_chain().await.is_ok());
}
