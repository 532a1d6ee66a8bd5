//! Test harness: the real binary as a child process, a loopback portal recorder that
//! verifies signatures, and a Stripe request signer.
#![allow(dead_code)]

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use bytes::Bytes;
use invoice_core::Secret;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

/// The portal signing secret every test uses.
pub const PORTAL_SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
/// The Stripe endpoint secret every test uses.
pub const STRIPE_SECRET: &str = "whsec_integration_test_stripe_secret";

/// One update the recorder accepted.
#[derive(Debug, Clone)]
pub struct Delivered {
    /// CloudEvent id.
    pub id: String,
    /// Canonical invoice id.
    pub subject: String,
    /// `invoice.<kind>`.
    pub event_type: String,
    /// Portal status word.
    pub status: String,
    /// Sequence.
    pub sequence: u64,
}

#[derive(Debug, Default)]
struct RecState {
    delivered: Vec<Delivered>,
    /// Answer 503 to this many requests first.
    fail_next: usize,
    /// Answer 400 (permanent) for these subjects.
    refuse_subjects: Vec<String>,
    bad_signatures: usize,
}

/// A loopback portal that verifies Standard Webhooks signatures and records updates.
#[derive(Clone)]
pub struct Recorder {
    state: Arc<Mutex<RecState>>,
    /// Where it listens.
    pub addr: SocketAddr,
}

impl Recorder {
    /// Starts on 127.0.0.1:0.
    pub async fn start() -> Recorder {
        let state = Arc::new(Mutex::new(RecState::default()));
        let app = axum::Router::new()
            .route("/invoice-events", post(receive))
            .with_state(state.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Recorder { state, addr }
    }

    /// The events URL.
    pub fn url(&self) -> String {
        format!("http://{}/invoice-events", self.addr)
    }

    /// Answers 503 to the next `n` requests.
    pub fn fail_next(&self, n: usize) {
        self.state.lock().unwrap().fail_next = n;
    }

    /// Answers 400 for updates of `subject` (or stops doing so with `false`).
    pub fn refuse(&self, subject: &str, on: bool) {
        let mut g = self.state.lock().unwrap();
        g.refuse_subjects.retain(|s| s != subject);
        if on {
            g.refuse_subjects.push(subject.to_owned());
        }
    }

    /// Everything accepted so far.
    pub fn delivered(&self) -> Vec<Delivered> {
        self.state.lock().unwrap().delivered.clone()
    }

    /// Requests refused for a bad signature.
    pub fn bad_signatures(&self) -> usize {
        self.state.lock().unwrap().bad_signatures
    }

    /// Waits until `pred` holds on the deliveries (polling; panics after a generous limit).
    pub async fn wait_for(
        &self,
        what: &str,
        pred: impl Fn(&[Delivered]) -> bool,
    ) -> Vec<Delivered> {
        for _ in 0..600 {
            let d = self.delivered();
            if pred(&d) {
                return d;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("portal never saw {what}; got {:#?}", self.delivered());
    }
}

async fn receive(
    State(state): State<Arc<Mutex<RecState>>>,
    headers: HeaderMap,
    body: Bytes,
) -> StatusCode {
    let verifier = portal_client::verify::Verifier::new(&[Secret::new(PORTAL_SECRET)]).unwrap();
    if verifier
        .verify(&headers, &body, chrono::Utc::now())
        .is_err()
    {
        state.lock().unwrap().bad_signatures += 1;
        return StatusCode::UNAUTHORIZED;
    }
    let v: serde_json::Value = match serde_json::from_slice(&body) {
        Ok(v) => v,
        Err(_) => return StatusCode::BAD_REQUEST,
    };
    let mut g = state.lock().unwrap();
    if g.fail_next > 0 {
        g.fail_next -= 1;
        return StatusCode::SERVICE_UNAVAILABLE;
    }
    let subject = v["subject"].as_str().unwrap_or_default().to_owned();
    if g.refuse_subjects.contains(&subject) {
        return StatusCode::BAD_REQUEST;
    }
    let id = v["id"].as_str().unwrap_or_default().to_owned();
    if g.delivered.iter().any(|d| d.id == id) {
        return StatusCode::CONFLICT;
    }
    g.delivered.push(Delivered {
        id,
        subject,
        event_type: v["type"].as_str().unwrap_or_default().to_owned(),
        status: v["data"]["invoice"]["status"]
            .as_str()
            .unwrap_or_default()
            .to_owned(),
        sequence: v["data"]["sequence"].as_u64().unwrap_or_default(),
    });
    StatusCode::OK
}

/// A relay configuration for tests (delivery retries fast).
pub fn config(dir: &Path, portal_url: &str, max_body: usize) -> String {
    format!(
        r#"[server]
listen = "127.0.0.1:0"
max_body_bytes = {max_body}
shutdown_timeout = "20s"

[store]
kind = "sqlite"
path = "{db}"

[portal]
url = "{portal_url}"
secret = "{PORTAL_SECRET}"

[delivery]
max_attempts = 50
first_backoff = "50ms"
max_backoff = "200ms"
timeout = "5s"
poll_interval = "50ms"

[sources.stripe]
secrets = ["env:TEST_STRIPE_SECRET"]
"#,
        db = dir.join("relay.db").display()
    )
}

/// The binary, running `serve`.
pub struct RelayProcess {
    child: Child,
    _stdout: tokio::process::ChildStdout,
    /// Its address.
    pub addr: SocketAddr,
    /// Its stderr log file.
    pub log: PathBuf,
}

/// The binary's path.
pub fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_invoice-relay")
}

/// A command for the binary with the test environment.
pub fn command(config: &Path) -> Command {
    let mut c = Command::new(bin());
    c.arg("--config")
        .arg(config)
        .env("TEST_STRIPE_SECRET", STRIPE_SECRET)
        .env(
            "TEST_ODOO_TOKEN",
            std::env::var("TEST_ODOO_TOKEN").unwrap_or_default(),
        )
        .env("INVOICE_RELAY_LOG", "info")
        .kill_on_drop(true);
    c
}

impl RelayProcess {
    /// Starts `serve` and waits for its "listening" line.
    pub async fn start(config: &Path, log: PathBuf) -> RelayProcess {
        let err = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&log)
            .unwrap();
        let mut child = command(config)
            .arg("serve")
            .stdout(Stdio::piped())
            .stderr(Stdio::from(err))
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let mut lines = BufReader::new(stdout);
        let mut line = String::new();
        let n = tokio::time::timeout(Duration::from_secs(60), lines.read_line(&mut line))
            .await
            .expect("relay did not start")
            .unwrap();
        assert!(
            n > 0,
            "relay exited: {}",
            std::fs::read_to_string(&log).unwrap_or_default()
        );
        let addr = line
            .trim()
            .rsplit("http://")
            .next()
            .unwrap()
            .parse()
            .unwrap_or_else(|_| panic!("bad start line {line:?}"));
        RelayProcess {
            child,
            _stdout: lines.into_inner(),
            addr,
            log,
        }
    }

    /// `http://addr`.
    pub fn base(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Sends SIGTERM.
    pub fn sigterm(&self) {
        let pid = self.child.id().expect("running");
        let ok = std::process::Command::new("kill")
            .arg("-TERM")
            .arg(pid.to_string())
            .status()
            .unwrap()
            .success();
        assert!(ok);
    }

    /// Waits for exit; returns the exit code.
    pub async fn wait(mut self) -> Option<i32> {
        tokio::time::timeout(Duration::from_secs(60), self.child.wait())
            .await
            .expect("relay did not exit")
            .unwrap()
            .code()
    }
}

/// A Stripe invoice event body, due in 30 days.
pub fn stripe_invoice_event(
    event_id: &str,
    event_type: &str,
    invoice_id: &str,
    total_cents: i64,
    paid_cents: i64,
    status: &str,
) -> String {
    let due = chrono::Utc::now().timestamp() + 30 * 86400;
    stripe_invoice_event_due(
        event_id,
        event_type,
        invoice_id,
        total_cents,
        paid_cents,
        status,
        due,
    )
}

/// A Stripe invoice event body with a due date (unix seconds).
pub fn stripe_invoice_event_due(
    event_id: &str,
    event_type: &str,
    invoice_id: &str,
    total_cents: i64,
    paid_cents: i64,
    status: &str,
    due: i64,
) -> String {
    let created = chrono::Utc::now().timestamp();
    serde_json::json!({
        "id": event_id,
        "object": "event",
        "api_version": "2025-09-30.clover",
        "created": created,
        "type": event_type,
        "livemode": false,
        "data": { "object": {
            "id": invoice_id,
            "object": "invoice",
            "number": format!("BRT-{}", invoice_id.trim_start_matches("in_")),
            "customer": "cus_aerotech",
            "customer_name": "Aerotech Components Inc.",
            "currency": "usd",
            "total": total_cents,
            "amount_paid": paid_cents,
            "amount_remaining": total_cents - paid_cents,
            "due_date": due,
            "status": status,
            "metadata": {}
        }}
    })
    .to_string()
}

/// `Stripe-Signature` for `body` signed now with `secret`.
pub fn stripe_signature(secret: &str, body: &str) -> String {
    let t = chrono::Utc::now().timestamp();
    let mac = invoice_core::verify::hmac_sha256(
        secret.as_bytes(),
        &[format!("{t}.").as_bytes(), body.as_bytes()],
    );
    format!("t={t},v1={}", hex::encode(mac))
}

/// Posts a signed Stripe webhook; returns status and body.
pub async fn post_stripe(
    client: &reqwest::Client,
    base: &str,
    secret: &str,
    body: String,
) -> (u16, String) {
    let sig = stripe_signature(secret, &body);
    let r = client
        .post(format!("{base}/webhooks/stripe"))
        .header("content-type", "application/json")
        .header("stripe-signature", sig)
        .body(body)
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    (status, r.text().await.unwrap_or_default())
}
