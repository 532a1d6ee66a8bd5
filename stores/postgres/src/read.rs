//! Read queries (each on a pooled connection, outside any explicit transaction: every
//! statement sees the last committed state).

use futures::{pin_mut, TryStreamExt};
use invoice_core::audit::{AuditEntry, ChainReport, ChainVerifier};
use invoice_core::journal::{
    AuditFilter, JournalError, OutboxCounts, OutboxItem, OutboxStatus, StateFilter, StoredState,
};
use invoice_core::{DedupKey, InvoiceKey, InvoiceState, Platform, TenantId};
use tokio_postgres::types::ToSql;
use tokio_postgres::GenericClient;

use crate::convert::{
    audit_entry, corrupt, db_err, limit, nanos, outbox_item, platform_ord, status_code, to_i64,
    to_u64, AUDIT_COLUMNS, OUTBOX_COLUMNS,
};

type Param = Box<dyn ToSql + Sync + Send>;

fn refs(args: &[Param]) -> impl ExactSizeIterator<Item = &(dyn ToSql + Sync)> {
    args.iter().map(|b| b.as_ref() as &(dyn ToSql + Sync))
}

pub(crate) async fn is_duplicate(
    c: &deadpool_postgres::Client,
    key: &DedupKey,
) -> Result<bool, JournalError> {
    let stmt = c
        .prepare_cached(
            "SELECT EXISTS (SELECT 1 FROM dedup
                            WHERE platform = $1 AND tenant = $2 AND event_id = $3)",
        )
        .await
        .map_err(db_err)?;
    let row = c
        .query_one(&stmt, &[&key.platform.slug(), &key.tenant.0, &key.event_id])
        .await
        .map_err(db_err)?;
    row.try_get(0).map_err(db_err)
}

pub(crate) async fn load(
    c: &deadpool_postgres::Client,
    key: &InvoiceKey,
) -> Result<Option<StoredState>, JournalError> {
    let stmt = c
        .prepare_cached(
            "SELECT revision, state FROM states
             WHERE platform_ord = $1 AND tenant = $2 AND invoice_id = $3",
        )
        .await
        .map_err(db_err)?;
    let row = c
        .query_opt(
            &stmt,
            &[&platform_ord(key.platform), &key.tenant.0, &key.id],
        )
        .await
        .map_err(db_err)?;
    row.map(|row| {
        let revision: i64 = row.try_get(0).map_err(db_err)?;
        let json: &str = row.try_get(1).map_err(db_err)?;
        Ok(StoredState {
            state: serde_json::from_str(json).map_err(|e| corrupt("state", e))?,
            revision: to_u64(revision),
        })
    })
    .transpose()
}

pub(crate) async fn find_by_number(
    c: &deadpool_postgres::Client,
    platform: Platform,
    tenant: &TenantId,
    number: &str,
) -> Result<Option<InvoiceKey>, JournalError> {
    let stmt = c
        .prepare_cached(
            "SELECT invoice_id FROM states
             WHERE platform_ord = $1 AND tenant = $2 AND number = $3
             ORDER BY invoice_id LIMIT 1",
        )
        .await
        .map_err(db_err)?;
    let row = c
        .query_opt(&stmt, &[&platform_ord(platform), &tenant.0, &number])
        .await
        .map_err(db_err)?;
    row.map(|r| {
        Ok(InvoiceKey {
            platform,
            tenant: tenant.clone(),
            id: r.try_get(0).map_err(db_err)?,
        })
    })
    .transpose()
}

pub(crate) async fn list_states(
    c: &deadpool_postgres::Client,
    filter: &StateFilter,
    after: Option<&InvoiceKey>,
    n: usize,
) -> Result<Vec<InvoiceState>, JournalError> {
    let mut sql = String::from("SELECT state FROM states WHERE TRUE");
    let mut args: Vec<Param> = Vec::new();
    if let Some(cust) = &filter.customer {
        args.push(Box::new(cust.clone()));
        sql.push_str(&format!(" AND customer = ${}", args.len()));
    }
    if filter.owed_only {
        sql.push_str(" AND owed");
    }
    if let Some(k) = after {
        args.push(Box::new(platform_ord(k.platform)));
        args.push(Box::new(k.tenant.0.clone()));
        args.push(Box::new(k.id.clone()));
        let i = args.len();
        sql.push_str(&format!(
            " AND (platform_ord, tenant, invoice_id) > (${}, ${}, ${i})",
            i - 2,
            i - 1
        ));
    }
    args.push(Box::new(limit(n)));
    sql.push_str(&format!(
        " ORDER BY platform_ord, tenant, invoice_id LIMIT ${}",
        args.len()
    ));
    let stmt = c.prepare_cached(&sql).await.map_err(db_err)?;
    let rows = c.query_raw(&stmt, refs(&args)).await.map_err(db_err)?;
    pin_mut!(rows);
    let mut out = Vec::new();
    while let Some(row) = rows.try_next().await.map_err(db_err)? {
        let json: &str = row.try_get(0).map_err(db_err)?;
        out.push(serde_json::from_str(json).map_err(|e| corrupt("state", e))?);
    }
    Ok(out)
}

pub(crate) async fn outbox(
    c: &deadpool_postgres::Client,
    status: OutboxStatus,
    n: usize,
) -> Result<Vec<OutboxItem>, JournalError> {
    let sql = format!("SELECT {OUTBOX_COLUMNS} FROM outbox WHERE status = $1 ORDER BY id LIMIT $2");
    let stmt = c.prepare_cached(&sql).await.map_err(db_err)?;
    let rows = c
        .query(&stmt, &[&status_code(status), &limit(n)])
        .await
        .map_err(db_err)?;
    rows.iter().map(outbox_item).collect()
}

pub(crate) async fn outbox_counts(
    c: &deadpool_postgres::Client,
) -> Result<OutboxCounts, JournalError> {
    let rows = c
        .query("SELECT status, COUNT(*) FROM outbox GROUP BY status", &[])
        .await
        .map_err(db_err)?;
    let mut counts = OutboxCounts::default();
    for row in rows {
        let status: i16 = row.try_get(0).map_err(db_err)?;
        let n = to_u64(row.try_get(1).map_err(db_err)?);
        match status {
            0 => counts.pending = n,
            1 => counts.delivered = n,
            2 => counts.dead_letter = n,
            other => return Err(JournalError::Corrupt(format!("outbox status {other}"))),
        }
    }
    Ok(counts)
}

/// Calls `each` for every audit entry matching `filter`, in sequence order, streaming
/// (the rows are not all held in memory).
pub(crate) async fn each_audit<C: GenericClient>(
    c: &C,
    filter: &AuditFilter,
    mut each: impl FnMut(AuditEntry) -> Result<(), JournalError>,
) -> Result<u64, JournalError> {
    let mut sql = format!("SELECT {AUDIT_COLUMNS} FROM audit WHERE TRUE");
    let mut args: Vec<Param> = Vec::new();
    let mut bind = |sql: &mut String, clause: &str, v: Param| {
        args.push(v);
        sql.push_str(&clause.replace('?', &format!("${}", args.len())));
    };
    if let Some(f) = filter.from {
        bind(&mut sql, " AND at >= ?", Box::new(nanos(f)));
    }
    if let Some(t) = filter.to {
        bind(&mut sql, " AND at < ?", Box::new(nanos(t)));
    }
    if let Some(cust) = &filter.customer {
        bind(&mut sql, " AND customer = ?", Box::new(cust.clone()));
    }
    if let Some(s) = filter.after_seq {
        bind(&mut sql, " AND seq > ?", Box::new(to_i64(s)));
    }
    sql.push_str(" ORDER BY seq");
    if filter.limit > 0 {
        bind(&mut sql, " LIMIT ?", Box::new(limit(filter.limit)));
    }
    let rows = c
        .query_raw(sql.as_str(), refs(&args))
        .await
        .map_err(db_err)?;
    pin_mut!(rows);
    let mut n = 0;
    while let Some(row) = rows.try_next().await.map_err(db_err)? {
        each(audit_entry(&row)?)?;
        n += 1;
    }
    Ok(n)
}

/// Verifies the whole chain, streaming, from one snapshot.
pub(crate) async fn verify_chain(
    c: &mut deadpool_postgres::Client,
) -> Result<ChainReport, JournalError> {
    // One REPEATABLE READ snapshot: entries committed while we read are not half-seen.
    let tx = c
        .build_transaction()
        .isolation_level(tokio_postgres::IsolationLevel::RepeatableRead)
        .read_only(true)
        .start()
        .await
        .map_err(db_err)?;
    let mut v = ChainVerifier::new();
    each_audit(&*tx, &AuditFilter::default(), |e| Ok(v.push(&e)?)).await?;
    tx.commit().await.map_err(db_err)?;
    Ok(v.finish())
}

pub(crate) async fn cursor(
    c: &deadpool_postgres::Client,
    name: &str,
) -> Result<Option<String>, JournalError> {
    let row = c
        .query_opt("SELECT value FROM cursors WHERE name = $1", &[&name])
        .await
        .map_err(db_err)?;
    row.map(|r| r.try_get(0).map_err(db_err)).transpose()
}
