//! # invoice-connector-monday
//!
//! The monday.com connector of Invoice Relay: an invoice is a board item whose status
//! column labels (board-defined text) are mapped to canonical words in the configuration.
//!
//! - [`verify`]: the `Authorization` header of app webhooks, a JWT signed HS256 with the
//!   app's Signing Secret; checked by hand (`alg` must be `HS256`, constant-time MAC over
//!   every configured secret, `exp` / `iat` against the relay's injected clock). The JWT
//!   does not cover the body. Webhooks created with a personal token carry no JWT: they
//!   are accepted only on a verified URL token when `accept_url_token` is set.
//! - [`source`]: the challenge echo, then events.
//! - [`payload`]: the `{"event": {...}}` body and the challenge.
//! - [`mapping`]: status label -> canonical event; other tracked columns -> thin
//!   references.
//! - [`enrich`]: the item's column values through the GraphQL API -> a snapshot.
//!
//! ```
//! use invoice_connector_monday::{MondayConfig, MondaySource};
//! let source = MondaySource::new(MondayConfig::with_secret("signing-secret")).unwrap();
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
pub mod verify;

pub use config::MondayConfig;
pub use enrich::MondayEnricher;
pub use source::MondaySource;

use std::sync::Arc;

use invoice_core::registry::{ConfigError, Connector, ConnectorRegistry};
use invoice_core::Platform;

/// The platform slug.
pub const SLUG: &str = "monday";

/// Registers the monday.com connector's builder.
pub fn register(registry: &mut ConnectorRegistry) {
    registry.register(Platform::Monday, build);
}

fn build(config: &serde_json::Value) -> Result<Connector, ConfigError> {
    let config: MondayConfig =
        serde_json::from_value(config.clone()).map_err(ConfigError::invalid)?;
    let enricher = MondayEnricher::from_config(&config)?;
    Ok(Connector {
        source: Arc::new(MondaySource::new(config)?),
        enricher: Some(Arc::new(enricher)),
    })
}
