//! [`SqliteJournal`]: the [`Journal`] over one SQLite file.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use invoice_core::audit::{AuditEntry, AuditRecord, ChainReport};
use invoice_core::journal::{
    AuditFilter, CommitBatch, CommitReceipt, Journal, JournalError, OutboxCounts, OutboxId,
    OutboxItem, OutboxStatus, PendingId, PendingItem, ReplayFilter, StateFilter, StoredState,
};
use invoice_core::{DedupKey, InvoiceKey, InvoiceState, Platform, Receipt, TenantId};
use rusqlite::{Connection, OpenFlags};

use crate::batch::PreparedBatch;
use crate::checkpoint::{self, Checkpointer};
use crate::convert::db_err;
use crate::export::{write_entry, write_header, ExportError, ExportFormat};
use crate::read::{self, Readers};
use crate::retention::{retain_before, RetentionReport};
use crate::syncer::WalSyncer;
use crate::writer::{CommitStats, WriteCtx, Writer};
use crate::{outbox, schema, SqliteOptions, Synchronous};

/// The durable embedded [`Journal`]: one SQLite file in WAL mode, written by one thread
/// with group commit, read by a small pool of connections. Cheap to clone.
#[derive(Debug, Clone)]
pub struct SqliteJournal {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    path: PathBuf,
    writer: Writer,
    readers: Arc<Readers>,
    /// One permit per read connection: concurrent reads wait here instead of opening
    /// (and closing) extra connections.
    read_permits: tokio::sync::Semaphore,
    // Declared last: dropped after the writer and readers have closed the file.
    _temp: Option<tempfile::TempDir>,
}

impl SqliteJournal {
    /// Opens (creating and migrating as needed) the journal at `path` with the default
    /// options: WAL, `synchronous=FULL`, group commit.
    ///
    /// - a file written by a newer build fails with [`JournalError::SchemaTooNew`] and is
    ///   left untouched;
    /// - a file that is not a SQLite database fails with [`JournalError::Unavailable`].
    pub fn open(path: impl AsRef<Path>) -> Result<SqliteJournal, JournalError> {
        Self::open_with(path, SqliteOptions::default())
    }

    /// Opens the journal at `path` with `options`.
    pub fn open_with(
        path: impl AsRef<Path>,
        options: SqliteOptions,
    ) -> Result<SqliteJournal, JournalError> {
        Self::open_inner(path.as_ref().to_path_buf(), options, None)
    }

    /// A journal in a new temporary directory, deleted when the last clone is dropped
    /// (tests, demos).
    pub fn open_temporary(options: SqliteOptions) -> Result<SqliteJournal, JournalError> {
        let dir = tempfile::tempdir()
            .map_err(|e| JournalError::Unavailable(format!("cannot create temp dir: {e}")))?;
        let path = dir.path().join("journal.db");
        Self::open_inner(path, options, Some(dir))
    }

    fn open_inner(
        path: PathBuf,
        options: SqliteOptions,
        temp: Option<tempfile::TempDir>,
    ) -> Result<SqliteJournal, JournalError> {
        let mut conn = Connection::open_with_flags(
            &path,
            OpenFlags::SQLITE_OPEN_READ_WRITE
                | OpenFlags::SQLITE_OPEN_CREATE
                | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(db_err)?;
        conn.busy_timeout(options.busy_timeout).map_err(db_err)?;
        // Before anything writes to the file (even the WAL switch): refuse newer schemas.
        schema::check_not_newer(&conn)?;
        let mode: String = conn
            .query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))
            .map_err(db_err)?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(JournalError::Unavailable(format!(
                "sqlite refused WAL mode (got {mode})"
            )));
        }
        conn.execute_batch(&format!(
            // temp_store: temporary B-trees (the claim's sort, exports) stay in memory.
            // wal_autocheckpoint: the writer completes the checkpointer's work at this WAL
            // length, so the WAL rewinds (see `checkpoint`); journal_size_limit is above it.
            // synchronous: with `Full` the syncer thread makes each commit durable (an
            // `fdatasync` of the WAL before any caller is answered), so SQLite itself need
            // not wait for the disk inside `COMMIT`.
            "PRAGMA synchronous = NORMAL; PRAGMA cache_size = -32768; PRAGMA temp_store = MEMORY;
             PRAGMA wal_autocheckpoint = {}; PRAGMA journal_size_limit = 67108864;",
            checkpoint::WRITER_AUTOCHECKPOINT_PAGES
        ))
        .map_err(db_err)?;
        conn.set_prepared_statement_cache_capacity(64);
        schema::migrate(&mut conn)?;
        let readers = Arc::new(Readers::new(
            path.clone(),
            options.busy_timeout,
            options.readers,
        ));
        let checkpointer = Checkpointer::spawn(&path, options.busy_timeout)?;
        let syncer = match options.synchronous {
            Synchronous::Full => Some(WalSyncer::spawn(&path)?),
            Synchronous::Normal => None,
        };
        let writer = Writer::spawn(conn, options.group_commit_max, checkpointer, syncer)?;
        let read_permits = tokio::sync::Semaphore::new(options.readers.max(1));
        Ok(SqliteJournal {
            inner: Arc::new(Inner {
                path,
                writer,
                readers,
                read_permits,
                _temp: temp,
            }),
        })
    }

    /// Transactions and writes committed since this journal was opened (the average
    /// group-commit batch is `writes / transactions`).
    pub fn stats(&self) -> CommitStats {
        self.inner.writer.stats()
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.inner.path
    }

    /// Deletes audit entries older than `before` without breaking the chain: see
    /// [`retention`](crate::retention). Export them first (`to = before`) to archive them.
    pub async fn retain_audit_before(
        &self,
        before: DateTime<Utc>,
    ) -> Result<RetentionReport, JournalError> {
        self.retain_audit_before_at(before, Utc::now()).await
    }

    /// [`retain_audit_before`](Self::retain_audit_before) with the checkpoint stamped
    /// `now` (the relay's injected clock).
    pub async fn retain_audit_before_at(
        &self,
        before: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<RetentionReport, JournalError> {
        self.write(move |cx| retain_before(cx, before, now)).await
    }

    /// Streams the audit entries matching `filter` to `out` as JSON Lines; returns how many.
    /// Blocking: call it from a blocking context (a CLI, `spawn_blocking`).
    pub fn export_audit_jsonl<W: std::io::Write>(
        &self,
        out: W,
        filter: &AuditFilter,
    ) -> Result<u64, ExportError> {
        self.export_blocking(out, ExportFormat::JsonLines, filter)
    }

    /// Streams the audit entries matching `filter` to `out` as CSV (with a header line);
    /// returns how many. Blocking, like [`export_audit_jsonl`](Self::export_audit_jsonl).
    pub fn export_audit_csv<W: std::io::Write>(
        &self,
        out: W,
        filter: &AuditFilter,
    ) -> Result<u64, ExportError> {
        self.export_blocking(out, ExportFormat::Csv, filter)
    }

    fn export_blocking<W: std::io::Write>(
        &self,
        mut out: W,
        format: ExportFormat,
        filter: &AuditFilter,
    ) -> Result<u64, ExportError> {
        write_header(&mut out, format)?;
        let mut io_error = None;
        let r = self.inner.readers.with(|conn| {
            read::each_audit(conn, filter, |e| {
                write_entry(&mut out, format, &e).map_err(|e| {
                    io_error = Some(e);
                    JournalError::Unavailable("export output failed".into())
                })
            })
        });
        if let Some(e) = io_error {
            return Err(e);
        }
        let n = r?;
        out.flush()?;
        Ok(n)
    }

    async fn write<T, F>(&self, f: F) -> Result<T, JournalError>
    where
        T: Send + 'static,
        F: FnOnce(&mut WriteCtx<'_, '_>) -> Result<T, JournalError> + Send + 'static,
    {
        self.inner.writer.run(f).await
    }

    async fn read<T, F>(&self, f: F) -> Result<T, JournalError>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> Result<T, JournalError> + Send + 'static,
    {
        let readers = Arc::clone(&self.inner.readers);
        match tokio::runtime::Handle::try_current() {
            Ok(handle) => {
                let _permit = self
                    .inner
                    .read_permits
                    .acquire()
                    .await
                    .map_err(|_| JournalError::Unavailable("journal closed".into()))?;
                handle
                    .spawn_blocking(move || readers.with(f))
                    .await
                    .map_err(|e| JournalError::Unavailable(format!("read task failed: {e}")))?
            }
            // Outside a tokio runtime (a CLI using a simple executor): read inline.
            Err(_) => readers.with(f),
        }
    }

    /// A point lookup by key (a dedup key, an invoice, a number, a cursor), run on the
    /// caller's thread. These are a few microseconds against pages SQLite or the OS has
    /// cached, and each webhook makes two or more of them: handing each to tokio's blocking
    /// pool cost more in thread wake-ups and context switches than the lookup itself (the
    /// relay's HTTP profile was a third scheduler). WAL readers never wait for the writer;
    /// a read can only block for long on a cold disk or during crash recovery.
    fn point_read<T>(
        &self,
        f: impl FnOnce(&Connection) -> Result<T, JournalError>,
    ) -> Result<T, JournalError> {
        self.inner.readers.with(f)
    }
}

#[async_trait]
impl Journal for SqliteJournal {
    async fn commit(&self, batch: CommitBatch) -> Result<CommitReceipt, JournalError> {
        let prepared = PreparedBatch::new(batch)?;
        self.write(move |cx| prepared.write(cx)).await
    }

    async fn is_duplicate(&self, key: &DedupKey) -> Result<bool, JournalError> {
        self.point_read(|c| read::is_duplicate(c, key))
    }

    async fn load(&self, key: &InvoiceKey) -> Result<Option<StoredState>, JournalError> {
        self.point_read(|c| read::load(c, key))
    }

    async fn find_by_number(
        &self,
        platform: Platform,
        tenant: &TenantId,
        number: &str,
    ) -> Result<Option<InvoiceKey>, JournalError> {
        self.point_read(|c| read::find_by_number(c, platform, tenant, number))
    }

    async fn list_states(
        &self,
        filter: &StateFilter,
        after: Option<&InvoiceKey>,
        limit: usize,
    ) -> Result<Vec<InvoiceState>, JournalError> {
        let (filter, after) = (filter.clone(), after.cloned());
        self.read(move |c| read::list_states(c, &filter, after.as_ref(), limit))
            .await
    }

    async fn claim(
        &self,
        limit: usize,
        now: DateTime<Utc>,
        lease: Duration,
    ) -> Result<Vec<OutboxItem>, JournalError> {
        self.write(move |cx| outbox::claim(cx, limit, now, lease))
            .await
    }

    async fn complete(
        &self,
        id: OutboxId,
        _receipt: &Receipt,
        audit: AuditRecord,
    ) -> Result<(), JournalError> {
        self.write(move |cx| outbox::complete(cx, id, audit)).await
    }

    async fn fail(
        &self,
        id: OutboxId,
        error: &str,
        retry_at: DateTime<Utc>,
    ) -> Result<(), JournalError> {
        let error = error.to_owned();
        self.write(move |cx| outbox::fail(cx, id, &error, retry_at))
            .await
    }

    async fn dead_letter(
        &self,
        id: OutboxId,
        error: &str,
        audit: AuditRecord,
    ) -> Result<(), JournalError> {
        let error = error.to_owned();
        self.write(move |cx| outbox::dead_letter(cx, id, &error, audit))
            .await
    }

    async fn replay(&self, filter: &ReplayFilter, now: DateTime<Utc>) -> Result<u64, JournalError> {
        let filter = filter.clone();
        self.write(move |cx| outbox::replay(cx, &filter, now)).await
    }

    async fn outbox(
        &self,
        status: OutboxStatus,
        limit: usize,
    ) -> Result<Vec<OutboxItem>, JournalError> {
        self.read(move |c| read::outbox(c, status, limit)).await
    }

    async fn outbox_counts(&self) -> Result<OutboxCounts, JournalError> {
        self.read(read::outbox_counts).await
    }

    async fn claim_pending(
        &self,
        limit: usize,
        now: DateTime<Utc>,
        lease: Duration,
    ) -> Result<Vec<PendingItem>, JournalError> {
        self.write(move |cx| outbox::claim_pending(cx, limit, now, lease))
            .await
    }

    async fn fail_pending(
        &self,
        id: PendingId,
        error: &str,
        retry_at: DateTime<Utc>,
    ) -> Result<(), JournalError> {
        let error = error.to_owned();
        self.write(move |cx| outbox::fail_pending(cx, id, &error, retry_at))
            .await
    }

    async fn audit(&self, filter: &AuditFilter) -> Result<Vec<AuditEntry>, JournalError> {
        let filter = filter.clone();
        self.read(move |c| {
            let mut v = Vec::new();
            read::each_audit(c, &filter, |e| {
                v.push(e);
                Ok(())
            })?;
            Ok(v)
        })
        .await
    }

    async fn verify_chain(&self) -> Result<ChainReport, JournalError> {
        self.read(read::verify_chain).await
    }

    async fn cursor(&self, name: &str) -> Result<Option<String>, JournalError> {
        self.point_read(|c| read::cursor(c, name))
    }

    async fn ping(&self) -> Result<(), JournalError> {
        self.read(|c| c.query_row("SELECT 1", [], |_| Ok(())).map_err(db_err))
            .await
    }
}
