//! A synthetic, deterministic event history: every invoice goes through the same
//! ten-event cycle a real Stripe-like invoice does (draft snapshot, issued, a failed
//! payment, overdue, a partial payment, a dispute opened and won, a credit note, the
//! rest paid, a paid snapshot), interleaved across invoices as they would arrive, with
//! the partial payment arriving before the overdue notice for every odd invoice
//! (out of order). Later cycles repeat the pattern at later times, so a long replay over
//! few invoices shows whether per-invoice state stays bounded.

use std::collections::HashMap;

use chrono::{DateTime, Duration, TimeZone, Utc};
use invoice_core::{
    apply, Adjustment, AdjustmentKind, Currency, Customer, DisputeOutcome, EventDetail, EventKind,
    InvoiceEvent, InvoiceKey, InvoiceSnapshot, InvoiceState, Lifecycle, Money, Platform,
};
use rust_decimal::Decimal;

/// Events per invoice per cycle.
pub const CYCLE: usize = 10;

fn base() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0)
        .single()
        .unwrap_or_default()
}

fn cents(c: i64) -> Decimal {
    Decimal::new(c, 2)
}

/// The key of invoice `i`.
pub fn key(i: usize) -> InvoiceKey {
    InvoiceKey::new(Platform::Stripe, "acct_bench", format!("in_{i:07}"))
}

fn snapshot(i: usize, lifecycle: Lifecycle, paid: i64, credited: i64) -> InvoiceSnapshot {
    InvoiceSnapshot {
        number: Some(format!("BRT-2026-{i:07}")),
        customer: Customer {
            platform_id: format!("cus_{:05}", i % 5000),
            name: Some("Aerotech Components Inc.".to_owned()),
            portal_account: None,
        },
        currency: Currency::USD,
        total: cents(100_000),
        paid: cents(paid),
        credited: cents(credited),
        refunded: Decimal::ZERO,
        due_date: Some(base().date_naive() + Duration::days(30)),
        lifecycle,
    }
}

/// Event `j` (0..CYCLE) of cycle `c` of invoice `i`.
pub fn event(i: usize, c: usize, j: usize) -> InvoiceEvent {
    let step = (c * CYCLE + j) as i64;
    let at = base() + Duration::hours(step) + Duration::seconds((i % 3600) as i64);
    let usd = |c: i64| Money::new(cents(c), Currency::USD);
    let (kind, detail, snap) = match j {
        0 => (
            EventKind::Updated,
            EventDetail::None,
            Some(snapshot(i, Lifecycle::Draft, 0, 0)),
        ),
        1 => (
            EventKind::Issued,
            EventDetail::None,
            Some(snapshot(i, Lifecycle::Open, 0, 0)),
        ),
        2 => (
            EventKind::PaymentFailed,
            EventDetail::PaymentFailure {
                reason: Some("card_declined".to_owned()),
            },
            None,
        ),
        3 => (
            EventKind::Overdue,
            EventDetail::Overdue {
                days_past_due: 31,
                level: 30,
            },
            None,
        ),
        4 => (
            EventKind::PaymentReceived,
            EventDetail::Payment {
                amount: usd(40_000),
                payment_id: Some(format!("pi_{i}_{c}_a")),
            },
            None,
        ),
        5 => (
            EventKind::Disputed,
            EventDetail::Dispute {
                dispute_id: format!("dp_{i}"),
                amount: Some(usd(40_000)),
                reason: Some("product_not_received".to_owned()),
            },
            None,
        ),
        6 => (
            EventKind::DisputeResolved,
            EventDetail::DisputeResolution {
                dispute_id: format!("dp_{i}"),
                outcome: DisputeOutcome::Won,
            },
            None,
        ),
        7 => (
            EventKind::Adjusted,
            EventDetail::Adjustment(Adjustment {
                id: format!("cn_{i}"),
                kind: AdjustmentKind::CreditNote,
                amount: usd(5_000),
                reason: Some("order_change".to_owned()),
                occurred_at: at,
            }),
            None,
        ),
        8 => (
            EventKind::PaymentReceived,
            EventDetail::Payment {
                amount: usd(55_000),
                payment_id: Some(format!("pi_{i}_{c}_b")),
            },
            None,
        ),
        _ => (
            EventKind::Paid,
            EventDetail::None,
            Some(snapshot(i, Lifecycle::Paid, 95_000, 5_000)),
        ),
    };
    let mut e = InvoiceEvent::new(key(i), kind, at, format!("evt_{i}_{c}_{j}"));
    e.detail = detail;
    e.snapshot = snap;
    e.source_version = Some(at.timestamp() as u64);
    e
}

/// `cycles` cycles of every one of `invoices` invoices, in arrival order:
/// `invoices * cycles * CYCLE` events.
pub fn history(invoices: usize, cycles: usize) -> Vec<InvoiceEvent> {
    let mut out = Vec::with_capacity(invoices * cycles * CYCLE);
    for c in 0..cycles {
        for j in 0..CYCLE {
            for i in 0..invoices {
                // Odd invoices: the partial payment (4) arrives before the overdue (3).
                let j = match (i % 2, j) {
                    (1, 3) => 4,
                    (1, 4) => 3,
                    _ => j,
                };
                out.push(event(i, c, j));
            }
        }
    }
    out
}

/// Replays `events` through [`apply`] onto the states in `states`, keeping each stored
/// change. Returns how many events were applied (visible change).
pub fn replay(states: &mut HashMap<InvoiceKey, InvoiceState>, events: &[InvoiceEvent]) -> usize {
    let mut applied = 0;
    for e in events {
        let state = match states.get_mut(&e.key) {
            Some(s) => s,
            None => states
                .entry(e.key.clone())
                .or_insert_with(|| InvoiceState::empty(e.key.clone())),
        };
        let t = apply(state, e);
        if t.outcome == invoice_core::Outcome::Applied {
            applied += 1;
        }
        if t.stored_change {
            *state = t.state;
        }
    }
    applied
}
