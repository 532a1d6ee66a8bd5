//! The writer thread: the one connection that writes, with group commit.
//!
//! Every write (commit, claim, complete, fail, ...) is a job sent to this thread. The thread
//! takes the first waiting job, then every job queued behind it (up to the group-commit
//! limit), and runs them in one SQLite transaction. Each job makes all its checks (a
//! duplicate, a stale revision, an unknown id) before its first change, so a job that fails
//! has written nothing and fails alone while the others commit; the writer verifies that
//! with SQLite's change counter, and fails the whole batch if a job failed after changing
//! rows (an SQLite error mid-way). No per-job `SAVEPOINT`: it copied every page a job
//! touched into a statement journal, which was a large part of the writer's time. Each
//! caller is answered only after the batch is durable: with
//! [`Synchronous::Full`](crate::Synchronous::Full) by the [syncer](crate::syncer) thread
//! after an `fdatasync` of the WAL that follows the batch's `COMMIT`; nothing is
//! acknowledged before it is on disk.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

use invoice_core::audit::{AuditEntry, AuditRecord, ChainHash};
use invoice_core::journal::JournalError;
use rusqlite::{params, Connection, OptionalExtension};
use tokio::sync::oneshot;

use crate::checkpoint::Checkpointer;
use crate::convert::{db_err, hash_from, nanos, to_i64, to_u64};
use crate::hot::{Hot, HotStatements};
use crate::syncer::{sync_failed, WalSyncer};

/// What a job sees: the connection inside the open transaction, its hot statements, and
/// the chain head.
pub(crate) struct WriteCtx<'a, 'c> {
    /// The writer's connection; statements are prepared once and cached.
    pub conn: &'c Connection,
    hot: &'a mut HotStatements<'c>,
    head: (u64, ChainHash),
}

impl<'c> WriteCtx<'_, 'c> {
    /// One of the per-event statements (prepared once, see [`HotStatements`]).
    pub fn hot(&mut self, which: Hot) -> Result<&mut rusqlite::Statement<'c>, JournalError> {
        self.hot.get(which)
    }

    /// Seals `record` as the next audit entry (with its pre-serialized JSON) and stores it.
    pub fn seal(&mut self, record: AuditRecord, json: &str) -> Result<u64, JournalError> {
        let (seq, prev) = (self.head.0 + 1, self.head.1);
        let at = nanos(record.at);
        let customer = record.customer.clone();
        let action = record.action.as_str();
        // The JSON was made on the caller's thread: hash it instead of serializing again.
        let entry = AuditEntry::seal_serialized(seq, prev, record, json.as_bytes());
        self.hot(Hot::AuditInsert)?
            .execute(params![
                to_i64(seq),
                &entry.prev_hash.0[..],
                &entry.hash.0[..],
                at,
                action,
                customer,
                json
            ])
            .map_err(db_err)?;
        self.head = (seq, entry.hash);
        Ok(seq)
    }

    /// Serializes and seals `record`.
    pub fn seal_record(&mut self, record: AuditRecord) -> Result<u64, JournalError> {
        let json = record_json(&record)?;
        self.seal(record, &json)
    }
}

/// The stored JSON of an audit record.
pub(crate) fn record_json(record: &AuditRecord) -> Result<String, JournalError> {
    serde_json::to_string(record).map_err(|e| JournalError::Corrupt(format!("audit record: {e}")))
}

/// One unit of work for the writer.
pub(crate) trait Job: Send {
    /// Runs inside the batch's transaction; true when it succeeded. A job that fails must
    /// have changed nothing (checks first, then writes).
    fn run(&mut self, cx: &mut WriteCtx<'_, '_>) -> bool;
    /// Answers the caller once the batch is durable (`None`) or failed as a whole.
    fn respond(self: Box<Self>, batch_failure: Option<JournalError>);
}

struct Op<T, F> {
    f: Option<F>,
    result: Option<Result<T, JournalError>>,
    tx: oneshot::Sender<Result<T, JournalError>>,
}

impl<T, F> Job for Op<T, F>
where
    T: Send,
    F: FnOnce(&mut WriteCtx<'_, '_>) -> Result<T, JournalError> + Send,
{
    fn run(&mut self, cx: &mut WriteCtx<'_, '_>) -> bool {
        let Some(f) = self.f.take() else {
            return false;
        };
        let r = f(cx);
        let ok = r.is_ok();
        self.result = Some(r);
        ok
    }

    fn respond(self: Box<Self>, batch_failure: Option<JournalError>) {
        let r = match (batch_failure, self.result) {
            (Some(e), _) => Err(e),
            (None, Some(r)) => r,
            (None, None) => Err(JournalError::Unavailable("write was not run".into())),
        };
        // The caller may have gone away (a cancelled request); the write stands.
        let _ = self.tx.send(r);
    }
}

/// How many writes and transactions the writer has committed since the journal opened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct CommitStats {
    /// SQLite transactions committed (with [`Synchronous::Full`](crate::Synchronous::Full),
    /// each is synced before it is answered; one `fdatasync` may cover several).
    pub transactions: u64,
    /// Writes (commits, claims, completions, ...) in them, failed members included.
    pub writes: u64,
}

#[derive(Debug, Default)]
struct Counters {
    transactions: AtomicU64,
    writes: AtomicU64,
}

/// Handle to the writer thread.
pub(crate) struct Writer {
    tx: Mutex<Option<mpsc::Sender<Box<dyn Job>>>>,
    handle: Mutex<Option<JoinHandle<()>>>,
    counters: Arc<Counters>,
}

impl std::fmt::Debug for Writer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Writer")
    }
}

impl Writer {
    /// Starts the thread that owns `conn`.
    /// The thread owns `checkpointer` and tells it of every commit; with a `syncer`, the
    /// jobs of each committed transaction are answered by it, after the WAL is synced.
    pub fn spawn(
        conn: Connection,
        group_commit_max: usize,
        checkpointer: Checkpointer,
        syncer: Option<WalSyncer>,
    ) -> Result<Writer, JournalError> {
        let head = load_head(&mut HotStatements::new(&conn))?;
        let (tx, rx) = mpsc::channel::<Box<dyn Job>>();
        let max = group_commit_max.max(1);
        let counters = Arc::new(Counters::default());
        let c = Arc::clone(&counters);
        let handle = std::thread::Builder::new()
            // Thread names fit Linux's 15-byte `comm`, so `top -H` and profilers tell them apart.
            .name("sqlite-writer".into())
            .spawn(move || writer_loop(conn, head, rx, max, &c, &checkpointer, syncer))
            .map_err(|e| JournalError::Unavailable(format!("cannot start writer thread: {e}")))?;
        Ok(Writer {
            tx: Mutex::new(Some(tx)),
            handle: Mutex::new(Some(handle)),
            counters,
        })
    }

    /// Runs `f` in the writer's next batch; resolves after the batch is durable.
    pub async fn run<T, F>(&self, f: F) -> Result<T, JournalError>
    where
        T: Send + 'static,
        F: FnOnce(&mut WriteCtx<'_, '_>) -> Result<T, JournalError> + Send + 'static,
    {
        let (tx, rx) = oneshot::channel();
        let job: Box<dyn Job> = Box::new(Op {
            f: Some(f),
            result: None,
            tx,
        });
        {
            let guard = self.tx.lock().unwrap_or_else(|p| p.into_inner());
            let sender = guard.as_ref().ok_or_else(stopped)?;
            sender.send(job).map_err(|_| stopped())?;
        }
        rx.await.map_err(|_| stopped())?
    }

    /// Committed transactions and writes so far.
    pub fn stats(&self) -> CommitStats {
        CommitStats {
            transactions: self.counters.transactions.load(Ordering::Relaxed),
            writes: self.counters.writes.load(Ordering::Relaxed),
        }
    }

    /// Stops the thread after the queued jobs, and waits for it.
    pub fn shutdown(&self) {
        self.tx.lock().unwrap_or_else(|p| p.into_inner()).take();
        if let Some(h) = self.handle.lock().unwrap_or_else(|p| p.into_inner()).take() {
            if h.join().is_err() {
                tracing::error!("sqlite writer thread panicked");
            }
        }
    }
}

impl Drop for Writer {
    fn drop(&mut self) {
        self.shutdown();
    }
}

fn stopped() -> JournalError {
    JournalError::Unavailable("sqlite writer stopped".into())
}

fn load_head(hot: &mut HotStatements<'_>) -> Result<(u64, ChainHash), JournalError> {
    let row: Option<(i64, Vec<u8>)> = hot
        .get(Hot::AuditHead)?
        .query_row([], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()
        .map_err(db_err)?;
    match row {
        Some((seq, hash)) => Ok((to_u64(seq), hash_from(&hash)?)),
        None => Ok((0, ChainHash::GENESIS)),
    }
}

fn writer_loop(
    conn: Connection,
    mut head: (u64, ChainHash),
    rx: mpsc::Receiver<Box<dyn Job>>,
    max: usize,
    counters: &Counters,
    checkpointer: &Checkpointer,
    syncer: Option<WalSyncer>,
) {
    let mut hot = HotStatements::new(&conn);
    while let Ok(first) = rx.recv() {
        // Wait for the disk before taking the queue, so the writes that arrive during the
        // sync join this transaction.
        if let Some(s) = &syncer {
            s.wait_for_disk();
        }
        let mut jobs = vec![first];
        while jobs.len() < max {
            match rx.try_recv() {
                Ok(j) => jobs.push(j),
                Err(_) => break,
            }
        }
        let n = jobs.len() as u64;
        if syncer.as_ref().is_some_and(WalSyncer::failed) {
            respond_all(jobs, Some(&sync_failed("an earlier fdatasync failed")));
            continue;
        }
        let (jobs, failure) = run_batch(&conn, &mut hot, &mut head, jobs);
        if failure.is_some() {
            respond_all(jobs, failure.as_ref());
            continue;
        }
        checkpointer.committed();
        counters.transactions.fetch_add(1, Ordering::Relaxed);
        counters.writes.fetch_add(n, Ordering::Relaxed);
        match &syncer {
            Some(s) => s.committed(jobs),
            None => respond_all(jobs, None),
        }
    }
    // Dropping the syncer here waits until it has answered every handed-over job.
}

fn respond_all(jobs: Vec<Box<dyn Job>>, failure: Option<&JournalError>) {
    for job in jobs {
        job.respond(failure.cloned());
    }
}

/// Runs one batch: its jobs, to be answered, and the failure of the batch as a whole
/// (`None`: committed).
fn run_batch<'c>(
    conn: &'c Connection,
    hot: &mut HotStatements<'c>,
    head: &mut (u64, ChainHash),
    jobs: Vec<Box<dyn Job>>,
) -> (Vec<Box<dyn Job>>, Option<JournalError>) {
    if let Err(e) = conn.execute_batch("BEGIN IMMEDIATE") {
        return (jobs, Some(db_err(e)));
    }
    // Another process (an operator's `dlq replay`) may have sealed entries since our last
    // batch: read the head under the write lock, never trust a cached one.
    match load_head(hot) {
        Ok(h) => *head = h,
        Err(e) => {
            let _ = conn.execute_batch("ROLLBACK");
            return (jobs, Some(e));
        }
    }
    let start = *head;
    let mut done: Vec<Box<dyn Job>> = Vec::with_capacity(jobs.len());
    let mut abort: Option<JournalError> = None;
    for mut job in jobs {
        if abort.is_some() {
            done.push(job);
            continue;
        }
        let changes_before = conn.total_changes();
        let mut cx = WriteCtx {
            conn,
            hot: &mut *hot,
            head: *head,
        };
        if job.run(&mut cx) {
            *head = cx.head;
        } else if conn.total_changes() != changes_before {
            // Every job checks before it changes anything, so a failed job has written
            // nothing, unless SQLite failed mid-way (I/O, disk full): then the batch is
            // not trusted as a whole.
            abort = Some(JournalError::Unavailable(
                "a write failed after changing rows; the batch was rolled back".into(),
            ));
        }
        if abort.is_none() && conn.is_autocommit() {
            // SQLite rolled the whole transaction back (disk full, I/O error).
            abort = Some(JournalError::Unavailable(
                "sqlite rolled the transaction back".into(),
            ));
        }
        done.push(job);
    }
    let failure = match abort {
        Some(e) => Some(e),
        None => conn.execute_batch("COMMIT").err().map(db_err),
    };
    if failure.is_some() {
        if !conn.is_autocommit() {
            let _ = conn.execute_batch("ROLLBACK");
        }
        *head = load_head(hot).unwrap_or(start);
    }
    (done, failure)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    fn cursor_job(
        name: &'static str,
        fail: Option<bool>,
    ) -> (Box<dyn Job>, oneshot::Receiver<Result<(), JournalError>>) {
        let (tx, rx) = oneshot::channel();
        let f = move |cx: &mut WriteCtx<'_, '_>| -> Result<(), JournalError> {
            if fail == Some(false) {
                // Fails its check before changing anything.
                return Err(JournalError::Duplicate);
            }
            cx.conn
                .execute(
                    "INSERT INTO cursors (name, value) VALUES (?1, 'v')",
                    params![name],
                )
                .map_err(db_err)?;
            if fail == Some(true) {
                // Fails after a change: breaks the job contract, as an SQLite error would.
                return Err(JournalError::Unavailable("mid-way".into()));
            }
            Ok(())
        };
        let job: Box<dyn Job> = Box::new(Op {
            f: Some(f),
            result: None,
            tx,
        });
        (job, rx)
    }

    fn names(conn: &Connection) -> Vec<String> {
        let mut stmt = conn
            .prepare("SELECT name FROM cursors ORDER BY name")
            .unwrap();
        let rows = stmt.query_map([], |r| r.get(0)).unwrap();
        rows.collect::<Result<_, _>>().unwrap()
    }

    fn connection() -> Connection {
        let mut conn = Connection::open_in_memory().unwrap();
        crate::schema::migrate(&mut conn).unwrap();
        conn
    }

    #[test]
    fn a_job_that_fails_its_check_fails_alone() {
        let conn = connection();
        let mut hot = HotStatements::new(&conn);
        let mut head = load_head(&mut hot).unwrap();
        let (a, ra) = cursor_job("a", None);
        let (b, rb) = cursor_job("b", Some(false));
        let (c, rc) = cursor_job("c", None);
        let (jobs, failure) = run_batch(&conn, &mut hot, &mut head, vec![a, b, c]);
        assert!(failure.is_none());
        respond_all(jobs, None);
        assert!(ra.blocking_recv().unwrap().is_ok());
        assert!(matches!(
            rb.blocking_recv().unwrap(),
            Err(JournalError::Duplicate)
        ));
        assert!(rc.blocking_recv().unwrap().is_ok());
        assert_eq!(names(&conn), ["a", "c"]);
    }

    #[test]
    fn a_job_that_fails_after_a_change_fails_the_whole_batch() {
        let conn = connection();
        let mut hot = HotStatements::new(&conn);
        let mut head = load_head(&mut hot).unwrap();
        let (a, ra) = cursor_job("a", None);
        let (b, rb) = cursor_job("b", Some(true));
        let (c, rc) = cursor_job("c", None);
        let (jobs, failure) = run_batch(&conn, &mut hot, &mut head, vec![a, b, c]);
        assert!(failure.is_some());
        respond_all(jobs, failure.as_ref());
        for r in [ra, rb, rc] {
            assert!(matches!(
                r.blocking_recv().unwrap(),
                Err(JournalError::Unavailable(_))
            ));
        }
        assert!(names(&conn).is_empty(), "nothing of the batch was kept");
        assert!(conn.is_autocommit(), "the transaction was closed");
    }
}
