//! The Web API enricher against a real HTTP server on loopback that plays Dataverse and
//! the Entra token endpoint: client credentials, a 401 that a fresh token repairs, 429
//! with Retry-After, 404, 5xx, the id guard; and the source turning a post without
//! status columns into a thin reference when `api_base` is configured.

#![allow(clippy::unwrap_used)] // tests may unwrap (see the workspace lints)

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::Router;
use chrono::{TimeZone, Utc};
use invoice_connector_dynamics365::testing::{fixture_config, FIXTURE_ORG, FIXTURE_SECRET};
use invoice_connector_dynamics365::{Dynamics365Config, Dynamics365Enricher, Dynamics365Source};
use invoice_core::journal::{Journal, MemoryJournal};
use invoice_core::testing::fixture::load_dir;
use invoice_core::{
    EnrichError, Enricher, EventKind, IngestContext, InvoiceKey, InvoiceSource, Lifecycle,
    ManualClock, Platform, Relay, Route, Secret, TenantId, ThinReference,
};

const PAID: &str = "7c1f4d2a-5b3e-f011-a1b2-000d3a2b4c01";
const THROTTLED: &str = "8d2a5e3b-6c4f-f011-a1b2-000d3a2b4c02";
const GONE: &str = "9e3b6f4c-7d50-f011-a1b2-000d3a2b4c03";
const BROKEN: &str = "af4c7051-8e61-f011-a1b2-000d3a2b4c04";

#[derive(Default)]
struct Server {
    tokens_issued: AtomicUsize,
    token_forms: Mutex<Vec<String>>,
    api_calls: Mutex<Vec<(String, String, String)>>,
}

async fn token(State(s): State<Arc<Server>>, body: String) -> Response {
    s.token_forms.lock().unwrap().push(body);
    let n = s.tokens_issued.fetch_add(1, Ordering::SeqCst) + 1;
    axum::Json(serde_json::json!({"token_type":"Bearer","expires_in":3599,"access_token":format!("tok-{n}")}))
        .into_response()
}

async fn api(State(s): State<Arc<Server>>, uri: Uri, headers: HeaderMap) -> Response {
    let bearer = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    let prefer = headers
        .get("prefer")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    s.api_calls
        .lock()
        .unwrap()
        .push((uri.to_string(), bearer.clone(), prefer));
    let path = uri.path();
    let id = path
        .strip_prefix("/api/data/v9.2/invoices(")
        .and_then(|r| r.strip_suffix(')'))
        .unwrap_or("");
    match id {
        PAID if bearer == "Bearer tok-1" => StatusCode::UNAUTHORIZED.into_response(),
        PAID => axum::Json(serde_json::json!({
            "@odata.context": "https://anodizeworks.crm4.dynamics.com/api/data/v9.2/$metadata#invoices(invoiceid,statecode)/$entity",
            "@odata.etag": "W/\"1051210\"",
            "invoiceid": PAID,
            "invoicenumber": "INV-01042-Z7K2Q4",
            "statecode": 2,
            "statecode@OData.Community.Display.V1.FormattedValue": "Paid",
            "statuscode": 100001,
            "totalamount": 1250.5,
            "totalamount@OData.Community.Display.V1.FormattedValue": "$1,250.50",
            "duedate": "2026-02-01",
            "_customerid_value": "3a9d1c55-2b7e-f011-a1b2-000d3a2b4d10",
            "_customerid_value@OData.Community.Display.V1.FormattedValue": "Acme Coatings GmbH",
            "_transactioncurrencyid_value": "6b1f2c8e-4ea2-e711-8122-000d3aa2331c",
            "modifiedon": "2026-01-21T12:00:00Z",
            "transactioncurrencyid": {"isocurrencycode": "USD", "transactioncurrencyid": "6b1f2c8e-4ea2-e711-8122-000d3aa2331c"}
        }))
        .into_response(),
        THROTTLED => (StatusCode::TOO_MANY_REQUESTS, [("retry-after", "7")]).into_response(),
        GONE => StatusCode::NOT_FOUND.into_response(),
        BROKEN => StatusCode::SERVICE_UNAVAILABLE.into_response(),
        _ => StatusCode::BAD_REQUEST.into_response(),
    }
}

async fn serve() -> (String, Arc<Server>) {
    let state = Arc::new(Server::default());
    let app = Router::new()
        .route("/tenant/oauth2/v2.0/token", post(token))
        .fallback(api)
        .with_state(state.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        axum::serve(listener, app).await.unwrap();
    });
    (format!("http://{addr}"), state)
}

fn config(base: &str) -> Dynamics365Config {
    let mut c = fixture_config(vec![Secret::new(FIXTURE_SECRET)]);
    c.api_base = Some(base.to_owned());
    c.token_url = Some(format!("{base}/tenant/oauth2/v2.0/token"));
    c.client_id = Some("0a1b2c3d-app".into());
    c.client_secret = Some(Secret::new("client-secret-value"));
    c
}

fn reference(id: &str) -> ThinReference {
    ThinReference {
        platform: Platform::Dynamics365,
        tenant: TenantId(FIXTURE_ORG.into()),
        event_id: format!("invoice/{id}:Update:op"),
        entity: "invoice".into(),
        entity_id: id.into(),
        operation: "Update".into(),
        resource_url: None,
        occurred_at: Utc.with_ymd_and_hms(2026, 1, 21, 12, 0, 0).unwrap(),
        received_at: Utc.with_ymd_and_hms(2026, 1, 21, 12, 0, 4).unwrap(),
        raw: None,
    }
}

#[tokio::test]
async fn a_401_gets_a_fresh_token_once_and_the_row_maps_like_a_webhook() {
    let (base, server) = serve().await;
    let e = Dynamics365Enricher::from_config(&config(&base))
        .unwrap()
        .unwrap();
    let events = e.fetch(&reference(PAID)).await.unwrap();
    assert_eq!(events.len(), 1);
    let ev = &events[0];
    assert_eq!(ev.kind, EventKind::Paid);
    let s = ev.snapshot.as_ref().unwrap();
    assert_eq!(s.lifecycle, Lifecycle::Paid);
    assert_eq!(
        (s.total.to_string(), s.currency.as_str()),
        ("1250.50".into(), "USD")
    );
    assert_eq!(s.due_date.unwrap().to_string(), "2026-02-01");
    assert_eq!(s.customer.name.as_deref(), Some("Acme Coatings GmbH"));
    assert_eq!(ev.source_version, Some(1_768_996_800_000));
    assert_eq!(
        ev.platform_event_id,
        format!("api:invoice/{PAID}@1768996800000")
    );
    assert_eq!(server.tokens_issued.load(Ordering::SeqCst), 2);
    let forms = server.token_forms.lock().unwrap().clone();
    assert!(forms[0].contains("grant_type=client_credentials"));
    assert!(forms[0].contains(&format!(
        "scope={}",
        form_urlencoded::byte_serialize(format!("{base}/.default").as_bytes()).collect::<String>()
    )));
    let calls = server.api_calls.lock().unwrap().clone();
    assert_eq!(calls.len(), 2);
    assert_eq!(calls[1].1, "Bearer tok-2");
    assert!(calls[1]
        .0
        .contains("$select=invoiceid,invoicenumber,statecode,statuscode"));
    assert!(calls[1]
        .0
        .contains("$expand=transactioncurrencyid($select=isocurrencycode)"));
    assert!(calls[1]
        .2
        .contains("OData.Community.Display.V1.FormattedValue"));
}

#[tokio::test]
async fn throttling_outage_missing_rows_and_bad_ids_are_classified() {
    let (base, server) = serve().await;
    let e = Dynamics365Enricher::from_config(&config(&base))
        .unwrap()
        .unwrap();
    assert_eq!(
        e.fetch(&reference(THROTTLED)).await.unwrap_err(),
        EnrichError::Transient {
            message: format!(
                "dataverse api answered 429 Too Many Requests for invoice {THROTTLED}"
            ),
            retry_after_secs: Some(7)
        }
    );
    assert!(e
        .fetch(&reference(BROKEN))
        .await
        .unwrap_err()
        .is_transient());
    assert!(matches!(
        e.fetch(&reference(GONE)).await.unwrap_err(),
        EnrichError::Rejected(_)
    ));
    let calls_before = server.api_calls.lock().unwrap().len();
    for bad in ["../../other", "7c1f4d2a-5b3e-f011-a1b2-000d3a2b4c0", "x"] {
        assert!(matches!(
            e.fetch(&reference(bad)).await.unwrap_err(),
            EnrichError::Rejected(_)
        ));
    }
    assert_eq!(
        server.api_calls.lock().unwrap().len(),
        calls_before,
        "no request for a bad id"
    );
    let mut other = reference(PAID);
    other.entity = "quote".into();
    assert!(matches!(
        e.fetch(&other).await.unwrap_err(),
        EnrichError::Rejected(_)
    ));
}

#[tokio::test]
async fn a_post_without_status_columns_becomes_a_thin_reference_then_an_event() {
    let (base, _server) = serve().await;
    let f = load_dir(std::path::Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/fixtures"
    )))
    .unwrap()
    .into_iter()
    .find(|f| f.name.starts_with("08_"))
    .unwrap();
    let source = Dynamics365Source::new(config(&base)).unwrap();
    let got = source
        .ingest(&f.request, &IngestContext::at(f.expect.now))
        .await
        .unwrap();
    assert!(got.events.is_empty() && got.skipped.is_empty());
    assert_eq!(got.pending.len(), 1);
    let r = &got.pending[0];
    assert_eq!((r.entity.as_str(), r.entity_id.as_str()), ("invoice", PAID));
    let e = Dynamics365Enricher::from_config(&config(&base))
        .unwrap()
        .unwrap();
    let events = e.fetch(r).await.unwrap();
    assert_eq!(events[0].kind, EventKind::Paid);
}

#[test]
fn enrichment_config_is_checked() {
    let mut c = fixture_config(vec![Secret::new(FIXTURE_SECRET)]);
    assert!(Dynamics365Enricher::from_config(&c).unwrap().is_none());
    c.api_base = Some("https://anodizeworks.crm4.dynamics.com".into());
    assert!(
        Dynamics365Enricher::from_config(&c).is_err(),
        "no credentials"
    );
    c.access_token = Some(Secret::new("t"));
    assert!(Dynamics365Enricher::from_config(&c).unwrap().is_some());
    c.api_base = Some("ftp://x".into());
    assert!(Dynamics365Enricher::from_config(&c).is_err());
    let shown = format!(
        "{:?}",
        Dynamics365Enricher::from_config(&config("http://127.0.0.1:9")).unwrap()
    );
    assert!(!shown.contains("client-secret-value"));
}

/// Fixture 08 (an Update of a column that is not the status, no post-image) through the
/// `Relay`: acknowledged with one pending reference, then the enrichment worker reads the
/// row and the invoice is paid in the journal.
#[tokio::test]
async fn post_without_image_then_enrichment_through_the_relay() {
    let (base, _server) = serve().await;
    let cfg = config(&base);
    let f = load_dir(std::path::Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/fixtures"
    )))
    .unwrap()
    .into_iter()
    .find(|f| f.name.starts_with("08_"))
    .unwrap();
    let journal = Arc::new(MemoryJournal::new());
    let relay = Relay::builder(journal.clone())
        .source(Arc::new(Dynamics365Source::new(cfg.clone()).unwrap()))
        .enricher(Arc::new(
            Dynamics365Enricher::from_config(&cfg).unwrap().unwrap(),
        ))
        .clock(Arc::new(ManualClock::new(f.expect.now)))
        .build();
    let out = relay
        .ingest(Platform::Dynamics365, &f.request, Route::default())
        .await
        .unwrap();
    assert_eq!((out.report.applied, out.report.pending), (0, 1));
    assert_eq!(out.reply.status.as_u16(), 200);
    let key = InvoiceKey::new(Platform::Dynamics365, FIXTURE_ORG, PAID);
    let report = relay.enrich_once(10).await.unwrap();
    assert_eq!(
        (report.resolved, report.retried, report.rejected),
        (1, 0, 0)
    );
    let state = journal.load(&key).await.unwrap().unwrap().state;
    assert_eq!(state.lifecycle, Lifecycle::Paid);
    assert_eq!(state.total.to_string(), "1250.50");
    assert!(state.balance.is_zero());
    assert!(journal.verify_chain().await.is_ok());
    // A second delivery of the same post is a duplicate: nothing new to fetch.
    let again = relay
        .ingest(Platform::Dynamics365, &f.request, Route::default())
        .await
        .unwrap();
    assert_eq!((again.report.applied, again.report.pending), (0, 0));
}
