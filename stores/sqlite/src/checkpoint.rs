//! The checkpointer thread: copies committed WAL frames into the database file beside the
//! writer, so the writer never stops to do it.
//!
//! With SQLite's default, the connection whose commit crosses `wal_autocheckpoint` runs the
//! checkpoint itself, inside that commit: the writer thread then copied up to thousands of
//! pages and fsynced the database file while every caller of its batch waited (about 8 % of
//! its time in the HTTP profile, and the tail of the latency). Here a second connection runs
//! `PRAGMA wal_checkpoint(PASSIVE)` whenever transactions were committed since its last run,
//! at most every [`INTERVAL`]. A passive checkpoint takes no lock the writer needs.
//!
//! Under steady load those checkpoints never catch up with the writer, and SQLite only
//! rewinds the WAL to its start when a transaction begins with every frame checkpointed: the
//! WAL then grew to 150 MB, and each `fdatasync` of the syncer had to extend the file
//! (new blocks and a new size: a file-system journal commit), about half as fast as syncing
//! frames written over an existing file. So the writer keeps a `wal_autocheckpoint` of
//! [`WRITER_AUTOCHECKPOINT_PAGES`]: when its commit leaves that many frames, it
//! checkpoints the remainder itself (what this thread has not copied yet, usually a few
//! milliseconds' worth), the next transaction rewinds the WAL, and the WAL file stays about
//! 16 MiB, rewritten in place.

use std::path::Path;
use std::sync::{Arc, Condvar, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use invoice_core::journal::JournalError;
use rusqlite::{Connection, OpenFlags};

use crate::convert::db_err;

/// Shortest time between two checkpoints.
pub(crate) const INTERVAL: Duration = Duration::from_millis(20);

/// The writer's own `wal_autocheckpoint` (pages): the WAL length at which the writer
/// finishes the checkpoint itself, so that the WAL rewinds (see the module docs).
pub(crate) const WRITER_AUTOCHECKPOINT_PAGES: u32 = 4_096;

#[derive(Debug, Default)]
struct Signal {
    /// Transactions committed since the last checkpoint.
    commits: u64,
    stop: bool,
}

/// Handle to the checkpointer thread.
#[derive(Debug)]
pub(crate) struct Checkpointer {
    signal: Arc<(Mutex<Signal>, Condvar)>,
    handle: Mutex<Option<JoinHandle<()>>>,
}

impl Checkpointer {
    /// Starts the thread with its own connection to `path`.
    pub fn spawn(path: &Path, busy_timeout: Duration) -> Result<Checkpointer, JournalError> {
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(db_err)?;
        conn.busy_timeout(busy_timeout).map_err(db_err)?;
        let signal = Arc::new((Mutex::new(Signal::default()), Condvar::new()));
        let s = Arc::clone(&signal);
        let handle = std::thread::Builder::new()
            .name("sqlite-checkpt".into())
            .spawn(move || run(&conn, &s))
            .map_err(|e| JournalError::Unavailable(format!("cannot start checkpointer: {e}")))?;
        Ok(Checkpointer {
            signal,
            handle: Mutex::new(Some(handle)),
        })
    }

    /// Tells the thread that a transaction was committed.
    pub fn committed(&self) {
        let (lock, cv) = &*self.signal;
        let mut s = lock.lock().unwrap_or_else(|p| p.into_inner());
        s.commits += 1;
        if s.commits == 1 {
            cv.notify_one();
        }
    }

    /// Stops the thread and waits for it.
    pub fn shutdown(&self) {
        {
            let (lock, cv) = &*self.signal;
            lock.lock().unwrap_or_else(|p| p.into_inner()).stop = true;
            cv.notify_one();
        }
        if let Some(h) = self.handle.lock().unwrap_or_else(|p| p.into_inner()).take() {
            if h.join().is_err() {
                tracing::error!("sqlite checkpointer thread panicked");
            }
        }
    }
}

impl Drop for Checkpointer {
    fn drop(&mut self) {
        self.shutdown();
    }
}

fn run(conn: &Connection, signal: &(Mutex<Signal>, Condvar)) {
    let (lock, cv) = signal;
    loop {
        {
            let mut s = lock.lock().unwrap_or_else(|p| p.into_inner());
            while s.commits == 0 && !s.stop {
                s = cv.wait(s).unwrap_or_else(|p| p.into_inner());
            }
            if s.stop {
                return;
            }
            s.commits = 0;
        }
        let r: rusqlite::Result<(i64, i64, i64)> =
            conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
            });
        if let Err(e) = r {
            tracing::warn!(error = %e, "sqlite checkpoint failed; the next one retries");
        }
        std::thread::sleep(INTERVAL);
    }
}
