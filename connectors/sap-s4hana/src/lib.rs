//! # invoice-connector-sap-s4hana
//!
//! The SAP S/4HANA connector of Invoice Relay.
//!
//! - [`source`]: billing document business events
//!   (`sap.s4.beh.billingdocument.v1.BillingDocument.Created.v1`, `…Changed.v1`,
//!   `…Canceled.v1`) as CloudEvents 1.0 JSON, pushed by an SAP Event Mesh webhook
//!   subscription or an Integration Suite iFlow; single events or a
//!   `application/cloudevents-batch+json` array. They carry the document number only, so
//!   each becomes a thin reference.
//! - [`verify`]: how the push is authenticated (chosen in the config): an HMAC-SHA256
//!   header `X-Relay-Signature: t=<unix>,v1=<hex>` computed by the iFlow, a shared-secret
//!   header `X-Relay-Token`, or HTTP Basic (Event Mesh webhook "Basic Authentication").
//! - [`enrich`]: reads `A_BillingDocument('<id>')` with its partners from OData V2
//!   `API_BILLING_DOCUMENT_SRV`, as JSON (`{"d":{…}}`) or Atom XML, with OAuth 2.0 client
//!   credentials (refreshed once on 401) or Basic; 429/503 honour `Retry-After`.
//! - [`odata`]: the two OData V2 response formats -> one flat record; [`xml`]: the bounded
//!   namespace-aware reader (no DOCTYPE, no entities).
//! - [`mapping`]: the billing document's statuses -> canonical event (table in its docs).
//!
//! ```
//! use invoice_connector_sap_s4hana::{SapConfig, SapSource};
//! let source = SapSource::new(SapConfig::with_secret("a-long-shared-hmac-key")).unwrap();
//! # let _ = source;
//! ```
#![forbid(unsafe_code)]

pub mod config;
pub mod enrich;
pub mod error;
pub mod mapping;
pub mod odata;
pub mod payload;
pub mod source;
pub mod testing;
pub mod verify;
pub use invoice_connector_support::xml;

pub use config::{AuthMode, SapConfig};
pub use enrich::SapEnricher;
pub use source::SapSource;

use std::sync::Arc;

use invoice_core::registry::{ConfigError, Connector, ConnectorRegistry};
use invoice_core::Platform;

/// The platform slug.
pub const SLUG: &str = "sap-s4hana";

/// Registers the SAP S/4HANA connector's builder.
pub fn register(registry: &mut ConnectorRegistry) {
    registry.register(Platform::SapS4hana, build);
}

fn build(config: &serde_json::Value) -> Result<Connector, ConfigError> {
    let config: SapConfig = serde_json::from_value(config.clone()).map_err(ConfigError::invalid)?;
    let enricher = SapEnricher::from_config(&config)?;
    Ok(Connector {
        source: Arc::new(SapSource::new(config)?),
        enricher: enricher.map(|e| Arc::new(e) as Arc<dyn invoice_core::Enricher>),
    })
}
