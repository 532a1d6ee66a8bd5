//! `[sources.zoho-books]` configuration.

use invoice_core::registry::ConfigError;
use invoice_core::Secret;
use serde::Deserialize;

/// Configuration of the Zoho Books source. Unknown keys are refused.
///
/// ```toml
/// [sources.zoho-books]
/// secrets = ["env:ZOHO_WEBHOOK_TOKEN"]   # values of the secret header; several during rotation
/// token_header = "X-Relay-Token"         # the custom header added in the webhook's Headers
/// hmac_secrets = []                      # opt-in: X-Zoho-Webhook-Signature keys (see verify)
/// accept_url_token = false               # accept /webhooks/zoho-books/{org}/{token} without header
/// organization_id = "60012345678"        # tenant (else the route tenant)
/// ```
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ZohoConfig {
    /// Accepted values of the secret header.
    pub secrets: Vec<Secret>,
    /// The secret header's name.
    #[serde(default = "default_token_header")]
    pub token_header: String,
    /// Keys for `X-Zoho-Webhook-Signature` (the webhook's `secret`); empty: not accepted.
    #[serde(default)]
    pub hmac_secrets: Vec<Secret>,
    /// Accept requests without the header when the relay verified the route's URL token.
    #[serde(default)]
    pub accept_url_token: bool,
    /// The organization id used as tenant.
    #[serde(default)]
    pub organization_id: Option<String>,
}

fn default_token_header() -> String {
    "x-relay-token".to_owned()
}

impl ZohoConfig {
    /// A configuration with one header secret and defaults for the rest.
    pub fn with_secret(secret: &str) -> Self {
        ZohoConfig {
            secrets: vec![Secret::new(secret)],
            token_header: default_token_header(),
            hmac_secrets: Vec::new(),
            accept_url_token: false,
            organization_id: None,
        }
    }

    pub(crate) fn validate(&self) -> Result<(), ConfigError> {
        if self.secrets.iter().any(|s| s.expose().len() < 16) {
            return Err(ConfigError::Invalid(
                "sources.zoho-books.secrets: header secrets must be at least 16 characters".into(),
            ));
        }
        if self.secrets.is_empty() && self.hmac_secrets.is_empty() && !self.accept_url_token {
            return Err(ConfigError::Invalid(
                "sources.zoho-books: configure secrets, hmac_secrets or accept_url_token".into(),
            ));
        }
        if self.hmac_secrets.iter().any(|s| s.expose().is_empty()) {
            return Err(ConfigError::Invalid(
                "sources.zoho-books.hmac_secrets: empty secret".into(),
            ));
        }
        http::HeaderName::from_bytes(self.token_header.as_bytes()).map_err(|_| {
            ConfigError::Invalid("sources.zoho-books.token_header: not a header name".into())
        })?;
        Ok(())
    }
}
