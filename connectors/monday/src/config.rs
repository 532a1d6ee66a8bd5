//! `[sources.monday]` configuration.

use std::collections::BTreeMap;

use invoice_core::registry::ConfigError;
use invoice_core::{Currency, Secret};
use serde::Deserialize;

/// monday.com's API host (GraphQL at `/v2`).
pub const DEFAULT_API_BASE: &str = "https://api.monday.com";

/// The API version header sent with every query.
pub const DEFAULT_API_VERSION: &str = "2025-04";

/// The canonical words a status label can map to.
pub const STATUS_WORDS: [&str; 8] = [
    "draft",
    "open",
    "partially_paid",
    "paid",
    "void",
    "uncollectible",
    "overdue",
    "disputed",
];

/// Configuration of the monday.com source. Unknown keys are refused.
///
/// ```toml
/// [sources.monday]
/// secrets = ["env:MONDAY_SIGNING_SECRET"]  # the app's Signing Secret; several during rotation
/// tolerance_seconds = 300                  # max JWT age (iat); exp is honoured too
/// accept_url_token = false                 # personal-token webhooks (no JWT) on a URL token
/// status_columns = ["status"]              # column ids holding the invoice status
/// api_token = "env:MONDAY_API_TOKEN"       # enables enrichment (amounts, due date)
/// default_currency = "EUR"
/// [sources.monday.statuses]                # label text, or "#<index>" -> canonical word
/// "Sent" = "open"
/// "Partially paid" = "partially_paid"
/// "Paid" = "paid"
/// "Overdue" = "overdue"
/// "Disputed" = "disputed"
/// "Void" = "void"
/// [sources.monday.columns]                 # column ids read by the enricher
/// amount = "numbers"
/// paid_amount = "numbers1"
/// currency = "text0"
/// due_date = "date4"
/// invoice_number = "text"                  # unset: the item name
/// customer = "text1"
/// ```
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MondayConfig {
    /// The app's Signing Secret(s), used as UTF-8 bytes.
    pub secrets: Vec<Secret>,
    /// Maximum age of a JWT by its `iat`, seconds.
    #[serde(default = "default_tolerance")]
    pub tolerance_seconds: u64,
    /// Accept requests without a JWT when the relay verified the route's URL token.
    #[serde(default)]
    pub accept_url_token: bool,
    /// Status column ids; empty: every status (`color`) column.
    #[serde(default)]
    pub status_columns: Vec<String>,
    /// Label text (or `#<index>`) -> canonical word (see [`STATUS_WORDS`]).
    #[serde(default)]
    pub statuses: BTreeMap<String, String>,
    /// GraphQL API base.
    #[serde(default = "default_api_base")]
    pub api_base: String,
    /// `API-Version` header.
    #[serde(default = "default_api_version")]
    pub api_version: String,
    /// API token; without it no thin references are made (status changes still map).
    #[serde(default)]
    pub api_token: Option<Secret>,
    /// Column ids read by the enricher.
    #[serde(default)]
    pub columns: ColumnMap,
    /// Currency when the currency column is unset or empty.
    #[serde(default)]
    pub default_currency: Option<String>,
}

/// Column ids holding the invoice's data.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ColumnMap {
    /// Invoice number (text); unset: the item name.
    #[serde(default)]
    pub invoice_number: Option<String>,
    /// Total (numbers).
    #[serde(default)]
    pub amount: Option<String>,
    /// Paid so far (numbers).
    #[serde(default)]
    pub paid_amount: Option<String>,
    /// ISO currency code (text or status).
    #[serde(default)]
    pub currency: Option<String>,
    /// Due date (date).
    #[serde(default)]
    pub due_date: Option<String>,
    /// Customer id (text).
    #[serde(default)]
    pub customer: Option<String>,
}

impl ColumnMap {
    /// Every configured column id.
    pub fn ids(&self) -> impl Iterator<Item = &str> {
        [
            &self.invoice_number,
            &self.amount,
            &self.paid_amount,
            &self.currency,
            &self.due_date,
            &self.customer,
        ]
        .into_iter()
        .flatten()
        .map(String::as_str)
    }
}

fn default_tolerance() -> u64 {
    300
}

fn default_api_base() -> String {
    DEFAULT_API_BASE.to_owned()
}

fn default_api_version() -> String {
    DEFAULT_API_VERSION.to_owned()
}

impl MondayConfig {
    /// A configuration with one signing secret and defaults for the rest.
    pub fn with_secret(secret: &str) -> Self {
        MondayConfig {
            secrets: vec![Secret::new(secret)],
            tolerance_seconds: default_tolerance(),
            accept_url_token: false,
            status_columns: Vec::new(),
            statuses: BTreeMap::new(),
            api_base: default_api_base(),
            api_version: default_api_version(),
            api_token: None,
            columns: ColumnMap::default(),
            default_currency: None,
        }
    }

    pub(crate) fn validate(&self) -> Result<(), ConfigError> {
        if self.secrets.is_empty() || self.secrets.iter().any(|s| s.expose().is_empty()) {
            return Err(ConfigError::Invalid(
                "sources.monday.secrets: at least one non-empty signing secret is required".into(),
            ));
        }
        for (label, word) in &self.statuses {
            if !STATUS_WORDS.contains(&word.as_str()) {
                return Err(ConfigError::Invalid(format!(
                    "sources.monday.statuses.{label}: `{word}` is not one of {}",
                    STATUS_WORDS.join(", ")
                )));
            }
        }
        if let Some(c) = &self.default_currency {
            Currency::new(c).map_err(|e| {
                ConfigError::Invalid(format!("sources.monday.default_currency: {e}"))
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

    /// The canonical word of a status label (by text, then by `#index`).
    pub fn status_word(&self, text: Option<&str>, index: Option<i64>) -> Option<&str> {
        text.and_then(|t| self.statuses.get(t))
            .or_else(|| index.and_then(|i| self.statuses.get(&format!("#{i}"))))
            .map(String::as_str)
    }
}
