//! Events -> thin references. Xero sends ids only: each `INVOICE` event becomes one
//! [`ThinReference`] (with its `resourceUrl`) that the [`XeroEnricher`](crate::XeroEnricher)
//! resolves after the 200 went back.
//!
//! | `eventCategory` | `eventType`      | result                                  |
//! |-----------------|------------------|-----------------------------------------|
//! | `INVOICE`       | `CREATE`, `UPDATE` | thin reference (`Invoice`, resource id) |
//! | `INVOICE`       | anything else    | skipped ("event type not known")        |
//! | `CONTACT`, `CREDITNOTE`, `SUBSCRIPTION`, ... | any | skipped ("category not tracked") |
//!
//! Event ids: `<tenantId>:<resourceId>:<eventType>:<eventDateUtc>`; Xero may deliver an
//! event twice, and the journal drops the second.

use chrono::{DateTime, Utc};
use invoice_core::{Platform, Skipped, TenantId, ThinReference};

use crate::error::XeroError;
use crate::payload::{parse_event_date, Payload};

/// Event types Xero documents.
pub const EVENT_TYPES: [&str; 2] = ["CREATE", "UPDATE"];

/// What one body holds.
#[derive(Debug, Default)]
pub struct Mapped {
    /// The first tenant named (the request's tenant).
    pub tenant: Option<TenantId>,
    /// One reference per invoice event.
    pub pending: Vec<ThinReference>,
    /// Events recognised and not tracked.
    pub skipped: Vec<Skipped>,
}

/// Maps a verified, parsed body with at least one event. `tenants` is the allow-list
/// (empty: any).
pub fn map(
    payload: &Payload<'_>,
    tenants: &[String],
    now: DateTime<Utc>,
) -> Result<Mapped, XeroError> {
    let mut out = Mapped::default();
    for e in &payload.events {
        if e.tenant_id.is_empty() || e.resource_id.is_empty() {
            return Err(XeroError::Body(
                "event without tenantId or resourceId".into(),
            ));
        }
        if !tenants.is_empty() && !tenants.iter().any(|t| t == e.tenant_id.as_ref()) {
            return Err(XeroError::UnknownTenant(
                e.tenant_id.chars().take(64).collect(),
            ));
        }
        let occurred_at = parse_event_date(&e.event_date_utc).ok_or_else(|| {
            XeroError::Body(format!("event {}: unreadable eventDateUtc", e.resource_id))
        })?;
        let tenant = TenantId(e.tenant_id.to_string());
        out.tenant.get_or_insert_with(|| tenant.clone());
        let event_id = format!(
            "{}:{}:{}:{}",
            e.tenant_id, e.resource_id, e.event_type, e.event_date_utc
        );
        let event_type = format!("{}.{}", e.event_category, e.event_type);
        if !e.event_category.eq_ignore_ascii_case("INVOICE") {
            out.skipped.push(Skipped {
                event_id,
                event_type,
                reason: "category not tracked".into(),
            });
            continue;
        }
        let Some(op) = EVENT_TYPES
            .iter()
            .find(|t| t.eq_ignore_ascii_case(&e.event_type))
        else {
            out.skipped.push(Skipped {
                event_id,
                event_type,
                reason: "event type not known".into(),
            });
            continue;
        };
        out.pending.push(ThinReference {
            platform: Platform::Xero,
            tenant,
            event_id,
            entity: "Invoice".into(),
            entity_id: e.resource_id.to_string(),
            operation: (*op).to_owned(),
            resource_url: Some(e.resource_url.to_string()),
            occurred_at,
            received_at: now,
            raw: None,
        });
    }
    Ok(out)
}
