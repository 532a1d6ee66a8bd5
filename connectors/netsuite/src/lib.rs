//! # invoice-connector-netsuite
//!
//! The Oracle NetSuite connector of Invoice Relay. NetSuite has no webhooks for
//! transactions: a SuiteScript 2.1 User Event script (shipped in
//! `scripts/invoice_relay_ue.js`, shown in `docs/platforms/netsuite.md`), deployed on
//! invoices, customer payments and credit memos, posts invoice snapshots after each save,
//! signed with `N/crypto` HMAC-SHA256.
//!
//! - [`verify`]: `X-NS-Timestamp: <unix>` and `X-NS-Signature: <hex HMAC-SHA256(secret,
//!   "<timestamp>." + body)>` (hex in either case), several secrets (rotation), 300 s
//!   default tolerance, constant-time compare.
//! - [`payload`]: the post: `account` (the tenant), the record that triggered it, and the
//!   invoices it touched (one for an invoice, every applied invoice for a payment).
//! - [`mapping`]: NetSuite's invoice status names (`Open`, `Paid In Full`, `Pending
//!   Approval`, `Rejected`, `Voided`) -> canonical events.
//! - [`source`]: the [`InvoiceSource`](invoice_core::InvoiceSource) impl.
//!
//! ```
//! use invoice_connector_netsuite::{NetsuiteConfig, NetsuiteSource};
//! let source = NetsuiteSource::new(NetsuiteConfig::with_secret("ns-secret")).unwrap();
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

pub use config::NetsuiteConfig;
pub use source::NetsuiteSource;

use std::sync::Arc;

use invoice_core::registry::{ConfigError, Connector, ConnectorRegistry};
use invoice_core::Platform;

/// The platform slug.
pub const SLUG: &str = "netsuite";

/// Registers the NetSuite connector's builder.
pub fn register(registry: &mut ConnectorRegistry) {
    registry.register(Platform::Netsuite, build);
}

fn build(config: &serde_json::Value) -> Result<Connector, ConfigError> {
    let config: NetsuiteConfig =
        serde_json::from_value(config.clone()).map_err(ConfigError::invalid)?;
    Ok(Connector {
        source: Arc::new(NetsuiteSource::new(config)?),
        enricher: None,
    })
}
