//! Crash test: a real child process (`examples/crash_child.rs`) ingests 20,000 events
//! through `invoice_core::Relay` into a SQLite file and delivers its outbox to a loopback
//! HTTP recorder, and is killed with SIGKILL at random moments. The test re-sends every
//! event not yet acknowledged, as a platform retries, until all are acknowledged and the
//! outbox is drained. Then:
//!
//! - every acknowledged event is in the journal exactly once (one dedup key, one
//!   `received` row, one decision in the audit log);
//! - every outbox row reached the portal under its id, with the same body each time, no
//!   id the outbox does not have, and per invoice never an older sequence after a newer;
//! - every invoice converged to its newest snapshot;
//! - `verify_chain` passes.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use axum::Router;
use bytes::Bytes;
use chrono::{DateTime, TimeZone, Utc};
use invoice_core::audit::AuditAction;
use invoice_core::journal::{AuditFilter, Journal, OutboxStatus};
use invoice_core::{
    Currency, Customer, DedupKey, EventKind, InvoiceEvent, InvoiceKey, InvoiceSnapshot, Lifecycle,
    Platform, PortalUpdate, TenantId,
};
use invoice_store_sqlite::SqliteJournal;
use rand::{Rng, SeedableRng};
use rust_decimal::Decimal;

const EVENTS: usize = 20_000;
const INVOICES: usize = 400;
const MIN_KILLS: usize = 12;
const TENANT: &str = "acct_crash";

/// What the portal received: every 2xx delivery, in arrival order.
#[derive(Default)]
struct Recorder {
    deliveries: Mutex<Vec<(String, Bytes)>>,
    requests: AtomicU64,
}

async fn record(State(rec): State<Arc<Recorder>>, headers: HeaderMap, body: Bytes) -> StatusCode {
    let n = rec.requests.fetch_add(1, Ordering::Relaxed);
    // Every 50th request fails once with 503, so retries are exercised too.
    if n % 50 == 49 {
        return StatusCode::SERVICE_UNAVAILABLE;
    }
    let Some(id) = headers.get("webhook-id").and_then(|v| v.to_str().ok()) else {
        return StatusCode::BAD_REQUEST;
    };
    let mut d = rec.deliveries.lock().unwrap_or_else(|p| p.into_inner());
    d.push((id.to_owned(), body));
    StatusCode::OK
}

fn base() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 1, 15, 8, 0, 0)
        .single()
        .expect("valid time")
}

fn invoice_key(i: usize) -> InvoiceKey {
    InvoiceKey::new(Platform::Stripe, TENANT, format!("in_{:04}", i % INVOICES))
}

/// Event `i`: a snapshot of invoice `i % INVOICES` with a total unique to `i`, newer (by
/// platform time and source version) than every event before it.
fn event(i: usize) -> InvoiceEvent {
    let snapshot = InvoiceSnapshot {
        number: Some(format!("INV-{:04}", i % INVOICES)),
        customer: Customer {
            platform_id: format!("cus_{}", i % 37),
            name: None,
            portal_account: None,
        },
        currency: Currency::new("EUR").expect("currency"),
        total: Decimal::from(1000 + i as i64),
        paid: Decimal::ZERO,
        credited: Decimal::ZERO,
        refunded: Decimal::ZERO,
        due_date: None,
        lifecycle: Lifecycle::Open,
    };
    let at = base() + chrono::Duration::seconds(i as i64);
    InvoiceEvent::new(
        invoice_key(i),
        EventKind::Updated,
        at,
        format!("evt_{i:05}"),
    )
    .with_snapshot(snapshot)
    .with_version(i as u64 + 1)
}

fn child_binary() -> PathBuf {
    let exe = std::env::current_exe().expect("current exe");
    let profile_dir = exe
        .parent()
        .and_then(Path::parent)
        .expect("target/<profile>/deps");
    let bin = profile_dir.join("examples").join("crash_child");
    // `cargo test -p invoice-store-sqlite` builds the examples before running the tests;
    // only a run of this test alone (`--test crash`) may find none yet.
    if bin.exists() {
        return bin;
    }
    let mut build = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    build
        .args([
            "build",
            "-p",
            "invoice-store-sqlite",
            "--example",
            "crash_child",
        ])
        .current_dir(env!("CARGO_MANIFEST_DIR"));
    if profile_dir.file_name().is_some_and(|n| n == "release") {
        build.arg("--release");
    }
    let status = build.status().expect("run cargo build for the child");
    assert!(status.success(), "building the crash child failed");
    bin
}

struct Incarnation {
    child: Child,
    acks: std::sync::mpsc::Receiver<String>,
}

fn spawn_child(bin: &Path, db: &Path, url: &str, lines: Vec<String>) -> Incarnation {
    let mut child = Command::new(bin)
        .arg(db)
        .arg(url)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("spawn child");
    let mut stdin = child.stdin.take().expect("stdin");
    std::thread::spawn(move || {
        for l in lines {
            // A killed child closes the pipe; the rest is re-sent to the next one.
            if writeln!(stdin, "{l}").is_err() {
                return;
            }
        }
    });
    let stdout = child.stdout.take().expect("stdout");
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { return };
            if tx.send(line).is_err() {
                return;
            }
        }
    });
    Incarnation { child, acks: rx }
}

/// Runs children until all events are acknowledged and the outbox is drained, killing
/// the first `MIN_KILLS` of them at random moments. Returns the acknowledged ids and the
/// number of kills.
fn run_children(bin: &Path, db: &Path, url: &str, events: &[String]) -> (HashSet<String>, usize) {
    let mut rng = rand::rngs::StdRng::seed_from_u64(0x1A7E);
    let mut acked: HashSet<String> = HashSet::new();
    let mut kills = 0;
    let deadline = Instant::now() + Duration::from_secs(150);
    for incarnation in 0.. {
        assert!(Instant::now() < deadline, "crash test took too long");
        assert!(
            incarnation < 200,
            "no progress after {incarnation} children"
        );
        let todo: Vec<String> = events
            .iter()
            .enumerate()
            .filter(|(i, _)| !acked.contains(&format!("evt_{i:05}")))
            .map(|(_, l)| l.clone())
            .collect();
        let mut inc = spawn_child(bin, db, url, todo);
        let kill_at = (kills < MIN_KILLS).then(|| Duration::from_millis(rng.gen_range(50..500)));
        let mut first_ack: Option<Instant> = None;
        let mut drained = false;
        loop {
            match inc.acks.recv_timeout(Duration::from_millis(5)) {
                Ok(line) => {
                    if let Some(id) = line.strip_prefix("ack ") {
                        acked.insert(id.to_owned());
                        first_ack.get_or_insert_with(Instant::now);
                    } else if line == "drained" {
                        drained = true;
                    }
                }
                Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {}
                Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => break,
            }
            let started = first_ack.map(|t| t.elapsed());
            if let (Some(limit), Some(elapsed)) = (kill_at, started) {
                if elapsed >= limit {
                    if inc.child.try_wait().expect("child status").is_none() {
                        // `Child::kill` sends SIGKILL on Unix: no flush, no clean-up.
                        inc.child.kill().expect("SIGKILL the child");
                        kills += 1;
                    }
                    break;
                }
            }
            if Instant::now() >= deadline {
                let _ = inc.child.kill();
                panic!("crash test took too long");
            }
        }
        // Collect acks printed before the kill landed.
        while let Ok(line) = inc.acks.recv_timeout(Duration::from_millis(200)) {
            if let Some(id) = line.strip_prefix("ack ") {
                acked.insert(id.to_owned());
            } else if line == "drained" {
                drained = true;
            }
        }
        let status = inc.child.wait().expect("wait for child");
        eprintln!(
            "child {incarnation}: {status}, {} of {} acknowledged, {kills} kills",
            acked.len(),
            events.len()
        );
        if drained && acked.len() == events.len() {
            assert!(status.success(), "the last child failed: {status}");
            break;
        }
    }
    (acked, kills)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkilled_relay_loses_nothing_and_duplicates_nothing() {
    let recorder = Arc::new(Recorder::default());
    let app = Router::new()
        .route("/invoice-events", post(record))
        .with_state(Arc::clone(&recorder));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind loopback");
    let url = format!(
        "http://{}/invoice-events",
        listener.local_addr().expect("addr")
    );
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });

    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("crash.db");
    let events: Vec<String> = (0..EVENTS)
        .map(|i| serde_json::to_string(&event(i)).expect("serialize"))
        .collect();
    let bin = tokio::task::spawn_blocking(child_binary)
        .await
        .expect("build");
    let (acked, kills) = {
        let (db, url, events) = (db.clone(), url.clone(), events.clone());
        tokio::task::spawn_blocking(move || run_children(&bin, &db, &url, &events))
            .await
            .expect("children")
    };
    assert!(kills >= 10, "only {kills} kills");
    assert_eq!(
        acked.len(),
        EVENTS,
        "every event was acknowledged in the end"
    );

    let journal = SqliteJournal::open(&db).expect("reopen after the crashes");

    // Every acknowledged event is in the journal exactly once.
    for i in 0..EVENTS {
        let key = DedupKey {
            platform: Platform::Stripe,
            tenant: TenantId(TENANT.into()),
            event_id: format!("evt_{i:05}"),
        };
        assert!(journal.is_duplicate(&key).await.expect("dedup"), "{key}");
    }
    let audit = journal.audit(&AuditFilter::default()).await.expect("audit");
    let mut decisions: HashMap<&str, u32> = HashMap::new();
    let mut received = 0;
    for e in &audit {
        match e.record.action {
            AuditAction::Received => received += 1,
            AuditAction::Applied | AuditAction::Ignored | AuditAction::Anomaly => {
                let r = e.record.reference.as_deref().expect("event reference");
                *decisions.entry(r).or_default() += 1;
            }
            _ => {}
        }
    }
    assert_eq!(received, EVENTS, "one received request per event");
    assert_eq!(decisions.len(), EVENTS);
    assert!(
        decisions.values().all(|n| *n == 1),
        "an event was decided twice"
    );
    let rows: i64 = rusqlite::Connection::open(&db)
        .expect("raw open")
        .query_row("SELECT COUNT(*) FROM received", [], |r| r.get(0))
        .expect("count received");
    assert_eq!(rows, EVENTS as i64);

    // Every invoice converged to its newest snapshot, whatever the arrival order.
    for k in 0..INVOICES {
        let newest = (0..EVENTS)
            .filter(|i| i % INVOICES == k)
            .max()
            .expect("events");
        let s = journal
            .load(&invoice_key(k))
            .await
            .expect("load")
            .expect("stored");
        assert_eq!(
            s.state.total,
            Decimal::from(1000 + newest as i64),
            "invoice {k}"
        );
    }

    // Every outbox row was delivered, under its id, with the stored body.
    let counts = journal.outbox_counts().await.expect("counts");
    assert_eq!((counts.pending, counts.dead_letter), (0, 0));
    let delivered = journal
        .outbox(OutboxStatus::Delivered, usize::MAX)
        .await
        .expect("outbox");
    assert_eq!(delivered.len() as u64, counts.delivered);
    let by_id: HashMap<&str, &PortalUpdate> = delivered
        .iter()
        .map(|i| (i.update.id.as_str(), &i.update))
        .collect();
    assert_eq!(by_id.len(), delivered.len(), "outbox ids are unique");
    let deliveries = recorder
        .deliveries
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .clone();
    let mut seen: HashSet<&str> = HashSet::new();
    let mut last_seq: BTreeMap<String, u64> = BTreeMap::new();
    for (id, body) in &deliveries {
        let stored = by_id
            .get(id.as_str())
            .unwrap_or_else(|| panic!("the portal got {id}, which the outbox does not have"));
        let sent: PortalUpdate = serde_json::from_slice(body).expect("body is an update");
        assert_eq!(&sent, *stored, "{id} was sent with another body");
        let prev = last_seq.entry(sent.subject.clone()).or_insert(0);
        assert!(
            sent.data.sequence >= *prev,
            "{}: sequence {} after {}",
            sent.subject,
            sent.data.sequence,
            prev
        );
        *prev = sent.data.sequence;
        seen.insert(id.as_str());
    }
    assert_eq!(
        seen.len(),
        by_id.len(),
        "every outbox row reached the portal"
    );
    let redeliveries = deliveries.len() - seen.len();
    assert!(
        redeliveries <= kills * 32,
        "{redeliveries} redeliveries for {kills} kills: more than the claims in flight"
    );

    let report = journal
        .verify_chain()
        .await
        .expect("the audit chain verifies");
    assert_eq!(report.entries, audit.len() as u64);
    eprintln!(
        "crash test: {EVENTS} events, {kills} SIGKILLs, {} outbox rows, {} redeliveries by id, {} audit entries",
        by_id.len(),
        redeliveries,
        report.entries
    );
}
