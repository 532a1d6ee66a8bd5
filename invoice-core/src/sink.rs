//! What the portal receives, and the `PortalSink` trait that delivers it.

use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::{EventKind, InvoiceEvent, InvoiceState, Platform};

/// The `data.invoice` object of the portal wire contract.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PortalInvoice {
    /// Canonical invoice id (`platform:tenant:id`).
    pub id: String,
    /// Human invoice number.
    pub number: Option<String>,
    /// The portal account of the customer.
    pub customer: String,
    /// Customer display name.
    pub customer_name: Option<String>,
    /// ISO 4217 code.
    pub currency: Option<String>,
    /// Decimal string.
    #[serde(with = "rust_decimal::serde::str")]
    pub total: Decimal,
    /// Decimal string.
    #[serde(with = "rust_decimal::serde::str")]
    pub paid: Decimal,
    /// Decimal string.
    #[serde(with = "rust_decimal::serde::str")]
    pub balance: Decimal,
    /// `YYYY-MM-DD`.
    #[serde(serialize_with = "crate::serde_time::opt_date")]
    pub due_date: Option<NaiveDate>,
    /// The portal status word.
    pub status: String,
    /// The lifecycle word.
    pub lifecycle: String,
    /// Past due and owed.
    pub overdue: bool,
    /// Days past due when last evaluated (0 when not overdue).
    pub days_past_due: u32,
    /// The dispute word.
    pub dispute: String,
}

/// The `data.event` object of the portal wire contract.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PortalEventInfo {
    /// Event kind word.
    pub kind: EventKind,
    /// Platform clock.
    #[serde(serialize_with = "crate::serde_time::datetime")]
    pub occurred_at: DateTime<Utc>,
    /// Our clock.
    #[serde(serialize_with = "crate::serde_time::datetime")]
    pub received_at: DateTime<Utc>,
    /// Source platform slug.
    pub platform: Platform,
    /// Platform event id.
    pub platform_event_id: String,
}

/// The `data` object of the CloudEvent: `{ invoice, event, sequence }`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PortalData {
    /// The invoice after the event.
    pub invoice: PortalInvoice,
    /// The event that caused the update.
    pub event: PortalEventInfo,
    /// Strictly increasing per invoice.
    pub sequence: u64,
}

/// One update for the portal: a CloudEvent's attributes and data. Built by the relay at
/// commit time and stored in the outbox, so retries send the same bytes and id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PortalUpdate {
    /// Stable id: the CloudEvent `id`, `webhook-id`, and the portal's idempotency key.
    pub id: String,
    /// `/platforms/<slug>/<tenant>`.
    pub source: String,
    /// `invoice.<kind>`.
    #[serde(rename = "type")]
    pub event_type: String,
    /// Canonical invoice id.
    pub subject: String,
    /// When the update was made.
    #[serde(serialize_with = "crate::serde_time::datetime")]
    pub time: DateTime<Utc>,
    /// The payload.
    pub data: PortalData,
}

impl PortalUpdate {
    /// Builds the update for `state` after `event` was applied. The id is derived from the
    /// invoice and its sequence, so it is stable.
    pub fn from_transition(state: &InvoiceState, event: &InvoiceEvent, now: DateTime<Utc>) -> Self {
        let subject = state.key.to_string();
        let id = update_id(&subject, state.version);
        let invoice = PortalInvoice {
            id: subject.clone(),
            number: state.number.clone(),
            customer: state.customer.account().to_owned(),
            customer_name: state.customer.name.clone(),
            currency: state.currency.map(|c| c.as_str().to_owned()),
            total: state.total.saturating_sub(state.credited).normalize(),
            paid: state.paid.normalize(),
            balance: state.balance.normalize(),
            due_date: state.due_date,
            status: state.portal_status().as_str().to_owned(),
            lifecycle: state.lifecycle.as_str().to_owned(),
            overdue: state.is_overdue(),
            days_past_due: if state.is_overdue() {
                state.overdue.map(|o| o.days_past_due).unwrap_or(0)
            } else {
                0
            },
            dispute: state.dispute.as_str().to_owned(),
        };
        PortalUpdate {
            id,
            source: format!("/platforms/{}/{}", state.key.platform, state.key.tenant),
            event_type: format!("invoice.{}", event.kind.as_str()),
            subject,
            time: now,
            data: PortalData {
                invoice,
                event: PortalEventInfo {
                    kind: event.kind,
                    occurred_at: event.occurred_at,
                    received_at: event.received_at,
                    platform: event.platform,
                    platform_event_id: event.platform_event_id.clone(),
                },
                sequence: state.version,
            },
        }
    }
}

/// `upd_` + 32 hex digits of SHA-256(subject ":" sequence).
fn update_id(subject: &str, sequence: u64) -> String {
    let mut h = Sha256::new();
    h.update(subject.as_bytes());
    h.update(b":");
    h.update(sequence.to_string().as_bytes());
    let digest = h.finalize();
    format!("upd_{}", hex::encode(&digest[..16]))
}

/// Proof the portal accepted an update.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Receipt {
    /// HTTP status the portal answered.
    pub status: u16,
    /// True when the portal said it already had it (409).
    pub duplicate: bool,
}

/// Why a delivery failed, and whether retrying can help.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DeliveryError {
    /// Timeout, connection failure, 408, 429 or 5xx: retry later.
    #[error("retryable delivery failure: {message}")]
    Retryable {
        /// What happened (no URLs with credentials, no secrets).
        message: String,
        /// HTTP status, if one came back.
        status: Option<u16>,
        /// The portal's Retry-After.
        retry_after: Option<Duration>,
    },
    /// Any other 4xx: retrying cannot help; dead-letter.
    #[error("permanent delivery failure: {message}")]
    Permanent {
        /// What happened.
        message: String,
        /// HTTP status.
        status: Option<u16>,
    },
}

impl DeliveryError {
    /// True when retrying can help.
    pub fn is_retryable(&self) -> bool {
        matches!(self, DeliveryError::Retryable { .. })
    }
    /// The portal's Retry-After, if any.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            DeliveryError::Retryable { retry_after, .. } => *retry_after,
            DeliveryError::Permanent { .. } => None,
        }
    }
    /// HTTP status, if one came back.
    pub fn status(&self) -> Option<u16> {
        match self {
            DeliveryError::Retryable { status, .. } | DeliveryError::Permanent { status, .. } => {
                *status
            }
        }
    }
}

/// Delivers updates to the customer portal.
///
/// Contract:
/// - one attempt per call, no retries inside (retries live in the outbox so they survive
///   restarts);
/// - 2xx and 409 are `Ok`; timeouts, connection errors, 408, 429 and 5xx are
///   [`DeliveryError::Retryable`] (with Retry-After when given); other 4xx are
///   [`DeliveryError::Permanent`].
#[async_trait]
pub trait PortalSink: Send + Sync + std::fmt::Debug {
    /// Delivers one update.
    async fn deliver(&self, update: &PortalUpdate) -> Result<Receipt, DeliveryError>;

    /// Delivers several updates (of different invoices) as one attempt; `Ok` means the
    /// portal has all of them. The outbox worker calls it only when configured to send
    /// more than one update per request (`OutboxWorker::updates_per_request`).
    ///
    /// The default delivers them one by one, in order, and stops at the first error (the
    /// worker then retries the whole group; the portal drops the ids it already has).
    /// `portal-client` overrides it with one `application/cloudevents-batch+json` request.
    async fn deliver_batch(&self, updates: &[PortalUpdate]) -> Result<Receipt, DeliveryError> {
        let mut receipt = Receipt {
            status: 200,
            duplicate: false,
        };
        for update in updates {
            receipt = self.deliver(update).await?;
        }
        Ok(receipt)
    }
}
