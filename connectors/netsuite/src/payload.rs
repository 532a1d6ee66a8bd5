//! The body the shipped User Event script posts. Unknown fields are ignored; status names
//! are kept as text.
//!
//! ```json
//! {"source":"netsuite","version":1,"account":"1234567","recordType":"customerpayment",
//!  "eventType":"create","id":"9120","lastModified":"2026-01-15T09:59:58.000Z",
//!  "sentAt":1768471200000,
//!  "invoices":[{"id":"4711","tranId":"INV10042","status":"Paid In Full",
//!   "statusRef":"paidInFull","entityId":"812","entityName":"Acme Coatings GmbH",
//!   "currency":"USD","total":1150,"amountRemaining":0,"amountPaid":1150,
//!   "tranDate":"2026-01-02","dueDate":"2026-01-17",
//!   "lastModified":"2026-01-14T09:12:44.000Z"}]}
//! ```
//!
//! `recordType` is the record that was saved (`invoice`, `customerpayment`,
//! `creditmemo`), `eventType` its `context.type` (`create`, `edit`, `xedit`, `delete`,
//! `paybills`, ...); `invoices` are the invoices it touched, as they are after the save.

use std::borrow::Cow;

use invoice_connector_support::json::opt_text;
use serde::Deserialize;
use serde_json::value::RawValue;

/// One post.
#[derive(Debug, Deserialize)]
pub struct Post<'a> {
    /// The NetSuite account id (`runtime.accountId`): the tenant.
    #[serde(borrow)]
    pub account: Cow<'a, str>,
    /// The saved record's type.
    #[serde(rename = "recordType", borrow)]
    pub record_type: Cow<'a, str>,
    /// `context.type`.
    #[serde(rename = "eventType", borrow)]
    pub event_type: Cow<'a, str>,
    /// The saved record's internal id.
    #[serde(borrow)]
    pub id: Cow<'a, str>,
    /// The saved record's `lastmodifieddate` (ISO 8601).
    #[serde(
        rename = "lastModified",
        default,
        borrow,
        deserialize_with = "opt_text"
    )]
    pub last_modified: Option<Cow<'a, str>>,
    /// When the script posted, unix ms.
    #[serde(rename = "sentAt", default)]
    pub sent_at: Option<i64>,
    /// The invoices the save touched.
    #[serde(borrow)]
    pub invoices: Vec<Invoice<'a>>,
}

/// An invoice as it is after the save.
#[derive(Debug, Deserialize)]
pub struct Invoice<'a> {
    /// Internal id.
    #[serde(borrow)]
    pub id: Cow<'a, str>,
    /// Document number (`tranid`).
    #[serde(rename = "tranId", default, borrow, deserialize_with = "opt_text")]
    pub tran_id: Option<Cow<'a, str>>,
    /// Status name (`Open`, `Paid In Full`, ...).
    #[serde(default, borrow, deserialize_with = "opt_text")]
    pub status: Option<Cow<'a, str>>,
    /// Status script id (`open`, `paidInFull`, ...).
    #[serde(rename = "statusRef", default, borrow, deserialize_with = "opt_text")]
    pub status_ref: Option<Cow<'a, str>>,
    /// Customer internal id.
    #[serde(rename = "entityId", default, borrow, deserialize_with = "opt_text")]
    pub entity_id: Option<Cow<'a, str>>,
    /// Customer name.
    #[serde(rename = "entityName", default, borrow, deserialize_with = "opt_text")]
    pub entity_name: Option<Cow<'a, str>>,
    /// ISO currency code (the currency record's symbol).
    #[serde(default, borrow, deserialize_with = "opt_text")]
    pub currency: Option<Cow<'a, str>>,
    /// Number or numeric string.
    #[serde(borrow)]
    pub total: &'a RawValue,
    /// Number or numeric string.
    #[serde(rename = "amountRemaining", default, borrow)]
    pub amount_remaining: Option<&'a RawValue>,
    /// `YYYY-MM-DD`.
    #[serde(rename = "dueDate", default, borrow, deserialize_with = "opt_text")]
    pub due_date: Option<Cow<'a, str>>,
    /// ISO 8601.
    #[serde(
        rename = "lastModified",
        default,
        borrow,
        deserialize_with = "opt_text"
    )]
    pub last_modified: Option<Cow<'a, str>>,
}
