//! Outbox and pending-reference writes.
//!
//! Claims are one statement: the claimable rows are selected `FOR UPDATE SKIP LOCKED` and
//! leased in the same statement, so two instances claiming at once never get the same
//! row (the second skips the rows the first has locked) and neither waits for the other.
//! A row is claimable only when it is the head of its invoice (its lowest-sequence pending
//! item) and no item of that invoice is under lease; the head moves on only when the
//! leased item is completed, dead-lettered or its lease ends — so an invoice's updates go
//! out in sequence order whichever instance delivers them.

use chrono::{DateTime, Utc};
use deadpool_postgres::{Client, Transaction};
use invoice_core::journal::{
    replay_matches, replay_record, JournalError, OutboxId, OutboxItem, PendingId, PendingItem,
    ReplayFilter,
};

use crate::chain;
use crate::convert::{
    db_err, lease_end, limit, nanos, outbox_item, pending_item, OUTBOX_COLUMNS, PENDING_COLUMNS,
};

fn not_found(id: OutboxId) -> JournalError {
    JournalError::NotFound(format!("outbox item {id}"))
}

/// Leases up to `n` claimable items until `now + lease`, in `next_attempt_at`, id order.
pub(crate) async fn claim(
    client: &Client,
    n: usize,
    now: DateTime<Utc>,
    lease: std::time::Duration,
) -> Result<Vec<OutboxItem>, JournalError> {
    let sql = format!(
        "WITH c AS (
            SELECT o.id FROM outbox o
            WHERE o.status = 0
              AND o.next_attempt_at <= $1
              AND (o.leased_until IS NULL OR o.leased_until <= $1)
              AND o.id = (SELECT h.id FROM outbox h
                          WHERE h.subject = o.subject AND h.status = 0
                          ORDER BY h.sequence, h.id LIMIT 1)
              AND NOT EXISTS (SELECT 1 FROM outbox l
                              WHERE l.subject = o.subject AND l.status = 0
                                AND l.leased_until IS NOT NULL AND l.leased_until > $1)
            ORDER BY o.next_attempt_at, o.id
            LIMIT $2
            FOR UPDATE OF o SKIP LOCKED
         )
         UPDATE outbox SET leased_until = $3 FROM c WHERE outbox.id = c.id
         RETURNING {}",
        OUTBOX_COLUMNS
            .split(", ")
            .map(|c| format!("outbox.{c}"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let stmt = client.prepare_cached(&sql).await.map_err(db_err)?;
    let rows = client
        .query(&stmt, &[&nanos(now), &limit(n), &lease_end(now, lease)])
        .await
        .map_err(db_err)?;
    let mut out = rows
        .iter()
        .map(outbox_item)
        .collect::<Result<Vec<_>, _>>()?;
    out.sort_by_key(|i| (i.next_attempt_at, i.id));
    Ok(out)
}

/// Marks an item delivered (the writer seals its audit record).
pub(crate) async fn complete(tx: &Transaction<'_>, id: OutboxId) -> Result<(), JournalError> {
    let stmt = tx
        .prepare_cached(
            "UPDATE outbox SET status = 1, attempts = attempts + 1, leased_until = NULL
             WHERE id = $1",
        )
        .await
        .map_err(db_err)?;
    if tx.execute(&stmt, &[&id]).await.map_err(db_err)? == 0 {
        return Err(not_found(id));
    }
    Ok(())
}

/// Records a failed attempt, due again at `retry_at`.
pub(crate) async fn fail(
    client: &Client,
    id: OutboxId,
    error: &str,
    retry_at: DateTime<Utc>,
) -> Result<(), JournalError> {
    let stmt = client
        .prepare_cached(
            "UPDATE outbox SET attempts = attempts + 1, last_error = $2, next_attempt_at = $3,
                 leased_until = NULL
             WHERE id = $1",
        )
        .await
        .map_err(db_err)?;
    if client
        .execute(&stmt, &[&id, &error, &nanos(retry_at)])
        .await
        .map_err(db_err)?
        == 0
    {
        return Err(not_found(id));
    }
    Ok(())
}

/// Dead-letters an item (the writer seals its audit record).
pub(crate) async fn dead_letter(
    tx: &Transaction<'_>,
    id: OutboxId,
    error: &str,
) -> Result<(), JournalError> {
    let stmt = tx
        .prepare_cached(
            "UPDATE outbox SET status = 2, attempts = attempts + 1, last_error = $2,
                 leased_until = NULL
             WHERE id = $1",
        )
        .await
        .map_err(db_err)?;
    if tx.execute(&stmt, &[&id, &error]).await.map_err(db_err)? == 0 {
        return Err(not_found(id));
    }
    Ok(())
}

/// Queues matching dead letters again, sealing one `Replayed` entry each.
pub(crate) async fn replay(
    tx: &Transaction<'_>,
    filter: &ReplayFilter,
    now: DateTime<Utc>,
) -> Result<u64, JournalError> {
    let sql =
        format!("SELECT {OUTBOX_COLUMNS} FROM outbox WHERE status = 2 ORDER BY id FOR UPDATE");
    let rows = tx.query(&sql, &[]).await.map_err(db_err)?;
    let mut items = Vec::new();
    for row in &rows {
        let item = outbox_item(row)?;
        if replay_matches(&item, filter) {
            items.push(item);
        }
    }
    if items.is_empty() {
        return Ok(0);
    }
    let ids: Vec<i64> = items.iter().map(|i| i.id).collect();
    tx.execute(
        "UPDATE outbox SET status = 0, attempts = 0, next_attempt_at = $2, leased_until = NULL
         WHERE id = ANY($1)",
        &[&ids, &nanos(now)],
    )
    .await
    .map_err(db_err)?;
    let mut records = Vec::with_capacity(items.len());
    for item in &items {
        let r = replay_record(item, now);
        let j = crate::convert::record_json(&r)?;
        records.push((r, j));
    }
    chain::seal(tx, records).await?;
    Ok(items.len() as u64)
}

/// Leases up to `n` due thin references, in id order.
pub(crate) async fn claim_pending(
    client: &Client,
    n: usize,
    now: DateTime<Utc>,
    lease: std::time::Duration,
) -> Result<Vec<PendingItem>, JournalError> {
    let sql = format!(
        "WITH c AS (
            SELECT id FROM pending
            WHERE due <= $1 AND (leased_until IS NULL OR leased_until <= $1)
            ORDER BY id LIMIT $2
            FOR UPDATE SKIP LOCKED
         )
         UPDATE pending SET leased_until = $3 FROM c WHERE pending.id = c.id
         RETURNING {}",
        PENDING_COLUMNS
            .split(", ")
            .map(|c| format!("pending.{c}"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let stmt = client.prepare_cached(&sql).await.map_err(db_err)?;
    let rows = client
        .query(&stmt, &[&nanos(now), &limit(n), &lease_end(now, lease)])
        .await
        .map_err(db_err)?;
    let mut out = rows
        .iter()
        .map(pending_item)
        .collect::<Result<Vec<_>, _>>()?;
    out.sort_by_key(|p| p.id);
    Ok(out)
}

/// Records a failed fetch, due again at `retry_at`.
pub(crate) async fn fail_pending(
    client: &Client,
    id: PendingId,
    error: &str,
    retry_at: DateTime<Utc>,
) -> Result<(), JournalError> {
    let stmt = client
        .prepare_cached(
            "UPDATE pending SET attempts = attempts + 1, last_error = $2, due = $3,
                 leased_until = NULL
             WHERE id = $1",
        )
        .await
        .map_err(db_err)?;
    if client
        .execute(&stmt, &[&id, &error, &nanos(retry_at)])
        .await
        .map_err(db_err)?
        == 0
    {
        return Err(JournalError::NotFound(format!("pending reference {id}")));
    }
    Ok(())
}
