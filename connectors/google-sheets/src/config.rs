//! `[sources.google-sheets]` configuration.

use std::collections::BTreeMap;

use invoice_core::registry::ConfigError;
use invoice_core::{Currency, Secret};
use serde::Deserialize;

use crate::mapping::SheetStatus;

/// Configuration of the Google Sheets source. Unknown keys are refused.
///
/// ```toml
/// [sources.google-sheets]
/// secrets = ["env:SHEETS_SECRET"]     # the script property RELAY_SECRET; several during rotation
/// tolerance_seconds = 300
/// spreadsheets = ["1AbC..."]          # accepted spreadsheet ids (tenants); empty: any
/// default_currency = "EUR"            # rows without a currency cell
/// locale = "de_DE"                    # how amounts are written; else the sheet's own locale
/// # decimal_separator = ","           # overrides the locale
///
/// [sources.google-sheets.columns]     # header names of the invoice sheet
/// number = "Invoice No."
/// customer = "Customer"
/// amount = "Amount"
/// currency = "Currency"
/// due_date = "Due Date"
/// status = "Status"
/// paid = "Paid"
///
/// [sources.google-sheets.statuses]    # extra status words -> a built-in word
/// "Bezahlt" = "paid"
/// ```
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SheetsConfig {
    /// Shared secrets (the script's `RELAY_SECRET` property), used as UTF-8 bytes.
    pub secrets: Vec<Secret>,
    /// Signature age tolerance, seconds, both ways.
    #[serde(default = "default_tolerance")]
    pub tolerance_seconds: u64,
    /// Spreadsheet ids accepted as tenants; empty accepts any signed post.
    #[serde(default)]
    pub spreadsheets: Vec<String>,
    /// Which header names hold which field.
    #[serde(default)]
    pub columns: Columns,
    /// Currency of rows with no currency cell, code or unambiguous symbol.
    #[serde(default)]
    pub default_currency: Option<String>,
    /// Locale amounts are written in (`en_US`, `de_DE`, ...); default: the spreadsheet's
    /// locale as the script reports it.
    #[serde(default)]
    pub locale: Option<String>,
    /// `"."` or `","`: the decimal separator, overriding any locale.
    #[serde(default)]
    pub decimal_separator: Option<char>,
    /// Extra status words (matched case-insensitively) -> a built-in status word.
    #[serde(default)]
    pub statuses: BTreeMap<String, String>,
}

/// Header names of the invoice sheet's columns. Unknown keys are refused.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Columns {
    /// Invoice number (the invoice's identity).
    pub number: String,
    /// Customer name.
    pub customer: String,
    /// Invoice total.
    pub amount: String,
    /// ISO currency code.
    pub currency: String,
    /// Due date (ISO date or serial number).
    pub due_date: String,
    /// Status word.
    pub status: String,
    /// Amount paid so far (or a checkbox).
    pub paid: String,
}

impl Default for Columns {
    fn default() -> Self {
        Columns {
            number: "Invoice No.".into(),
            customer: "Customer".into(),
            amount: "Amount".into(),
            currency: "Currency".into(),
            due_date: "Due Date".into(),
            status: "Status".into(),
            paid: "Paid".into(),
        }
    }
}

fn default_tolerance() -> u64 {
    300
}

impl SheetsConfig {
    /// A configuration with one secret and defaults for the rest.
    pub fn with_secret(secret: &str) -> Self {
        SheetsConfig {
            secrets: vec![Secret::new(secret)],
            tolerance_seconds: default_tolerance(),
            spreadsheets: Vec::new(),
            columns: Columns::default(),
            default_currency: None,
            locale: None,
            decimal_separator: None,
            statuses: BTreeMap::new(),
        }
    }

    pub(crate) fn validate(&self) -> Result<Settings, ConfigError> {
        let invalid = |m: String| Err(ConfigError::Invalid(format!("sources.google-sheets.{m}")));
        if self.secrets.is_empty() || self.secrets.iter().any(|s| s.expose().is_empty()) {
            return invalid("secrets: at least one non-empty secret is required".into());
        }
        let default_currency = match &self.default_currency {
            Some(c) => match Currency::new(c) {
                Ok(c) => Some(c),
                Err(_) => return invalid(format!("default_currency: `{c}` is not an ISO code")),
            },
            None => None,
        };
        if let Some(sep) = self.decimal_separator {
            if sep != '.' && sep != ',' {
                return invalid(format!("decimal_separator: `{sep}` is not `.` or `,`"));
            }
        }
        let mut statuses = BTreeMap::new();
        for (word, target) in &self.statuses {
            match SheetStatus::builtin(target) {
                Some(s) => {
                    statuses.insert(crate::mapping::normalise(word), s);
                }
                None => {
                    return invalid(format!(
                        "statuses.{word}: `{target}` is not a built-in status word"
                    ))
                }
            }
        }
        Ok(Settings {
            default_currency,
            statuses,
        })
    }
}

/// Values checked and parsed once, at construction.
#[derive(Debug, Clone, Default)]
pub(crate) struct Settings {
    pub(crate) default_currency: Option<Currency>,
    pub(crate) statuses: BTreeMap<String, SheetStatus>,
}
