//! HTTP load generator for `scripts/bench-http.sh`, in its own process beside the relay.
//!
//! - `loadgen webhooks --url http://127.0.0.1:PORT --secret whsec_.. --requests N`:
//!   pre-signs N Stripe webhooks (the Stripe fixture's 4.8 KB `invoice` event; every
//!   invoice gets `invoice.finalized` then `invoice.paid`, each with its own event id,
//!   signed now, inside the 300 s window), then sends them over `--connections` (64)
//!   keep-alive HTTP/1.1 connections, each waiting for its reply before the next request
//!   (closed loop). Prints throughput, status counts and latency percentiles.
//! - `loadgen portal --expect N`: a minimal loopback portal that answers 200 to every
//!   POST and counts distinct update ids (the `webhook-id`, or each member's `id` in a
//!   `application/cloudevents-batch+json` batch); prints its URL, then the delivery rate once N
//!   distinct updates arrived (or after `--timeout` seconds).
//!
//! Both run on a single-threaded runtime so they take at most one core from the relay.

use std::collections::HashSet;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bytes::Bytes;
use clap::{Parser, Subcommand};
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use tokio::net::{TcpListener, TcpStream};

#[derive(Parser)]
#[command(about = "Invoice Relay HTTP load generator and loopback portal")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Signed Stripe webhooks into a relay.
    Webhooks {
        /// The relay's base URL (`http://127.0.0.1:PORT`).
        #[arg(long)]
        url: String,
        /// The relay's Stripe endpoint secret.
        #[arg(long)]
        secret: String,
        /// How many requests (each a distinct event).
        #[arg(long, default_value_t = 60_000)]
        requests: usize,
        /// Concurrent keep-alive connections.
        #[arg(long, default_value_t = 64)]
        connections: usize,
        /// Prefix of event and invoice ids (distinct per run against one database).
        #[arg(long, default_value = "run")]
        prefix: String,
    },
    /// A loopback portal that counts updates.
    Portal {
        /// Distinct updates to wait for (stops earlier once none came for `--idle-ms`
        /// after the first: stale webhooks of the run make no update).
        #[arg(long)]
        expect: usize,
        /// Stop when no update came for this long after the first one.
        #[arg(long, default_value_t = 3000)]
        idle_ms: u64,
        /// Give up after this many seconds.
        #[arg(long, default_value_t = 600)]
        timeout: u64,
    },
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let cli = Cli::parse();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    match cli.command {
        Command::Webhooks {
            url,
            secret,
            requests,
            connections,
            prefix,
        } => rt.block_on(webhooks(url, secret, requests, connections, prefix)),
        Command::Portal {
            expect,
            idle_ms,
            timeout,
        } => rt.block_on(portal(expect, idle_ms, timeout)),
    }
}

const TEMPLATE: &str = include_str!("../../../connectors/stripe/fixtures/03_invoice_paid_usd.http");

/// Request `i`: invoice `i / 2`, finalized (even) or paid (odd).
fn body(template: &str, prefix: &str, i: usize, created: i64) -> String {
    let invoice = format!("in_{prefix}_{:08}", i / 2);
    let event = format!("evt_{prefix}_{i:08}");
    let mut b = template
        .replace("evt_1QPaid0042Aero", &event)
        .replace("in_1QAero0042Bright", &invoice)
        .replace(
            "\"created\": 1773482400",
            &format!("\"created\": {created}"),
        );
    if i % 2 == 0 {
        b = b
            .replace(
                "\"type\": \"invoice.paid\"",
                "\"type\": \"invoice.finalized\"",
            )
            .replace("\"status\": \"paid\"", "\"status\": \"open\"")
            .replace("\"amount_paid\": 425000", "\"amount_paid\": 0")
            .replace("\"amount_remaining\": 0", "\"amount_remaining\": 425000");
    }
    b
}

fn sign(secret: &str, t: i64, body: &str) -> String {
    let mac = invoice_core::verify::hmac_sha256(
        secret.as_bytes(),
        &[t.to_string().as_bytes(), b".", body.as_bytes()],
    );
    format!("t={t},v1={}", hex::encode(mac))
}

struct Prepared {
    body: Bytes,
    signature: http::HeaderValue,
}

async fn webhooks(
    url: String,
    secret: String,
    requests: usize,
    connections: usize,
    prefix: String,
) -> Result<(), Box<dyn std::error::Error>> {
    let base: http::Uri = url.parse()?;
    let authority = base.authority().ok_or("url without host")?.clone();
    let addr: SocketAddr = authority.as_str().parse()?;
    let template = TEMPLATE
        .split_once("\r\n\r\n")
        .or_else(|| TEMPLATE.split_once("\n\n"))
        .map(|(_, b)| b)
        .ok_or("template has no body")?;

    let started = Instant::now();
    let now = chrono::Utc::now().timestamp();
    let prepared: Arc<Vec<Prepared>> = Arc::new(
        (0..requests)
            .map(|i| {
                let b = body(template, &prefix, i, now - requests as i64 + i as i64);
                let s = sign(&secret, now, &b);
                Prepared {
                    signature: http::HeaderValue::from_str(&s)
                        .unwrap_or(http::HeaderValue::from_static("")),
                    body: Bytes::from(b),
                }
            })
            .collect(),
    );
    eprintln!(
        "signed {requests} requests ({} B each on average) in {:.1}s",
        prepared.iter().map(|p| p.body.len()).sum::<usize>() / requests.max(1),
        started.elapsed().as_secs_f64()
    );

    let next = Arc::new(AtomicUsize::new(0));
    let begin = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..connections {
        let prepared = prepared.clone();
        let next = next.clone();
        let host = authority.to_string();
        tasks.push(tokio::spawn(async move {
            connection(addr, host, prepared, next).await
        }));
    }
    let mut latencies: Vec<u32> = Vec::with_capacity(requests);
    let mut statuses: std::collections::BTreeMap<u16, usize> = Default::default();
    let mut errors = 0usize;
    for t in tasks {
        match t.await {
            Ok(Ok(r)) => {
                latencies.extend(r.latencies);
                for (s, n) in r.statuses {
                    *statuses.entry(s).or_default() += n;
                }
                errors += r.errors;
            }
            Ok(Err(e)) => {
                eprintln!("connection failed: {e}");
                errors += 1;
            }
            Err(e) => {
                eprintln!("task failed: {e}");
                errors += 1;
            }
        }
    }
    let elapsed = begin.elapsed().as_secs_f64();
    latencies.sort_unstable();
    let pct = |p: f64| -> f64 {
        if latencies.is_empty() {
            return 0.0;
        }
        let i = ((latencies.len() as f64 * p).ceil() as usize).clamp(1, latencies.len()) - 1;
        f64::from(latencies[i]) / 1000.0
    };
    let ok = statuses.get(&200).copied().unwrap_or(0);
    println!(
        "webhooks: {} sent over {connections} connections in {elapsed:.2}s: {:.0} requests/s, {:.0} durable 200s/s",
        latencies.len(),
        latencies.len() as f64 / elapsed,
        ok as f64 / elapsed
    );
    println!("statuses: {statuses:?}, transport errors: {errors}");
    println!(
        "latency ms: p50 {:.2}, p90 {:.2}, p99 {:.2}, p99.9 {:.2}, max {:.2}",
        pct(0.50),
        pct(0.90),
        pct(0.99),
        pct(0.999),
        pct(1.0)
    );
    Ok(())
}

#[derive(Default)]
struct ConnReport {
    latencies: Vec<u32>,
    statuses: std::collections::BTreeMap<u16, usize>,
    errors: usize,
}

async fn connection(
    addr: SocketAddr,
    host: String,
    prepared: Arc<Vec<Prepared>>,
    next: Arc<AtomicUsize>,
) -> Result<ConnReport, Box<dyn std::error::Error + Send + Sync>> {
    let mut report = ConnReport::default();
    let stream = TcpStream::connect(addr).await?;
    stream.set_nodelay(true)?;
    let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream)).await?;
    tokio::spawn(async move {
        let _ = conn.await;
    });
    loop {
        let i = next.fetch_add(1, Ordering::Relaxed);
        let Some(p) = prepared.get(i) else {
            return Ok(report);
        };
        let req = Request::post("/webhooks/stripe")
            .header(http::header::HOST, host.as_str())
            .header(
                http::header::CONTENT_TYPE,
                "application/json; charset=utf-8",
            )
            .header("stripe-signature", p.signature.clone())
            .body(Full::new(p.body.clone()))?;
        let t0 = Instant::now();
        sender.ready().await?;
        match sender.send_request(req).await {
            Ok(resp) => {
                let status = resp.status().as_u16();
                let _ = resp.into_body().collect().await;
                report
                    .latencies
                    .push(u32::try_from(t0.elapsed().as_micros()).unwrap_or(u32::MAX));
                *report.statuses.entry(status).or_default() += 1;
            }
            Err(e) => {
                report.errors += 1;
                return Err(Box::new(e));
            }
        }
    }
}

struct Seen {
    ids: HashSet<String>,
    requests: usize,
    first: Option<Instant>,
    last: Option<Instant>,
}

/// `content-type` of a CloudEvents batch (a JSON array).
const BATCH_CONTENT_TYPE: &str = "application/cloudevents-batch+json";

/// The one field of a batch member the portal counts.
#[derive(serde::Deserialize)]
struct EventId {
    id: String,
}

async fn portal(
    expect: usize,
    idle_ms: u64,
    timeout: u64,
) -> Result<(), Box<dyn std::error::Error>> {
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    println!(
        "portal listening on http://{}/invoice-events",
        listener.local_addr()?
    );
    let seen = Arc::new(Mutex::new(Seen {
        ids: HashSet::with_capacity(expect),
        requests: 0,
        first: None,
        last: None,
    }));
    let done = Arc::new(tokio::sync::Notify::new());
    let accept = {
        let seen = seen.clone();
        let done = done.clone();
        async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    continue;
                };
                let _ = stream.set_nodelay(true);
                let seen = seen.clone();
                let done = done.clone();
                tokio::spawn(async move {
                    let svc = hyper::service::service_fn(move |req: Request<Incoming>| {
                        let seen = seen.clone();
                        let done = done.clone();
                        async move {
                            let headers = req.headers();
                            let batch = headers
                                .get("content-type")
                                .and_then(|v| v.to_str().ok())
                                .is_some_and(|v| v.starts_with(BATCH_CONTENT_TYPE));
                            let id = headers
                                .get("webhook-id")
                                .and_then(|v| v.to_str().ok())
                                .map(str::to_owned);
                            let body = req
                                .into_body()
                                .collect()
                                .await
                                .map(|b| b.to_bytes())
                                .unwrap_or_default();
                            // A batch counts each member (by its CloudEvent id).
                            let ids: Vec<String> = if batch {
                                serde_json::from_slice::<Vec<EventId>>(&body)
                                    .map(|v| v.into_iter().map(|e| e.id).collect())
                                    .unwrap_or_default()
                            } else {
                                id.into_iter().collect()
                            };
                            if let Ok(mut s) = seen.lock() {
                                let now = Instant::now();
                                s.first.get_or_insert(now);
                                s.last = Some(now);
                                s.requests += 1;
                                s.ids.extend(ids);
                                if s.ids.len() >= expect {
                                    done.notify_one();
                                }
                            }
                            Ok::<_, std::convert::Infallible>(
                                Response::builder()
                                    .status(StatusCode::OK)
                                    .body(Full::new(Bytes::new()))
                                    .unwrap_or_default(),
                            )
                        }
                    });
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), svc)
                        .await;
                });
            }
        }
    };
    let idle = {
        let seen = seen.clone();
        async move {
            loop {
                tokio::time::sleep(Duration::from_millis(100)).await;
                let quiet = seen
                    .lock()
                    .ok()
                    .and_then(|s| s.last)
                    .is_some_and(|l| l.elapsed() >= Duration::from_millis(idle_ms));
                if quiet {
                    return;
                }
            }
        }
    };
    tokio::select! {
        _ = accept => {}
        _ = done.notified() => {}
        _ = idle => {}
        _ = tokio::time::sleep(Duration::from_secs(timeout)) => {
            eprintln!("portal: timed out");
        }
    }
    let s = seen.lock().map_err(|_| "poisoned")?;
    let span = match (s.first, s.last) {
        (Some(a), Some(b)) => (b - a).as_secs_f64(),
        _ => 0.0,
    };
    println!(
        "portal: {} distinct updates in {} requests over {span:.2}s (first to last): {:.0} updates/s",
        s.ids.len(),
        s.requests,
        if span > 0.0 { s.ids.len() as f64 / span } else { 0.0 }
    );
    Ok(())
}
