//! `[sources.xero]` configuration.

use invoice_core::registry::ConfigError;
use invoice_core::Secret;
use serde::Deserialize;

/// Xero's OAuth 2.0 token endpoint.
pub const DEFAULT_TOKEN_URL: &str = "https://identity.xero.com/connect/token";

/// The Xero API.
pub const DEFAULT_API_BASE: &str = "https://api.xero.com";

/// Configuration of the Xero source. Unknown keys are refused.
///
/// ```toml
/// [sources.xero]
/// secrets = ["env:XERO_WEBHOOK_KEY"]    # webhook signing keys; several during rotation
/// api_base = "https://api.xero.com"     # resourceUrls must start with it
/// # either a fixed access token ...
/// access_token = "env:XERO_ACCESS_TOKEN"
/// # ... or a refresh token the connector exchanges (and re-exchanges on 401)
/// client_id = "0A1B2C..."
/// client_secret = "env:XERO_CLIENT_SECRET"
/// refresh_token = "env:XERO_REFRESH_TOKEN"
/// token_url = "https://identity.xero.com/connect/token"
/// tenants = ["aef86862-2015-4b6b-88bc-d89032cecc50"]   # optional allow-list
/// ```
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct XeroConfig {
    /// Webhook signing keys ("Webhooks key" of the app), used as UTF-8 bytes.
    pub secrets: Vec<Secret>,
    /// API base for enrichment; payload `resourceUrl`s outside it are refused.
    #[serde(default = "default_api_base")]
    pub api_base: String,
    /// A bearer token used as is (refreshed only if a refresh token is configured too).
    #[serde(default)]
    pub access_token: Option<Secret>,
    /// OAuth client id, for refreshing.
    #[serde(default)]
    pub client_id: Option<String>,
    /// OAuth client secret, for refreshing.
    #[serde(default)]
    pub client_secret: Option<Secret>,
    /// OAuth refresh token (single-use: the newest is kept in memory).
    #[serde(default)]
    pub refresh_token: Option<Secret>,
    /// Token endpoint.
    #[serde(default = "default_token_url")]
    pub token_url: String,
    /// Tenant (organisation) ids accepted; empty accepts every connected tenant.
    #[serde(default)]
    pub tenants: Vec<String>,
}

fn default_api_base() -> String {
    DEFAULT_API_BASE.to_owned()
}

fn default_token_url() -> String {
    DEFAULT_TOKEN_URL.to_owned()
}

impl XeroConfig {
    /// A configuration with one webhook key and defaults for the rest.
    pub fn with_secret(secret: &str) -> Self {
        XeroConfig {
            secrets: vec![Secret::new(secret)],
            api_base: default_api_base(),
            access_token: None,
            client_id: None,
            client_secret: None,
            refresh_token: None,
            token_url: default_token_url(),
            tenants: Vec::new(),
        }
    }

    pub(crate) fn validate(&self) -> Result<(), ConfigError> {
        if self.secrets.is_empty() || self.secrets.iter().any(|s| s.expose().is_empty()) {
            return Err(ConfigError::Invalid(
                "sources.xero.secrets: at least one non-empty webhook key is required".into(),
            ));
        }
        Ok(())
    }
}
