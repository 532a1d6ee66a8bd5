//! `/healthz`, `/readyz` and `/metrics`.

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use axum::Json;

use super::AppState;
use crate::config::ClockSetting;

/// Liveness: the process answers; shows the clock (loudly when simulated) and sources.
pub async fn healthz(State(state): State<AppState>) -> impl IntoResponse {
    let now = state.relay.clock().now();
    let clock = match state.clock {
        ClockSetting::System => serde_json::json!({ "mode": "system", "now": now }),
        ClockSetting::StartAt(start) => serde_json::json!({
            "mode": "simulated", "started_at": start, "now": now,
            "warning": "the relay runs on a simulated clock",
        }),
        ClockSetting::Offset(off) => serde_json::json!({
            "mode": "offset", "offset_seconds": off.num_seconds(), "now": now,
            "warning": "the relay runs on a shifted clock",
        }),
    };
    let sources: Vec<&str> = state.relay.platforms().iter().map(|p| p.slug()).collect();
    Json(serde_json::json!({
        "status": "ok",
        "version": env!("CARGO_PKG_VERSION"),
        "clock": clock,
        "sources": sources,
        "in_flight": state.inflight.count(),
    }))
}

/// Readiness: the store answers.
pub async fn readyz(State(state): State<AppState>) -> impl IntoResponse {
    match state.relay.journal().ping().await {
        Ok(()) => (StatusCode::OK, "ready\n".to_owned()),
        Err(e) => {
            tracing::warn!(error = %e, "not ready: store unavailable");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                format!("store unavailable: {e}\n"),
            )
        }
    }
}

/// Prometheus text format.
pub async fn metrics(State(state): State<AppState>) -> impl IntoResponse {
    let counts = state.relay.journal().outbox_counts().await.ok();
    let offset =
        (state.relay.clock().now() - chrono::Utc::now()).num_milliseconds() as f64 / 1000.0;
    let body = state.metrics.render(counts, offset);
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        body,
    )
}
