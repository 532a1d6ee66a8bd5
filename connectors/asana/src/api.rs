//! Tasks API response (`GET /api/1.0/tasks/{gid}`) and the snapshot built from the
//! configured custom fields. Number values are read from their JSON digits.

use std::str::FromStr;

use chrono::{DateTime, NaiveDate, Utc};
use invoice_core::{Currency, Customer, InvoiceSnapshot, Lifecycle};
use rust_decimal::Decimal;
use serde::Deserialize;
use serde_json::value::RawValue;

use crate::config::AsanaConfig;

/// The fields the enricher asks for.
pub const OPT_FIELDS: &str = "name,completed,completed_at,due_on,modified_at,custom_fields.gid,custom_fields.name,custom_fields.resource_subtype,custom_fields.number_value,custom_fields.text_value,custom_fields.display_value,custom_fields.enum_value.gid,custom_fields.enum_value.name,custom_fields.date_value.date";

/// `{"data": {...}}`.
#[derive(Debug, Deserialize)]
pub struct TaskResponse {
    /// The task.
    pub data: Task,
}

/// A task with the fields the relay reads.
#[derive(Debug, Clone, Deserialize)]
pub struct Task {
    /// Task gid.
    pub gid: String,
    /// Task name.
    #[serde(default)]
    pub name: Option<String>,
    /// Completed.
    #[serde(default)]
    pub completed: bool,
    /// `2026-02-14`.
    #[serde(default)]
    pub due_on: Option<String>,
    /// ISO 8601: the source version.
    #[serde(default)]
    pub modified_at: Option<String>,
    /// Custom field values.
    #[serde(default)]
    pub custom_fields: Vec<CustomField>,
}

/// A custom field value on a task.
#[derive(Debug, Clone, Deserialize)]
pub struct CustomField {
    /// Field gid.
    pub gid: String,
    /// Field name.
    #[serde(default)]
    pub name: Option<String>,
    /// `number`, `text`, `enum`, `date`, ...
    #[serde(default)]
    pub resource_subtype: Option<String>,
    /// Number fields.
    #[serde(default)]
    pub number_value: Option<Box<RawValue>>,
    /// Text fields.
    #[serde(default)]
    pub text_value: Option<String>,
    /// Any field, as text.
    #[serde(default)]
    pub display_value: Option<String>,
    /// Enum fields.
    #[serde(default)]
    pub enum_value: Option<EnumOption>,
    /// Date fields.
    #[serde(default)]
    pub date_value: Option<DateValue>,
}

/// An enum option.
#[derive(Debug, Clone, Deserialize)]
pub struct EnumOption {
    /// Option gid.
    pub gid: String,
    /// Option name.
    #[serde(default)]
    pub name: Option<String>,
}

/// A date field value.
#[derive(Debug, Clone, Deserialize)]
pub struct DateValue {
    /// `2026-02-14`.
    #[serde(default)]
    pub date: Option<String>,
}

impl CustomField {
    /// The number, from its JSON digits (or the display text).
    pub fn decimal(&self) -> Option<Decimal> {
        let raw = self
            .number_value
            .as_ref()
            .map(|r| r.get())
            .filter(|r| *r != "null");
        raw.or(self.display_value.as_deref())
            .map(str::trim)
            .and_then(|t| {
                Decimal::from_str(t)
                    .ok()
                    .or_else(|| Decimal::from_scientific(t).ok())
            })
    }

    /// The value as text (text, enum option name, or display value).
    pub fn text(&self) -> Option<&str> {
        self.text_value
            .as_deref()
            .or(self.enum_value.as_ref().and_then(|e| e.name.as_deref()))
            .or(self.display_value.as_deref())
            .map(str::trim)
            .filter(|t| !t.is_empty())
    }
}

impl Task {
    /// The custom field with this gid or exact name.
    pub fn field(&self, key: &str) -> Option<&CustomField> {
        self.custom_fields
            .iter()
            .find(|f| f.gid == key)
            .or_else(|| {
                self.custom_fields
                    .iter()
                    .find(|f| f.name.as_deref() == Some(key))
            })
    }

    /// `modified_at` as an instant.
    pub fn modified(&self) -> Option<DateTime<Utc>> {
        self.modified_at
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

fn required<'a>(task: &'a Task, what: &str, key: &str) -> Result<&'a CustomField, String> {
    task.field(key)
        .ok_or_else(|| format!("task has no `{what}` custom field `{key}`: not an invoice task"))
}

/// Builds the snapshot of an invoice task as the configuration describes it.
pub fn resolve(task: &Task, config: &AsanaConfig) -> Result<Resolved, String> {
    let f = &config.fields;
    let currency = match f
        .currency
        .as_deref()
        .and_then(|k| task.field(k))
        .and_then(CustomField::text)
    {
        Some(c) => Currency::new(c).map_err(|e| format!("currency field: {e}"))?,
        None => config
            .default_currency()
            .ok_or("no currency on the task and no default_currency configured")?,
    };
    let total = match f.amount.as_deref() {
        Some(k) => required(task, "amount", k)?
            .decimal()
            .unwrap_or(Decimal::ZERO),
        None => Decimal::ZERO,
    };
    let paid_field = match f.paid_amount.as_deref() {
        Some(k) => task.field(k).and_then(CustomField::decimal),
        None => None,
    };
    let word = match f.status.as_deref().and_then(|k| task.field(k)) {
        Some(field) => field
            .enum_value
            .as_ref()
            .and_then(|o| {
                config
                    .statuses
                    .get(&o.gid)
                    .or_else(|| o.name.as_ref().and_then(|n| config.statuses.get(n)))
            })
            .or_else(|| {
                field
                    .text_value
                    .as_ref()
                    .and_then(|t| config.statuses.get(t))
            }),
        None => None,
    };
    let word = word
        .map(String::as_str)
        .or((task.completed && config.completed_is_paid).then_some("paid"));
    let paid = paid_field.unwrap_or(if word == Some("paid") {
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
    let number = match f.invoice_number.as_deref() {
        Some(k) => task.field(k).and_then(CustomField::text).map(str::to_owned),
        None => task.name.clone(),
    };
    let due = match f.due_date.as_deref() {
        Some(k) => task.field(k).and_then(|c| {
            c.date_value
                .as_ref()
                .and_then(|d| d.date.clone())
                .or(c.text().map(str::to_owned))
        }),
        None => task.due_on.clone(),
    };
    let due_date = due
        .as_deref()
        .and_then(|d| NaiveDate::parse_from_str(d.get(..10).unwrap_or(d), "%Y-%m-%d").ok());
    let customer = f
        .customer
        .as_deref()
        .and_then(|k| task.field(k))
        .and_then(CustomField::text)
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
