//! Odoo: the European subsidiary invoices from Odoo; an automated action posts the
//! `account.move` record, signed by the shipped module.

use chrono::{DateTime, NaiveDate, Utc};
use invoice_connectors::odoo::testing;
use invoice_core::Platform;
use serde_json::json;

use super::{request, DemoPlatform, SignFn, Step};
use crate::demo::story::Story;

/// The Odoo part.
pub struct Odoo;

const DATABASE: &str = "brightline-eu";

struct Move<'a> {
    id: i64,
    name: &'a str,
    partner: (i64, &'a str),
    total: f64,
    residual: f64,
    payment_state: &'a str,
    due: NaiveDate,
    written: DateTime<Utc>,
}

fn body(m: &Move<'_>) -> String {
    json!({
        "_action": "Invoice Relay (signed)",
        "_db": DATABASE,
        "_id": m.id,
        "_model": "account.move",
        "amount_residual": m.residual,
        "amount_total": m.total,
        "currency_id": [1, "EUR"],
        "id": m.id,
        "invoice_date_due": m.due.to_string(),
        "move_type": "out_invoice",
        "name": m.name,
        "partner_id": [m.partner.0, m.partner.1],
        "payment_state": m.payment_state,
        "reversed_entry_id": false,
        "state": "posted",
        "write_date": m.written.format("%Y-%m-%d %H:%M:%S").to_string()
    })
    .to_string()
}

fn step(label: &str, m: &Move<'_>) -> Step {
    Step {
        label: label.to_owned(),
        request: request(
            "/webhooks/odoo",
            "application/json",
            &[("user-agent", "python-requests/2.31.0")],
            body(m),
        ),
    }
}

impl DemoPlatform for Odoo {
    fn platform(&self) -> Platform {
        Platform::Odoo
    }

    fn config(&self, secret: &str, _stand_in: &str) -> String {
        format!("secrets = [\"{secret}\"]\ndatabase = \"{DATABASE}\"\n\n[sources.odoo.currencies]\n1 = \"EUR\"\n")
    }

    fn signer(&self) -> SignFn {
        testing::sign
    }

    fn steps(&self, s: &Story) -> Vec<Step> {
        let alpen = |residual, state, written| Move {
            id: 3121,
            name: "INV/2026/00057",
            partner: (41, "Alpen Präzisionsteile AG"),
            total: 2640.0,
            residual,
            payment_state: state,
            due: s.date_in(10),
            written,
        };
        vec![
            step(
                "Alpen Präzisionsteile INV/2026/00057 posted, EUR 2,640.00",
                &alpen(2640.0, "not_paid", s.days_ago(20, 8)),
            ),
            step(
                "Alpen Präzisionsteile pays EUR 1,500.00 of INV/2026/00057",
                &alpen(1140.0, "partial", s.days_ago(8, 10)),
            ),
            step(
                "Alpen Präzisionsteile pays the rest of INV/2026/00057",
                &alpen(0.0, "paid", s.days_ago(1, 9)),
            ),
            step(
                "Rheinwerk Hydraulik INV/2026/00061 posted, EUR 3,980.00, due 33 days ago",
                &Move {
                    id: 3140,
                    name: "INV/2026/00061",
                    partner: (57, "Rheinwerk Hydraulik GmbH"),
                    total: 3980.0,
                    residual: 3980.0,
                    payment_state: "not_paid",
                    due: s.date_in(-33),
                    written: s.days_ago(63, 11),
                },
            ),
        ]
    }
}
