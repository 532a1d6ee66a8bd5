//! Read queries, on a small pool of read connections (WAL lets them run beside the
//! writer and always see the last durable commit).

use std::path::PathBuf;
use std::sync::Mutex;
use std::time::Duration;

use invoice_core::audit::{AuditEntry, ChainReport, ChainVerifier};
use invoice_core::journal::{
    AuditFilter, JournalError, OutboxCounts, OutboxItem, OutboxStatus, StateFilter, StoredState,
};
use invoice_core::{DedupKey, InvoiceKey, InvoiceState, Platform, TenantId};
use rusqlite::types::Value;
use rusqlite::{params, params_from_iter, Connection, OpenFlags, OptionalExtension};

use crate::convert::{
    audit_entry, corrupt, db_err, nanos, outbox_item, platform_ord, status_code, to_i64, to_u64,
    AUDIT_COLUMNS, OUTBOX_COLUMNS,
};

/// A pool of read-only connections to one file.
#[derive(Debug)]
pub(crate) struct Readers {
    path: PathBuf,
    busy_timeout: Duration,
    max: usize,
    idle: Mutex<Vec<Connection>>,
}

impl Readers {
    pub fn new(path: PathBuf, busy_timeout: Duration, max: usize) -> Self {
        Readers {
            path,
            busy_timeout,
            max: max.max(1),
            idle: Mutex::new(Vec::new()),
        }
    }

    fn open(&self) -> Result<Connection, JournalError> {
        let conn = Connection::open_with_flags(
            &self.path,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(db_err)?;
        conn.busy_timeout(self.busy_timeout).map_err(db_err)?;
        conn.execute_batch("PRAGMA query_only = ON; PRAGMA cache_size = -8192;")
            .map_err(db_err)?;
        conn.set_prepared_statement_cache_capacity(32);
        Ok(conn)
    }

    /// Runs `f` on an idle connection (opening one if none is idle).
    pub fn with<T>(
        &self,
        f: impl FnOnce(&Connection) -> Result<T, JournalError>,
    ) -> Result<T, JournalError> {
        let conn = self.idle.lock().unwrap_or_else(|p| p.into_inner()).pop();
        let conn = match conn {
            Some(c) => c,
            None => self.open()?,
        };
        let r = f(&conn);
        let mut idle = self.idle.lock().unwrap_or_else(|p| p.into_inner());
        if idle.len() < self.max {
            idle.push(conn);
        }
        r
    }
}

pub(crate) fn is_duplicate(conn: &Connection, key: &DedupKey) -> Result<bool, JournalError> {
    conn.prepare_cached("SELECT 1 FROM dedup WHERE platform = ?1 AND tenant = ?2 AND event_id = ?3")
        .and_then(|mut s| s.exists(params![key.platform.slug(), key.tenant.0, key.event_id]))
        .map_err(db_err)
}

pub(crate) fn load(
    conn: &Connection,
    key: &InvoiceKey,
) -> Result<Option<StoredState>, JournalError> {
    let row: Option<(i64, String)> = conn
        .prepare_cached(
            "SELECT revision, state FROM states
             WHERE platform_ord = ?1 AND tenant = ?2 AND invoice_id = ?3",
        )
        .and_then(|mut s| {
            s.query_row(
                params![platform_ord(key.platform), key.tenant.0, key.id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()
        })
        .map_err(db_err)?;
    row.map(|(revision, json)| {
        Ok(StoredState {
            state: serde_json::from_str(&json).map_err(|e| corrupt("state", e))?,
            revision: to_u64(revision),
        })
    })
    .transpose()
}

pub(crate) fn find_by_number(
    conn: &Connection,
    platform: Platform,
    tenant: &TenantId,
    number: &str,
) -> Result<Option<InvoiceKey>, JournalError> {
    let id: Option<String> = conn
        .prepare_cached(
            "SELECT invoice_id FROM states
             WHERE platform_ord = ?1 AND tenant = ?2 AND number = ?3
             ORDER BY invoice_id LIMIT 1",
        )
        .and_then(|mut s| {
            s.query_row(params![platform_ord(platform), tenant.0, number], |r| {
                r.get(0)
            })
            .optional()
        })
        .map_err(db_err)?;
    Ok(id.map(|id| InvoiceKey {
        platform,
        tenant: tenant.clone(),
        id,
    }))
}

pub(crate) fn list_states(
    conn: &Connection,
    filter: &StateFilter,
    after: Option<&InvoiceKey>,
    limit: usize,
) -> Result<Vec<InvoiceState>, JournalError> {
    let mut sql = String::from("SELECT state FROM states WHERE 1 = 1");
    let mut args: Vec<Value> = Vec::new();
    if let Some(c) = &filter.customer {
        args.push(Value::Text(c.clone()));
        sql.push_str(&format!(" AND customer = ?{}", args.len()));
    }
    if filter.owed_only {
        sql.push_str(" AND owed = 1");
    }
    if let Some(k) = after {
        args.push(Value::Integer(platform_ord(k.platform)));
        args.push(Value::Text(k.tenant.0.clone()));
        args.push(Value::Text(k.id.clone()));
        let n = args.len();
        sql.push_str(&format!(
            " AND (platform_ord, tenant, invoice_id) > (?{}, ?{}, ?{n})",
            n - 2,
            n - 1
        ));
    }
    args.push(Value::Integer(i64::try_from(limit).unwrap_or(i64::MAX)));
    sql.push_str(&format!(
        " ORDER BY platform_ord, tenant, invoice_id LIMIT ?{}",
        args.len()
    ));
    let mut stmt = conn.prepare_cached(&sql).map_err(db_err)?;
    let mut rows = stmt.query(params_from_iter(args)).map_err(db_err)?;
    let mut out = Vec::new();
    while let Some(row) = rows.next().map_err(db_err)? {
        let json: String = row.get(0).map_err(db_err)?;
        out.push(serde_json::from_str(&json).map_err(|e| corrupt("state", e))?);
    }
    Ok(out)
}

pub(crate) fn outbox(
    conn: &Connection,
    status: OutboxStatus,
    limit: usize,
) -> Result<Vec<OutboxItem>, JournalError> {
    let sql = format!("SELECT {OUTBOX_COLUMNS} FROM outbox WHERE status = ?1 ORDER BY id LIMIT ?2");
    let mut stmt = conn.prepare_cached(&sql).map_err(db_err)?;
    let mut rows = stmt
        .query(params![
            status_code(status),
            i64::try_from(limit).unwrap_or(i64::MAX)
        ])
        .map_err(db_err)?;
    let mut out = Vec::new();
    while let Some(row) = rows.next().map_err(db_err)? {
        out.push(outbox_item(row)?);
    }
    Ok(out)
}

pub(crate) fn outbox_counts(conn: &Connection) -> Result<OutboxCounts, JournalError> {
    let mut stmt = conn
        .prepare_cached("SELECT status, COUNT(*) FROM outbox GROUP BY status")
        .map_err(db_err)?;
    let mut rows = stmt.query([]).map_err(db_err)?;
    let mut c = OutboxCounts::default();
    while let Some(row) = rows.next().map_err(db_err)? {
        let status: i64 = row.get(0).map_err(db_err)?;
        let n = to_u64(row.get(1).map_err(db_err)?);
        match status {
            0 => c.pending = n,
            1 => c.delivered = n,
            2 => c.dead_letter = n,
            other => return Err(JournalError::Corrupt(format!("outbox status {other}"))),
        }
    }
    Ok(c)
}

/// Calls `each` for every audit entry matching `filter`, in sequence order, from one
/// consistent snapshot, without holding them all in memory.
pub(crate) fn each_audit(
    conn: &Connection,
    filter: &AuditFilter,
    mut each: impl FnMut(AuditEntry) -> Result<(), JournalError>,
) -> Result<u64, JournalError> {
    let mut sql = format!("SELECT {AUDIT_COLUMNS} FROM audit WHERE 1 = 1");
    let mut args: Vec<Value> = Vec::new();
    let mut bind = |sql: &mut String, clause: &str, v: Value| {
        args.push(v);
        sql.push_str(&clause.replace('?', &format!("?{}", args.len())));
    };
    if let Some(f) = filter.from {
        bind(&mut sql, " AND at >= ?", Value::Integer(nanos(f)));
    }
    if let Some(t) = filter.to {
        bind(&mut sql, " AND at < ?", Value::Integer(nanos(t)));
    }
    if let Some(c) = &filter.customer {
        bind(&mut sql, " AND customer = ?", Value::Text(c.clone()));
    }
    if let Some(s) = filter.after_seq {
        bind(&mut sql, " AND seq > ?", Value::Integer(to_i64(s)));
    }
    sql.push_str(" ORDER BY seq");
    if filter.limit > 0 {
        let n = i64::try_from(filter.limit).unwrap_or(i64::MAX);
        bind(&mut sql, " LIMIT ?", Value::Integer(n));
    }
    let mut stmt = conn.prepare(&sql).map_err(db_err)?;
    let mut rows = stmt.query(params_from_iter(args)).map_err(db_err)?;
    let mut n = 0;
    while let Some(row) = rows.next().map_err(db_err)? {
        each(audit_entry(row)?)?;
        n += 1;
    }
    Ok(n)
}

/// Verifies the whole chain, streaming.
pub(crate) fn verify_chain(conn: &Connection) -> Result<ChainReport, JournalError> {
    let mut v = ChainVerifier::new();
    each_audit(conn, &AuditFilter::default(), |e| Ok(v.push(&e)?))?;
    Ok(v.finish())
}

pub(crate) fn cursor(conn: &Connection, name: &str) -> Result<Option<String>, JournalError> {
    conn.prepare_cached("SELECT value FROM cursors WHERE name = ?1")
        .and_then(|mut s| s.query_row(params![name], |r| r.get(0)).optional())
        .map_err(db_err)
}
