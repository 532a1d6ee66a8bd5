//! The overdue scheduler: evaluate the rules at start-up and then on a fixed interval.
//! Idempotent across restarts: each level's event id is derived from the invoice and the
//! level, so a second evaluation is deduplicated by the journal.

use std::sync::Arc;
use std::time::Duration;

use invoice_core::Relay;

use super::Stop;
use crate::metrics::events::{InternalEvent, OverduePassCompleted, WorkerPassFailed};
use crate::metrics::Metrics;

/// Runs until stopped.
pub async fn run(relay: Relay, interval: Duration, metrics: Arc<Metrics>, mut stop: Stop) {
    loop {
        match relay.run_overdue().await {
            Ok(r) => OverduePassCompleted(r).emit(&metrics),
            Err(e) => WorkerPassFailed {
                worker: "overdue",
                error: &e,
            }
            .emit(&metrics),
        }
        if stop.sleep(interval).await {
            return;
        }
    }
}
