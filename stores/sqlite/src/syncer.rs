//! The WAL syncer thread: makes committed transactions durable beside the writer.
//!
//! With [`Synchronous::Full`](crate::Synchronous::Full) the writer's connection runs with
//! `synchronous = NORMAL`, so `COMMIT` appends the transaction's frames to the WAL without
//! waiting for the disk, and the writer hands the batch's jobs to this thread. The syncer
//! takes every batch handed over so far, calls `fdatasync` on the WAL file once for all of
//! them, and only then answers their callers. So every acknowledged commit is on disk, as
//! with SQLite's own `synchronous = FULL`, but the writer builds the next transaction while
//! the disk syncs the previous ones, and one `fdatasync` can cover several transactions.
//!
//! Other connections of the process (the read pool) may see a transaction between its
//! `COMMIT` and its `fdatasync` (a power loss in that window loses it together with
//! everything after it; a process crash loses nothing, the frames are in the OS). Writes
//! that depend on it, such as an outbox claim, go through the writer and are answered only
//! after a later `fdatasync`, so nothing is delivered to a portal before it is durable.
//!
//! A failed `fdatasync` is not retried (after one, the kernel may have dropped the dirty
//! pages): the callers get [`JournalError::Unavailable`], and the journal refuses every
//! later write until it is reopened.

use std::fs::File;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc, Condvar, Mutex};
use std::thread::JoinHandle;

use invoice_core::journal::JournalError;

use crate::writer::Job;

/// Most committed transactions waiting for their sync when the writer starts the next
/// one. With 2, the writer may build transaction `n + 2` while `n` syncs and `n + 1` waits
/// for the next sync, then waits: the jobs arriving meanwhile make the next transaction
/// larger instead of making more, smaller transactions (each of which rewrites the pages
/// all transactions share, such as the tails of the append-only tables). 2 rather than 1:
/// the writer no longer idles while a sync finishes (HTTP A/B, 2026-12-07: 13,557 / 12,969
/// against 12,017 / 12,264 durable webhooks/s, p99 unchanged; commit bench +2 %).
const MAX_UNSYNCED: usize = 2;

/// Handle to the syncer thread; dropping it waits until every handed-over job is answered.
pub(crate) struct WalSyncer {
    tx: Option<mpsc::Sender<Vec<Box<dyn Job>>>>,
    handle: Option<JoinHandle<()>>,
    failed: Arc<AtomicBool>,
    unsynced: Arc<(Mutex<usize>, Condvar)>,
}

impl WalSyncer {
    /// Starts the thread for the WAL of the database at `db_path` (opened in WAL mode).
    pub fn spawn(db_path: &Path) -> Result<WalSyncer, JournalError> {
        let mut wal_path = db_path.as_os_str().to_owned();
        wal_path.push("-wal");
        // SQLite made the file when it opened the database in WAL mode; an empty one made
        // here would be read by SQLite as an empty WAL.
        let wal = File::options()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&wal_path)
            .map_err(|e| {
                JournalError::Unavailable(format!("cannot open the WAL file to sync it: {e}"))
            })?;
        Self::start(wal)
    }

    /// Starts the thread syncing `wal`.
    fn start(wal: File) -> Result<WalSyncer, JournalError> {
        let (tx, rx) = mpsc::channel();
        let failed = Arc::new(AtomicBool::new(false));
        let unsynced = Arc::new((Mutex::new(0), Condvar::new()));
        let (flag, count) = (Arc::clone(&failed), Arc::clone(&unsynced));
        let handle = std::thread::Builder::new()
            .name("sqlite-syncer".into())
            .spawn(move || sync_loop(&wal, &rx, &flag, &count))
            .map_err(|e| JournalError::Unavailable(format!("cannot start syncer thread: {e}")))?;
        Ok(WalSyncer {
            tx: Some(tx),
            handle: Some(handle),
            failed,
            unsynced,
        })
    }

    /// Blocks the writer until at most [`MAX_UNSYNCED`] committed transactions wait for
    /// their sync.
    pub fn wait_for_disk(&self) {
        let (count, cond) = &*self.unsynced;
        let mut n = count.lock().unwrap_or_else(|p| p.into_inner());
        while *n > MAX_UNSYNCED {
            n = cond.wait(n).unwrap_or_else(|p| p.into_inner());
        }
    }

    /// Hands over the jobs of a committed transaction; they are answered after the next
    /// `fdatasync` of the WAL.
    pub fn committed(&self, jobs: Vec<Box<dyn Job>>) {
        let Some(tx) = &self.tx else {
            return;
        };
        *self.unsynced.0.lock().unwrap_or_else(|p| p.into_inner()) += 1;
        if let Err(mpsc::SendError(jobs)) = tx.send(jobs) {
            *self.unsynced.0.lock().unwrap_or_else(|p| p.into_inner()) -= 1;
            // The thread is gone (it cannot be, short of a panic): never acknowledge.
            for job in jobs {
                job.respond(Some(sync_failed("the syncer thread stopped")));
            }
        }
    }

    /// True once an `fdatasync` failed: nothing written since can be trusted to be durable.
    pub fn failed(&self) -> bool {
        self.failed.load(Ordering::Acquire)
    }
}

impl Drop for WalSyncer {
    fn drop(&mut self) {
        self.tx.take();
        if let Some(h) = self.handle.take() {
            if h.join().is_err() {
                tracing::error!("sqlite syncer thread panicked");
            }
        }
    }
}

/// The error callers get when their commit cannot be made durable.
pub(crate) fn sync_failed(why: &str) -> JournalError {
    JournalError::Unavailable(format!(
        "the WAL could not be synced to disk ({why}); reopen the journal"
    ))
}

fn sync_loop(
    wal: &File,
    rx: &mpsc::Receiver<Vec<Box<dyn Job>>>,
    failed: &AtomicBool,
    unsynced: &(Mutex<usize>, Condvar),
) {
    while let Ok(first) = rx.recv() {
        let mut jobs = first;
        let mut transactions = 1;
        while let Ok(more) = rx.try_recv() {
            jobs.extend(more);
            transactions += 1;
        }
        let failure = if failed.load(Ordering::Acquire) {
            Some(sync_failed("an earlier fdatasync failed"))
        } else {
            match wal.sync_data() {
                Ok(()) => None,
                Err(e) => {
                    failed.store(true, Ordering::Release);
                    tracing::error!(error = %e, "fdatasync of the sqlite WAL failed");
                    Some(sync_failed(&e.to_string()))
                }
            }
        };
        // Free the writer first: answering a few dozen callers (each a task wake-up) is
        // time the writer can spend on its next transaction.
        {
            let (count, cond) = unsynced;
            let mut n = count.lock().unwrap_or_else(|p| p.into_inner());
            *n = n.saturating_sub(transactions);
            cond.notify_all();
        }
        for job in jobs {
            job.respond(failure.clone());
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use crate::writer::WriteCtx;
    use std::os::fd::OwnedFd;

    /// A job that only records how it was answered.
    struct Answer(mpsc::Sender<Option<JournalError>>);

    impl Job for Answer {
        fn run(&mut self, _: &mut WriteCtx<'_, '_>) -> bool {
            true
        }
        fn respond(self: Box<Self>, failure: Option<JournalError>) {
            self.0.send(failure).unwrap();
        }
    }

    fn jobs(n: usize) -> (Vec<Box<dyn Job>>, mpsc::Receiver<Option<JournalError>>) {
        let (tx, rx) = mpsc::channel();
        let jobs = (0..n)
            .map(|_| Box::new(Answer(tx.clone())) as Box<dyn Job>)
            .collect();
        (jobs, rx)
    }

    #[test]
    fn committed_jobs_are_answered_after_a_sync() {
        let file = tempfile::tempfile().unwrap();
        let syncer = WalSyncer::start(file).unwrap();
        let (a, ra) = jobs(3);
        let (b, rb) = jobs(2);
        syncer.committed(a);
        syncer.committed(b);
        drop(syncer); // waits for every answer
        let answers: Vec<_> = ra.try_iter().chain(rb.try_iter()).collect();
        assert_eq!(answers.len(), 5);
        assert!(answers.iter().all(Option::is_none), "{answers:?}");
    }

    #[test]
    fn a_failed_sync_is_never_acknowledged_and_poisons_the_journal() {
        // fdatasync on a pipe fails (EINVAL): the stand-in for a disk that cannot sync.
        let (_reader, writer) = std::io::pipe().unwrap();
        let syncer = WalSyncer::start(File::from(OwnedFd::from(writer))).unwrap();
        let (a, ra) = jobs(2);
        syncer.committed(a);
        for _ in 0..2 {
            let answer = ra.recv().unwrap();
            assert!(
                matches!(answer, Some(JournalError::Unavailable(_))),
                "{answer:?}"
            );
        }
        assert!(syncer.failed());
        let (b, rb) = jobs(1);
        syncer.committed(b);
        assert!(matches!(
            rb.recv().unwrap(),
            Some(JournalError::Unavailable(_))
        ));
    }
}
