//! A loopback stand-in for the Xero Accounting API and Xero's token endpoint, serving the
//! fixtures in `fixtures/api/`.

#![allow(dead_code)]
#![allow(clippy::unwrap_used)]

use std::collections::{HashMap, VecDeque};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use invoice_connector_xero::XeroConfig;
use invoice_core::Secret;

/// The token the API accepts after a refresh (from `token_refresh.json`).
pub const REFRESHED: &str = "eyJfixture.xero-refreshed-access-token.sig";
/// The rotated refresh token in `token_refresh.json`.
pub const ROTATED_REFRESH: &str = "xero-rotated-refresh-token-fixture";
/// Tenants and invoices of the fixtures.
pub const T1: &str = "aef86862-2015-4b6b-88bc-d89032cecc50";
pub const INV42: &str = "a03ffcd2-5d91-4c7e-b483-318584e9e439";
pub const INV43: &str = "4f1c2b3a-7d8e-4a9b-b0c1-d2e3f4a5b6c7";

/// One canned answer.
#[derive(Clone)]
pub struct Canned {
    pub status: u16,
    pub headers: Vec<(&'static str, String)>,
    pub body: String,
}

impl Canned {
    pub fn ok(fixture: &str) -> Self {
        Canned::status(200, fixture)
    }
    pub fn status(status: u16, fixture: &str) -> Self {
        Canned {
            status,
            headers: Vec::new(),
            body: api_fixture(fixture),
        }
    }
    pub fn header(mut self, name: &'static str, value: &str) -> Self {
        self.headers.push((name, value.to_owned()));
        self
    }
}

/// One API request as the mock saw it.
#[derive(Clone, Debug)]
pub struct Call {
    pub path: String,
    pub authorization: String,
    pub tenant: String,
    pub accept: String,
}

/// What the mock saw and will answer.
#[derive(Default)]
pub struct Mock {
    /// Invoice or credit note id -> answers; the last one repeats.
    pub answers: Mutex<HashMap<String, VecDeque<Canned>>>,
    /// Bearer tokens the API accepts (others get 401).
    pub valid_tokens: Mutex<Vec<String>>,
    pub api_calls: Mutex<Vec<Call>>,
    /// (authorization, form body) of each token request.
    pub token_calls: Mutex<Vec<(String, String)>>,
    /// What the token endpoint answers (default: `token_refresh.json`).
    pub token_answer: Mutex<Option<Canned>>,
}

impl Mock {
    pub fn answer(&self, id: &str, canned: Canned) {
        self.answers
            .lock()
            .unwrap()
            .entry(id.to_owned())
            .or_default()
            .push_back(canned);
    }
    pub fn replace(&self, id: &str, canned: Canned) {
        self.answers
            .lock()
            .unwrap()
            .insert(id.to_owned(), VecDeque::from([canned]));
    }
    pub fn accept_token(&self, token: &str) {
        self.valid_tokens.lock().unwrap().push(token.to_owned());
    }
    pub fn api_call_count(&self) -> usize {
        self.api_calls.lock().unwrap().len()
    }
    pub fn token_call_count(&self) -> usize {
        self.token_calls.lock().unwrap().len()
    }
}

pub fn api_fixture(name: &str) -> String {
    let path = format!("{}/fixtures/api/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn respond(c: Canned) -> Response {
    let mut r = (
        StatusCode::from_u16(c.status).unwrap(),
        [("content-type", "application/json; charset=utf-8")],
        c.body,
    )
        .into_response();
    for (k, v) in c.headers {
        r.headers_mut().insert(k, v.parse().unwrap());
    }
    r
}

fn header(headers: &HeaderMap, name: &str) -> String {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

async fn invoice(
    State(mock): State<Arc<Mock>>,
    uri: axum::http::Uri,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    let call = Call {
        path: uri.path().to_owned(),
        authorization: header(&headers, "authorization"),
        tenant: header(&headers, "xero-tenant-id"),
        accept: header(&headers, "accept"),
    };
    mock.api_calls.lock().unwrap().push(call.clone());
    let token_ok = mock
        .valid_tokens
        .lock()
        .unwrap()
        .iter()
        .any(|t| call.authorization == format!("Bearer {t}"));
    if !token_ok {
        return respond(Canned::status(401, "error_401_unauthorized.json"));
    }
    let canned = {
        let mut answers = mock.answers.lock().unwrap();
        match answers.get_mut(&id) {
            Some(q) if q.len() > 1 => q.pop_front(),
            Some(q) => q.front().cloned(),
            None => None,
        }
    };
    respond(canned.unwrap_or_else(|| Canned::status(404, "error_404_not_found.json")))
}

async fn token(State(mock): State<Arc<Mock>>, headers: HeaderMap, body: Bytes) -> Response {
    mock.token_calls.lock().unwrap().push((
        header(&headers, "authorization"),
        String::from_utf8_lossy(&body).into_owned(),
    ));
    let answer = mock.token_answer.lock().unwrap().clone();
    match answer {
        Some(c) => respond(c),
        None => {
            mock.accept_token(REFRESHED);
            respond(Canned::ok("token_refresh.json"))
        }
    }
}

/// Starts the mock on 127.0.0.1, port 0.
pub async fn start() -> (SocketAddr, Arc<Mock>) {
    let mock = Arc::new(Mock::default());
    let app = Router::new()
        .route("/api.xro/2.0/Invoices/{id}", get(invoice))
        .route("/api.xro/2.0/CreditNotes/{id}", get(invoice))
        .route("/connect/token", post(token))
        .with_state(mock.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (addr, mock)
}

/// A config pointing at the mock, starting with `access` and able to refresh.
pub fn config(addr: SocketAddr, access: &str) -> XeroConfig {
    let mut c = XeroConfig::with_secret(invoice_connector_xero::testing::FIXTURE_SECRET);
    c.api_base = format!("http://{addr}");
    c.token_url = format!("http://{addr}/connect/token");
    c.access_token = Some(Secret::new(access));
    c.client_id = Some("0A1B2C3D4E5F60718293A4B5C6D7E8F9".into());
    c.client_secret = Some(Secret::new("fixture-xero-client-secret"));
    c.refresh_token = Some(Secret::new("xero-fixture-refresh-token"));
    c
}

/// A signed webhook request with `body`, as Xero sends it.
pub fn webhook(body: &str) -> invoice_core::WebhookRequest {
    let mut req = http::Request::builder()
        .method("POST")
        .uri("/webhooks/xero")
        .header("content-type", "application/json; charset=utf-8")
        .body(bytes::Bytes::from(body.to_owned()))
        .unwrap();
    invoice_connector_xero::testing::sign(
        &mut req,
        &Secret::new(invoice_connector_xero::testing::FIXTURE_SECRET),
        chrono::Utc::now(),
    );
    req
}

/// An invoice event body whose `resourceUrl` points at `base`.
pub fn invoice_event(base: &str, id: &str, kind: &str, at: &str) -> String {
    format!(
        r#"{{"events":[{{"resourceUrl":"{base}/api.xro/2.0/Invoices/{id}","resourceId":"{id}","eventDateUtc":"{at}","eventType":"{kind}","eventCategory":"INVOICE","tenantId":"{T1}","tenantType":"ORGANISATION"}}],"firstEventSequence":5001,"lastEventSequence":5001,"entropy":"TESTENTROPYABCDEFGHI"}}"#
    )
}
