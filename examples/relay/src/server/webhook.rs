//! `POST /webhooks/{slug}[/{tenant}[/{token}]]`: read the body within the limit, hand the
//! exact bytes to the relay, and answer with the platform's reply only after the commit.

use axum::body::Body;
use axum::extract::{Path, Request, State};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use bytes::{Bytes, BytesMut};
use futures::StreamExt;
use invoice_core::{Platform, Reply, Route, TenantId};
use tracing::Instrument;

use super::{request_id, AppState};
use crate::metrics::events::{EventsCommitted, InternalEvent, WebhookReceived, WebhookRejected};
use crate::metrics::labels::{self, reason};

/// `/webhooks/{slug}`.
pub async fn by_slug(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    req: Request,
) -> Response {
    handle(state, slug, None, None, req).await
}

/// `/webhooks/{slug}/{tenant}`.
pub async fn by_tenant(
    State(state): State<AppState>,
    Path((slug, tenant)): Path<(String, String)>,
    req: Request,
) -> Response {
    handle(state, slug, Some(tenant), None, req).await
}

/// `/webhooks/{slug}/{tenant}/{token}`.
pub async fn by_token(
    State(state): State<AppState>,
    Path((slug, tenant, token)): Path<(String, String, String)>,
    req: Request,
) -> Response {
    handle(state, slug, Some(tenant), Some(token), req).await
}

async fn handle(
    state: AppState,
    slug: String,
    tenant: Option<String>,
    token: Option<String>,
    req: Request,
) -> Response {
    let id = request_id::for_request(req.headers());
    // The token is a credential: never in logs.
    let span = tracing::info_span!(
        "webhook",
        request_id = %id,
        slug = %slug.chars().take(40).collect::<String>(),
        tenant = tenant.as_deref().map(|t| t.chars().take(64).collect::<String>()).unwrap_or_default(),
        via_token = token.is_some(),
    );
    let mut resp = process(state, slug, tenant, token, req)
        .instrument(span)
        .await;
    if let Ok(v) = HeaderValue::from_str(&id) {
        resp.headers_mut().insert(request_id::HEADER, v);
    }
    resp
}

async fn process(
    state: AppState,
    slug: String,
    tenant: Option<String>,
    token: Option<String>,
    req: Request,
) -> Response {
    let Ok(platform) = slug.parse::<Platform>() else {
        return refuse(
            &state,
            None,
            reason::NO_SOURCE,
            StatusCode::NOT_FOUND,
            "unknown platform slug",
        );
    };
    if state.relay.source(platform).is_none() {
        return refuse(
            &state,
            Some(platform),
            reason::NO_SOURCE,
            StatusCode::NOT_FOUND,
            "source not enabled in this relay's configuration",
        );
    }
    let (parts, body) = req.into_parts();
    if let Some(len) = parts
        .headers
        .get(http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok())
    {
        if len > state.max_body_bytes as u64 {
            return refuse(
                &state,
                Some(platform),
                reason::TOO_LARGE,
                StatusCode::PAYLOAD_TOO_LARGE,
                &format!("body over {} bytes", state.max_body_bytes),
            );
        }
    }
    let bytes = match read_limited(body, state.max_body_bytes).await {
        Ok(b) => b,
        Err(BodyError::TooLarge) => {
            return refuse(
                &state,
                Some(platform),
                reason::TOO_LARGE,
                StatusCode::PAYLOAD_TOO_LARGE,
                &format!("body over {} bytes", state.max_body_bytes),
            )
        }
        Err(BodyError::Read(e)) => {
            return refuse(
                &state,
                Some(platform),
                reason::BODY_READ,
                StatusCode::BAD_REQUEST,
                &format!("cannot read body: {e}"),
            )
        }
    };
    WebhookReceived {
        platform,
        bytes: bytes.len(),
    }
    .emit(&state.metrics);

    let public_url = state.public_base_url.as_ref().map(|base| {
        let pq = parts
            .uri
            .path_and_query()
            .map(|p| p.as_str())
            .unwrap_or("/");
        format!("{base}{pq}")
    });
    let mut request = http::Request::new(bytes);
    *request.method_mut() = parts.method;
    *request.uri_mut() = parts.uri;
    *request.headers_mut() = parts.headers;
    let route = Route {
        tenant: tenant.map(TenantId),
        url_token: token,
        public_url,
    };

    // The commit runs in its own task: a client hanging up or the request timing out
    // never cancels a commit half-way, and shutdown waits for it.
    let guard = state.inflight.start();
    let relay = state.relay.clone();
    let task = tokio::spawn(
        async move {
            let _guard = guard;
            relay.ingest(platform, &request, route).await
        }
        .in_current_span(),
    );
    match task.await {
        Ok(Ok(outcome)) => {
            EventsCommitted {
                platform: Some(platform),
                via: labels::via::WEBHOOK,
                report: outcome.report,
            }
            .emit(&state.metrics);
            reply_response(outcome.reply)
        }
        Ok(Err(e)) => {
            let status = e.status();
            refuse(
                &state,
                Some(platform),
                labels::reason_of(&e),
                status,
                &e.to_string(),
            )
        }
        Err(join) => refuse(
            &state,
            Some(platform),
            reason::OTHER,
            StatusCode::INTERNAL_SERVER_ERROR,
            &format!("ingest task failed: {join}"),
        ),
    }
}

enum BodyError {
    TooLarge,
    Read(String),
}

async fn read_limited(body: Body, limit: usize) -> Result<Bytes, BodyError> {
    let mut stream = body.into_data_stream();
    let mut buf = BytesMut::new();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|e| BodyError::Read(e.to_string()))?;
        if buf.len() + chunk.len() > limit {
            return Err(BodyError::TooLarge);
        }
        buf.extend_from_slice(&chunk);
    }
    Ok(buf.freeze())
}

fn refuse(
    state: &AppState,
    platform: Option<Platform>,
    reason: &'static str,
    status: StatusCode,
    message: &str,
) -> Response {
    WebhookRejected {
        platform,
        reason,
        status: status.as_u16(),
        message,
    }
    .emit(&state.metrics);
    let body = serde_json::json!({ "error": reason, "message": message });
    (status, axum::Json(body)).into_response()
}

fn reply_response(reply: Reply) -> Response {
    let mut resp = Response::new(Body::from(reply.body));
    *resp.status_mut() = reply.status;
    *resp.headers_mut() = reply.headers;
    resp
}
