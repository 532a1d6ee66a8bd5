//! Typed internal events: one struct per thing that happens. Each `emit` logs through
//! `tracing` and counts in [`Metrics`], with labels from [`labels`](super::labels) only.

use std::sync::Arc;

use invoice_core::relay::EnrichReport;
use invoice_core::{DeliveryAttempt, DeliveryObserver, IngestReport, Platform, WorkerReport};

use super::labels::{self, delivery, enrichment, outcome};
use super::Metrics;

/// Something that happened: logs and counts.
pub trait InternalEvent {
    /// Logs and counts the event.
    fn emit(self, metrics: &Metrics);
}

/// A webhook request arrived for a known platform.
#[derive(Debug)]
pub struct WebhookReceived {
    /// The platform.
    pub platform: Platform,
    /// Body size.
    pub bytes: usize,
}

impl InternalEvent for WebhookReceived {
    fn emit(self, m: &Metrics) {
        tracing::debug!(platform = %self.platform, bytes = self.bytes, "webhook received");
        m.received.inc(&[self.platform.slug()]);
    }
}

/// A webhook request was refused; nothing was applied.
#[derive(Debug)]
pub struct WebhookRejected<'a> {
    /// The platform, if the slug named one.
    pub platform: Option<Platform>,
    /// A [`labels::reason`] value.
    pub reason: &'static str,
    /// The HTTP status sent.
    pub status: u16,
    /// The error text (never holds secrets).
    pub message: &'a str,
}

impl InternalEvent for WebhookRejected<'_> {
    fn emit(self, m: &Metrics) {
        let platform = labels::platform(self.platform);
        if self.status >= 500 {
            tracing::error!(
                platform,
                reason = self.reason,
                status = self.status,
                error = self.message,
                "webhook not acknowledged"
            );
        } else {
            tracing::warn!(
                platform,
                reason = self.reason,
                status = self.status,
                error = self.message,
                "webhook rejected"
            );
        }
        m.rejected.inc(&[platform, self.reason]);
    }
}

/// Events were committed (by a webhook, the scheduler, enrichment or a replayed file).
#[derive(Debug)]
pub struct EventsCommitted {
    /// The platform, when one path serves one platform.
    pub platform: Option<Platform>,
    /// A [`labels::via`] value.
    pub via: &'static str,
    /// What the commit did.
    pub report: IngestReport,
}

impl InternalEvent for EventsCommitted {
    fn emit(self, m: &Metrics) {
        let platform = labels::platform(self.platform);
        let r = self.report;
        tracing::info!(
            platform,
            via = self.via,
            applied = r.applied,
            ignored = r.ignored,
            anomalies = r.anomalies,
            duplicates = r.duplicates,
            pending = r.pending,
            skipped = r.skipped,
            "committed"
        );
        for (o, n) in [
            (outcome::APPLIED, r.applied),
            (outcome::IGNORED, r.ignored),
            (outcome::ANOMALY, r.anomalies),
            (outcome::PENDING, r.pending),
            (outcome::SKIPPED, r.skipped),
        ] {
            if n > 0 {
                m.transitions.add(&[platform, self.via, o], u64::from(n));
            }
        }
        if r.duplicates > 0 {
            m.deduplicated.add(&[platform], u64::from(r.duplicates));
        }
    }
}

/// One delivery attempt finished.
#[derive(Debug)]
pub struct DeliveryAttempted<'a>(pub &'a DeliveryAttempt);

impl InternalEvent for DeliveryAttempted<'_> {
    fn emit(self, m: &Metrics) {
        let a = self.0;
        let secs = a.elapsed.as_secs_f64();
        m.delivery_latency.observe(secs);
        match &a.result {
            Ok(status) => {
                tracing::info!(update = %a.update_id, item = a.item_id, status, elapsed_ms = a.elapsed.as_millis() as u64, "update delivered");
                m.delivery_attempts.inc(&[delivery::DELIVERED]);
            }
            Err(e) if e.is_retryable() => {
                tracing::warn!(update = %a.update_id, item = a.item_id, error = %e, "delivery failed, will retry");
                m.delivery_attempts.inc(&[delivery::RETRYABLE]);
            }
            Err(e) => {
                tracing::warn!(update = %a.update_id, item = a.item_id, error = %e, "delivery refused by the portal");
                m.delivery_attempts.inc(&[delivery::PERMANENT]);
            }
        }
    }
}

/// An outbox pass finished.
#[derive(Debug)]
pub struct DeliveryPassCompleted(pub WorkerReport);

impl InternalEvent for DeliveryPassCompleted {
    fn emit(self, m: &Metrics) {
        let r = self.0;
        if r.dead_lettered > 0 {
            tracing::error!(
                dead_lettered = r.dead_lettered,
                "updates dead-lettered: see `invoice-relay dlq list`"
            );
            m.dead_letters.add(&[], u64::from(r.dead_lettered));
        }
    }
}

/// An enrichment pass finished.
#[derive(Debug)]
pub struct EnrichmentPassCompleted(pub EnrichReport);

impl InternalEvent for EnrichmentPassCompleted {
    fn emit(self, m: &Metrics) {
        let r = self.0;
        if r.resolved + r.retried + r.rejected == 0 {
            return;
        }
        tracing::info!(
            resolved = r.resolved,
            retried = r.retried,
            rejected = r.rejected,
            "enrichment pass"
        );
        for (label, n) in [
            (enrichment::RESOLVED, r.resolved),
            (enrichment::RETRIED, r.retried),
            (enrichment::REJECTED, r.rejected),
        ] {
            if n > 0 {
                m.enrichments.add(&[label], u64::from(n));
            }
        }
        EventsCommitted {
            platform: None,
            via: labels::via::ENRICHMENT,
            report: r.applied,
        }
        .emit(m);
    }
}

/// An overdue scheduler pass finished.
#[derive(Debug)]
pub struct OverduePassCompleted(pub IngestReport);

impl InternalEvent for OverduePassCompleted {
    fn emit(self, m: &Metrics) {
        m.overdue_runs.inc(&["ok"]);
        if self.0.applied + self.0.ignored + self.0.anomalies > 0 {
            EventsCommitted {
                platform: None,
                via: labels::via::OVERDUE,
                report: self.0,
            }
            .emit(m);
        }
    }
}

/// A background pass failed (store unavailable); it is tried again.
pub struct WorkerPassFailed<'a> {
    /// `outbox`, `enrichment` or `overdue`.
    pub worker: &'static str,
    /// The error.
    pub error: &'a dyn std::fmt::Display,
}

impl InternalEvent for WorkerPassFailed<'_> {
    fn emit(self, m: &Metrics) {
        tracing::error!(worker = self.worker, error = %self.error, "background pass failed");
        if self.worker == "overdue" {
            m.overdue_runs.inc(&["failed"]);
        }
    }
}

/// Feeds the outbox worker's attempts into the metrics.
#[derive(Debug, Clone)]
pub struct MetricsObserver(pub Arc<Metrics>);

impl DeliveryObserver for MetricsObserver {
    fn attempted(&self, attempt: &DeliveryAttempt) {
        DeliveryAttempted(attempt).emit(&self.0);
    }
}
