//! QuickBooks Online: thin webhooks (ids only), signed with the app's verifier token. The
//! relay acknowledges at once and its enrichment worker fetches the invoice from the
//! Accounting API (here a loopback stand-in serving the record as QuickBooks would).

use chrono::{DateTime, Utc};
use invoice_connectors::quickbooks_online::testing;
use invoice_core::Platform;
use serde_json::json;

use super::{request, DemoPlatform, SignFn, Step};
use crate::demo::story::Story;

/// The QuickBooks Online part.
pub struct QuickbooksOnline;

/// The company (realm) id.
pub const REALM: &str = "9341455322584470";
const INVOICE: &str = "2051";

fn notification(operation: &str, at: DateTime<Utc>) -> String {
    json!({ "eventNotifications": [{
        "realmId": REALM,
        "dataChangeEvent": { "entities": [{
            "name": "Invoice",
            "id": INVOICE,
            "operation": operation,
            "lastUpdated": at.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
        }]}
    }]})
    .to_string()
}

/// The invoice as the Accounting API returns it now (`GET /v3/company/{realm}/invoice/{id}`).
pub fn invoice_record(realm: &str, id: &str, now: DateTime<Utc>) -> Option<String> {
    if realm != REALM || id != INVOICE {
        return None;
    }
    let story = Story::new(now);
    let created = story.days_ago(18, 9);
    let updated = story.days_ago(4, 15);
    Some(
        json!({
            "Invoice": {
                "domain": "QBO",
                "sparse": false,
                "Id": INVOICE,
                "SyncToken": "2",
                "MetaData": {
                    "CreateTime": created.to_rfc3339(),
                    "LastUpdatedTime": updated.to_rfc3339()
                },
                "DocNumber": "BRT-2051",
                "TxnDate": created.date_naive().to_string(),
                "CurrencyRef": { "value": "USD", "name": "United States Dollar" },
                "LinkedTxn": [{ "TxnId": "2290", "TxnType": "Payment" }],
                "Line": [{
                    "Id": "1",
                    "LineNum": 1,
                    "Description": "Type III hardcoat anodizing, black, 7075 housings (150 pcs)",
                    "Amount": 6750.0,
                    "DetailType": "SalesItemLineDetail",
                    "SalesItemLineDetail": { "ItemRef": { "value": "14", "name": "Anodizing:Type III hardcoat" }, "UnitPrice": 45.0, "Qty": 150 }
                }],
                "CustomerRef": { "value": "73", "name": "Summit Aerospace Ltd." },
                "DueDate": story.date_in(12).to_string(),
                "TotalAmt": 6750.0,
                "EmailStatus": "EmailSent",
                "Balance": 2750.0
            },
            "time": now.to_rfc3339()
        })
        .to_string(),
    )
}

fn step(label: &str, body: String) -> Step {
    Step {
        label: label.to_owned(),
        request: request(
            "/webhooks/quickbooks-online",
            "application/json",
            &[("user-agent", "Intuit-Webhooks/1.0")],
            body,
        ),
    }
}

impl DemoPlatform for QuickbooksOnline {
    fn platform(&self) -> Platform {
        Platform::QuickbooksOnline
    }

    fn config(&self, secret: &str, stand_in: &str) -> String {
        format!(
            "secrets = [\"{secret}\"]\nrealms = [\"{REALM}\"]\napi_base = \"{stand_in}\"\naccess_token = \"demo-access-token\"\n"
        )
    }

    fn signer(&self) -> SignFn {
        testing::sign
    }

    fn steps(&self, s: &Story) -> Vec<Step> {
        vec![
            step(
                "Summit Aerospace BRT-2051 created, $6,750.00 (thin: fetched from the API)",
                notification("Create", s.days_ago(18, 9)),
            ),
            step(
                "Summit Aerospace pays $4,000.00 of BRT-2051 (thin: fetched from the API)",
                notification("Update", s.days_ago(4, 15)),
            ),
        ]
    }
}
