//! # invoice-connector-google-sheets
//!
//! The Google Sheets connector of Invoice Relay. Sheets has no webhooks: an installable
//! Apps Script trigger (shipped in `scripts/invoice-relay.gs`, shown in
//! `docs/platforms/google-sheets.md`) posts the edited invoice rows as JSON, signed with
//! `Utilities.computeHmacSha256Signature`.
//!
//! - [`verify`]: `X-Sheets-Signature: t=<unix>,v1=<hex>[,v1=...]`, HMAC-SHA256 of
//!   `"<t>." + raw body` keyed by the secret's UTF-8 bytes, any `v1` may match (rotation),
//!   300 s default tolerance, constant-time compare.
//! - [`payload`]: the post (`spreadsheetId`, `sheet`, `sentAt`, `rows[]`), each row's cells
//!   keyed by the sheet's header names.
//! - [`amount`], [`date`]: cells as a spreadsheet shows them (`"$4,250.00"`,
//!   `"1.234,50 €"`, ISO dates or serial numbers), parsed with `rust_decimal`, never `f64`.
//! - [`mapping`]: status words -> canonical events, one snapshot per row.
//! - [`source`]: the [`InvoiceSource`](invoice_core::InvoiceSource) impl.
//!
//! ```
//! use invoice_connector_google_sheets::{SheetsConfig, SheetsSource};
//! let source = SheetsSource::new(SheetsConfig::with_secret("sheets-secret")).unwrap();
//! # let _ = source;
//! ```
#![forbid(unsafe_code)]

pub mod amount;
pub mod config;
pub mod date;
pub mod error;
pub mod mapping;
pub mod payload;
pub mod source;
pub mod testing;
pub mod verify;

pub use config::{Columns, SheetsConfig};
pub use source::SheetsSource;

use std::sync::Arc;

use invoice_core::registry::{ConfigError, Connector, ConnectorRegistry};
use invoice_core::Platform;

/// The platform slug.
pub const SLUG: &str = "google-sheets";

/// Registers the Google Sheets connector's builder.
pub fn register(registry: &mut ConnectorRegistry) {
    registry.register(Platform::GoogleSheets, build);
}

fn build(config: &serde_json::Value) -> Result<Connector, ConfigError> {
    let config: SheetsConfig =
        serde_json::from_value(config.clone()).map_err(ConfigError::invalid)?;
    Ok(Connector {
        source: Arc::new(SheetsSource::new(config)?),
        enricher: None,
    })
}
