//! The outbox loop: deliver due updates continuously (up to `delivery.concurrency` in
//! flight), sleep when there are none.

use std::sync::Arc;
use std::time::Duration;

use invoice_core::{OutboxWorker, PortalSink, Relay};

use super::Stop;
use crate::config::DeliverySettings;
use crate::metrics::events::{DeliveryPassCompleted, InternalEvent, MetricsObserver};
use crate::metrics::Metrics;

/// Runs until stopped; the deliveries in flight are finished first.
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
        .updates_per_request(delivery.updates_per_request)
        .lease(lease)
        .observer(Arc::new(MetricsObserver(metrics.clone())));
    let shutdown = async move { stop.wait().await };
    let sleep = |d: Duration| -> futures::future::BoxFuture<'static, ()> {
        Box::pin(tokio::time::sleep(d))
    };
    worker
        .run(delivery.poll_interval, shutdown, sleep, |report| {
            DeliveryPassCompleted(report).emit(&metrics)
        })
        .await;
}
