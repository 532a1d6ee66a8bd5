//! `[sources.hubspot]` configuration.

use invoice_core::registry::ConfigError;
use invoice_core::{Currency, Secret};
use serde::Deserialize;

/// HubSpot's API host (CRM objects and the OAuth token endpoint).
pub const DEFAULT_API_BASE: &str = "https://api.hubapi.com";

/// HubSpot's OAuth token endpoint.
pub const DEFAULT_TOKEN_URL: &str = "https://api.hubapi.com/oauth/v1/token";

/// Configuration of the HubSpot source. Unknown keys are refused.
///
/// ```toml
/// [sources.hubspot]
/// secrets = ["env:HUBSPOT_CLIENT_SECRET"]      # the app's client secret; several during rotation
/// public_base_url = "https://relay.example.com" # scheme + host HubSpot posts to (v3 signs the URL)
/// tolerance_seconds = 300
/// accept_legacy_signatures = false              # v1/v2: no timestamp, v1 not bound to the URL
/// portal_ids = [62515]                          # optional allow-list of HubSpot accounts
/// api_base = "https://api.hubapi.com"
/// access_token = "env:HUBSPOT_TOKEN"            # private app / static token, or:
/// client_id = "..."                             # OAuth refresh (client secret = secrets[0]
/// refresh_token = "env:HUBSPOT_REFRESH_TOKEN"   #   unless oauth_client_secret is set)
/// default_currency = "USD"                      # for invoices without hs_currency
/// ```
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HubspotConfig {
    /// The app's client secret(s), used as UTF-8 bytes.
    pub secrets: Vec<Secret>,
    /// The public scheme and host (and path prefix) HubSpot posts to; the request's path
    /// and query are appended to rebuild the URI the v3 signature covers. The relay's
    /// `IngestContext::public_url`, when set, takes precedence.
    #[serde(default)]
    pub public_base_url: Option<String>,
    /// Signature age tolerance, seconds (HubSpot documents 5 minutes).
    #[serde(default = "default_tolerance")]
    pub tolerance_seconds: u64,
    /// Accept requests signed only with v1 / v2 (no replay window).
    #[serde(default)]
    pub accept_legacy_signatures: bool,
    /// HubSpot account ids (`portalId`) accepted; empty accepts any.
    #[serde(default)]
    pub portal_ids: Vec<u64>,
    /// CRM API base for enrichment.
    #[serde(default = "default_api_base")]
    pub api_base: String,
    /// A bearer token used as is (private app token or OAuth access token).
    #[serde(default)]
    pub access_token: Option<Secret>,
    /// OAuth client id, for refreshing.
    #[serde(default)]
    pub client_id: Option<String>,
    /// OAuth client secret for refreshing, if not the first of `secrets`.
    #[serde(default)]
    pub oauth_client_secret: Option<Secret>,
    /// OAuth refresh token.
    #[serde(default)]
    pub refresh_token: Option<Secret>,
    /// OAuth token endpoint.
    #[serde(default = "default_token_url")]
    pub token_url: String,
    /// Currency of invoices whose `hs_currency` is empty.
    #[serde(default)]
    pub default_currency: Option<String>,
}

fn default_tolerance() -> u64 {
    300
}

fn default_api_base() -> String {
    DEFAULT_API_BASE.to_owned()
}

fn default_token_url() -> String {
    DEFAULT_TOKEN_URL.to_owned()
}

impl HubspotConfig {
    /// A configuration with one client secret and defaults for the rest.
    pub fn with_secret(secret: &str) -> Self {
        HubspotConfig {
            secrets: vec![Secret::new(secret)],
            public_base_url: None,
            tolerance_seconds: default_tolerance(),
            accept_legacy_signatures: false,
            portal_ids: Vec::new(),
            api_base: default_api_base(),
            access_token: None,
            client_id: None,
            oauth_client_secret: None,
            refresh_token: None,
            token_url: default_token_url(),
            default_currency: None,
        }
    }

    pub(crate) fn validate(&self) -> Result<(), ConfigError> {
        if self.secrets.is_empty() || self.secrets.iter().any(|s| s.expose().is_empty()) {
            return Err(ConfigError::Invalid(
                "sources.hubspot.secrets: at least one non-empty client secret is required".into(),
            ));
        }
        if let Some(base) = &self.public_base_url {
            let u = url::Url::parse(base).map_err(|e| {
                ConfigError::Invalid(format!("sources.hubspot.public_base_url: {e}"))
            })?;
            if !matches!(u.scheme(), "http" | "https") || u.query().is_some() {
                return Err(ConfigError::Invalid(
                    "sources.hubspot.public_base_url: must be an http(s) URL without a query"
                        .into(),
                ));
            }
        }
        if let Some(c) = &self.default_currency {
            Currency::new(c).map_err(|e| {
                ConfigError::Invalid(format!("sources.hubspot.default_currency: {e}"))
            })?;
        }
        Ok(())
    }

    /// The default currency, if configured and valid.
    pub(crate) fn default_currency(&self) -> Option<Currency> {
        self.default_currency
            .as_deref()
            .and_then(|c| Currency::new(c).ok())
    }
}
