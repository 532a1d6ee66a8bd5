//! The enrichment worker's step: resolve thin references through the platform's API and
//! apply what comes back through the same path as webhooks.

use std::time::Duration;

use super::{IngestReport, Relay, RelayError};
use crate::audit::{AuditAction, AuditRecord};
use crate::journal::CommitBatch;
use crate::{EnrichError, Ingested, Reply};

/// What one enrichment pass did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct EnrichReport {
    /// References resolved and applied.
    pub resolved: u32,
    /// References that will be retried.
    pub retried: u32,
    /// References refused for good (kept in the audit log, never applied).
    pub rejected: u32,
    /// What applying the fetched events did.
    pub applied: IngestReport,
}

impl Relay {
    /// Claims up to `limit` due thin references and resolves each with its platform's
    /// [`Enricher`](crate::Enricher). Transient failures are retried with backoff (in the
    /// journal, so retries survive restarts); rejections are audited and dropped.
    pub async fn enrich_once(&self, limit: usize) -> Result<EnrichReport, RelayError> {
        let journal = &self.inner.journal;
        let now = self.inner.clock.now();
        let items = journal
            .claim_pending(limit, now, Duration::from_secs(120))
            .await?;
        let mut report = EnrichReport::default();
        for item in items {
            let r = &item.reference;
            let Some(enricher) = self.inner.enrichers.get(&r.platform) else {
                let retry_at = now + chrono::Duration::hours(1);
                journal
                    .fail_pending(item.id, "no enricher configured", retry_at)
                    .await?;
                report.retried += 1;
                continue;
            };
            match enricher.fetch(r).await {
                Ok(events) => {
                    let ingested = Ingested::events(r.tenant.clone(), events, Reply::ok());
                    let applied = self
                        .commit_ingested(r.platform, &ingested, None, Some(item.id))
                        .await?;
                    report.applied.applied += applied.applied;
                    report.applied.ignored += applied.ignored;
                    report.applied.anomalies += applied.anomalies;
                    report.applied.duplicates += applied.duplicates;
                    report.resolved += 1;
                }
                Err(EnrichError::Transient {
                    message,
                    retry_after_secs,
                }) if !self.inner.enrichment_retry.exhausted(item.attempts + 1) => {
                    let delay = self.inner.enrichment_retry.delay(
                        item.attempts + 1,
                        retry_after_secs.map(Duration::from_secs),
                        &mut rand::thread_rng(),
                    );
                    let retry_at = now
                        + chrono::Duration::from_std(delay).unwrap_or(chrono::Duration::hours(1));
                    journal.fail_pending(item.id, &message, retry_at).await?;
                    report.retried += 1;
                }
                Err(e) => {
                    let batch = CommitBatch {
                        audit: vec![AuditRecord {
                            platform: Some(r.platform),
                            tenant: Some(r.tenant.0.clone()),
                            reference: Some(r.event_id.clone()),
                            ..AuditRecord::new(now, AuditAction::Rejected, e.to_string())
                        }],
                        resolves_pending: Some(item.id),
                        ..CommitBatch::default()
                    };
                    journal.commit(batch).await?;
                    report.rejected += 1;
                }
            }
        }
        Ok(report)
    }
}
