//! `POST /invoice-events`: verify, parse, apply, answer.

use axum::extract::State;
use axum::http::{header::CONTENT_TYPE, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use bytes::Bytes;
use portal_client::headers::WEBHOOK_ID;
use portal_client::{CloudEvent, BATCH_CONTENT_TYPE, CONTENT_TYPE as EVENT_CONTENT_TYPE};
use serde_json::json;

use crate::live::Change;
use crate::server::AppState;
use crate::store::ApplyOutcome;

enum Mode {
    Single,
    Batch,
}

fn mode(headers: &HeaderMap) -> Option<Mode> {
    let ct = headers.get(CONTENT_TYPE)?.to_str().ok()?;
    let essence = ct.split(';').next()?.trim().to_ascii_lowercase();
    if essence == EVENT_CONTENT_TYPE {
        Some(Mode::Single)
    } else if essence == BATCH_CONTENT_TYPE {
        Some(Mode::Batch)
    } else {
        None
    }
}

fn reply(status: StatusCode, body: serde_json::Value) -> Response {
    (status, Json(body)).into_response()
}

/// The handler. Verification comes first and runs over the exact body bytes.
pub(crate) async fn receive(
    State(app): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let Some(mode) = mode(&headers) else {
        return reply(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            json!({ "error": format!("content-type must be {EVENT_CONTENT_TYPE} or {BATCH_CONTENT_TYPE}") }),
        );
    };
    let now = app.clock.now();
    let verified = match app.verifier.verify(&headers, &body, now) {
        Ok(v) => v,
        Err(e) => {
            tracing::warn!(error = %e, "rejected unsigned or badly signed update");
            let status = StatusCode::from_u16(e.http_status()).unwrap_or(StatusCode::UNAUTHORIZED);
            return reply(status, json!({ "error": e.to_string() }));
        }
    };
    let events = match mode {
        Mode::Single => match CloudEvent::from_json(&body) {
            Ok(ev) if ev.id != verified.id => {
                return reply(
                    StatusCode::BAD_REQUEST,
                    json!({ "error": format!("{WEBHOOK_ID} differs from the cloudevent id") }),
                )
            }
            Ok(ev) => vec![ev],
            Err(e) => return reply(StatusCode::BAD_REQUEST, json!({ "error": e.to_string() })),
        },
        Mode::Batch => match CloudEvent::batch_from_json(&body) {
            Ok(evs) if evs.is_empty() => {
                return reply(StatusCode::BAD_REQUEST, json!({ "error": "empty batch" }))
            }
            Ok(evs) => evs,
            Err(e) => return reply(StatusCode::BAD_REQUEST, json!({ "error": e.to_string() })),
        },
    };
    if let Some(bad) = events.iter().find(|e| e.subject != e.data.invoice.id) {
        return reply(
            StatusCode::BAD_REQUEST,
            json!({ "error": "subject differs from data.invoice.id", "id": bad.id }),
        );
    }
    let updates: Vec<_> = events.into_iter().map(CloudEvent::into_update).collect();
    let changes: Vec<Change> = updates
        .iter()
        .map(|u| Change {
            customer: u.data.invoice.customer.clone(),
            invoice: u.data.invoice.id.clone(),
        })
        .collect();
    let ids: Vec<String> = updates.iter().map(|u| u.id.clone()).collect();
    let outcomes = match app.store.apply_all(updates, now).await {
        Ok(o) => o,
        Err(e) => {
            tracing::error!(error = %e, "could not store update");
            return reply(
                StatusCode::SERVICE_UNAVAILABLE,
                json!({ "error": "storage unavailable, retry later" }),
            );
        }
    };
    for (change, outcome) in changes.into_iter().zip(&outcomes) {
        if *outcome != ApplyOutcome::Duplicate {
            app.live.publish(change);
        }
    }
    let all_duplicates = outcomes.iter().all(|o| *o == ApplyOutcome::Duplicate);
    let status = if all_duplicates {
        StatusCode::CONFLICT
    } else {
        StatusCode::OK
    };
    tracing::info!(id = %verified.id, ?outcomes, "update received");
    match mode {
        Mode::Single => reply(
            status,
            json!({ "id": verified.id, "outcome": outcomes.first().map(ApplyOutcome::as_str) }),
        ),
        Mode::Batch => {
            let results: Vec<_> = ids
                .iter()
                .zip(&outcomes)
                .map(|(id, o)| json!({ "id": id, "outcome": o.as_str() }))
                .collect();
            reply(status, json!({ "id": verified.id, "results": results }))
        }
    }
}
