//! Asana events -> thin references, and task fields -> the canonical snapshot.
//!
//! Events:
//!
//! | event | result |
//! | --- | --- |
//! | task `added`, `undeleted`, `changed` (of a watched field, or any if none configured) | one thin reference per task per request |
//! | task `changed` of an unwatched field | skipped |
//! | task `removed`, `deleted` | skipped (no status to relay) |
//! | any other resource type (story, project, ...) | skipped |
//!
//! Snapshot status, from the configured status enum field (option gid or name ->
//! canonical word), else from `completed` when `completed_is_paid`, else from amounts:
//!
//! | word | lifecycle | extra event |
//! | --- | --- | --- |
//! | `draft` | draft | |
//! | `open` | open (partially paid when a paid amount is below the total) | |
//! | `partially_paid` | partially paid | |
//! | `paid` | paid | |
//! | `void` | void | |
//! | `uncollectible` | uncollectible | |
//! | `overdue` | from amounts | `overdue` (days past the due date) |
//! | `disputed` | from amounts | `disputed` |
//! | unmapped / unset | from amounts (paid in full -> paid, some -> partially paid, else open) | |

use std::borrow::Cow;
use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use invoice_core::{Platform, Skipped, SourceError, TenantId, ThinReference};
use serde_json::value::RawValue;
use sha2::{Digest, Sha256};

use crate::payload::Event;

/// What one request maps to.
#[derive(Debug, Default)]
pub struct Mapped {
    /// Thin references, one per task.
    pub pending: Vec<ThinReference>,
    /// Recognised, not applied.
    pub skipped: Vec<Skipped>,
}

/// The tracked events of one task in one request.
struct TaskEvents<'a> {
    /// First-seen order.
    seq: usize,
    /// Raw bytes of each event.
    raw: Vec<&'a [u8]>,
    /// Latest `created_at`.
    latest: Option<DateTime<Utc>>,
    /// Last action.
    action: Cow<'a, str>,
}

fn digest(parts: &[&[u8]]) -> String {
    let mut h = Sha256::new();
    for p in parts {
        h.update(p);
    }
    hex::encode(&h.finalize()[..16])
}

fn instant(v: Option<&str>) -> Option<DateTime<Utc>> {
    v.and_then(|t| DateTime::parse_from_rfc3339(t).ok())
        .map(|t| t.with_timezone(&Utc))
}

/// Maps verified events. Asana events carry no id: a skipped event is named by a hash of
/// its bytes, a reference by a hash of the bytes of every event of its task.
pub fn map_events(
    raw: &[&RawValue],
    tenant: &TenantId,
    watch_fields: &[String],
    now: DateTime<Utc>,
) -> Result<Mapped, SourceError> {
    let mut out = Mapped::default();
    // Task ids and actions borrow from the body until a reference is built.
    let mut tasks: BTreeMap<Cow<'_, str>, TaskEvents<'_>> = BTreeMap::new();
    for r in raw {
        let e: Event<'_> = serde_json::from_str(r.get()).map_err(SourceError::malformed)?;
        let skip = |reason: &str| Skipped {
            event_id: digest(&[r.get().as_bytes()]),
            event_type: e.type_name(),
            reason: reason.to_owned(),
        };
        if e.resource.resource_type.as_deref() != Some("task") {
            out.skipped.push(skip("resource type not tracked"));
            continue;
        }
        match &*e.action {
            "added" | "undeleted" => {}
            "changed" => {
                let field = e.change.as_ref().and_then(|c| c.field.as_deref());
                if !watch_fields.is_empty()
                    && !field.is_some_and(|f| watch_fields.iter().any(|w| w == f))
                {
                    out.skipped.push(skip("changed field not watched"));
                    continue;
                }
            }
            "removed" | "deleted" => {
                out.skipped
                    .push(skip("task removed or deleted; no status to relay"));
                continue;
            }
            _ => {
                out.skipped.push(skip("action not mapped"));
                continue;
            }
        }
        let at = instant(e.created_at.as_deref());
        let seq = tasks.len();
        let entry = tasks
            .entry(e.resource.gid.clone())
            .or_insert_with(|| TaskEvents {
                seq,
                raw: Vec::new(),
                latest: None,
                action: Cow::Borrowed(""),
            });
        entry.raw.push(r.get().as_bytes());
        entry.latest = entry.latest.max(at);
        entry.action = e.action.clone();
    }
    let mut refs: Vec<_> = tasks.into_iter().collect();
    refs.sort_by_key(|(_, t)| t.seq);
    for (gid, t) in refs {
        let (parts, at, action) = (t.raw, t.latest, t.action);
        out.pending.push(ThinReference {
            platform: Platform::Asana,
            tenant: tenant.clone(),
            event_id: format!("task:{gid}#{}", digest(&parts)),
            entity: "task".into(),
            entity_id: gid.into_owned(),
            operation: action.into_owned(),
            resource_url: None,
            occurred_at: at.unwrap_or(now),
            received_at: now,
            raw: None,
        });
    }
    Ok(out)
}
