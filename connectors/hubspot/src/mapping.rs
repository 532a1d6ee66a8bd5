//! HubSpot invoice events -> canonical events and thin references.
//!
//! A webhook event names one property's new value, never the invoice's amounts. So each
//! invoice event becomes a thin reference (the enricher reads the invoice), and an
//! `hs_invoice_status` change is also mapped at once:
//!
//! | event | canonical now | thin reference |
//! | --- | --- | --- |
//! | `propertyChange` `hs_invoice_status` = `open` | `issued` | yes |
//! | `propertyChange` `hs_invoice_status` = `paid` | `paid` | yes |
//! | `propertyChange` `hs_invoice_status` = `voided` | `voided` | yes |
//! | `propertyChange` `hs_invoice_status` = `draft` | (the snapshot says draft) | yes |
//! | `propertyChange` `hs_invoice_status` = anything else | skipped, reason recorded | yes |
//! | `propertyChange` of another property (`hs_balance_due`, ...) | - | yes |
//! | `creation`, `restore` | - | yes |
//! | `deletion`, `merge`, `associationChange`, other | skipped | no |
//! | any event on another object type | skipped | no |
//!
//! Enriched snapshots map `hs_invoice_status` as: `draft` -> draft; `open` -> open, or
//! partially paid when something is paid and a balance remains; `paid` -> paid;
//! `voided` -> void; unknown values derive from the amounts.

use chrono::{DateTime, TimeZone, Utc};
use invoice_core::{
    EventKind, InvoiceEvent, InvoiceKey, Platform, Skipped, SourceError, TenantId, ThinReference,
};

use crate::payload::Event;

/// The status property.
pub const STATUS_PROPERTY: &str = "hs_invoice_status";

/// What one batch maps to.
#[derive(Debug, Default)]
pub struct Mapped {
    /// Canonical events.
    pub events: Vec<InvoiceEvent>,
    /// Thin references.
    pub pending: Vec<ThinReference>,
    /// Recognised, not applied.
    pub skipped: Vec<Skipped>,
}

/// `hs_invoice_status` value -> the event it states, if any.
pub fn status_kind(value: &str) -> Option<EventKind> {
    match value {
        "open" => Some(EventKind::Issued),
        "paid" => Some(EventKind::Paid),
        "voided" => Some(EventKind::Voided),
        _ => None,
    }
}

fn time(ms: i64) -> Result<DateTime<Utc>, SourceError> {
    Utc.timestamp_millis_opt(ms)
        .single()
        .ok_or_else(|| SourceError::Malformed(format!("occurredAt {ms} out of range")))
}

fn skip(e: &Event<'_>, reason: impl Into<String>) -> Skipped {
    Skipped {
        event_id: e.event_id.to_string(),
        event_type: e.subscription_type.as_ref().to_owned(),
        reason: reason.into(),
    }
}

/// Maps a verified batch; `received_at` is the relay's now.
pub fn map_batch(events: &[Event<'_>], received_at: DateTime<Utc>) -> Result<Mapped, SourceError> {
    let mut out = Mapped::default();
    for (at, e) in events.iter().enumerate() {
        if !e.is_invoice() {
            out.skipped.push(skip(e, "not an invoice event"));
            continue;
        }
        let occurred_at = time(e.occurred_at)?;
        let tenant = TenantId(e.portal_id.to_string());
        let op = e.operation();
        let fetch = match op {
            "propertyChange" => {
                if e.property_name.as_deref() == Some(STATUS_PROPERTY) {
                    let value = e.property_value.as_deref().unwrap_or_default();
                    match status_kind(value) {
                        Some(kind) => {
                            let mut ev = InvoiceEvent::new(
                                InvoiceKey {
                                    platform: Platform::Hubspot,
                                    tenant: tenant.clone(),
                                    id: e.object_id.to_string(),
                                },
                                kind,
                                occurred_at,
                                e.event_id.to_string(),
                            );
                            ev.received_at = received_at;
                            ev.source_version = u64::try_from(e.occurred_at).ok();
                            if out.events.is_empty() {
                                // At most one per remaining event; exact, as four 432-byte
                                // events would be past the allocator's small-size cache.
                                out.events.reserve_exact(events.len() - at);
                            }
                            out.events.push(ev);
                        }
                        None if value == "draft" => {}
                        None => out.skipped.push(skip(
                            e,
                            format!(
                                "hs_invoice_status `{}` is not mapped",
                                value.chars().take(40).collect::<String>()
                            ),
                        )),
                    }
                }
                true
            }
            "creation" | "restore" => true,
            "deletion" => {
                out.skipped
                    .push(skip(e, "invoice deleted in HubSpot; no status to relay"));
                false
            }
            _ => {
                out.skipped.push(skip(e, "subscription type not mapped"));
                false
            }
        };
        if fetch {
            out.pending.push(ThinReference {
                platform: Platform::Hubspot,
                tenant,
                event_id: format!("{}:fetch", e.event_id),
                entity: "invoice".into(),
                entity_id: e.object_id.to_string(),
                operation: e.subscription_type.as_ref().to_owned(),
                resource_url: None,
                occurred_at,
                received_at,
                raw: None,
            });
        }
    }
    Ok(out)
}
