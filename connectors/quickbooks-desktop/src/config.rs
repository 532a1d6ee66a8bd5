//! `[sources.quickbooks-desktop]` configuration.

use std::collections::BTreeMap;

use invoice_core::registry::ConfigError;
use invoice_core::{Currency, Secret};
use serde::Deserialize;

/// Configuration of the QuickBooks Desktop source. Unknown keys are refused.
///
/// ```toml
/// [sources.quickbooks-desktop]
/// secrets = ["env:QBD_RELAY_KEY"]      # HMAC key of the event forwarder and of QBWC tickets
/// qbwc_user = "invoice-relay"          # the .qwc UserName
/// qbwc_password = "env:QBD_QBWC_PASSWORD"
/// companies = ["brightline-anodizing"] # tenants (route /webhooks/quickbooks-desktop/<company>)
/// home_currency = "USD"
/// initial_from = "2026-01-01T00:00:00" # first sync reads invoices modified since
/// ```
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QbdConfig {
    /// HMAC-SHA256 keys: the event forwarder's `X-Relay-Signature`, and the key Web
    /// Connector session tickets are signed with. Several during rotation; the first signs.
    pub secrets: Vec<Secret>,
    /// The Web Connector user name (`UserName` in the `.qwc` file).
    pub qbwc_user: String,
    /// The password typed into the Web Connector for this application.
    pub qbwc_password: Secret,
    /// Company (tenant) names; the first is used when the route names none. A route tenant
    /// that is not listed is refused with `403`.
    pub companies: Vec<String>,
    /// The company file path `authenticate` returns; empty (the default) means "the
    /// company file open in QuickBooks".
    #[serde(default)]
    pub company_file: String,
    /// Currency of invoices without `CurrencyRef` (single-currency files).
    #[serde(default = "default_currency")]
    pub home_currency: Currency,
    /// QuickBooks currency names -> ISO codes, beyond the built-in ones (`US Dollar`, …).
    #[serde(default)]
    pub currency_names: BTreeMap<String, Currency>,
    /// `FromModifiedDate` of the very first sync (no cursor yet); without it the first
    /// sync reads every invoice.
    #[serde(default)]
    pub initial_from: Option<String>,
    /// How long a session ticket stays valid, seconds.
    #[serde(default = "default_ticket_lifetime")]
    pub ticket_lifetime_seconds: u64,
    /// Signature age tolerance of forwarded events, seconds.
    #[serde(default = "default_tolerance")]
    pub tolerance_seconds: u64,
    /// The qbXML version of the requests.
    #[serde(default = "default_qbxml_version")]
    pub qbxml_version: String,
}

fn default_currency() -> Currency {
    Currency::USD
}

fn default_ticket_lifetime() -> u64 {
    3600
}

fn default_tolerance() -> u64 {
    300
}

fn default_qbxml_version() -> String {
    "13.0".to_owned()
}

impl QbdConfig {
    /// A configuration for one company with defaults for the rest.
    pub fn new(secret: &str, user: &str, password: &str, company: &str) -> Self {
        QbdConfig {
            secrets: vec![Secret::new(secret)],
            qbwc_user: user.to_owned(),
            qbwc_password: Secret::new(password),
            companies: vec![company.to_owned()],
            company_file: String::new(),
            home_currency: default_currency(),
            currency_names: BTreeMap::new(),
            initial_from: None,
            ticket_lifetime_seconds: default_ticket_lifetime(),
            tolerance_seconds: default_tolerance(),
            qbxml_version: default_qbxml_version(),
        }
    }

    pub(crate) fn validate(&self) -> Result<(), ConfigError> {
        let bad = |m: &str| {
            Err(ConfigError::Invalid(format!(
                "sources.quickbooks-desktop.{m}"
            )))
        };
        if self.secrets.is_empty() || self.secrets.iter().any(|s| s.expose().len() < 16) {
            return bad("secrets: at least one secret of 16 or more bytes is required");
        }
        if self.qbwc_user.trim().is_empty() || self.qbwc_password.expose().is_empty() {
            return bad("qbwc_user / qbwc_password: required");
        }
        if self.companies.is_empty() || self.companies.iter().any(|c| c.trim().is_empty()) {
            return bad("companies: at least one non-empty company is required");
        }
        if !self
            .qbxml_version
            .bytes()
            .all(|b| b.is_ascii_digit() || b == b'.')
        {
            return bad("qbxml_version: digits and dots");
        }
        if let Some(f) = &self.initial_from {
            if !crate::qbxml::valid_datetime(f) {
                return bad("initial_from: a qbXML date-time such as 2026-01-01T00:00:00");
            }
        }
        Ok(())
    }

    /// The tenant of a request: the route's (if configured), else the first company.
    pub fn tenant(&self, route: Option<&str>) -> Result<&str, String> {
        match route {
            None => Ok(self.companies[0].as_str()),
            Some(r) => self
                .companies
                .iter()
                .find(|c| c.as_str() == r)
                .map(String::as_str)
                .ok_or_else(|| r.chars().take(64).collect()),
        }
    }

    /// The ISO currency of a QuickBooks currency name.
    pub fn currency(&self, name: Option<&str>) -> Option<Currency> {
        let Some(name) = name.map(str::trim).filter(|n| !n.is_empty()) else {
            return Some(self.home_currency);
        };
        if let Some(c) = self.currency_names.get(name) {
            return Some(*c);
        }
        let builtin = match name {
            "US Dollar" => "USD",
            "Canadian Dollar" => "CAD",
            "Euro" => "EUR",
            "British Pound Sterling" | "British Pound" => "GBP",
            "Australian Dollar" => "AUD",
            "New Zealand Dollar" => "NZD",
            "Japanese Yen" => "JPY",
            "Mexican Peso" => "MXN",
            "Swiss Franc" => "CHF",
            "Indian Rupee" => "INR",
            "South African Rand" => "ZAR",
            "Singapore Dollar" => "SGD",
            "Hong Kong Dollar" => "HKD",
            "Kuwaiti Dinar" => "KWD",
            other if other.len() == 3 => other,
            _ => return None,
        };
        Currency::new(builtin).ok()
    }
}
