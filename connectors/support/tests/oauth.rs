//! The shared token provider against a loopback token endpoint: what it sends for each
//! [`Exchange`], caching, rotation, expiry, the one refresh after a 401, errors.

#![allow(clippy::unwrap_used)]

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use axum::Router;
use invoice_connector_support::oauth::{
    provider, ClientAuth, EndpointToken, Exchange, OAuthClient, TokenConfig, TokenProvider,
};
use invoice_core::registry::ConfigError;
use invoice_core::{EnrichError, Secret};

/// One request the endpoint saw: its `Authorization` header and form fields in order.
#[derive(Debug, Clone)]
struct Seen {
    authorization: Option<String>,
    form: Vec<(String, String)>,
}

#[derive(Default)]
struct Endpoint {
    answers: Mutex<VecDeque<(u16, String)>>,
    seen: Mutex<Vec<Seen>>,
}

async fn token(
    State(ep): State<Arc<Endpoint>>,
    headers: HeaderMap,
    body: Bytes,
) -> (StatusCode, String) {
    let form = url::form_urlencoded::parse(&body).into_owned().collect();
    let authorization = headers
        .get("authorization")
        .map(|v| v.to_str().unwrap().to_owned());
    ep.seen.lock().unwrap().push(Seen {
        authorization,
        form,
    });
    let (status, body) = ep
        .answers
        .lock()
        .unwrap()
        .pop_front()
        .unwrap_or((500, "{}".into()));
    (StatusCode::from_u16(status).unwrap(), body)
}

async fn serve(answers: Vec<(u16, &str)>) -> (String, Arc<Endpoint>) {
    let ep = Arc::new(Endpoint::default());
    *ep.answers.lock().unwrap() = answers.into_iter().map(|(s, b)| (s, b.into())).collect();
    let app = Router::new()
        .route("/token", post(token))
        .with_state(ep.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (format!("http://{addr}/token"), ep)
}

fn config(token_url: &str, refresh: Option<&str>, access: Option<&str>) -> TokenConfig {
    TokenConfig {
        access_token: access.map(Secret::from),
        client_id: Some("client-1".into()),
        client_secret: Some(Secret::from("s3cret")),
        refresh_token: refresh.map(Secret::from),
        token_url: token_url.into(),
    }
}

fn form(seen: &Seen) -> Vec<(&str, &str)> {
    seen.form
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect()
}

fn text(s: &Secret) -> &str {
    s.expose_str().unwrap()
}

#[tokio::test]
async fn basic_auth_refresh_rotates_and_refreshes_once_per_rejected_token() {
    let (url, ep) = serve(vec![
        (
            200,
            r#"{"access_token":"a1","refresh_token":"r2","expires_in":3600}"#,
        ),
        (200, r#"{"access_token":"a2"}"#),
    ])
    .await;
    let p = provider(
        config(&url, Some("r1"), None),
        Exchange::new(ClientAuth::Basic),
        reqwest::Client::new(),
        "sources.x",
    )
    .unwrap();
    assert_eq!(text(&p.token().await.unwrap()), "a1");
    assert_eq!(text(&p.token().await.unwrap()), "a1", "cached");
    // a 401 on a1: one exchange with the rotated refresh token
    assert_eq!(text(&p.refresh(&Secret::from("a1")).await.unwrap()), "a2");
    // a late 401 on a1 from another caller: the newer token, no exchange
    assert_eq!(text(&p.refresh(&Secret::from("a1")).await.unwrap()), "a2");
    let seen = ep.seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 2);
    // base64("client-1:s3cret")
    assert_eq!(
        seen[0].authorization.as_deref(),
        Some("Basic Y2xpZW50LTE6czNjcmV0")
    );
    assert_eq!(
        form(&seen[0]),
        [("grant_type", "refresh_token"), ("refresh_token", "r1")]
    );
    assert_eq!(
        form(&seen[1]),
        [("grant_type", "refresh_token"), ("refresh_token", "r2")]
    );
}

#[tokio::test]
async fn body_auth_sends_credentials_and_extra_params_in_the_form() {
    let (url, ep) = serve(vec![(200, r#"{"access_token":"a1"}"#)]).await;
    let p = provider(
        config(&url, Some("r1"), None),
        Exchange::new(ClientAuth::Body).with_param("redirect_uri", "https://relay.example/cb"),
        reqwest::Client::new(),
        "sources.x",
    )
    .unwrap();
    assert_eq!(text(&p.token().await.unwrap()), "a1");
    let seen = ep.seen.lock().unwrap().clone();
    assert_eq!(seen[0].authorization, None);
    assert_eq!(
        form(&seen[0]),
        [
            ("grant_type", "refresh_token"),
            ("client_id", "client-1"),
            ("client_secret", "s3cret"),
            ("redirect_uri", "https://relay.example/cb"),
            ("refresh_token", "r1"),
        ]
    );
}

#[tokio::test]
async fn expires_in_within_the_margin_exchanges_again_unless_until_rejected() {
    let answers = vec![
        (200, r#"{"access_token":"a1","expires_in":30}"#),
        (200, r#"{"access_token":"a2","expires_in":30}"#),
    ];
    let (url, _) = serve(answers.clone()).await;
    let honours = provider(
        config(&url, Some("r1"), None),
        Exchange::new(ClientAuth::Basic),
        reqwest::Client::new(),
        "sources.x",
    )
    .unwrap();
    assert_eq!(text(&honours.token().await.unwrap()), "a1");
    assert_eq!(text(&honours.token().await.unwrap()), "a2");

    let (url, ep) = serve(answers).await;
    let ignores = provider(
        config(&url, Some("r1"), None),
        Exchange::new(ClientAuth::Basic).until_rejected(),
        reqwest::Client::new(),
        "sources.x",
    )
    .unwrap();
    assert_eq!(text(&ignores.token().await.unwrap()), "a1");
    assert_eq!(text(&ignores.token().await.unwrap()), "a1");
    assert_eq!(ep.seen.lock().unwrap().len(), 1);
}

#[tokio::test]
async fn a_configured_access_token_is_used_until_rejected() {
    let (url, ep) = serve(vec![(200, r#"{"access_token":"a2"}"#)]).await;
    let p = provider(
        config(&url, Some("r1"), Some("a1")),
        Exchange::new(ClientAuth::Basic),
        reqwest::Client::new(),
        "sources.x",
    )
    .unwrap();
    assert_eq!(text(&p.token().await.unwrap()), "a1");
    assert!(ep.seen.lock().unwrap().is_empty());
    assert_eq!(text(&p.refresh(&Secret::from("a1")).await.unwrap()), "a2");
}

#[tokio::test]
async fn client_credentials_with_scope() {
    let (url, ep) = serve(vec![(200, r#"{"access_token":"c1"}"#)]).await;
    let client = OAuthClient {
        token_url: url::Url::parse(&url).unwrap(),
        client_id: "client-1".into(),
        client_secret: Secret::from("s3cret"),
    };
    let p = EndpointToken::client_credentials(
        reqwest::Client::new(),
        client,
        Exchange::new(ClientAuth::Body).with_scope("https://org.example/.default"),
    );
    assert_eq!(text(&p.token().await.unwrap()), "c1");
    let seen = ep.seen.lock().unwrap().clone();
    assert_eq!(
        form(&seen[0]),
        [
            ("grant_type", "client_credentials"),
            ("client_id", "client-1"),
            ("client_secret", "s3cret"),
            ("scope", "https://org.example/.default"),
        ]
    );
    let debug = format!("{p:?}");
    assert!(
        debug.contains("client-1") && !debug.contains("s3cret"),
        "{debug}"
    );
}

#[tokio::test]
async fn endpoint_errors_are_transient_with_the_oauth_error_code() {
    let (url, _) = serve(vec![
        (400, r#"{"error":"invalid_grant"}"#),
        (200, "not json"),
    ])
    .await;
    let p = provider(
        config(&url, Some("r1"), None),
        Exchange::new(ClientAuth::Basic),
        reqwest::Client::new(),
        "sources.x",
    )
    .unwrap();
    match p.token().await {
        Err(EnrichError::Transient { message, .. }) => {
            assert!(
                message.contains("400") && message.contains("invalid_grant"),
                "{message}"
            )
        }
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        p.token().await,
        Err(EnrichError::Transient { .. })
    ));
}

#[tokio::test]
async fn static_none_and_misconfigured() {
    let http = reqwest::Client::new();
    let exchange = Exchange::new(ClientAuth::Basic);
    let fixed = provider(
        config("http://127.0.0.1:9/token", None, Some("a1")),
        exchange.clone(),
        http.clone(),
        "sources.x",
    )
    .unwrap();
    assert_eq!(text(&fixed.token().await.unwrap()), "a1");
    assert!(matches!(
        fixed.refresh(&Secret::from("a1")).await,
        Err(EnrichError::Transient {
            retry_after_secs: Some(3600),
            ..
        })
    ));

    let none = provider(
        config("http://127.0.0.1:9/token", None, None),
        exchange.clone(),
        http.clone(),
        "sources.x",
    )
    .unwrap();
    match none.token().await {
        Err(EnrichError::Transient {
            message,
            retry_after_secs: Some(3600),
        }) => assert!(message.starts_with("sources.x:"), "{message}"),
        other => panic!("{other:?}"),
    }

    let mut no_secret = config("http://127.0.0.1:9/token", Some("r1"), None);
    no_secret.client_secret = None;
    assert!(matches!(
        provider(no_secret, exchange.clone(), http.clone(), "sources.x"),
        Err(ConfigError::Invalid(_))
    ));
    assert!(matches!(
        provider(
            config("not a url", Some("r1"), None),
            exchange,
            http,
            "sources.x"
        ),
        Err(ConfigError::Invalid(_))
    ));
}
