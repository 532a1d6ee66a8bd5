//! Stripe's wire types, borrowed from the body where possible. Unknown fields are
//! ignored; unknown enum values are kept as text (Stripe adds values without notice).

use std::borrow::Cow;
use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::value::RawValue;

/// The Event envelope (`object: "event"`, snapshot events).
#[derive(Debug, Deserialize)]
pub struct Event<'a> {
    /// `evt_...`: the dedup key.
    #[serde(borrow)]
    pub id: Cow<'a, str>,
    /// `invoice.paid`, ...
    #[serde(rename = "type", borrow)]
    pub event_type: Cow<'a, str>,
    /// Unix seconds.
    pub created: i64,
    /// Connect account the event belongs to.
    #[serde(default, borrow)]
    pub account: Option<Cow<'a, str>>,
    /// The endpoint's pinned API version.
    #[serde(default, borrow)]
    pub api_version: Option<Cow<'a, str>>,
    /// `data.object` and `data.previous_attributes`.
    #[serde(borrow)]
    pub data: EventData<'a>,
}

/// `data`.
#[derive(Debug, Deserialize)]
pub struct EventData<'a> {
    /// The resource, parsed by type later.
    #[serde(borrow)]
    pub object: &'a RawValue,
    /// Prior values of changed keys.
    #[serde(default, borrow)]
    pub previous_attributes: Option<&'a RawValue>,
}

/// An Invoice object (the fields the relay uses).
#[derive(Debug, Deserialize)]
pub struct Invoice<'a> {
    /// `in_...`.
    #[serde(borrow)]
    pub id: Cow<'a, str>,
    /// `INV-0001`; absent on drafts.
    #[serde(default, borrow)]
    pub number: Option<Cow<'a, str>>,
    /// `cus_...`.
    #[serde(default, borrow)]
    pub customer: Option<Cow<'a, str>>,
    /// Customer name at finalization.
    #[serde(default, borrow)]
    pub customer_name: Option<Cow<'a, str>>,
    /// Lowercase ISO code.
    #[serde(borrow)]
    pub currency: Cow<'a, str>,
    /// Minor units.
    pub total: i64,
    /// Minor units.
    #[serde(default)]
    pub amount_paid: i64,
    /// Minor units.
    #[serde(default)]
    pub amount_remaining: i64,
    /// Minor units.
    #[serde(default)]
    pub pre_payment_credit_notes_amount: i64,
    /// Minor units.
    #[serde(default)]
    pub post_payment_credit_notes_amount: i64,
    /// Unix seconds; only for `send_invoice` collection.
    #[serde(default)]
    pub due_date: Option<i64>,
    /// `draft | open | paid | uncollectible | void`.
    #[serde(default, borrow)]
    pub status: Option<Cow<'a, str>>,
    /// Metadata (`portal_account` maps the customer to a portal account).
    #[serde(default, borrow)]
    pub metadata: BTreeMap<Cow<'a, str>, Cow<'a, str>>,
}

/// A Dispute object.
#[derive(Debug, Deserialize)]
pub struct Dispute<'a> {
    /// `dp_...`.
    #[serde(borrow)]
    pub id: Cow<'a, str>,
    /// Minor units.
    pub amount: i64,
    /// Lowercase ISO code.
    #[serde(borrow)]
    pub currency: Cow<'a, str>,
    /// `ch_...` the dispute is on.
    #[serde(default, borrow)]
    pub charge: Option<Cow<'a, str>>,
    /// `pi_...` the dispute is on.
    #[serde(default, borrow)]
    pub payment_intent: Option<Cow<'a, str>>,
    /// `needs_response | under_review | won | lost | warning_closed | ...`.
    #[serde(borrow)]
    pub status: Cow<'a, str>,
    /// `fraudulent | product_not_received | ...`.
    #[serde(default, borrow)]
    pub reason: Option<Cow<'a, str>>,
}

/// A CreditNote object.
#[derive(Debug, Deserialize)]
pub struct CreditNote<'a> {
    /// `cn_...`.
    #[serde(borrow)]
    pub id: Cow<'a, str>,
    /// The invoice credited.
    #[serde(borrow)]
    pub invoice: Cow<'a, str>,
    /// Minor units credited.
    pub amount: i64,
    /// Lowercase ISO code.
    #[serde(borrow)]
    pub currency: Cow<'a, str>,
    /// Part refunded to the customer, minor units.
    #[serde(default)]
    pub refund_amount: i64,
    /// `duplicate | fraudulent | order_change | product_unsatisfactory`.
    #[serde(default, borrow)]
    pub reason: Option<Cow<'a, str>>,
    /// `CN-0001`.
    #[serde(default, borrow)]
    pub number: Option<Cow<'a, str>>,
    /// Unix seconds.
    pub created: i64,
}

/// A Charge object (for `charge.refunded`).
#[derive(Debug, Deserialize)]
pub struct Charge<'a> {
    /// `ch_...`.
    #[serde(borrow)]
    pub id: Cow<'a, str>,
    /// Minor units refunded so far (cumulative).
    pub amount_refunded: i64,
    /// Lowercase ISO code.
    #[serde(borrow)]
    pub currency: Cow<'a, str>,
    /// The invoice this charge paid (API versions before 2025-03-31).
    #[serde(default, borrow)]
    pub invoice: Option<Cow<'a, str>>,
}

/// `previous_attributes` of a `charge.refunded` event.
#[derive(Debug, Default, Deserialize)]
pub struct ChargePrevious {
    /// Refunded before this event, minor units.
    #[serde(default)]
    pub amount_refunded: Option<i64>,
}
