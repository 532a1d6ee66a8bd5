//! The example request in `docs/portal-api.md` is real output: rebuilt here from an
//! update byte for byte, and its signature checked.

#![allow(clippy::unwrap_used)] // tests may unwrap

use std::str::FromStr;

use chrono::{TimeZone, Utc};
use invoice_core::{
    EventKind, Platform, PortalData, PortalEventInfo, PortalInvoice, PortalUpdate, Secret,
};
use portal_client::verify::Verifier;
use portal_client::{CloudEvent, Signer};
use rust_decimal::Decimal;

const DOC: &str = include_str!("../../docs/portal-api.md");

fn doc_line(prefix: &str) -> &'static str {
    DOC.lines()
        .find_map(|l| l.strip_prefix(prefix))
        .unwrap_or_else(|| panic!("{prefix} not in docs"))
}

/// The compact body: the first line of the http block that starts with `{`.
fn doc_body() -> &'static str {
    let http = DOC.split("```http").nth(1).unwrap();
    http.lines().find(|l| l.starts_with('{')).unwrap()
}

fn example() -> PortalUpdate {
    let at = |h, m, s| Utc.with_ymd_and_hms(2026, 1, 15, h, m, s).unwrap();
    let id = "stripe:acct_1OkAnodize:in_1QxA7E2eZvKYlo2C";
    PortalUpdate {
        id: "upd_3f1c2b9a8d7e6f5a4b3c2d1e0f9a8b7c".into(),
        source: "/platforms/stripe/acct_1OkAnodize".into(),
        event_type: "invoice.payment_received".into(),
        subject: id.into(),
        time: at(10, 4, 12),
        data: PortalData {
            invoice: PortalInvoice {
                id: id.into(),
                number: Some("INV-2026-0042".into()),
                customer: "cus_ACME".into(),
                customer_name: Some("ACME Anodizing GmbH".into()),
                currency: Some("EUR".into()),
                // As PortalUpdate::from_transition makes them: normalised decimals.
                total: Decimal::from_str("9600.00").unwrap().normalize(),
                paid: Decimal::from_str("6000.00").unwrap().normalize(),
                balance: Decimal::from_str("3600.00").unwrap().normalize(),
                due_date: chrono::NaiveDate::from_ymd_opt(2026, 2, 1),
                status: "partially_paid".into(),
                lifecycle: "partially_paid".into(),
                overdue: false,
                days_past_due: 0,
                dispute: "none".into(),
            },
            event: PortalEventInfo {
                kind: EventKind::PaymentReceived,
                occurred_at: at(10, 4, 9),
                received_at: at(10, 4, 11),
                platform: Platform::Stripe,
                platform_event_id: "evt_1QxB2c2eZvKYlo2CqP4rT9sd".into(),
            },
            sequence: 3,
        },
    }
}

#[test]
fn the_documented_body_is_what_the_sink_serialises() {
    let body = CloudEvent::from_update(&example()).to_json();
    assert_eq!(std::str::from_utf8(&body).unwrap(), doc_body());
    assert_eq!(
        CloudEvent::from_json(doc_body().as_bytes())
            .unwrap()
            .into_update(),
        example()
    );
}

#[test]
fn the_documented_signature_verifies_and_is_reproduced() {
    let secret = Secret::new("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
    let id = doc_line("webhook-id: ");
    let ts = doc_line("webhook-timestamp: ");
    let sig = doc_line("webhook-signature: ");
    let now = Utc.timestamp_opt(ts.parse().unwrap(), 0).unwrap();
    Verifier::new(std::slice::from_ref(&secret))
        .unwrap()
        .verify_parts(id, ts, sig, doc_body().as_bytes(), now)
        .unwrap();
    let signer = Signer::new(&[secret], &[]).unwrap();
    assert_eq!(
        signer.sign(id, ts.parse().unwrap(), doc_body().as_bytes()),
        sig
    );
}
