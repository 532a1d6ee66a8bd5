//! [`PostgresJournal`]: the [`Journal`] over one PostgreSQL database, shared by any number
//! of relay instances.

use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod, Runtime};
use invoice_core::audit::{AuditEntry, AuditRecord, ChainReport};
use invoice_core::journal::{
    AuditFilter, CommitBatch, CommitReceipt, Journal, JournalError, OutboxCounts, OutboxId,
    OutboxItem, OutboxStatus, PendingId, PendingItem, ReplayFilter, StateFilter, StoredState,
};
use invoice_core::{DedupKey, InvoiceKey, InvoiceState, Platform, Receipt, TenantId};
use tokio_postgres::NoTls;

use crate::batch::PreparedBatch;
use crate::convert::{db_err, pg_message, pool_err};
use crate::scratch::ScratchDatabase;
use crate::writer::{CommitStats, Work, Writer};
use crate::{outbox, read, schema, PostgresOptions, SCHEMA_VERSION};

/// The PostgreSQL [`Journal`]: a connection pool over one database. Every commit is one
/// transaction; several relay processes may use the same database at once (see the crate
/// documentation for how dedup, claims, ordering and the audit chain stay correct).
/// Cheap to clone.
#[derive(Clone)]
pub struct PostgresJournal {
    inner: Arc<Inner>,
}

struct Inner {
    pool: Pool,
    writer: Writer,
    /// `host:port/dbname`, for logs and `Debug` (never the password).
    target: String,
    // Declared last: the database is dropped after the pool.
    _scratch: Option<ScratchDatabase>,
}

impl std::fmt::Debug for PostgresJournal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PostgresJournal")
            .field("target", &self.inner.target)
            .finish_non_exhaustive()
    }
}

/// What [`PostgresJournal::migrate`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MigrationReport {
    /// The schema version found.
    pub from: u32,
    /// The schema version now.
    pub to: u32,
}

fn parse(url: &str) -> Result<tokio_postgres::Config, JournalError> {
    // The parser's messages do not echo the URL (which may hold a password).
    tokio_postgres::Config::from_str(url)
        .map_err(|e| JournalError::Unavailable(format!("invalid PostgreSQL URL: {e}")))
}

fn describe(config: &tokio_postgres::Config) -> String {
    let host = config
        .get_hosts()
        .first()
        .map(|h| match h {
            tokio_postgres::config::Host::Tcp(s) => s.clone(),
            #[cfg(unix)]
            tokio_postgres::config::Host::Unix(p) => p.display().to_string(),
        })
        .unwrap_or_else(|| "localhost".to_owned());
    let port = config.get_ports().first().copied().unwrap_or(5432);
    let db = config
        .get_dbname()
        .or(config.get_user())
        .unwrap_or("postgres");
    format!("{host}:{port}/{db}")
}

async fn one_connection(
    config: &tokio_postgres::Config,
    target: &str,
) -> Result<tokio_postgres::Client, JournalError> {
    let (client, conn) = config.connect(NoTls).await.map_err(|e| {
        JournalError::Unavailable(format!(
            "cannot connect to PostgreSQL at {target}: {}",
            pg_message(&e)
        ))
    })?;
    tokio::spawn(async move {
        if let Err(e) = conn.await {
            tracing::debug!("postgres setup connection ended: {e}");
        }
    });
    Ok(client)
}

/// Checks (and with `migrate`, creates or upgrades) the schema over one connection.
async fn prepare(
    config: &tokio_postgres::Config,
    target: &str,
    migrate: bool,
) -> Result<MigrationReport, JournalError> {
    let mut client = one_connection(config, target).await?;
    if migrate {
        let (from, to) = schema::migrate(&mut client).await?;
        return Ok(MigrationReport { from, to });
    }
    let found = schema::check_not_newer(&client).await?;
    if found < SCHEMA_VERSION {
        return Err(JournalError::Unavailable(format!(
            "the database at {target} has schema version {found}, this build needs \
             {SCHEMA_VERSION}: run `invoice-relay migrate`"
        )));
    }
    Ok(MigrationReport {
        from: found,
        to: found,
    })
}

impl PostgresJournal {
    /// Connects to the database of `url` (`postgres://user:password@host:port/dbname`)
    /// with the default options, creating or upgrading the schema.
    ///
    /// - a database written by a newer build fails with [`JournalError::SchemaTooNew`] and
    ///   is left untouched;
    /// - an unreachable server fails with [`JournalError::Unavailable`].
    ///
    /// Connections are plain TCP (no TLS): use it on a trusted network or a local socket.
    pub async fn connect(url: &str) -> Result<PostgresJournal, JournalError> {
        Self::connect_with(url, PostgresOptions::default()).await
    }

    /// Connects with `options`.
    pub async fn connect_with(
        url: &str,
        options: PostgresOptions,
    ) -> Result<PostgresJournal, JournalError> {
        let config = parse(url)?;
        let target = describe(&config);
        prepare(&config, &target, options.migrate).await?;
        Self::pool(config, target, &options, None)
    }

    /// Like [`connect_with`](Self::connect_with), callable from synchronous code (inside
    /// or outside a tokio runtime): the schema is checked or migrated on a thread of its
    /// own; the pool then connects lazily on the runtime that first uses it.
    pub fn connect_blocking(
        url: &str,
        options: PostgresOptions,
    ) -> Result<PostgresJournal, JournalError> {
        let config = parse(url)?;
        let target = describe(&config);
        let (c, t, m) = (config.clone(), target.clone(), options.migrate);
        std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map_err(|e| JournalError::Unavailable(format!("cannot start runtime: {e}")))?;
            rt.block_on(prepare(&c, &t, m))
        })
        .join()
        .map_err(|_| JournalError::Unavailable("schema check panicked".into()))??;
        Self::pool(config, target, &options, None)
    }

    /// Parses `url` without connecting; returns `host:port/dbname` (never the password).
    pub fn check_url(url: &str) -> Result<String, JournalError> {
        parse(url).map(|c| describe(&c))
    }

    /// Creates or upgrades the schema of the database of `url` and reports the versions
    /// (for `invoice-relay migrate`).
    pub async fn migrate(url: &str) -> Result<MigrationReport, JournalError> {
        let config = parse(url)?;
        let target = describe(&config);
        prepare(&config, &target, true).await
    }

    /// A journal on a new [`ScratchDatabase`] of the test server, dropped with the last
    /// clone of the journal (tests, benches).
    pub async fn connect_temporary(
        options: PostgresOptions,
    ) -> Result<PostgresJournal, JournalError> {
        let scratch = ScratchDatabase::create().await?;
        let config = parse(scratch.url())?;
        let target = describe(&config);
        prepare(&config, &target, options.migrate).await?;
        Self::pool(config, target, &options, Some(scratch))
    }

    fn pool(
        config: tokio_postgres::Config,
        target: String,
        options: &PostgresOptions,
        scratch: Option<ScratchDatabase>,
    ) -> Result<PostgresJournal, JournalError> {
        let mut config = config;
        config.connect_timeout(options.connect_timeout);
        let manager = Manager::from_config(
            config,
            NoTls,
            ManagerConfig {
                recycling_method: RecyclingMethod::Fast,
            },
        );
        let pool = Pool::builder(manager)
            .max_size(options.pool_size.max(1))
            .runtime(Runtime::Tokio1)
            .wait_timeout(Some(options.wait_timeout))
            .create_timeout(Some(options.connect_timeout))
            .build()
            .map_err(|e| JournalError::Unavailable(format!("postgres pool: {e}")))?;
        Ok(PostgresJournal {
            inner: Arc::new(Inner {
                writer: Writer::new(pool.clone(), options.group_commit_max),
                pool,
                target,
                _scratch: scratch,
            }),
        })
    }

    /// Transactions and writes the group-commit writer committed since connecting (the
    /// average group is `writes / transactions`).
    pub fn stats(&self) -> CommitStats {
        self.inner.writer.stats()
    }

    /// `host:port/dbname` of the database (no password).
    pub fn target(&self) -> &str {
        &self.inner.target
    }

    /// The schema version of the database.
    pub async fn schema_version(&self) -> Result<u32, JournalError> {
        let c = self.client().await?;
        schema::version(&**c).await
    }

    async fn client(&self) -> Result<deadpool_postgres::Client, JournalError> {
        self.inner.pool.get().await.map_err(pool_err)
    }
}

/// Runs `f` in a transaction, committing when it succeeds; on failure the transaction is
/// rolled back (dropped) and the error returned.
macro_rules! in_tx {
    ($self:ident, |$tx:ident| $body:expr) => {{
        let mut client = $self.client().await?;
        let $tx = client.transaction().await.map_err(db_err)?;
        let out = $body;
        match out {
            Ok(v) => {
                $tx.commit().await.map_err(db_err)?;
                Ok(v)
            }
            Err(e) => Err(e),
        }
    }};
}

#[async_trait]
impl Journal for PostgresJournal {
    async fn commit(&self, batch: CommitBatch) -> Result<CommitReceipt, JournalError> {
        let prepared = PreparedBatch::new(batch)?;
        self.inner
            .writer
            .run(Work::Commit(Box::new(prepared)))
            .await
    }

    async fn is_duplicate(&self, key: &DedupKey) -> Result<bool, JournalError> {
        read::is_duplicate(&self.client().await?, key).await
    }

    async fn load(&self, key: &InvoiceKey) -> Result<Option<StoredState>, JournalError> {
        read::load(&self.client().await?, key).await
    }

    async fn find_by_number(
        &self,
        platform: Platform,
        tenant: &TenantId,
        number: &str,
    ) -> Result<Option<InvoiceKey>, JournalError> {
        read::find_by_number(&self.client().await?, platform, tenant, number).await
    }

    async fn list_states(
        &self,
        filter: &StateFilter,
        after: Option<&InvoiceKey>,
        limit: usize,
    ) -> Result<Vec<InvoiceState>, JournalError> {
        read::list_states(&self.client().await?, filter, after, limit).await
    }

    async fn claim(
        &self,
        limit: usize,
        now: DateTime<Utc>,
        lease: Duration,
    ) -> Result<Vec<OutboxItem>, JournalError> {
        outbox::claim(&self.client().await?, limit, now, lease).await
    }

    async fn complete(
        &self,
        id: OutboxId,
        _receipt: &Receipt,
        audit: AuditRecord,
    ) -> Result<(), JournalError> {
        self.inner
            .writer
            .run(Work::Complete(id, audit))
            .await
            .map(|_| ())
    }

    async fn fail(
        &self,
        id: OutboxId,
        error: &str,
        retry_at: DateTime<Utc>,
    ) -> Result<(), JournalError> {
        outbox::fail(&self.client().await?, id, error, retry_at).await
    }

    async fn dead_letter(
        &self,
        id: OutboxId,
        error: &str,
        audit: AuditRecord,
    ) -> Result<(), JournalError> {
        self.inner
            .writer
            .run(Work::DeadLetter(id, error.to_owned(), audit))
            .await
            .map(|_| ())
    }

    async fn replay(&self, filter: &ReplayFilter, now: DateTime<Utc>) -> Result<u64, JournalError> {
        in_tx!(self, |tx| outbox::replay(&tx, filter, now).await)
    }

    async fn outbox(
        &self,
        status: OutboxStatus,
        limit: usize,
    ) -> Result<Vec<OutboxItem>, JournalError> {
        read::outbox(&self.client().await?, status, limit).await
    }

    async fn outbox_counts(&self) -> Result<OutboxCounts, JournalError> {
        read::outbox_counts(&self.client().await?).await
    }

    async fn claim_pending(
        &self,
        limit: usize,
        now: DateTime<Utc>,
        lease: Duration,
    ) -> Result<Vec<PendingItem>, JournalError> {
        outbox::claim_pending(&self.client().await?, limit, now, lease).await
    }

    async fn fail_pending(
        &self,
        id: PendingId,
        error: &str,
        retry_at: DateTime<Utc>,
    ) -> Result<(), JournalError> {
        outbox::fail_pending(&self.client().await?, id, error, retry_at).await
    }

    async fn audit(&self, filter: &AuditFilter) -> Result<Vec<AuditEntry>, JournalError> {
        let c = self.client().await?;
        let mut v = Vec::new();
        read::each_audit(&**c, filter, |e| {
            v.push(e);
            Ok(())
        })
        .await?;
        Ok(v)
    }

    async fn verify_chain(&self) -> Result<ChainReport, JournalError> {
        read::verify_chain(&mut self.client().await?).await
    }

    async fn cursor(&self, name: &str) -> Result<Option<String>, JournalError> {
        read::cursor(&self.client().await?, name).await
    }

    async fn ping(&self) -> Result<(), JournalError> {
        self.client()
            .await?
            .simple_query("SELECT 1")
            .await
            .map(|_| ())
            .map_err(db_err)
    }
}
