//! The body the shipped Script Include posts (we define it; ServiceNow has no invoice
//! webhook). Unknown fields are ignored; state values are kept as text.
//!
//! ```json
//! {"source":"servicenow","version":1,"instance":"anodizeworks","table":"x_invoice",
//!  "sent_at":"2026-01-15 10:00:00","records":[{"sys_id":"9d385017c611228701d22104cc95c371",
//!   "number":"INV0001042","state":"partially_paid","state_display":"Partially paid",
//!   "amount":"1250.00","amount_paid":"800.00","currency":"EUR","due_date":"2026-01-10",
//!   "account":{"sys_id":"a1b2c3d4e5f60718293a4b5c6d7e8f90","name":"Acme Coatings GmbH"},
//!   "sys_updated_on":"2026-01-15 09:59:58","sys_mod_count":7,"operation":"update"}]}
//! ```
//!
//! A Business Rule posts one record; the resync fix script posts up to `batch` records
//! of one table per request. `sys_updated_on` is `GlideElement.getValue()`'s UTC
//! `YYYY-MM-DD HH:MM:SS`; amounts are the currency field's `getCurrencyValue()` (a
//! plain decimal string) and `currency` its `getCurrencyCode()`.

use serde::Deserialize;
use serde_json::value::RawValue;

/// One post.
#[derive(Debug, Deserialize)]
pub struct Post {
    /// Always `servicenow`.
    #[serde(default)]
    pub source: Option<String>,
    /// The instance name (`instance_name` property): the tenant.
    pub instance: String,
    /// The invoice table.
    pub table: String,
    /// The records.
    pub records: Vec<Record>,
}

/// One invoice record.
#[derive(Debug, Deserialize)]
pub struct Record {
    /// The 32-hex record id.
    pub sys_id: String,
    /// The invoice number.
    #[serde(default)]
    pub number: Option<String>,
    /// The state choice value.
    #[serde(default)]
    pub state: Option<String>,
    /// The state's label.
    #[serde(default)]
    pub state_display: Option<String>,
    /// The total, a decimal string (or number).
    #[serde(default)]
    pub amount: Option<Box<RawValue>>,
    /// The amount paid so far, when the table keeps one.
    #[serde(default)]
    pub amount_paid: Option<Box<RawValue>>,
    /// ISO 4217 code.
    #[serde(default)]
    pub currency: Option<String>,
    /// `YYYY-MM-DD`.
    #[serde(default)]
    pub due_date: Option<String>,
    /// The billed account.
    #[serde(default)]
    pub account: Option<Account>,
    /// `YYYY-MM-DD HH:MM:SS`, UTC.
    #[serde(default)]
    pub sys_updated_on: Option<String>,
    /// Update counter (number or numeric string).
    #[serde(default)]
    pub sys_mod_count: Option<Box<RawValue>>,
    /// `insert`, `update`, `delete` or `resync`.
    #[serde(default)]
    pub operation: Option<String>,
}

/// A reference to the account.
#[derive(Debug, Deserialize)]
pub struct Account {
    /// The account's sys_id.
    #[serde(default)]
    pub sys_id: Option<String>,
    /// Its display value.
    #[serde(default)]
    pub name: Option<String>,
}
