//! `[sources.servicenow]` configuration.

use std::collections::BTreeMap;

use invoice_core::registry::ConfigError;
use invoice_core::{Currency, Secret};
use serde::Deserialize;

use crate::mapping::Canonical;

/// How the shipped script authenticates its posts (`invoice_relay.auth` in the instance).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ServicenowAuth {
    /// Standard Webhooks HMAC-SHA256 signature over id, timestamp and body (default).
    Hmac,
    /// HTTP Basic credentials (`RESTMessageV2.setBasicAuth` or a basic auth profile);
    /// nothing covers the body but TLS.
    Basic,
}

/// Configuration of the ServiceNow source. Unknown keys are refused.
///
/// ```toml
/// [sources.servicenow]
/// secrets = ["env:SN_RELAY_SECRET"]  # hmac: "whsec_<base64>" or a plain key; basic: "user:password"
/// auth = "hmac"                      # or "basic"
/// tolerance_seconds = 300
/// instances = ["anodizeworks"]       # accepted instance names (tenants); empty: any
/// tables = ["x_invoice"]             # accepted invoice tables; empty: any
/// default_currency = "EUR"           # records whose amount carries no currency
/// states = { "u_sent" = "open", "u_in_clarification" = "disputed" }  # choice value -> canonical
/// ```
///
/// Canonical words for `states`: `draft`, `open`, `partially_paid`, `paid`, `overdue`,
/// `disputed`, `void`, `written_off`, `ignore` (skipped on purpose).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServicenowConfig {
    /// Signing keys (hmac) or `user:password` credentials (basic); several during rotation.
    pub secrets: Vec<Secret>,
    /// The authentication the script uses.
    #[serde(default = "default_auth")]
    pub auth: ServicenowAuth,
    /// Signature age tolerance, seconds, both ways (hmac).
    #[serde(default = "default_tolerance")]
    pub tolerance_seconds: u64,
    /// Accepted instance names (`instance_name`); empty accepts any authenticated post.
    #[serde(default)]
    pub instances: Vec<String>,
    /// Accepted invoice tables; empty accepts any.
    #[serde(default)]
    pub tables: Vec<String>,
    /// Currency of records whose amount carries none.
    #[serde(default)]
    pub default_currency: Option<String>,
    /// The instance's state choice values -> canonical words, over the built-in ones.
    #[serde(default)]
    pub states: BTreeMap<String, String>,
}

fn default_auth() -> ServicenowAuth {
    ServicenowAuth::Hmac
}

fn default_tolerance() -> u64 {
    300
}

/// The checked configuration.
#[derive(Debug, Clone)]
pub struct Checked {
    /// The keys (hmac: decoded from `whsec_` base64 when so prefixed).
    pub keys: Vec<Secret>,
    /// Default currency.
    pub default_currency: Option<Currency>,
    /// Lower-case choice value -> canonical.
    pub states: BTreeMap<String, Canonical>,
}

impl ServicenowConfig {
    /// An HMAC configuration with one key and defaults for the rest.
    pub fn with_secret(secret: &str) -> Self {
        ServicenowConfig {
            secrets: vec![Secret::new(secret)],
            auth: default_auth(),
            tolerance_seconds: default_tolerance(),
            instances: Vec::new(),
            tables: Vec::new(),
            default_currency: None,
            states: BTreeMap::new(),
        }
    }

    pub(crate) fn check(&self) -> Result<Checked, ConfigError> {
        let invalid = |m: String| Err(ConfigError::Invalid(format!("sources.servicenow.{m}")));
        if self.secrets.is_empty() || self.secrets.iter().any(|s| s.expose().is_empty()) {
            return invalid("secrets: at least one non-empty secret is required".into());
        }
        let mut keys = Vec::new();
        for s in &self.secrets {
            match self.auth {
                ServicenowAuth::Hmac => match crate::verify::key_bytes(s) {
                    Some(k) => keys.push(k),
                    None => return invalid("secrets: a whsec_ secret is not valid base64".into()),
                },
                ServicenowAuth::Basic => {
                    if !s.expose().contains(&b':') {
                        return invalid("secrets: basic credentials are `user:password`".into());
                    }
                    keys.push(s.clone());
                }
            }
        }
        let default_currency = match &self.default_currency {
            Some(c) => match Currency::new(c) {
                Ok(c) => Some(c),
                Err(_) => return invalid(format!("default_currency: `{c}` is not an ISO code")),
            },
            None => None,
        };
        let mut states = BTreeMap::new();
        for (value, word) in &self.states {
            match Canonical::parse(word) {
                Some(c) => {
                    states.insert(value.trim().to_lowercase(), c);
                }
                None => {
                    return invalid(format!(
                        "states.{value}: `{word}` is not a canonical word (draft, open, \
                         partially_paid, paid, overdue, disputed, void, written_off, ignore)"
                    ))
                }
            }
        }
        Ok(Checked {
            keys,
            default_currency,
            states,
        })
    }
}
