//! GraphQL API: the item query, its response, and the snapshot built from the configured
//! columns. Column values are read from their `text` (numbers keep their digits).

use std::str::FromStr;

use chrono::{DateTime, NaiveDate, Utc};
use invoice_core::{Currency, Customer, InvoiceSnapshot, Lifecycle};
use rust_decimal::Decimal;
use serde::Deserialize;

use crate::config::MondayConfig;

/// The query the enricher sends, with `$ids` the item id.
pub const ITEM_QUERY: &str =
    "query ($ids: [ID!]) { items (ids: $ids) { id name updated_at column_values { id type text } } }";

/// `{"data": {...}, "errors": [...]}`.
#[derive(Debug, Deserialize)]
pub struct GraphqlResponse {
    /// The data, absent on errors.
    #[serde(default)]
    pub data: Option<ItemsData>,
    /// GraphQL errors (monday answers 200 with these for complexity limits too).
    #[serde(default)]
    pub errors: Vec<GraphqlError>,
}

/// `data`.
#[derive(Debug, Deserialize)]
pub struct ItemsData {
    /// Items found (empty when deleted or not visible).
    #[serde(default)]
    pub items: Vec<Item>,
}

/// A GraphQL error.
#[derive(Debug, Deserialize)]
pub struct GraphqlError {
    /// Message.
    #[serde(default)]
    pub message: Option<String>,
    /// `{"code": "ComplexityException", "retry_in_seconds": 12}`.
    #[serde(default)]
    pub extensions: Option<serde_json::Value>,
}

impl GraphqlError {
    /// The error code, if any.
    pub fn code(&self) -> Option<&str> {
        self.extensions.as_ref()?.get("code")?.as_str()
    }
    /// Seconds to wait, when the API says.
    pub fn retry_in_seconds(&self) -> Option<u64> {
        self.extensions.as_ref()?.get("retry_in_seconds")?.as_u64()
    }
}

/// An item.
#[derive(Debug, Clone, Deserialize)]
pub struct Item {
    /// Item id.
    pub id: String,
    /// Item name.
    #[serde(default)]
    pub name: Option<String>,
    /// ISO 8601: the source version.
    #[serde(default)]
    pub updated_at: Option<String>,
    /// Column values.
    #[serde(default)]
    pub column_values: Vec<ColumnValue>,
}

/// One column value.
#[derive(Debug, Clone, Deserialize)]
pub struct ColumnValue {
    /// Column id.
    pub id: String,
    /// `status`, `numbers`, `date`, `text`, ...
    #[serde(rename = "type", default)]
    pub column_type: Option<String>,
    /// Display text.
    #[serde(default)]
    pub text: Option<String>,
}

impl Item {
    /// The non-empty text of a column.
    pub fn text(&self, id: &str) -> Option<&str> {
        self.column_values
            .iter()
            .find(|c| c.id == id)
            .and_then(|c| c.text.as_deref())
            .map(str::trim)
            .filter(|t| !t.is_empty())
    }

    /// `updated_at` as an instant.
    pub fn updated(&self) -> Option<DateTime<Utc>> {
        self.updated_at
            .as_deref()
            .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
            .map(|t| t.with_timezone(&Utc))
    }
}

/// A condition a status states beside the lifecycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Condition {
    /// Past due.
    Overdue,
    /// In dispute.
    Disputed,
}

/// The snapshot and any condition the status states.
#[derive(Debug, Clone)]
pub struct Resolved {
    /// The snapshot.
    pub snapshot: InvoiceSnapshot,
    /// Overdue / disputed, if the status says so.
    pub condition: Option<Condition>,
}

fn amount(item: &Item, column: Option<&str>, what: &str) -> Result<Option<Decimal>, String> {
    let Some(col) = column else { return Ok(None) };
    item.text(col)
        .map(|t| {
            let t = t.replace([',', ' '], "");
            Decimal::from_str(&t).map_err(|_| format!("{what} column `{col}` is not a number"))
        })
        .transpose()
}

/// Builds the snapshot of an invoice item as the configuration describes it.
pub fn resolve(item: &Item, config: &MondayConfig) -> Result<Resolved, String> {
    let c = &config.columns;
    let currency = match c.currency.as_deref().and_then(|col| item.text(col)) {
        Some(code) => Currency::new(code).map_err(|e| format!("currency column: {e}"))?,
        None => config
            .default_currency()
            .ok_or("no currency on the item and no default_currency configured")?,
    };
    if let Some(col) = c.amount.as_deref() {
        if !item.column_values.iter().any(|v| v.id == col) {
            return Err(format!(
                "item has no amount column `{col}`: not an invoice board"
            ));
        }
    }
    let total = amount(item, c.amount.as_deref(), "amount")?.unwrap_or(Decimal::ZERO);
    let paid_col = amount(item, c.paid_amount.as_deref(), "paid amount")?;
    let word = item
        .column_values
        .iter()
        .filter(|v| {
            if config.status_columns.is_empty() {
                matches!(v.column_type.as_deref(), Some("status" | "color"))
            } else {
                config.status_columns.contains(&v.id)
            }
        })
        .find_map(|v| config.status_word(v.text.as_deref().map(str::trim), None));
    let paid = paid_col.unwrap_or(if word == Some("paid") {
        total
    } else {
        Decimal::ZERO
    });
    let from_amounts = if total > Decimal::ZERO && paid >= total {
        Lifecycle::Paid
    } else if paid > Decimal::ZERO {
        Lifecycle::PartiallyPaid
    } else {
        Lifecycle::Open
    };
    let (lifecycle, condition) = match word {
        Some("draft") => (Lifecycle::Draft, None),
        Some("open") if paid > Decimal::ZERO && paid < total => (Lifecycle::PartiallyPaid, None),
        Some("open") => (Lifecycle::Open, None),
        Some("partially_paid") => (Lifecycle::PartiallyPaid, None),
        Some("paid") => (Lifecycle::Paid, None),
        Some("void") => (Lifecycle::Void, None),
        Some("uncollectible") => (Lifecycle::Uncollectible, None),
        Some("overdue") => (from_amounts, Some(Condition::Overdue)),
        Some("disputed") => (from_amounts, Some(Condition::Disputed)),
        _ => (from_amounts, None),
    };
    let number = match c.invoice_number.as_deref() {
        Some(col) => item.text(col).map(str::to_owned),
        None => item.name.clone(),
    };
    let due_date = c
        .due_date
        .as_deref()
        .and_then(|col| item.text(col))
        .and_then(|d| NaiveDate::parse_from_str(d.get(..10).unwrap_or(d), "%Y-%m-%d").ok());
    let customer = c
        .customer
        .as_deref()
        .and_then(|col| item.text(col))
        .unwrap_or_default()
        .to_owned();
    Ok(Resolved {
        snapshot: InvoiceSnapshot {
            number,
            customer: Customer {
                platform_id: customer,
                name: None,
                portal_account: None,
            },
            currency,
            total,
            paid,
            credited: Decimal::ZERO,
            refunded: Decimal::ZERO,
            due_date,
            lifecycle,
        },
        condition,
    })
}
