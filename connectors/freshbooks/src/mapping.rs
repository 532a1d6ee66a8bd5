//! FreshBooks callbacks -> thin references.
//!
//! | callback `name` | result |
//! | --- | --- |
//! | `invoice.create`, `invoice.update`, `invoice.sendByEmail`, any other `invoice.*` | thin reference to the invoice |
//! | `invoice.delete` | `voided` at once (the record is gone) |
//! | `payment.create`, `payment.update` | thin reference to the payment (the enricher reads its invoice) |
//! | `payment.delete` | skipped (a deleted payment cannot be read; the next invoice event re-reads the totals) |
//! | anything else | skipped |
//!
//! FreshBooks callbacks carry no event id and no time: the id is
//! `<name>:<object_id>@<received ms>`, so a retry is a new reference (harmless: the
//! enriched snapshot's own id, `invoice:<id>@<updated>`, deduplicates the result).
//!
//! Enriched snapshots (`v3_status`, amounts from `amount` / `paid` / `outstanding`):
//!
//! | `v3_status` | lifecycle | extra event |
//! | --- | --- | --- |
//! | `draft`, `created` | draft | |
//! | `paid`, `autopaid`, `success` | paid | |
//! | `partial`, `deposit-partial` | partially paid | |
//! | `sent`, `viewed`, `pending`, `resolved`, `deposit-paid`, others | from amounts | |
//! | `overdue` | from amounts | `overdue` (days past `due_date`) |
//! | `disputed` | from amounts | `disputed` |
//! | `failed`, `retry`, `declined` | from amounts | `payment_failed` |
//! | `vis_state` 1 (deleted) | void (`voided`) | |

use chrono::{DateTime, Utc};
use invoice_core::{
    EventKind, InvoiceEvent, InvoiceKey, Platform, Skipped, SourceError, TenantId, ThinReference,
};

use crate::payload::Callback;

/// What one callback maps to.
#[derive(Debug, Default)]
pub struct Mapped {
    /// Canonical events.
    pub events: Vec<InvoiceEvent>,
    /// Thin references.
    pub pending: Vec<ThinReference>,
    /// Recognised, not applied.
    pub skipped: Vec<Skipped>,
}

/// FreshBooks ids are short alphanumerics.
pub fn valid_id(id: &str) -> bool {
    !id.is_empty() && id.len() <= 32 && id.bytes().all(|b| b.is_ascii_alphanumeric())
}

/// Maps a verified callback for `tenant`.
pub fn map_callback(
    cb: &Callback<'_>,
    tenant: &TenantId,
    now: DateTime<Utc>,
) -> Result<Mapped, SourceError> {
    let mut out = Mapped::default();
    let name = cb
        .name
        .as_deref()
        .ok_or_else(|| SourceError::Malformed("callback without name".into()))?;
    let object = cb
        .object_id
        .as_deref()
        .filter(|id| valid_id(id))
        .ok_or_else(|| SourceError::Malformed("callback without a valid object_id".into()))?;
    let event_id = format!("{name}:{object}@{}", now.timestamp_millis());
    let reference = |entity: &str| ThinReference {
        platform: Platform::Freshbooks,
        tenant: tenant.clone(),
        event_id: event_id.clone(),
        entity: entity.into(),
        entity_id: object.to_owned(),
        operation: name.to_owned(),
        resource_url: None,
        occurred_at: now,
        received_at: now,
        raw: None,
    };
    let skip = |reason: &str| Skipped {
        event_id: event_id.clone(),
        event_type: name.to_owned(),
        reason: reason.to_owned(),
    };
    match name.split_once('.') {
        Some(("invoice", "delete")) => {
            let e = InvoiceEvent::new(
                InvoiceKey {
                    platform: Platform::Freshbooks,
                    tenant: tenant.clone(),
                    id: object.to_owned(),
                },
                EventKind::Voided,
                now,
                event_id.clone(),
            );
            out.events.push(e);
        }
        Some(("invoice", _)) => out.pending.push(reference("invoice")),
        Some(("payment", "delete")) => out.skipped.push(skip(
            "deleted payment cannot be read; invoice totals follow on its next event",
        )),
        Some(("payment", _)) => out.pending.push(reference("payment")),
        _ => out.skipped.push(skip("callback type not mapped")),
    }
    Ok(out)
}
