//! Conversions between the model and SQLite columns.

use chrono::{DateTime, Utc};
use invoice_core::audit::{AuditEntry, AuditRecord, ChainHash};
use invoice_core::journal::{JournalError, OutboxItem, OutboxStatus, PendingItem};
use invoice_core::{Platform, PortalUpdate, ThinReference};
use rusqlite::Row;

/// Maps a SQLite failure to the journal's error (the store failed; retrying may help).
pub fn db_err(e: rusqlite::Error) -> JournalError {
    JournalError::Unavailable(format!("sqlite: {e}"))
}

/// Maps a stored value that does not parse back.
pub fn corrupt(what: &str, e: impl std::fmt::Display) -> JournalError {
    JournalError::Corrupt(format!("{what}: {e}"))
}

/// Instants are stored as nanoseconds since the Unix epoch; instants outside
/// 1677..2262 are clamped (only far-future retry or lease times can be that far).
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
pub fn platform_ord(p: Platform) -> i64 {
    Platform::ALL
        .iter()
        .position(|x| *x == p)
        .map_or(i64::MAX, |i| i as i64)
}

/// The status column value.
pub fn status_code(s: OutboxStatus) -> i64 {
    match s {
        OutboxStatus::Pending => 0,
        OutboxStatus::Delivered => 1,
        OutboxStatus::DeadLetter => 2,
    }
}

fn status_from(code: i64) -> Result<OutboxStatus, JournalError> {
    match code {
        0 => Ok(OutboxStatus::Pending),
        1 => Ok(OutboxStatus::Delivered),
        2 => Ok(OutboxStatus::DeadLetter),
        other => Err(JournalError::Corrupt(format!("outbox status {other}"))),
    }
}

/// Columns every outbox query selects, in this order.
pub const OUTBOX_COLUMNS: &str =
    "id, body, attempts, status, last_error, next_attempt_at, created_at";

/// An outbox row selected with [`OUTBOX_COLUMNS`].
pub fn outbox_item(row: &Row<'_>) -> Result<OutboxItem, JournalError> {
    let body: String = row.get(1).map_err(db_err)?;
    let update: PortalUpdate = serde_json::from_str(&body).map_err(|e| corrupt("outbox", e))?;
    let attempts: i64 = row.get(2).map_err(db_err)?;
    Ok(OutboxItem {
        id: row.get(0).map_err(db_err)?,
        created_at: update.time,
        update,
        attempts: u32::try_from(attempts).unwrap_or(u32::MAX),
        status: status_from(row.get(3).map_err(db_err)?)?,
        last_error: row.get(4).map_err(db_err)?,
        next_attempt_at: from_nanos(row.get(5).map_err(db_err)?),
    })
}

/// Columns every pending query selects.
pub const PENDING_COLUMNS: &str = "id, reference, attempts";

/// A pending row selected with [`PENDING_COLUMNS`].
pub fn pending_item(row: &Row<'_>) -> Result<PendingItem, JournalError> {
    let json: String = row.get(1).map_err(db_err)?;
    let reference: ThinReference =
        serde_json::from_str(&json).map_err(|e| corrupt("pending reference", e))?;
    let attempts: i64 = row.get(2).map_err(db_err)?;
    Ok(PendingItem {
        id: row.get(0).map_err(db_err)?,
        reference,
        attempts: u32::try_from(attempts).unwrap_or(u32::MAX),
    })
}

/// Columns every audit query selects.
pub const AUDIT_COLUMNS: &str = "seq, prev_hash, hash, record";

/// An audit row selected with [`AUDIT_COLUMNS`].
pub fn audit_entry(row: &Row<'_>) -> Result<AuditEntry, JournalError> {
    let seq: i64 = row.get(0).map_err(db_err)?;
    let prev: Vec<u8> = row.get(1).map_err(db_err)?;
    let hash: Vec<u8> = row.get(2).map_err(db_err)?;
    let json: String = row.get(3).map_err(db_err)?;
    let record: AuditRecord =
        serde_json::from_str(&json).map_err(|e| corrupt("audit record", e))?;
    Ok(AuditEntry {
        seq: u64::try_from(seq).map_err(|e| corrupt("audit seq", e))?,
        prev_hash: hash_from(&prev)?,
        hash: hash_from(&hash)?,
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

/// A stored count or sequence as `u64`.
pub fn to_u64(v: i64) -> u64 {
    u64::try_from(v).unwrap_or(0)
}

/// A `u64` as SQLite's `i64`, saturating.
pub fn to_i64(v: u64) -> i64 {
    i64::try_from(v).unwrap_or(i64::MAX)
}
