//! Random event histories for one invoice, shared by the property tests.

use chrono::{DateTime, Duration, TimeZone, Utc};
use invoice_core::*;
use proptest::prelude::*;
use rust_decimal::Decimal;

pub fn key(id: &str) -> InvoiceKey {
    InvoiceKey::new(Platform::Stripe, "acct_test", id)
}

pub fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 1, 9, 0, 0).unwrap()
}

/// The kinds of step a history is made of.
#[derive(Debug, Clone)]
pub enum Step {
    Snapshot {
        kind: EventKind,
        total: u32,
        paid: u32,
        lifecycle: Lifecycle,
    },
    Payment(u32),
    Paid,
    Overdue(u32),
    Disputed,
    Resolved(bool),
    Credit(u8, u32),
    Voided,
    Refund(u32),
    WrittenOff,
    Failed,
}

pub fn step() -> impl Strategy<Value = Step> {
    let lifecycle = prop_oneof![
        Just(Lifecycle::Open),
        Just(Lifecycle::Paid),
        Just(Lifecycle::Draft),
        Just(Lifecycle::Void),
    ];
    let snap_kind = prop_oneof![Just(EventKind::Issued), Just(EventKind::Updated)];
    prop_oneof![
        3 => (snap_kind, 1u32..100_000, 0u32..100_000, lifecycle).prop_map(|(kind, total, paid, lifecycle)| Step::Snapshot {
            kind,
            total,
            paid: paid.min(total),
            lifecycle
        }),
        3 => (1u32..50_000).prop_map(Step::Payment),
        1 => Just(Step::Paid),
        1 => prop_oneof![Just(1u32), Just(30), Just(60)].prop_map(Step::Overdue),
        1 => Just(Step::Disputed),
        1 => any::<bool>().prop_map(Step::Resolved),
        1 => (0u8..3, 1u32..10_000).prop_map(|(i, a)| Step::Credit(i, a)),
        1 => Just(Step::Voided),
        1 => (1u32..20_000).prop_map(Step::Refund),
        1 => Just(Step::WrittenOff),
        1 => Just(Step::Failed),
    ]
}

fn usd(cents: u32) -> Money {
    Money::from_minor(i64::from(cents), Currency::USD).unwrap()
}

/// Turns steps into events with distinct, increasing orders.
pub fn events(id: &str, steps: &[Step]) -> Vec<InvoiceEvent> {
    steps
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let at = t0() + Duration::seconds(i as i64 * 60);
            let eid = format!("{id}-e{i}");
            let base =
                |kind| InvoiceEvent::new(key(id), kind, at, eid.clone()).with_version(i as u64 + 1);
            match s {
                Step::Snapshot {
                    kind,
                    total,
                    paid,
                    lifecycle,
                } => base(*kind).with_snapshot(InvoiceSnapshot {
                    number: Some(format!("INV-{id}")),
                    customer: Customer {
                        platform_id: "cus_1".into(),
                        name: Some("Aerotech".into()),
                        portal_account: None,
                    },
                    currency: Currency::USD,
                    total: usd(*total).amount(),
                    paid: usd(*paid).amount(),
                    credited: Decimal::ZERO,
                    refunded: Decimal::ZERO,
                    due_date: Some(t0().date_naive()),
                    lifecycle: *lifecycle,
                }),
                Step::Payment(a) => {
                    base(EventKind::PaymentReceived).with_detail(EventDetail::Payment {
                        amount: usd(*a),
                        payment_id: None,
                    })
                }
                Step::Paid => base(EventKind::Paid),
                Step::Overdue(level) => {
                    base(EventKind::Overdue).with_detail(EventDetail::Overdue {
                        days_past_due: *level,
                        level: *level,
                    })
                }
                Step::Disputed => base(EventKind::Disputed).with_detail(EventDetail::Dispute {
                    dispute_id: "dp_1".into(),
                    amount: None,
                    reason: None,
                }),
                Step::Resolved(won) => {
                    base(EventKind::DisputeResolved).with_detail(EventDetail::DisputeResolution {
                        dispute_id: "dp_1".into(),
                        outcome: if *won {
                            DisputeOutcome::Won
                        } else {
                            DisputeOutcome::Lost
                        },
                    })
                }
                Step::Credit(n, a) => {
                    base(EventKind::Adjusted).with_detail(EventDetail::Adjustment(Adjustment {
                        id: format!("cn_{n}"),
                        kind: AdjustmentKind::CreditNote,
                        amount: usd(*a),
                        reason: None,
                        occurred_at: at,
                    }))
                }
                Step::Voided => base(EventKind::Voided),
                Step::Refund(a) => base(EventKind::Refunded).with_detail(EventDetail::Refund {
                    amount: usd(*a),
                    refund_id: None,
                }),
                Step::WrittenOff => base(EventKind::WrittenOff),
                Step::Failed => base(EventKind::PaymentFailed),
            }
        })
        .collect()
}

pub fn fold<'a>(id: &str, events: impl IntoIterator<Item = &'a InvoiceEvent>) -> InvoiceState {
    events
        .into_iter()
        .fold(InvoiceState::empty(key(id)), |s, e| apply(&s, e).state)
}

/// The state without the transition counter (which depends on arrival order).
pub fn unversioned(s: &InvoiceState) -> InvoiceState {
    let mut s = s.clone();
    s.version = 0;
    s
}
