//! `[sources.sage-intacct]` configuration.

use invoice_core::registry::ConfigError;
use invoice_core::{Currency, Secret};
use serde::Deserialize;

/// Configuration of the Sage Intacct source and enricher. Unknown keys are refused.
///
/// ```toml
/// [sources.sage-intacct]
/// company_ids = ["brightline-anodizing"]
/// url_tokens = ["env:INTACCT_URL_TOKEN"]      # taken by the relay (path token)
/// secrets = ["env:INTACCT_QUERY_TOKEN"]       # ?token= values, several during rotation
/// endpoint = "https://api.intacct.com/ia/xml/xmlgw.phtml"
/// sender_id = "BrightlineRelay"
/// sender_password = "env:INTACCT_SENDER_PASSWORD"
/// user_id = "relay_reader"
/// user_password = "env:INTACCT_USER_PASSWORD"
/// ```
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IntacctConfig {
    /// Company ids allowed to post; a post for another company is refused with `403`. The
    /// tenant of accepted posts is the company id.
    pub company_ids: Vec<String>,
    /// Tokens accepted in a `token` query parameter (several during rotation), for
    /// endpoints that cannot use the relay's path token. At least 16 URL-safe characters.
    #[serde(default)]
    pub secrets: Vec<Secret>,
    /// The XML Web Services endpoint every read goes to (never one from a payload or a
    /// session answer).
    #[serde(default = "default_endpoint")]
    pub endpoint: String,
    /// Web Services sender id.
    #[serde(default)]
    pub sender_id: Option<String>,
    /// Web Services sender password.
    #[serde(default)]
    pub sender_password: Option<Secret>,
    /// API user id (a Web Services user with read access to AR invoices).
    #[serde(default)]
    pub user_id: Option<String>,
    /// API user password.
    #[serde(default)]
    pub user_password: Option<Secret>,
    /// Entity (location) id for multi-entity companies, if reads must be scoped to one.
    #[serde(default)]
    pub entity_id: Option<String>,
    /// Currency when a record names none (single-currency companies).
    #[serde(default)]
    pub default_currency: Option<Currency>,
    /// The time zone `WHENMODIFIED` is written in (IANA name); UTC when not set.
    #[serde(default)]
    pub timezone: Option<chrono_tz::Tz>,
    /// HTTP timeout of a Web Services call, seconds.
    #[serde(default = "default_timeout")]
    pub timeout_seconds: u64,
}

fn default_endpoint() -> String {
    "https://api.intacct.com/ia/xml/xmlgw.phtml".to_owned()
}

fn default_timeout() -> u64 {
    30
}

/// True for tokens that survive a URL unencoded.
pub fn url_safe(token: &[u8]) -> bool {
    token
        .iter()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~'))
}

impl IntacctConfig {
    /// A configuration for one company with defaults for the rest (no tokens, no API
    /// credentials).
    pub fn for_company(company: &str) -> Self {
        IntacctConfig {
            company_ids: vec![company.to_owned()],
            secrets: Vec::new(),
            endpoint: default_endpoint(),
            sender_id: None,
            sender_password: None,
            user_id: None,
            user_password: None,
            entity_id: None,
            default_currency: None,
            timezone: None,
            timeout_seconds: default_timeout(),
        }
    }

    pub(crate) fn validate(&self) -> Result<(), ConfigError> {
        let bad = |m: &str| Err(ConfigError::Invalid(format!("sources.sage-intacct.{m}")));
        if self.company_ids.is_empty() || self.company_ids.iter().any(|c| c.trim().is_empty()) {
            return bad("company_ids: at least one non-empty company id is required");
        }
        if self
            .secrets
            .iter()
            .any(|s| s.expose().len() < 16 || !url_safe(s.expose()))
        {
            return bad("secrets: each token must be at least 16 URL-safe characters");
        }
        if url::Url::parse(&self.endpoint).is_err() {
            return bad("endpoint: not a URL");
        }
        Ok(())
    }

    /// The configured company id equal to `candidate` (case-insensitive).
    pub fn company(&self, candidate: &str) -> Option<&str> {
        self.company_ids
            .iter()
            .find(|c| c.eq_ignore_ascii_case(candidate.trim()))
            .map(String::as_str)
    }
}
