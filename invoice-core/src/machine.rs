//! The state machine: a pure function from (state, event) to the next state and the reason
//! for what it did.
//!
//! Every part of the state merges commutatively (newest-wins registers ordered by
//! [`EventOrder`], a maximum for overdue levels, sets for deltas and adjustments), and the
//! visible state is derived from that basis. So the design's five rules hold by
//! construction: the same event twice changes nothing; a stale event never regresses
//! state; void and refunded absorb later payments (counted as anomalies); snapshots set
//! amounts while newer deltas move them; and every outcome carries a reason.

use std::fmt;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::state::{Delta, DeltaKind, StateBasis};
use crate::{
    AdjustmentKind, DisputeOutcome, DisputeStatus, EventDetail, EventKind, EventOrder,
    InvoiceEvent, InvoiceState, Lifecycle, OverdueStatus,
};

/// Why an event changed nothing visible.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IgnoreReason {
    /// This very event was applied before.
    Duplicate,
    /// Newer information was already applied.
    Stale,
    /// The event carries nothing that changes this invoice.
    NoChange,
    /// The event is for another invoice than the state.
    KeyMismatch,
    /// Recorded, but the invoice's condition hides it (overdue on a paid or void invoice).
    Absorbed,
}

impl IgnoreReason {
    /// The snake_case word (a metric label).
    pub fn as_str(&self) -> &'static str {
        match self {
            IgnoreReason::Duplicate => "duplicate",
            IgnoreReason::Stale => "stale",
            IgnoreReason::NoChange => "no_change",
            IgnoreReason::KeyMismatch => "key_mismatch",
            IgnoreReason::Absorbed => "absorbed",
        }
    }
}

/// Why an event was recorded as an anomaly instead of applied.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AnomalyReason {
    /// A payment arrived for a void invoice.
    PaymentOnVoid,
    /// A payment arrived for a fully refunded invoice.
    PaymentAfterRefund,
    /// The amount's currency is not the invoice's.
    CurrencyMismatch,
}

impl AnomalyReason {
    /// The snake_case word (a metric label).
    pub fn as_str(&self) -> &'static str {
        match self {
            AnomalyReason::PaymentOnVoid => "payment_on_void",
            AnomalyReason::PaymentAfterRefund => "payment_after_refund",
            AnomalyReason::CurrencyMismatch => "currency_mismatch",
        }
    }
}

/// What applying an event did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "outcome", content = "reason", rename_all = "snake_case")]
pub enum Outcome {
    /// The visible state changed; `version` went up by one.
    Applied,
    /// Nothing visible changed, for this reason.
    Ignored(IgnoreReason),
    /// Recorded but not applied, for this reason.
    Anomaly(AnomalyReason),
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Outcome::Applied => f.write_str("applied"),
            Outcome::Ignored(r) => write!(f, "ignored: {}", r.as_str()),
            Outcome::Anomaly(r) => write!(f, "anomaly: {}", r.as_str()),
        }
    }
}

/// The result of [`apply`]: the outcome and the state to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transition {
    /// What happened.
    pub outcome: Outcome,
    /// The state after the event (equal to the input when nothing changed at all).
    pub state: InvoiceState,
    /// True when anything (even only the basis) changed and the state must be stored.
    pub stored_change: bool,
}

/// Applies `event` to `state`. Pure: no clock, no I/O.
///
/// ```
/// use invoice_core::{apply, EventKind, InvoiceEvent, InvoiceKey, InvoiceState, Lifecycle, Outcome, Platform};
/// use chrono::{TimeZone, Utc};
/// let key = InvoiceKey::new(Platform::Stripe, "acct", "in_1");
/// let t = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
/// let void = InvoiceEvent::new(key.clone(), EventKind::Voided, t, "evt_1");
/// let once = apply(&InvoiceState::empty(key), &void);
/// assert_eq!(once.outcome, Outcome::Applied);
/// assert_eq!(once.state.lifecycle, Lifecycle::Void);
/// let twice = apply(&once.state, &void);
/// assert!(matches!(twice.outcome, Outcome::Ignored(_)));
/// assert_eq!(twice.state, once.state);
/// ```
pub fn apply(state: &InvoiceState, event: &InvoiceEvent) -> Transition {
    if event.key != state.key {
        return unchanged(state, IgnoreReason::KeyMismatch);
    }
    let order = event.order();
    let mut merge = Merge {
        basis: state.basis.clone(),
        adjustments: state.adjustments.clone(),
        overdue: state.overdue,
        flags: Flags::default(),
    };
    merge.event(event, &order);

    let Merge {
        basis,
        adjustments,
        overdue,
        flags: Flags {
            saw_same,
            saw_stale,
        },
    } = merge;
    let mut next = derive(state, basis, adjustments, overdue);
    next.version = state.version;

    let stored_change = next != *state;
    if !stored_change {
        let reason = if saw_same {
            IgnoreReason::Duplicate
        } else if saw_stale {
            IgnoreReason::Stale
        } else {
            IgnoreReason::NoChange
        };
        return unchanged(state, reason);
    }
    if next.anomalies > state.anomalies && visible_eq(state, &next) {
        let reason = if next.basis.currency_mismatch_seen(event) {
            AnomalyReason::CurrencyMismatch
        } else if next.lifecycle == Lifecycle::Void {
            AnomalyReason::PaymentOnVoid
        } else {
            AnomalyReason::PaymentAfterRefund
        };
        return Transition {
            outcome: Outcome::Anomaly(reason),
            state: next,
            stored_change: true,
        };
    }
    if visible_eq(state, &next) {
        return Transition {
            outcome: Outcome::Ignored(if saw_stale {
                IgnoreReason::Stale
            } else {
                IgnoreReason::Absorbed
            }),
            state: next,
            stored_change: true,
        };
    }
    next.version = state.version.saturating_add(1);
    Transition {
        outcome: Outcome::Applied,
        state: next,
        stored_change: true,
    }
}

fn unchanged(state: &InvoiceState, reason: IgnoreReason) -> Transition {
    Transition {
        outcome: Outcome::Ignored(reason),
        state: state.clone(),
        stored_change: false,
    }
}

/// Equality of what the portal sees (ignores version, basis and the anomaly count, and the
/// overdue level while the invoice is not owed). Compares field by field: no state is
/// cloned (this runs up to twice per applied event).
fn visible_eq(a: &InvoiceState, b: &InvoiceState) -> bool {
    // Destructured so a new field cannot be forgotten here.
    let InvoiceState {
        key,
        number,
        customer,
        currency,
        total,
        credited,
        paid,
        refunded,
        balance,
        due_date,
        lifecycle,
        overdue: _,
        dispute,
        adjustments,
        version: _,
        last_payment_failure,
        anomalies: _,
        basis: _,
    } = a;
    let shown_overdue = |s: &InvoiceState| if s.is_overdue() { s.overdue } else { None };
    *key == b.key
        && *lifecycle == b.lifecycle
        && *total == b.total
        && *paid == b.paid
        && *balance == b.balance
        && *credited == b.credited
        && *refunded == b.refunded
        && *currency == b.currency
        && *due_date == b.due_date
        && *dispute == b.dispute
        && shown_overdue(a) == shown_overdue(b)
        && *number == b.number
        && *customer == b.customer
        && *last_payment_failure == b.last_payment_failure
        && *adjustments == b.adjustments
}

struct Merge {
    basis: StateBasis,
    adjustments: std::collections::BTreeMap<String, crate::Adjustment>,
    overdue: Option<OverdueStatus>,
    flags: Flags,
}

#[derive(Default)]
struct Flags {
    saw_same: bool,
    saw_stale: bool,
}

impl Flags {
    /// True when `order` is newer than `current`; notes duplicates and stale arrivals.
    fn newer(&mut self, current: Option<&EventOrder>, order: &EventOrder) -> bool {
        match current {
            None => true,
            Some(c) if c == order => {
                self.saw_same = true;
                false
            }
            Some(c) if c > order => {
                self.saw_stale = true;
                false
            }
            Some(_) => true,
        }
    }
}

impl Merge {
    fn event(&mut self, event: &InvoiceEvent, order: &EventOrder) {
        if let Some(snapshot) = &event.snapshot {
            let newer = self
                .flags
                .newer(self.basis.snapshot.as_ref().map(|(_, o)| o), order);
            if newer {
                self.basis.snapshot = Some((snapshot.clone(), order.clone()));
                self.basis.deltas.retain(|d| d.order > *order);
            }
            self.assert_lifecycle(snapshot.lifecycle, order);
        }
        let has_snapshot = event.snapshot.is_some();
        match (event.kind, &event.detail) {
            (EventKind::Issued, _) if !has_snapshot => {
                self.assert_lifecycle(Lifecycle::Open, order)
            }
            (EventKind::PaymentReceived | EventKind::Paid, EventDetail::Payment { amount, .. })
                if !has_snapshot =>
            {
                self.delta(order, DeltaKind::Payment, *amount);
            }
            (EventKind::PaymentFailed, detail) => {
                let reason = match detail {
                    EventDetail::PaymentFailure { reason } => reason.clone(),
                    _ => None,
                };
                let newer = self
                    .flags
                    .newer(self.basis.payment_failure.as_ref().map(|(_, o)| o), order);
                if newer {
                    self.basis.payment_failure = Some((reason, order.clone()));
                }
            }
            (
                EventKind::Overdue,
                EventDetail::Overdue {
                    days_past_due,
                    level,
                },
            ) => {
                let candidate = OverdueStatus {
                    level: *level,
                    days_past_due: *days_past_due,
                };
                match self.overdue {
                    Some(cur) if cur == candidate => self.flags.saw_same = true,
                    Some(cur) if cur > candidate => self.flags.saw_stale = true,
                    _ => self.overdue = Some(candidate),
                }
            }
            (EventKind::Disputed, _) => self.dispute(DisputeStatus::Open, order),
            (EventKind::DisputeResolved, EventDetail::DisputeResolution { outcome, .. }) => {
                let status = match outcome {
                    DisputeOutcome::Won => DisputeStatus::ResolvedWon,
                    DisputeOutcome::Lost => DisputeStatus::ResolvedLost,
                };
                self.dispute(status, order)
            }
            (EventKind::Adjusted, EventDetail::Adjustment(adj)) => {
                let replace = match self.adjustments.get(&adj.id) {
                    Some(cur) if cur == adj => {
                        self.flags.saw_same = true;
                        false
                    }
                    Some(cur) => {
                        (adj.occurred_at, adj.amount.amount())
                            > (cur.occurred_at, cur.amount.amount())
                    }
                    None => true,
                };
                if replace {
                    self.adjustments.insert(adj.id.clone(), adj.clone());
                }
                if adj.kind == AdjustmentKind::CreditNote && !has_snapshot {
                    self.delta(order, DeltaKind::Credit, adj.amount);
                }
            }
            (EventKind::Voided, _) if !has_snapshot => {
                self.assert_lifecycle(Lifecycle::Void, order)
            }
            (EventKind::Paid, _) if !has_snapshot => self.assert_lifecycle(Lifecycle::Paid, order),
            (EventKind::WrittenOff, _) if !has_snapshot => {
                self.assert_lifecycle(Lifecycle::Uncollectible, order)
            }
            (EventKind::Refunded, EventDetail::Refund { amount, .. }) if !has_snapshot => {
                self.delta(order, DeltaKind::Refund, *amount);
            }
            _ => {}
        }
    }

    fn assert_lifecycle(&mut self, lifecycle: Lifecycle, order: &EventOrder) {
        let newer = self
            .flags
            .newer(self.basis.lifecycle.as_ref().map(|(_, o)| o), order);
        if newer {
            self.basis.lifecycle = Some((lifecycle, order.clone()));
        }
    }

    fn dispute(&mut self, status: DisputeStatus, order: &EventOrder) {
        let newer = self
            .flags
            .newer(self.basis.dispute.as_ref().map(|(_, o)| o), order);
        if newer {
            self.basis.dispute = Some((status, order.clone()));
        }
    }

    fn delta(&mut self, order: &EventOrder, kind: DeltaKind, amount: crate::Money) {
        if let Some((_, snap_order)) = &self.basis.snapshot {
            if snap_order >= order {
                self.flags.saw_stale |= snap_order > order;
                self.flags.saw_same |= snap_order == order;
                return;
            }
        }
        if self.basis.deltas.iter().any(|d| d.order == *order) {
            self.flags.saw_same = true;
            return;
        }
        let delta = Delta {
            order: order.clone(),
            kind,
            amount: amount.amount(),
            currency: amount.currency(),
        };
        let at = self.basis.deltas.partition_point(|d| d.order < delta.order);
        self.basis.deltas.insert(at, delta);
    }
}

impl StateBasis {
    /// The snapshot's currency, else that of the first delta that is not absorbed by a
    /// void or refund assertion.
    fn invoice_currency(&self) -> Option<crate::Currency> {
        if let Some((s, _)) = &self.snapshot {
            return Some(s.currency);
        }
        let absorb_at = match &self.lifecycle {
            Some((Lifecycle::Void | Lifecycle::Refunded, o)) => Some(o),
            _ => None,
        };
        self.deltas
            .iter()
            .find(|d| !(d.kind == DeltaKind::Payment && absorb_at.is_some_and(|a| d.order > *a)))
            .map(|d| d.currency)
    }

    fn currency_mismatch_seen(&self, event: &InvoiceEvent) -> bool {
        let amount_currency = match &event.detail {
            EventDetail::Payment { amount, .. } | EventDetail::Refund { amount, .. } => {
                Some(amount.currency())
            }
            EventDetail::Adjustment(a) => Some(a.amount.currency()),
            _ => None,
        };
        matches!((amount_currency, self.invoice_currency()), (Some(a), Some(b)) if a != b)
    }
}

/// Derives the visible state from the merged basis.
fn derive(
    prev: &InvoiceState,
    basis: StateBasis,
    adjustments: std::collections::BTreeMap<String, crate::Adjustment>,
    overdue: Option<OverdueStatus>,
) -> InvoiceState {
    let mut s = InvoiceState::empty(prev.key.clone());
    let currency = basis.invoice_currency();
    let mut snap_order = None;
    if let Some((snap, order)) = &basis.snapshot {
        s.number = snap.number.clone();
        s.customer = snap.customer.clone();
        s.total = snap.total;
        s.paid = snap.paid;
        s.credited = snap.credited;
        s.refunded = snap.refunded;
        s.due_date = snap.due_date;
        snap_order = Some(order);
    }
    s.currency = currency;

    let asserted = basis.lifecycle.as_ref().map(|(l, _)| *l);
    let mut absorb_at = match &basis.lifecycle {
        Some((Lifecycle::Void | Lifecycle::Refunded, o)) => Some(o.clone()),
        _ => None,
    };
    let mut anomalies = 0u32;
    for d in &basis.deltas {
        if Some(d.currency) != currency {
            anomalies = anomalies.saturating_add(1);
            continue;
        }
        match d.kind {
            DeltaKind::Payment => {
                if absorb_at.as_ref().is_some_and(|a| d.order > *a) {
                    anomalies = anomalies.saturating_add(1);
                    continue;
                }
                s.paid = s.paid.saturating_add(d.amount);
            }
            DeltaKind::Refund => {
                s.refunded = s.refunded.saturating_add(d.amount);
                if absorb_at.is_none() && s.paid > Decimal::ZERO && s.refunded >= s.paid {
                    absorb_at = Some(d.order.clone());
                }
            }
            DeltaKind::Credit => s.credited = s.credited.saturating_add(d.amount),
        }
    }
    // A re-issue newer than the snapshot sets the total.
    let reissue = adjustments
        .values()
        .filter(|a| a.kind == AdjustmentKind::Reissue && Some(a.amount.currency()) == currency)
        .filter(|a| snap_order.is_none_or(|o| a.occurred_at > o.occurred_at))
        .max_by(|a, b| (a.occurred_at, &a.id).cmp(&(b.occurred_at, &b.id)));
    if let Some(r) = reissue {
        s.total = r.amount.amount();
    }

    let net = s.total.saturating_sub(s.credited);
    let known = basis.snapshot.is_some() || !basis.deltas.is_empty() || asserted.is_some();
    s.lifecycle = match asserted {
        Some(Lifecycle::Void) => Lifecycle::Void,
        Some(Lifecycle::Refunded) => Lifecycle::Refunded,
        Some(Lifecycle::Draft) if s.paid.is_zero() => Lifecycle::Draft,
        Some(Lifecycle::Uncollectible) if !(net > Decimal::ZERO && s.paid >= net) => {
            Lifecycle::Uncollectible
        }
        None if !known => Lifecycle::Draft,
        other => from_amounts(&s, net, other == Some(Lifecycle::Paid)),
    };
    if s.lifecycle == Lifecycle::Paid && s.paid < net {
        s.paid = net;
    }
    s.balance = match s.lifecycle {
        Lifecycle::Paid | Lifecycle::Refunded | Lifecycle::PartiallyRefunded | Lifecycle::Void => {
            Decimal::ZERO
        }
        _ => net.saturating_sub(s.paid).max(Decimal::ZERO),
    };
    s.overdue = overdue;
    s.dispute = basis.dispute.as_ref().map(|(d, _)| *d).unwrap_or_default();
    s.last_payment_failure = match (&basis.payment_failure, s.lifecycle) {
        (Some((reason, _)), Lifecycle::Open | Lifecycle::PartiallyPaid) => Some(
            reason
                .clone()
                .unwrap_or_else(|| "payment failed".to_owned()),
        ),
        _ => None,
    };
    s.anomalies = anomalies;
    s.adjustments = adjustments;
    s.basis = basis;
    s
}

fn from_amounts(s: &InvoiceState, net: Decimal, asserted_paid: bool) -> Lifecycle {
    if s.refunded > Decimal::ZERO && s.paid > Decimal::ZERO && s.refunded >= s.paid {
        Lifecycle::Refunded
    } else if s.refunded > Decimal::ZERO {
        Lifecycle::PartiallyRefunded
    } else if asserted_paid
        || (net > Decimal::ZERO && s.paid >= net)
        || (net <= Decimal::ZERO && s.total > Decimal::ZERO)
    {
        Lifecycle::Paid
    } else if s.paid > Decimal::ZERO {
        Lifecycle::PartiallyPaid
    } else {
        Lifecycle::Open
    }
}
