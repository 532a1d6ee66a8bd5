//! Stripe webhook bodies and signatures, made with the connector's own test signer
//! (`invoice_connector_stripe::testing::sign`).

use chrono::{DateTime, Utc};
use invoice_connectors::stripe::testing::{sign, FIXTURE_SECRET};
use invoice_core::{Secret, WebhookRequest};

/// The endpoint secret the tests configure for `[sources.stripe]`.
pub const SECRET: &str = FIXTURE_SECRET;

/// One invoice event in Stripe's wire format.
#[derive(Debug, Clone)]
pub struct InvoiceEventSpec<'a> {
    /// `evt_...`
    pub event_id: &'a str,
    /// `invoice.finalized`, `invoice.payment_succeeded`, `invoice.paid`, ...
    pub event_type: &'a str,
    /// `in_...`
    pub invoice_id: &'a str,
    /// Total in cents.
    pub total_cents: i64,
    /// Paid in cents.
    pub paid_cents: i64,
    /// Stripe's invoice status word (`open`, `paid`, `void`).
    pub status: &'a str,
    /// Stripe's `created` (the connector's source version and event order).
    pub created: i64,
}

/// The event body.
pub fn invoice_event(spec: &InvoiceEventSpec<'_>) -> String {
    serde_json::json!({
        "id": spec.event_id,
        "object": "event",
        "api_version": "2025-09-30.clover",
        "created": spec.created,
        "type": spec.event_type,
        "livemode": false,
        "data": { "object": {
            "id": spec.invoice_id,
            "object": "invoice",
            "number": format!("ANO-{}", spec.invoice_id.trim_start_matches("in_")),
            "customer": "cus_hartmann",
            "customer_name": "Hartmann Anodizing GmbH",
            "currency": "usd",
            "total": spec.total_cents,
            "amount_paid": spec.paid_cents,
            "amount_remaining": spec.total_cents - spec.paid_cents,
            "due_date": spec.created + 30 * 86_400,
            "status": spec.status,
            "metadata": {}
        }}
    })
    .to_string()
}

/// The `Stripe-Signature` header value for `body` signed with `secret` at `at`.
pub fn signature(secret: &str, body: &[u8], at: DateTime<Utc>) -> String {
    let mut request = WebhookRequest::new(bytes::Bytes::copy_from_slice(body));
    sign(&mut request, &Secret::new(secret), at);
    request
        .headers()
        .get("stripe-signature")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}
