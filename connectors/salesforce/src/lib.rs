//! # invoice-connector-salesforce
//!
//! The Salesforce connector of Invoice Relay. Two deliveries reach
//! `POST /webhooks/salesforce[/{org}[/{token}]]`:
//!
//! - **Outbound Messages** (`text/xml`): the SOAP 1.1 `notifications` call of a flow or
//!   workflow "Outbound Message" action, up to 100 notifications of an invoice object
//!   (`Invoice__c` by default, field names configurable). Read by [`soap`] with a
//!   namespace-aware, bounded quick-xml reader that refuses DTDs. Every success reply is
//!   the SOAP [`soap::ACK`], duplicates included. Salesforce signs nothing: see [`verify`]
//!   for what authenticates a message (shared-secret header, URL token, or a
//!   network-authenticated set-up) and the `OrganizationId` allowlist (`403` otherwise).
//! - **Platform Event callouts** (`application/json`): a Queueable run by an
//!   `Invoice_Status__e` trigger posts the invoice record with the event's `ReplayId`
//!   (source version) and `EventUuid` (dedup key), signed with
//!   `Crypto.generateMac('hmacSHA256', ...)` in `X-Relay-Signature`.
//!
//! [`mapping`] has the status table. The platform is fat: no enrichment.
//!
//! ```
//! use invoice_connector_salesforce::{SalesforceConfig, SalesforceSource};
//! let source = SalesforceSource::new(SalesforceConfig::for_org("00D5g000004XyZaEAK")).unwrap();
//! # let _ = source;
//! ```
#![forbid(unsafe_code)]

pub mod config;
pub mod error;
pub mod mapping;
pub mod payload;
pub mod soap;
pub mod source;
pub mod testing;
pub mod verify;

pub use config::{FieldNames, SalesforceConfig};
pub use source::SalesforceSource;

use std::sync::Arc;

use invoice_core::registry::{ConfigError, Connector, ConnectorRegistry};
use invoice_core::Platform;

/// The platform slug.
pub const SLUG: &str = "salesforce";

/// Registers the Salesforce connector's builder.
pub fn register(registry: &mut ConnectorRegistry) {
    registry.register(Platform::Salesforce, build);
}

fn build(config: &serde_json::Value) -> Result<Connector, ConfigError> {
    let config: SalesforceConfig =
        serde_json::from_value(config.clone()).map_err(ConfigError::invalid)?;
    Ok(Connector {
        source: Arc::new(SalesforceSource::new(config)?),
        enricher: None,
    })
}
