//! The HTTP receiver: webhook routes for every enabled source, health, readiness and
//! metrics, with a body limit, a request timeout and graceful shutdown.

mod health;
mod inflight;
pub mod request_id;
mod webhook;

pub use inflight::InFlight;

use std::sync::Arc;
use std::time::Duration;

use axum::routing::{get, post};
use axum::Router;
use invoice_core::Relay;

use crate::config::ClockSetting;
use crate::metrics::Metrics;

/// What every handler shares.
#[derive(Debug, Clone)]
pub struct AppState {
    /// The pipeline.
    pub relay: Relay,
    /// Counters.
    pub metrics: Arc<Metrics>,
    /// Commits in progress.
    pub inflight: InFlight,
    /// Body limit.
    pub max_body_bytes: usize,
    /// Public base URL for URL-covering signatures.
    pub public_base_url: Option<String>,
    /// The configured clock, for `/healthz`.
    pub clock: ClockSetting,
}

/// The router.
pub fn router(state: AppState, request_timeout: Duration) -> Router {
    Router::new()
        .route("/webhooks/{slug}", post(webhook::by_slug))
        .route("/webhooks/{slug}/{tenant}", post(webhook::by_tenant))
        .route("/webhooks/{slug}/{tenant}/{token}", post(webhook::by_token))
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .route("/metrics", get(health::metrics))
        .layer(axum::extract::DefaultBodyLimit::disable())
        .layer(tower_http::timeout::TimeoutLayer::with_status_code(
            http::StatusCode::REQUEST_TIMEOUT,
            request_timeout,
        ))
        .with_state(state)
}
