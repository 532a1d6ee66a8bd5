//! The schema, its migrations and the version table.
//!
//! `invoice_relay_schema` holds one row per applied migration. Opening a file whose highest
//! version is above [`SCHEMA_VERSION`] fails with [`JournalError::SchemaTooNew`] before
//! anything is written to it.

use invoice_core::journal::JournalError;
use rusqlite::{params, Connection, OptionalExtension};

use crate::convert::db_err;

/// The schema version this build writes and reads.
pub const SCHEMA_VERSION: u32 = 1;

/// Migration `n` (1-based) brings the schema from version `n - 1` to `n`.
const MIGRATIONS: &[&str] = &[
    // 1: the initial schema.
    r#"
    CREATE TABLE received (
        id          INTEGER PRIMARY KEY,
        platform    TEXT    NOT NULL,
        tenant      TEXT    NOT NULL,
        received_at INTEGER NOT NULL,
        headers     TEXT    NOT NULL,
        body        BLOB    NOT NULL
    );
    CREATE TABLE dedup (
        platform TEXT NOT NULL,
        tenant   TEXT NOT NULL,
        event_id TEXT NOT NULL,
        PRIMARY KEY (platform, tenant, event_id)
    ) WITHOUT ROWID;
    CREATE TABLE states (
        platform_ord INTEGER NOT NULL,
        platform     TEXT    NOT NULL,
        tenant       TEXT    NOT NULL,
        invoice_id   TEXT    NOT NULL,
        number       TEXT,
        customer     TEXT    NOT NULL,
        owed         INTEGER NOT NULL,
        revision     INTEGER NOT NULL,
        state        TEXT    NOT NULL,
        PRIMARY KEY (platform_ord, tenant, invoice_id)
    ) WITHOUT ROWID;
    CREATE INDEX states_number ON states (platform_ord, tenant, number);
    CREATE INDEX states_customer ON states (customer, owed);
    CREATE TABLE audit (
        seq       INTEGER PRIMARY KEY,
        prev_hash BLOB    NOT NULL,
        hash      BLOB    NOT NULL,
        at        INTEGER NOT NULL,
        action    TEXT    NOT NULL,
        customer  TEXT,
        record    TEXT    NOT NULL
    );
    CREATE INDEX audit_at ON audit (at);
    CREATE INDEX audit_customer ON audit (customer, seq);
    CREATE TABLE outbox (
        id              INTEGER PRIMARY KEY AUTOINCREMENT,
        update_id       TEXT    NOT NULL,
        subject         TEXT    NOT NULL,
        sequence        INTEGER NOT NULL,
        body            TEXT    NOT NULL,
        status          INTEGER NOT NULL,
        attempts        INTEGER NOT NULL,
        last_error      TEXT,
        next_attempt_at INTEGER NOT NULL,
        created_at      INTEGER NOT NULL,
        leased_until    INTEGER
    );
    CREATE INDEX outbox_head ON outbox (subject, sequence, id) WHERE status = 0;
    CREATE INDEX outbox_due ON outbox (status, next_attempt_at, id);
    CREATE INDEX outbox_lease ON outbox (subject, leased_until) WHERE status = 0;
    CREATE TABLE pending (
        id           INTEGER PRIMARY KEY AUTOINCREMENT,
        reference    TEXT    NOT NULL,
        attempts     INTEGER NOT NULL,
        last_error   TEXT,
        due          INTEGER NOT NULL,
        leased_until INTEGER
    );
    CREATE TABLE cursors (
        name  TEXT PRIMARY KEY,
        value TEXT NOT NULL
    );
    "#,
];

/// The highest applied version (0 for a new file).
pub fn version(conn: &Connection) -> Result<u32, JournalError> {
    let exists: Option<i64> = conn
        .query_row(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'invoice_relay_schema'",
            [],
            |r| r.get(0),
        )
        .optional()
        .map_err(db_err)?;
    if exists.is_none() {
        return Ok(0);
    }
    let v: Option<i64> = conn
        .query_row("SELECT MAX(version) FROM invoice_relay_schema", [], |r| {
            r.get(0)
        })
        .map_err(db_err)?;
    Ok(u32::try_from(v.unwrap_or(0)).unwrap_or(u32::MAX))
}

/// Refuses a file written by a newer build; touches nothing.
pub fn check_not_newer(conn: &Connection) -> Result<u32, JournalError> {
    let found = version(conn)?;
    if found > SCHEMA_VERSION {
        return Err(JournalError::SchemaTooNew {
            found,
            supported: SCHEMA_VERSION,
        });
    }
    Ok(found)
}

/// Applies the missing migrations, each in its own transaction with its version row.
pub fn migrate(conn: &mut Connection) -> Result<(), JournalError> {
    let tx = conn
        .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
        .map_err(db_err)?;
    // Checked again under the write lock: another process may have migrated meanwhile.
    let current = check_not_newer(&tx)?;
    tx.execute_batch(
        "CREATE TABLE IF NOT EXISTS invoice_relay_schema (
            version    INTEGER PRIMARY KEY,
            applied_at TEXT NOT NULL
        )",
    )
    .map_err(db_err)?;
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(current as usize) {
        tx.execute_batch(sql).map_err(db_err)?;
        tx.execute(
            "INSERT INTO invoice_relay_schema (version, applied_at) VALUES (?1, ?2)",
            params![i as i64 + 1, chrono::Utc::now().to_rfc3339()],
        )
        .map_err(db_err)?;
    }
    tx.commit().map_err(db_err)
}
