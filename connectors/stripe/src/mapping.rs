//! Stripe event types -> canonical events.
//!
//! | Stripe event | canonical |
//! | --- | --- |
//! | `invoice.created`, `invoice.updated` | `updated` (snapshot) |
//! | `invoice.finalized` | `issued` (snapshot) |
//! | `invoice.payment_succeeded` | `payment_received` (snapshot) |
//! | `invoice.paid` | `paid` (snapshot) |
//! | `invoice.payment_failed` | `payment_failed` (snapshot) |
//! | `invoice.overdue` | `overdue` (snapshot, days past due from `due_date`) |
//! | `invoice.voided` | `voided` (snapshot) |
//! | `invoice.marked_uncollectible` | `written_off` (snapshot) |
//! | `credit_note.created` | `adjusted` (+ `refunded` for its `refund_amount`) |
//! | `charge.refunded` | `refunded` by the increase of `amount_refunded` |
//! | `charge.dispute.created`, `charge.dispute.closed` | thin: the enricher finds the invoice of the charge, then `disputed` / `dispute_resolved` |
//! | anything else | skipped, recorded with the reason |

use chrono::{DateTime, TimeZone, Utc};
use invoice_core::{
    Adjustment, AdjustmentKind, Currency, Customer, EventDetail, EventKind, InvoiceEvent,
    InvoiceKey, InvoiceSnapshot, Lifecycle, Money, Platform, Skipped, SourceError, TenantId,
    ThinReference,
};
use rust_decimal::Decimal;

use crate::fast::{Object, ObjectKind, OnePass};
use crate::payload::{Charge, ChargePrevious, Event, Invoice};

/// What one event maps to.
#[derive(Debug, Default)]
pub struct Mapped {
    /// Canonical events.
    pub events: Vec<InvoiceEvent>,
    /// Thin references (disputes).
    pub pending: Vec<ThinReference>,
    /// Recognised, not applied.
    pub skipped: Vec<Skipped>,
}

fn malformed(e: impl std::fmt::Display) -> SourceError {
    SourceError::malformed(e)
}

fn time(unix: i64) -> Result<DateTime<Utc>, SourceError> {
    Utc.timestamp_opt(unix, 0)
        .single()
        .ok_or_else(|| SourceError::Malformed(format!("timestamp {unix} out of range")))
}

/// Minor units in a Stripe (lowercase) currency -> [`Money`].
pub fn money(minor: i64, currency: &str) -> Result<Money, SourceError> {
    let c = Currency::new(currency).map_err(malformed)?;
    Money::from_minor(minor, c).map_err(malformed)
}

fn amount(minor: i64, currency: Currency) -> Result<Decimal, SourceError> {
    Money::from_minor(minor, currency)
        .map(|m| m.amount())
        .map_err(malformed)
}

/// The canonical snapshot of a Stripe invoice.
pub fn snapshot(inv: &Invoice<'_>) -> Result<InvoiceSnapshot, SourceError> {
    let currency = Currency::new(&inv.currency).map_err(malformed)?;
    let lifecycle = match inv.status.as_deref() {
        Some("draft") | None => Lifecycle::Draft,
        Some("paid") => Lifecycle::Paid,
        Some("void") => Lifecycle::Void,
        Some("uncollectible") => Lifecycle::Uncollectible,
        // `open` and any value Stripe adds later: derive from amounts.
        Some(_) => Lifecycle::Open,
    };
    let credited = inv
        .pre_payment_credit_notes_amount
        .checked_add(inv.post_payment_credit_notes_amount)
        .ok_or_else(|| SourceError::Malformed("credit note amounts overflow".into()))?;
    Ok(InvoiceSnapshot {
        number: inv.number.as_deref().map(str::to_owned),
        customer: Customer {
            platform_id: inv.customer.as_deref().unwrap_or_default().to_owned(),
            name: inv.customer_name.as_deref().map(str::to_owned),
            portal_account: inv.metadata.get("portal_account").map(|v| v.to_string()),
        },
        currency,
        total: amount(inv.total, currency)?,
        paid: amount(inv.amount_paid, currency)?,
        credited: amount(credited, currency)?,
        refunded: Decimal::ZERO,
        due_date: inv.due_date.map(time).transpose()?.map(|t| t.date_naive()),
        lifecycle,
    })
}

/// Maps a verified, parsed event.
pub fn map_event(event: &Event<'_>, tenant: &TenantId, body: &[u8]) -> Result<Mapped, SourceError> {
    let header = Header {
        id: &event.id,
        event_type: &event.event_type,
        created: event.created,
    };
    // Checked before the object is read, as it always was.
    time(event.created)?;
    let raw = event.data.object.get();
    let object = match ObjectKind::of(&event.event_type) {
        ObjectKind::Invoice => Object::Invoice(serde_json::from_str(raw).map_err(malformed)?),
        ObjectKind::CreditNote => Object::CreditNote(serde_json::from_str(raw).map_err(malformed)?),
        ObjectKind::Charge => {
            let charge: Charge<'_> = serde_json::from_str(raw).map_err(malformed)?;
            let previous: ChargePrevious = match event.data.previous_attributes {
                Some(raw) => serde_json::from_str(raw.get()).map_err(malformed)?,
                None => ChargePrevious::default(),
            };
            Object::Charge(charge, previous)
        }
        ObjectKind::Dispute => Object::Dispute(serde_json::from_str(raw).map_err(malformed)?),
        ObjectKind::Other => Object::Other,
    };
    map_object(&header, object, tenant, body)
}

/// Maps an event read in one pass by [`crate::fast::read`]; the same result as
/// [`map_event`] on the same bytes.
pub fn map_one_pass(
    event: OnePass<'_>,
    tenant: &TenantId,
    body: &[u8],
) -> Result<Mapped, SourceError> {
    let header = Header {
        id: &event.id,
        event_type: &event.event_type,
        created: event.created,
    };
    map_object(&header, event.object, tenant, body)
}

/// The envelope fields the mapping reads.
struct Header<'e> {
    id: &'e str,
    event_type: &'e str,
    created: i64,
}

fn map_object(
    event: &Header<'_>,
    object: Object<'_>,
    tenant: &TenantId,
    body: &[u8],
) -> Result<Mapped, SourceError> {
    let occurred_at = time(event.created)?;
    let version = u64::try_from(event.created).unwrap_or(0);
    let new = |invoice_id: &str, kind: EventKind, id: String| {
        let mut e = InvoiceEvent::new(
            InvoiceKey {
                platform: Platform::Stripe,
                tenant: tenant.clone(),
                id: invoice_id.to_owned(),
            },
            kind,
            occurred_at,
            id,
        );
        e.source_version = Some(version);
        e
    };
    let mut out = Mapped::default();
    let ty = event.event_type;
    match object {
        Object::Invoice(inv) => {
            let kind = match ty {
                "invoice.finalized" => EventKind::Issued,
                "invoice.payment_succeeded" => EventKind::PaymentReceived,
                "invoice.paid" => EventKind::Paid,
                "invoice.payment_failed" => EventKind::PaymentFailed,
                "invoice.overdue" => EventKind::Overdue,
                "invoice.voided" => EventKind::Voided,
                "invoice.marked_uncollectible" => EventKind::WrittenOff,
                // `invoice.created`, `invoice.updated`.
                _ => EventKind::Updated,
            };
            let snap = snapshot(&inv)?;
            let detail = match kind {
                EventKind::Overdue => {
                    let days = snap
                        .due_date
                        .map(|d| (occurred_at.date_naive() - d).num_days().max(1))
                        .unwrap_or(1);
                    let days = u32::try_from(days).unwrap_or(u32::MAX);
                    EventDetail::Overdue {
                        days_past_due: days,
                        level: days,
                    }
                }
                EventKind::PaymentFailed => EventDetail::PaymentFailure { reason: None },
                _ => EventDetail::None,
            };
            // Exact capacity: a first push would reserve four 432-byte events, past the
            // allocator's small-size cache.
            out.events.reserve_exact(1);
            out.events.push(
                new(&inv.id, kind, event.id.to_owned())
                    .with_snapshot(snap)
                    .with_detail(detail),
            );
        }
        Object::CreditNote(cn) => {
            let credit = money(cn.amount, &cn.currency)?;
            let adjustment = Adjustment {
                id: cn.id.to_string(),
                kind: AdjustmentKind::CreditNote,
                amount: credit,
                reason: cn.reason.as_deref().map(str::to_owned),
                occurred_at: time(cn.created)?,
            };
            out.events
                .reserve_exact(1 + usize::from(cn.refund_amount > 0));
            out.events.push(
                new(&cn.invoice, EventKind::Adjusted, event.id.to_owned())
                    .with_detail(EventDetail::Adjustment(adjustment)),
            );
            if cn.refund_amount > 0 {
                out.events.push(
                    new(
                        &cn.invoice,
                        EventKind::Refunded,
                        format!("{}#refund", event.id),
                    )
                    .with_detail(EventDetail::Refund {
                        amount: money(cn.refund_amount, &cn.currency)?,
                        refund_id: Some(cn.id.to_string()),
                    }),
                );
            }
        }
        Object::Charge(ch, prev) => {
            let delta = ch.amount_refunded - prev.amount_refunded.unwrap_or(0);
            match ch.invoice.as_deref() {
                Some(invoice) if delta > 0 => out.events.push(
                    new(invoice, EventKind::Refunded, event.id.to_owned()).with_detail(
                        EventDetail::Refund {
                            amount: money(delta, &ch.currency)?,
                            refund_id: Some(ch.id.to_string()),
                        },
                    ),
                ),
                Some(_) => out
                    .skipped
                    .push(skip(event, "refund amount did not increase")),
                None => out.skipped.push(skip(
                    event,
                    "charge names no invoice (API version 2025-03-31 or later)",
                )),
            }
        }
        Object::Dispute(dispute) => {
            out.pending.push(ThinReference {
                platform: Platform::Stripe,
                tenant: tenant.clone(),
                event_id: event.id.to_owned(),
                entity: "dispute".into(),
                entity_id: dispute.id.to_string(),
                operation: ty.to_owned(),
                resource_url: None,
                occurred_at,
                received_at: occurred_at,
                raw: Some(bytes::Bytes::copy_from_slice(body)),
            });
        }
        Object::Other => out.skipped.push(skip(event, "event type not mapped")),
    }
    Ok(out)
}

fn skip(event: &Header<'_>, reason: &str) -> Skipped {
    Skipped {
        event_id: event.id.to_owned(),
        event_type: event.event_type.to_owned(),
        reason: reason.to_owned(),
    }
}
