//! A loopback customer portal that flaps.
//!
//! It speaks HTTP/1.1 on a raw TCP socket (one request per connection), so it can do what
//! a real outage does: reset the connection, hang past the relay's timeout, answer 503
//! with `Retry-After`, or answer slowly. It verifies every request's Standard Webhooks
//! signature, applies each update id once (later copies get 409), and records what it
//! applied, so a test can check nothing was lost, nothing applied twice under another id,
//! and the per-invoice order.

use std::collections::{BTreeMap, HashMap};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use invoice_core::Secret;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// The portal signing secret the tests configure.
pub const PORTAL_SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

/// What the portal does to one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Fault {
    /// Reads the request and resets the connection (RST), answering nothing.
    Reset,
    /// Reads the request and hangs past the relay's delivery timeout, then closes.
    Hang,
    /// 503 with `Retry-After: 1`.
    Unavailable,
    /// Applies the update but answers only after the relay's timeout (the relay retries
    /// an update the portal already has).
    AppliedThenHang,
    /// Answers 200 after a pause shorter than the relay's timeout.
    Slow,
}

/// One update the portal applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Applied {
    /// CloudEvent id.
    pub id: String,
    /// Canonical invoice id.
    pub subject: String,
    /// Per-invoice sequence.
    pub sequence: u64,
    /// The platform event that caused it.
    pub platform_event_id: String,
    /// Portal status word.
    pub status: String,
}

#[derive(Debug, Default)]
struct State {
    applied: Vec<Applied>,
    ids: HashMap<String, usize>,
    /// Deliveries of an id it already had (answered 409).
    redelivered: u64,
    bad_signatures: u64,
    faults: BTreeMap<Fault, u64>,
    /// Percent of requests that get a fault while flapping.
    fault_percent: u32,
    rng: u64,
    requests: u64,
}

/// The flapping portal.
#[derive(Clone)]
pub struct FlakyPortal {
    state: Arc<Mutex<State>>,
    /// Where it listens.
    pub addr: SocketAddr,
    hang: Duration,
}

impl FlakyPortal {
    /// Starts on 127.0.0.1:0. `hang` must exceed the relay's delivery timeout.
    pub async fn start(seed: u64, hang: Duration) -> FlakyPortal {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind portal");
        let addr = listener.local_addr().expect("portal address");
        let state = Arc::new(Mutex::new(State {
            rng: seed | 1,
            ..State::default()
        }));
        let portal = FlakyPortal { state, addr, hang };
        let p = portal.clone();
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let p = p.clone();
                tokio::spawn(async move { p.serve(stream).await });
            }
        });
        portal
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The events URL.
    pub fn url(&self) -> String {
        format!("http://{}/invoice-events", self.addr)
    }

    /// Sets the share of requests that get a fault (0 = healthy).
    pub fn flap(&self, percent: u32) {
        self.lock().fault_percent = percent.min(100);
    }

    /// Updates applied, in order.
    pub fn applied(&self) -> Vec<Applied> {
        self.lock().applied.clone()
    }

    /// Faults injected so far, by kind.
    pub fn faults(&self) -> BTreeMap<Fault, u64> {
        self.lock().faults.clone()
    }

    /// Requests seen, re-deliveries of known ids, requests with a bad signature.
    pub fn counts(&self) -> (u64, u64, u64) {
        let g = self.lock();
        (g.requests, g.redelivered, g.bad_signatures)
    }

    /// Waits until `pred` holds on the applied updates, polling, for at most `limit`.
    pub async fn wait_for(&self, limit: Duration, pred: impl Fn(&[Applied]) -> bool) -> bool {
        let end = tokio::time::Instant::now() + limit;
        loop {
            if pred(&self.applied()) {
                return true;
            }
            if tokio::time::Instant::now() >= end {
                return false;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    fn draw_fault(&self) -> Option<Fault> {
        let mut g = self.lock();
        g.requests += 1;
        // xorshift64: deterministic per seed, no dependency.
        let mut x = g.rng;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        g.rng = x;
        if (x % 100) as u32 >= g.fault_percent {
            return None;
        }
        let fault = match (x >> 32) % 5 {
            0 => Fault::Reset,
            1 => Fault::Hang,
            2 => Fault::Unavailable,
            3 => Fault::AppliedThenHang,
            _ => Fault::Slow,
        };
        *g.faults.entry(fault).or_insert(0) += 1;
        Some(fault)
    }

    async fn serve(&self, mut stream: TcpStream) {
        let Some((headers, body)) = read_request(&mut stream).await else {
            return;
        };
        let fault = self.draw_fault();
        match fault {
            Some(Fault::Reset) => {
                // A zero linger makes the close a reset (RST); with zero it never blocks,
                // which is what the deprecation warns about.
                #[allow(deprecated)]
                let _ = stream.set_linger(Some(Duration::ZERO));
                drop(stream);
                return;
            }
            Some(Fault::Hang) => {
                tokio::time::sleep(self.hang).await;
                return;
            }
            Some(Fault::Unavailable) => {
                respond(&mut stream, "503 Service Unavailable", "Retry-After: 1\r\n").await;
                return;
            }
            Some(Fault::Slow) => tokio::time::sleep(self.hang / 4).await,
            Some(Fault::AppliedThenHang) | None => {}
        }
        let status = self.apply(&headers, &body);
        if fault == Some(Fault::AppliedThenHang) {
            tokio::time::sleep(self.hang).await;
            return;
        }
        respond(&mut stream, status, "").await;
    }

    fn apply(&self, headers: &http::HeaderMap, body: &[u8]) -> &'static str {
        let verifier = match portal_client::verify::Verifier::new(&[Secret::new(PORTAL_SECRET)]) {
            Ok(v) => v,
            Err(_) => return "500 Internal Server Error",
        };
        let mut g = self.lock();
        if verifier.verify(headers, body, chrono::Utc::now()).is_err() {
            g.bad_signatures += 1;
            return "401 Unauthorized";
        }
        let Ok(v) = serde_json::from_slice::<serde_json::Value>(body) else {
            return "400 Bad Request";
        };
        let id = v["id"].as_str().unwrap_or_default().to_owned();
        if g.ids.contains_key(&id) {
            g.redelivered += 1;
            return "409 Conflict";
        }
        let n = g.applied.len();
        g.ids.insert(id.clone(), n);
        g.applied.push(Applied {
            id,
            subject: v["subject"].as_str().unwrap_or_default().to_owned(),
            sequence: v["data"]["sequence"].as_u64().unwrap_or_default(),
            platform_event_id: v["data"]["event"]["platform_event_id"]
                .as_str()
                .unwrap_or_default()
                .to_owned(),
            status: v["data"]["invoice"]["status"]
                .as_str()
                .unwrap_or_default()
                .to_owned(),
        });
        "200 OK"
    }
}

async fn respond(stream: &mut TcpStream, status: &str, extra: &str) {
    let text =
        format!("HTTP/1.1 {status}\r\n{extra}content-length: 0\r\nconnection: close\r\n\r\n");
    let _ = stream.write_all(text.as_bytes()).await;
    let _ = stream.shutdown().await;
}

/// Reads one request: headers and a `content-length` body (at most 4 MiB).
async fn read_request(stream: &mut TcpStream) -> Option<(http::HeaderMap, Vec<u8>)> {
    let mut buf = Vec::with_capacity(8192);
    let mut chunk = [0u8; 8192];
    let head_end = loop {
        let n = tokio::time::timeout(Duration::from_secs(30), stream.read(&mut chunk))
            .await
            .ok()?
            .ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
        if buf.len() > 64 * 1024 {
            return None;
        }
    };
    let head = std::str::from_utf8(&buf[..head_end]).ok()?;
    let mut headers = http::HeaderMap::new();
    for line in head.split("\r\n").skip(1).filter(|l| !l.is_empty()) {
        let (name, value) = line.split_once(':')?;
        let name = http::HeaderName::from_bytes(name.trim().as_bytes()).ok()?;
        let value = http::HeaderValue::from_str(value.trim()).ok()?;
        headers.append(name, value);
    }
    let len: usize = headers
        .get(http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    if len > 4 * 1024 * 1024 {
        return None;
    }
    let mut body = buf[head_end..].to_vec();
    while body.len() < len {
        let n = tokio::time::timeout(Duration::from_secs(30), stream.read(&mut chunk))
            .await
            .ok()?
            .ok()?;
        if n == 0 {
            return None;
        }
        body.extend_from_slice(&chunk[..n]);
    }
    body.truncate(len);
    Some((headers, body))
}
