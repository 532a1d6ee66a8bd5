//! A loopback stand-in for the QuickBooks Online Accounting API and Intuit's token
//! endpoint, serving the fixtures in `fixtures/api/`.

#![allow(dead_code)]
#![allow(clippy::unwrap_used)]

use std::collections::{HashMap, VecDeque};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use invoice_connector_quickbooks_online::QboConfig;
use invoice_core::Secret;

/// The token the API accepts after a refresh (from `token_refresh.json`).
pub const REFRESHED: &str = "eyJfixture.refreshed-access-token.sig";
/// The rotated refresh token in `token_refresh.json`.
pub const ROTATED_REFRESH: &str = "AB11779920000rotatedRefreshTokenFixture";

/// One canned answer.
#[derive(Clone)]
pub struct Canned {
    pub status: u16,
    pub headers: Vec<(&'static str, String)>,
    pub body: String,
}

impl Canned {
    pub fn ok(fixture: &str) -> Self {
        Canned {
            status: 200,
            headers: Vec::new(),
            body: api_fixture(fixture),
        }
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

/// What the mock saw and will answer.
#[derive(Default)]
pub struct Mock {
    /// `entity/id` -> answers; the last one repeats.
    pub answers: Mutex<HashMap<String, VecDeque<Canned>>>,
    /// The bearer tokens the API accepts (others get 401 with an authentication fault).
    pub valid_tokens: Mutex<Vec<String>>,
    /// (path, query, authorization, accept) of each API request.
    pub api_calls: Mutex<Vec<(String, String, String, String)>>,
    /// (authorization, form body) of each token request.
    pub token_calls: Mutex<Vec<(String, String)>>,
    /// What the token endpoint answers (default: `token_refresh.json`).
    pub token_answer: Mutex<Option<Canned>>,
}

impl Mock {
    pub fn answer(&self, key: &str, canned: Canned) {
        self.answers
            .lock()
            .unwrap()
            .entry(key.to_owned())
            .or_default()
            .push_back(canned);
    }
    pub fn replace(&self, key: &str, canned: Canned) {
        let mut a = self.answers.lock().unwrap();
        a.insert(key.to_owned(), VecDeque::from([canned]));
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
        [("content-type", "application/json;charset=UTF-8")],
        c.body,
    )
        .into_response();
    for (k, v) in c.headers {
        r.headers_mut().insert(k, v.parse().unwrap());
    }
    r
}

async fn api(
    State(mock): State<Arc<Mock>>,
    Path((realm, entity, id)): Path<(String, String, String)>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    let auth = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let accept = headers
        .get("accept")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    mock.api_calls.lock().unwrap().push((
        format!("/v3/company/{realm}/{entity}/{id}"),
        query.unwrap_or_default(),
        auth.clone(),
        accept,
    ));
    let token_ok = mock
        .valid_tokens
        .lock()
        .unwrap()
        .iter()
        .any(|t| auth == format!("Bearer {t}"));
    if !token_ok {
        return respond(Canned::status(401, "fault_authentication.json"));
    }
    let key = format!("{entity}/{id}");
    let canned = {
        let mut answers = mock.answers.lock().unwrap();
        match answers.get_mut(&key) {
            Some(q) if q.len() > 1 => q.pop_front(),
            Some(q) => q.front().cloned(),
            None => None,
        }
    };
    respond(canned.unwrap_or_else(|| Canned::status(400, "fault_object_not_found.json")))
}

async fn token(State(mock): State<Arc<Mock>>, headers: HeaderMap, body: Bytes) -> Response {
    let auth = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    mock.token_calls
        .lock()
        .unwrap()
        .push((auth, String::from_utf8_lossy(&body).into_owned()));
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
        .route("/v3/company/{realm}/{entity}/{id}", get(api))
        .route("/oauth2/v1/tokens/bearer", post(token))
        .with_state(mock.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (addr, mock)
}

/// A config pointing at the mock, starting with `access` and able to refresh.
pub fn config(addr: SocketAddr, access: &str) -> QboConfig {
    let mut c =
        QboConfig::with_secret(invoice_connector_quickbooks_online::testing::FIXTURE_SECRET);
    c.api_base = format!("http://{addr}");
    c.token_url = format!("http://{addr}/oauth2/v1/tokens/bearer");
    c.access_token = Some(Secret::new(access));
    c.client_id = Some("ABfixtureClientId".into());
    c.client_secret = Some(Secret::new("fixture-client-secret"));
    c.refresh_token = Some(Secret::new("AB11fixtureRefreshToken"));
    c
}

/// A signed webhook request with `body`, as Intuit sends it.
pub fn webhook(body: &str) -> invoice_core::WebhookRequest {
    let mut req = http::Request::builder()
        .method("POST")
        .uri("/webhooks/quickbooks-online")
        .header("content-type", "application/json; charset=utf-8")
        .header("user-agent", "intuit_notification_server/1.0")
        .body(bytes::Bytes::from(body.to_owned()))
        .unwrap();
    invoice_connector_quickbooks_online::testing::sign(
        &mut req,
        &Secret::new(invoice_connector_quickbooks_online::testing::FIXTURE_SECRET),
        chrono::Utc::now(),
    );
    req
}
