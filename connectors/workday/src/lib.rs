//! # invoice-connector-workday
//!
//! The Workday connector of Invoice Relay. Workday pushes no generic invoice webhooks: a
//! business-process event (customer invoice approved, payment applied, invoice canceled)
//! launches an outbound EIB or Studio integration that POSTs customer invoice data in
//! Workday Web Services XML (`wd:` = `urn:com.workday/bsvc`) to
//! `/webhooks/workday[/<tenant>]`. The message shape and the XSLT that produces it are in
//! `docs/platforms/workday.md`.
//!
//! - [`verify`]: HTTP Basic (the integration's endpoint credentials; mutual TLS in front
//!   of the relay where wanted) or an HMAC-SHA256 `X-Relay-Signature` (Studio).
//! - [`payload`]: `wd:Customer_Invoice` records (`Customer_Invoice_Reference` with
//!   `ID wd:type="Customer_Invoice_Reference_ID"`, `Invoice_Number`, customer, currency,
//!   `Total_Invoice_Amount`, `Amount_Due`/`Amount_Paid`, `Due_Date`, `Invoice_Status`,
//!   `Payment_Status`, `Canceled`, dispute fields); several per message.
//! - [`mapping`]: statuses -> canonical events (table in its docs).
//!
//! ```
//! use invoice_connector_workday::{WorkdayConfig, WorkdaySource};
//! let config = WorkdayConfig::basic("ISU_INVOICE_RELAY", "a-long-endpoint-password", "acme");
//! let source = WorkdaySource::new(config).unwrap();
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
pub use invoice_connector_support::xml;

pub use config::{AuthMode, WorkdayConfig};
pub use source::WorkdaySource;

use std::sync::Arc;

use invoice_core::registry::{ConfigError, Connector, ConnectorRegistry};
use invoice_core::Platform;

/// The platform slug.
pub const SLUG: &str = "workday";

/// Registers the Workday connector's builder.
pub fn register(registry: &mut ConnectorRegistry) {
    registry.register(Platform::Workday, build);
}

fn build(config: &serde_json::Value) -> Result<Connector, ConfigError> {
    let config: WorkdayConfig =
        serde_json::from_value(config.clone()).map_err(ConfigError::invalid)?;
    Ok(Connector {
        source: Arc::new(WorkdaySource::new(config)?),
        enricher: None,
    })
}
