//! The enricher against a loopback Asana API and token endpoint serving `fixtures/api/`.

#![allow(clippy::unwrap_used)] // tests: a panic is the failure report

use std::collections::{HashMap, VecDeque};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use chrono::{TimeZone, Utc};
use invoice_connector_asana::testing::{Harness, FIXTURE_SECRET};
use invoice_connector_asana::{AsanaConfig, AsanaEnricher, AsanaSource};
use invoice_core::journal::{Journal, MemoryJournal};
use invoice_core::testing::fixture::parse_http;
use invoice_core::{
    EnrichError, Enricher, EventDetail, EventKind, InvoiceKey, Lifecycle, ManualClock, Platform,
    Relay, Route, Secret, TenantId, ThinReference,
};

const REFRESHED: &str = "2/1201937163829471/1209999999999999:fixture-refreshed-token";

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
    tokens: Mutex<Vec<String>>,
    api_calls: Mutex<Vec<(String, String, String)>>,
    token_calls: Mutex<Vec<String>>,
}

impl Mock {
    fn answer(&self, gid: &str, c: Canned) {
        self.answers
            .lock()
            .unwrap()
            .entry(gid.to_owned())
            .or_default()
            .push_back(c);
    }
    fn accept(&self, token: &str) {
        self.tokens.lock().unwrap().push(token.to_owned());
    }
}

fn respond(c: Canned) -> Response {
    let mut r = (
        StatusCode::from_u16(c.status).unwrap(),
        [("content-type", "application/json; charset=UTF-8")],
        c.body,
    )
        .into_response();
    if let Some(ra) = c.retry_after {
        r.headers_mut().insert("retry-after", ra.parse().unwrap());
    }
    r
}

async fn task(
    State(mock): State<Arc<Mock>>,
    Path(gid): Path<String>,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
) -> Response {
    let auth = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    mock.api_calls.lock().unwrap().push((
        format!("/api/1.0/tasks/{gid}"),
        q.unwrap_or_default(),
        auth.clone(),
    ));
    let token = auth.strip_prefix("Bearer ").unwrap_or_default();
    if !mock.tokens.lock().unwrap().iter().any(|t| t == token) {
        return respond(canned(401, "error_not_authorized.json"));
    }
    let mut answers = mock.answers.lock().unwrap();
    let queue = answers.entry(gid).or_default();
    let c = if queue.len() > 1 {
        queue.pop_front()
    } else {
        queue.front().cloned()
    };
    respond(c.unwrap_or_else(|| canned(404, "error_not_found.json")))
}

async fn token(State(mock): State<Arc<Mock>>, body: String) -> Response {
    mock.token_calls.lock().unwrap().push(body);
    mock.accept(REFRESHED);
    respond(canned(200, "token_refresh.json"))
}

async fn start() -> (SocketAddr, Arc<Mock>) {
    let mock = Arc::new(Mock::default());
    let app = Router::new()
        .route("/api/1.0/tasks/{gid}", get(task))
        .route("/-/oauth_token", post(token))
        .with_state(mock.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (addr, mock)
}

fn config(addr: SocketAddr, token: &str) -> AsanaConfig {
    let mut c = Harness::config(vec![Secret::new("hook-secret")]);
    c.api_base = format!("http://{addr}");
    c.token_url = format!("http://{addr}/-/oauth_token");
    c.access_token = Some(Secret::new(token));
    c.default_currency = Some("EUR".into());
    c.fields.invoice_number = Some("Invoice number".into());
    c.fields.amount = Some("1208765432101231".into());
    c.fields.paid_amount = Some("Amount paid".into());
    c.fields.currency = Some("Currency".into());
    c.fields.status = Some("Invoice status".into());
    c.fields.customer = Some("Customer".into());
    for (option, word) in [
        ("Issued", "open"),
        ("1208765432101240", "paid"),
        ("Overdue", "overdue"),
        ("Disputed", "disputed"),
    ] {
        c.statuses.insert(option.into(), word.into());
    }
    c
}

fn reference(gid: &str) -> ThinReference {
    let at = Utc.with_ymd_and_hms(2026, 1, 15, 10, 0, 5).unwrap();
    ThinReference {
        platform: Platform::Asana,
        tenant: TenantId("1201937163829400".into()),
        event_id: format!("task:{gid}#00"),
        entity: "task".into(),
        entity_id: gid.into(),
        operation: "changed".into(),
        resource_url: None,
        occurred_at: at,
        received_at: at,
        raw: None,
    }
}

#[tokio::test]
async fn paid_task_becomes_a_snapshot_from_custom_fields() {
    let (addr, mock) = start().await;
    mock.accept("pat");
    mock.answer("1209876543210123", canned(200, "task_paid.json"));
    let e = AsanaEnricher::from_config(&config(addr, "pat")).unwrap();
    let events = e.fetch(&reference("1209876543210123")).await.unwrap();
    assert_eq!(events.len(), 1);
    let ev = &events[0];
    assert_eq!(ev.kind, EventKind::Updated);
    let t =
        Utc.with_ymd_and_hms(2026, 1, 15, 9, 59, 58).unwrap() + chrono::Duration::milliseconds(977);
    assert_eq!(ev.source_version, Some(t.timestamp_millis() as u64));
    assert_eq!(
        ev.platform_event_id,
        format!("task:1209876543210123@{}", t.timestamp_millis())
    );
    let s = ev.snapshot.as_ref().unwrap();
    assert_eq!(s.lifecycle, Lifecycle::Paid);
    assert_eq!(
        (s.total.to_string(), s.paid.to_string()),
        ("1250.5".into(), "1250.5".into())
    );
    assert_eq!(s.currency.as_str(), "EUR");
    assert_eq!(s.number.as_deref(), Some("INV-2026-0042"));
    assert_eq!(s.customer.platform_id, "CUST-ANODIX-17");
    assert_eq!(s.due_date.map(|d| d.to_string()), Some("2026-02-13".into()));
    let calls = mock.api_calls.lock().unwrap().clone();
    assert_eq!(calls.len(), 1);
    assert_eq!(calls[0].0, "/api/1.0/tasks/1209876543210123");
    assert!(calls[0].1.starts_with("opt_fields=name,completed,"));
    assert_eq!(calls[0].2, "Bearer pat");
}

#[tokio::test]
async fn overdue_status_adds_an_overdue_event() {
    let (addr, mock) = start().await;
    mock.accept("pat");
    mock.answer("1209876543210456", canned(200, "task_overdue_partial.json"));
    let e = AsanaEnricher::from_config(&config(addr, "pat")).unwrap();
    let events = e.fetch(&reference("1209876543210456")).await.unwrap();
    assert_eq!(events.len(), 2);
    let s = events[0].snapshot.as_ref().unwrap();
    assert_eq!(s.lifecycle, Lifecycle::PartiallyPaid);
    assert_eq!(
        (s.total.to_string(), s.paid.to_string()),
        ("4800".into(), "1800.25".into())
    );
    assert_eq!(s.currency.as_str(), "USD");
    assert_eq!(events[1].kind, EventKind::Overdue);
    assert_eq!(
        events[1].detail,
        EventDetail::Overdue {
            days_past_due: 10,
            level: 10
        }
    );
}

#[tokio::test]
async fn task_without_the_amount_field_is_rejected() {
    let (addr, mock) = start().await;
    mock.accept("pat");
    mock.answer("1209876543210789", canned(200, "task_not_an_invoice.json"));
    let e = AsanaEnricher::from_config(&config(addr, "pat")).unwrap();
    let err = e.fetch(&reference("1209876543210789")).await.unwrap_err();
    assert!(
        matches!(&err, EnrichError::Rejected(m) if m.contains("not an invoice task")),
        "{err}"
    );
}

#[tokio::test]
async fn expired_token_is_refreshed_once_then_retried() {
    let (addr, mock) = start().await;
    mock.answer("1209876543210123", canned(200, "task_paid.json"));
    let mut c = config(addr, "expired");
    c.client_id = Some("1209000000000777".into());
    c.client_secret = Some(Secret::new("fixture-client-secret"));
    c.refresh_token = Some(Secret::new("1/fixture-refresh"));
    c.redirect_uri = Some("https://relay.example.com/oauth/asana".into());
    let e = AsanaEnricher::from_config(&c).unwrap();
    assert_eq!(
        e.fetch(&reference("1209876543210123")).await.unwrap().len(),
        1
    );
    let calls = mock.api_calls.lock().unwrap().clone();
    assert_eq!(calls.len(), 2);
    assert_eq!(calls[1].2, format!("Bearer {REFRESHED}"));
    let t = mock.token_calls.lock().unwrap().clone();
    assert_eq!(t.len(), 1);
    for part in [
        "grant_type=refresh_token",
        "client_id=1209000000000777",
        "client_secret=fixture-client-secret",
        "refresh_token=1%2Ffixture-refresh",
        "redirect_uri=https%3A%2F%2Frelay.example.com%2Foauth%2Fasana",
    ] {
        assert!(t[0].contains(part), "{part} not in {}", t[0]);
    }
}

#[tokio::test]
async fn rate_limit_is_transient_with_retry_after() {
    let (addr, mock) = start().await;
    mock.accept("pat");
    let mut limited = canned(429, "error_rate_limited.json");
    limited.retry_after = Some("12");
    mock.answer("1209876543210123", limited);
    mock.answer("1209876543210123", canned(200, "task_paid.json"));
    let e = AsanaEnricher::from_config(&config(addr, "pat")).unwrap();
    match e.fetch(&reference("1209876543210123")).await.unwrap_err() {
        EnrichError::Transient {
            retry_after_secs, ..
        } => assert_eq!(retry_after_secs, Some(12)),
        other => panic!("{other}"),
    }
    assert!(e.fetch(&reference("1209876543210123")).await.is_ok());
}

#[tokio::test]
async fn deleted_task_and_bad_gids_are_rejected() {
    let (addr, mock) = start().await;
    mock.accept("pat");
    let e = AsanaEnricher::from_config(&config(addr, "pat")).unwrap();
    let err = e.fetch(&reference("1209876543219999")).await.unwrap_err();
    assert!(matches!(err, EnrichError::Rejected(_)), "{err}");
    let before = mock.api_calls.lock().unwrap().len();
    for gid in ["../webhooks", "12?opt_fields=x", ""] {
        assert!(matches!(
            e.fetch(&reference(gid)).await.unwrap_err(),
            EnrichError::Rejected(_)
        ));
    }
    assert_eq!(mock.api_calls.lock().unwrap().len(), before);
}

/// Webhook -> `Relay` -> one pending reference, nothing applied -> the enrichment worker
/// reads the task -> the snapshot is the invoice's state.
#[tokio::test]
async fn webhook_then_enrichment_through_the_relay() {
    let (addr, mock) = start().await;
    mock.accept("pat");
    mock.answer("1209876543210123", canned(200, "task_paid.json"));
    let mut cfg = config(addr, "pat");
    cfg.secrets = vec![Secret::new(FIXTURE_SECRET)];
    let journal = Arc::new(MemoryJournal::new());
    let relay = Relay::builder(journal.clone())
        .source(Arc::new(AsanaSource::new(cfg.clone()).unwrap()))
        .enricher(Arc::new(AsanaEnricher::from_config(&cfg).unwrap()))
        .clock(Arc::new(ManualClock::new(
            Utc.with_ymd_and_hms(2026, 1, 15, 10, 0, 5).unwrap(),
        )))
        .build();
    let raw =
        std::fs::read(Harness::fixtures().join("03_status_custom_field_changed.http")).unwrap();
    let out = relay
        .ingest(
            Platform::Asana,
            &parse_http(&raw).unwrap(),
            Route::default(),
        )
        .await
        .unwrap();
    assert_eq!(out.reply.status, 200);
    assert_eq!((out.report.applied, out.report.pending), (0, 1));
    assert!(
        mock.api_calls.lock().unwrap().is_empty(),
        "nothing fetched before the reply"
    );
    let key = InvoiceKey::new(Platform::Asana, "1201937163829400", "1209876543210123");
    assert!(journal.load(&key).await.unwrap().is_none());
    let report = relay.enrich_once(10).await.unwrap();
    assert_eq!(
        (report.resolved, report.retried, report.rejected),
        (1, 0, 0)
    );
    let state = journal.load(&key).await.unwrap().unwrap().state;
    assert_eq!(state.lifecycle, Lifecycle::Paid);
    assert_eq!(state.total.to_string(), "1250.5");
    assert_eq!(state.number.as_deref(), Some("INV-2026-0042"));
    assert!(journal.verify_chain().await.is_ok());
}
