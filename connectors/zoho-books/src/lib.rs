//! # invoice-connector-zoho-books
//!
//! The Zoho Books connector of Invoice Relay: a workflow rule on the Invoices module with
//! a webhook action posting the invoice ("Default Payload", JSON).
//!
//! - [`verify`]: Zoho Books lets a webhook carry custom headers and query parameters; the
//!   documented way to authenticate it is a secret in a header (`token_header`, default
//!   `X-Relay-Token`) compared in constant time, or the relay's URL token. A request
//!   carrying `X-Zoho-Webhook-Signature` is checked as Zoho documents the signature for
//!   its Billing webhooks (HMAC-SHA256 over the sorted parameters and the raw body);
//!   whether Books signs the same way is not documented, so that path is opt-in
//!   (`hmac_secrets`).
//! - [`payload`]: `{"invoice": {...}}` or the bare invoice object.
//! - [`mapping`]: `status` -> canonical event and snapshot.
//! - [`source`]: the [`InvoiceSource`](invoice_core::InvoiceSource) impl.
//!
//! ```
//! use invoice_connector_zoho_books::{ZohoConfig, ZohoSource};
//! let source = ZohoSource::new(ZohoConfig::with_secret("a-long-random-header-token")).unwrap();
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

pub use config::ZohoConfig;
pub use source::ZohoSource;

use std::sync::Arc;

use invoice_core::registry::{ConfigError, Connector, ConnectorRegistry};
use invoice_core::Platform;

/// The platform slug.
pub const SLUG: &str = "zoho-books";

/// Registers the Zoho Books connector's builder.
pub fn register(registry: &mut ConnectorRegistry) {
    registry.register(Platform::ZohoBooks, build);
}

fn build(config: &serde_json::Value) -> Result<Connector, ConfigError> {
    let config: ZohoConfig =
        serde_json::from_value(config.clone()).map_err(ConfigError::invalid)?;
    Ok(Connector {
        source: Arc::new(ZohoSource::new(config)?),
        enricher: None,
    })
}
