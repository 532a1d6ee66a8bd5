//! `[sources.odoo]` configuration.

use std::collections::BTreeMap;

use invoice_core::registry::ConfigError;
use invoice_core::{Currency, Secret};
use serde::Deserialize;

/// Configuration of the Odoo source. Unknown keys are refused. (`url_tokens`, for the
/// native webhook action, is read by the relay itself and never reaches the connector.)
///
/// ```toml
/// [sources.odoo]
/// url_tokens = ["env:ODOO_URL_TOKEN"]  # native "Send Webhook Notification" action
/// secrets = ["env:ODOO_RELAY_SECRET"]  # signed module; may be empty with url_tokens only
/// tolerance_seconds = 300
/// database = "anodize-prod"            # tenant when neither the route nor `_db` names one
/// default_currency = "EUR"             # for bare currency ids not in `currencies`
/// currencies = { "1" = "EUR", "2" = "USD" }  # res.currency ids (payloads read with load=None)
/// ```
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OdooConfig {
    /// Signing secrets of the module (`invoice_relay.secret`), used as UTF-8 bytes. Empty
    /// when only the native action (URL token) is used.
    #[serde(default)]
    pub secrets: Vec<Secret>,
    /// Signature age tolerance, seconds, both ways.
    #[serde(default = "default_tolerance")]
    pub tolerance_seconds: u64,
    /// Tenant when neither the route nor the body's `_db` names one.
    #[serde(default)]
    pub database: Option<String>,
    /// `res.currency` ids -> ISO codes, for payloads that carry bare ids.
    #[serde(default)]
    pub currencies: BTreeMap<String, String>,
    /// Currency of bare ids not in `currencies`.
    #[serde(default)]
    pub default_currency: Option<String>,
}

fn default_tolerance() -> u64 {
    300
}

impl OdooConfig {
    /// A configuration with one secret and defaults for the rest.
    pub fn with_secret(secret: &str) -> Self {
        OdooConfig {
            secrets: vec![Secret::new(secret)],
            tolerance_seconds: default_tolerance(),
            database: None,
            currencies: BTreeMap::new(),
            default_currency: None,
        }
    }

    pub(crate) fn validate(&self) -> Result<Currencies, ConfigError> {
        let invalid = |m: String| Err(ConfigError::Invalid(format!("sources.odoo.{m}")));
        if self.secrets.iter().any(|s| s.expose().is_empty()) {
            return invalid("secrets: a secret is empty".into());
        }
        let mut by_id = BTreeMap::new();
        for (id, code) in &self.currencies {
            let Ok(n) = id.trim().parse::<i64>() else {
                return invalid(format!("currencies.{id}: not a res.currency id"));
            };
            match Currency::new(code) {
                Ok(c) => {
                    by_id.insert(n, c);
                }
                Err(_) => return invalid(format!("currencies.{id}: `{code}` is not an ISO code")),
            }
        }
        let default = match &self.default_currency {
            Some(c) => match Currency::new(c) {
                Ok(c) => Some(c),
                Err(_) => return invalid(format!("default_currency: `{c}` is not an ISO code")),
            },
            None => None,
        };
        Ok(Currencies { by_id, default })
    }
}

/// Currency lookups, checked at construction.
#[derive(Debug, Clone, Default)]
pub struct Currencies {
    pub(crate) by_id: BTreeMap<i64, Currency>,
    pub(crate) default: Option<Currency>,
}
