//! One delivery attempt (of one update, or of a group in one request) and how its result
//! is recorded in the journal.

use futures::future::join_all;
use rand::SeedableRng;

use super::{DeliveryAttempt, OutboxWorker, WorkerReport};
use crate::audit::{AuditAction, AuditRecord};
use crate::journal::{JournalError, OutboxItem};
use crate::{DeliveryError, PortalUpdate, Receipt};

/// What became of one outbox item.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Step {
    Delivered,
    Retried,
    DeadLettered,
}

impl Step {
    /// A report of this one step.
    pub(super) fn report(self) -> WorkerReport {
        let mut r = WorkerReport::default();
        r.add(self);
        r
    }
}

/// Splits claimed items into groups of at most `per_request`, each sent in one request.
pub(super) fn groups<T>(items: Vec<T>, per_request: usize) -> Vec<Vec<T>> {
    let mut out = Vec::with_capacity(items.len().div_ceil(per_request.max(1)));
    let mut items = items.into_iter().peekable();
    while items.peek().is_some() {
        out.push(items.by_ref().take(per_request.max(1)).collect());
    }
    out
}

impl OutboxWorker {
    /// Delivers a group (one request when it has several members) and records each
    /// member's result.
    pub(super) async fn attempt_group(
        &self,
        mut items: Vec<OutboxItem>,
    ) -> Vec<Result<Step, JournalError>> {
        if items.len() == 1 {
            if let Some(item) = items.pop() {
                return vec![self.attempt(item).await];
            }
        }
        if items.is_empty() {
            return Vec::new();
        }
        let updates: Vec<PortalUpdate> = items.iter().map(|i| i.update.clone()).collect();
        let started = std::time::Instant::now();
        let result = self.sink.deliver_batch(&updates).await;
        for item in &items {
            self.observe(item, started, &result);
        }
        match result {
            // The portal refused the request as a whole: find the update it refuses by
            // trying each alone, so the others are not dead-lettered with it.
            Err(DeliveryError::Permanent { .. }) => {
                join_all(items.into_iter().map(|item| self.attempt(item))).await
            }
            result => {
                join_all(
                    items
                        .into_iter()
                        .map(|item| self.settle(item, result.clone())),
                )
                .await
            }
        }
    }

    /// Delivers one update and records the result.
    pub(super) async fn attempt(&self, item: OutboxItem) -> Result<Step, JournalError> {
        let started = std::time::Instant::now();
        let result = self.sink.deliver(&item.update).await;
        self.observe(&item, started, &result);
        self.settle(item, result).await
    }

    fn observe(
        &self,
        item: &OutboxItem,
        started: std::time::Instant,
        result: &Result<Receipt, DeliveryError>,
    ) {
        if let Some(o) = &self.observer {
            o.attempted(&DeliveryAttempt {
                item_id: item.id,
                update_id: item.update.id.clone(),
                elapsed: started.elapsed(),
                result: result.as_ref().map(|r| r.status).map_err(Clone::clone),
            });
        }
    }

    /// Records an attempt's result: delivered, due again after a backoff, or dead-lettered.
    async fn settle(
        &self,
        item: OutboxItem,
        result: Result<Receipt, DeliveryError>,
    ) -> Result<Step, JournalError> {
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

#[cfg(test)]
mod tests {
    use super::groups;

    #[test]
    fn groups_keep_claim_order_and_size() {
        let sizes = |n: usize, per: usize| -> Vec<usize> {
            let items: Vec<usize> = (0..n).collect();
            let g = groups(items, per);
            assert_eq!(g.concat(), (0..n).collect::<Vec<_>>(), "claim order kept");
            g.iter().map(Vec::len).collect()
        };
        assert_eq!(sizes(0, 4), Vec::<usize>::new());
        assert_eq!(sizes(5, 1), [1, 1, 1, 1, 1]);
        assert_eq!(sizes(10, 4), [4, 4, 2]);
        assert_eq!(sizes(3, 0), [1, 1, 1]);
    }
}
