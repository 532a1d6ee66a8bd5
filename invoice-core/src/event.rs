//! Canonical invoice events, as every connector produces them.

use std::collections::BTreeMap;
use std::fmt;

use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::{Currency, InvoiceKey, Lifecycle, Money, Platform};

/// What happened to an invoice, in the design's vocabulary.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    /// Finalized / sent / approved.
    Issued,
    /// A snapshot of the invoice as it now is.
    Updated,
    /// A payment (possibly partial) was received.
    PaymentReceived,
    /// A payment attempt failed.
    PaymentFailed,
    /// The invoice is fully paid.
    Paid,
    /// The invoice is past due (ERP rule or platform event).
    Overdue,
    /// A dispute or chargeback was opened.
    Disputed,
    /// A dispute was closed.
    DisputeResolved,
    /// A credit note or re-issued total changed what is owed.
    Adjusted,
    /// The invoice was voided / cancelled.
    Voided,
    /// Money was refunded.
    Refunded,
    /// The invoice was written off as uncollectible.
    WrittenOff,
}

impl EventKind {
    /// The snake_case name used on the wire (`invoice.<kind>`).
    pub fn as_str(&self) -> &'static str {
        match self {
            EventKind::Issued => "issued",
            EventKind::Updated => "updated",
            EventKind::PaymentReceived => "payment_received",
            EventKind::PaymentFailed => "payment_failed",
            EventKind::Paid => "paid",
            EventKind::Overdue => "overdue",
            EventKind::Disputed => "disputed",
            EventKind::DisputeResolved => "dispute_resolved",
            EventKind::Adjusted => "adjusted",
            EventKind::Voided => "voided",
            EventKind::Refunded => "refunded",
            EventKind::WrittenOff => "written_off",
        }
    }

    /// Every kind.
    pub const ALL: [EventKind; 12] = [
        EventKind::Issued,
        EventKind::Updated,
        EventKind::PaymentReceived,
        EventKind::PaymentFailed,
        EventKind::Paid,
        EventKind::Overdue,
        EventKind::Disputed,
        EventKind::DisputeResolved,
        EventKind::Adjusted,
        EventKind::Voided,
        EventKind::Refunded,
        EventKind::WrittenOff,
    ];
}

impl fmt::Display for EventKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Who the invoice is addressed to.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Customer {
    /// The customer's id on the issuing platform.
    pub platform_id: String,
    /// Display name.
    pub name: Option<String>,
    /// The portal account this customer maps to (defaults to `platform_id`).
    pub portal_account: Option<String>,
}

impl Customer {
    /// The portal account: the mapped one, else the platform id.
    pub fn account(&self) -> &str {
        self.portal_account.as_deref().unwrap_or(&self.platform_id)
    }
}

/// The invoice as the platform reported it at one moment. Amounts in major units of
/// `currency`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvoiceSnapshot {
    /// Human invoice number (`INV-0042`).
    pub number: Option<String>,
    /// Addressee.
    pub customer: Customer,
    /// Currency of every amount.
    pub currency: Currency,
    /// Invoiced total.
    pub total: Decimal,
    /// Paid so far.
    pub paid: Decimal,
    /// Credited by credit notes so far.
    pub credited: Decimal,
    /// Refunded so far.
    pub refunded: Decimal,
    /// Due date, if any.
    #[serde(serialize_with = "crate::serde_time::opt_date")]
    pub due_date: Option<NaiveDate>,
    /// Lifecycle as the platform states it.
    pub lifecycle: Lifecycle,
}

/// How a dispute ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DisputeOutcome {
    /// The merchant kept the money.
    Won,
    /// The money went back to the customer.
    Lost,
}

/// What changed the amount owed after issue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AdjustmentKind {
    /// A credit note reduced what is owed.
    CreditNote,
    /// The invoice was re-issued with another total (amount is the new total).
    Reissue,
}

/// A credit note or re-issued total.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Adjustment {
    /// The platform's id for the adjustment (credit note id).
    pub id: String,
    /// Credit note or re-issue.
    pub kind: AdjustmentKind,
    /// Credit amount, or the new total for a re-issue.
    pub amount: Money,
    /// Why, if the platform says.
    pub reason: Option<String>,
    /// When it happened.
    #[serde(serialize_with = "crate::serde_time::datetime")]
    pub occurred_at: DateTime<Utc>,
}

/// Data that comes with some kinds of event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum EventDetail {
    /// Nothing beyond the kind (and the snapshot, if any).
    #[default]
    None,
    /// A payment of `amount` (for `payment_received`).
    Payment {
        /// The amount received.
        amount: Money,
        /// The platform's payment id, if any.
        payment_id: Option<String>,
    },
    /// Why a payment failed (for `payment_failed`).
    PaymentFailure {
        /// The platform's reason text.
        reason: Option<String>,
    },
    /// How far past due (for `overdue`).
    Overdue {
        /// Days past the due date.
        days_past_due: u32,
        /// The dunning level reached (the rule's threshold in days).
        level: u32,
    },
    /// A dispute (for `disputed`).
    Dispute {
        /// The platform's dispute id.
        dispute_id: String,
        /// Disputed amount.
        amount: Option<Money>,
        /// Reason given.
        reason: Option<String>,
    },
    /// A closed dispute (for `dispute_resolved`).
    DisputeResolution {
        /// The platform's dispute id.
        dispute_id: String,
        /// Won or lost.
        outcome: DisputeOutcome,
    },
    /// A credit note or re-issue (for `adjusted`).
    Adjustment(Adjustment),
    /// A refund (for `refunded`).
    Refund {
        /// The amount refunded.
        amount: Money,
        /// The platform's refund id, if any.
        refund_id: Option<String>,
    },
}

/// Hints that let the [`Correlator`](crate::Correlator) find the invoice a payment settles
/// when the payment comes from another platform than the invoice.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct CorrelationHints {
    /// An invoice number quoted by the payment (PayPal `invoice`, Stripe description).
    pub invoice_number: Option<String>,
    /// Key/value metadata the payment carries (Stripe `metadata`, PayPal `custom`).
    pub metadata: BTreeMap<String, String>,
}

/// One canonical event about one invoice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvoiceEvent {
    /// The invoice it is about (after correlation, the invoice it settles).
    pub key: InvoiceKey,
    /// What happened.
    pub kind: EventKind,
    /// Kind-specific data.
    #[serde(default)]
    pub detail: EventDetail,
    /// The whole invoice as the platform sent it, where it did.
    pub snapshot: Option<InvoiceSnapshot>,
    /// When it happened, by the platform's clock.
    pub occurred_at: DateTime<Utc>,
    /// When we received it.
    pub received_at: DateTime<Utc>,
    /// The platform the event came from (may differ from `key.platform` once correlated).
    pub platform: Platform,
    /// The platform's event id, or a content hash where it has none.
    pub platform_event_id: String,
    /// The platform's record version where it has one (SyncToken, EditSequence,
    /// UpdatedDateUTC in ms, Stripe `created`).
    pub source_version: Option<u64>,
    /// For payments from another platform: how to find the invoice.
    #[serde(default)]
    pub correlation: CorrelationHints,
}

impl InvoiceEvent {
    /// A minimal event; set the other fields with struct update syntax or the `with_*`
    /// helpers.
    ///
    /// ```
    /// use invoice_core::{EventKind, InvoiceEvent, InvoiceKey, Platform};
    /// use chrono::Utc;
    /// let e = InvoiceEvent::new(
    ///     InvoiceKey::new(Platform::Stripe, "acct_1", "in_1"),
    ///     EventKind::Voided,
    ///     Utc::now(),
    ///     "evt_1",
    /// );
    /// assert_eq!(e.platform, Platform::Stripe);
    /// ```
    pub fn new(
        key: InvoiceKey,
        kind: EventKind,
        occurred_at: DateTime<Utc>,
        platform_event_id: impl Into<String>,
    ) -> Self {
        InvoiceEvent {
            platform: key.platform,
            key,
            kind,
            detail: EventDetail::None,
            snapshot: None,
            occurred_at,
            received_at: occurred_at,
            platform_event_id: platform_event_id.into(),
            source_version: None,
            correlation: CorrelationHints::default(),
        }
    }

    /// Sets the snapshot.
    pub fn with_snapshot(mut self, snapshot: InvoiceSnapshot) -> Self {
        self.snapshot = Some(snapshot);
        self
    }

    /// Sets the detail.
    pub fn with_detail(mut self, detail: EventDetail) -> Self {
        self.detail = detail;
        self
    }

    /// Sets the source version.
    pub fn with_version(mut self, version: u64) -> Self {
        self.source_version = Some(version);
        self
    }

    /// The total order in which events take effect, whatever order they arrive in.
    pub fn order(&self) -> crate::EventOrder {
        crate::EventOrder {
            occurred_at: self.occurred_at,
            source_version: self.source_version.unwrap_or(0),
            event_id: self.platform_event_id.clone(),
        }
    }
}
