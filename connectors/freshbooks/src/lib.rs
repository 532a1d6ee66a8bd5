//! # invoice-connector-freshbooks
//!
//! The FreshBooks connector of Invoice Relay. FreshBooks webhooks (callbacks) are thin
//! form posts (`name=invoice.update&object_id=...&account_id=...`); the enricher reads the
//! invoice from the Accounting API.
//!
//! - [`verify`]: `X-FreshBooks-Hmac-SHA256` = base64 HMAC-SHA256 keyed by the callback's
//!   verifier over the form fields rendered as FreshBooks' documented Python does it
//!   (`json.dumps({k: str(v)})`: `", "` / `": "` separators, non-ASCII as `\uXXXX`), not
//!   over the raw body.
//! - [`source`]: the verification callback (carries `verifier`) is answered 200 and shown
//!   to a [`HandshakeObserver`]; events become thin references.
//! - [`api`] / [`enrich`]: `GET /accounting/account/{account}/invoices/invoices/{id}`
//!   (payments: the payment first, then its invoice) -> a snapshot.
//!
//! ```
//! use invoice_connector_freshbooks::{FreshbooksConfig, FreshbooksSource};
//! let source = FreshbooksSource::new(FreshbooksConfig::with_secret("verifier")).unwrap();
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

pub use config::FreshbooksConfig;
pub use enrich::FreshbooksEnricher;
pub use source::{FreshbooksSource, HandshakeObserver};

use std::sync::Arc;

use invoice_core::registry::{ConfigError, Connector, ConnectorRegistry};
use invoice_core::Platform;

/// The platform slug.
pub const SLUG: &str = "freshbooks";

/// Registers the FreshBooks connector's builder.
pub fn register(registry: &mut ConnectorRegistry) {
    registry.register(Platform::Freshbooks, build);
}

fn build(config: &serde_json::Value) -> Result<Connector, ConfigError> {
    let config: FreshbooksConfig =
        serde_json::from_value(config.clone()).map_err(ConfigError::invalid)?;
    let enricher = FreshbooksEnricher::from_config(&config)?;
    Ok(Connector {
        source: Arc::new(FreshbooksSource::new(config)?),
        enricher: Some(Arc::new(enricher)),
    })
}
