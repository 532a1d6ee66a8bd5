//! # invoice-connector-sage-intacct
//!
//! The Sage Intacct connector of Invoice Relay.
//!
//! - **Smart Events** (Customization Services) on `ARINVOICE` *Add*/*Set* post a body the
//!   admin writes with `{!ARINVOICE.FIELD!}` injections (templates in
//!   `docs/platforms/sage-intacct.md`: JSON, XML or form fields). Intacct cannot sign,
//!   timestamp or set headers, and does not escape injected values, so [`verify`] accepts
//!   a post only with a URL token, and a post is only a hint: [`source`] stores a thin
//!   reference to the record.
//! - [`enrich`] reads the record back with the XML Web Services API (`read` on
//!   `ARINVOICE`), parsed by [`api`] with the bounded, DTD-refusing reader of [`xml`], and
//!   [`mapping`] turns its `STATE` and amounts into a canonical event.
//!
//! ```
//! use invoice_connector_sage_intacct::{IntacctConfig, IntacctSource};
//! let source = IntacctSource::new(IntacctConfig::for_company("brightline-anodizing")).unwrap();
//! # let _ = source;
//! ```
#![forbid(unsafe_code)]

pub mod api;
pub mod config;
pub mod enrich;
pub mod error;
pub mod mapping;
pub mod payload;
pub mod smart_event;
pub mod source;
pub mod testing;
pub mod verify;
pub mod xml;

pub use config::IntacctConfig;
pub use enrich::{IntacctEnricher, SessionProvider};
pub use source::IntacctSource;

use std::sync::Arc;

use invoice_core::registry::{ConfigError, Connector, ConnectorRegistry};
use invoice_core::{Enricher, Platform};

/// The platform slug.
pub const SLUG: &str = "sage-intacct";

/// Registers the Sage Intacct connector's builder.
pub fn register(registry: &mut ConnectorRegistry) {
    registry.register(Platform::SageIntacct, build);
}

fn build(config: &serde_json::Value) -> Result<Connector, ConfigError> {
    let config: IntacctConfig =
        serde_json::from_value(config.clone()).map_err(ConfigError::invalid)?;
    let enricher = IntacctEnricher::from_config(&config)?.map(|e| Arc::new(e) as Arc<dyn Enricher>);
    Ok(Connector {
        source: Arc::new(IntacctSource::new(config)?),
        enricher,
    })
}
