//! Notifications -> thin references. QuickBooks Online sends ids only, in both formats:
//! each changed Invoice, Payment or CreditMemo becomes one [`ThinReference`] that the
//! [`QboEnricher`](crate::QboEnricher) resolves after the 200 went back. Other entities
//! (Customer, Item, ...) and operations Intuit may add later are [`Skipped`].
//!
//! | legacy `name` / CloudEvents `type` entity | operations kept                              |
//! |-------------------------------------------|----------------------------------------------|
//! | `Invoice` / `qbo.invoice.*`               | Create Update Delete Void Emailed Merge      |
//! | `Payment` / `qbo.payment.*`               | Create Update Delete Void Emailed Merge      |
//! | `CreditMemo` / `qbo.creditmemo.*`         | Create Update Delete Void Emailed Merge      |
//! | anything else                             | skipped ("entity not tracked")               |
//!
//! Event ids: legacy entities have none, so the id is
//! `<realm>:<name>:<id>:<operation>:<lastUpdated>` (unique per entity, operation and
//! change time); CloudEvents carry their own `id`, repeated on redelivery.

use std::borrow::Cow;

use chrono::{DateTime, Utc};
use invoice_core::{Platform, Skipped, TenantId, ThinReference};

use crate::error::QboError;
use crate::payload::{parse_time, CloudEvent, Payload};

/// Entities whose changes can move an invoice.
pub const ENTITIES: [&str; 3] = ["Invoice", "Payment", "CreditMemo"];

/// Operations Intuit documents, legacy spelling.
pub const OPERATIONS: [&str; 6] = ["Create", "Update", "Delete", "Merge", "Void", "Emailed"];

/// What one notification body holds.
#[derive(Debug, Default)]
pub struct Mapped {
    /// The first realm named (the request's tenant).
    pub tenant: Option<TenantId>,
    /// One reference per tracked change.
    pub pending: Vec<ThinReference>,
    /// Changes recognised and not tracked.
    pub skipped: Vec<Skipped>,
}

/// One change in either format, normalised.
struct Change<'a> {
    realm: &'a str,
    entity: Option<&'static str>,
    operation: Option<&'static str>,
    entity_id: &'a str,
    /// `None` when the time is missing or unreadable.
    occurred_at: Option<DateTime<Utc>>,
    event_id: String,
    /// Only read for skips and warnings: borrowed where the payload has it whole.
    event_type: Cow<'a, str>,
}

fn canonical<const N: usize>(list: &[&'static str; N], text: &str) -> Option<&'static str> {
    list.iter().copied().find(|e| e.eq_ignore_ascii_case(text))
}

/// `created` -> `Create`, ...: the CloudEvents past tense in the legacy spelling.
fn operation_from_past(text: &str) -> Option<&'static str> {
    let op = match text.to_ascii_lowercase().as_str() {
        "created" => "Create",
        "updated" => "Update",
        "deleted" => "Delete",
        "merged" => "Merge",
        "voided" => "Void",
        "emailed" => "Emailed",
        _ => return None,
    };
    Some(op)
}

fn cloud_change<'a>(e: &'a CloudEvent<'a>) -> Change<'a> {
    let mut parts = e.event_type.split('.');
    let (prefix, entity, op) = (parts.next(), parts.next(), parts.next());
    let known = prefix == Some("qbo");
    let occurred_at = e.time.as_deref().and_then(parse_time);
    Change {
        realm: &e.intuitaccountid,
        entity: entity
            .filter(|_| known)
            .and_then(|n| canonical(&ENTITIES, n)),
        operation: op.filter(|_| known).and_then(operation_from_past),
        entity_id: &e.intuitentityid,
        occurred_at,
        event_id: e.id.to_string(),
        event_type: Cow::Borrowed(&e.event_type),
    }
}

/// Maps a verified, parsed body. `realms` is the allow-list (empty: any): changes of
/// other companies are skipped, and a body with nothing but such changes is
/// `UnknownRealm`. `now` stands in for a missing or unreadable change time. Changes
/// without realm or id are skipped, not refused: Intuit would redeliver the whole body.
pub fn map(
    payload: &Payload<'_>,
    realms: &[String],
    now: DateTime<Utc>,
) -> Result<Mapped, QboError> {
    let mut changes = Vec::new();
    match payload {
        Payload::Legacy(l) => {
            for n in &l.event_notifications {
                let Some(dce) = &n.data_change_event else {
                    continue;
                };
                for e in &dce.entities {
                    let occurred_at = parse_time(&e.last_updated);
                    changes.push(Change {
                        realm: &n.realm_id,
                        entity: canonical(&ENTITIES, &e.name),
                        operation: canonical(&OPERATIONS, &e.operation),
                        entity_id: &e.id,
                        occurred_at,
                        event_id: format!(
                            "{}:{}:{}:{}:{}",
                            n.realm_id, e.name, e.id, e.operation, e.last_updated
                        ),
                        event_type: Cow::Owned(format!("{}.{}", e.name, e.operation)),
                    });
                }
            }
        }
        Payload::CloudEvents(events) => {
            for e in events {
                changes.push(cloud_change(e));
            }
        }
    }
    let mut out = Mapped::default();
    let mut refused_realm = None;
    for c in changes {
        let skip = |reason: &str| Skipped {
            event_id: c.event_id.clone(),
            event_type: c.event_type.clone().into_owned(),
            reason: reason.to_owned(),
        };
        // Per-change problems skip that change only: Intuit retries a refused delivery
        // as a whole and holds back later ones, so one bad entry must not block the rest.
        if c.realm.is_empty() || c.entity_id.is_empty() || c.event_id.is_empty() {
            out.skipped.push(skip("empty realm or entity id"));
            continue;
        }
        if !realms.is_empty() && !realms.iter().any(|r| r == c.realm) {
            refused_realm.get_or_insert_with(|| c.realm.chars().take(64).collect::<String>());
            out.skipped.push(skip("realm not configured"));
            continue;
        }
        let tenant = TenantId(c.realm.to_owned());
        out.tenant.get_or_insert_with(|| tenant.clone());
        match (c.entity, c.operation) {
            (Some(entity), Some(operation)) => {
                if c.occurred_at.is_none() {
                    tracing::warn!(event_type = %c.event_type, "unreadable change time; using the receipt time");
                }
                out.pending.push(ThinReference {
                    platform: Platform::QuickbooksOnline,
                    tenant,
                    event_id: c.event_id,
                    entity: entity.to_owned(),
                    entity_id: c.entity_id.to_owned(),
                    operation: operation.to_owned(),
                    resource_url: None,
                    occurred_at: c.occurred_at.unwrap_or(now),
                    received_at: now,
                    raw: None,
                })
            }
            (None, _) => out.skipped.push(skip("entity not tracked")),
            (Some(_), None) => out.skipped.push(skip("operation not known")),
        }
    }
    // Nothing at all for a configured company: the delivery is not ours.
    if let (Some(realm), None) = (refused_realm, &out.tenant) {
        return Err(QboError::UnknownRealm(realm));
    }
    Ok(out)
}
