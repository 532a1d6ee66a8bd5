//! Building the router and running the server (standalone or inside the relay).

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use axum::Router;
use invoice_core::Clock;
use portal_client::verify::Verifier;
use tokio::net::TcpListener;
use tokio::sync::{oneshot, watch};
use tokio::task::JoinHandle;

use crate::config::DemoPortalConfig;
use crate::error::DemoPortalError;
use crate::live::{self, Live};
use crate::store::Store;
use crate::{ingest, pages};

/// Shared by every handler.
#[derive(Clone)]
pub(crate) struct AppState {
    pub store: Store,
    pub verifier: Arc<Verifier>,
    pub clock: Arc<dyn Clock>,
    pub live: Live,
    pub title: Arc<str>,
    /// Set to true when the server shuts down; live streams end then.
    pub shutdown: Arc<watch::Sender<bool>>,
}

fn build(config: &DemoPortalConfig) -> Result<(Router, Arc<watch::Sender<bool>>), DemoPortalError> {
    let keys: Vec<&str> = config.public_keys.iter().map(String::as_str).collect();
    let verifier = Verifier::new(&config.secrets)?
        .with_public_keys(&keys)?
        .with_tolerance_secs(config.tolerance_secs);
    let store = Store::open(&config.db_path)?;
    let shutdown = Arc::new(watch::channel(false).0);
    let state = AppState {
        store,
        verifier: Arc::new(verifier),
        clock: Arc::clone(&config.clock),
        live: Live::new(),
        title: Arc::from(config.title.as_str()),
        shutdown: Arc::clone(&shutdown),
    };
    let router = Router::new()
        .route("/", get(pages::customers::page))
        .route("/customers/{id}", get(pages::customer::page))
        .route("/invoices/{id}", get(pages::invoice::page))
        .route("/live", get(live::events))
        .route("/healthz", get(|| async { "ok" }))
        .route(
            "/invoice-events",
            post(ingest::receive).layer(DefaultBodyLimit::max(config.max_body_bytes)),
        )
        .fallback(pages::not_found)
        .with_state(state);
    Ok((router, shutdown))
}

/// The portal's routes, for embedding in another axum app or wrapping in middleware.
/// Opens (and creates) the database.
pub fn router(config: &DemoPortalConfig) -> Result<Router, DemoPortalError> {
    Ok(build(config)?.0)
}

/// Serves the portal on `listener` until the process ends.
pub async fn serve(listener: TcpListener, config: DemoPortalConfig) -> Result<(), DemoPortalError> {
    serve_with_shutdown(listener, config, std::future::pending()).await
}

/// Serves the portal on `listener` until `signal` completes, then finishes the requests
/// in flight (live-refresh streams are closed) and returns.
pub async fn serve_with_shutdown(
    listener: TcpListener,
    config: DemoPortalConfig,
    signal: impl Future<Output = ()> + Send + 'static,
) -> Result<(), DemoPortalError> {
    let (router, tx) = build(&config)?;
    axum::serve(listener, router)
        .with_graceful_shutdown(async move {
            signal.await;
            let _ = tx.send(true);
        })
        .await?;
    Ok(())
}

/// Starts the portal on `listener` as a task of the current tokio runtime and returns at
/// once. The database is opened before this returns, so configuration errors surface here.
pub fn spawn(
    listener: TcpListener,
    config: DemoPortalConfig,
) -> Result<DemoPortalHandle, DemoPortalError> {
    let addr = listener.local_addr()?;
    let (router, tx) = build(&config)?;
    let (stop_tx, stop_rx) = oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        axum::serve(listener, router)
            .with_graceful_shutdown(async move {
                let _ = stop_rx.await;
                let _ = tx.send(true);
            })
            .await
            .map_err(DemoPortalError::from)
    });
    Ok(DemoPortalHandle {
        addr,
        stop: Some(stop_tx),
        task,
    })
}

/// A running portal started by [`spawn`]. Dropping the handle leaves it running until the
/// runtime shuts down; call [`shutdown`](DemoPortalHandle::shutdown) to stop it.
#[derive(Debug)]
pub struct DemoPortalHandle {
    addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    task: JoinHandle<Result<(), DemoPortalError>>,
}

impl DemoPortalHandle {
    /// The address it listens on.
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }
    /// `http://<addr>`: the pages.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }
    /// `http://<addr>/invoice-events`: the relay's `[portal] url`.
    pub fn events_url(&self) -> String {
        format!("http://{}/invoice-events", self.addr)
    }
    /// Stops accepting, finishes requests in flight, and waits for the server to end.
    pub async fn shutdown(mut self) -> Result<(), DemoPortalError> {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        (&mut self.task).await.map_err(|_| DemoPortalError::Task)?
    }
}
