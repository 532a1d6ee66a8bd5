//! Events -> thin references. Xero sends ids only: each `INVOICE` (and customer
//! `CREDITNOTE`) event becomes one [`ThinReference`] (with its `resourceUrl`) that the
//! [`XeroEnricher`](crate::XeroEnricher) resolves after the 200 went back.
//!
//! | `eventCategory` | `eventType`        | result                                         |
//! |-----------------|--------------------|------------------------------------------------|
//! | `INVOICE`       | `CREATE`, `UPDATE` | thin reference (`Invoice`, resource id)        |
//! | `CREDITNOTE`    | `CREATE`, `UPDATE` | thin reference (`CreditNote`), unless `data.Type` is `ACCPAYCREDIT` (a supplier credit: skipped) |
//! | `INVOICE`, `CREDITNOTE` | anything else | skipped ("event type not known")           |
//! | `CONTACT`, `SUBSCRIPTION`, ... | any     | skipped ("category not tracked")               |
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
/// (empty: any): events of other tenants are skipped, and a body with nothing but such
/// events is `UnknownTenant`. Per-event problems (no ids) skip that event and an
/// unreadable `eventDateUtc` falls back to `now`: Xero redelivers a refused body whole
/// and disables the webhook after a day of failures.
pub fn map(
    payload: &Payload<'_>,
    tenants: &[String],
    now: DateTime<Utc>,
) -> Result<Mapped, XeroError> {
    let mut out = Mapped::default();
    let mut refused_tenant = None;
    for e in &payload.events {
        // `tenant:resource:type:date`, built without the formatting machinery.
        let parts = [
            &e.tenant_id,
            &e.resource_id,
            &e.event_type,
            &e.event_date_utc,
        ];
        let mut event_id = String::with_capacity(parts.iter().map(|p| p.len() + 1).sum());
        for (i, part) in parts.into_iter().enumerate() {
            if i > 0 {
                event_id.push(':');
            }
            event_id.push_str(part);
        }
        let skip = |reason: &str| Skipped {
            event_id: event_id.clone(),
            event_type: format!("{}.{}", e.event_category, e.event_type),
            reason: reason.to_owned(),
        };
        if e.tenant_id.is_empty() || e.resource_id.is_empty() {
            out.skipped
                .push(skip("event without tenantId or resourceId"));
            continue;
        }
        if !tenants.is_empty() && !tenants.iter().any(|t| t == e.tenant_id.as_ref()) {
            refused_tenant.get_or_insert_with(|| e.tenant_id.chars().take(64).collect::<String>());
            out.skipped.push(skip("tenant not configured"));
            continue;
        }
        let tenant = TenantId(e.tenant_id.to_string());
        out.tenant.get_or_insert_with(|| tenant.clone());
        let entity = if e.event_category.eq_ignore_ascii_case("INVOICE") {
            "Invoice"
        } else if e.event_category.eq_ignore_ascii_case("CREDITNOTE") {
            let supplier = e
                .data
                .as_ref()
                .and_then(|d| d.credit_note_type.as_deref())
                .is_some_and(|t| t.eq_ignore_ascii_case("ACCPAYCREDIT"));
            if supplier {
                out.skipped.push(skip("supplier credit note"));
                continue;
            }
            "CreditNote"
        } else {
            out.skipped.push(skip("category not tracked"));
            continue;
        };
        let Some(op) = EVENT_TYPES
            .iter()
            .find(|t| t.eq_ignore_ascii_case(&e.event_type))
        else {
            out.skipped.push(skip("event type not known"));
            continue;
        };
        let occurred_at = parse_event_date(&e.event_date_utc).unwrap_or_else(|| {
            tracing::warn!(resource_id = %e.resource_id, "unreadable eventDateUtc; using the receipt time");
            now
        });
        out.pending.push(ThinReference {
            platform: Platform::Xero,
            tenant,
            event_id,
            entity: entity.into(),
            entity_id: e.resource_id.to_string(),
            operation: (*op).to_owned(),
            resource_url: Some(e.resource_url.to_string()),
            occurred_at,
            received_at: now,
            raw: None,
        });
    }
    // Nothing at all for a configured tenant: the delivery is not ours.
    if let (Some(tenant), None) = (refused_tenant, &out.tenant) {
        return Err(XeroError::UnknownTenant(tenant));
    }
    Ok(out)
}
