//! # portal-client
//!
//! Delivers Invoice Relay's [`PortalUpdate`](invoice_core::PortalUpdate)s to a customer
//! portal, and gives portal implementers the matching verifier.
//!
//! - [`HttpPortalSink`]: an [`invoice_core::PortalSink`] that POSTs each update as a
//!   CloudEvents 1.0 structured JSON event (or a batch), signed the Standard Webhooks way
//!   (`webhook-id`, `webhook-timestamp`, `webhook-signature: v1,<base64 HMAC-SHA256>`), and
//!   classifies the portal's answer for the outbox (retryable or permanent). One attempt
//!   per call: retries live in the outbox so they survive restarts.
//! - [`verify::Verifier`]: the receiving side, for portals written in Rust. Any Standard
//!   Webhooks library (Svix's, the reference libraries) verifies what we send as well.
//! - [`CloudEvent`]: the wire envelope, shared by both sides.
//!
//! The wire contract is written down in `docs/portal-api.md` and
//! `docs/portal-openapi.yaml`.
//!
//! ```
//! use portal_client::{HttpPortalSink, SinkOptions};
//! use invoice_core::Secret;
//! use std::time::Duration;
//!
//! let sink = HttpPortalSink::new(
//!     "http://127.0.0.1:9000/invoice-events",
//!     &[Secret::new("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")],
//!     SinkOptions::default().request_timeout(Duration::from_secs(15)),
//! )
//! .expect("valid url and secret");
//! // `sink` is an `invoice_core::PortalSink`: hand it to the `OutboxWorker`.
//! # drop(sink);
//! ```
#![forbid(unsafe_code)]
#![cfg_attr(test, allow(clippy::unwrap_used))]

mod classify;
mod envelope;
mod error;
pub mod keys;
mod options;
pub mod sign;
mod sink;
pub mod verify;

pub use envelope::{
    CloudEvent, EnvelopeError, BATCH_CONTENT_TYPE, CLOUDEVENTS_SPEC_VERSION, CONTENT_TYPE,
    DATA_CONTENT_TYPE,
};
pub use error::ConfigError;
pub use keys::KeyError;
pub use options::SinkOptions;
pub use sign::Signer;
pub use sink::HttpPortalSink;

/// Header names of the Standard Webhooks scheme.
pub mod headers {
    /// The message id (equal to the CloudEvent `id`); the idempotency key.
    pub const WEBHOOK_ID: &str = "webhook-id";
    /// Unix seconds of this attempt.
    pub const WEBHOOK_TIMESTAMP: &str = "webhook-timestamp";
    /// Space-separated `v1,<base64>` / `v1a,<base64>` signatures.
    pub const WEBHOOK_SIGNATURE: &str = "webhook-signature";
}
