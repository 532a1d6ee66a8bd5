//! PayPal statuses and event types -> canonical events.
//!
//! REST webhooks ([`rest`]):
//!
//! | PayPal event | canonical |
//! | --- | --- |
//! | `INVOICING.INVOICE.CREATED` | `issued` (snapshot); `updated` while the invoice is a draft |
//! | `INVOICING.INVOICE.SCHEDULED`, `INVOICING.INVOICE.UPDATED` | `updated` (snapshot) |
//! | `INVOICING.INVOICE.PAID` | by `invoice.status`: `PAID`/`MARKED_AS_PAID` -> `paid`, `PARTIALLY_PAID` -> `payment_received`, `PAYMENT_PENDING` -> `updated` (snapshot) |
//! | `INVOICING.INVOICE.REFUNDED` | `refunded` (snapshot: full or partial by the amounts) |
//! | `INVOICING.INVOICE.CANCELLED` | `voided` (snapshot) |
//! | `PAYMENT.CAPTURE.COMPLETED` | `payment_received` of the capture amount |
//! | `PAYMENT.CAPTURE.DENIED` | `payment_failed` |
//! | `PAYMENT.CAPTURE.REFUNDED` | `refunded` of the refund amount |
//! | `PAYMENT.CAPTURE.REVERSED` | `disputed` (a chargeback reversed the capture) |
//! | `CUSTOMER.DISPUTE.CREATED`, `CUSTOMER.DISPUTE.UPDATED` | `disputed` |
//! | `CUSTOMER.DISPUTE.RESOLVED` | `dispute_resolved`: won for `RESOLVED_SELLER_FAVOUR`, `CANCELED_BY_BUYER`, `DENIED`, `RESOLVED_WITH_PAYOUT`; lost for `RESOLVED_BUYER_FAVOUR`, `ACCEPTED` |
//! | `PAYMENT.CAPTURE.PENDING`, anything else, an unknown invoice status or outcome | skipped, recorded with the reason |
//!
//! Invoice v2 `status` -> lifecycle: `DRAFT`, `SCHEDULED` -> draft; `SENT`, `UNPAID`,
//! `PAYMENT_PENDING` -> open; `PARTIALLY_PAID` -> partially_paid; `PAID`, `MARKED_AS_PAID`
//! -> paid; `PARTIALLY_REFUNDED` -> partially_refunded; `REFUNDED`, `MARKED_AS_REFUNDED`
//! -> refunded; `CANCELLED` -> void.
//!
//! IPN, after PayPal answered `VERIFIED` ([`ipn`]):
//!
//! | `payment_status` / `txn_type` | canonical |
//! | --- | --- |
//! | `Completed` | `payment_received` of `mc_gross` `mc_currency` |
//! | `Completed` with `mc_gross` <= 0, or `txn_type=adjustment` | nothing (a debit, not money received) |
//! | `Pending`, `Created`, `Processed`, `In-Progress` | nothing (no state change) |
//! | `Denied`, `Failed`, `Expired`, `Voided`, `Declined` | `payment_failed` (reason `reason_code` / `pending_reason`) |
//! | `Refunded` | `refunded` of `abs(mc_gross)` |
//! | `Reversed` | `disputed` (chargeback or reversal; amount `abs(mc_gross)`) |
//! | `Canceled_Reversal` | `dispute_resolved`, won |
//! | `txn_type=new_case` | `disputed` (`case_id`, `case_type`) |
//! | any other value | nothing, logged |
//!
//! Which invoice an IPN is about: `invoice_id` for `txn_type=invoice_payment` (the
//! `INV2-...` id, the same key REST events use), else `invoice` (the merchant's invoice
//! number), else `parent_txn_id` (refunds and reversals of an invoice-less payment), else
//! `txn_id`. `correlation.invoice_number` is `invoice_number` or `invoice`, so the relay's
//! Correlator can settle an invoice issued on another platform.

pub mod ipn;
pub mod rest;

use std::str::FromStr;

use chrono::{DateTime, NaiveDate, Utc};
use invoice_core::{Currency, InvoiceEvent, Money, Skipped, ThinReference};
use rust_decimal::Decimal;

use crate::payload::Amount;

/// What one message maps to.
#[derive(Debug, Default)]
pub struct Mapped {
    /// Canonical events.
    pub events: Vec<InvoiceEvent>,
    /// Thin references (IPN messages awaiting postback).
    pub pending: Vec<ThinReference>,
    /// Recognised, not applied.
    pub skipped: Vec<Skipped>,
}

/// A decimal string in a currency -> [`Money`].
pub fn money(value: &str, currency: &str) -> Result<Money, String> {
    let c = Currency::new(currency.trim()).map_err(|e| e.to_string())?;
    let amount =
        Decimal::from_str(value.trim()).map_err(|e| format!("amount `{}`: {e}", short(value)))?;
    Ok(Money::new(amount, c))
}

/// A wire amount -> [`Money`].
pub fn amount(a: &Amount) -> Result<Money, String> {
    money(&a.value, &a.currency_code)
}

/// RFC 3339 -> UTC.
pub fn rfc3339(raw: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(raw.trim())
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

/// `YYYY-MM-DD` -> date.
pub fn date(raw: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(raw.trim(), "%Y-%m-%d").ok()
}

/// A time as a source version: milliseconds since the epoch (0 before it).
pub fn version_of(t: DateTime<Utc>) -> u64 {
    u64::try_from(t.timestamp_millis()).unwrap_or(0)
}

/// At most 40 characters of a value, for error messages.
pub fn short(v: &str) -> String {
    v.chars().take(40).collect()
}
