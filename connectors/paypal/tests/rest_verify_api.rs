//! `verification = "api"` against a loopback stand-in for PayPal's OAuth and
//! verify-webhook-signature endpoints.

#![allow(clippy::unwrap_used)] // tests unwrap on fixed inputs

mod common;

use std::sync::{Arc, Mutex};

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use axum::Router;
use base64::Engine;
use bytes::Bytes;
use invoice_connector_paypal::testing::FIXTURE_SECRET;
use invoice_connector_paypal::verify::{HEADER, TRANSMISSION_ID};
use invoice_connector_paypal::{PaypalConfig, PaypalSource, Verification};
use invoice_core::{ErrorKind, IngestContext, InvoiceSource, Secret};

const CLIENT_ID: &str = "AcFixtureClientId";
const CLIENT_SECRET: &str = "EFixtureClientSecret";

#[derive(Clone, Copy, PartialEq)]
enum Mode {
    Normal,
    RejectFirstToken,
    TooManyRequests,
}

#[derive(Default)]
struct Seen {
    tokens_issued: usize,
    verify_calls: usize,
    bodies: Vec<Bytes>,
}

#[derive(Clone)]
struct Api {
    seen: Arc<Mutex<Seen>>,
    mode: Mode,
    good_webhook_id: &'static str,
}

async fn token(State(api): State<Api>, headers: HeaderMap, body: Bytes) -> (StatusCode, String) {
    let expected = format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{CLIENT_ID}:{CLIENT_SECRET}"))
    );
    if headers.get("authorization").map(|v| v.as_bytes()) != Some(expected.as_bytes())
        || &body[..] != b"grant_type=client_credentials"
    {
        return (StatusCode::UNAUTHORIZED, String::new());
    }
    let mut seen = api.seen.lock().unwrap();
    seen.tokens_issued += 1;
    let mut v: serde_json::Value =
        serde_json::from_slice(&common::api_fixture("oauth2_token.json")).unwrap();
    let t = format!(
        "{}-{}",
        v["access_token"].as_str().unwrap(),
        seen.tokens_issued
    );
    v["access_token"] = serde_json::Value::String(t);
    (StatusCode::OK, v.to_string())
}

async fn verify(State(api): State<Api>, headers: HeaderMap, body: Bytes) -> (StatusCode, Vec<u8>) {
    let mut seen = api.seen.lock().unwrap();
    seen.verify_calls += 1;
    seen.bodies.push(body.clone());
    let auth = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if !auth.starts_with("Bearer A21AA") {
        return (StatusCode::UNAUTHORIZED, Vec::new());
    }
    if api.mode == Mode::RejectFirstToken && auth.ends_with("-1") {
        return (StatusCode::UNAUTHORIZED, Vec::new());
    }
    if api.mode == Mode::TooManyRequests {
        return (StatusCode::TOO_MANY_REQUESTS, Vec::new());
    }
    let v: serde_json::Value = serde_json::from_slice(&body).unwrap();
    let answer = if v["webhook_id"] == api.good_webhook_id {
        "verify_webhook_signature_success.json"
    } else {
        "verify_webhook_signature_failure.json"
    };
    (StatusCode::OK, common::api_fixture(answer))
}

async fn api(mode: Mode, good: &'static str) -> (String, Arc<Mutex<Seen>>) {
    let state = Api {
        seen: Arc::new(Mutex::new(Seen::default())),
        mode,
        good_webhook_id: good,
    };
    let seen = state.seen.clone();
    let app = Router::new()
        .route("/v1/oauth2/token", post(token))
        .route("/v1/notifications/verify-webhook-signature", post(verify))
        .with_state(state);
    let addr = common::serve(app).await;
    (format!("http://{addr}"), seen)
}

fn source(base: &str, webhook_ids: &[&str]) -> PaypalSource {
    let mut config = PaypalConfig::with_webhook_id(FIXTURE_SECRET);
    config.secrets = webhook_ids.iter().map(|s| Secret::new(*s)).collect();
    config.verification = Verification::Api;
    config.api_base = base.to_owned();
    config.client_id = Some(Secret::new(CLIENT_ID));
    config.client_secret = Some(Secret::new(CLIENT_SECRET));
    PaypalSource::new(config).unwrap()
}

#[tokio::test]
async fn success_and_the_event_is_sent_byte_for_byte() {
    let (base, seen) = api(Mode::Normal, FIXTURE_SECRET).await;
    let source = source(&base, &[FIXTURE_SECRET]);
    for prefix in ["01_", "07_"] {
        let f = common::fixture(prefix);
        let got = source
            .ingest(&f.request, &IngestContext::at(f.expect.now))
            .await
            .unwrap();
        assert_eq!(got.events.len(), 1, "{prefix}");
        let seen = seen.lock().unwrap();
        let sent = seen.bodies.last().unwrap();
        let mut tail = b"\"webhook_event\":".to_vec();
        tail.extend_from_slice(f.request.body());
        tail.push(b'}');
        assert!(
            sent.ends_with(&tail),
            "{prefix}: event not spliced verbatim"
        );
        let v: serde_json::Value = serde_json::from_slice(sent).unwrap();
        assert_eq!(v["webhook_id"], FIXTURE_SECRET);
        assert_eq!(v["auth_algo"], "SHA256withRSA");
        assert_eq!(
            v["transmission_id"],
            f.request.headers()[TRANSMISSION_ID].to_str().unwrap()
        );
        assert_eq!(
            v["transmission_sig"],
            f.request.headers()[HEADER].to_str().unwrap()
        );
    }
    let seen = seen.lock().unwrap();
    assert_eq!(seen.tokens_issued, 1, "the token is cached");
    assert_eq!(seen.verify_calls, 2);
}

#[tokio::test]
async fn failure_is_a_bad_signature() {
    let (base, _) = api(Mode::Normal, "SOMEOTHERWEBHOOK1").await;
    let source = source(&base, &[FIXTURE_SECRET]);
    let f = common::fixture("01_");
    let r = source
        .ingest(&f.request, &IngestContext::at(f.expect.now))
        .await;
    assert_eq!(r.unwrap_err().kind(), ErrorKind::BadSignature);
}

#[tokio::test]
async fn a_401_refreshes_the_token_once_and_retries() {
    let (base, seen) = api(Mode::RejectFirstToken, FIXTURE_SECRET).await;
    let source = source(&base, &[FIXTURE_SECRET]);
    let f = common::fixture("02_");
    let got = source
        .ingest(&f.request, &IngestContext::at(f.expect.now))
        .await;
    assert!(got.is_ok(), "{got:?}");
    let seen = seen.lock().unwrap();
    assert_eq!(seen.tokens_issued, 2);
    assert_eq!(seen.verify_calls, 2);
}

#[tokio::test]
async fn a_429_is_upstream_so_paypal_retries() {
    let (base, _) = api(Mode::TooManyRequests, FIXTURE_SECRET).await;
    let source = source(&base, &[FIXTURE_SECRET]);
    let f = common::fixture("01_");
    let r = source
        .ingest(&f.request, &IngestContext::at(f.expect.now))
        .await;
    let e = r.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Upstream);
    assert_eq!(e.kind().status().as_u16(), 503);
}

#[tokio::test]
async fn rotation_tries_each_webhook_id() {
    let (base, seen) = api(Mode::Normal, FIXTURE_SECRET).await;
    let source = source(&base, &["OLDWEBHOOKID00001", FIXTURE_SECRET]);
    let f = common::fixture("03_");
    assert!(source
        .ingest(&f.request, &IngestContext::at(f.expect.now))
        .await
        .is_ok());
    assert_eq!(seen.lock().unwrap().verify_calls, 2);
}

#[tokio::test]
async fn a_body_that_is_not_json_is_refused_without_a_call() {
    let (base, seen) = api(Mode::Normal, FIXTURE_SECRET).await;
    let source = source(&base, &[FIXTURE_SECRET]);
    let f = common::fixture("01_");
    let mut req = f.request.clone();
    let cut = req.body().slice(..req.body().len() - 1);
    *req.body_mut() = cut;
    let r = source.ingest(&req, &IngestContext::at(f.expect.now)).await;
    assert_eq!(r.unwrap_err().kind(), ErrorKind::BadSignature);
    assert_eq!(seen.lock().unwrap().verify_calls, 0);
}
