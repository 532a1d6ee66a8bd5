//! Stripe: card and ACH payments of the smaller clients. Invoices finalized, part-paid,
//! paid, left to go overdue, and reduced by a credit note.

use chrono::{DateTime, Utc};
use invoice_connectors::stripe::testing;
use invoice_core::Platform;
use serde_json::json;

use super::{request, DemoPlatform, SignFn, Step};
use crate::demo::story::Story;

/// The Stripe part.
pub struct Stripe;

/// The Stripe account (tenant).
pub const ACCOUNT: &str = "acct_1QBrightline7Ax";

struct Inv {
    id: &'static str,
    number: &'static str,
    customer: &'static str,
    name: &'static str,
    total: i64,
}

const AEROTECH: Inv = Inv {
    id: "in_1QDemoAero1001",
    number: "BRT-1001",
    customer: "cus_QAerotech01",
    name: "Aerotech Components Inc.",
    total: 425_000,
};
const VELO: Inv = Inv {
    id: "in_1QDemoVelo1002",
    number: "BRT-1002",
    customer: "cus_QVeloFrames",
    name: "Velo Frames Ltd.",
    total: 186_000,
};
const HARBOR: Inv = Inv {
    id: "in_1QDemoHarb1003",
    number: "BRT-1003",
    customer: "cus_QHarborMarine",
    name: "Harbor Marine Hardware",
    total: 340_000,
};

fn invoice_event(
    event_id: &str,
    event_type: &str,
    at: DateTime<Utc>,
    inv: &Inv,
    paid: i64,
    status: &str,
    due: DateTime<Utc>,
) -> String {
    json!({
        "id": event_id,
        "object": "event",
        "api_version": "2025-09-30.clover",
        "created": at.timestamp(),
        "type": event_type,
        "livemode": false,
        "pending_webhooks": 1,
        "data": { "object": {
            "id": inv.id,
            "object": "invoice",
            "number": inv.number,
            "customer": inv.customer,
            "customer_name": inv.name,
            "collection_method": "send_invoice",
            "currency": "usd",
            "total": inv.total,
            "amount_due": inv.total,
            "amount_paid": paid,
            "amount_remaining": inv.total - paid,
            "due_date": due.timestamp(),
            "status": status,
            "description": "Type II sulfuric anodizing, clear, 6061-T6 brackets",
            "metadata": {}
        }}
    })
    .to_string()
}

fn step(label: String, body: String) -> Step {
    Step {
        label,
        request: request(
            "/webhooks/stripe",
            "application/json; charset=utf-8",
            &[(
                "user-agent",
                "Stripe/1.0 (+https://stripe.com/docs/webhooks)",
            )],
            body,
        ),
    }
}

impl DemoPlatform for Stripe {
    fn platform(&self) -> Platform {
        Platform::Stripe
    }

    fn config(&self, secret: &str, _stand_in: &str) -> String {
        format!("secrets = [\"{secret}\"]\naccount = \"{ACCOUNT}\"\n")
    }

    fn signer(&self) -> SignFn {
        testing::sign
    }

    fn steps(&self, s: &Story) -> Vec<Step> {
        let mut out = Vec::new();
        // Aerotech: issued, part-paid, then paid in full.
        let issued = s.days_ago(20, 9);
        let due = s.days_ago(-10, 0);
        out.push(step(
            format!("{} {} issued, $4,250.00", AEROTECH.name, AEROTECH.number),
            invoice_event(
                "evt_1QDemoA001",
                "invoice.finalized",
                issued,
                &AEROTECH,
                0,
                "open",
                due,
            ),
        ));
        out.push(step(
            format!("{} pays $1,500.00 of {}", AEROTECH.name, AEROTECH.number),
            invoice_event(
                "evt_1QDemoA002",
                "invoice.payment_succeeded",
                s.days_ago(12, 14),
                &AEROTECH,
                150_000,
                "open",
                due,
            ),
        ));
        out.push(step(
            format!("{} pays the rest of {}", AEROTECH.name, AEROTECH.number),
            invoice_event(
                "evt_1QDemoA003",
                "invoice.paid",
                s.days_ago(2, 11),
                &AEROTECH,
                AEROTECH.total,
                "paid",
                due,
            ),
        ));
        // Velo Frames: issued 50 days ago, due 35 days ago, never paid: the overdue rules
        // (levels 1 and 30 days) take it from here.
        out.push(step(
            format!(
                "{} {} issued, $1,860.00, due 35 days ago",
                VELO.name, VELO.number
            ),
            invoice_event(
                "evt_1QDemoV001",
                "invoice.finalized",
                s.days_ago(50, 10),
                &VELO,
                0,
                "open",
                s.days_ago(35, 0),
            ),
        ));
        // Harbor Marine: issued, then a $400 credit note for a re-run batch.
        let h_due = s.days_ago(-20, 0);
        out.push(step(
            format!("{} {} issued, $3,400.00", HARBOR.name, HARBOR.number),
            invoice_event(
                "evt_1QDemoH001",
                "invoice.finalized",
                s.days_ago(9, 8),
                &HARBOR,
                0,
                "open",
                h_due,
            ),
        ));
        let cn_at = s.days_ago(3, 15);
        out.push(step(
            format!(
                "{} credited $400.00 on {} (re-run batch)",
                HARBOR.name, HARBOR.number
            ),
            json!({
                "id": "evt_1QDemoH002",
                "object": "event",
                "api_version": "2025-09-30.clover",
                "created": cn_at.timestamp(),
                "type": "credit_note.created",
                "livemode": false,
                "data": { "object": {
                    "id": "cn_1QDemoHarb01",
                    "object": "credit_note",
                    "invoice": HARBOR.id,
                    "number": "BRT-1003-CN-01",
                    "amount": 40_000,
                    "currency": "usd",
                    "refund_amount": 0,
                    "reason": "product_unsatisfactory",
                    "created": cn_at.timestamp(),
                    "status": "issued"
                }}
            })
            .to_string(),
        ));
        out
    }
}
