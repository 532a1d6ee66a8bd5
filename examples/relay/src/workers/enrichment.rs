//! The enrichment loop: resolve thin references through the platforms' APIs.

use std::sync::Arc;
use std::time::Duration;

use invoice_core::Relay;

use super::Stop;
use crate::metrics::events::{EnrichmentPassCompleted, InternalEvent, WorkerPassFailed};
use crate::metrics::Metrics;

/// References claimed per pass.
const BATCH: usize = 16;

/// Runs until stopped; a pass in progress is finished first.
pub async fn run(relay: Relay, poll: Duration, metrics: Arc<Metrics>, mut stop: Stop) {
    loop {
        if stop.requested() {
            return;
        }
        let idle = match relay.enrich_once(BATCH).await {
            Ok(r) => {
                let idle = r.resolved + r.retried + r.rejected == 0;
                EnrichmentPassCompleted(r).emit(&metrics);
                idle
            }
            Err(e) => {
                WorkerPassFailed {
                    worker: "enrichment",
                    error: &e,
                }
                .emit(&metrics);
                true
            }
        };
        if idle && stop.sleep(poll).await {
            return;
        }
    }
}
