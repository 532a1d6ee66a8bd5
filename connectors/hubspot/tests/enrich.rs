//! The enricher against a loopback CRM API and token endpoint serving `fixtures/api/`.

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
use invoice_connector_hubspot::testing::{Harness, FIXTURE_SECRET};
use invoice_connector_hubspot::{HubspotConfig, HubspotEnricher, HubspotSource};
use invoice_core::journal::{Journal, MemoryJournal};
use invoice_core::testing::fixture::parse_http;
use invoice_core::{
    EnrichError, Enricher, EventKind, InvoiceKey, Lifecycle, ManualClock, Platform, Relay, Route,
    Secret, TenantId, ThinReference,
};

const REFRESHED: &str = "CJSP5qf1LxICAQEYs-gDIIGOBii1hQIyGQAf3xBKmlwHjX7OIpuIFEavB2-qYAGQsF4";

#[derive(Clone)]
struct Canned {
    status: u16,
    retry_after: Option<&'static str>,
    body: String,
}

fn api_fixture(name: &str) -> String {
    let path = format!("{}/fixtures/api/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn canned(status: u16, fixture: &str) -> Canned {
    Canned {
        status,
        retry_after: None,
        body: api_fixture(fixture),
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
        [("content-type", "application/json;charset=utf-8")],
        c.body,
    )
        .into_response();
    if let Some(ra) = c.retry_after {
        r.headers_mut().insert("retry-after", ra.parse().unwrap());
    }
    r
}

async fn invoice(
    State(mock): State<Arc<Mock>>,
    Path(id): Path<String>,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
) -> Response {
    let auth = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    mock.api_calls.lock().unwrap().push((
        format!("/crm/v3/objects/invoices/{id}"),
        q.unwrap_or_default(),
        auth.clone(),
    ));
    let token = auth.strip_prefix("Bearer ").unwrap_or_default();
    if !mock.tokens.lock().unwrap().iter().any(|t| t == token) {
        return respond(canned(401, "error_expired_token.json"));
    }
    let mut answers = mock.answers.lock().unwrap();
    let queue = answers.entry(id).or_default();
    let c = if queue.len() > 1 {
        queue.pop_front()
    } else {
        queue.front().cloned()
    };
    respond(c.unwrap_or_else(|| canned(404, "error_not_found.json")))
}

async fn token(State(mock): State<Arc<Mock>>, body: String) -> Response {
    mock.token_calls.lock().unwrap().push(body);
    mock.tokens.lock().unwrap().push(REFRESHED.to_owned());
    respond(canned(200, "token_refresh.json"))
}

async fn start() -> (SocketAddr, Arc<Mock>) {
    let mock = Arc::new(Mock::default());
    let app = Router::new()
        .route("/crm/v3/objects/invoices/{id}", get(invoice))
        .route("/oauth/v1/token", post(token))
        .with_state(mock.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (addr, mock)
}

fn config(addr: SocketAddr, token: &str) -> HubspotConfig {
    let mut c = HubspotConfig::with_secret("client-secret-fixture");
    c.api_base = format!("http://{addr}");
    c.token_url = format!("http://{addr}/oauth/v1/token");
    c.access_token = Some(Secret::new(token));
    c
}

fn reference(id: &str) -> ThinReference {
    let at = Utc.timestamp_millis_opt(1_768_471_195_407).unwrap();
    ThinReference {
        platform: Platform::Hubspot,
        tenant: TenantId("62515".into()),
        event_id: "4021876514:fetch".into(),
        entity: "invoice".into(),
        entity_id: id.into(),
        operation: "object.propertyChange".into(),
        resource_url: None,
        occurred_at: at,
        received_at: at,
        raw: None,
    }
}

#[tokio::test]
async fn paid_invoice_becomes_a_versioned_snapshot() {
    let (addr, mock) = start().await;
    mock.tokens.lock().unwrap().push("pat-good".into());
    mock.answer("398732101", canned(200, "invoice_398732101_paid.json"));
    let e = HubspotEnricher::from_config(&config(addr, "pat-good")).unwrap();
    let events = e.fetch(&reference("398732101")).await.unwrap();
    assert_eq!(events.len(), 1);
    let ev = &events[0];
    assert_eq!(ev.kind, EventKind::Updated);
    assert_eq!(ev.key.tenant.as_str(), "62515");
    assert_eq!(ev.source_version, Some(1_768_471_195_407));
    assert_eq!(ev.platform_event_id, "invoice:398732101@1768471195407");
    let s = ev.snapshot.as_ref().unwrap();
    assert_eq!(s.lifecycle, Lifecycle::Paid);
    assert_eq!(
        (s.total.to_string(), s.paid.to_string()),
        ("1250.00".into(), "1250.00".into())
    );
    assert_eq!(s.currency.as_str(), "USD");
    assert_eq!(s.number.as_deref(), Some("INV-1042"));
    assert_eq!(s.customer.platform_id, "18712230456");
    assert_eq!(s.due_date.map(|d| d.to_string()), Some("2026-02-13".into()));
    let calls = mock.api_calls.lock().unwrap().clone();
    assert_eq!(calls.len(), 1);
    assert_eq!(calls[0].0, "/crm/v3/objects/invoices/398732101");
    assert!(calls[0].1.starts_with("properties=hs_invoice_status,"));
    assert!(calls[0].1.ends_with("&associations=companies,contacts"));
    assert_eq!(calls[0].2, "Bearer pat-good");
}

#[tokio::test]
async fn open_invoice_with_payment_is_partially_paid() {
    let (addr, mock) = start().await;
    mock.tokens.lock().unwrap().push("pat-good".into());
    mock.answer("398732240", canned(200, "invoice_398732240_partial.json"));
    let e = HubspotEnricher::from_config(&config(addr, "pat-good")).unwrap();
    let ev = e.fetch(&reference("398732240")).await.unwrap().remove(0);
    let s = ev.snapshot.unwrap();
    assert_eq!(s.lifecycle, Lifecycle::PartiallyPaid);
    assert_eq!(s.paid.to_string(), "1800.00");
    assert_eq!(s.currency.as_str(), "EUR");
    assert_eq!(s.customer.platform_id, "");
    assert_eq!(s.due_date.map(|d| d.to_string()), Some("2026-02-28".into()));
}

#[tokio::test]
async fn expired_token_is_refreshed_once_then_retried() {
    let (addr, mock) = start().await;
    mock.answer("398732101", canned(200, "invoice_398732101_paid.json"));
    let mut c = config(addr, "expired-token");
    c.client_id = Some("5fd0b6a1-client-id".into());
    c.refresh_token = Some(Secret::new("na1-refresh-fixture"));
    let e = HubspotEnricher::from_config(&c).unwrap();
    let events = e.fetch(&reference("398732101")).await.unwrap();
    assert_eq!(events.len(), 1);
    let calls = mock.api_calls.lock().unwrap().clone();
    assert_eq!(calls.len(), 2);
    assert_eq!(calls[0].2, "Bearer expired-token");
    assert_eq!(calls[1].2, format!("Bearer {REFRESHED}"));
    let tokens = mock.token_calls.lock().unwrap().clone();
    assert_eq!(tokens.len(), 1);
    assert!(tokens[0].contains("grant_type=refresh_token"));
    assert!(tokens[0].contains("client_id=5fd0b6a1-client-id"));
    assert!(tokens[0].contains("client_secret=client-secret-fixture"));
    assert!(tokens[0].contains("refresh_token=na1-refresh-fixture"));
    // A second fetch uses the refreshed token straight away.
    e.fetch(&reference("398732101")).await.unwrap();
    assert_eq!(mock.token_calls.lock().unwrap().len(), 1);
}

#[tokio::test]
async fn static_token_rejected_is_transient_without_a_loop() {
    let (addr, mock) = start().await;
    let e = HubspotEnricher::from_config(&config(addr, "revoked")).unwrap();
    let err = e.fetch(&reference("398732101")).await.unwrap_err();
    assert!(err.is_transient(), "{err}");
    assert_eq!(mock.api_calls.lock().unwrap().len(), 1);
}

#[tokio::test]
async fn rate_limit_is_transient_with_retry_after() {
    let (addr, mock) = start().await;
    mock.tokens.lock().unwrap().push("pat-good".into());
    let mut limited = canned(429, "error_rate_limit.json");
    limited.retry_after = Some("7");
    mock.answer("398732101", limited);
    mock.answer("398732101", canned(200, "invoice_398732101_paid.json"));
    let e = HubspotEnricher::from_config(&config(addr, "pat-good")).unwrap();
    let err = e.fetch(&reference("398732101")).await.unwrap_err();
    assert_eq!(
        err,
        EnrichError::Transient {
            message: "hubspot api answered 429 Too Many Requests for invoice 398732101".into(),
            retry_after_secs: Some(7)
        }
    );
    assert!(e.fetch(&reference("398732101")).await.is_ok());
}

#[tokio::test]
async fn missing_invoice_is_rejected() {
    let (addr, mock) = start().await;
    mock.tokens.lock().unwrap().push("pat-good".into());
    let e = HubspotEnricher::from_config(&config(addr, "pat-good")).unwrap();
    let err = e.fetch(&reference("398739999")).await.unwrap_err();
    assert!(matches!(err, EnrichError::Rejected(_)), "{err}");
}

#[tokio::test]
async fn ids_that_are_not_hubspot_ids_are_never_requested() {
    let (addr, mock) = start().await;
    let e = HubspotEnricher::from_config(&config(addr, "pat-good")).unwrap();
    for id in ["../../oauth/v1/token", "1?x=1", "", "12a"] {
        let err = e.fetch(&reference(id)).await.unwrap_err();
        assert!(matches!(err, EnrichError::Rejected(_)), "{id}: {err}");
    }
    assert!(mock.api_calls.lock().unwrap().is_empty());
}

/// Webhook -> `Relay` -> status applied at once and two pending references -> the
/// enrichment worker reads the invoice from the loopback API -> amounts applied.
#[tokio::test]
async fn webhook_then_enrichment_through_the_relay() {
    let (addr, mock) = start().await;
    mock.tokens.lock().unwrap().push("pat-good".into());
    mock.answer("398732101", canned(200, "invoice_398732101_paid.json"));
    let mut cfg = Harness::config(vec![Secret::new(FIXTURE_SECRET)]);
    cfg.api_base = format!("http://{addr}");
    cfg.access_token = Some(Secret::new("pat-good"));
    let journal = Arc::new(MemoryJournal::new());
    let now = Utc.timestamp_millis_opt(1_768_471_198_607).unwrap();
    let relay = Relay::builder(journal.clone())
        .source(Arc::new(HubspotSource::new(cfg.clone()).unwrap()))
        .enricher(Arc::new(HubspotEnricher::from_config(&cfg).unwrap()))
        .clock(Arc::new(ManualClock::new(now)))
        .build();
    let raw = std::fs::read(Harness::fixtures().join("01_invoice_status_paid_batch.http")).unwrap();
    let out = relay
        .ingest(
            Platform::Hubspot,
            &parse_http(&raw).unwrap(),
            Route::default(),
        )
        .await
        .unwrap();
    assert_eq!(out.reply.status, 200);
    assert_eq!((out.report.applied, out.report.pending), (1, 2));
    assert!(
        mock.api_calls.lock().unwrap().is_empty(),
        "nothing fetched before the reply"
    );
    let key = InvoiceKey::new(Platform::Hubspot, "62515", "398732101");
    let state = journal.load(&key).await.unwrap().unwrap().state;
    assert_eq!(state.lifecycle, Lifecycle::Paid);

    let report = relay.enrich_once(10).await.unwrap();
    assert_eq!(
        (report.resolved, report.retried, report.rejected),
        (2, 0, 0)
    );
    // Both references read the same hs_lastmodifieddate: applied once, then a duplicate.
    assert_eq!((report.applied.applied, report.applied.duplicates), (1, 1));
    let state = journal.load(&key).await.unwrap().unwrap().state;
    assert_eq!(state.lifecycle, Lifecycle::Paid);
    assert_eq!(state.total.to_string(), "1250.00");
    assert_eq!(state.paid.to_string(), "1250.00");
    assert!(state.balance.is_zero());
    assert_eq!(state.number.as_deref(), Some("INV-1042"));
    assert!(journal.verify_chain().await.is_ok());
}
