//! Google Sheets: a small client's jobs are still invoiced from a spreadsheet; an Apps
//! Script trigger posts each edited row, signed with the shared secret.

use chrono::{DateTime, NaiveDate, Utc};
use invoice_connectors::google_sheets::testing;
use invoice_core::Platform;
use serde_json::json;

use super::{request, DemoPlatform, SignFn, Step};
use crate::demo::story::Story;

/// The Google Sheets part.
pub struct GoogleSheets;

const SHEET: &str = "1BrtLnAnodizeJobShop2026xYz0123456789abcd";

fn row_post(sent: DateTime<Utc>, row: u32, status: &str, paid: &str, due: NaiveDate) -> String {
    json!({
        "source": "google-sheets",
        "version": 1,
        "spreadsheetId": SHEET,
        "sheet": "Invoices",
        "locale": "en_US",
        "timeZone": "Europe/Berlin",
        "trigger": "edit",
        "sentAt": sent.timestamp_millis(),
        "rows": [{
            "row": row,
            "values": {
                "Invoice No.": "JS-0407",
                "Customer": "Lindqvist Bicycle Works",
                "Amount": "$980.00",
                "Currency": "USD",
                "Due Date": due.to_string(),
                "Status": status,
                "Paid": paid,
                "Notes": "Black hardcoat, 40 seat posts"
            }
        }]
    })
    .to_string()
}

fn step(label: &str, body: String) -> Step {
    Step {
        label: label.to_owned(),
        request: request(
            "/webhooks/google-sheets",
            "application/json; charset=utf-8",
            &[("user-agent", "Mozilla/5.0 (compatible; Google-Apps-Script)")],
            body,
        ),
    }
}

impl DemoPlatform for GoogleSheets {
    fn platform(&self) -> Platform {
        Platform::GoogleSheets
    }

    fn config(&self, secret: &str, _stand_in: &str) -> String {
        format!(
            "secrets = [\"{secret}\"]\nspreadsheets = [\"{SHEET}\"]\ndefault_currency = \"USD\"\n"
        )
    }

    fn signer(&self) -> SignFn {
        testing::sign
    }

    fn steps(&self, s: &Story) -> Vec<Step> {
        let due = s.date_in(14);
        vec![
            step(
                "Lindqvist Bicycle Works JS-0407 sent, $980.00",
                row_post(s.days_ago(16, 9), 7, "Sent", "", due),
            ),
            step(
                "Lindqvist Bicycle Works pays $400.00 of JS-0407",
                row_post(s.days_ago(6, 13), 7, "Partially paid", "$400.00", due),
            ),
        ]
    }
}
