//! # invoice-connector-hubspot
//!
//! The HubSpot connector of Invoice Relay, for the webhooks API of a HubSpot app
//! subscribed to invoice events (`object.propertyChange` / `object.creation` on object
//! type `0-53`, or the `invoice.*` subscription types).
//!
//! - [`verify`]: `X-HubSpot-Signature-v3` (base64 HMAC-SHA256 of method + URI + body +
//!   `X-HubSpot-Request-Timestamp`, 5 minute window) by default; the legacy v1 / v2
//!   plain SHA-256 signatures (`X-HubSpot-Signature` chosen by
//!   `X-HubSpot-Signature-Version`) only when `accept_legacy_signatures` is set.
//! - [`payload`]: the JSON array of subscription events.
//! - [`mapping`]: `hs_invoice_status` changes -> canonical events; every invoice event
//!   also becomes a thin reference, since one property change carries no amounts.
//! - [`source`]: the [`InvoiceSource`](invoice_core::InvoiceSource) impl.
//! - [`enrich`]: `GET /crm/v3/objects/invoices/{id}` -> an `updated` snapshot.
//!
//! ```
//! use invoice_connector_hubspot::{HubspotConfig, HubspotSource};
//! let mut config = HubspotConfig::with_secret("client-secret");
//! config.public_base_url = Some("https://relay.example.com".into());
//! let source = HubspotSource::new(config).unwrap();
//! # let _ = source;
//! ```
#![forbid(unsafe_code)]

pub mod api;
pub mod config;
pub mod enrich;
pub mod error;
pub mod mapping;
pub mod payload;
pub mod source;
pub mod testing;
/// OAuth bearer tokens for the enricher: the shared provider of all connectors.
pub use invoice_connector_support::oauth as token;
pub mod verify;

pub use config::HubspotConfig;
pub use enrich::HubspotEnricher;
pub use source::HubspotSource;

use std::sync::Arc;

use invoice_core::registry::{ConfigError, Connector, ConnectorRegistry};
use invoice_core::Platform;

/// The platform slug.
pub const SLUG: &str = "hubspot";

/// Registers the HubSpot connector's builder.
pub fn register(registry: &mut ConnectorRegistry) {
    registry.register(Platform::Hubspot, build);
}

fn build(config: &serde_json::Value) -> Result<Connector, ConfigError> {
    let config: HubspotConfig =
        serde_json::from_value(config.clone()).map_err(ConfigError::invalid)?;
    let enricher = HubspotEnricher::from_config(&config)?;
    Ok(Connector {
        source: Arc::new(HubspotSource::new(config)?),
        enricher: Some(Arc::new(enricher)),
    })
}
