//! Applying one update: once per id, in sequence order per invoice, in one transaction.

use chrono::{DateTime, Utc};
use invoice_core::PortalUpdate;
use rusqlite::{params, Connection, OptionalExtension};

use super::model::ApplyOutcome;
use super::read::data_err;
use crate::error::DemoPortalError;

pub(super) fn apply_sync(
    c: &mut Connection,
    u: &PortalUpdate,
    now: DateTime<Utc>,
) -> Result<ApplyOutcome, DemoPortalError> {
    let tx = c.transaction()?;
    let seen: bool = tx
        .query_row("SELECT 1 FROM updates WHERE id = ?1", [&u.id], |_| Ok(true))
        .optional()?
        .unwrap_or(false);
    if seen {
        return Ok(ApplyOutcome::Duplicate);
    }
    let current: Option<i64> = tx
        .query_row(
            "SELECT sequence FROM invoices WHERE id = ?1",
            [&u.data.invoice.id],
            |r| r.get(0),
        )
        .optional()?;
    let seq = i64::try_from(u.data.sequence).unwrap_or(i64::MAX);
    let outcome = match current {
        Some(cur) if seq <= cur => ApplyOutcome::Stale {
            current: u64::try_from(cur).unwrap_or(0),
        },
        _ => ApplyOutcome::Applied,
    };
    let data = serde_json::to_string(u).map_err(data_err)?;
    tx.execute(
        "INSERT INTO updates (id, invoice_id, sequence, event_type, time, delivered_at, applied, data)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![
            u.id,
            u.data.invoice.id,
            seq,
            u.event_type,
            u.time.to_rfc3339(),
            now.to_rfc3339(),
            outcome == ApplyOutcome::Applied,
            data
        ],
    )?;
    if outcome == ApplyOutcome::Applied {
        let inv = &u.data.invoice;
        let inv_json = serde_json::to_string(inv).map_err(data_err)?;
        tx.execute(
            "INSERT INTO invoices (id, customer, status, sequence, platform, updated_at, data)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
             ON CONFLICT(id) DO UPDATE SET customer = excluded.customer, status = excluded.status,
               sequence = excluded.sequence, platform = excluded.platform,
               updated_at = excluded.updated_at, data = excluded.data",
            params![
                inv.id,
                inv.customer,
                inv.status,
                seq,
                u.data.event.platform.slug(),
                now.to_rfc3339(),
                inv_json
            ],
        )?;
        tx.execute(
            "INSERT INTO customers (id, name) VALUES (?1, ?2)
             ON CONFLICT(id) DO UPDATE SET name = COALESCE(excluded.name, customers.name)",
            params![inv.customer, inv.customer_name],
        )?;
    }
    tx.commit()?;
    Ok(outcome)
}
