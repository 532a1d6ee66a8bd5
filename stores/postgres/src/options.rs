//! How a [`PostgresJournal`](crate::PostgresJournal) connects.

use std::time::Duration;

/// Options of [`PostgresJournal::connect_with`](crate::PostgresJournal::connect_with).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PostgresOptions {
    /// Most connections this journal keeps open. Default 16 (mind the server's
    /// `max_connections` when several instances share it).
    pub pool_size: usize,
    /// How long to wait for a new connection. Default 10 s.
    pub connect_timeout: Duration,
    /// How long a call waits for a free pooled connection. Default 30 s.
    pub wait_timeout: Duration,
    /// Most writes (commits, completions, dead letters) the writer puts into one
    /// transaction (one WAL flush, one turn of the audit-chain lock). `1` turns group
    /// commit off. Default 64.
    pub group_commit_max: usize,
    /// Create or upgrade the schema when connecting (default `true`). With `false`, a
    /// database whose schema is missing or older fails with `Unavailable` naming
    /// `invoice-relay migrate`; a newer one fails with `SchemaTooNew` either way.
    pub migrate: bool,
}

impl Default for PostgresOptions {
    fn default() -> Self {
        PostgresOptions {
            pool_size: 16,
            connect_timeout: Duration::from_secs(10),
            wait_timeout: Duration::from_secs(30),
            group_commit_max: 64,
            migrate: true,
        }
    }
}
