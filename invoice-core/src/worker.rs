//! The outbox worker: claim due updates, deliver them through a [`PortalSink`], and record
//! the result in the journal (so retries survive restarts).

use std::sync::Arc;
use std::time::Duration;

use futures::future::join_all;
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

    /// Runs passes until `shutdown` resolves, sleeping `idle` when nothing is due. The
    /// pass in progress when shutdown comes is finished first.
    pub async fn run(
        &self,
        idle: Duration,
        shutdown: impl std::future::Future<Output = ()>,
        sleep: impl Fn(Duration) -> futures::future::BoxFuture<'static, ()>,
    ) {
        futures::pin_mut!(shutdown);
        loop {
            let report = match self.run_once().await {
                Ok(r) => r,
                Err(e) => {
                    tracing::warn!(error = %e, "outbox pass failed");
                    WorkerReport::default()
                }
            };
            if report.claimed == 0 {
                let pause = sleep(idle);
                futures::pin_mut!(pause);
                if let futures::future::Either::Left(_) =
                    futures::future::select(&mut shutdown, pause).await
                {
                    return;
                }
            } else if futures::poll!(&mut shutdown).is_ready() {
                return;
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
