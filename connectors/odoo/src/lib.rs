//! # invoice-connector-odoo
//!
//! The Odoo connector of Invoice Relay, for `account.move` (customer invoices and credit
//! notes), in two ways:
//!
//! - Odoo 17+ **"Send Webhook Notification"** automated action: a JSON POST of the chosen
//!   fields (`json.dumps(..., sort_keys=True, default=str)`) that cannot sign or add
//!   headers. It is accepted only on `POST /webhooks/odoo/{tenant}/{token}` with a URL token
//!   the relay checked (`ctx.url_token_verified`).
//! - The **signed** variant: the small Odoo module shipped in `scripts/invoice_relay/`
//!   (an automated action "Execute Code" calls it) posts the same body plus `_db`, signed
//!   with Python's `hmac`/`hashlib`:
//!   `X-Odoo-Signature: t=<unix>,v1=<hex HMAC-SHA256(secret, "t." + body)>`.
//!
//! - [`verify`]: the `X-Odoo-Signature` scheme (a present signature is always checked, even
//!   on a token route); [`payload`]: the notification, with Odoo's `false`-for-unset and
//!   many2one `[id, "name"]` pairs or bare ids; [`number`]: float tokens to `Decimal`
//!   without `f64`; [`mapping`]: `state` / `payment_state` / `move_type` to canonical
//!   events; [`source`]: the [`InvoiceSource`](invoice_core::InvoiceSource) impl.
//!
//! ```
//! use invoice_connector_odoo::{OdooConfig, OdooSource};
//! let source = OdooSource::new(OdooConfig::with_secret("odoo-secret")).unwrap();
//! # let _ = source;
//! ```
#![forbid(unsafe_code)]

pub mod config;
pub mod error;
pub mod mapping;
pub mod number;
pub mod payload;
pub mod source;
pub mod testing;
pub mod verify;

pub use config::OdooConfig;
pub use source::OdooSource;

use std::sync::Arc;

use invoice_core::registry::{ConfigError, Connector, ConnectorRegistry};
use invoice_core::Platform;

/// The platform slug.
pub const SLUG: &str = "odoo";

/// Registers the Odoo connector's builder.
pub fn register(registry: &mut ConnectorRegistry) {
    registry.register(Platform::Odoo, build);
}

fn build(config: &serde_json::Value) -> Result<Connector, ConfigError> {
    let config: OdooConfig =
        serde_json::from_value(config.clone()).map_err(ConfigError::invalid)?;
    Ok(Connector {
        source: Arc::new(OdooSource::new(config)?),
        enricher: None,
    })
}
