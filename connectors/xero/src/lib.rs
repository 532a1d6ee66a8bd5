//! # invoice-connector-xero
//!
//! The Xero connector of Invoice Relay. Xero webhooks are thin (ids only): they are
//! verified, stored as pending references and acknowledged at once; the enricher then
//! reads the invoices from the Accounting API.
//!
//! - [`verify`]: `x-xero-signature` = base64(HMAC-SHA256(webhook key, raw body)), any
//!   configured key may match (rotation), constant-time compare, no timestamp.
//! - [`payload`]: the `events` body; an empty one is an intent-to-receive probe.
//! - [`thin`]: `INVOICE` events -> [`ThinReference`](invoice_core::ThinReference)s.
//! - [`source`]: the [`InvoiceSource`](invoice_core::InvoiceSource) impl.
//! - [`api`], [`mapping`], [`enrich`], [`token`]: Accounting API records, the status
//!   mapping, the [`Enricher`](invoice_core::Enricher) (with its `resourceUrl` guard),
//!   OAuth tokens.
//!
//! ```
//! use invoice_connector_xero::{XeroConfig, XeroSource};
//! let source = XeroSource::new(XeroConfig::with_secret("webhook-key")).unwrap();
//! # let _ = source;
//! ```
#![forbid(unsafe_code)]
// Unit tests may unwrap (see the workspace lint's comment); library code may not.
#![cfg_attr(test, allow(clippy::unwrap_used))]

pub mod api;
pub mod config;
pub mod enrich;
pub mod error;
pub mod mapping;
pub mod payload;
pub mod source;
pub mod testing;
pub mod thin;
/// OAuth bearer tokens for the enricher: the shared provider of all connectors.
pub use invoice_connector_support::oauth as token;
pub mod verify;

pub use config::XeroConfig;
pub use enrich::XeroEnricher;
pub use source::XeroSource;

use std::sync::Arc;

use invoice_core::registry::{ConfigError, Connector, ConnectorRegistry};
use invoice_core::Platform;

/// The platform slug.
pub const SLUG: &str = "xero";

/// Registers the Xero connector's builder.
pub fn register(registry: &mut ConnectorRegistry) {
    registry.register(Platform::Xero, build);
}

fn build(config: &serde_json::Value) -> Result<Connector, ConfigError> {
    let config: XeroConfig =
        serde_json::from_value(config.clone()).map_err(ConfigError::invalid)?;
    let enricher = XeroEnricher::from_config(&config)?;
    Ok(Connector {
        source: Arc::new(XeroSource::new(config)?),
        enricher: Some(Arc::new(enricher)),
    })
}
