//! Xero: the UK subsidiary invoices from Xero. Webhooks are thin (a resource URL), signed
//! with the webhook key; the enrichment worker fetches the invoice from the Accounting API
//! (here a loopback stand-in) after checking the URL is under the configured API base.

use chrono::{DateTime, Utc};
use invoice_connectors::xero::testing;
use invoice_core::Platform;
use serde_json::json;

use super::{request, DemoPlatform, SignFn, Step};
use crate::demo::story::Story;

/// The Xero part.
pub struct Xero;

/// The Xero organisation (tenant).
pub const TENANT: &str = "b3f0c1d2-7a8e-4f5b-9c6d-2e1f0a9b8c7d";
/// The invoice id.
pub const INVOICE: &str = "5e2b7c4a-9d1f-4a3e-b8c6-0f7d2a1e9b34";

fn xero_date(t: DateTime<Utc>) -> String {
    format!("/Date({}+0000)/", t.timestamp_millis())
}

/// The invoice as `GET /api.xro/2.0/Invoices/{id}` returns it now.
pub fn invoice_record(id: &str, now: DateTime<Utc>) -> Option<String> {
    if id != INVOICE {
        return None;
    }
    let s = Story::new(now);
    let issued = s.days_ago(12, 0);
    let paid_on = s.days_ago(3, 0);
    let credited_on = s.days_ago(2, 0);
    let due = s.days_ago(-18, 0);
    Some(
        json!({
            "Id": "8a1f3c5e-2b4d-4e6f-9a0b-1c2d3e4f5a6b",
            "Status": "OK",
            "ProviderName": "Invoice Relay demo",
            "DateTimeUTC": xero_date(now),
            "Invoices": [{
                "Type": "ACCREC",
                "InvoiceID": INVOICE,
                "InvoiceNumber": "BRT-UK-0318",
                "Reference": "PO-SPC-7781",
                "Payments": [{
                    "PaymentID": "d4e5f6a7-b8c9-4d0e-8f1a-2b3c4d5e6f70",
                    "Date": xero_date(paid_on),
                    "Amount": 1500.0,
                    "Reference": "BACS 77102"
                }],
                "CreditNotes": [{
                    "CreditNoteID": "e5f6a7b8-c9d0-4e1f-9a2b-3c4d5e6f7a81",
                    "CreditNoteNumber": "CN-0021",
                    "AppliedAmount": 250.0,
                    "Total": 250.0,
                    "Date": xero_date(credited_on)
                }],
                "AmountDue": 1430.0,
                "AmountPaid": 1500.0,
                "AmountCredited": 250.0,
                "Contact": {
                    "ContactID": "7c1d0b2e-9a3f-4b6c-8d5e-1f0a2b3c4d5e",
                    "ContactStatus": "ACTIVE",
                    "Name": "Sheffield Precision Castings Ltd",
                    "IsCustomer": true
                },
                "DateString": issued.format("%Y-%m-%dT00:00:00").to_string(),
                "Date": xero_date(issued),
                "DueDateString": due.format("%Y-%m-%dT00:00:00").to_string(),
                "DueDate": xero_date(due),
                "Status": "AUTHORISED",
                "LineAmountTypes": "Exclusive",
                "LineItems": [{
                    "Description": "Hard anodising 25um, 6082-T6 manifold blocks (120 pcs)",
                    "UnitAmount": 26.5,
                    "LineAmount": 3180.0,
                    "Quantity": 120.0
                }],
                "SubTotal": 3180.0,
                "TotalTax": 0.0,
                "Total": 3180.0,
                "UpdatedDateUTC": xero_date(credited_on),
                "CurrencyCode": "GBP",
                "SentToContact": true
            }]
        })
        .to_string(),
    )
}

fn notification(stand_in: &str, kind: &str, at: DateTime<Utc>, seq: u64) -> String {
    json!({
        "events": [{
            "resourceUrl": format!("{stand_in}/api.xro/2.0/Invoices/{INVOICE}"),
            "resourceId": INVOICE,
            "eventDateUtc": at.format("%Y-%m-%dT%H:%M:%S%.3f").to_string(),
            "eventType": kind,
            "eventCategory": "INVOICE",
            "tenantId": TENANT,
            "tenantType": "ORGANISATION"
        }],
        "firstEventSequence": seq,
        "lastEventSequence": seq,
        "entropy": "QWERTYUIOPASDFGHJKLZ"
    })
    .to_string()
}

/// Thin webhooks carry the API URL; the demo's stand-in base is only known at run time.
pub struct XeroAt(pub String);

impl DemoPlatform for XeroAt {
    fn platform(&self) -> Platform {
        Platform::Xero
    }

    fn config(&self, secret: &str, stand_in: &str) -> String {
        format!(
            "secrets = [\"{secret}\"]\ntenants = [\"{TENANT}\"]\napi_base = \"{stand_in}\"\naccess_token = \"demo-access-token\"\n"
        )
    }

    fn signer(&self) -> SignFn {
        testing::sign
    }

    fn steps(&self, s: &Story) -> Vec<Step> {
        let step = |label: &str, body: String| Step {
            label: label.to_owned(),
            request: request(
                "/webhooks/xero",
                "application/json",
                &[("user-agent", "Xero-Webhooks")],
                body,
            ),
        };
        vec![
            step(
                "Sheffield Precision Castings BRT-UK-0318 authorised, GBP 3,180.00 (thin)",
                notification(&self.0, "CREATE", s.days_ago(12, 9), 5101),
            ),
            step(
                "Sheffield Precision pays GBP 1,500.00 and gets a GBP 250.00 credit note (thin)",
                notification(&self.0, "UPDATE", s.days_ago(2, 11), 5102),
            ),
        ]
    }
}

impl Xero {
    /// The Xero part, with the stand-in API at `base`.
    pub fn at(base: &str) -> XeroAt {
        XeroAt(base.to_owned())
    }
}
