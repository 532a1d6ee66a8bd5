//! The outbox worker: claim due updates, deliver them through a [`PortalSink`], and record
//! the result in the journal (so retries survive restarts).

mod attempt;
mod pipeline;

use std::sync::Arc;
use std::time::Duration;

use futures::future::join_all;

use crate::journal::{Journal, JournalError};
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

impl WorkerReport {
    fn add(&mut self, step: attempt::Step) {
        match step {
            attempt::Step::Delivered => self.delivered += 1,
            attempt::Step::Retried => self.retried += 1,
            attempt::Step::DeadLettered => self.dead_lettered += 1,
        }
    }
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
    per_request: usize,
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
            per_request: 1,
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

    /// Sets how many invoices' updates are delivered concurrently (default 64).
    pub fn batch(mut self, batch: usize) -> Self {
        self.batch = batch.max(1);
        self
    }

    /// Sets how many updates (each of a different invoice) go in one request to the portal,
    /// through [`PortalSink::deliver_batch`] (default 1: one update per request). A group
    /// the portal refuses with a permanent error is split, and each update tried alone,
    /// so one bad update cannot dead-letter the others.
    pub fn updates_per_request(mut self, n: usize) -> Self {
        self.per_request = n.max(1);
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

    /// One pass: claim up to `batch` due items (one per invoice, in sequence order),
    /// deliver them concurrently and wait for all (tests and tools; a long-running relay
    /// uses [`run`](Self::run)).
    pub async fn run_once(&self) -> Result<WorkerReport, JournalError> {
        let now = self.clock.now();
        let items = self.journal.claim(self.batch, now, self.lease).await?;
        let mut report = WorkerReport {
            claimed: items.len() as u32,
            ..WorkerReport::default()
        };
        let groups = attempt::groups(items, self.per_request);
        let attempts = join_all(groups.into_iter().map(|g| self.attempt_group(g))).await;
        for step in attempts.into_iter().flatten() {
            report.add(step?);
        }
        Ok(report)
    }
}
