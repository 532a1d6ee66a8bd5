//! The enricher against a loopback Accounting API and token endpoint serving
//! `fixtures/api/`.

#![allow(clippy::unwrap_used)] // tests: a panic is the failure report

use std::collections::{HashMap, VecDeque};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use chrono::{TimeZone, Utc};
use invoice_connector_freshbooks::testing::{Harness, FIXTURE_SECRET};
use invoice_connector_freshbooks::{FreshbooksConfig, FreshbooksEnricher, FreshbooksSource};
use invoice_core::journal::{Journal, MemoryJournal};
use invoice_core::testing::fixture::parse_http;
use invoice_core::{
    EnrichError, Enricher, EventDetail, EventKind, InvoiceKey, Lifecycle, ManualClock, Platform,
    Relay, Route, Secret, TenantId, ThinReference,
};

const REFRESHED: &str = "eyJraWQiOiJmaXh0dXJlIn0.refreshed-access-token.sig";

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
    api_calls: Mutex<Vec<(String, String)>>,
    token_calls: Mutex<Vec<String>>,
}

impl Mock {
    fn answer(&self, key: &str, c: Canned) {
        self.answers
            .lock()
            .unwrap()
            .entry(key.to_owned())
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
        [("content-type", "application/json")],
        c.body,
    )
        .into_response();
    if let Some(ra) = c.retry_after {
        r.headers_mut().insert("retry-after", ra.parse().unwrap());
    }
    r
}

async fn api(
    State(mock): State<Arc<Mock>>,
    Path((account, a, b, id)): Path<(String, String, String, String)>,
    headers: HeaderMap,
) -> Response {
    let auth = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let path = format!("/accounting/account/{account}/{a}/{b}/{id}");
    mock.api_calls.lock().unwrap().push((path, auth.clone()));
    let token = auth.strip_prefix("Bearer ").unwrap_or_default();
    if !mock.tokens.lock().unwrap().iter().any(|t| t == token) {
        return respond(canned(401, "error_unauthenticated.json"));
    }
    let mut answers = mock.answers.lock().unwrap();
    let queue = answers.entry(format!("{b}/{id}")).or_default();
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
        .route("/accounting/account/{account}/{a}/{b}/{id}", get(api))
        .route("/auth/oauth/token", post(token))
        .with_state(mock.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (addr, mock)
}

fn config(addr: SocketAddr, token: &str) -> FreshbooksConfig {
    let mut c = FreshbooksConfig::with_secret("verifier");
    c.api_base = format!("http://{addr}");
    c.token_url = format!("http://{addr}/auth/oauth/token");
    c.access_token = Some(Secret::new(token));
    c
}

fn reference(entity: &str, id: &str) -> ThinReference {
    let at = Utc.with_ymd_and_hms(2026, 1, 15, 10, 0, 5).unwrap();
    ThinReference {
        platform: Platform::Freshbooks,
        tenant: TenantId("6BApk".into()),
        event_id: format!("{entity}.update:{id}@1768471205000"),
        entity: entity.into(),
        entity_id: id.into(),
        operation: format!("{entity}.update"),
        resource_url: None,
        occurred_at: at,
        received_at: at,
        raw: None,
    }
}

#[tokio::test]
async fn invoice_becomes_a_versioned_snapshot() {
    let (addr, mock) = start().await;
    mock.accept("good");
    mock.answer(
        "invoices/1234567",
        canned(200, "invoice_1234567_partial.json"),
    );
    let e = FreshbooksEnricher::from_config(&config(addr, "good")).unwrap();
    let events = e.fetch(&reference("invoice", "1234567")).await.unwrap();
    assert_eq!(events.len(), 1);
    let ev = &events[0];
    assert_eq!(ev.kind, EventKind::Updated);
    assert_eq!(ev.key.id, "1234567");
    // 04:59:55 US Eastern (EST, UTC-5) is 09:59:55 UTC.
    let t = Utc.with_ymd_and_hms(2026, 1, 15, 9, 59, 55).unwrap();
    assert_eq!(ev.occurred_at, t);
    assert_eq!(ev.source_version, Some(t.timestamp_millis() as u64));
    let s = ev.snapshot.as_ref().unwrap();
    assert_eq!(s.lifecycle, Lifecycle::PartiallyPaid);
    assert_eq!(
        (s.total.to_string(), s.paid.to_string()),
        ("1250.00".into(), "1000.00".into())
    );
    assert_eq!(s.number.as_deref(), Some("0000042"));
    assert_eq!(s.customer.platform_id, "42");
    assert_eq!(s.due_date.map(|d| d.to_string()), Some("2026-02-13".into()));
    let calls = mock.api_calls.lock().unwrap().clone();
    assert_eq!(
        calls,
        vec![(
            "/accounting/account/6BApk/invoices/invoices/1234567".to_owned(),
            "Bearer good".to_owned()
        )]
    );
}

#[tokio::test]
async fn payment_reads_its_invoice() {
    let (addr, mock) = start().await;
    mock.accept("good");
    mock.answer("payments/889901", canned(200, "payment_889901.json"));
    mock.answer("invoices/1234567", canned(200, "invoice_1234567_paid.json"));
    let e = FreshbooksEnricher::from_config(&config(addr, "good")).unwrap();
    let events = e.fetch(&reference("payment", "889901")).await.unwrap();
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].key.id, "1234567");
    assert_eq!(
        events[0].snapshot.as_ref().unwrap().lifecycle,
        Lifecycle::Paid
    );
    assert_eq!(mock.api_calls.lock().unwrap().len(), 2);
}

#[tokio::test]
async fn overdue_status_adds_an_overdue_event() {
    let (addr, mock) = start().await;
    mock.accept("good");
    mock.answer(
        "invoices/1234570",
        canned(200, "invoice_1234570_overdue.json"),
    );
    let e = FreshbooksEnricher::from_config(&config(addr, "good")).unwrap();
    let events = e.fetch(&reference("invoice", "1234570")).await.unwrap();
    assert_eq!(events.len(), 2);
    assert_eq!(
        events[0].snapshot.as_ref().unwrap().total.to_string(),
        "80000"
    );
    assert_eq!(events[1].kind, EventKind::Overdue);
    assert_eq!(
        events[1].detail,
        EventDetail::Overdue {
            days_past_due: 15,
            level: 15
        }
    );
}

#[tokio::test]
async fn rejected_token_is_refreshed_once_then_retried() {
    let (addr, mock) = start().await;
    mock.answer(
        "invoices/1234567",
        canned(200, "invoice_1234567_partial.json"),
    );
    let mut c = config(addr, "expired");
    c.client_id = Some("fixture-client-id".into());
    c.client_secret = Some(Secret::new("fixture-client-secret"));
    c.refresh_token = Some(Secret::new("fixture-refresh-token"));
    c.redirect_uri = Some("https://relay.example.com/oauth/freshbooks".into());
    let e = FreshbooksEnricher::from_config(&c).unwrap();
    assert_eq!(
        e.fetch(&reference("invoice", "1234567"))
            .await
            .unwrap()
            .len(),
        1
    );
    let calls = mock.api_calls.lock().unwrap().clone();
    assert_eq!(calls.len(), 2);
    assert_eq!(calls[1].1, format!("Bearer {REFRESHED}"));
    let t = mock.token_calls.lock().unwrap().clone();
    assert_eq!(t.len(), 1);
    for part in [
        "grant_type=refresh_token",
        "client_id=fixture-client-id",
        "client_secret=fixture-client-secret",
        "refresh_token=fixture-refresh-token",
        "redirect_uri=https%3A%2F%2Frelay.example.com%2Foauth%2Ffreshbooks",
    ] {
        assert!(t[0].contains(part), "{part} not in {}", t[0]);
    }
}

#[tokio::test]
async fn rate_limit_is_transient_with_retry_after() {
    let (addr, mock) = start().await;
    mock.accept("good");
    let mut limited = canned(429, "error_rate_limit.json");
    limited.retry_after = Some("30");
    mock.answer("invoices/1234567", limited);
    mock.answer("invoices/1234567", canned(200, "invoice_1234567_paid.json"));
    let e = FreshbooksEnricher::from_config(&config(addr, "good")).unwrap();
    match e.fetch(&reference("invoice", "1234567")).await.unwrap_err() {
        EnrichError::Transient {
            retry_after_secs, ..
        } => assert_eq!(retry_after_secs, Some(30)),
        other => panic!("{other}"),
    }
    assert!(e.fetch(&reference("invoice", "1234567")).await.is_ok());
}

#[tokio::test]
async fn missing_invoice_and_bad_ids_are_rejected() {
    let (addr, mock) = start().await;
    mock.accept("good");
    let e = FreshbooksEnricher::from_config(&config(addr, "good")).unwrap();
    let err = e.fetch(&reference("invoice", "9999999")).await.unwrap_err();
    assert!(matches!(err, EnrichError::Rejected(_)), "{err}");
    let before = mock.api_calls.lock().unwrap().len();
    for id in ["../../x", "1/2", ""] {
        assert!(matches!(
            e.fetch(&reference("invoice", id)).await.unwrap_err(),
            EnrichError::Rejected(_)
        ));
    }
    assert_eq!(mock.api_calls.lock().unwrap().len(), before);
}

/// Callback -> `Relay` -> pending payment reference -> the worker reads the payment and
/// its invoice from the loopback API -> the invoice's state.
#[tokio::test]
async fn payment_callback_then_enrichment_through_the_relay() {
    let (addr, mock) = start().await;
    mock.accept("good");
    mock.answer("payments/889901", canned(200, "payment_889901.json"));
    mock.answer(
        "invoices/1234567",
        canned(200, "invoice_1234567_partial.json"),
    );
    let mut cfg = config(addr, "good");
    cfg.secrets = vec![Secret::new(FIXTURE_SECRET)];
    let journal = Arc::new(MemoryJournal::new());
    let relay = Relay::builder(journal.clone())
        .source(Arc::new(FreshbooksSource::new(cfg.clone()).unwrap()))
        .enricher(Arc::new(FreshbooksEnricher::from_config(&cfg).unwrap()))
        .clock(Arc::new(ManualClock::new(
            Utc.with_ymd_and_hms(2026, 1, 15, 10, 0, 5).unwrap(),
        )))
        .build();
    let raw = std::fs::read(Harness::fixtures().join("04_payment_create.http")).unwrap();
    let out = relay
        .ingest(
            Platform::Freshbooks,
            &parse_http(&raw).unwrap(),
            Route::default(),
        )
        .await
        .unwrap();
    assert_eq!((out.reply.status.as_u16(), out.report.pending), (200, 1));
    let report = relay.enrich_once(10).await.unwrap();
    assert_eq!(
        (report.resolved, report.retried, report.rejected),
        (1, 0, 0)
    );
    let key = InvoiceKey::new(Platform::Freshbooks, "6BApk", "1234567");
    let state = journal.load(&key).await.unwrap().unwrap().state;
    assert_eq!(state.lifecycle, Lifecycle::PartiallyPaid);
    assert_eq!(state.balance.to_string(), "250.00");
    assert!(journal.verify_chain().await.is_ok());
}
