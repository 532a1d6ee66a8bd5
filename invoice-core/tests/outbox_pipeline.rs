//! `OutboxWorker::run`, the continuous delivery loop: a portal request that hangs holds back
//! only its own invoice, updates of one invoice still go out in sequence order, and shutdown
//! finishes what is in flight.
#![allow(missing_docs, clippy::unwrap_used)]

mod common;

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use common::history::{events, key, Step};
use futures::future::BoxFuture;
use invoice_core::journal::{Journal, MemoryJournal, OutboxStatus};
use invoice_core::*;

/// Records deliveries in arrival order; the invoice named `hang` waits until released.
#[derive(Debug, Default)]
struct GatedSink {
    hang: String,
    released: AtomicBool,
    release: tokio::sync::Notify,
    delivered: Mutex<Vec<(String, u64)>>,
}

#[async_trait]
impl PortalSink for GatedSink {
    async fn deliver(&self, u: &PortalUpdate) -> Result<Receipt, DeliveryError> {
        if u.subject.ends_with(&self.hang) && !self.released.load(Ordering::SeqCst) {
            self.release.notified().await;
        }
        self.delivered
            .lock()
            .unwrap()
            .push((u.subject.clone(), u.data.sequence));
        Ok(Receipt {
            status: 200,
            duplicate: false,
        })
    }
}

fn history_steps() -> Vec<Step> {
    vec![
        Step::Snapshot {
            kind: EventKind::Issued,
            total: 10_000,
            paid: 0,
            lifecycle: Lifecycle::Open,
        },
        Step::Payment(2_000),
        Step::Payment(3_000),
        Step::Paid,
    ]
}

fn history(id: &str) -> Vec<InvoiceEvent> {
    events(id, &history_steps())
}

async fn relay_with_backlog(invoices: usize) -> (Relay, Arc<MemoryJournal>) {
    let journal = Arc::new(MemoryJournal::new());
    let relay = Relay::builder(journal.clone()).build();
    for n in 0..invoices {
        let report = relay
            .apply_events(
                Platform::Stripe,
                TenantId::from("acct_test"),
                history(&format!("inv{n:02}")),
            )
            .await
            .unwrap();
        assert_eq!(report.applied, 4);
    }
    (relay, journal)
}

fn sleep(d: Duration) -> BoxFuture<'static, ()> {
    Box::pin(tokio::time::sleep(d))
}

/// Starts `worker.run` (5 ms idle poll); send on the returned channel to stop it.
fn spawn_run(
    worker: OutboxWorker,
    on_report: impl FnMut(WorkerReport) + Send + 'static,
) -> (
    tokio::sync::oneshot::Sender<()>,
    tokio::task::JoinHandle<()>,
) {
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let run = tokio::spawn(async move {
        worker
            .run(
                Duration::from_millis(5),
                async {
                    let _ = stop_rx.await;
                },
                sleep,
                on_report,
            )
            .await;
    });
    (stop_tx, run)
}

#[tokio::test]
async fn a_hung_delivery_holds_back_only_its_own_invoice() {
    let (_relay, journal) = relay_with_backlog(10).await;
    let sink = Arc::new(GatedSink {
        hang: "inv03".into(),
        ..GatedSink::default()
    });
    let worker = OutboxWorker::new(journal.clone(), sink.clone(), Arc::new(SystemClock)).batch(4);
    let reports = Arc::new(Mutex::new(WorkerReport::default()));
    let seen = reports.clone();
    let (stop_tx, run) = spawn_run(worker, move |r| {
        let mut s = seen.lock().unwrap();
        s.claimed += r.claimed;
        s.delivered += r.delivered;
        s.retried += r.retried;
        s.dead_lettered += r.dead_lettered;
    });

    // With a window of 4 and one slot held by inv03's first update, the other nine
    // invoices' 36 updates all go out while inv03 waits.
    let others = 36;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while sink.delivered.lock().unwrap().len() < others {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the other invoices stalled behind the hung delivery: {} of {others}",
            sink.delivered.lock().unwrap().len()
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    assert!(sink
        .delivered
        .lock()
        .unwrap()
        .iter()
        .all(|(s, _)| !s.ends_with("inv03")));

    // Release it, ask to stop: inv03's first update finishes, and its later updates are
    // either delivered before the stop or left pending for the next run, never lost.
    sink.released.store(true, Ordering::SeqCst);
    sink.release.notify_waiters();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while !sink
        .delivered
        .lock()
        .unwrap()
        .iter()
        .any(|(s, _)| s.ends_with("inv03"))
    {
        assert!(
            tokio::time::Instant::now() < deadline,
            "inv03 never delivered"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    stop_tx.send(()).unwrap();
    tokio::time::timeout(Duration::from_secs(10), run)
        .await
        .unwrap()
        .unwrap();

    let delivered = sink.delivered.lock().unwrap().clone();
    let counts = journal.outbox_counts().await.unwrap();
    let r = *reports.lock().unwrap();
    assert_eq!(r.delivered as usize, delivered.len());
    assert_eq!(r.claimed, r.delivered, "every claimed item was finished");
    assert_eq!(counts.delivered as usize, delivered.len());
    assert_eq!(counts.delivered + counts.pending, 40);

    // Per invoice, sequence order, each once.
    let mut by_invoice: HashMap<String, Vec<u64>> = HashMap::new();
    for (s, seq) in delivered {
        by_invoice.entry(s).or_default().push(seq);
    }
    for (subject, seqs) in by_invoice {
        let mut sorted = seqs.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(seqs, sorted, "{subject} out of order or repeated");
    }
}

#[tokio::test]
async fn runs_until_the_backlog_is_gone_then_idles_and_stops() {
    let (_relay, journal) = relay_with_backlog(25).await;
    let sink = Arc::new(GatedSink {
        hang: "none".into(),
        ..GatedSink::default()
    });
    let worker = OutboxWorker::new(journal.clone(), sink.clone(), Arc::new(SystemClock)).batch(8);
    let (stop_tx, run) = spawn_run(worker, |_| {});
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while journal.outbox_counts().await.unwrap().delivered < 100 {
        assert!(
            tokio::time::Instant::now() < deadline,
            "backlog not drained"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    // Idle now; a new update is picked up by the idle poll.
    // The fifth step of inv00's history (a refund after it was paid) arrives late.
    let mut steps = history_steps();
    steps.push(Step::Refund(500));
    let late = events("inv00", &steps).pop().unwrap();
    assert_eq!(late.key, key("inv00"));
    let relay = Relay::builder(journal.clone()).build();
    let report = relay
        .apply_events(Platform::Stripe, TenantId::from("acct_test"), vec![late])
        .await
        .unwrap();
    assert_eq!(report.applied, 1);
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while journal.outbox_counts().await.unwrap().delivered < 101 {
        assert!(
            tokio::time::Instant::now() < deadline,
            "late update not picked up"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    stop_tx.send(()).unwrap();
    tokio::time::timeout(Duration::from_secs(10), run)
        .await
        .unwrap()
        .unwrap();
    let items = journal.outbox(OutboxStatus::Pending, 10).await.unwrap();
    assert!(items.is_empty());
}

/// Accepts batches, except one that holds the update the portal refuses (400).
#[derive(Debug, Default)]
struct BatchPortal {
    refused_subject: String,
    requests: Mutex<Vec<Vec<String>>>,
    delivered: Mutex<Vec<String>>,
}

impl BatchPortal {
    fn answer(&self, updates: &[PortalUpdate]) -> Result<Receipt, DeliveryError> {
        self.requests
            .lock()
            .unwrap()
            .push(updates.iter().map(|u| u.id.clone()).collect());
        if updates
            .iter()
            .any(|u| u.subject.ends_with(&self.refused_subject) && u.data.sequence == 1)
        {
            return Err(DeliveryError::Permanent {
                message: "400 bad request".into(),
                status: Some(400),
            });
        }
        self.delivered
            .lock()
            .unwrap()
            .extend(updates.iter().map(|u| u.id.clone()));
        Ok(Receipt {
            status: 200,
            duplicate: false,
        })
    }
}

#[async_trait]
impl PortalSink for BatchPortal {
    async fn deliver(&self, u: &PortalUpdate) -> Result<Receipt, DeliveryError> {
        self.answer(std::slice::from_ref(u))
    }
    async fn deliver_batch(&self, updates: &[PortalUpdate]) -> Result<Receipt, DeliveryError> {
        self.answer(updates)
    }
}

#[tokio::test]
async fn updates_go_in_groups_and_a_refused_group_is_split() {
    let (_relay, journal) = relay_with_backlog(10).await;
    let sink = Arc::new(BatchPortal {
        refused_subject: "inv04".into(),
        ..BatchPortal::default()
    });
    let worker = OutboxWorker::new(journal.clone(), sink.clone(), Arc::new(SystemClock))
        .batch(8)
        .updates_per_request(4);
    let (stop_tx, run) = spawn_run(worker, |_| {});
    // inv04's first update is refused: it is dead-lettered, and with it waiting its
    // invoice's later updates stay pending (per-invoice order). Everything else arrives.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        let c = journal.outbox_counts().await.unwrap();
        if c.delivered + c.dead_letter >= 37 {
            break;
        }
        assert!(tokio::time::Instant::now() < deadline, "stalled at {c:?}");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    stop_tx.send(()).unwrap();
    tokio::time::timeout(Duration::from_secs(10), run)
        .await
        .unwrap()
        .unwrap();

    let counts = journal.outbox_counts().await.unwrap();
    assert_eq!(counts.dead_letter, 1, "only the refused update: {counts:?}");
    let dead = journal.outbox(OutboxStatus::DeadLetter, 10).await.unwrap();
    assert!(dead[0].update.subject.ends_with("inv04"));
    assert_eq!(dead[0].update.data.sequence, 1);
    let requests = sink.requests.lock().unwrap().clone();
    assert!(requests.iter().all(|r| r.len() <= 4), "{requests:?}");
    assert!(
        requests.iter().any(|r| r.len() > 1),
        "updates were grouped: {requests:?}"
    );
    // The refused group was retried member by member.
    let refused_id = &dead[0].update.id;
    let alone = requests
        .iter()
        .filter(|r| r.len() == 1 && &r[0] == refused_id)
        .count();
    assert_eq!(alone, 1, "the refused update was tried alone once");
    let delivered = sink.delivered.lock().unwrap().clone();
    assert_eq!(delivered.len() as u64, counts.delivered);
    assert!(!delivered.contains(refused_id));
}

#[tokio::test]
async fn the_default_batch_delivery_sends_one_by_one() {
    let (_relay, journal) = relay_with_backlog(3).await;
    let sink = Arc::new(GatedSink {
        hang: "none".into(),
        ..GatedSink::default()
    });
    let worker = OutboxWorker::new(journal.clone(), sink.clone(), Arc::new(SystemClock))
        .updates_per_request(3);
    for _ in 0..4 {
        let r = worker.run_once().await.unwrap();
        assert_eq!(r.delivered, 3);
    }
    assert_eq!(sink.delivered.lock().unwrap().len(), 12);
    assert_eq!(journal.outbox_counts().await.unwrap().delivered, 12);
}
