//! Starting and stopping the service: listener, router, workers, graceful shutdown.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use invoice_core::journal::Journal;
use invoice_core::{PortalSink, Relay};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::app::{self, AppError};
use crate::config::Settings;
use crate::metrics::Metrics;
use crate::server::{self, AppState, InFlight};
use crate::workers::Workers;

/// A running relay.
#[derive(Debug)]
pub struct Running {
    /// The bound address.
    pub addr: SocketAddr,
    /// The pipeline.
    pub relay: Relay,
    /// Counters.
    pub metrics: Arc<Metrics>,
    server: JoinHandle<std::io::Result<()>>,
    stop_server: oneshot::Sender<()>,
    workers: Workers,
    inflight: InFlight,
    shutdown_timeout: Duration,
}

/// Binds `addr` (errors name it).
pub async fn bind(addr: SocketAddr) -> Result<tokio::net::TcpListener, AppError> {
    tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|e| AppError::io(format!("cannot listen on {addr}"), e))
}

/// Builds the relay over `journal` and starts the receiver on `listener` and the workers
/// (the outbox worker only when `sink` is given).
pub async fn start(
    settings: &Settings,
    listener: tokio::net::TcpListener,
    journal: Arc<dyn Journal>,
    sink: Option<Arc<dyn PortalSink>>,
) -> Result<Running, AppError> {
    app::announce_clock(settings.clock);
    let clock = app::clock(settings.clock);
    let relay = app::build_relay(settings, journal, clock)?;
    if relay.platforms().is_empty() {
        tracing::warn!("no [sources.<slug>] enabled: every webhook will get 404");
    }
    let metrics = Arc::new(Metrics::default());
    let inflight = InFlight::default();
    let state = AppState {
        relay: relay.clone(),
        metrics: metrics.clone(),
        inflight: inflight.clone(),
        max_body_bytes: settings.max_body_bytes,
        public_base_url: settings.public_base_url.clone(),
        clock: settings.clock,
    };
    let addr = listener
        .local_addr()
        .map_err(|e| AppError::io("cannot read the bound address", e))?;
    let router = server::router(state, settings.request_timeout);
    let (stop_server, stopped) = oneshot::channel::<()>();
    let server = tokio::spawn(async move {
        axum::serve(listener, router)
            .with_graceful_shutdown(async {
                let _ = stopped.await;
            })
            .await
    });
    let workers = Workers::spawn(&relay, sink, settings, metrics.clone());
    let platforms: Vec<&str> = relay.platforms().iter().map(|p| p.slug()).collect();
    tracing::info!(%addr, sources = ?platforms, "invoice-relay listening");
    Ok(Running {
        addr,
        relay,
        metrics,
        server,
        stop_server,
        workers,
        inflight,
        shutdown_timeout: settings.shutdown_timeout,
    })
}

impl Running {
    /// Graceful shutdown: stop accepting, let in-flight requests and their commits
    /// finish, then let the workers finish their current passes (deliveries included).
    pub async fn shutdown(self) {
        tracing::info!("shutting down: no new connections");
        let deadline = tokio::time::Instant::now() + self.shutdown_timeout;
        let _ = self.stop_server.send(());
        match tokio::time::timeout_at(deadline, self.server).await {
            Ok(Ok(Ok(()))) => {}
            Ok(Ok(Err(e))) => tracing::error!(error = %e, "server error during shutdown"),
            Ok(Err(e)) => tracing::error!(error = %e, "server task failed"),
            Err(_) => tracing::warn!("open connections did not finish in time"),
        }
        let left = deadline.saturating_duration_since(tokio::time::Instant::now());
        if !self.inflight.drained(left).await {
            tracing::warn!(
                in_flight = self.inflight.count(),
                "commits still running at the deadline; unacknowledged requests will be retried by their platforms"
            );
        }
        let left = deadline.saturating_duration_since(tokio::time::Instant::now());
        self.workers.stop(left.max(Duration::from_secs(1))).await;
        tracing::info!("stopped");
    }
}

/// Resolves on Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            futures::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => futures::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = futures::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => tracing::info!("interrupt received"),
        _ = term => tracing::info!("SIGTERM received"),
    }
}
