//! The outbox worker: claim due updates, deliver them through a [`PortalSink`], and record
//! the result in the journal (so retries survive restarts).

use std::sync::Arc;
use std::time::Duration;

use std::task::Poll;

use futures::future::{join_all, BoxFuture};
use futures::stream::{FuturesUnordered, StreamExt};
use rand::SeedableRng;

use crate::audit::{AuditAction, AuditRecord};
use crate::journal::{Journal, JournalError, OutboxItem};
use crate::{Clock, DeliveryError, PortalSink, RetryPolicy};

/// What one pass of the worker did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct WorkerReport {
    /// Items claimed.
    pub claimed: u32,
    /// Delivered (2xx or 409).
    pub delivered: u32,
    /// Failed and scheduled again.
    pub retried: u32,
    /// Given up on.
    pub dead_lettered: u32,
}

/// One delivery attempt's result, for observers (metrics, logs).
#[derive(Debug, Clone)]
pub struct DeliveryAttempt {
    /// The outbox item.
    pub item_id: i64,
    /// The update id.
    pub update_id: String,
    /// How long the sink took.
    pub elapsed: Duration,
    /// The result.
    pub result: Result<u16, DeliveryError>,
}

/// Receives each delivery attempt (the relay binary counts them for `/metrics`).
pub trait DeliveryObserver: Send + Sync + std::fmt::Debug {
    /// Called after every attempt.
    fn attempted(&self, attempt: &DeliveryAttempt);
}

/// Delivers the outbox.
#[derive(Debug, Clone)]
pub struct OutboxWorker {
    journal: Arc<dyn Journal>,
    sink: Arc<dyn PortalSink>,
    clock: Arc<dyn Clock>,
    policy: RetryPolicy,
    lease: Duration,
    batch: usize,
    observer: Option<Arc<dyn DeliveryObserver>>,
    seed: Option<u64>,
}

impl OutboxWorker {
    /// A worker with the default policy, a 60 s lease and batches of 64.
    pub fn new(
        journal: Arc<dyn Journal>,
        sink: Arc<dyn PortalSink>,
        clock: Arc<dyn Clock>,
    ) -> Self {
        OutboxWorker {
            journal,
            sink,
            clock,
            policy: RetryPolicy::default(),
            lease: Duration::from_secs(60),
            batch: 64,
            observer: None,
            seed: None,
        }
    }

    /// Sets the retry policy.
    pub fn policy(mut self, policy: RetryPolicy) -> Self {
        self.policy = policy;
        self
    }

    /// Sets the lease: a claim not finished within it is claimed again (crashed worker).
    pub fn lease(mut self, lease: Duration) -> Self {
        self.lease = lease;
        self
    }

    /// Sets how many invoices' updates are delivered concurrently per pass.
    pub fn batch(mut self, batch: usize) -> Self {
        self.batch = batch.max(1);
        self
    }

    /// Sets an observer of every attempt.
    pub fn observer(mut self, observer: Arc<dyn DeliveryObserver>) -> Self {
        self.observer = Some(observer);
        self
    }

    /// Seeds the jitter (tests that assert exact schedules).
    pub fn jitter_seed(mut self, seed: u64) -> Self {
        self.seed = Some(seed);
        self
    }

    /// One pass: claim up to `batch` due items (one per invoice, in sequence order) and
    /// deliver them concurrently.
    pub async fn run_once(&self) -> Result<WorkerReport, JournalError> {
        let now = self.clock.now();
        let items = self.journal.claim(self.batch, now, self.lease).await?;
        let mut report = WorkerReport {
            claimed: items.len() as u32,
            ..WorkerReport::default()
        };
        let attempts = join_all(items.into_iter().map(|item| self.attempt(item))).await;
        for r in attempts {
            match r? {
                Step::Delivered => report.delivered += 1,
                Step::Retried => report.retried += 1,
                Step::DeadLettered => report.dead_lettered += 1,
            }
        }
        Ok(report)
    }

    /// Delivers continuously until `shutdown` resolves: keeps up to `batch` attempts in
    /// flight, and claims more as soon as half of them have finished, so one slow portal
    /// request holds back only its own invoice, never a whole pass. Sleeps `idle` when
    /// nothing is due. `on_report` receives each claim (`claimed`) and each finished attempt
    /// (`delivered`, `retried` or `dead_lettered`). On shutdown no new item is claimed and
    /// the attempts in flight are finished first.
    ///
    /// A journal error is logged and retried after `idle`; an item whose completion could
    /// not be recorded comes back when its lease ends (delivery is at least once, and the
    /// portal drops a repeated update id).
    pub async fn run(
        &self,
        idle: Duration,
        shutdown: impl std::future::Future<Output = ()>,
        sleep: impl Fn(Duration) -> BoxFuture<'static, ()>,
        mut on_report: impl FnMut(WorkerReport),
    ) {
        futures::pin_mut!(shutdown);
        let mut in_flight = FuturesUnordered::new();
        let mut claiming: Option<BoxFuture<'_, Result<Vec<OutboxItem>, JournalError>>> = None;
        let mut pause: Option<BoxFuture<'static, ()>> = None;
        // The last claim found fewer items than it asked for (or failed): claim again only
        // once an attempt has finished (it may free its invoice's next update) or `idle`
        // has passed, never in a spin.
        let mut starved = false;
        let mut stopping = false;
        loop {
            let room = self.batch.saturating_sub(in_flight.len());
            let wants_more = room > 0 && (in_flight.is_empty() || room * 2 >= self.batch);
            if !stopping && claiming.is_none() && !starved && wants_more {
                let now = self.clock.now();
                claiming = Some(self.journal.claim(room, now, self.lease));
            }
            if stopping && claiming.is_none() && in_flight.is_empty() {
                return;
            }
            if starved && pause.is_none() && !stopping {
                pause = Some(sleep(idle));
            }
            let event = std::future::poll_fn(|cx| {
                if let Some(c) = claiming.as_mut() {
                    if let Poll::Ready(r) = c.as_mut().poll(cx) {
                        return Poll::Ready(Wake::Claimed(r));
                    }
                }
                if let Poll::Ready(Some(step)) = in_flight.poll_next_unpin(cx) {
                    return Poll::Ready(Wake::Finished(step));
                }
                if let Some(p) = pause.as_mut() {
                    if p.as_mut().poll(cx).is_ready() {
                        return Poll::Ready(Wake::Rested);
                    }
                }
                if !stopping && shutdown.as_mut().poll(cx).is_ready() {
                    return Poll::Ready(Wake::Stop);
                }
                Poll::Pending
            })
            .await;
            match event {
                Wake::Claimed(Ok(items)) => {
                    claiming = None;
                    starved = items.len() < room;
                    if !items.is_empty() {
                        on_report(WorkerReport {
                            claimed: items.len() as u32,
                            ..WorkerReport::default()
                        });
                    }
                    for item in items {
                        in_flight.push(self.attempt(item));
                    }
                }
                Wake::Claimed(Err(e)) => {
                    claiming = None;
                    starved = true;
                    tracing::error!(error = %e, "outbox claim failed; trying again after the idle interval");
                }
                Wake::Finished(step) => {
                    starved = false;
                    pause = None;
                    match step {
                        Ok(step) => on_report(step.report()),
                        Err(e) => {
                            tracing::error!(error = %e, "delivery result not recorded; the item comes back after its lease")
                        }
                    }
                }
                Wake::Rested => {
                    pause = None;
                    starved = false;
                }
                Wake::Stop => {
                    stopping = true;
                    pause = None;
                }
            }
        }
    }

    async fn attempt(&self, item: OutboxItem) -> Result<Step, JournalError> {
        let started = std::time::Instant::now();
        let result = self.sink.deliver(&item.update).await;
        if let Some(o) = &self.observer {
            o.attempted(&DeliveryAttempt {
                item_id: item.id,
                update_id: item.update.id.clone(),
                elapsed: started.elapsed(),
                result: result.as_ref().map(|r| r.status).map_err(Clone::clone),
            });
        }
        let now = self.clock.now();
        let record = |action, detail: String| AuditRecord {
            platform: Some(item.update.data.event.platform),
            invoice: Some(item.update.subject.clone()),
            customer: Some(item.update.data.invoice.customer.clone()),
            reference: Some(item.update.id.clone()),
            ..AuditRecord::new(now, action, detail)
        };
        let attempt_no = item.attempts.saturating_add(1);
        match result {
            Ok(receipt) => {
                let detail = format!(
                    "sequence {} delivered (HTTP {}{})",
                    item.update.data.sequence,
                    receipt.status,
                    if receipt.duplicate {
                        ", portal had it"
                    } else {
                        ""
                    }
                );
                self.journal
                    .complete(item.id, &receipt, record(AuditAction::Delivered, detail))
                    .await?;
                Ok(Step::Delivered)
            }
            Err(e) if e.is_retryable() && !self.policy.exhausted(attempt_no) => {
                let delay = match self.seed {
                    Some(seed) => {
                        let mut rng = rand::rngs::StdRng::seed_from_u64(seed ^ item.id as u64);
                        self.policy.delay(attempt_no, e.retry_after(), &mut rng)
                    }
                    None => self
                        .policy
                        .delay(attempt_no, e.retry_after(), &mut rand::thread_rng()),
                };
                let retry_at =
                    now + chrono::Duration::from_std(delay).unwrap_or(chrono::Duration::hours(6));
                self.journal.fail(item.id, &e.to_string(), retry_at).await?;
                Ok(Step::Retried)
            }
            Err(e) => {
                let detail = format!(
                    "sequence {} dead-lettered after {attempt_no} attempts: {e}",
                    item.update.data.sequence
                );
                self.journal
                    .dead_letter(
                        item.id,
                        &e.to_string(),
                        record(AuditAction::DeadLettered, detail),
                    )
                    .await?;
                Ok(Step::DeadLettered)
            }
        }
    }
}

enum Step {
    Delivered,
    Retried,
    DeadLettered,
}

impl Step {
    fn report(self) -> WorkerReport {
        let mut r = WorkerReport::default();
        match self {
            Step::Delivered => r.delivered = 1,
            Step::Retried => r.retried = 1,
            Step::DeadLettered => r.dead_lettered = 1,
        }
        r
    }
}

/// What woke the pipelined loop.
enum Wake<C, F> {
    Claimed(C),
    Finished(F),
    Rested,
    Stop,
}
