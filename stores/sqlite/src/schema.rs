//! The schema, its migrations and the version table.
//!
//! `invoice_relay_schema` holds one row per applied migration. Opening a file whose highest
//! version is above [`SCHEMA_VERSION`] fails with [`JournalError::SchemaTooNew`] before
//! anything is written to it.

use invoice_core::journal::JournalError;
use rusqlite::{params, Connection, OptionalExtension};

use crate::convert::db_err;

/// The schema version this build writes and reads.
pub const SCHEMA_VERSION: u32 = 2;

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
    // 2: `states` becomes a rowid table keyed by a unique index, and `outbox_lease` goes.
    // In the `WITHOUT ROWID` table every state (about 1 KB of JSON, above the 1,002 bytes
    // an index b-tree keeps in a 4 KiB leaf) spilled into an overflow page of its own:
    // each state write dirtied a leaf and a nearly empty page, and each read fetched both.
    // A rowid table keeps rows up to 4,061 bytes in the leaf. The lease check of
    // `claim` reads the subject's few unsent rows through `outbox_head` instead.
    r#"
    CREATE TABLE states_v2 (
        id           INTEGER PRIMARY KEY,
        platform_ord INTEGER NOT NULL,
        platform     TEXT    NOT NULL,
        tenant       TEXT    NOT NULL,
        invoice_id   TEXT    NOT NULL,
        number       TEXT,
        customer     TEXT    NOT NULL,
        owed         INTEGER NOT NULL,
        revision     INTEGER NOT NULL,
        state        TEXT    NOT NULL,
        UNIQUE (platform_ord, tenant, invoice_id)
    );
    INSERT INTO states_v2 (platform_ord, platform, tenant, invoice_id, number, customer,
                           owed, revision, state)
        SELECT platform_ord, platform, tenant, invoice_id, number, customer, owed,
               revision, state
        FROM states ORDER BY platform_ord, tenant, invoice_id;
    DROP TABLE states;
    ALTER TABLE states_v2 RENAME TO states;
    CREATE INDEX states_number ON states (platform_ord, tenant, number);
    CREATE INDEX states_customer ON states (customer, owed);
    DROP INDEX outbox_lease;
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

/// Applies the missing migrations in one transaction, each with its version row.
pub fn migrate(conn: &mut Connection) -> Result<(), JournalError> {
    migrate_to(conn, SCHEMA_VERSION)
}

/// Applies the migrations up to version `target` (tests build older files with it).
fn migrate_to(conn: &mut Connection, target: u32) -> Result<(), JournalError> {
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
    for (i, sql) in MIGRATIONS
        .iter()
        .enumerate()
        .take(target as usize)
        .skip(current as usize)
    {
        tx.execute_batch(sql).map_err(db_err)?;
        tx.execute(
            "INSERT INTO invoice_relay_schema (version, applied_at) VALUES (?1, ?2)",
            params![i as i64 + 1, chrono::Utc::now().to_rfc3339()],
        )
        .map_err(db_err)?;
    }
    tx.commit().map_err(db_err)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    fn names(conn: &Connection, kind: &str) -> Vec<String> {
        let mut stmt = conn
            .prepare("SELECT name FROM sqlite_master WHERE type = ?1 ORDER BY name")
            .unwrap();
        let rows = stmt.query_map([kind], |r| r.get(0)).unwrap();
        rows.collect::<Result<_, _>>().unwrap()
    }

    /// Every column of every state but the rowid, in key order.
    fn state_rows(conn: &Connection) -> Vec<Vec<rusqlite::types::Value>> {
        let mut stmt = conn
            .prepare(
                "SELECT platform_ord, tenant, invoice_id, number, customer, owed, revision, state
                 FROM states ORDER BY platform_ord, tenant, invoice_id",
            )
            .unwrap();
        let rows = stmt
            .query_map([], |r| (0..8).map(|i| r.get(i)).collect())
            .unwrap();
        rows.collect::<Result<_, _>>().unwrap()
    }

    /// A version-1 file with states and unsent outbox rows comes out of the migration with
    /// the same rows, a rowid `states` table and no `outbox_lease` index.
    #[test]
    fn version_1_files_migrate_to_2_with_their_rows() {
        let mut conn = Connection::open_in_memory().unwrap();
        migrate_to(&mut conn, 1).unwrap();
        assert_eq!(version(&conn).unwrap(), 1);
        let big_state = format!("{{\"json\":\"{}\"}}", "x".repeat(1_500));
        for (i, state) in [("in_1", "{}".to_owned()), ("in_2", big_state)]
            .iter()
            .enumerate()
        {
            conn.execute(
                "INSERT INTO states (platform_ord, platform, tenant, invoice_id, number,
                     customer, owed, revision, state)
                 VALUES (?1, 'stripe', 'acct', ?2, ?3, 'aerotech', 1, ?4, ?5)",
                params![
                    i as i64 % 2,
                    state.0,
                    format!("INV-{i}"),
                    i as i64 + 3,
                    state.1
                ],
            )
            .unwrap();
        }
        conn.execute(
            "INSERT INTO outbox (update_id, subject, sequence, body, status, attempts,
                 next_attempt_at, created_at, leased_until)
             VALUES ('u1', 'stripe/acct/in_1', 1, '{}', 0, 0, 5, 5, 9)",
            [],
        )
        .unwrap();
        let before = state_rows(&conn);
        assert!(names(&conn, "index").contains(&"outbox_lease".to_owned()));

        migrate(&mut conn).unwrap();

        assert_eq!(version(&conn).unwrap(), SCHEMA_VERSION);
        assert_eq!(state_rows(&conn), before);
        let ids: Vec<i64> = conn
            .prepare("SELECT id FROM states ORDER BY id")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(ids, vec![1, 2], "states has a rowid");
        let indexes = names(&conn, "index");
        assert!(!indexes.contains(&"outbox_lease".to_owned()), "{indexes:?}");
        for kept in [
            "states_number",
            "states_customer",
            "outbox_head",
            "outbox_due",
        ] {
            assert!(
                indexes.contains(&kept.to_owned()),
                "{kept} missing: {indexes:?}"
            );
        }
        assert!(!names(&conn, "table").contains(&"states_v2".to_owned()));
        // The key is still unique: the relay's upsert relies on it.
        let dup = conn.execute(
            "INSERT INTO states (platform_ord, platform, tenant, invoice_id, customer, owed,
                 revision, state)
             VALUES (0, 'stripe', 'acct', 'in_1', 'c', 0, 1, '{}')",
            [],
        );
        assert!(dup.is_err(), "a second row for one key was accepted");
        // Migrating again changes nothing.
        migrate(&mut conn).unwrap();
        assert_eq!(state_rows(&conn), before);
    }
}
