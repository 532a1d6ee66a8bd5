//! `/metrics`: the relay's counters and histograms, fed by typed internal events.

pub mod events;
pub mod labels;
mod registry;

pub use registry::{render_gauge, CounterVec, Histogram};

use invoice_core::journal::OutboxCounts;

/// Delivery latency buckets, seconds.
const LATENCY_BUCKETS: &[f64] = &[
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0,
];

/// Every metric of the process.
#[derive(Debug)]
pub struct Metrics {
    /// Requests received, by platform.
    pub received: CounterVec,
    /// Requests refused, by platform and reason.
    pub rejected: CounterVec,
    /// Events already committed before, by platform.
    pub deduplicated: CounterVec,
    /// Events committed, by platform, path and outcome.
    pub transitions: CounterVec,
    /// Delivery attempts, by result.
    pub delivery_attempts: CounterVec,
    /// Delivery latency.
    pub delivery_latency: Histogram,
    /// Updates dead-lettered.
    pub dead_letters: CounterVec,
    /// Enrichments, by result.
    pub enrichments: CounterVec,
    /// Overdue scheduler runs.
    pub overdue_runs: CounterVec,
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics {
            received: CounterVec::new(
                "invoice_relay_webhooks_received_total",
                "Webhook requests received, by platform.",
                &["platform"],
            ),
            rejected: CounterVec::new(
                "invoice_relay_webhooks_rejected_total",
                "Webhook requests refused (nothing applied), by platform and reason.",
                &["platform", "reason"],
            ),
            deduplicated: CounterVec::new(
                "invoice_relay_events_deduplicated_total",
                "Events or references already committed before, by platform.",
                &["platform"],
            ),
            transitions: CounterVec::new(
                "invoice_relay_transitions_total",
                "Events committed through the state machine, by platform, path and outcome.",
                &["platform", "via", "outcome"],
            ),
            delivery_attempts: CounterVec::new(
                "invoice_relay_delivery_attempts_total",
                "Portal delivery attempts, by result.",
                &["result"],
            ),
            delivery_latency: Histogram::new(
                "invoice_relay_delivery_duration_seconds",
                "Time one portal delivery attempt took.",
                LATENCY_BUCKETS,
            ),
            dead_letters: CounterVec::new(
                "invoice_relay_dead_letters_total",
                "Updates given up on by this process (see the outbox gauge for the backlog).",
                &[],
            ),
            enrichments: CounterVec::new(
                "invoice_relay_enrichments_total",
                "Thin references processed by the enrichment worker, by result.",
                &["result"],
            ),
            overdue_runs: CounterVec::new(
                "invoice_relay_overdue_runs_total",
                "Overdue scheduler passes, by result.",
                &["result"],
            ),
        }
    }
}

impl Metrics {
    /// The text exposition, with the outbox gauges sampled now (`None`: store down).
    pub fn render(&self, outbox: Option<OutboxCounts>, clock_offset_secs: f64) -> String {
        let mut out = String::new();
        self.received.render(&mut out);
        self.rejected.render(&mut out);
        self.deduplicated.render(&mut out);
        self.transitions.render(&mut out);
        self.delivery_attempts.render(&mut out);
        self.delivery_latency.render(&mut out);
        self.dead_letters.render(&mut out);
        self.enrichments.render(&mut out);
        self.overdue_runs.render(&mut out);
        if let Some(c) = outbox {
            render_gauge(
                &mut out,
                "invoice_relay_outbox_depth",
                "Outbox items by status (pending is the delivery backlog).",
                Some("status"),
                &[
                    ("pending", c.pending as f64),
                    ("delivered", c.delivered as f64),
                    ("dead_letter", c.dead_letter as f64),
                ],
            );
        }
        render_gauge(
            &mut out,
            "invoice_relay_store_up",
            "1 when the journal answered the outbox count at scrape time.",
            None,
            &[("", if outbox.is_some() { 1.0 } else { 0.0 })],
        );
        render_gauge(
            &mut out,
            "invoice_relay_clock_offset_seconds",
            "Offset of the relay's (possibly simulated) clock from the system clock.",
            None,
            &[("", clock_offset_secs)],
        );
        out
    }
}
