//! # invoice-connector-dynamics365
//!
//! The Microsoft Dynamics 365 (Dataverse) connector of Invoice Relay, for the `invoice`
//! table, in two ways:
//!
//! - a Dataverse **service-endpoint webhook** (Plug-in Registration Tool, "Register New Web
//!   Hook", steps on `Create` / `Update` / `SetState` / `Delete` / `UpdateMultiple` of
//!   `invoice`): the body is the `RemoteExecutionContext` JSON exactly as Dataverse posts it,
//!   authenticated by the key chosen at registration: **WebhookKey** (`?code=<key>`),
//!   **HttpHeader** (a header you name) or **HttpQueryString** (a query parameter you
//!   name). Dataverse signs nothing; the key is compared as a whole, in constant time,
//!   against every configured secret (rotation).
//! - the shipped **Power Automate flow** (`scripts/invoice-relay-flow.json`): a Dataverse
//!   trigger and an HTTP action posting the row's state with the key in a header. Power
//!   Automate's expression language has no HMAC function, so this is a shared-secret
//!   header too, not a signature.
//!
//! - [`verify`]: where the key is read from ([`config::AuthMode`]) and the comparison;
//! - [`payload`]: the `RemoteExecutionContext` wire types; [`values`]: Dataverse's typed
//!   values (`OptionSetValue`, `Money`, `EntityReference`, `/Date(ms)/`);
//!   [`flow`]: the flow's body;
//! - [`mapping`]: `statecode` / `statuscode` -> canonical events (the table is there);
//! - [`source`]: the [`InvoiceSource`](invoice_core::InvoiceSource) impl;
//! - [`enrich`] / [`token`]: with `api_base` set, rows a post does not fully describe
//!   are read from the Dataverse Web API (client credentials) after the acknowledgement.
//!
//! ```
//! use invoice_connector_dynamics365::{Dynamics365Config, Dynamics365Source};
//! let source = Dynamics365Source::new(Dynamics365Config::with_secret("webhook-key")).unwrap();
//! # let _ = source;
//! ```
#![forbid(unsafe_code)]

pub mod config;
pub mod enrich;
pub mod error;
pub mod flow;
pub mod mapping;
pub mod payload;
pub mod source;
pub mod testing;
pub mod token;
pub mod values;
pub mod verify;

pub use config::{AuthMode, Dynamics365Config};
pub use enrich::Dynamics365Enricher;
pub use source::Dynamics365Source;

use std::sync::Arc;

use invoice_core::registry::{ConfigError, Connector, ConnectorRegistry};
use invoice_core::Platform;

/// The platform slug.
pub const SLUG: &str = "dynamics365";

/// Registers the Dynamics 365 connector's builder.
pub fn register(registry: &mut ConnectorRegistry) {
    registry.register(Platform::Dynamics365, build);
}

fn build(config: &serde_json::Value) -> Result<Connector, ConfigError> {
    let config: Dynamics365Config =
        serde_json::from_value(config.clone()).map_err(ConfigError::invalid)?;
    let enricher = Dynamics365Enricher::from_config(&config)?;
    Ok(Connector {
        source: Arc::new(Dynamics365Source::new(config)?),
        enricher: enricher.map(|e| Arc::new(e) as Arc<dyn invoice_core::Enricher>),
    })
}
