//! `[sources.quickbooks-online]` configuration.

use invoice_core::registry::ConfigError;
use invoice_core::{Currency, Secret};
use serde::Deserialize;

/// Intuit's OAuth 2.0 token endpoint (production and sandbox alike).
pub const DEFAULT_TOKEN_URL: &str = "https://oauth.platform.intuit.com/oauth2/v1/tokens/bearer";

/// The production Accounting API. Sandbox companies use
/// `https://sandbox-quickbooks.api.intuit.com`.
pub const DEFAULT_API_BASE: &str = "https://quickbooks.api.intuit.com";

/// Configuration of the QuickBooks Online source. Unknown keys are refused.
///
/// ```toml
/// [sources.quickbooks-online]
/// secrets = ["env:QBO_VERIFIER_TOKEN"]   # webhook verifier tokens; several during rotation
/// api_base = "https://quickbooks.api.intuit.com"
/// minor_version = 75
/// # either a fixed access token ...
/// access_token = "env:QBO_ACCESS_TOKEN"
/// # ... or a refresh token the connector exchanges (and re-exchanges on 401)
/// client_id = "ABc..."
/// client_secret = "env:QBO_CLIENT_SECRET"
/// refresh_token = "env:QBO_REFRESH_TOKEN"
/// token_url = "https://oauth.platform.intuit.com/oauth2/v1/tokens/bearer"
/// home_currency = "USD"                 # for companies without multicurrency
/// realms = ["9341455322581846"]         # optional allow-list of company ids
/// ```
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QboConfig {
    /// Webhook verifier tokens (the app's "Verifier Token"), used as UTF-8 bytes.
    pub secrets: Vec<Secret>,
    /// Accounting API base for enrichment.
    #[serde(default = "default_api_base")]
    pub api_base: String,
    /// The `minorversion` query parameter of every API call.
    #[serde(default = "default_minor_version")]
    pub minor_version: u32,
    /// A bearer token used as is (refreshed only if a refresh token is configured too).
    #[serde(default)]
    pub access_token: Option<Secret>,
    /// OAuth client id, for refreshing.
    #[serde(default)]
    pub client_id: Option<String>,
    /// OAuth client secret, for refreshing.
    #[serde(default)]
    pub client_secret: Option<Secret>,
    /// OAuth refresh token. Intuit rotates it; the newest is kept in memory.
    #[serde(default)]
    pub refresh_token: Option<Secret>,
    /// Token endpoint.
    #[serde(default = "default_token_url")]
    pub token_url: String,
    /// Currency of invoices whose `CurrencyRef` is absent (companies without
    /// multicurrency).
    #[serde(default)]
    pub home_currency: Option<String>,
    /// Company ids (realm ids) accepted; empty accepts every realm the app is connected to.
    #[serde(default)]
    pub realms: Vec<String>,
}

fn default_api_base() -> String {
    DEFAULT_API_BASE.to_owned()
}

fn default_minor_version() -> u32 {
    75
}

fn default_token_url() -> String {
    DEFAULT_TOKEN_URL.to_owned()
}

impl QboConfig {
    /// A configuration with one verifier token and defaults for the rest.
    pub fn with_secret(secret: &str) -> Self {
        QboConfig {
            secrets: vec![Secret::new(secret)],
            api_base: default_api_base(),
            minor_version: default_minor_version(),
            access_token: None,
            client_id: None,
            client_secret: None,
            refresh_token: None,
            token_url: default_token_url(),
            home_currency: None,
            realms: Vec::new(),
        }
    }

    pub(crate) fn validate(&self) -> Result<(), ConfigError> {
        if self.secrets.is_empty() || self.secrets.iter().any(|s| s.expose().is_empty()) {
            return Err(ConfigError::Invalid(
                "sources.quickbooks-online.secrets: at least one non-empty verifier token is required"
                    .into(),
            ));
        }
        if let Some(c) = &self.home_currency {
            Currency::new(c).map_err(|e| {
                ConfigError::Invalid(format!("sources.quickbooks-online.home_currency: {e}"))
            })?;
        }
        Ok(())
    }

    /// The home currency, if configured and valid.
    pub(crate) fn home_currency(&self) -> Option<Currency> {
        self.home_currency
            .as_deref()
            .and_then(|c| Currency::new(c).ok())
    }
}
