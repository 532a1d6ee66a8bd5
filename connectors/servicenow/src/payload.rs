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

use std::borrow::Cow;

use invoice_connector_support::json::opt_text;
use serde::Deserialize;
use serde_json::value::RawValue;

/// One post.
#[derive(Debug, Deserialize)]
pub struct Post<'a> {
    /// Always `servicenow`.
    #[serde(default, borrow, deserialize_with = "opt_text")]
    pub source: Option<Cow<'a, str>>,
    /// The instance name (`instance_name` property): the tenant.
    #[serde(borrow)]
    pub instance: Cow<'a, str>,
    /// The invoice table.
    #[serde(borrow)]
    pub table: Cow<'a, str>,
    /// The records.
    #[serde(borrow)]
    pub records: Vec<Record<'a>>,
}

/// One invoice record.
#[derive(Debug, Deserialize)]
pub struct Record<'a> {
    /// The 32-hex record id.
    #[serde(borrow)]
    pub sys_id: Cow<'a, str>,
    /// The invoice number.
    #[serde(default, borrow, deserialize_with = "opt_text")]
    pub number: Option<Cow<'a, str>>,
    /// The state choice value.
    #[serde(default, borrow, deserialize_with = "opt_text")]
    pub state: Option<Cow<'a, str>>,
    /// The state's label.
    #[serde(default, borrow, deserialize_with = "opt_text")]
    pub state_display: Option<Cow<'a, str>>,
    /// The total, a decimal string (or number).
    #[serde(default, borrow)]
    pub amount: Option<&'a RawValue>,
    /// The amount paid so far, when the table keeps one.
    #[serde(default, borrow)]
    pub amount_paid: Option<&'a RawValue>,
    /// ISO 4217 code.
    #[serde(default, borrow, deserialize_with = "opt_text")]
    pub currency: Option<Cow<'a, str>>,
    /// `YYYY-MM-DD`.
    #[serde(default, borrow, deserialize_with = "opt_text")]
    pub due_date: Option<Cow<'a, str>>,
    /// The billed account.
    #[serde(default, borrow)]
    pub account: Option<Account<'a>>,
    /// `YYYY-MM-DD HH:MM:SS`, UTC.
    #[serde(default, borrow, deserialize_with = "opt_text")]
    pub sys_updated_on: Option<Cow<'a, str>>,
    /// Update counter (number or numeric string).
    #[serde(default, borrow)]
    pub sys_mod_count: Option<&'a RawValue>,
    /// `insert`, `update`, `delete` or `resync`.
    #[serde(default, borrow, deserialize_with = "opt_text")]
    pub operation: Option<Cow<'a, str>>,
}

/// A reference to the account.
#[derive(Debug, Deserialize)]
pub struct Account<'a> {
    /// The account's sys_id.
    #[serde(default, borrow, deserialize_with = "opt_text")]
    pub sys_id: Option<Cow<'a, str>>,
    /// Its display value.
    #[serde(default, borrow, deserialize_with = "opt_text")]
    pub name: Option<Cow<'a, str>>,
}
