//! Property tests of the design's state machine rules.

#![allow(missing_docs, clippy::unwrap_used)]

mod common;

use common::history::*;
use invoice_core::*;
use proptest::prelude::*;
use rust_decimal::Decimal;

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// Rule 1: the same event applied twice changes nothing the second time.
    #[test]
    fn idempotent(steps in prop::collection::vec(step(), 1..24), pick in any::<prop::sample::Index>()) {
        let evs = events("i1", &steps);
        let state = fold("i1", &evs);
        let again = &evs[pick.index(evs.len())];
        let t = apply(&state, again);
        prop_assert!(matches!(t.outcome, Outcome::Ignored(_)), "{:?}", t.outcome);
        prop_assert!(!t.stored_change);
        prop_assert_eq!(t.state, state);
    }

    /// Rule 2: any arrival order of a history whose events carry source versions ends in
    /// the same state (stale events never regress it).
    #[test]
    fn permutations_converge(
        steps in prop::collection::vec(step(), 1..24),
        perm in Just(()).prop_perturb(|_, mut rng| rng.next_u64()),
    ) {
        let evs = events("i1", &steps);
        let in_order = fold("i1", &evs);
        let mut shuffled = evs.clone();
        let mut r = perm;
        for i in (1..shuffled.len()).rev() {
            r = r.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            shuffled.swap(i, (r >> 33) as usize % (i + 1));
        }
        let any_order = fold("i1", &shuffled);
        prop_assert_eq!(unversioned(&in_order), unversioned(&any_order));
    }

    /// Amounts never go negative, whatever arrives.
    #[test]
    fn amounts_never_negative(steps in prop::collection::vec(step(), 0..32)) {
        let evs = events("i1", &steps);
        let mut s = InvoiceState::empty(key("i1"));
        for e in &evs {
            s = apply(&s, e).state;
            prop_assert!(s.balance >= Decimal::ZERO);
            prop_assert!(s.paid >= Decimal::ZERO);
            prop_assert!(s.refunded >= Decimal::ZERO);
            prop_assert!(s.credited >= Decimal::ZERO);
        }
    }

    /// Rule 3: after a void, later payments and overdue noise do not change the lifecycle;
    /// a payment is an anomaly, not applied.
    #[test]
    fn void_absorbs_later_noise(before in prop::collection::vec(step(), 0..12), pay in 1u32..50_000) {
        let mut steps = before;
        steps.push(Step::Voided);
        steps.push(Step::Payment(pay));
        steps.push(Step::Overdue(60));
        let evs = events("i1", &steps);
        let before_noise = fold("i1", &evs[..evs.len() - 2]);
        prop_assert_eq!(before_noise.lifecycle, Lifecycle::Void);
        let t = apply(&before_noise, &evs[evs.len() - 2]);
        prop_assert_eq!(t.outcome, Outcome::Anomaly(AnomalyReason::PaymentOnVoid));
        prop_assert_eq!(t.state.paid, before_noise.paid);
        let end = apply(&t.state, &evs[evs.len() - 1]).state;
        prop_assert_eq!(end.lifecycle, Lifecycle::Void);
        // The noise changes nothing the portal shows (a still-open dispute keeps its
        // precedence, as the design's status rule says).
        prop_assert_eq!(end.portal_status(), before_noise.portal_status());
        prop_assert_eq!(end.balance, before_noise.balance);
    }

    /// Rule 5: every event gets an outcome with a reason; version counts applied ones.
    #[test]
    fn version_counts_applied(steps in prop::collection::vec(step(), 0..24)) {
        let evs = events("i1", &steps);
        let mut s = InvoiceState::empty(key("i1"));
        let mut applied = 0;
        for e in &evs {
            let t = apply(&s, e);
            if t.outcome == Outcome::Applied { applied += 1; }
            s = t.state;
        }
        prop_assert_eq!(s.version, applied);
    }
}

#[test]
fn paid_before_issued_stays_paid() {
    let evs = events(
        "i1",
        &[
            Step::Snapshot {
                kind: EventKind::Issued,
                total: 10_000,
                paid: 0,
                lifecycle: Lifecycle::Open,
            },
            Step::Snapshot {
                kind: EventKind::Updated,
                total: 10_000,
                paid: 10_000,
                lifecycle: Lifecycle::Paid,
            },
        ],
    );
    let s = fold("i1", [&evs[1], &evs[0]]);
    assert_eq!(s.lifecycle, Lifecycle::Paid);
    assert_eq!(s.balance, Decimal::ZERO);
    assert_eq!(
        apply(&fold("i1", [&evs[1]]), &evs[0]).outcome,
        Outcome::Ignored(IgnoreReason::Stale)
    );
}

#[test]
fn snapshot_and_newer_delta_reconcile() {
    // A payment newer than the snapshot moves the amounts; an older one is in the snapshot.
    let evs = events(
        "i1",
        &[
            Step::Payment(1_000),
            Step::Snapshot {
                kind: EventKind::Issued,
                total: 10_000,
                paid: 1_000,
                lifecycle: Lifecycle::Open,
            },
            Step::Payment(4_000),
        ],
    );
    for order in [[0, 1, 2], [2, 1, 0], [1, 2, 0], [2, 0, 1]] {
        let s = fold("i1", order.iter().map(|i| &evs[*i]));
        assert_eq!(s.paid.to_string(), "50.00", "order {order:?}");
        assert_eq!(s.balance.to_string(), "50.00", "order {order:?}");
        assert_eq!(s.lifecycle, Lifecycle::PartiallyPaid, "order {order:?}");
    }
}

#[test]
fn dispute_takes_precedence_then_resolves() {
    let evs = events(
        "i1",
        &[
            Step::Snapshot {
                kind: EventKind::Issued,
                total: 10_000,
                paid: 10_000,
                lifecycle: Lifecycle::Paid,
            },
            Step::Disputed,
            Step::Resolved(true),
        ],
    );
    assert_eq!(
        fold("i1", &evs[..2]).portal_status(),
        PortalStatus::Disputed
    );
    let s = fold("i1", &evs);
    assert_eq!(s.portal_status(), PortalStatus::Paid);
    assert_eq!(s.dispute, DisputeStatus::ResolvedWon);
}

#[test]
fn overdue_policy_emits_each_level_once() {
    use chrono::{Duration, TimeZone, Utc};
    let evs = events(
        "i1",
        &[Step::Snapshot {
            kind: EventKind::Issued,
            total: 10_000,
            paid: 2_500,
            lifecycle: Lifecycle::Open,
        }],
    );
    let mut s = fold("i1", &evs);
    let policy = OverduePolicy::new(vec![1, 30, 60]).with_time_zone(chrono_tz::Europe::Berlin);
    let due = s.due_date.unwrap();
    // 23:30 UTC on due+29 is already due+30 in Berlin.
    let now = Utc.from_utc_datetime(&(due + Duration::days(29)).and_hms_opt(23, 30, 0).unwrap());
    let e = policy
        .evaluate(&s, now)
        .expect("level 30 reached in Berlin");
    assert_eq!(
        e.detail,
        EventDetail::Overdue {
            days_past_due: 30,
            level: 30
        }
    );
    s = apply(&s, &e).state;
    assert_eq!(s.portal_status(), PortalStatus::Overdue);
    assert!(policy.evaluate(&s, now).is_none(), "level 30 emitted once");
    let later = now + Duration::days(31);
    let e60 = policy.evaluate(&s, later).expect("level 60");
    assert_eq!(e60.platform_event_id, "overdue:i1:60");
    // Same event again after a restart: same id, same order, so deduplicated and ignored.
    assert_eq!(
        policy.evaluate(&s, later).unwrap(),
        e60.clone().tap_received(later)
    );
    let paid_event = InvoiceEvent::new(key("i1"), EventKind::Paid, later, "evt_paid");
    let paid = apply(&s, &paid_event).state;
    assert!(
        policy.evaluate(&paid, later).is_none(),
        "paid invoices are never overdue"
    );
}

trait Tap {
    fn tap_received(self, at: chrono::DateTime<chrono::Utc>) -> Self;
}
impl Tap for InvoiceEvent {
    fn tap_received(mut self, at: chrono::DateTime<chrono::Utc>) -> Self {
        self.received_at = at;
        self
    }
}
