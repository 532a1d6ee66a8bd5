//! Zoho Books invoice `status` -> canonical events (every event carries the snapshot).
//!
//! | `status` | lifecycle | kind | extra |
//! | --- | --- | --- | --- |
//! | `draft`, `pending_approval`, `approved`, `rejected` | draft | `updated` | |
//! | `sent`, `viewed`, `unpaid` | open (partially paid if something is paid) | `issued` | |
//! | `partially_paid` | partially paid | `payment_received` | |
//! | `paid` | paid | `paid` | |
//! | `void` | void | `voided` | |
//! | `overdue` | open / partially paid | `updated` | `overdue` (days past `due_date`) |
//! | anything else | - | skipped, reason recorded | |
//!
//! The event id is `<invoice_id>@<last_modified_time in ms>` and the source version that
//! time, so a redelivery deduplicates and an older state never overwrites a newer one.

use chrono::{DateTime, NaiveDate, Utc};
use invoice_core::{
    Currency, Customer, EventDetail, EventKind, InvoiceEvent, InvoiceKey, InvoiceSnapshot,
    Lifecycle, Platform, Skipped, SourceError, TenantId,
};
use rust_decimal::Decimal;

use crate::payload::Invoice;

/// What one invoice maps to.
#[derive(Debug, Default)]
pub struct Mapped {
    /// Canonical events.
    pub events: Vec<InvoiceEvent>,
    /// Recognised, not applied.
    pub skipped: Vec<Skipped>,
}

/// `2026-01-14T09:12:44+0530` (Zoho's format) or RFC 3339.
pub fn parse_time(t: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_str(t, "%Y-%m-%dT%H:%M:%S%z")
        .or_else(|_| DateTime::parse_from_rfc3339(t))
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

/// Maps a verified invoice for `tenant`.
pub fn map_invoice(
    inv: &Invoice<'_>,
    tenant: &TenantId,
    now: DateTime<Utc>,
) -> Result<Mapped, SourceError> {
    let mut out = Mapped::default();
    if inv.invoice_id.is_empty() || inv.invoice_id.len() > 40 {
        return Err(SourceError::Malformed(
            "invoice_id missing or too long".into(),
        ));
    }
    let modified = inv.last_modified_time.as_deref().and_then(parse_time);
    let occurred_at = modified.unwrap_or(now);
    let id = format!("{}@{}", inv.invoice_id, occurred_at.timestamp_millis());
    let currency = Currency::new(&inv.currency_code).map_err(SourceError::malformed)?;
    let total = inv.total;
    let paid = match (inv.payment_made, inv.balance) {
        (Some(p), _) => p,
        (None, Some(b)) => (total - b).max(Decimal::ZERO),
        (None, None) => Decimal::ZERO,
    };
    let open = if paid > Decimal::ZERO && paid < total {
        Lifecycle::PartiallyPaid
    } else {
        Lifecycle::Open
    };
    let (lifecycle, kind, overdue) = match &*inv.status {
        "draft" | "pending_approval" | "approved" | "rejected" => {
            (Lifecycle::Draft, EventKind::Updated, false)
        }
        "sent" | "viewed" | "unpaid" => (open, EventKind::Issued, false),
        "partially_paid" => (Lifecycle::PartiallyPaid, EventKind::PaymentReceived, false),
        "paid" => (Lifecycle::Paid, EventKind::Paid, false),
        "void" => (Lifecycle::Void, EventKind::Voided, false),
        "overdue" => (open, EventKind::Updated, true),
        other => {
            out.skipped.push(Skipped {
                event_id: id,
                event_type: format!("invoice.{}", other.chars().take(40).collect::<String>()),
                reason: "invoice status not mapped".into(),
            });
            return Ok(out);
        }
    };
    let due_date = inv
        .due_date
        .as_deref()
        .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok());
    let snapshot = InvoiceSnapshot {
        number: inv.invoice_number.as_deref().map(str::to_owned),
        customer: Customer {
            platform_id: inv.customer_id.as_deref().unwrap_or_default().to_owned(),
            name: inv.customer_name.as_deref().map(str::to_owned),
            portal_account: None,
        },
        currency,
        total,
        paid,
        credited: Decimal::ZERO,
        refunded: Decimal::ZERO,
        due_date,
        lifecycle,
    };
    let version = u64::try_from(occurred_at.timestamp_millis()).ok();
    let key = InvoiceKey {
        platform: Platform::ZohoBooks,
        tenant: tenant.clone(),
        id: inv.invoice_id.clone().into_owned(),
    };
    let event = |key: InvoiceKey, kind: EventKind, eid: String| {
        let mut e = InvoiceEvent::new(key, kind, occurred_at, eid);
        e.received_at = now;
        e.source_version = version;
        e
    };
    // Exact capacity: a first push would reserve four 432-byte events, past the
    // allocator's small-size cache.
    out.events.reserve_exact(1 + usize::from(overdue));
    // The key and id move into the first event; an overdue event copies them.
    let second = overdue.then(|| (key.clone(), format!("{id}#overdue")));
    out.events
        .push(event(key, kind, id).with_snapshot(snapshot));
    if let Some((key, overdue_id)) = second {
        let days = due_date
            .map(|d| (occurred_at.date_naive() - d).num_days().max(1))
            .unwrap_or(1);
        let days = u32::try_from(days).unwrap_or(u32::MAX);
        out.events
            .push(
                event(key, EventKind::Overdue, overdue_id).with_detail(EventDetail::Overdue {
                    days_past_due: days,
                    level: days,
                }),
            );
    }
    Ok(out)
}
