//! `[sources.netsuite]` configuration.

use invoice_core::registry::ConfigError;
use invoice_core::{Currency, Secret};
use serde::Deserialize;

/// Configuration of the NetSuite source. Unknown keys are refused.
///
/// ```toml
/// [sources.netsuite]
/// secrets = ["env:NETSUITE_RELAY_SECRET"]  # the API secret's value; several during rotation
/// tolerance_seconds = 300
/// accounts = ["1234567", "1234567_SB1"]     # accepted account ids (tenants); empty: any
/// default_currency = "USD"                  # invoices whose currency the script could not name
/// rejected_as_void = false                  # "Rejected" invoices: draft (default) or void
/// ```
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NetsuiteConfig {
    /// Shared secrets (the API secret the script signs with), used as UTF-8 bytes.
    pub secrets: Vec<Secret>,
    /// Signature age tolerance, seconds, both ways.
    #[serde(default = "default_tolerance")]
    pub tolerance_seconds: u64,
    /// NetSuite account ids accepted as tenants; empty accepts any signed post.
    #[serde(default)]
    pub accounts: Vec<String>,
    /// Currency of invoices that carry none.
    #[serde(default)]
    pub default_currency: Option<String>,
    /// Treat `Rejected` (approval rejected) as void instead of draft.
    #[serde(default)]
    pub rejected_as_void: bool,
}

fn default_tolerance() -> u64 {
    300
}

impl NetsuiteConfig {
    /// A configuration with one secret and defaults for the rest.
    pub fn with_secret(secret: &str) -> Self {
        NetsuiteConfig {
            secrets: vec![Secret::new(secret)],
            tolerance_seconds: default_tolerance(),
            accounts: Vec::new(),
            default_currency: None,
            rejected_as_void: false,
        }
    }

    pub(crate) fn validate(&self) -> Result<Option<Currency>, ConfigError> {
        let invalid = |m: String| Err(ConfigError::Invalid(format!("sources.netsuite.{m}")));
        if self.secrets.is_empty() || self.secrets.iter().any(|s| s.expose().is_empty()) {
            return invalid("secrets: at least one non-empty secret is required".into());
        }
        match &self.default_currency {
            Some(c) => match Currency::new(c) {
                Ok(c) => Ok(Some(c)),
                Err(_) => invalid(format!("default_currency: `{c}` is not an ISO code")),
            },
            None => Ok(None),
        }
    }
}
