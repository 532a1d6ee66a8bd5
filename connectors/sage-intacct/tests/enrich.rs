//! The enricher against a real HTTP server on loopback that plays the XML Web Services
//! gateway from `fixtures/api/`: each STATE, the session refresh after an expired session
//! and after HTTP 401, 429 with Retry-After, 404, 5xx, unknown records, and a full
//! Smart Event -> relay -> enrichment round trip.
#![allow(clippy::unwrap_used)] // tests: a panic is the failure report

use std::collections::HashSet;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::Router;
use chrono::{TimeZone, Utc};
use invoice_connector_sage_intacct::testing::{Harness, FIXTURE_SECRET};
use invoice_connector_sage_intacct::xml;
use invoice_connector_sage_intacct::{IntacctConfig, IntacctEnricher};
use invoice_core::journal::{Journal, MemoryJournal};
use invoice_core::testing::fixture::load_dir;
use invoice_core::{
    EnrichError, Enricher, EventKind, InvoiceKey, Lifecycle, ManualClock, Platform, Relay, Route,
    Secret, TenantId, ThinReference,
};

#[derive(Default)]
struct Gateway {
    sessions_issued: AtomicUsize,
    requests: AtomicUsize,
    revoked_http: Mutex<HashSet<String>>,
    bodies: Mutex<Vec<String>>,
}

fn api_fixture(name: &str) -> String {
    let p = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/api")).join(name);
    std::fs::read_to_string(p).unwrap()
}

fn xml_reply(body: String) -> Response {
    (
        [(axum::http::header::CONTENT_TYPE, "text/xml; charset=UTF-8")],
        body,
    )
        .into_response()
}

async fn gateway(State(g): State<Arc<Gateway>>, _h: HeaderMap, body: String) -> Response {
    g.requests.fetch_add(1, Ordering::SeqCst);
    g.bodies.lock().unwrap().push(body.clone());
    let req = xml::parse(body.as_bytes()).unwrap();
    let op = req.child(None, "operation").unwrap();
    let auth = op.child(None, "authentication").unwrap();
    let function = op
        .child(None, "content")
        .and_then(|c| c.child(None, "function"))
        .unwrap();
    let call = &function.children[0];
    if call.name == "getAPISession" {
        assert!(
            auth.child(None, "login").is_some(),
            "sessions come from a login"
        );
        let n = g.sessions_issued.fetch_add(1, Ordering::SeqCst);
        return xml_reply(api_fixture(if n == 0 {
            "getapisession_1.xml"
        } else {
            "getapisession_2.xml"
        }));
    }
    let session = auth
        .child_text(None, "sessionid")
        .unwrap_or_default()
        .to_owned();
    if g.revoked_http.lock().unwrap().contains(&session) {
        return StatusCode::UNAUTHORIZED.into_response();
    }
    if session == "sess-expired-1.." {
        return xml_reply(api_fixture("auth_failure.xml"));
    }
    assert_eq!(call.name, "read");
    assert_eq!(call.child_text(None, "object"), Some("ARINVOICE"));
    let key = call.child_text(None, "keys").unwrap_or_default().to_owned();
    match key.as_str() {
        "4290" => (
            StatusCode::TOO_MANY_REQUESTS,
            [("retry-after", "17")],
            "slow down",
        )
            .into_response(),
        "4040" => StatusCode::NOT_FOUND.into_response(),
        "5000" => StatusCode::BAD_GATEWAY.into_response(),
        "7000" => xml_reply(api_fixture("control_failure.xml")),
        "7001" => xml_reply("<html>proxy error</html>".into()),
        _ => {
            let name = format!("read_{key}.xml");
            let p = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/api")).join(&name);
            xml_reply(if p.exists() {
                api_fixture(&name)
            } else {
                api_fixture("read_empty.xml")
            })
        }
    }
}

async fn serve() -> (String, Arc<Gateway>) {
    let g = Arc::new(Gateway::default());
    let app = Router::new()
        .route("/ia/xml/xmlgw.phtml", post(gateway))
        .with_state(g.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        axum::serve(listener, app).await.unwrap();
    });
    (format!("http://{addr}/ia/xml/xmlgw.phtml"), g)
}

fn config(endpoint: &str) -> IntacctConfig {
    let mut c = Harness::config(vec![Secret::new(FIXTURE_SECRET)]);
    c.endpoint = endpoint.to_owned();
    c.sender_id = Some("BrightlineRelay".into());
    c.sender_password = Some(Secret::new("sender<&>pw"));
    c.user_id = Some("relay_reader".into());
    c.user_password = Some(Secret::new("user-pw"));
    c
}

fn reference(tenant: &str, record_no: &str) -> ThinReference {
    let t = Utc.with_ymd_and_hms(2026, 1, 15, 2, 0, 3).unwrap();
    ThinReference {
        platform: Platform::SageIntacct,
        tenant: TenantId::from(tenant),
        event_id: format!("sie:{record_no}"),
        entity: "ARINVOICE".into(),
        entity_id: record_no.into(),
        operation: "Set".into(),
        resource_url: None,
        occurred_at: t,
        received_at: t,
        raw: None,
    }
}

#[tokio::test]
async fn each_state_is_read_back_and_an_expired_session_is_refreshed_once() {
    let (endpoint, g) = serve().await;
    let e = IntacctEnricher::from_config(&config(&endpoint))
        .unwrap()
        .unwrap();
    let cases = [
        (
            "3086",
            "C-00031/INV-1042",
            EventKind::PaymentReceived,
            Lifecycle::PartiallyPaid,
            "USD",
            "1250.00",
            "800.00",
        ),
        (
            "3091",
            "C-00031/INV-1047",
            EventKind::Issued,
            Lifecycle::Open,
            "USD",
            "4200.50",
            "0.00",
        ),
        (
            "3102",
            "C-00044/INV-1058",
            EventKind::Voided,
            Lifecycle::Void,
            "EUR",
            "990.00",
            "0.00",
        ),
        (
            "3110",
            "C-00031/INV-1060",
            EventKind::Updated,
            Lifecycle::Draft,
            "USD",
            "75.00",
            "0.00",
        ),
        (
            "3111",
            "C-00031/INV-1061",
            EventKind::Voided,
            Lifecycle::Void,
            "USD",
            "75.00",
            "0.00",
        ),
    ];
    for (rec, key, kind, lifecycle, cur, total, paid) in cases {
        let events = e
            .fetch(&reference("brightline-anodizing", rec))
            .await
            .unwrap();
        assert_eq!(events.len(), 1, "{rec}");
        let ev = &events[0];
        assert_eq!(ev.key.id, key);
        assert_eq!(ev.key.tenant.as_str(), "brightline-anodizing");
        assert_eq!(ev.kind, kind, "{rec}");
        let s = ev.snapshot.as_ref().unwrap();
        assert_eq!(s.lifecycle, lifecycle, "{rec}");
        assert_eq!(s.currency.as_str(), cur);
        assert_eq!(s.total.to_string(), total);
        assert_eq!(s.paid.to_string(), paid);
        assert!(ev.source_version.is_some());
        assert!(ev
            .platform_event_id
            .starts_with(&format!("ARINVOICE:{rec}:")));
    }
    // First session expired: one refresh, then the fresh one is reused.
    assert_eq!(g.sessions_issued.load(Ordering::SeqCst), 2);
    // Credentials are escaped, never sent raw into the XML.
    let bodies = g.bodies.lock().unwrap();
    assert!(bodies.iter().any(|b| b.contains("sender&lt;&amp;&gt;pw")));
    assert!(!bodies.iter().any(|b| b.contains("sender<&>pw")));
}

#[tokio::test]
async fn paid_jpy_with_escaped_number_and_details() {
    let (endpoint, _g) = serve().await;
    let e = IntacctEnricher::from_config(&config(&endpoint))
        .unwrap()
        .unwrap();
    let ev = e
        .fetch(&reference("kansai-plating", "118"))
        .await
        .unwrap()
        .remove(0);
    assert_eq!(ev.key.id, "KOBE-01/KP-2026-0007 \"A&B\"");
    assert_eq!(ev.kind, EventKind::Paid);
    let s = ev.snapshot.unwrap();
    assert_eq!(
        (s.total.to_string(), s.paid.to_string()),
        ("385000".into(), "385000".into())
    );
    assert_eq!(s.due_date, chrono::NaiveDate::from_ymd_opt(2026, 2, 28));
    assert_eq!(s.customer.name.as_deref(), Some("Kobe Hard Anodize K.K."));
    assert_eq!(
        ev.occurred_at,
        Utc.with_ymd_and_hms(2026, 2, 2, 23, 5, 11).unwrap()
    );
}

#[tokio::test]
async fn http_401_refreshes_the_session_once_then_reads() {
    let (endpoint, g) = serve().await;
    let e = IntacctEnricher::from_config(&config(&endpoint))
        .unwrap()
        .unwrap();
    e.fetch(&reference("brightline-anodizing", "3086"))
        .await
        .unwrap();
    assert_eq!(g.sessions_issued.load(Ordering::SeqCst), 2);
    g.revoked_http
        .lock()
        .unwrap()
        .insert("sess-fresh-2..".into());
    // The fresh session now gets HTTP 401: one more refresh, which the server answers
    // with the same (revoked) session, so the read fails as transient, not forever.
    let r = e.fetch(&reference("brightline-anodizing", "3086")).await;
    assert!(matches!(r, Err(EnrichError::Transient { .. })), "{r:?}");
    assert_eq!(
        g.sessions_issued.load(Ordering::SeqCst),
        3,
        "exactly one refresh"
    );
    g.revoked_http.lock().unwrap().clear();
    assert!(e
        .fetch(&reference("brightline-anodizing", "3086"))
        .await
        .is_ok());
}

#[tokio::test]
async fn failures_are_classified() {
    let (endpoint, _g) = serve().await;
    let e = IntacctEnricher::from_config(&config(&endpoint))
        .unwrap()
        .unwrap();
    let f = |r: &'static str| e.fetch_owned(r);
    match f("4290").await {
        Err(EnrichError::Transient {
            retry_after_secs, ..
        }) => assert_eq!(retry_after_secs, Some(17)),
        other => panic!("429: {other:?}"),
    }
    assert!(matches!(
        f("5000").await,
        Err(EnrichError::Transient { .. })
    ));
    assert!(
        matches!(f("7001").await, Err(EnrichError::Transient { .. })),
        "a non-gateway body"
    );
    for rejected in ["4040", "9999", "3120", "7000"] {
        assert!(
            matches!(f(rejected).await, Err(EnrichError::Rejected(_))),
            "{rejected}"
        );
    }
    let mut bad = reference("brightline-anodizing", "1 OR 1=1");
    assert!(matches!(e.fetch(&bad).await, Err(EnrichError::Rejected(_))));
    bad.entity_id = "3086".into();
    bad.entity = "ARPYMT".into();
    assert!(matches!(e.fetch(&bad).await, Err(EnrichError::Rejected(_))));
}

trait FetchOwned {
    fn fetch_owned(
        &self,
        record: &'static str,
    ) -> std::pin::Pin<
        Box<
            dyn std::future::Future<Output = Result<Vec<invoice_core::InvoiceEvent>, EnrichError>>
                + Send
                + '_,
        >,
    >;
}

impl FetchOwned for IntacctEnricher {
    fn fetch_owned(
        &self,
        record: &'static str,
    ) -> std::pin::Pin<
        Box<
            dyn std::future::Future<Output = Result<Vec<invoice_core::InvoiceEvent>, EnrichError>>
                + Send
                + '_,
        >,
    > {
        Box::pin(async move { self.fetch(&reference("brightline-anodizing", record)).await })
    }
}

#[tokio::test]
async fn unreachable_endpoint_is_transient() {
    // A port that was just free: nothing listens there.
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = l.local_addr().unwrap();
    drop(l);
    let e = IntacctEnricher::from_config(&config(&format!("http://{addr}/ia/xml/xmlgw.phtml")))
        .unwrap()
        .unwrap();
    let r = e.fetch(&reference("brightline-anodizing", "3086")).await;
    assert!(matches!(r, Err(EnrichError::Transient { .. })), "{r:?}");
}

#[tokio::test]
async fn smart_event_to_portal_state_through_the_relay() {
    let (endpoint, g) = serve().await;
    let mut reg = invoice_core::registry::ConnectorRegistry::new();
    invoice_connector_sage_intacct::register(&mut reg);
    let cfg = serde_json::json!({
        "company_ids": ["brightline-anodizing", "kansai-plating"],
        "secrets": [FIXTURE_SECRET],
        "endpoint": endpoint,
        "sender_id": "BrightlineRelay",
        "sender_password": "sender-pw",
        "user_id": "relay_reader",
        "user_password": "user-pw"
    });
    let connector = reg.build(Platform::SageIntacct, &cfg).unwrap();
    assert!(connector.enricher.is_some());
    let fixture = load_dir(&Harness::fixtures())
        .unwrap()
        .into_iter()
        .find(|f| f.name.starts_with("01_"))
        .unwrap();
    let journal = Arc::new(MemoryJournal::new());
    let relay = Relay::builder(journal.clone())
        .connector(connector)
        .clock(Arc::new(ManualClock::new(fixture.expect.now)))
        .build();
    let route = Route {
        tenant: Some(TenantId::from("brightline-anodizing")),
        ..Route::default()
    };
    let out = relay
        .ingest(Platform::SageIntacct, &fixture.request, route)
        .await
        .unwrap();
    assert_eq!(out.report.pending, 1);
    assert_eq!(
        g.requests.load(Ordering::SeqCst),
        0,
        "the ack never waits for the API"
    );
    let report = relay.enrich_once(10).await.unwrap();
    assert_eq!(report.resolved, 1);
    assert_eq!(report.applied.applied, 1);
    let key = InvoiceKey::new(
        Platform::SageIntacct,
        "brightline-anodizing",
        "C-00031/INV-1042",
    );
    let state = journal.load(&key).await.unwrap().unwrap().state;
    assert_eq!(state.lifecycle, Lifecycle::PartiallyPaid);
    assert_eq!(state.balance.to_string(), "450.00");
    assert_eq!(state.number.as_deref(), Some("INV-1042"));
    // Nothing left pending; a second pass does nothing.
    assert_eq!(relay.enrich_once(10).await.unwrap().resolved, 0);
}
