//! monday.com events -> canonical events and thin references.
//!
//! Status labels are board-defined text; `statuses` in the configuration maps each label
//! (or `#<index>`) to a canonical word:
//!
//! | word | event now | thin reference (when `api_token` is set) |
//! | --- | --- | --- |
//! | `open` | `issued` | yes |
//! | `paid` | `paid` | yes |
//! | `void` | `voided` | yes |
//! | `uncollectible` | `written_off` | yes |
//! | `disputed` | `disputed` | yes |
//! | `overdue` | - (days past due need the due date: the enricher adds `overdue`) | yes, else skipped |
//! | `draft`, `partially_paid` | - (the enriched snapshot says it) | yes, else skipped |
//! | unmapped label | skipped, reason recorded | no |
//!
//! Other events: a change of a column named in `columns` and `create_pulse` /
//! `create_item` become thin references (skipped without `api_token`); deletions,
//! archivals, untracked columns and other types are skipped.

use chrono::{DateTime, TimeZone, Utc};
use invoice_core::{
    EventDetail, EventKind, InvoiceEvent, InvoiceKey, Platform, Skipped, SourceError, TenantId,
    ThinReference,
};

use crate::config::MondayConfig;
use crate::payload::{label, Event};

/// What one event maps to.
#[derive(Debug, Default)]
pub struct Mapped {
    /// Canonical events.
    pub events: Vec<InvoiceEvent>,
    /// Thin references.
    pub pending: Vec<ThinReference>,
    /// Recognised, not applied.
    pub skipped: Vec<Skipped>,
}

const COLUMN_CHANGES: [&str; 4] = [
    "update_column_value",
    "change_column_value",
    "change_status_column_value",
    "change_specific_column_value",
];

/// When the event happened: `triggerTime`, else `changedAt`, else `now`.
pub fn occurred_at(e: &Event<'_>, now: DateTime<Utc>) -> DateTime<Utc> {
    e.trigger_time
        .as_deref()
        .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
        .map(|t| t.with_timezone(&Utc))
        .or_else(|| {
            e.changed_at
                .filter(|s| s.is_finite() && s.abs() < 1e12)
                .and_then(|s| {
                    Utc.timestamp_millis_opt((s * 1000.0).trunc() as i64)
                        .single()
                })
        })
        .unwrap_or(now)
}

fn is_status_column(e: &Event<'_>, config: &MondayConfig) -> bool {
    match (&e.column_id, config.status_columns.is_empty()) {
        (Some(id), false) => config.status_columns.iter().any(|c| c == id),
        (_, true) => matches!(e.column_type.as_deref(), Some("color" | "status")),
        (None, false) => false,
    }
}

/// Maps a verified event for `tenant`.
pub fn map_event(
    e: &Event<'_>,
    tenant: &TenantId,
    config: &MondayConfig,
    now: DateTime<Utc>,
) -> Result<Mapped, SourceError> {
    let mut out = Mapped::default();
    let at = occurred_at(e, now);
    let event_id = match (&e.trigger_uuid, e.pulse_id) {
        (Some(u), _) => u.as_ref().to_owned(),
        (None, Some(p)) => format!("item:{p}@{}", at.timestamp_millis()),
        (None, None) => {
            return Err(SourceError::Malformed(
                "event has neither triggerUuid nor pulseId".into(),
            ))
        }
    };
    let skip = |reason: String| Skipped {
        event_id: event_id.clone(),
        event_type: e.event_type.as_ref().to_owned(),
        reason,
    };
    let enrich = config.api_token.is_some();
    let ty: &str = &e.event_type;
    let Some(item) = e.pulse_id else {
        out.skipped.push(skip("event names no item".into()));
        return Ok(out);
    };
    let item = item.to_string();
    let mut fetch = false;
    if COLUMN_CHANGES.contains(&ty) && is_status_column(e, config) {
        let l = label(e.value);
        let word = l
            .as_ref()
            .and_then(|l| config.status_word(l.text.as_deref(), l.index));
        let kind = match word {
            Some("open") => Some(EventKind::Issued),
            Some("paid") => Some(EventKind::Paid),
            Some("void") => Some(EventKind::Voided),
            Some("uncollectible") => Some(EventKind::WrittenOff),
            Some("disputed") => Some(EventKind::Disputed),
            _ => None,
        };
        match (word, kind) {
            (None, _) => {
                let text = l.and_then(|l| l.text).unwrap_or_default();
                out.skipped.push(skip(format!(
                    "status label `{}` is not mapped",
                    text.chars().take(40).collect::<String>()
                )));
                return Ok(out);
            }
            (Some(_), Some(kind)) => {
                let detail = match kind {
                    EventKind::Disputed => EventDetail::Dispute {
                        dispute_id: format!("item:{item}"),
                        amount: None,
                        reason: None,
                    },
                    _ => EventDetail::None,
                };
                let mut ev = InvoiceEvent::new(
                    InvoiceKey {
                        platform: Platform::Monday,
                        tenant: tenant.clone(),
                        id: item.clone(),
                    },
                    kind,
                    at,
                    event_id.clone(),
                )
                .with_detail(detail);
                ev.received_at = now;
                ev.source_version = u64::try_from(at.timestamp_millis()).ok();
                out.events.push(ev);
                fetch = enrich;
            }
            (Some(w), None) => {
                if !enrich {
                    out.skipped.push(skip(format!(
                        "status `{w}` needs the item's amounts and no api_token is configured"
                    )));
                    return Ok(out);
                }
                fetch = true;
            }
        }
    } else if COLUMN_CHANGES.contains(&ty)
        && e.column_id
            .as_deref()
            .is_some_and(|c| config.columns.ids().any(|id| id == c))
        || matches!(ty, "create_pulse" | "create_item")
    {
        if !enrich {
            out.skipped.push(skip(
                "needs enrichment and no api_token is configured".into(),
            ));
            return Ok(out);
        }
        fetch = true;
    } else if COLUMN_CHANGES.contains(&ty) {
        out.skipped.push(skip("column not tracked".into()));
    } else {
        out.skipped.push(skip("event type not mapped".into()));
    }
    if fetch {
        out.pending.push(ThinReference {
            platform: Platform::Monday,
            tenant: tenant.clone(),
            event_id: format!("{event_id}:fetch"),
            entity: "item".into(),
            entity_id: item,
            operation: e.event_type.as_ref().to_owned(),
            resource_url: None,
            occurred_at: at,
            received_at: now,
            raw: None,
        });
    }
    Ok(out)
}
