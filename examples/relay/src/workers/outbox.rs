//! The outbox loop: deliver due updates, sleep when there are none.

use std::sync::Arc;
use std::time::Duration;

use invoice_core::{OutboxWorker, PortalSink, Relay};

use super::Stop;
use crate::config::DeliverySettings;
use crate::metrics::events::{
    DeliveryPassCompleted, InternalEvent, MetricsObserver, WorkerPassFailed,
};
use crate::metrics::Metrics;

/// Runs until stopped; a pass in progress is finished first.
pub async fn run(
    relay: Relay,
    sink: Arc<dyn PortalSink>,
    delivery: DeliverySettings,
    metrics: Arc<Metrics>,
    mut stop: Stop,
) {
    // A claim must outlive the slowest attempt, or another pass could take it again.
    let lease = (delivery.timeout * 4).max(Duration::from_secs(60));
    let worker = OutboxWorker::new(relay.journal().clone(), sink, relay.clock().clone())
        .policy(delivery.policy)
        .batch(delivery.concurrency)
        .lease(lease)
        .observer(Arc::new(MetricsObserver(metrics.clone())));
    loop {
        if stop.requested() {
            return;
        }
        let idle = match worker.run_once().await {
            Ok(report) => {
                let idle = report.claimed == 0;
                DeliveryPassCompleted(report).emit(&metrics);
                idle
            }
            Err(e) => {
                WorkerPassFailed {
                    worker: "outbox",
                    error: &e,
                }
                .emit(&metrics);
                true
            }
        };
        if idle && stop.sleep(delivery.poll_interval).await {
            return;
        }
    }
}
