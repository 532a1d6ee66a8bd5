//! Background work in the same process: the outbox worker, the enrichment worker and the
//! overdue scheduler. Each finishes the pass it is in when asked to stop.

mod enrichment;
mod outbox;
mod overdue;

use std::sync::Arc;
use std::time::Duration;

use invoice_core::{PortalSink, Relay};
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::config::Settings;
use crate::metrics::Metrics;

/// The running background tasks.
#[derive(Debug)]
pub struct Workers {
    stop: watch::Sender<bool>,
    handles: Vec<(&'static str, JoinHandle<()>)>,
}

/// A receiver that tells a worker to stop.
#[derive(Debug, Clone)]
pub struct Stop(watch::Receiver<bool>);

impl Stop {
    /// True once stop was requested.
    pub fn requested(&self) -> bool {
        *self.0.borrow()
    }

    /// Resolves once stop is requested.
    pub async fn wait(&mut self) {
        let _ = self.0.wait_for(|v| *v).await;
    }

    /// Sleeps `d`, or less if stop is requested; true when stop was requested.
    pub async fn sleep(&mut self, d: Duration) -> bool {
        let stopped = tokio::select! {
            _ = tokio::time::sleep(d) => false,
            _ = self.0.wait_for(|v| *v) => true,
        };
        stopped || self.requested()
    }
}

impl Workers {
    /// Starts the outbox worker (when `sink` is given), the enrichment worker and the
    /// overdue scheduler (which runs once at once, then every interval).
    pub fn spawn(
        relay: &Relay,
        sink: Option<Arc<dyn PortalSink>>,
        settings: &Settings,
        metrics: Arc<Metrics>,
    ) -> Workers {
        let (tx, rx) = watch::channel(false);
        let mut handles = Vec::new();
        if let Some(sink) = sink {
            handles.push((
                "outbox",
                tokio::spawn(outbox::run(
                    relay.clone(),
                    sink,
                    settings.delivery,
                    metrics.clone(),
                    Stop(rx.clone()),
                )),
            ));
        }
        handles.push((
            "enrichment",
            tokio::spawn(enrichment::run(
                relay.clone(),
                settings.delivery.poll_interval,
                metrics.clone(),
                Stop(rx.clone()),
            )),
        ));
        handles.push((
            "overdue",
            tokio::spawn(overdue::run(
                relay.clone(),
                settings.overdue_interval,
                metrics,
                Stop(rx),
            )),
        ));
        Workers { stop: tx, handles }
    }

    /// Asks every worker to stop after its current pass and waits up to `limit`.
    pub async fn stop(self, limit: Duration) {
        let _ = self.stop.send(true);
        let deadline = tokio::time::Instant::now() + limit;
        for (name, handle) in self.handles {
            match tokio::time::timeout_at(deadline, handle).await {
                Ok(_) => tracing::info!(worker = name, "worker stopped"),
                Err(_) => tracing::warn!(
                    worker = name,
                    "worker did not finish its pass in time; its claims come back after the lease"
                ),
            }
        }
    }
}
