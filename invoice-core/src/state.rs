//! Invoice state: what the portal shows, and the basis it is derived from.

use std::collections::BTreeMap;
use std::fmt;

use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::{Adjustment, Currency, Customer, InvoiceKey, InvoiceSnapshot};

/// Where an invoice is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Lifecycle {
    /// Not yet issued.
    Draft,
    /// Issued, nothing paid.
    Open,
    /// Some paid, some owed.
    PartiallyPaid,
    /// Nothing owed.
    Paid,
    /// Paid, then partly refunded.
    PartiallyRefunded,
    /// Paid, then fully refunded.
    Refunded,
    /// Cancelled.
    Void,
    /// Written off.
    Uncollectible,
}

impl Lifecycle {
    /// The snake_case word.
    pub fn as_str(&self) -> &'static str {
        match self {
            Lifecycle::Draft => "draft",
            Lifecycle::Open => "open",
            Lifecycle::PartiallyPaid => "partially_paid",
            Lifecycle::Paid => "paid",
            Lifecycle::PartiallyRefunded => "partially_refunded",
            Lifecycle::Refunded => "refunded",
            Lifecycle::Void => "void",
            Lifecycle::Uncollectible => "uncollectible",
        }
    }
}

impl fmt::Display for Lifecycle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The dispute condition.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DisputeStatus {
    /// Never disputed.
    #[default]
    None,
    /// A dispute is open.
    Open,
    /// Closed in the merchant's favour.
    ResolvedWon,
    /// Closed in the customer's favour.
    ResolvedLost,
}

impl DisputeStatus {
    /// The snake_case word.
    pub fn as_str(&self) -> &'static str {
        match self {
            DisputeStatus::None => "none",
            DisputeStatus::Open => "open",
            DisputeStatus::ResolvedWon => "resolved_won",
            DisputeStatus::ResolvedLost => "resolved_lost",
        }
    }
}

/// How far past due an invoice is, as last evaluated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct OverdueStatus {
    /// Dunning level reached (the rule threshold in days: 1, 30, 60 ...).
    pub level: u32,
    /// Days past due when that level was reached or last evaluated.
    pub days_past_due: u32,
}

/// The one word the portal shows, precedence first: `disputed`, `overdue`, else the
/// lifecycle word.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PortalStatus {
    /// A dispute is open.
    Disputed,
    /// Past due and still owed.
    Overdue,
    /// See [`Lifecycle::Draft`].
    Draft,
    /// See [`Lifecycle::Open`].
    Open,
    /// See [`Lifecycle::PartiallyPaid`].
    PartiallyPaid,
    /// See [`Lifecycle::Paid`].
    Paid,
    /// See [`Lifecycle::PartiallyRefunded`].
    PartiallyRefunded,
    /// See [`Lifecycle::Refunded`].
    Refunded,
    /// See [`Lifecycle::Void`].
    Void,
    /// See [`Lifecycle::Uncollectible`].
    Uncollectible,
}

impl PortalStatus {
    /// The snake_case word.
    pub fn as_str(&self) -> &'static str {
        match self {
            PortalStatus::Disputed => "disputed",
            PortalStatus::Overdue => "overdue",
            PortalStatus::Draft => "draft",
            PortalStatus::Open => "open",
            PortalStatus::PartiallyPaid => "partially_paid",
            PortalStatus::Paid => "paid",
            PortalStatus::PartiallyRefunded => "partially_refunded",
            PortalStatus::Refunded => "refunded",
            PortalStatus::Void => "void",
            PortalStatus::Uncollectible => "uncollectible",
        }
    }
}

impl fmt::Display for PortalStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The total order events take effect in: platform time, then source version, then event
/// id. Arrival order never matters.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct EventOrder {
    /// Platform clock.
    #[serde(serialize_with = "crate::serde_time::datetime")]
    pub occurred_at: DateTime<Utc>,
    /// Platform record version (0 when none).
    pub source_version: u64,
    /// Tie-breaker.
    pub event_id: String,
}

/// What a delta changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeltaKind {
    /// Adds to `paid`.
    Payment,
    /// Adds to `refunded`.
    Refund,
    /// Adds to `credited`.
    Credit,
}

/// An amount change newer than the last snapshot, kept so a late-arriving older snapshot
/// can be reconciled with it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Delta {
    /// When it takes effect.
    pub order: EventOrder,
    /// What it changes.
    pub kind: DeltaKind,
    /// By how much, in the invoice currency.
    pub amount: Decimal,
    /// Currency of `amount`.
    pub currency: Currency,
}

/// The inputs the visible state is derived from. Each field merges commutatively, so any
/// arrival order of the same events ends in the same basis.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct StateBasis {
    /// The newest snapshot and its order.
    pub snapshot: Option<(InvoiceSnapshot, EventOrder)>,
    /// The newest lifecycle assertion (from a snapshot or a `paid`/`voided`/... event).
    pub lifecycle: Option<(Lifecycle, EventOrder)>,
    /// Amount changes newer than the snapshot, in order.
    pub deltas: Vec<Delta>,
    /// The newest dispute condition.
    pub dispute: Option<(DisputeStatus, EventOrder)>,
    /// Newest payment failure.
    pub payment_failure: Option<(Option<String>, EventOrder)>,
}

/// The state of one invoice: the portal's view plus the basis it is derived from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvoiceState {
    /// Identity.
    pub key: InvoiceKey,
    /// Human invoice number.
    pub number: Option<String>,
    /// Addressee.
    pub customer: Customer,
    /// Currency (unknown until a snapshot or payment names it).
    pub currency: Option<Currency>,
    /// Total invoiced.
    pub total: Decimal,
    /// Credited by credit notes.
    pub credited: Decimal,
    /// Paid so far.
    pub paid: Decimal,
    /// Refunded so far.
    pub refunded: Decimal,
    /// Still owed (never negative).
    pub balance: Decimal,
    /// Due date.
    #[serde(serialize_with = "crate::serde_time::opt_date")]
    pub due_date: Option<NaiveDate>,
    /// Lifecycle.
    pub lifecycle: Lifecycle,
    /// Overdue condition, the highest level reached (shown only while owed).
    pub overdue: Option<OverdueStatus>,
    /// Dispute condition.
    pub dispute: DisputeStatus,
    /// Credit notes and re-issues, by id.
    pub adjustments: BTreeMap<String, Adjustment>,
    /// Accepted transitions so far; the portal `sequence`.
    pub version: u64,
    /// Latest payment failure reason, if the last payment attempt failed.
    pub last_payment_failure: Option<String>,
    /// Payments seen after the invoice was void or refunded, not applied.
    pub anomalies: u32,
    /// The merge inputs.
    pub basis: StateBasis,
}

impl InvoiceState {
    /// A state with nothing known yet.
    pub fn empty(key: InvoiceKey) -> Self {
        InvoiceState {
            customer: Customer::default(),
            key,
            number: None,
            currency: None,
            total: Decimal::ZERO,
            credited: Decimal::ZERO,
            paid: Decimal::ZERO,
            refunded: Decimal::ZERO,
            balance: Decimal::ZERO,
            due_date: None,
            lifecycle: Lifecycle::Draft,
            overdue: None,
            dispute: DisputeStatus::None,
            adjustments: BTreeMap::new(),
            version: 0,
            last_payment_failure: None,
            anomalies: 0,
            basis: StateBasis::default(),
        }
    }

    /// The one word the portal shows.
    ///
    /// ```
    /// use invoice_core::{InvoiceKey, InvoiceState, Lifecycle, OverdueStatus, Platform, PortalStatus};
    /// let mut s = InvoiceState::empty(InvoiceKey::new(Platform::Xero, "t", "i"));
    /// s.lifecycle = Lifecycle::PartiallyPaid;
    /// s.overdue = Some(OverdueStatus { level: 30, days_past_due: 31 });
    /// assert_eq!(s.portal_status(), PortalStatus::Overdue);
    /// s.lifecycle = Lifecycle::Paid;
    /// assert_eq!(s.portal_status(), PortalStatus::Paid);
    /// ```
    pub fn portal_status(&self) -> PortalStatus {
        if self.dispute == DisputeStatus::Open {
            return PortalStatus::Disputed;
        }
        if self.is_overdue() {
            return PortalStatus::Overdue;
        }
        match self.lifecycle {
            Lifecycle::Draft => PortalStatus::Draft,
            Lifecycle::Open => PortalStatus::Open,
            Lifecycle::PartiallyPaid => PortalStatus::PartiallyPaid,
            Lifecycle::Paid => PortalStatus::Paid,
            Lifecycle::PartiallyRefunded => PortalStatus::PartiallyRefunded,
            Lifecycle::Refunded => PortalStatus::Refunded,
            Lifecycle::Void => PortalStatus::Void,
            Lifecycle::Uncollectible => PortalStatus::Uncollectible,
        }
    }

    /// True when an overdue level was reached and money is still owed on an open invoice.
    pub fn is_overdue(&self) -> bool {
        self.overdue.is_some()
            && matches!(self.lifecycle, Lifecycle::Open | Lifecycle::PartiallyPaid)
    }

    /// The visible fields only, for comparing two states regardless of how many
    /// transitions led to them.
    pub fn view_eq(&self, other: &InvoiceState) -> bool {
        let mut a = self.clone();
        let mut b = other.clone();
        a.version = 0;
        b.version = 0;
        a.basis = StateBasis::default();
        b.basis = StateBasis::default();
        a == b
    }
}
