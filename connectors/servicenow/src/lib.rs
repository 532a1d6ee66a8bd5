//! # invoice-connector-servicenow
//!
//! The ServiceNow connector of Invoice Relay. ServiceNow has no invoice webhook and no
//! core customer-invoice table: invoices live in a custom or plug-in table
//! (`x_invoice`, `fm_invoice`, ...). The shipped Script Include `InvoiceRelay`
//! (`scripts/invoice_relay_include.js`) and an async Business Rule on that table
//! (`scripts/invoice_relay_rule.js`) post each inserted or updated record with
//! `sn_ws.RESTMessageV2`; a fix script (`scripts/invoice_relay_resync.js`) re-sends many
//! records in batches. Table and field names are system properties, not code.
//!
//! - [`verify`]: Standard Webhooks headers (`webhook-id`, `webhook-timestamp`,
//!   `webhook-signature: v1,<base64 HMAC-SHA256(key, "id.timestamp.body")>`) computed in
//!   the instance with `GlideCertificateEncryption.generateMac` (which takes a base64 key
//!   and returns the base64 MAC), several secrets (rotation), 300 s tolerance; or HTTP
//!   Basic credentials, compared in constant time, when `auth = "basic"`.
//! - [`payload`]: the post: instance (the tenant), table, and its records.
//! - [`mapping`]: the instance's state choice values -> canonical events, configurable.
//! - [`source`]: the [`InvoiceSource`](invoice_core::InvoiceSource) impl.
//!
//! ```
//! use invoice_connector_servicenow::{ServicenowConfig, ServicenowSource};
//! let source = ServicenowSource::new(ServicenowConfig::with_secret("sn-secret")).unwrap();
//! # let _ = source;
//! ```
#![forbid(unsafe_code)]

pub mod config;
pub mod error;
pub mod mapping;
pub mod payload;
pub mod source;
pub mod testing;
pub mod verify;

pub use config::{ServicenowAuth, ServicenowConfig};
pub use source::ServicenowSource;

use std::sync::Arc;

use invoice_core::registry::{ConfigError, Connector, ConnectorRegistry};
use invoice_core::Platform;

/// The platform slug.
pub const SLUG: &str = "servicenow";

/// Registers the ServiceNow connector's builder.
pub fn register(registry: &mut ConnectorRegistry) {
    registry.register(Platform::Servicenow, build);
}

fn build(config: &serde_json::Value) -> Result<Connector, ConfigError> {
    let config: ServicenowConfig =
        serde_json::from_value(config.clone()).map_err(ConfigError::invalid)?;
    Ok(Connector {
        source: Arc::new(ServicenowSource::new(config)?),
        enricher: None,
    })
}
