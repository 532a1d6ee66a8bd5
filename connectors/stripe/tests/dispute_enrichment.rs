//! Disputes through the relay: the webhook is acknowledged as a thin reference, then the
//! enricher asks a loopback stand-in of Stripe's API which invoice the charge paid.
#![allow(missing_docs, clippy::unwrap_used)]

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;
use invoice_connector_stripe::testing::FIXTURE_SECRET;
use invoice_connector_stripe::{StripeConfig, StripeEnricher, StripeSource};
use invoice_core::journal::{Journal, MemoryJournal};
use invoice_core::testing::fixture::load_dir;
use invoice_core::*;

#[derive(Default)]
struct Api {
    calls: AtomicU32,
}

async fn charge(
    State(api): State<Arc<Api>>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> impl IntoResponse {
    let n = api.calls.fetch_add(1, Ordering::SeqCst);
    if headers.get("authorization").and_then(|v| v.to_str().ok()) != Some("Bearer sk_test_relay") {
        return (StatusCode::UNAUTHORIZED, HeaderMap::new(), String::new());
    }
    if n == 0 {
        let mut h = HeaderMap::new();
        h.insert("retry-after", "7".parse().unwrap());
        return (StatusCode::TOO_MANY_REQUESTS, h, "{}".to_owned());
    }
    let body = format!(
        r#"{{"id":"{id}","object":"charge","invoice":"in_1QAero0042Bright","amount":425000}}"#
    );
    (StatusCode::OK, HeaderMap::new(), body)
}

#[tokio::test]
async fn dispute_is_linked_to_its_invoice_through_the_api() {
    let api = Arc::new(Api::default());
    let app = Router::new()
        .route("/v1/charges/{id}", get(charge))
        .with_state(api.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });

    let mut config = StripeConfig::with_secret(FIXTURE_SECRET);
    config.api_base = base;
    config.api_key = Some(Secret::new("sk_test_relay"));
    let fixtures = load_dir(&invoice_connector_stripe::testing::Harness::fixtures()).unwrap();
    let fixture = |name: &str| {
        fixtures
            .iter()
            .find(|f| f.name.starts_with(name))
            .unwrap()
            .clone()
    };
    let clock = Arc::new(ManualClock::new(fixture("01").expect.now));
    let journal = Arc::new(MemoryJournal::new());
    let relay = Relay::builder(journal.clone())
        .source(Arc::new(StripeSource::new(config.clone()).unwrap()))
        .enricher(Arc::new(StripeEnricher::from_config(&config).unwrap()))
        .clock(clock.clone())
        .build();
    for name in ["01", "03", "13"] {
        let f = fixture(name);
        clock.set(f.expect.now);
        relay
            .ingest(Platform::Stripe, &f.request, Route::default())
            .await
            .unwrap();
    }
    let key = InvoiceKey::new(Platform::Stripe, "default", "in_1QAero0042Bright");
    assert_eq!(
        journal
            .load(&key)
            .await
            .unwrap()
            .unwrap()
            .state
            .portal_status(),
        PortalStatus::Paid
    );

    let first = relay.enrich_once(10).await.unwrap();
    assert_eq!(first.retried, 1, "429 from the API is retried");
    clock.advance(chrono::Duration::seconds(8));
    let second = relay.enrich_once(10).await.unwrap();
    assert_eq!((second.resolved, second.applied.applied), (1, 1));
    let state = journal.load(&key).await.unwrap().unwrap().state;
    assert_eq!(state.portal_status(), PortalStatus::Disputed);

    let won = fixture("14");
    clock.set(won.expect.now);
    relay
        .ingest(Platform::Stripe, &won.request, Route::default())
        .await
        .unwrap();
    relay.enrich_once(10).await.unwrap();
    let state = journal.load(&key).await.unwrap().unwrap().state;
    assert_eq!(state.dispute, DisputeStatus::ResolvedWon);
    assert_eq!(state.portal_status(), PortalStatus::Paid);
    assert!(journal.verify_chain().await.is_ok());
}
