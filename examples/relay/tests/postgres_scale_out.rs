//! Scale-out: three `invoice-relay serve` processes on one PostgreSQL database.
//!
//! Signed Stripe webhooks (the connector's own test signer) are spread over the three
//! instances; 5% of the events are sent a second time, at the same moment, to a different
//! instance (racing duplicates). One instance is SIGKILLed mid-run and started again;
//! requests it dropped are sent again to another instance, as a platform redelivers. A
//! loopback portal verifies every update's Standard Webhooks signature and records it.
//!
//! Asserted afterwards, from the shared database and the portal's record:
//! - every event is acknowledged and applied exactly once (one `applied` audit entry);
//! - every outbox row reached the portal, first arrivals in per-invoice sequence order;
//! - the audit chain verifies.
//!
//! `SCALE_OUT_EVENTS` sets the number of distinct events (default 30,000; 10 per invoice).
//! Needs PostgreSQL at `$INVOICE_RELAY_TEST_PG` (default
//! `postgres://postgres@127.0.0.1:5432/postgres`): the test fails, it does not skip, when
//! the server cannot be reached.
#![allow(clippy::unwrap_used)]

use std::collections::{BTreeMap, HashMap, HashSet};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use bytes::Bytes;
use invoice_connector_stripe::testing::{sign, FIXTURE_SECRET};
use invoice_core::audit::AuditAction;
use invoice_core::journal::{AuditFilter, Journal, OutboxStatus};
use invoice_core::{DedupKey, Platform, PortalUpdate, Secret, TenantId};
use invoice_store_postgres::{PostgresJournal, PostgresOptions, ScratchDatabase};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

const PORTAL_SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const INSTANCES: usize = 3;
const EVENTS_PER_INVOICE: usize = 10;
/// Invoices whose events are in flight at once.
const STREAMS: usize = 48;

// ------------------------------------------------------------------------------------
// The loopback portal
// ------------------------------------------------------------------------------------

#[derive(Default)]
struct Portal {
    /// (update id, subject, sequence) of every verified request, in arrival order.
    arrivals: Mutex<Vec<(String, String, u64)>>,
    bad_signatures: AtomicUsize,
}

async fn portal_receive(
    State(p): State<Arc<Portal>>,
    headers: HeaderMap,
    body: Bytes,
) -> StatusCode {
    let verifier = portal_client::verify::Verifier::new(&[Secret::new(PORTAL_SECRET)]).unwrap();
    if verifier
        .verify(&headers, &body, chrono::Utc::now())
        .is_err()
    {
        p.bad_signatures.fetch_add(1, Ordering::Relaxed);
        return StatusCode::UNAUTHORIZED;
    }
    let Ok(u) = serde_json::from_slice::<PortalUpdate>(&body) else {
        return StatusCode::BAD_REQUEST;
    };
    p.arrivals
        .lock()
        .unwrap()
        .push((u.id, u.subject, u.data.sequence));
    // Idempotent by id: a redelivery is accepted again (and counted by the test).
    StatusCode::OK
}

async fn start_portal() -> (Arc<Portal>, String) {
    let portal = Arc::new(Portal::default());
    let app = axum::Router::new()
        .route("/invoice-events", post(portal_receive))
        .with_state(portal.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (portal, format!("http://{addr}/invoice-events"))
}

// ------------------------------------------------------------------------------------
// Relay processes
// ------------------------------------------------------------------------------------

fn config(db_url: &str, portal_url: &str) -> String {
    format!(
        r#"[server]
listen = "127.0.0.1:0"
shutdown_timeout = "10s"

[store]
kind = "postgres"
url = "{db_url}"

[portal]
url = "{portal_url}"
secret = "{PORTAL_SECRET}"

[delivery]
max_attempts = 50
first_backoff = "50ms"
max_backoff = "200ms"
timeout = "5s"
concurrency = 16
poll_interval = "50ms"

[sources.stripe]
secrets = ["env:TEST_STRIPE_SECRET"]
"#
    )
}

struct Relay {
    child: Child,
    _stdout: tokio::process::ChildStdout,
    addr: SocketAddr,
}

fn relay_command(cfg: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_invoice-relay"));
    c.arg("--config")
        .arg(cfg)
        .env("TEST_STRIPE_SECRET", FIXTURE_SECRET)
        .env("INVOICE_RELAY_LOG", "warn")
        .kill_on_drop(true);
    c
}

async fn start_relay(cfg: &Path, log: &Path) -> Relay {
    let err = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(log)
        .unwrap();
    let mut child = relay_command(cfg)
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
        std::fs::read_to_string(log).unwrap_or_default()
    );
    let addr = line
        .trim()
        .rsplit("http://")
        .next()
        .unwrap()
        .parse()
        .unwrap_or_else(|_| panic!("bad start line {line:?}"));
    Relay {
        child,
        _stdout: lines.into_inner(),
        addr,
    }
}

/// Where each instance listens (`None` while it is down).
type Addrs = Arc<RwLock<Vec<Option<SocketAddr>>>>;

// ------------------------------------------------------------------------------------
// Webhooks
// ------------------------------------------------------------------------------------

fn invoice_id(inv: usize) -> String {
    format!("in_scale{inv:05}")
}

fn event_id(inv: usize, step: usize) -> String {
    format!("evt_scale_{inv:05}_{step:02}")
}

/// Step 0 finalizes the invoice (open, nothing paid), steps 1..8 each add a partial
/// payment, step 9 pays it: every event changes the invoice.
fn event_body(inv: usize, step: usize) -> String {
    let total = 10_000i64;
    let (ty, paid, status) = match step {
        0 => ("invoice.finalized", 0, "open"),
        s if s + 1 < EVENTS_PER_INVOICE => ("invoice.payment_succeeded", s as i64 * 1000, "open"),
        _ => ("invoice.paid", total, "paid"),
    };
    let created = chrono::Utc::now().timestamp();
    serde_json::json!({
        "id": event_id(inv, step),
        "object": "event",
        "api_version": "2025-09-30.clover",
        "created": created,
        "type": ty,
        "livemode": false,
        "data": { "object": {
            "id": invoice_id(inv),
            "object": "invoice",
            "number": format!("SCL-{inv:05}"),
            "customer": format!("cus_{:03}", inv % 200),
            "customer_name": "Scale Out Testing GmbH",
            "currency": "eur",
            "total": total,
            "amount_paid": paid,
            "amount_remaining": total - paid,
            "due_date": created + 30 * 86400,
            "status": status,
            "metadata": {}
        }}
    })
    .to_string()
}

/// Sends one event, signed now, starting with instance `first`; on a transport error or a
/// non-2xx answer tries the next instance (a platform redelivers). Returns the number of
/// extra attempts it took.
async fn deliver(client: &reqwest::Client, addrs: &Addrs, first: usize, body: &str) -> usize {
    let secret = Secret::new(FIXTURE_SECRET);
    for attempt in 0..200 {
        let target = addrs.read().unwrap()[(first + attempt) % INSTANCES];
        let Some(addr) = target else {
            continue;
        };
        let mut req = http::Request::post("/webhooks/stripe")
            .body(Bytes::from(body.to_owned()))
            .unwrap();
        sign(&mut req, &secret, chrono::Utc::now());
        let sig = req.headers()["stripe-signature"]
            .to_str()
            .unwrap()
            .to_owned();
        let r = client
            .post(format!("http://{addr}/webhooks/stripe"))
            .header("content-type", "application/json")
            .header("stripe-signature", sig)
            .body(body.to_owned())
            .send()
            .await;
        match r {
            Ok(r) if r.status().is_success() => return attempt,
            Ok(r) if r.status().as_u16() == 401 || r.status().as_u16() == 400 => {
                panic!(
                    "event refused: {} {}",
                    r.status(),
                    r.text().await.unwrap_or_default()
                )
            }
            _ => tokio::time::sleep(Duration::from_millis(20)).await,
        }
    }
    panic!("no instance acknowledged an event after 200 attempts");
}

// ------------------------------------------------------------------------------------
// The test
// ------------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_instances_one_database_sigkill_and_racing_duplicates() {
    let events: usize = std::env::var("SCALE_OUT_EVENTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(30_000);
    let invoices = events.div_ceil(EVENTS_PER_INVOICE);
    let events = invoices * EVENTS_PER_INVOICE;

    let db = ScratchDatabase::create()
        .await
        .unwrap_or_else(|e| panic!("PostgreSQL is required for this test: {e}"));
    let dir = tempfile::tempdir().unwrap();
    let (portal, portal_url) = start_portal().await;
    let cfg = dir.path().join("relay.toml");
    std::fs::write(&cfg, config(db.url(), &portal_url)).unwrap();

    // The schema ahead of time, as an operator would.
    let out = relay_command(&cfg).arg("migrate").output().await.unwrap();
    assert!(
        out.status.success(),
        "migrate failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("schema version 0 -> 1"),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );

    let logs: Vec<PathBuf> = (0..INSTANCES)
        .map(|i| dir.path().join(format!("relay{i}.log")))
        .collect();
    let mut relays = Vec::new();
    for log in &logs {
        relays.push(start_relay(&cfg, log).await);
    }
    let addrs: Addrs = Arc::new(RwLock::new(relays.iter().map(|r| Some(r.addr)).collect()));

    let started = Instant::now();
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(STREAMS)
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap();
    let next_invoice = Arc::new(AtomicUsize::new(0));
    let acked = Arc::new(AtomicUsize::new(0));
    let retries = Arc::new(AtomicUsize::new(0));
    let duplicates_sent = Arc::new(AtomicUsize::new(0));
    let mut senders = Vec::new();
    for _ in 0..STREAMS {
        let (client, addrs) = (client.clone(), addrs.clone());
        let (next_invoice, acked, retries, dups) = (
            next_invoice.clone(),
            acked.clone(),
            retries.clone(),
            duplicates_sent.clone(),
        );
        senders.push(tokio::spawn(async move {
            loop {
                let inv = next_invoice.fetch_add(1, Ordering::Relaxed);
                if inv >= invoices {
                    break;
                }
                // An invoice's events go out one after another (each after the previous
                // one's acknowledgement), each to the next instance round the ring.
                for step in 0..EVENTS_PER_INVOICE {
                    let n = inv * EVENTS_PER_INVOICE + step;
                    let body = event_body(inv, step);
                    let first = n % INSTANCES;
                    let extra = if n % 20 == 7 {
                        // 5%: the same event to another instance at the same moment.
                        dups.fetch_add(1, Ordering::Relaxed);
                        let (a, b) = tokio::join!(
                            deliver(&client, &addrs, first, &body),
                            deliver(&client, &addrs, first + 1, &body)
                        );
                        a + b
                    } else {
                        deliver(&client, &addrs, first, &body).await
                    };
                    retries.fetch_add(extra, Ordering::Relaxed);
                    acked.fetch_add(1, Ordering::Relaxed);
                }
            }
        }));
    }

    // SIGKILL instance 2 a third of the way through, start it again two seconds later.
    let victim = 2;
    while acked.load(Ordering::Relaxed) < events / 3 {
        assert!(
            started.elapsed() < Duration::from_secs(900),
            "sending stalled at {} acknowledgements",
            acked.load(Ordering::Relaxed)
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    addrs.write().unwrap()[victim] = None;
    relays[victim].child.start_kill().unwrap();
    let status = relays[victim].child.wait().await.unwrap();
    assert_eq!(
        std::os::unix::process::ExitStatusExt::signal(&status),
        Some(9),
        "SIGKILLed"
    );
    let killed_at = acked.load(Ordering::Relaxed);
    tokio::time::sleep(Duration::from_secs(2)).await;
    relays[victim] = start_relay(&cfg, &logs[victim]).await;
    addrs.write().unwrap()[victim] = Some(relays[victim].addr);

    for s in senders {
        s.await.unwrap();
    }
    let sent_secs = started.elapsed().as_secs_f64();

    // Drain: every outbox row delivered (rows the killed instance had leased come back
    // when their lease, 60 s, runs out).
    let journal = PostgresJournal::connect_with(
        db.url(),
        PostgresOptions {
            pool_size: 2,
            migrate: false,
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let drain_deadline = Instant::now() + Duration::from_secs(300);
    let counts = loop {
        let c = journal.outbox_counts().await.unwrap();
        if c.pending == 0 {
            break c;
        }
        assert!(
            Instant::now() < drain_deadline,
            "outbox did not drain: {c:?}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    let total_secs = started.elapsed().as_secs_f64();
    for r in &mut relays {
        let _ = r.child.start_kill();
        let _ = r.child.wait().await;
    }

    // Every event is stored once and was applied exactly once.
    let audit = journal.audit(&AuditFilter::default()).await.unwrap();
    let mut applied: HashMap<&str, u32> = HashMap::new();
    let mut other_decisions: HashMap<&str, Vec<String>> = HashMap::new();
    for e in &audit {
        let r = e.record.reference.as_deref().unwrap_or_default();
        match e.record.action {
            AuditAction::Applied => *applied.entry(r).or_default() += 1,
            AuditAction::Ignored | AuditAction::Anomaly => other_decisions
                .entry(r)
                .or_default()
                .push(e.record.detail.clone()),
            _ => {}
        }
    }
    for inv in 0..invoices {
        for step in 0..EVENTS_PER_INVOICE {
            let id = event_id(inv, step);
            let key = DedupKey {
                platform: Platform::Stripe,
                tenant: TenantId("default".into()),
                event_id: id.clone(),
            };
            if inv % 97 == 0 {
                assert!(journal.is_duplicate(&key).await.unwrap(), "{id} not stored");
            }
            assert_eq!(
                applied.get(id.as_str()).copied().unwrap_or(0),
                1,
                "{id} applied {} times; other decisions {:?}",
                applied.get(id.as_str()).copied().unwrap_or(0),
                other_decisions.get(id.as_str())
            );
        }
    }
    assert_eq!(applied.len(), events, "applied entries for unknown events");

    // Every outbox row reached the portal; first arrivals in per-invoice order.
    assert_eq!(counts.dead_letter, 0, "{counts:?}");
    let rows = journal
        .outbox(OutboxStatus::Delivered, usize::MAX)
        .await
        .unwrap();
    assert_eq!(rows.len() as u64, counts.delivered);
    assert_eq!(rows.len(), events, "one portal update per applied event");
    let arrivals = portal.arrivals.lock().unwrap().clone();
    let mut seen: HashSet<&str> = HashSet::new();
    let mut last_seq: BTreeMap<&str, u64> = BTreeMap::new();
    for (id, subject, seq) in &arrivals {
        if !seen.insert(id.as_str()) {
            continue;
        }
        let prev = last_seq.entry(subject.as_str()).or_insert(0);
        assert!(
            *seq > *prev,
            "{subject}: update {id} (sequence {seq}) arrived after sequence {prev}"
        );
        *prev = *seq;
    }
    let ids: HashSet<&str> = rows.iter().map(|r| r.update.id.as_str()).collect();
    assert_eq!(ids.len(), rows.len(), "outbox ids are unique");
    assert_eq!(seen, ids, "the portal got exactly the outbox's updates");
    assert_eq!(last_seq.len(), invoices);
    assert_eq!(portal.bad_signatures.load(Ordering::Relaxed), 0);
    let redeliveries = arrivals.len() - seen.len();

    let report = journal
        .verify_chain()
        .await
        .expect("the audit chain verifies");
    assert_eq!(report.entries, audit.len() as u64);
    assert_eq!(report.first_seq, 1);
    assert_eq!(report.last_seq, audit.len() as u64);

    let line = format!(
        "scale-out: {INSTANCES} instances, {events} events ({} racing duplicates, {} \
         resends after errors), SIGKILL at {killed_at} acks; sent in {sent_secs:.1} s \
         ({:.0} events/s acknowledged), drained in {total_secs:.1} s; {} updates, {} \
         redeliveries by id, {} audit entries",
        duplicates_sent.load(Ordering::Relaxed),
        retries.load(Ordering::Relaxed),
        events as f64 / sent_secs,
        rows.len(),
        redeliveries,
        report.entries
    );
    eprintln!("{line}");
    if let Ok(path) = std::env::var("SCALE_OUT_REPORT") {
        std::fs::write(path, format!("{line}\n")).unwrap();
    }
    drop(journal);
    drop(db);
}
