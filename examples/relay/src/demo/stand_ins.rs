//! Loopback stand-ins for the platform APIs the relay calls back (the demo runs offline):
//! PayPal's IPN postback endpoint, QuickBooks Online's and Xero's Accounting APIs. Each answers the way the real service documents.

use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};

use crate::app::AppError;

/// A running stand-in server.
#[derive(Debug)]
pub struct StandIns {
    /// `http://127.0.0.1:<port>`.
    pub base: String,
    task: tokio::task::JoinHandle<()>,
}

impl StandIns {
    /// Starts the stand-ins on a free loopback port.
    pub async fn start() -> Result<StandIns, AppError> {
        let app = axum::Router::new()
            .route("/cgi-bin/webscr", post(ipn_postback))
            .route("/v3/company/{realm}/invoice/{id}", get(qbo_invoice))
            .route("/api.xro/2.0/Invoices/{id}", get(xero_invoice));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .map_err(|e| AppError::io("demo stand-ins", e))?;
        let addr = listener
            .local_addr()
            .map_err(|e| AppError::io("demo stand-ins", e))?;
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Ok(StandIns {
            base: format!("http://{addr}"),
            task,
        })
    }

    /// Stops them.
    pub fn stop(self) {
        self.task.abort();
    }
}

/// PayPal's IPN postback: the message sent back with `cmd=_notify-validate` first is
/// `VERIFIED` (this stand-in only sees messages the demo itself sent).
async fn ipn_postback(body: bytes::Bytes) -> &'static str {
    if body.starts_with(b"cmd=_notify-validate&") {
        "VERIFIED"
    } else {
        "INVALID"
    }
}

/// QuickBooks Online `GET /v3/company/{realm}/invoice/{id}`.
async fn qbo_invoice(Path((realm, id)): Path<(String, String)>) -> Response {
    match super::platforms::quickbooks_online::invoice_record(&realm, &id, chrono::Utc::now()) {
        Some(body) => ([(axum::http::header::CONTENT_TYPE, "application/json")], body).into_response(),
        None => (StatusCode::NOT_FOUND, "{\"Fault\":{\"Error\":[{\"Message\":\"Object Not Found\",\"code\":\"610\"}],\"type\":\"ValidationFault\"}}").into_response(),
    }
}

/// Xero `GET /api.xro/2.0/Invoices/{id}`.
async fn xero_invoice(Path(id): Path<String>) -> Response {
    match super::platforms::xero::invoice_record(&id, chrono::Utc::now()) {
        Some(body) => (
            [(
                axum::http::header::CONTENT_TYPE,
                "application/json; charset=utf-8",
            )],
            body,
        )
            .into_response(),
        None => (
            StatusCode::NOT_FOUND,
            "{\"Type\":null,\"Title\":\"Not Found\",\"Status\":404}",
        )
            .into_response(),
    }
}
