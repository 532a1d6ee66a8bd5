//! The schema, its migrations and the version table.
//!
//! `invoice_relay_schema` holds one row per applied migration. Connecting to a database
//! whose highest version is above [`SCHEMA_VERSION`] fails with
//! [`JournalError::SchemaTooNew`] before anything is written to it. Migrations run in one
//! transaction under an advisory lock, so several relay instances starting
//! at once migrate the database exactly once.

use invoice_core::journal::JournalError;
use tokio_postgres::GenericClient;

use crate::convert::db_err;

/// The schema version this build writes and reads.
pub const SCHEMA_VERSION: u32 = 1;

/// The advisory lock key migrations hold (an arbitrary constant: "invrelay" in ASCII).
const MIGRATION_LOCK: i64 = 0x696E_7672_656C_6179;

/// Migration `n` (1-based) brings the schema from version `n - 1` to `n`.
///
/// Text columns that keys sort by use the "C" collation so PostgreSQL orders them by
/// bytes, as Rust's `Ord` for `String` does (`list_states` pages by `InvoiceKey`).
const MIGRATIONS: &[&str] = &[
    // 1: the initial schema.
    r#"
    CREATE TABLE received (
        id          BIGSERIAL PRIMARY KEY,
        platform    TEXT   NOT NULL,
        tenant      TEXT   NOT NULL,
        received_at BIGINT NOT NULL,
        headers     TEXT   NOT NULL,
        body        BYTEA  NOT NULL
    );
    CREATE TABLE dedup (
        platform TEXT NOT NULL,
        tenant   TEXT NOT NULL,
        event_id TEXT NOT NULL,
        PRIMARY KEY (platform, tenant, event_id)
    );
    CREATE TABLE states (
        platform_ord INTEGER NOT NULL,
        platform     TEXT    NOT NULL,
        tenant       TEXT    COLLATE "C" NOT NULL,
        invoice_id   TEXT    COLLATE "C" NOT NULL,
        number       TEXT,
        customer     TEXT    NOT NULL,
        owed         BOOLEAN NOT NULL,
        revision     BIGINT  NOT NULL,
        state        TEXT    NOT NULL,
        PRIMARY KEY (platform_ord, tenant, invoice_id)
    );
    CREATE INDEX states_number ON states (platform_ord, tenant, number);
    CREATE INDEX states_customer ON states (customer, owed);
    -- One chain for the whole database: every transaction that seals entries locks this
    -- single row first (FOR UPDATE), so appends are serialised across instances and the
    -- sequence has no gaps and no forks.
    CREATE TABLE audit_head (
        id   SMALLINT PRIMARY KEY CHECK (id = 1),
        seq  BIGINT   NOT NULL,
        hash BYTEA    NOT NULL
    );
    INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, '\x0000000000000000000000000000000000000000000000000000000000000000'::bytea);
    CREATE TABLE audit (
        seq       BIGINT PRIMARY KEY,
        prev_hash BYTEA  NOT NULL,
        hash      BYTEA  NOT NULL,
        at        BIGINT NOT NULL,
        action    TEXT   NOT NULL,
        customer  TEXT,
        record    TEXT   NOT NULL
    );
    CREATE INDEX audit_at ON audit (at);
    CREATE INDEX audit_customer ON audit (customer, seq);
    CREATE TABLE outbox (
        id              BIGSERIAL PRIMARY KEY,
        update_id       TEXT     NOT NULL,
        subject         TEXT     NOT NULL,
        sequence        BIGINT   NOT NULL,
        body            TEXT     NOT NULL,
        status          SMALLINT NOT NULL,
        attempts        INTEGER  NOT NULL,
        last_error      TEXT,
        next_attempt_at BIGINT   NOT NULL,
        created_at      BIGINT   NOT NULL,
        leased_until    BIGINT
    );
    CREATE INDEX outbox_head ON outbox (subject, sequence, id) WHERE status = 0;
    CREATE INDEX outbox_due ON outbox (next_attempt_at, id) WHERE status = 0;
    CREATE INDEX outbox_lease ON outbox (subject, leased_until) WHERE status = 0 AND leased_until IS NOT NULL;
    CREATE INDEX outbox_status ON outbox (status, id);
    CREATE TABLE pending (
        id           BIGSERIAL PRIMARY KEY,
        reference    TEXT    NOT NULL,
        attempts     INTEGER NOT NULL,
        last_error   TEXT,
        due          BIGINT  NOT NULL,
        leased_until BIGINT
    );
    CREATE TABLE cursors (
        name  TEXT PRIMARY KEY,
        value TEXT NOT NULL
    );
    "#,
];

/// The highest applied version (0 for an empty database).
pub async fn version<C: GenericClient>(client: &C) -> Result<u32, JournalError> {
    let exists = client
        .query_one(
            "SELECT to_regclass('invoice_relay_schema') IS NOT NULL",
            &[],
        )
        .await
        .map_err(db_err)?;
    if !exists.get::<_, bool>(0) {
        return Ok(0);
    }
    let row = client
        .query_one("SELECT MAX(version) FROM invoice_relay_schema", &[])
        .await
        .map_err(db_err)?;
    let v: Option<i32> = row.get(0);
    Ok(u32::try_from(v.unwrap_or(0)).unwrap_or(0))
}

/// Refuses a database written by a newer build; touches nothing.
pub async fn check_not_newer<C: GenericClient>(client: &C) -> Result<u32, JournalError> {
    let found = version(client).await?;
    if found > SCHEMA_VERSION {
        return Err(JournalError::SchemaTooNew {
            found,
            supported: SCHEMA_VERSION,
        });
    }
    Ok(found)
}

/// Applies the missing migrations in one transaction; returns (version before, after).
///
/// The advisory lock is a session lock taken *before* the transaction begins: a
/// transaction that began before another instance's migration committed could still read
/// the catalog as it was (PostgreSQL caches catalog lookups within a transaction).
pub async fn migrate(client: &mut tokio_postgres::Client) -> Result<(u32, u32), JournalError> {
    // Refuse before taking any lock or creating anything.
    check_not_newer(&*client).await?;
    client
        .execute("SELECT pg_advisory_lock($1)", &[&MIGRATION_LOCK])
        .await
        .map_err(db_err)?;
    let r = migrate_locked(client).await;
    // Closing the connection would release it too; unlock so a pooled one can be reused.
    let unlocked = client
        .execute("SELECT pg_advisory_unlock($1)", &[&MIGRATION_LOCK])
        .await
        .map_err(db_err);
    let r = r?;
    unlocked?;
    Ok(r)
}

async fn migrate_locked(client: &mut tokio_postgres::Client) -> Result<(u32, u32), JournalError> {
    let tx = client.transaction().await.map_err(db_err)?;
    // Checked again under the lock: another instance may have migrated meanwhile.
    let current = check_not_newer(&tx).await?;
    tx.batch_execute(
        "CREATE TABLE IF NOT EXISTS invoice_relay_schema (
            version    INTEGER PRIMARY KEY,
            applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
        )",
    )
    .await
    .map_err(db_err)?;
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(current as usize) {
        tx.batch_execute(sql).await.map_err(db_err)?;
        let v = i32::try_from(i + 1).unwrap_or(i32::MAX);
        tx.execute(
            "INSERT INTO invoice_relay_schema (version) VALUES ($1)",
            &[&v],
        )
        .await
        .map_err(db_err)?;
        tracing::info!(version = v, "applied PostgreSQL schema migration");
    }
    tx.commit().await.map_err(db_err)?;
    Ok((current, SCHEMA_VERSION))
}
