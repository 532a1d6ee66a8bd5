//! # invoice-connector-paypal
//!
//! The PayPal connector of Invoice Relay. PayPal has two channels, both served by one
//! [`PaypalSource`] that routes by content type:
//!
//! - **REST webhooks** (`application/json`: Invoicing v2, Payments v2 captures, Disputes).
//!   [`verify`]: SHA256withRSA over `<transmission id>|<time>|<webhook id>|<crc32(body)>`
//!   with the certificate at `PAYPAL-CERT-URL`, fetched only from an allow-listed PayPal
//!   host over https and cached by URL ([`certs`]); or, with `verification = "api"`,
//!   PayPal's verify-webhook-signature API ([`api`]). The configured `secrets` are the
//!   webhook ids (rotation: several may be listed).
//! - **IPN** (`application/x-www-form-urlencoded`, legacy charsets). Stored unverified as a
//!   pending reference with its exact bytes and acknowledged with an empty `200`; the
//!   [`PaypalIpnEnricher`] posts `cmd=_notify-validate&` + the original bytes back and
//!   applies the message only on `VERIFIED` ([`ipn`], [`enrich`]).
//! - [`mapping`]: statuses and event types -> canonical events (tables in its docs).
//!
//! Tenant: the configured `tenant`, else the route's tenant, else (IPN) the
//! `receiver_id`, else `default`.
//!
//! ```
//! use invoice_connector_paypal::{PaypalConfig, PaypalSource};
//! let source = PaypalSource::new(PaypalConfig::with_webhook_id("4JH86294D6297924G")).unwrap();
//! # let _ = source;
//! ```
#![forbid(unsafe_code)]
// Unit tests unwrap on fixed inputs; `unwrap_used` guards code that reads external input.
#![cfg_attr(test, allow(clippy::unwrap_used))]

pub mod api;
pub mod certs;
pub mod config;
pub mod enrich;
pub mod error;
pub mod ipn;
pub mod mapping;
pub mod payload;
pub mod source;
pub mod testing;
pub mod urls;
pub mod verify;

pub use config::{PaypalConfig, Verification};
pub use enrich::PaypalIpnEnricher;
pub use source::PaypalSource;

use std::sync::Arc;

use invoice_core::registry::{ConfigError, Connector, ConnectorRegistry};
use invoice_core::Platform;

/// The platform slug.
pub const SLUG: &str = "paypal";

/// Registers the PayPal connector's builder.
pub fn register(registry: &mut ConnectorRegistry) {
    registry.register(Platform::Paypal, build);
}

fn build(config: &serde_json::Value) -> Result<Connector, ConfigError> {
    let config: PaypalConfig =
        serde_json::from_value(config.clone()).map_err(ConfigError::invalid)?;
    let enricher = PaypalIpnEnricher::from_config(&config)?;
    Ok(Connector {
        source: Arc::new(PaypalSource::new(config)?),
        enricher: Some(Arc::new(enricher)),
    })
}
