//! `oauth::get_with_refresh` against a loopback API and token endpoint.

#![allow(clippy::unwrap_used)]

use std::sync::{Arc, Mutex};

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::{get, post};
use axum::Router;
use invoice_connector_support::oauth::{
    get_with_refresh, provider, ClientAuth, Exchange, StaticToken, TokenConfig, TokenProvider,
};
use invoice_core::{EnrichError, Secret};

#[derive(Default)]
struct Api {
    /// The bearer token the API accepts; `None`: none.
    accepted: Option<&'static str>,
    /// (authorization, x-tenant) per API call.
    calls: Mutex<Vec<(String, String)>>,
    token_calls: Mutex<usize>,
}

fn header(h: &HeaderMap, name: &str) -> String {
    h.get(name)
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default()
}

async fn api(State(api): State<Arc<Api>>, headers: HeaderMap) -> (StatusCode, &'static str) {
    let auth = header(&headers, "authorization");
    api.calls
        .lock()
        .unwrap()
        .push((auth.clone(), header(&headers, "x-tenant")));
    match api.accepted {
        Some(t) if auth == format!("Bearer {t}") => (StatusCode::OK, "{}"),
        _ => (StatusCode::UNAUTHORIZED, "{}"),
    }
}

async fn token(State(api): State<Arc<Api>>) -> &'static str {
    *api.token_calls.lock().unwrap() += 1;
    r#"{"access_token":"fresh"}"#
}

async fn serve(accepted: Option<&'static str>) -> (String, Arc<Api>) {
    let state = Arc::new(Api {
        accepted,
        ..Api::default()
    });
    let app = Router::new()
        .route("/api", get(api))
        .route("/token", post(token))
        .with_state(state.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (format!("http://{addr}"), state)
}

fn refreshing(base: &str) -> Box<dyn TokenProvider> {
    let config = TokenConfig {
        access_token: Some(Secret::from("stale")),
        client_id: Some("c".into()),
        client_secret: Some(Secret::from("s")),
        refresh_token: Some(Secret::from("r")),
        token_url: format!("{base}/token"),
    };
    provider(
        config,
        Exchange::new(ClientAuth::Basic),
        reqwest::Client::new(),
        "sources.x",
    )
    .unwrap()
}

#[tokio::test]
async fn a_401_is_retried_once_with_a_fresh_token_and_headers_are_sent_each_time() {
    let (base, api) = serve(Some("fresh")).await;
    let tokens = refreshing(&base);
    let http = reqwest::Client::new();
    let url = format!("{base}/api");
    let resp = get_with_refresh(&http, tokens.as_ref(), &url, &[("x-tenant", "t1")], "x api")
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let calls = api.calls.lock().unwrap().clone();
    assert_eq!(
        calls,
        [
            ("Bearer stale".to_owned(), "t1".to_owned()),
            ("Bearer fresh".to_owned(), "t1".to_owned())
        ]
    );
    assert_eq!(*api.token_calls.lock().unwrap(), 1);
}

#[tokio::test]
async fn a_second_401_is_returned_not_retried_again() {
    let (base, api) = serve(None).await;
    let tokens = refreshing(&base);
    let http = reqwest::Client::new();
    let resp = get_with_refresh(&http, tokens.as_ref(), &format!("{base}/api"), &[], "x api")
        .await
        .unwrap();
    assert_eq!(resp.status(), 401);
    assert_eq!(api.calls.lock().unwrap().len(), 2);
    assert_eq!(*api.token_calls.lock().unwrap(), 1);
}

#[tokio::test]
async fn a_token_that_cannot_be_refreshed_is_the_providers_error() {
    let (base, api) = serve(None).await;
    let tokens = StaticToken(Secret::from("fixed"));
    let http = reqwest::Client::new();
    let err = get_with_refresh(&http, &tokens, &format!("{base}/api"), &[], "x api").await;
    assert!(matches!(
        err,
        Err(EnrichError::Transient {
            retry_after_secs: Some(3600),
            ..
        })
    ));
    assert_eq!(api.calls.lock().unwrap().len(), 1);
}
