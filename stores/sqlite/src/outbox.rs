//! Outbox and pending-reference writes, run on the writer thread.

use chrono::{DateTime, Utc};
use invoice_core::audit::AuditRecord;
use invoice_core::journal::{
    replay_matches, replay_record, JournalError, OutboxId, OutboxItem, PendingId, PendingItem,
    ReplayFilter,
};
use rusqlite::{params, Connection};

use crate::convert::{
    db_err, lease_end, nanos, outbox_item, pending_item, OUTBOX_COLUMNS, PENDING_COLUMNS,
};
use crate::writer::WriteCtx;

/// Due heads of invoices with no item under lease, `next_attempt_at` then id order. The
/// lease check reads the subject's unsent rows (one or two) through `outbox_head`; left to
/// itself the planner would pick `outbox_due` and walk every unsent row of the outbox.
const CLAIMABLE: &str = "
    SELECT o.id FROM outbox o
    WHERE o.status = 0
      AND o.next_attempt_at <= ?1
      AND (o.leased_until IS NULL OR o.leased_until <= ?1)
      AND o.id = (SELECT h.id FROM outbox h
                  WHERE h.subject = o.subject AND h.status = 0
                  ORDER BY h.sequence, h.id LIMIT 1)
      AND NOT EXISTS (SELECT 1 FROM outbox l INDEXED BY outbox_head
                      WHERE l.subject = o.subject AND l.status = 0 AND l.leased_until > ?1)
    ORDER BY o.next_attempt_at, o.id
    LIMIT ?2";

fn limit(n: usize) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

fn load_outbox(conn: &Connection, id: OutboxId) -> Result<OutboxItem, JournalError> {
    let sql = format!("SELECT {OUTBOX_COLUMNS} FROM outbox WHERE id = ?1");
    let mut stmt = conn.prepare_cached(&sql).map_err(db_err)?;
    let mut rows = stmt.query(params![id]).map_err(db_err)?;
    match rows.next().map_err(db_err)? {
        Some(row) => outbox_item(row),
        None => Err(not_found(id)),
    }
}

fn not_found(id: OutboxId) -> JournalError {
    JournalError::NotFound(format!("outbox item {id}"))
}

/// Leases up to `n` claimable items until `now + lease`.
pub(crate) fn claim(
    cx: &mut WriteCtx<'_, '_>,
    n: usize,
    now: DateTime<Utc>,
    lease: std::time::Duration,
) -> Result<Vec<OutboxItem>, JournalError> {
    let conn = cx.conn;
    let ids: Vec<OutboxId> = {
        let mut stmt = conn.prepare_cached(CLAIMABLE).map_err(db_err)?;
        let rows = stmt
            .query_map(params![nanos(now), limit(n)], |r| r.get(0))
            .map_err(db_err)?;
        rows.collect::<Result<_, _>>().map_err(db_err)?
    };
    let until = lease_end(now, lease);
    let mut out = Vec::with_capacity(ids.len());
    for id in ids {
        conn.prepare_cached("UPDATE outbox SET leased_until = ?2 WHERE id = ?1")
            .and_then(|mut s| s.execute(params![id, until]))
            .map_err(db_err)?;
        out.push(load_outbox(conn, id)?);
    }
    Ok(out)
}

/// Marks an item delivered and seals `audit`.
pub(crate) fn complete(
    cx: &mut WriteCtx<'_, '_>,
    id: OutboxId,
    audit: AuditRecord,
) -> Result<(), JournalError> {
    let n = cx
        .conn
        .prepare_cached(
            "UPDATE outbox SET status = 1, attempts = attempts + 1, leased_until = NULL
             WHERE id = ?1",
        )
        .and_then(|mut s| s.execute(params![id]))
        .map_err(db_err)?;
    if n == 0 {
        return Err(not_found(id));
    }
    cx.seal_record(audit)?;
    Ok(())
}

/// Records a failed attempt, due again at `retry_at`.
pub(crate) fn fail(
    cx: &mut WriteCtx<'_, '_>,
    id: OutboxId,
    error: &str,
    retry_at: DateTime<Utc>,
) -> Result<(), JournalError> {
    let n = cx
        .conn
        .prepare_cached(
            "UPDATE outbox SET attempts = attempts + 1, last_error = ?2, next_attempt_at = ?3,
                 leased_until = NULL
             WHERE id = ?1",
        )
        .and_then(|mut s| s.execute(params![id, error, nanos(retry_at)]))
        .map_err(db_err)?;
    if n == 0 {
        return Err(not_found(id));
    }
    Ok(())
}

/// Dead-letters an item and seals `audit`.
pub(crate) fn dead_letter(
    cx: &mut WriteCtx<'_, '_>,
    id: OutboxId,
    error: &str,
    audit: AuditRecord,
) -> Result<(), JournalError> {
    let n = cx
        .conn
        .prepare_cached(
            "UPDATE outbox SET status = 2, attempts = attempts + 1, last_error = ?2,
                 leased_until = NULL
             WHERE id = ?1",
        )
        .and_then(|mut s| s.execute(params![id, error]))
        .map_err(db_err)?;
    if n == 0 {
        return Err(not_found(id));
    }
    cx.seal_record(audit)?;
    Ok(())
}

/// Queues matching dead letters again, sealing one `Replayed` entry each.
pub(crate) fn replay(
    cx: &mut WriteCtx<'_, '_>,
    filter: &ReplayFilter,
    now: DateTime<Utc>,
) -> Result<u64, JournalError> {
    let conn = cx.conn;
    let items: Vec<OutboxItem> = {
        let sql = format!("SELECT {OUTBOX_COLUMNS} FROM outbox WHERE status = 2 ORDER BY id");
        let mut stmt = conn.prepare_cached(&sql).map_err(db_err)?;
        let mut rows = stmt.query([]).map_err(db_err)?;
        let mut v = Vec::new();
        while let Some(row) = rows.next().map_err(db_err)? {
            let item = outbox_item(row)?;
            if replay_matches(&item, filter) {
                v.push(item);
            }
        }
        v
    };
    for item in &items {
        conn.prepare_cached(
            "UPDATE outbox SET status = 0, attempts = 0, next_attempt_at = ?2,
                 leased_until = NULL
             WHERE id = ?1",
        )
        .and_then(|mut s| s.execute(params![item.id, nanos(now)]))
        .map_err(db_err)?;
        cx.seal_record(replay_record(item, now))?;
    }
    Ok(items.len() as u64)
}

/// Leases up to `n` due thin references, in id order.
pub(crate) fn claim_pending(
    cx: &mut WriteCtx<'_, '_>,
    n: usize,
    now: DateTime<Utc>,
    lease: std::time::Duration,
) -> Result<Vec<PendingItem>, JournalError> {
    let conn = cx.conn;
    let ids: Vec<PendingId> = {
        let mut stmt = conn
            .prepare_cached(
                "SELECT id FROM pending
                 WHERE due <= ?1 AND (leased_until IS NULL OR leased_until <= ?1)
                 ORDER BY id LIMIT ?2",
            )
            .map_err(db_err)?;
        let rows = stmt
            .query_map(params![nanos(now), limit(n)], |r| r.get(0))
            .map_err(db_err)?;
        rows.collect::<Result<_, _>>().map_err(db_err)?
    };
    let until = lease_end(now, lease);
    let sql = format!("SELECT {PENDING_COLUMNS} FROM pending WHERE id = ?1");
    let mut out = Vec::with_capacity(ids.len());
    for id in ids {
        conn.prepare_cached("UPDATE pending SET leased_until = ?2 WHERE id = ?1")
            .and_then(|mut s| s.execute(params![id, until]))
            .map_err(db_err)?;
        let mut stmt = conn.prepare_cached(&sql).map_err(db_err)?;
        let mut rows = stmt.query(params![id]).map_err(db_err)?;
        if let Some(row) = rows.next().map_err(db_err)? {
            out.push(pending_item(row)?);
        }
    }
    Ok(out)
}

/// Records a failed fetch, due again at `retry_at`.
pub(crate) fn fail_pending(
    cx: &mut WriteCtx<'_, '_>,
    id: PendingId,
    error: &str,
    retry_at: DateTime<Utc>,
) -> Result<(), JournalError> {
    let n = cx
        .conn
        .prepare_cached(
            "UPDATE pending SET attempts = attempts + 1, last_error = ?2, due = ?3,
                 leased_until = NULL
             WHERE id = ?1",
        )
        .and_then(|mut s| s.execute(params![id, error, nanos(retry_at)]))
        .map_err(db_err)?;
    if n == 0 {
        return Err(JournalError::NotFound(format!("pending reference {id}")));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    /// Every table access of the claim query goes through an index: its lease check reads
    /// the subject's unsent rows through `outbox_head` (schema 2 dropped the index made
    /// for it), never the whole outbox.
    #[test]
    fn claim_reads_the_outbox_through_its_indexes() {
        let mut conn = Connection::open_in_memory().unwrap();
        crate::schema::migrate(&mut conn).unwrap();
        let mut stmt = conn
            .prepare(&format!("EXPLAIN QUERY PLAN {CLAIMABLE}"))
            .unwrap();
        let plan: Vec<String> = stmt
            .query_map(params![0_i64, 10_i64], |r| r.get(3))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        let accesses: Vec<&String> = plan
            .iter()
            .filter(|l| l.starts_with("SCAN") || l.starts_with("SEARCH"))
            .collect();
        assert_eq!(accesses.len(), 3, "{plan:#?}");
        for line in accesses {
            assert!(
                line.contains("USING"),
                "a table scan in the claim query: {plan:#?}"
            );
        }
        assert!(
            plan.iter()
                .any(|l| l.starts_with("SEARCH l USING INDEX outbox_head")),
            "{plan:#?}"
        );
    }
}
