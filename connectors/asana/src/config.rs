//! `[sources.asana]` configuration.

use std::collections::BTreeMap;

use invoice_core::registry::ConfigError;
use invoice_core::{Currency, Secret};
use serde::Deserialize;

/// Asana's API host.
pub const DEFAULT_API_BASE: &str = "https://app.asana.com";

/// Asana's OAuth token endpoint.
pub const DEFAULT_TOKEN_URL: &str = "https://app.asana.com/-/oauth_token";

/// The canonical words a status option can map to.
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

/// Configuration of the Asana source. Unknown keys are refused.
///
/// ```toml
/// [sources.asana]
/// secrets = ["env:ASANA_HOOK_SECRET"]   # the X-Hook-Secret of each webhook (see the setup guide)
/// workspace = "1201937163829400"        # tenant (else the route tenant)
/// watch_fields = ["custom_fields", "completed", "due_on"]  # empty: every task change
/// access_token = "env:ASANA_PAT"        # personal access token, or OAuth refresh:
/// # client_id = "...", client_secret = "env:...", refresh_token = "env:...", redirect_uri = "..."
/// default_currency = "EUR"
/// completed_is_paid = false
/// [sources.asana.fields]                # custom field gid or exact name
/// invoice_number = "Invoice number"
/// amount = "Amount"
/// paid_amount = "Amount paid"
/// currency = "Currency"
/// status = "Invoice status"
/// customer = "Customer"
/// [sources.asana.statuses]              # enum option gid or name -> canonical word
/// "Issued" = "open"
/// "Partially paid" = "partially_paid"
/// "Paid" = "paid"
/// "Overdue" = "overdue"
/// "Disputed" = "disputed"
/// "Void" = "void"
/// ```
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AsanaConfig {
    /// The webhooks' `X-Hook-Secret` values, used as UTF-8 bytes.
    pub secrets: Vec<Secret>,
    /// The workspace gid used as tenant (Asana events do not carry it).
    #[serde(default)]
    pub workspace: Option<String>,
    /// `change.field` values of `changed` events that trigger a fetch; empty: all.
    #[serde(default)]
    pub watch_fields: Vec<String>,
    /// API base for enrichment.
    #[serde(default = "default_api_base")]
    pub api_base: String,
    /// A bearer token used as is (personal access token or OAuth access token).
    #[serde(default)]
    pub access_token: Option<Secret>,
    /// OAuth client id, for refreshing.
    #[serde(default)]
    pub client_id: Option<String>,
    /// OAuth client secret, for refreshing.
    #[serde(default)]
    pub client_secret: Option<Secret>,
    /// OAuth refresh token.
    #[serde(default)]
    pub refresh_token: Option<Secret>,
    /// OAuth redirect URI of the app (sent on refresh).
    #[serde(default)]
    pub redirect_uri: Option<String>,
    /// OAuth token endpoint.
    #[serde(default = "default_token_url")]
    pub token_url: String,
    /// Which custom fields hold what.
    #[serde(default)]
    pub fields: FieldMap,
    /// Status enum option (gid or name) -> canonical word (see [`STATUS_WORDS`]).
    #[serde(default)]
    pub statuses: BTreeMap<String, String>,
    /// Currency when no currency field is configured or it is empty.
    #[serde(default)]
    pub default_currency: Option<String>,
    /// A completed task without a mapped status is paid.
    #[serde(default)]
    pub completed_is_paid: bool,
}

/// Custom fields (by gid or exact name) holding the invoice's data.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FieldMap {
    /// Text field with the invoice number; unset: the task name.
    #[serde(default)]
    pub invoice_number: Option<String>,
    /// Number field with the total.
    #[serde(default)]
    pub amount: Option<String>,
    /// Number field with the amount paid so far.
    #[serde(default)]
    pub paid_amount: Option<String>,
    /// Text or enum field with the ISO currency code.
    #[serde(default)]
    pub currency: Option<String>,
    /// Enum field with the status.
    #[serde(default)]
    pub status: Option<String>,
    /// Date field with the due date; unset: the task's `due_on`.
    #[serde(default)]
    pub due_date: Option<String>,
    /// Text field with the customer id.
    #[serde(default)]
    pub customer: Option<String>,
}

fn default_api_base() -> String {
    DEFAULT_API_BASE.to_owned()
}

fn default_token_url() -> String {
    DEFAULT_TOKEN_URL.to_owned()
}

impl AsanaConfig {
    /// A configuration with one hook secret and defaults for the rest.
    pub fn with_secret(secret: &str) -> Self {
        AsanaConfig {
            secrets: vec![Secret::new(secret)],
            workspace: None,
            watch_fields: Vec::new(),
            api_base: default_api_base(),
            access_token: None,
            client_id: None,
            client_secret: None,
            refresh_token: None,
            redirect_uri: None,
            token_url: default_token_url(),
            fields: FieldMap::default(),
            statuses: BTreeMap::new(),
            default_currency: None,
            completed_is_paid: false,
        }
    }

    pub(crate) fn validate(&self) -> Result<(), ConfigError> {
        if self.secrets.is_empty() || self.secrets.iter().any(|s| s.expose().is_empty()) {
            return Err(ConfigError::Invalid(
                "sources.asana.secrets: at least one non-empty X-Hook-Secret is required".into(),
            ));
        }
        for (option, word) in &self.statuses {
            if !STATUS_WORDS.contains(&word.as_str()) {
                return Err(ConfigError::Invalid(format!(
                    "sources.asana.statuses.{option}: `{word}` is not one of {}",
                    STATUS_WORDS.join(", ")
                )));
            }
        }
        if let Some(c) = &self.default_currency {
            Currency::new(c).map_err(|e| {
                ConfigError::Invalid(format!("sources.asana.default_currency: {e}"))
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
