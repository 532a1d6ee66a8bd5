//! # invoice-connector-jira-service-management
//!
//! The Jira Service Management connector of Invoice Relay: an invoice is an issue whose
//! workflow status and custom fields (amount, currency, invoice number, ...) are named in
//! the configuration. Jira webhooks are fat: the issue comes with every event.
//!
//! - [`verify`]: `X-Hub-Signature: sha256=<hex HMAC-SHA256(secret, body)>` (admin
//!   webhooks with a secret), or, for Automation "Send web request" rules (unsigned), a
//!   shared-secret header of a configurable name compared in constant time.
//! - [`payload`]: the `jira:issue_*` event with `issue.fields` and `changelog`.
//! - [`mapping`]: status name (or id) -> canonical word via config; fields -> snapshot.
//! - [`source`]: the [`InvoiceSource`](invoice_core::InvoiceSource) impl.
//!
//! ```
//! use invoice_connector_jira_service_management::{JsmConfig, JsmSource};
//! let source = JsmSource::new(JsmConfig::with_secret("webhook-secret")).unwrap();
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

pub use config::JsmConfig;
pub use source::JsmSource;

use std::sync::Arc;

use invoice_core::registry::{ConfigError, Connector, ConnectorRegistry};
use invoice_core::Platform;

/// The platform slug.
pub const SLUG: &str = "jira-service-management";

/// Registers the Jira Service Management connector's builder.
pub fn register(registry: &mut ConnectorRegistry) {
    registry.register(Platform::JiraServiceManagement, build);
}

fn build(config: &serde_json::Value) -> Result<Connector, ConfigError> {
    let config: JsmConfig = serde_json::from_value(config.clone()).map_err(ConfigError::invalid)?;
    Ok(Connector {
        source: Arc::new(JsmSource::new(config)?),
        enricher: None,
    })
}
