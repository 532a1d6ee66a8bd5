//! # invoice-connector-asana
//!
//! The Asana connector of Invoice Relay. Asana has no invoice object: an invoice is a
//! task whose custom fields (invoice number, amount, currency, status, ...) are named in
//! the configuration.
//!
//! - [`verify`]: `X-Hook-Signature`, lowercase hex HMAC-SHA256 of the raw body keyed by
//!   the webhook's `X-Hook-Secret`; no timestamp (Asana signs none).
//! - [`source`]: the handshake (a request carrying `X-Hook-Secret` is answered 200 with
//!   the same header, and shown to a [`HandshakeObserver`] if the host installed one),
//!   heartbeats (`{"events":[]}`), and events: thin, one reference per task per request.
//! - [`payload`]: the `{"events": [...]}` body.
//! - [`mapping`]: events -> thin references; task fields -> canonical snapshot.
//! - [`enrich`]: `GET /api/1.0/tasks/{gid}` -> an `updated` snapshot.
//!
//! ```
//! use invoice_connector_asana::{AsanaConfig, AsanaSource};
//! let source = AsanaSource::new(AsanaConfig::with_secret("b537207f20cbfa02")).unwrap();
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

pub use config::AsanaConfig;
pub use enrich::AsanaEnricher;
pub use source::{AsanaSource, HandshakeObserver};

use std::sync::Arc;

use invoice_core::registry::{ConfigError, Connector, ConnectorRegistry};
use invoice_core::Platform;

/// The platform slug.
pub const SLUG: &str = "asana";

/// Registers the Asana connector's builder.
pub fn register(registry: &mut ConnectorRegistry) {
    registry.register(Platform::Asana, build);
}

fn build(config: &serde_json::Value) -> Result<Connector, ConfigError> {
    let config: AsanaConfig =
        serde_json::from_value(config.clone()).map_err(ConfigError::invalid)?;
    let enricher = AsanaEnricher::from_config(&config)?;
    Ok(Connector {
        source: Arc::new(AsanaSource::new(config)?),
        enricher: Some(Arc::new(enricher)),
    })
}
