//! `[sources.freshbooks]` configuration.

use invoice_core::registry::ConfigError;
use invoice_core::Secret;
use serde::Deserialize;

/// FreshBooks' API host.
pub const DEFAULT_API_BASE: &str = "https://api.freshbooks.com";

/// FreshBooks' OAuth token endpoint.
pub const DEFAULT_TOKEN_URL: &str = "https://api.freshbooks.com/auth/oauth/token";

/// Configuration of the FreshBooks source. Unknown keys are refused.
///
/// ```toml
/// [sources.freshbooks]
/// secrets = ["env:FRESHBOOKS_VERIFIER"]   # each callback's verifier; several callbacks or rotation
/// accounts = ["6BApk"]                    # optional allow-list of account ids
/// api_base = "https://api.freshbooks.com"
/// access_token = "env:FRESHBOOKS_ACCESS_TOKEN"   # or OAuth refresh:
/// client_id = "..."
/// client_secret = "env:FRESHBOOKS_CLIENT_SECRET"
/// refresh_token = "env:FRESHBOOKS_REFRESH_TOKEN"
/// redirect_uri = "https://relay.example.com/oauth/freshbooks"
/// ```
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FreshbooksConfig {
    /// Callback verifiers (the HMAC keys), used as UTF-8 bytes.
    pub secrets: Vec<Secret>,
    /// Account ids accepted; empty: all.
    #[serde(default)]
    pub accounts: Vec<String>,
    /// API base for enrichment.
    #[serde(default = "default_api_base")]
    pub api_base: String,
    /// A bearer token used as is.
    #[serde(default)]
    pub access_token: Option<Secret>,
    /// OAuth client id, for refreshing.
    #[serde(default)]
    pub client_id: Option<String>,
    /// OAuth client secret, for refreshing.
    #[serde(default)]
    pub client_secret: Option<Secret>,
    /// OAuth refresh token (FreshBooks rotates it; the newest is kept in memory).
    #[serde(default)]
    pub refresh_token: Option<Secret>,
    /// OAuth redirect URI (sent on refresh).
    #[serde(default)]
    pub redirect_uri: Option<String>,
    /// OAuth token endpoint.
    #[serde(default = "default_token_url")]
    pub token_url: String,
}

fn default_api_base() -> String {
    DEFAULT_API_BASE.to_owned()
}

fn default_token_url() -> String {
    DEFAULT_TOKEN_URL.to_owned()
}

impl FreshbooksConfig {
    /// A configuration with one verifier and defaults for the rest.
    pub fn with_secret(secret: &str) -> Self {
        FreshbooksConfig {
            secrets: vec![Secret::new(secret)],
            accounts: Vec::new(),
            api_base: default_api_base(),
            access_token: None,
            client_id: None,
            client_secret: None,
            refresh_token: None,
            redirect_uri: None,
            token_url: default_token_url(),
        }
    }

    pub(crate) fn validate(&self) -> Result<(), ConfigError> {
        if self.secrets.is_empty() || self.secrets.iter().any(|s| s.expose().is_empty()) {
            return Err(ConfigError::Invalid(
                "sources.freshbooks.secrets: at least one non-empty verifier is required".into(),
            ));
        }
        Ok(())
    }
}
