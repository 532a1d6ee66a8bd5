//! Model-based property test of `Relay` + `Journal` + `OutboxWorker`.
//!
//! Random interleavings of ingest (fresh events with random source versions, so many
//! arrive out of order), duplicate deliveries, outbox passes against a portal that accepts,
//! fails transiently (503) or refuses (400, dead-letter), worker crashes (claim then drop,
//! with or without the portal having received the update, then the clock past the lease),
//! operator replays of dead letters, clock jumps and process restarts (the SQLite journal
//! reopened from its file) are run against the real pipeline and checked against a
//! reference model: a set of seen event ids plus the pure state machine applied in
//! arrival order.
//!
//! Checked after every step: the relay's report equals the model's. Checked at the end,
//! after replaying every dead letter and draining the outbox: the stored state of each
//! invoice equals the model's; the portal applied exactly the updates the model expects
//! (each `(invoice, sequence)` once, under one stable id, with the same content on every
//! re-delivery); no id was accepted more often than once plus the crashes that hit it
//! after delivery; updates never dead-lettered reached the portal in sequence order per
//! invoice; the outbox is empty; the audit chain verifies and records one `applied` entry
//! per applied event.
//!
//! Runs on `MemoryJournal` and on `invoice_store_sqlite::SqliteJournal` on disk.
//! `PROPTEST_CASES` overrides the number of cases.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use invoice_core::audit::AuditAction;
use invoice_core::journal::{AuditFilter, Journal, MemoryJournal, OutboxStatus, ReplayFilter};
use invoice_core::{
    apply, Clock, Currency, Customer, EventDetail, EventKind, InvoiceEvent, InvoiceKey,
    InvoiceSnapshot, InvoiceState, Lifecycle, ManualClock, Money, OutboxWorker, Outcome, Platform,
    Relay, RetryPolicy, Route,
};
use invoice_relay_integration::sink::{ScriptedSink, SinkMode};
use invoice_relay_integration::source::{request_for, JsonEventSource};
use invoice_store_sqlite::SqliteJournal;
use proptest::prelude::*;
use rust_decimal::Decimal;

const TENANT: &str = "acct_model";
const LEASE: Duration = Duration::from_secs(30);
const MAX_BACKOFF: Duration = Duration::from_secs(10);

/// One step of a run.
#[derive(Debug, Clone)]
enum Op {
    /// A fresh event (new id) about invoice `invoice`.
    Ingest {
        invoice: u8,
        kind: u8,
        version: u8,
        amount: u8,
    },
    /// The platform re-sends an earlier request (same bytes).
    Duplicate(prop::sample::Index),
    /// One outbox pass with the portal answering so.
    Deliver(SinkMode),
    /// A worker claims and dies before delivering; maybe the clock passes the lease.
    CrashBeforeDeliver { expire: bool },
    /// A worker claims, the portal gets the updates, the worker dies before completing.
    CrashAfterDeliver,
    /// An operator replays every dead letter.
    Replay,
    /// Time passes beyond the longest backoff.
    Advance,
    /// The process restarts (the SQLite journal is reopened from its file).
    Restart,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        8 => (0u8..4, 0u8..6, 1u8..24, 1u8..100).prop_map(|(invoice, kind, version, amount)| {
            Op::Ingest { invoice, kind, version, amount }
        }),
        3 => any::<prop::sample::Index>().prop_map(Op::Duplicate),
        3 => Just(Op::Deliver(SinkMode::Accept)),
        2 => Just(Op::Deliver(SinkMode::Unavailable)),
        1 => Just(Op::Deliver(SinkMode::Refuse)),
        1 => any::<bool>().prop_map(|expire| Op::CrashBeforeDeliver { expire }),
        1 => Just(Op::CrashAfterDeliver),
        1 => Just(Op::Replay),
        1 => Just(Op::Advance),
        1 => Just(Op::Restart),
    ]
}

fn base() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0)
        .single()
        .expect("valid instant")
}

fn key(invoice: u8) -> InvoiceKey {
    InvoiceKey::new(Platform::Stripe, TENANT, format!("in_{invoice}"))
}

fn snapshot(total: Decimal, paid: Decimal, lifecycle: Lifecycle, invoice: u8) -> InvoiceSnapshot {
    InvoiceSnapshot {
        number: Some(format!("ANO-{invoice:04}")),
        customer: Customer {
            platform_id: "cus_plating".into(),
            name: Some("Plating Works".into()),
            portal_account: None,
        },
        currency: Currency::USD,
        total,
        paid,
        credited: Decimal::ZERO,
        refunded: Decimal::ZERO,
        due_date: NaiveDate::from_ymd_opt(2026, 4, 1),
        lifecycle,
    }
}

/// The event an `Ingest` op stands for.
fn event(n: usize, invoice: u8, kind: u8, version: u8, amount: u8) -> InvoiceEvent {
    let at = base() + chrono::Duration::minutes(i64::from(version));
    let total = Decimal::from(500);
    let amount = Decimal::from(amount);
    let (kind, ev) = match kind {
        0 => (
            EventKind::Issued,
            Some(snapshot(total, Decimal::ZERO, Lifecycle::Open, invoice)),
        ),
        1 => (
            EventKind::Updated,
            Some(snapshot(total, amount, Lifecycle::PartiallyPaid, invoice)),
        ),
        2 => (EventKind::PaymentReceived, None),
        3 => (
            EventKind::Paid,
            Some(snapshot(total, total, Lifecycle::Paid, invoice)),
        ),
        4 => (
            EventKind::Voided,
            Some(snapshot(total, Decimal::ZERO, Lifecycle::Void, invoice)),
        ),
        _ => (EventKind::Overdue, None),
    };
    let mut e = InvoiceEvent::new(key(invoice), kind, at, format!("evt_{n:05}"))
        .with_version(u64::from(version));
    e.received_at = at;
    if let Some(s) = ev {
        e = e.with_snapshot(s);
    }
    match kind {
        EventKind::PaymentReceived => e.with_detail(EventDetail::Payment {
            amount: Money::new(amount, Currency::USD),
            payment_id: Some(format!("py_{n}")),
        }),
        EventKind::Overdue => e.with_detail(EventDetail::Overdue {
            days_past_due: u32::from(version),
            level: 1,
        }),
        _ => e,
    }
}

/// The reference model: dedup by event id, the pure state machine in arrival order.
#[derive(Default)]
struct Model {
    seen: HashSet<String>,
    states: BTreeMap<InvoiceKey, InvoiceState>,
    /// `(subject, sequence)` of every update the outbox must deliver.
    expected: BTreeSet<(String, u64)>,
    applied_events: u64,
}

/// What the model expects one ingest to report.
#[derive(Debug, Default, PartialEq, Eq)]
struct Expect {
    applied: u32,
    ignored: u32,
    anomalies: u32,
    duplicates: u32,
}

impl Model {
    fn ingest(&mut self, e: &InvoiceEvent) -> Expect {
        if !self.seen.insert(e.platform_event_id.clone()) {
            return Expect {
                duplicates: 1,
                ..Expect::default()
            };
        }
        let state = self
            .states
            .entry(e.key.clone())
            .or_insert_with(|| InvoiceState::empty(e.key.clone()));
        let t = apply(state, e);
        let mut x = Expect::default();
        match t.outcome {
            Outcome::Applied => {
                x.applied = 1;
                self.applied_events += 1;
                self.expected
                    .insert((t.state.key.to_string(), t.state.version));
            }
            Outcome::Ignored(_) => x.ignored = 1,
            Outcome::Anomaly(_) => x.anomalies = 1,
        }
        if t.stored_change {
            *state = t.state;
        }
        x
    }
}

/// The pipeline under test, rebuilt on restart.
struct World {
    journal: Arc<dyn Journal>,
    relay: Relay,
    worker: OutboxWorker,
    sink: Arc<ScriptedSink>,
    clock: Arc<ManualClock>,
}

impl World {
    fn new(journal: Arc<dyn Journal>, sink: Arc<ScriptedSink>, clock: Arc<ManualClock>) -> Self {
        let relay = Relay::builder(journal.clone())
            .source(Arc::new(JsonEventSource::new(Platform::Stripe)))
            .clock(clock.clone())
            .build();
        let worker = OutboxWorker::new(journal.clone(), sink.clone(), clock.clone())
            .lease(LEASE)
            .batch(8)
            .jitter_seed(7)
            .policy(RetryPolicy {
                max_attempts: 10_000,
                first_backoff: Duration::from_secs(1),
                max_backoff: MAX_BACKOFF,
            });
        World {
            journal,
            relay,
            worker,
            sink,
            clock,
        }
    }
}

/// Runs `ops` against a journal from `open` (called again on every restart).
async fn run(ops: Vec<Op>, open: &dyn Fn() -> Arc<dyn Journal>) -> Result<(), TestCaseError> {
    let sink = Arc::new(ScriptedSink::default());
    let clock = Arc::new(ManualClock::new(base() + chrono::Duration::days(1)));
    let mut w = World::new(open(), sink.clone(), clock.clone());
    let mut model = Model::default();
    let mut sent: Vec<InvoiceEvent> = Vec::new();
    let mut dead: HashSet<String> = HashSet::new();
    let mut crash_accepts: HashMap<String, u32> = HashMap::new();

    let ops_len = ops.len();
    for (step, op) in ops.into_iter().enumerate() {
        match op {
            Op::Ingest {
                invoice,
                kind,
                version,
                amount,
            } => {
                let e = event(sent.len(), invoice, kind, version, amount);
                ingest(&w, &mut model, &e, step).await?;
                sent.push(e);
            }
            Op::Duplicate(i) => {
                if sent.is_empty() {
                    continue;
                }
                let e = sent[i.index(sent.len())].clone();
                ingest(&w, &mut model, &e, step).await?;
            }
            Op::Deliver(mode) => {
                w.sink.set_mode(mode);
                w.worker
                    .run_once()
                    .await
                    .map_err(|e| TestCaseError::fail(format!("step {step}: pass: {e}")))?;
                for item in w
                    .journal
                    .outbox(OutboxStatus::DeadLetter, 100_000)
                    .await
                    .map_err(|e| TestCaseError::fail(e.to_string()))?
                {
                    dead.insert(item.update.id);
                }
            }
            Op::CrashBeforeDeliver { expire } => {
                let claimed = w
                    .journal
                    .claim(8, w.clock.now(), LEASE)
                    .await
                    .map_err(|e| TestCaseError::fail(e.to_string()))?;
                drop(claimed);
                if expire {
                    w.clock.advance(chrono::Duration::seconds(31));
                }
            }
            Op::CrashAfterDeliver => {
                let claimed = w
                    .journal
                    .claim(8, w.clock.now(), LEASE)
                    .await
                    .map_err(|e| TestCaseError::fail(e.to_string()))?;
                w.sink.set_mode(SinkMode::Accept);
                for item in claimed {
                    use invoice_core::PortalSink;
                    if w.sink.deliver(&item.update).await.is_ok() {
                        *crash_accepts.entry(item.update.id.clone()).or_insert(0) += 1;
                    }
                }
                w.clock.advance(chrono::Duration::seconds(31));
            }
            Op::Replay => {
                w.journal
                    .replay(&ReplayFilter::default(), w.clock.now())
                    .await
                    .map_err(|e| TestCaseError::fail(e.to_string()))?;
            }
            Op::Advance => w.clock.advance(chrono::Duration::seconds(11)),
            Op::Restart => {
                drop(w);
                w = World::new(open(), sink.clone(), clock.clone());
            }
        }
    }

    // Recovery: every dead letter replayed, the portal healthy, the outbox drained.
    w.journal
        .replay(&ReplayFilter::default(), w.clock.now())
        .await
        .map_err(|e| TestCaseError::fail(e.to_string()))?;
    w.sink.set_mode(SinkMode::Accept);
    let mut drained = false;
    for _ in 0..10_000 {
        w.clock.advance(chrono::Duration::seconds(61));
        let r = w
            .worker
            .run_once()
            .await
            .map_err(|e| TestCaseError::fail(e.to_string()))?;
        if r.claimed == 0 {
            let c = w
                .journal
                .outbox_counts()
                .await
                .map_err(|e| TestCaseError::fail(e.to_string()))?;
            if c.pending == 0 && c.dead_letter == 0 {
                drained = true;
                break;
            }
        }
    }
    prop_assert!(drained, "the outbox never drained");
    if std::env::var_os("INVOICE_RELAY_MODEL_STATS").is_some() {
        let (attempts, faults) = sink.attempts_and_faults();
        eprintln!(
            "model-stats ops={} events={} applied={} updates={} attempts={} faults={} \
             dead_lettered={} crash_deliveries={}",
            ops_len,
            model.seen.len(),
            model.applied_events,
            model.expected.len(),
            attempts,
            faults,
            dead.len(),
            crash_accepts.values().sum::<u32>()
        );
    }
    check(&w, &model, &sink, &dead, &crash_accepts).await
}

async fn ingest(
    w: &World,
    model: &mut Model,
    e: &InvoiceEvent,
    step: usize,
) -> Result<(), TestCaseError> {
    let expect = model.ingest(e);
    let out = w
        .relay
        .ingest(Platform::Stripe, &request_for(e), Route::default())
        .await
        .map_err(|err| TestCaseError::fail(format!("step {step}: ingest: {err}")))?;
    let got = Expect {
        applied: out.report.applied,
        ignored: out.report.ignored,
        anomalies: out.report.anomalies,
        duplicates: out.report.duplicates,
    };
    prop_assert_eq!(got, expect, "step {}: report for {:?}", step, e.kind);
    Ok(())
}

async fn check(
    w: &World,
    model: &Model,
    sink: &ScriptedSink,
    dead: &HashSet<String>,
    crash_accepts: &HashMap<String, u32>,
) -> Result<(), TestCaseError> {
    let fail = |e: invoice_core::journal::JournalError| TestCaseError::fail(e.to_string());
    // Stored states equal the model's.
    for (key, want) in &model.states {
        let got = w.journal.load(key).await.map_err(fail)?.map(|s| s.state);
        prop_assert_eq!(got.as_ref(), Some(want), "state of {}", key);
    }
    // The portal applied exactly the expected updates, each once under one stable id.
    let applied = sink.applied();
    let got: BTreeSet<(String, u64)> = applied
        .iter()
        .map(|a| (a.subject.clone(), a.sequence))
        .collect();
    prop_assert_eq!(
        got.len(),
        applied.len(),
        "an (invoice, sequence) under two ids"
    );
    prop_assert_eq!(&got, &model.expected);
    prop_assert!(
        sink.changed_content().is_empty(),
        "an id re-sent with other content"
    );
    for a in &applied {
        let allowed = 1 + crash_accepts.get(&a.id).copied().unwrap_or(0);
        prop_assert!(
            sink.accepted(&a.id) <= allowed,
            "{} accepted {} times, {} allowed",
            a.id,
            sink.accepted(&a.id),
            allowed
        );
    }
    // Per-invoice order for updates that were never dead-lettered.
    let mut last: HashMap<&str, u64> = HashMap::new();
    for a in applied.iter().filter(|a| !dead.contains(&a.id)) {
        let prev = last.insert(a.subject.as_str(), a.sequence).unwrap_or(0);
        prop_assert!(
            a.sequence > prev,
            "{}: sequence {} after {}",
            a.subject,
            a.sequence,
            prev
        );
    }
    // The portal's newest update per invoice shows the model's final status.
    for (key, want) in &model.states {
        if want.version == 0 {
            continue;
        }
        let newest = applied
            .iter()
            .filter(|a| a.subject == key.to_string())
            .max_by_key(|a| a.sequence);
        prop_assert_eq!(newest.map(|a| a.sequence), Some(want.version));
        prop_assert_eq!(
            newest.map(|a| a.update.data.invoice.status.clone()),
            Some(want.portal_status().as_str().to_owned())
        );
    }
    // Outbox and audit.
    let counts = w.journal.outbox_counts().await.map_err(fail)?;
    prop_assert_eq!(counts.delivered as usize, model.expected.len());
    w.journal.verify_chain().await.map_err(fail)?;
    let audit = w
        .journal
        .audit(&AuditFilter::default())
        .await
        .map_err(fail)?;
    let applied_entries = audit
        .iter()
        .filter(|e| e.record.action == AuditAction::Applied)
        .count() as u64;
    prop_assert_eq!(applied_entries, model.applied_events);
    Ok(())
}

fn cases(default: u32) -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime")
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases(64)))]

    #[test]
    fn relay_and_memory_journal_match_the_model(ops in prop::collection::vec(op(), 1..80)) {
        let journal: Arc<dyn Journal> = Arc::new(MemoryJournal::new());
        runtime().block_on(run(ops, &|| journal.clone()))?;
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases(12)))]

    #[test]
    fn relay_and_sqlite_journal_on_disk_match_the_model(ops in prop::collection::vec(op(), 1..60)) {
        let dir = tempfile::tempdir().map_err(|e| TestCaseError::fail(e.to_string()))?;
        let path = dir.path().join("model.db");
        let open = || -> Arc<dyn Journal> {
            match SqliteJournal::open(&path) {
                Ok(j) => Arc::new(j),
                Err(e) => panic!("open {}: {e}", path.display()),
            }
        };
        runtime().block_on(run(ops, &open))?;
    }
}
