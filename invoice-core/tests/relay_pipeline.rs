//! The pipeline end to end in memory: a shuffled 200-event history for 20 invoices through
//! `Relay` with the in-memory journal and a recording sink that fails on purpose.
#![allow(missing_docs, clippy::unwrap_used)]

mod common;

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use bytes::Bytes;
use common::history::*;
use invoice_core::journal::{Journal, MemoryJournal, OutboxStatus, ReplayFilter};
use invoice_core::*;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};

/// A test source: the body is a JSON array of canonical events.
#[derive(Debug)]
struct JsonEvents(ConnectorInfo);

impl JsonEvents {
    fn new() -> Self {
        JsonEvents(ConnectorInfo {
            platform: Platform::Stripe,
            signature: SignatureScheme::SharedSecret,
            signature_header: None,
            timestamped: false,
            tolerance_secs: 0,
            handshake: Handshake::None,
            thin: false,
            source_versions: true,
            rotation: false,
        })
    }
}

#[async_trait]
impl InvoiceSource for JsonEvents {
    fn info(&self) -> &ConnectorInfo {
        &self.0
    }
    async fn ingest(
        &self,
        req: &WebhookRequest,
        _: &IngestContext,
    ) -> Result<Ingested, SourceError> {
        let events: Vec<InvoiceEvent> =
            serde_json::from_slice(req.body()).map_err(SourceError::malformed)?;
        Ok(Ingested::events(
            TenantId::from("acct_test"),
            events,
            Reply::ok(),
        ))
    }
}

/// Records deliveries; fails by a rule on the update id.
#[derive(Debug, Default)]
struct FlakySink {
    attempts: Mutex<HashMap<String, u32>>,
    delivered: Mutex<Vec<PortalUpdate>>,
    healed: std::sync::atomic::AtomicBool,
}

fn bucket(id: &str) -> u8 {
    id.bytes()
        .fold(0u32, |a, b| a.wrapping_mul(31).wrapping_add(u32::from(b))) as u8
        % 10
}

#[async_trait]
impl PortalSink for FlakySink {
    async fn deliver(&self, u: &PortalUpdate) -> Result<Receipt, DeliveryError> {
        let attempt = {
            let mut a = self.attempts.lock().unwrap();
            let n = a.entry(u.id.clone()).or_default();
            *n += 1;
            *n
        };
        let healed = self.healed.load(std::sync::atomic::Ordering::SeqCst);
        match bucket(&u.id) {
            0 if attempt == 1 => Err(DeliveryError::Retryable {
                message: "timeout".into(),
                status: None,
                retry_after: None,
            }),
            1 if attempt <= 2 => Err(DeliveryError::Retryable {
                message: "503".into(),
                status: Some(503),
                retry_after: Some(Duration::from_secs(30)),
            }),
            2 if !healed => Err(DeliveryError::Permanent {
                message: "400 bad request".into(),
                status: Some(400),
            }),
            _ => {
                self.delivered.lock().unwrap().push(u.clone());
                Ok(Receipt {
                    status: 200,
                    duplicate: false,
                })
            }
        }
    }
}

fn history(rng: &mut StdRng) -> BTreeMap<String, Vec<InvoiceEvent>> {
    let mut out = BTreeMap::new();
    for n in 0..20 {
        let id = format!("inv{n:02}");
        let total: u32 = rng.gen_range(10_000..500_000);
        let mut steps = vec![Step::Snapshot {
            kind: EventKind::Issued,
            total,
            paid: 0,
            lifecycle: Lifecycle::Open,
        }];
        for _ in 1..10 {
            steps.push(match rng.gen_range(0..10) {
                0..=2 => Step::Payment(rng.gen_range(1_000..total / 3 + 1_001)),
                3 => Step::Overdue(30),
                4 => Step::Disputed,
                5 => Step::Resolved(rng.gen_bool(0.5)),
                6 => Step::Credit(rng.gen_range(0..2), rng.gen_range(100..5_000)),
                7 => Step::Snapshot {
                    kind: EventKind::Updated,
                    total,
                    paid: rng.gen_range(0..total),
                    lifecycle: Lifecycle::Open,
                },
                8 => Step::Refund(rng.gen_range(100..5_000)),
                _ => {
                    if rng.gen_bool(0.3) {
                        Step::Voided
                    } else {
                        Step::Paid
                    }
                }
            });
        }
        out.insert(id.clone(), events(&id, &steps));
    }
    out
}

fn request(events: &[&InvoiceEvent]) -> WebhookRequest {
    http::Request::builder()
        .method("POST")
        .uri("/webhooks/stripe")
        .body(Bytes::from(serde_json::to_vec(events).unwrap()))
        .unwrap()
}

#[tokio::test]
async fn shuffled_history_with_failing_portal_ends_right() {
    let mut rng = StdRng::seed_from_u64(20_260_301);
    let by_invoice = history(&mut rng);
    let mut all: Vec<&InvoiceEvent> = by_invoice.values().flatten().collect();
    assert_eq!(all.len(), 200);
    all.shuffle(&mut rng);

    let journal = Arc::new(MemoryJournal::new());
    let clock = Arc::new(ManualClock::new(t0() + chrono::Duration::days(1)));
    let relay = Relay::builder(journal.clone())
        .source(Arc::new(JsonEvents::new()))
        .clock(clock.clone())
        .build();

    let mut applied = 0;
    for (i, e) in all.iter().enumerate() {
        let out = relay
            .ingest(Platform::Stripe, &request(&[e]), Route::default())
            .await
            .unwrap();
        applied += out.report.applied;
        if i % 7 == 0 {
            let again = relay
                .ingest(Platform::Stripe, &request(&[e]), Route::default())
                .await
                .unwrap();
            assert_eq!(again.report.duplicates, 1, "a re-delivery is deduplicated");
            assert_eq!(again.report.applied, 0);
        }
    }

    // Final states equal the in-order fold, whatever the arrival order.
    for (id, evs) in &by_invoice {
        let stored = journal.load(&key(id)).await.unwrap().expect("stored").state;
        assert_eq!(unversioned(&stored), unversioned(&fold(id, evs)), "{id}");
    }

    let sink = Arc::new(FlakySink::default());
    let worker = OutboxWorker::new(journal.clone(), sink.clone(), clock.clone())
        .policy(RetryPolicy {
            max_attempts: 5,
            first_backoff: Duration::from_secs(1),
            max_backoff: Duration::from_secs(60),
        })
        .jitter_seed(7);
    drain(&worker, &clock, &journal).await;

    let counts = journal.outbox_counts().await.unwrap();
    assert_eq!(counts.pending, 0);
    assert_eq!(
        counts.delivered + counts.dead_letter,
        u64::from(applied),
        "one update per applied event"
    );
    let dead = journal
        .outbox(OutboxStatus::DeadLetter, 1000)
        .await
        .unwrap();
    assert!(!dead.is_empty(), "some updates got a 400");
    assert!(
        dead.iter().all(|d| bucket(&d.update.id) == 2),
        "only 400s are dead-lettered"
    );

    // Stable ids, once each, in per-invoice order (before any replay).
    {
        let delivered = sink.delivered.lock().unwrap();
        let mut seen = std::collections::HashSet::new();
        let mut last_seq: HashMap<&str, u64> = HashMap::new();
        for u in delivered.iter() {
            assert!(seen.insert(u.id.clone()), "update {} delivered twice", u.id);
            let prev = last_seq.insert(&u.subject, u.data.sequence).unwrap_or(0);
            assert!(
                u.data.sequence > prev,
                "{}: sequence {} after {}",
                u.subject,
                u.data.sequence,
                prev
            );
        }
    }

    // The portal is fixed; an operator replays the dead letters.
    sink.healed.store(true, std::sync::atomic::Ordering::SeqCst);
    let replayed = journal
        .replay(&ReplayFilter::default(), clock.now())
        .await
        .unwrap();
    assert_eq!(replayed, dead.len() as u64);
    drain(&worker, &clock, &journal).await;
    let counts = journal.outbox_counts().await.unwrap();
    assert_eq!((counts.pending, counts.dead_letter), (0, 0));
    assert_eq!(counts.delivered, u64::from(applied));

    // The newest update of each invoice shows its final status.
    let delivered = sink.delivered.lock().unwrap().clone();
    for id in by_invoice.keys() {
        let state = journal.load(&key(id)).await.unwrap().unwrap().state;
        let newest = delivered
            .iter()
            .filter(|u| u.subject == state.key.to_string())
            .max_by_key(|u| u.data.sequence)
            .expect("delivered");
        assert_eq!(newest.data.sequence, state.version);
        assert_eq!(newest.data.invoice.status, state.portal_status().as_str());
        assert_eq!(newest.data.invoice.balance, state.balance.normalize());
    }

    // The audit chain verifies, and one flipped byte is pinpointed.
    let report = journal.verify_chain().await.unwrap();
    assert!(report.entries > 400);
    journal.tamper_audit(123, |e| e.record.detail.push('!'));
    match journal.verify_chain().await {
        Err(journal::JournalError::Chain(e)) => assert_eq!(e.seq(), 123),
        other => panic!("tamper not detected: {other:?}"),
    }
}

async fn drain(worker: &OutboxWorker, clock: &ManualClock, journal: &MemoryJournal) {
    for _ in 0..500 {
        worker.run_once().await.unwrap();
        if journal.outbox_counts().await.unwrap().pending == 0 {
            return;
        }
        clock.advance(chrono::Duration::seconds(61));
    }
    panic!("outbox did not drain");
}

/// The first commit attempt skips the dedup reads; a request that mixes a stored event with
/// a new one must still store the new one once and count the stored one as a duplicate.
#[tokio::test]
async fn a_request_with_one_stored_and_one_new_event_commits_the_new_one() {
    let mut rng = StdRng::seed_from_u64(7);
    let by_invoice = history(&mut rng);
    let evs = &by_invoice["inv03"];
    let journal = Arc::new(MemoryJournal::new());
    let relay = Relay::builder(journal.clone())
        .source(Arc::new(JsonEvents::new()))
        .clock(Arc::new(ManualClock::new(t0() + chrono::Duration::days(1))))
        .build();

    let first = relay
        .ingest(Platform::Stripe, &request(&[&evs[0]]), Route::default())
        .await
        .unwrap();
    assert_eq!((first.report.applied, first.report.duplicates), (1, 0));
    let outbox_after_first = journal.outbox_counts().await.unwrap().pending;

    let stored_and_new = request(&[&evs[0], &evs[1]]);
    let mixed = relay
        .ingest(Platform::Stripe, &stored_and_new, Route::default())
        .await
        .unwrap();
    assert_eq!(
        mixed.report.duplicates, 1,
        "the stored event is a duplicate"
    );
    assert_eq!(
        mixed.report.applied + mixed.report.ignored + mixed.report.anomalies,
        1,
        "the new event was processed once"
    );
    assert_eq!(
        mixed.report.conflicts, 0,
        "a refused first attempt is not a conflict"
    );
    let stored = journal.load(&key("inv03")).await.unwrap().expect("stored");
    assert_eq!(
        unversioned(&stored.state),
        unversioned(&fold("inv03", &evs[..2])),
        "state is the fold of both events, the first applied once"
    );
    let outbox_now = journal.outbox_counts().await.unwrap().pending;
    assert!(outbox_now <= outbox_after_first + 1);

    let again = relay
        .ingest(Platform::Stripe, &stored_and_new, Route::default())
        .await
        .unwrap();
    assert_eq!((again.report.duplicates, again.report.applied), (2, 0));
}
