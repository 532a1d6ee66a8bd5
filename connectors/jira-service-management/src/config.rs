//! `[sources.jira-service-management]` configuration.

use std::collections::BTreeMap;

use invoice_core::registry::ConfigError;
use invoice_core::{Currency, Secret};
use serde::Deserialize;

/// The canonical words a workflow status can map to.
pub const STATUS_WORDS: [&str; 9] = [
    "draft",
    "open",
    "partially_paid",
    "paid",
    "void",
    "uncollectible",
    "refunded",
    "overdue",
    "disputed",
];

/// Configuration of the Jira Service Management source. Unknown keys are refused.
///
/// ```toml
/// [sources.jira-service-management]
/// secrets = ["env:JIRA_WEBHOOK_SECRET"]        # X-Hub-Signature secrets; several during rotation
/// header_tokens = ["env:JIRA_AUTOMATION_TOKEN"] # shared secrets of Automation rules (optional)
/// token_header = "X-Relay-Token"                # the header those rules send
/// projects = ["INV"]                            # optional allow-list of project keys
/// default_currency = "EUR"
/// [sources.jira-service-management.statuses]   # status name or id -> canonical word
/// "Awaiting payment" = "open"
/// "Partially paid" = "partially_paid"
/// "Paid" = "paid"
/// "Disputed" = "disputed"
/// "Cancelled" = "void"
/// "Refunded" = "refunded"
/// [sources.jira-service-management.fields]     # field ids (customfield_NNNNN, duedate, key, ...)
/// invoice_number = "customfield_10051"
/// amount = "customfield_10050"
/// paid_amount = "customfield_10053"
/// currency = "customfield_10052"
/// due_date = "duedate"
/// customer = "customfield_10054"
/// ```
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JsmConfig {
    /// Webhook secrets (`X-Hub-Signature`), used as UTF-8 bytes.
    pub secrets: Vec<Secret>,
    /// Shared secrets Automation rules send in `token_header`.
    #[serde(default)]
    pub header_tokens: Vec<Secret>,
    /// The shared-secret header name.
    #[serde(default = "default_token_header")]
    pub token_header: String,
    /// Project keys accepted; empty: all.
    #[serde(default)]
    pub projects: Vec<String>,
    /// Tenant (the site, `acme.atlassian.net`); unset: the host of `issue.self`.
    #[serde(default)]
    pub site: Option<String>,
    /// Workflow status name or id -> canonical word (see [`STATUS_WORDS`]).
    #[serde(default)]
    pub statuses: BTreeMap<String, String>,
    /// Which fields hold what.
    #[serde(default)]
    pub fields: FieldMap,
    /// Currency when no currency field is configured or it is empty.
    #[serde(default)]
    pub default_currency: Option<String>,
}

/// Field ids holding the invoice's data.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FieldMap {
    /// Invoice number (`key` for the issue key).
    #[serde(default = "default_number")]
    pub invoice_number: String,
    /// Total (a number field).
    #[serde(default)]
    pub amount: Option<String>,
    /// Paid so far (a number field).
    #[serde(default)]
    pub paid_amount: Option<String>,
    /// Currency (text or select).
    #[serde(default)]
    pub currency: Option<String>,
    /// Due date (`duedate` or a date custom field).
    #[serde(default = "default_due")]
    pub due_date: String,
    /// Customer id (text, select, or an organization field).
    #[serde(default)]
    pub customer: Option<String>,
}

impl Default for FieldMap {
    fn default() -> Self {
        FieldMap {
            invoice_number: default_number(),
            amount: None,
            paid_amount: None,
            currency: None,
            due_date: default_due(),
            customer: None,
        }
    }
}

fn default_number() -> String {
    "key".to_owned()
}

fn default_due() -> String {
    "duedate".to_owned()
}

fn default_token_header() -> String {
    "x-relay-token".to_owned()
}

impl JsmConfig {
    /// A configuration with one webhook secret and defaults for the rest.
    pub fn with_secret(secret: &str) -> Self {
        JsmConfig {
            secrets: vec![Secret::new(secret)],
            header_tokens: Vec::new(),
            token_header: default_token_header(),
            projects: Vec::new(),
            site: None,
            statuses: BTreeMap::new(),
            fields: FieldMap::default(),
            default_currency: None,
        }
    }

    pub(crate) fn validate(&self) -> Result<(), ConfigError> {
        let empty = |v: &[Secret]| v.iter().any(|s| s.expose().is_empty());
        if (self.secrets.is_empty() && self.header_tokens.is_empty())
            || empty(&self.secrets)
            || empty(&self.header_tokens)
        {
            return Err(ConfigError::Invalid(
                "sources.jira-service-management: at least one non-empty secret or header token is required"
                    .into(),
            ));
        }
        if self.header_tokens.iter().any(|t| t.expose().len() < 16) {
            return Err(ConfigError::Invalid(
                "sources.jira-service-management.header_tokens: tokens must be at least 16 characters"
                    .into(),
            ));
        }
        http::HeaderName::from_bytes(self.token_header.as_bytes()).map_err(|_| {
            ConfigError::Invalid(
                "sources.jira-service-management.token_header: not a header name".into(),
            )
        })?;
        for (status, word) in &self.statuses {
            if !STATUS_WORDS.contains(&word.as_str()) {
                return Err(ConfigError::Invalid(format!(
                    "sources.jira-service-management.statuses.{status}: `{word}` is not one of {}",
                    STATUS_WORDS.join(", ")
                )));
            }
        }
        if let Some(c) = &self.default_currency {
            Currency::new(c).map_err(|e| {
                ConfigError::Invalid(format!(
                    "sources.jira-service-management.default_currency: {e}"
                ))
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
