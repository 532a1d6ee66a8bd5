//! # invoice-connector-quickbooks-online
//!
//! The QuickBooks Online connector of Invoice Relay. QBO notifications are thin (ids
//! only): they are verified, stored as pending references and acknowledged at once; the
//! enricher then reads the records from the Accounting API.
//!
//! - [`verify`]: `intuit-signature` = base64(HMAC-SHA256(verifier token, raw body)), any
//!   configured token may match (rotation), constant-time compare, no timestamp.
//! - [`payload`]: the legacy `eventNotifications` body and the CloudEvents batch
//!   (`qbo.<entity>.<operation>.v1`), detected from the body.
//! - [`thin`]: changes -> [`ThinReference`](invoice_core::ThinReference)s.
//! - [`source`]: the [`InvoiceSource`](invoice_core::InvoiceSource) impl.
//! - [`api`], [`mapping`], [`enrich`], [`token`]: the Accounting API records, the
//!   invoice -> snapshot mapping, the [`Enricher`](invoice_core::Enricher), OAuth tokens.
//!
//! ```
//! use invoice_connector_quickbooks_online::{QboConfig, QboSource};
//! let source = QboSource::new(QboConfig::with_secret("verifier-token")).unwrap();
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

pub use config::QboConfig;
pub use enrich::QboEnricher;
pub use source::QboSource;

use std::sync::Arc;

use invoice_core::registry::{ConfigError, Connector, ConnectorRegistry};
use invoice_core::Platform;

/// The platform slug.
pub const SLUG: &str = "quickbooks-online";

/// Registers the QuickBooks Online connector's builder.
pub fn register(registry: &mut ConnectorRegistry) {
    registry.register(Platform::QuickbooksOnline, build);
}

fn build(config: &serde_json::Value) -> Result<Connector, ConfigError> {
    let config: QboConfig = serde_json::from_value(config.clone()).map_err(ConfigError::invalid)?;
    let enricher = QboEnricher::from_config(&config)?;
    Ok(Connector {
        source: Arc::new(QboSource::new(config)?),
        enricher: Some(Arc::new(enricher)),
    })
}
