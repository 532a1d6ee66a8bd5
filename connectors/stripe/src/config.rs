//! `[sources.stripe]` configuration.

use invoice_core::registry::ConfigError;
use invoice_core::Secret;
use serde::Deserialize;

/// Configuration of the Stripe source. Unknown keys are refused.
///
/// ```toml
/// [sources.stripe]
/// secrets = ["whsec_..."]          # endpoint signing secrets; several during rotation
/// tolerance_seconds = 300
/// account = "acct_1Abc"            # tenant for events without `account` (not Connect)
/// api_base = "https://api.stripe.com"
/// api_key = "env:STRIPE_API_KEY"   # for dispute -> invoice lookups
/// ```
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StripeConfig {
    /// Endpoint signing secrets (`whsec_...`), used as UTF-8 bytes.
    pub secrets: Vec<Secret>,
    /// Signature age tolerance, seconds.
    #[serde(default = "default_tolerance")]
    pub tolerance_seconds: u64,
    /// Tenant of events that carry no `account`.
    #[serde(default)]
    pub account: Option<String>,
    /// Stripe API base for enrichment.
    #[serde(default = "default_api_base")]
    pub api_base: String,
    /// Secret API key for enrichment.
    #[serde(default)]
    pub api_key: Option<Secret>,
}

fn default_tolerance() -> u64 {
    300
}

fn default_api_base() -> String {
    "https://api.stripe.com".to_owned()
}

impl StripeConfig {
    /// A configuration with one secret and defaults for the rest.
    pub fn with_secret(secret: &str) -> Self {
        StripeConfig {
            secrets: vec![Secret::new(secret)],
            tolerance_seconds: default_tolerance(),
            account: None,
            api_base: default_api_base(),
            api_key: None,
        }
    }

    pub(crate) fn validate(&self) -> Result<(), ConfigError> {
        if self.secrets.is_empty() || self.secrets.iter().any(|s| s.expose().is_empty()) {
            return Err(ConfigError::Invalid(
                "sources.stripe.secrets: at least one non-empty secret is required".into(),
            ));
        }
        Ok(())
    }
}
