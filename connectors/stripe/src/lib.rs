//! # invoice-connector-stripe
//!
//! The Stripe connector of Invoice Relay, and the reference every other connector copies.
//!
//! - [`verify`]: `Stripe-Signature: t=<unix>,v1=<hex>[,v1=...]`, HMAC-SHA256 of
//!   `"<t>." + raw body` keyed by the endpoint secret's UTF-8 bytes, any `v1` may match
//!   (rotation), `v0` ignored, 300 s default tolerance, constant-time compare.
//! - [`payload`]: the Event envelope and the Invoice, Dispute, CreditNote and Charge
//!   objects, borrowed from the body bytes.
//! - [`fast`]: the same, read in one pass over the body (falls back to [`payload`]).
//! - [`mapping`]: event type -> canonical event; minor units -> [`Money`](invoice_core::Money).
//! - [`source`]: the [`InvoiceSource`](invoice_core::InvoiceSource) impl.
//! - [`enrich`]: disputes name a charge, not an invoice; the enricher asks Stripe's API
//!   which invoice the charge paid.
//!
//! ```
//! use invoice_connector_stripe::{StripeConfig, StripeSource};
//! let source = StripeSource::new(StripeConfig::with_secret("whsec_test")).unwrap();
//! # let _ = source;
//! ```
#![forbid(unsafe_code)]

pub mod config;
pub mod enrich;
pub mod error;
pub mod fast;
pub mod mapping;
pub mod payload;
pub mod source;
pub mod testing;
pub mod verify;

pub use config::StripeConfig;
pub use enrich::StripeEnricher;
pub use source::StripeSource;

use std::sync::Arc;

use invoice_core::registry::{ConfigError, Connector, ConnectorRegistry};
use invoice_core::Platform;

/// The platform slug.
pub const SLUG: &str = "stripe";

/// Registers the Stripe connector's builder.
pub fn register(registry: &mut ConnectorRegistry) {
    registry.register(Platform::Stripe, build);
}

fn build(config: &serde_json::Value) -> Result<Connector, ConfigError> {
    let config: StripeConfig =
        serde_json::from_value(config.clone()).map_err(ConfigError::invalid)?;
    let enricher = StripeEnricher::from_config(&config)?;
    Ok(Connector {
        source: Arc::new(StripeSource::new(config)?),
        enricher: Some(Arc::new(enricher)),
    })
}
