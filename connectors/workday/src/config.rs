//! `[sources.workday]` configuration.

use invoice_core::registry::ConfigError;
use invoice_core::{Currency, Secret};
use serde::Deserialize;

/// How deliveries from Workday are authenticated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AuthMode {
    /// HTTP Basic with `basic_user` and a configured secret as the password (EIB / Studio
    /// HTTP delivery with endpoint credentials).
    Basic,
    /// `X-Relay-Signature` HMAC-SHA256 over the body (a Studio integration that signs).
    Hmac,
}

/// Configuration of the Workday source. Unknown keys are refused.
///
/// ```toml
/// [sources.workday]
/// auth = "basic"
/// basic_user = "ISU_INVOICE_RELAY"
/// secrets = ["env:WORKDAY_RELAY_PASSWORD"]   # Basic passwords or HMAC keys (rotation)
/// tenants = ["brightline"]                   # Workday tenant names; the first is the default
/// ```
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WorkdayConfig {
    /// Basic or HMAC.
    #[serde(default = "default_auth")]
    pub auth: AuthMode,
    /// The Basic user name (with `auth = "basic"`).
    #[serde(default)]
    pub basic_user: Option<String>,
    /// Basic passwords or HMAC keys; several during rotation.
    pub secrets: Vec<Secret>,
    /// Workday tenant names; a route tenant (`/webhooks/workday/<tenant>`) must be one of
    /// them, the first is used when the route names none.
    pub tenants: Vec<String>,
    /// Signature age tolerance, seconds (HMAC mode).
    #[serde(default = "default_tolerance")]
    pub tolerance_seconds: u64,
    /// Currency of invoices whose message names none.
    #[serde(default)]
    pub default_currency: Option<Currency>,
}

fn default_auth() -> AuthMode {
    AuthMode::Basic
}

fn default_tolerance() -> u64 {
    300
}

impl WorkdayConfig {
    /// Basic mode for one tenant with one password.
    pub fn basic(user: &str, password: &str, tenant: &str) -> Self {
        WorkdayConfig {
            auth: AuthMode::Basic,
            basic_user: Some(user.to_owned()),
            secrets: vec![Secret::new(password)],
            tenants: vec![tenant.to_owned()],
            tolerance_seconds: default_tolerance(),
            default_currency: None,
        }
    }

    pub(crate) fn validate(&self) -> Result<(), ConfigError> {
        let bad = |m: &str| Err(ConfigError::Invalid(format!("sources.workday.{m}")));
        if self.secrets.is_empty() || self.secrets.iter().any(|s| s.expose().len() < 16) {
            return bad("secrets: at least one secret of 16 or more bytes is required");
        }
        if self.auth == AuthMode::Basic && self.basic_user.as_deref().unwrap_or("").is_empty() {
            return bad("basic_user: required with auth = \"basic\"");
        }
        if self.tenants.is_empty() || self.tenants.iter().any(|t| t.trim().is_empty()) {
            return bad("tenants: at least one non-empty tenant is required");
        }
        Ok(())
    }

    /// The tenant of a request: the route's (if configured), else the first.
    pub fn tenant(&self, route: Option<&str>) -> Result<&str, String> {
        match route {
            None => Ok(self.tenants[0].as_str()),
            Some(r) => self
                .tenants
                .iter()
                .find(|t| t.as_str() == r)
                .map(String::as_str)
                .ok_or_else(|| r.chars().take(64).collect()),
        }
    }
}
