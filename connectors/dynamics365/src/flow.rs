//! The body the shipped Power Automate flow (`scripts/invoice-relay-flow.json`) posts from
//! its HTTP action, built from the Dataverse trigger "When a row is added, modified or
//! deleted" on Invoices and a "Get a row by ID" of the invoice's currency:
//!
//! ```json
//! {"source":"power-automate","version":1,"organization":"4ef5b371-e89e-e711-8122-000d3aa2331c",
//!  "message":"Update","run":"08585...","invoiceid":"7c1f...","invoicenumber":"INV-01042-Z7K2",
//!  "statecode":2,"statuscode":100001,"totalamount":1250.5,"duedate":"2026-01-17",
//!  "customerid":"a1b2...","customername":"Acme Coatings GmbH","currency":"USD",
//!  "modifiedon":"2026-01-15T09:59:58Z"}
//! ```
//!
//! `message` is the trigger's `SdkMessage` (`Create`, `Update`, `Delete`). Numbers may
//! arrive as numbers or strings; empty values as `null` or `""`.

use invoice_connector_support::json::present;
use serde::Deserialize;
use serde_json::value::RawValue;

use crate::mapping::Row;
use crate::values;

/// Marks a flow post (`"source":"power-automate"`).
pub const SOURCE: &str = "power-automate";

/// One flow post.
#[derive(Debug, Deserialize)]
pub struct FlowPost {
    /// Always [`SOURCE`].
    pub source: String,
    /// The organization id (the flow's `OrganizationId` parameter): the tenant.
    pub organization: String,
    /// `SdkMessage` of the trigger.
    pub message: String,
    /// The flow run's name (for the audit log).
    #[serde(default)]
    pub run: Option<String>,
    /// The invoice's id.
    pub invoiceid: String,
    /// `invoicenumber`.
    #[serde(default)]
    pub invoicenumber: Option<String>,
    /// `statecode`.
    #[serde(default)]
    pub statecode: Option<Box<RawValue>>,
    /// `statuscode`.
    #[serde(default)]
    pub statuscode: Option<Box<RawValue>>,
    /// `totalamount`.
    #[serde(default)]
    pub totalamount: Option<Box<RawValue>>,
    /// The configured amount-due column, if the flow sends one.
    #[serde(default)]
    pub amountdue: Option<Box<RawValue>>,
    /// `duedate`, `YYYY-MM-DD` or ISO 8601.
    #[serde(default)]
    pub duedate: Option<Box<RawValue>>,
    /// `_customerid_value`.
    #[serde(default)]
    pub customerid: Option<String>,
    /// The customer's formatted name.
    #[serde(default)]
    pub customername: Option<String>,
    /// The currency's `isocurrencycode`.
    #[serde(default)]
    pub currency: Option<String>,
    /// `modifiedon`, ISO 8601.
    #[serde(default)]
    pub modifiedon: Option<String>,
}

impl FlowPost {
    /// The row the flow describes.
    pub fn row(&self) -> Row {
        let option = |r: &Option<Box<RawValue>>| {
            present(r.as_deref()).and_then(|r| {
                values::option(r).or_else(|| values::text(r).and_then(|t| t.trim().parse().ok()))
            })
        };
        Row {
            id: self.invoiceid.trim().to_owned(),
            message: self.message.clone(),
            number: self.invoicenumber.clone().filter(|n| !n.is_empty()),
            statecode: option(&self.statecode),
            statuscode: option(&self.statuscode),
            total: present(self.totalamount.as_deref()).map(|r| values::money(r).ok_or(())),
            amount_due: present(self.amountdue.as_deref()).map(|r| values::money(r).ok_or(())),
            due_date: present(self.duedate.as_deref()).map(|r| values::date(r).ok_or(())),
            customer_id: self.customerid.clone().filter(|c| !c.is_empty()),
            customer_name: self.customername.clone().filter(|c| !c.is_empty()),
            currency_id: None,
            currency_name: self.currency.clone().filter(|c| !c.is_empty()),
            modified_on: self.modifiedon.as_deref().and_then(values::parse_date_time),
        }
    }
}
