//! Conversions between the model and PostgreSQL columns, and error mapping.

use chrono::{DateTime, Utc};
use invoice_core::audit::{AuditEntry, AuditRecord, ChainHash};
use invoice_core::journal::{JournalError, OutboxItem, OutboxStatus, PendingItem};
use invoice_core::{Platform, PortalUpdate, ThinReference};
use tokio_postgres::error::SqlState;
use tokio_postgres::Row;

/// Maps a PostgreSQL failure to the journal's error.
///
/// A serialization failure or a deadlock between two writers is a
/// [`JournalError::Conflict`] (the caller reloads and retries, as after a stale revision);
/// anything else means the store failed and retrying later may help.
pub fn db_err(e: tokio_postgres::Error) -> JournalError {
    match e.code() {
        Some(c)
            if *c == SqlState::T_R_SERIALIZATION_FAILURE
                || *c == SqlState::T_R_DEADLOCK_DETECTED =>
        {
            JournalError::Conflict
        }
        _ => match e.as_db_error() {
            Some(db) => JournalError::Unavailable(format!(
                "postgres: {} ({}): {}",
                db.message(),
                db.code().code(),
                db.detail().unwrap_or_default()
            )),
            None => JournalError::Unavailable(format!("postgres: {e}")),
        },
    }
}

/// The server's own message when there is one (tokio-postgres prints only "db error"),
/// else the client error; never the connection string.
pub fn pg_message(e: &tokio_postgres::Error) -> String {
    match e.as_db_error() {
        Some(db) => format!("{} ({})", db.message(), db.code().code()),
        None => e.to_string(),
    }
}

/// Maps a pool failure (no connection could be had).
pub fn pool_err(e: deadpool_postgres::PoolError) -> JournalError {
    match e {
        deadpool_postgres::PoolError::Backend(e) => db_err(e),
        other => JournalError::Unavailable(format!("postgres pool: {other}")),
    }
}

/// Maps a stored value that does not parse back.
pub fn corrupt(what: &str, e: impl std::fmt::Display) -> JournalError {
    JournalError::Corrupt(format!("{what}: {e}"))
}

/// Instants are stored as nanoseconds since the Unix epoch (BIGINT), as the SQLite store
/// does; instants outside 1677..2262 are clamped (only far-future retry or lease times can
/// be that far).
pub fn nanos(t: DateTime<Utc>) -> i64 {
    t.timestamp_nanos_opt().unwrap_or(if t.timestamp() < 0 {
        i64::MIN
    } else {
        i64::MAX
    })
}

/// The instant of [`nanos`].
pub fn from_nanos(n: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_nanos(n)
}

/// `now + lease`, saturating.
pub fn lease_end(now: DateTime<Utc>, lease: std::time::Duration) -> i64 {
    let lease = i64::try_from(lease.as_nanos()).unwrap_or(i64::MAX);
    nanos(now).saturating_add(lease)
}

/// The position of a platform in `Platform::ALL`: invoice keys sort by it first, as
/// `InvoiceKey`'s `Ord` does.
pub fn platform_ord(p: Platform) -> i32 {
    Platform::ALL
        .iter()
        .position(|x| *x == p)
        .and_then(|i| i32::try_from(i).ok())
        .unwrap_or(i32::MAX)
}

/// The status column value.
pub fn status_code(s: OutboxStatus) -> i16 {
    match s {
        OutboxStatus::Pending => 0,
        OutboxStatus::Delivered => 1,
        OutboxStatus::DeadLetter => 2,
    }
}

/// The status of a status column value.
pub fn status_from(code: i16) -> Result<OutboxStatus, JournalError> {
    match code {
        0 => Ok(OutboxStatus::Pending),
        1 => Ok(OutboxStatus::Delivered),
        2 => Ok(OutboxStatus::DeadLetter),
        other => Err(JournalError::Corrupt(format!("outbox status {other}"))),
    }
}

/// Columns every outbox query selects, in this order.
pub const OUTBOX_COLUMNS: &str = "id, body, attempts, status, last_error, next_attempt_at";

fn get<'a, T: tokio_postgres::types::FromSql<'a>>(
    row: &'a Row,
    i: usize,
) -> Result<T, JournalError> {
    row.try_get(i).map_err(|e| corrupt("column", e))
}

/// An outbox row selected with [`OUTBOX_COLUMNS`].
pub fn outbox_item(row: &Row) -> Result<OutboxItem, JournalError> {
    let body: &str = get(row, 1)?;
    let update: PortalUpdate = serde_json::from_str(body).map_err(|e| corrupt("outbox", e))?;
    let attempts: i32 = get(row, 2)?;
    Ok(OutboxItem {
        id: get(row, 0)?,
        created_at: update.time,
        update,
        attempts: u32::try_from(attempts).unwrap_or(0),
        status: status_from(get(row, 3)?)?,
        last_error: get(row, 4)?,
        next_attempt_at: from_nanos(get(row, 5)?),
    })
}

/// Columns every pending query selects.
pub const PENDING_COLUMNS: &str = "id, reference, attempts";

/// A pending row selected with [`PENDING_COLUMNS`].
pub fn pending_item(row: &Row) -> Result<PendingItem, JournalError> {
    let json: &str = get(row, 1)?;
    let reference: ThinReference =
        serde_json::from_str(json).map_err(|e| corrupt("pending reference", e))?;
    let attempts: i32 = get(row, 2)?;
    Ok(PendingItem {
        id: get(row, 0)?,
        reference,
        attempts: u32::try_from(attempts).unwrap_or(0),
    })
}

/// Columns every audit query selects.
pub const AUDIT_COLUMNS: &str = "seq, prev_hash, hash, record";

/// An audit row selected with [`AUDIT_COLUMNS`].
pub fn audit_entry(row: &Row) -> Result<AuditEntry, JournalError> {
    let seq: i64 = get(row, 0)?;
    let prev: &[u8] = get(row, 1)?;
    let hash: &[u8] = get(row, 2)?;
    let json: &str = get(row, 3)?;
    let record: AuditRecord = serde_json::from_str(json).map_err(|e| corrupt("audit record", e))?;
    Ok(AuditEntry {
        seq: u64::try_from(seq).map_err(|e| corrupt("audit seq", e))?,
        prev_hash: hash_from(prev)?,
        hash: hash_from(hash)?,
        record,
    })
}

/// A stored 32-byte hash.
pub fn hash_from(bytes: &[u8]) -> Result<ChainHash, JournalError> {
    let arr: [u8; 32] = bytes
        .try_into()
        .map_err(|_| JournalError::Corrupt(format!("hash of {} bytes", bytes.len())))?;
    Ok(ChainHash(arr))
}

/// The stored JSON of an audit record.
pub fn record_json(record: &AuditRecord) -> Result<String, JournalError> {
    serde_json::to_string(record).map_err(|e| corrupt("audit record", e))
}

/// A stored count or sequence as `u64`.
pub fn to_u64(v: i64) -> u64 {
    u64::try_from(v).unwrap_or(0)
}

/// A `u64` as PostgreSQL's BIGINT, saturating.
pub fn to_i64(v: u64) -> i64 {
    i64::try_from(v).unwrap_or(i64::MAX)
}

/// A row limit as BIGINT.
pub fn limit(n: usize) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}
