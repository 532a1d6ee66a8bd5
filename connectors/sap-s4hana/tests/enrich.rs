//! The enricher against a real OData V2 server on loopback serving `fixtures/api/` as JSON
//! and as Atom XML (two prefix styles), with an OAuth client-credentials token endpoint:
//! each clearing status, the 401 -> new token -> retry path, 429 and 503 with
//! Retry-After, 404, and a CloudEvent -> relay -> enrichment round trip.
#![allow(clippy::unwrap_used)] // tests: a panic is the failure report

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use chrono::{TimeZone, Utc};
use invoice_connector_sap_s4hana::config::ODataFormat;
use invoice_connector_sap_s4hana::testing::{Harness, FIXTURE_SECRET};
use invoice_connector_sap_s4hana::{SapConfig, SapEnricher};
use invoice_core::journal::{Journal, MemoryJournal};
use invoice_core::testing::fixture::load_dir;
use invoice_core::{
    EnrichError, Enricher, EventKind, InvoiceKey, Lifecycle, ManualClock, Platform, Relay, Route,
    Secret, ThinReference,
};

/// What the server answers for one document: (status, file or body, retry-after).
#[derive(Clone)]
struct Answer {
    status: u16,
    file: &'static str,
    retry_after: Option<&'static str>,
}

#[derive(Default)]
struct Server {
    tokens_issued: AtomicUsize,
    valid_token: Mutex<String>,
    valid_basic: Mutex<Option<String>>,
    answers: Mutex<HashMap<String, Vec<Answer>>>,
    requests: Mutex<Vec<(String, String, String)>>,
}

fn api_fixture(name: &str) -> String {
    let p = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/api")).join(name);
    std::fs::read_to_string(p).unwrap()
}

async fn token(State(s): State<Arc<Server>>, headers: HeaderMap, body: String) -> Response {
    assert_eq!(body, "grant_type=client_credentials");
    let auth = headers.get("authorization").unwrap().to_str().unwrap();
    assert!(auth.starts_with("Basic "), "client credentials as Basic");
    let n = s.tokens_issued.fetch_add(1, Ordering::SeqCst) + 1;
    let json = format!(r#"{{"access_token":"tok-{n}","token_type":"bearer","expires_in":43199}}"#);
    ([("content-type", "application/json")], json).into_response()
}

async fn entity(
    State(s): State<Arc<Server>>,
    Path(segment): Path<String>,
    headers: HeaderMap,
    axum::extract::RawQuery(query): axum::extract::RawQuery,
) -> Response {
    let auth = headers
        .get("authorization")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    let accept = headers
        .get("accept")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    s.requests
        .lock()
        .unwrap()
        .push((segment.clone(), query.unwrap_or_default(), accept));
    let valid = format!("Bearer {}", s.valid_token.lock().unwrap());
    let basic_ok = s.valid_basic.lock().unwrap().as_deref() == Some(auth.as_str());
    if auth != valid && !basic_ok {
        return StatusCode::UNAUTHORIZED.into_response();
    }
    let doc = segment
        .strip_prefix("A_BillingDocument('")
        .and_then(|r| r.strip_suffix("')"))
        .unwrap_or_default()
        .to_owned();
    let answer = {
        let mut answers = s.answers.lock().unwrap();
        let Some(list) = answers.get_mut(&doc) else {
            return (
                StatusCode::NOT_FOUND,
                [("content-type", "application/json")],
                api_fixture("error_404.json"),
            )
                .into_response();
        };
        if list.len() > 1 {
            list.remove(0)
        } else {
            list[0].clone()
        }
    };
    let ct = if answer.file.ends_with(".xml") {
        "application/atom+xml;type=entry;charset=utf-8"
    } else {
        "application/json; charset=utf-8"
    };
    let mut resp = (
        StatusCode::from_u16(answer.status).unwrap(),
        [("content-type", ct)],
        if answer.file.is_empty() {
            String::new()
        } else {
            api_fixture(answer.file)
        },
    )
        .into_response();
    if let Some(r) = answer.retry_after {
        resp.headers_mut().insert("retry-after", r.parse().unwrap());
    }
    resp
}

async fn serve() -> (String, Arc<Server>) {
    let s = Arc::new(Server::default());
    *s.valid_token.lock().unwrap() = "tok-1".into();
    let app = Router::new()
        .route("/oauth/token", post(token))
        .route(
            "/sap/opu/odata/sap/API_BILLING_DOCUMENT_SRV/{segment}",
            get(entity),
        )
        .with_state(s.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (format!("http://{addr}"), s)
}

fn config(base: &str, format: ODataFormat) -> SapConfig {
    let mut c = Harness::config(vec![Secret::new(FIXTURE_SECRET)]);
    c.api_base = Some(base.to_owned());
    c.token_url = Some(format!("{base}/oauth/token"));
    c.client_id = Some("sb-invoice-relay".into());
    c.client_secret = Some(Secret::new("client-secret-value"));
    c.due_days = Some(30);
    c.format = format;
    c
}

fn enricher(base: &str, format: ODataFormat) -> SapEnricher {
    SapEnricher::from_config(&config(base, format))
        .unwrap()
        .unwrap()
}

fn reference(doc: &str) -> ThinReference {
    ThinReference {
        platform: Platform::SapS4hana,
        tenant: "244572008".into(),
        event_id: format!("ce-{doc}"),
        entity: "BillingDocument".into(),
        entity_id: doc.into(),
        operation: "Changed".into(),
        resource_url: None,
        occurred_at: Utc.timestamp_opt(1_768_381_964, 0).unwrap(),
        received_at: Utc.timestamp_opt(1_768_381_970, 0).unwrap(),
        raw: None,
    }
}

#[derive(Debug)]
struct Fixed(&'static str);

#[async_trait::async_trait]
impl invoice_connector_sap_s4hana::enrich::TokenProvider for Fixed {
    async fn token(&self, _refresh: bool) -> Result<Secret, EnrichError> {
        Ok(Secret::new(self.0))
    }
}

fn answer(s: &Server, doc: &str, list: Vec<Answer>) {
    s.answers.lock().unwrap().insert(doc.into(), list);
}

fn ok(file: &'static str) -> Answer {
    Answer {
        status: 200,
        file,
        retry_after: None,
    }
}

#[tokio::test]
async fn each_clearing_status_in_json_and_atom() {
    let (base, s) = serve().await;
    let cases = [
        (
            ODataFormat::Json,
            "A_BillingDocument_90000042_open.json",
            EventKind::Issued,
            Lifecycle::Open,
            "0",
        ),
        (
            ODataFormat::Json,
            "A_BillingDocument_90000042_partially_cleared.json",
            EventKind::PaymentReceived,
            Lifecycle::PartiallyPaid,
            "0",
        ),
        (
            ODataFormat::Json,
            "A_BillingDocument_90000042_cleared.json",
            EventKind::Paid,
            Lifecycle::Paid,
            "1190.00",
        ),
        (
            ODataFormat::Atom,
            "A_BillingDocument_90000042_partially_cleared.atom.xml",
            EventKind::PaymentReceived,
            Lifecycle::PartiallyPaid,
            "0",
        ),
        (
            ODataFormat::Atom,
            "A_BillingDocument_90000042_cleared.prefixed.atom.xml",
            EventKind::Paid,
            Lifecycle::Paid,
            "1190.00",
        ),
    ];
    // A token provider that hands out the token the API accepts.
    let fixed = || invoice_connector_sap_s4hana::enrich::ApiAuth::OAuth(Arc::new(Fixed("tok-1")));
    let json = enricher(&base, ODataFormat::Json).with_auth(fixed());
    let atom = enricher(&base, ODataFormat::Atom).with_auth(fixed());
    for (format, file, kind, lifecycle, paid) in cases {
        answer(&s, "90000042", vec![ok(file)]);
        let e = if format == ODataFormat::Json {
            &json
        } else {
            &atom
        };
        let events = e.fetch(&reference("90000042")).await.unwrap();
        assert_eq!(events.len(), 1, "{file}");
        let ev = &events[0];
        let snap = ev.snapshot.as_ref().unwrap();
        assert_eq!((ev.kind, snap.lifecycle), (kind, lifecycle), "{file}");
        assert_eq!(snap.total.to_string(), "1190.00", "{file}");
        assert_eq!(snap.paid.to_string(), paid, "{file}");
        assert_eq!(snap.currency.as_str(), "EUR");
        assert_eq!(
            snap.customer.platform_id, "17100009",
            "payer partner RG: {file}"
        );
        assert_eq!(snap.due_date.unwrap().to_string(), "2026-02-13", "{file}");
        assert_eq!(ev.key.id, "90000042");
        assert!(ev.source_version.is_some(), "{file}");
    }
    let reqs = s.requests.lock().unwrap().clone();
    assert!(reqs
        .iter()
        .all(|(seg, q, _)| seg == "A_BillingDocument('90000042')"
            && q.starts_with("$expand=to_Partner")));
    assert!(reqs
        .iter()
        .any(|(_, q, a)| q.ends_with("$format=json") && a == "application/json"));
    assert!(reqs
        .iter()
        .any(|(_, q, a)| !q.contains("$format") && a == "application/atom+xml"));
}

#[tokio::test]
async fn cancelled_jpy_document_is_voided() {
    let (base, s) = serve().await;
    answer(
        &s,
        "90000043",
        vec![ok("A_BillingDocument_90000043_cancelled_jpy.json")],
    );
    let events = enricher(&base, ODataFormat::Json)
        .fetch(&reference("90000043"))
        .await
        .unwrap();
    let snap = events[0].snapshot.as_ref().unwrap();
    assert_eq!(events[0].kind, EventKind::Voided);
    assert_eq!(
        (
            snap.lifecycle,
            snap.total.to_string().as_str(),
            snap.currency.as_str()
        ),
        (Lifecycle::Void, "119000", "JPY")
    );
}

#[tokio::test]
async fn a_refused_token_is_refreshed_once_and_the_read_retried() {
    let (base, s) = serve().await;
    answer(
        &s,
        "90000042",
        vec![ok("A_BillingDocument_90000042_open.json")],
    );
    // The first token the endpoint issues is refused by the API, the second accepted.
    *s.valid_token.lock().unwrap() = "tok-2".into();
    let e = enricher(&base, ODataFormat::Json);
    let events = e.fetch(&reference("90000042")).await.unwrap();
    assert_eq!(events[0].kind, EventKind::Issued);
    assert_eq!(s.tokens_issued.load(Ordering::SeqCst), 2);
    // The refreshed token is cached: no new token for the next read.
    e.fetch(&reference("90000042")).await.unwrap();
    assert_eq!(s.tokens_issued.load(Ordering::SeqCst), 2);
    // A token refused twice is a transient failure, not a loop.
    *s.valid_token.lock().unwrap() = "never".into();
    let err = e.fetch(&reference("90000042")).await.unwrap_err();
    assert!(err.is_transient(), "{err}");
    assert_eq!(s.tokens_issued.load(Ordering::SeqCst), 3);
}

#[tokio::test]
async fn throttling_and_unavailability_carry_retry_after_and_404_is_rejected() {
    let (base, s) = serve().await;
    let e = enricher(&base, ODataFormat::Json);
    for (status, after) in [(429, "17"), (503, "120")] {
        answer(
            &s,
            "90000042",
            vec![Answer {
                status,
                file: "",
                retry_after: Some(after),
            }],
        );
        let err = e.fetch(&reference("90000042")).await.unwrap_err();
        assert_eq!(
            err,
            EnrichError::Transient {
                message: format!(
                    "sap odata answered {}",
                    StatusCode::from_u16(status).unwrap()
                ),
                retry_after_secs: Some(after.parse().unwrap()),
            }
        );
    }
    let err = e.fetch(&reference("90000099")).await.unwrap_err();
    assert!(matches!(err, EnrichError::Rejected(_)), "{err}");
    // A reference whose id could leave the key is refused before any request.
    let n = s.requests.lock().unwrap().len();
    let err = e.fetch(&reference("9')/x?y=")).await.unwrap_err();
    assert!(matches!(err, EnrichError::Rejected(_)));
    assert_eq!(s.requests.lock().unwrap().len(), n);
}

#[tokio::test]
async fn cloud_event_through_the_relay_then_enrichment_pays_the_invoice() {
    let (base, s) = serve().await;
    answer(
        &s,
        "90000042",
        vec![ok("A_BillingDocument_90000042_cleared.json")],
    );
    let fixtures = load_dir(&Harness::fixtures()).unwrap();
    let created = fixtures.iter().find(|f| f.name.starts_with("01_")).unwrap();
    let journal = Arc::new(MemoryJournal::new());
    let relay = Relay::builder(journal.clone())
        .source(Harness::source(vec![Secret::new(FIXTURE_SECRET)]))
        .enricher(Arc::new(enricher(&base, ODataFormat::Json)))
        .clock(Arc::new(ManualClock::new(created.expect.now)))
        .build();
    let out = relay
        .ingest(Platform::SapS4hana, &created.request, Route::default())
        .await
        .unwrap();
    assert_eq!(out.reply.status, StatusCode::OK);
    assert_eq!(out.report.pending, 1);
    let report = relay.enrich_once(10).await.unwrap();
    assert_eq!((report.resolved, report.applied.applied), (1, 1));
    let key = InvoiceKey::new(Platform::SapS4hana, "244572008", "90000042");
    let state = journal.load(&key).await.unwrap().unwrap().state;
    assert_eq!(state.lifecycle, Lifecycle::Paid);
    assert_eq!(state.portal_status().as_str(), "paid");
}

#[tokio::test]
async fn a_communication_user_reads_with_basic() {
    let (base, s) = serve().await;
    answer(
        &s,
        "90000042",
        vec![ok("A_BillingDocument_90000042_partially_cleared.atom.xml")],
    );
    // "INVOICE_RELAY:comm-user-password" in base64.
    *s.valid_basic.lock().unwrap() =
        Some("Basic SU5WT0lDRV9SRUxBWTpjb21tLXVzZXItcGFzc3dvcmQ=".into());
    let mut c = config(&base, ODataFormat::Atom);
    c.token_url = None;
    c.client_id = None;
    c.client_secret = None;
    c.api_user = Some("INVOICE_RELAY".into());
    c.api_password = Some(Secret::new("comm-user-password"));
    let e = SapEnricher::from_config(&c).unwrap().unwrap();
    let events = e.fetch(&reference("90000042")).await.unwrap();
    assert_eq!(events[0].kind, EventKind::PaymentReceived);
    assert_eq!(s.tokens_issued.load(Ordering::SeqCst), 0);
    // A wrong password is a transient failure (credentials may be fixed), never a token loop.
    c.api_password = Some(Secret::new("wrong"));
    let e = SapEnricher::from_config(&c).unwrap().unwrap();
    assert!(e
        .fetch(&reference("90000042"))
        .await
        .unwrap_err()
        .is_transient());
    assert_eq!(s.tokens_issued.load(Ordering::SeqCst), 0);
}
