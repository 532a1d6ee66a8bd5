//! # invoice-connector-quickbooks-desktop
//!
//! The QuickBooks Desktop connector of Invoice Relay. QuickBooks Desktop has no webhooks;
//! two real paths reach it:
//!
//! 1. The QuickBooks Web Connector (QBWC) polls a SOAP service on a schedule. [`source`]
//!    is that service on `POST /webhooks/quickbooks-desktop[/<company>]`: `serverVersion`,
//!    `clientVersion`, `authenticate` (configured user and password; a signed, stateless
//!    session ticket), `sendRequestXML` (an `InvoiceQueryRq` of invoices modified since
//!    the sync cursor, with linked transactions), `receiveResponseXML` (each `InvoiceRet`
//!    -> an `updated` snapshot; the cursor moves in the same journal commit, so a crash
//!    never skips a change), `getLastError`, `connectionError`, `closeConnection`.
//!    [`qwc::qwc_file`] writes the `.qwc` file that registers the service.
//! 2. qbXML data events (`QBXMLEvents`, SDK event subscription) forwarded by the shipped
//!    companion script (`scripts/qbd-event-forwarder.ps1`), signed with
//!    `X-Relay-Signature` ([`verify`]). They carry ids only: a `Delete` voids the invoice,
//!    `Add`/`Modify` are recorded and read by the next sync.
//!
//! ```
//! use invoice_connector_quickbooks_desktop::{QbdConfig, QbdSource};
//! let config = QbdConfig::new("a-long-forwarder-key", "invoice-relay", "pw", "brightline");
//! let source = QbdSource::new(config).unwrap();
//! # let _ = source;
//! ```
#![forbid(unsafe_code)]

pub mod config;
pub mod error;
pub mod mapping;
pub mod payload;
pub mod qbxml;
pub mod qwc;
pub mod soap;
pub mod source;
pub mod testing;
pub mod verify;
pub use invoice_connector_support::xml;

pub use config::QbdConfig;
pub use qwc::{qwc_file, QwcOptions};
pub use source::QbdSource;

use std::sync::Arc;

use invoice_core::registry::{ConfigError, Connector, ConnectorRegistry};
use invoice_core::Platform;

/// The platform slug.
pub const SLUG: &str = "quickbooks-desktop";

/// Registers the QuickBooks Desktop connector's builder.
pub fn register(registry: &mut ConnectorRegistry) {
    registry.register(Platform::QuickbooksDesktop, build);
}

fn build(config: &serde_json::Value) -> Result<Connector, ConfigError> {
    let config: QbdConfig = serde_json::from_value(config.clone()).map_err(ConfigError::invalid)?;
    Ok(Connector {
        source: Arc::new(QbdSource::new(config)?),
        enricher: None,
    })
}
