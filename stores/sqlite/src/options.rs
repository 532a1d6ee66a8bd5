//! How a [`SqliteJournal`](crate::SqliteJournal) opens its file.

use std::time::Duration;

/// SQLite's `synchronous` setting: how hard a commit waits for the disk.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Synchronous {
    /// The default: every commit's WAL frames are synced to disk (`fdatasync`) before any
    /// of its writes is answered, so an acknowledged commit survives power loss as well as
    /// a process crash: SQLite's `synchronous = FULL` guarantee. The sync runs on a syncer
    /// thread while the writer builds the next transaction, and one sync may cover several
    /// transactions (SQLite itself runs with `NORMAL`; see the crate README).
    #[default]
    Full,
    /// `NORMAL`: synced at checkpoints only; survives a process crash, may lose the last
    /// commits on power loss. Never use it where acknowledgements must be durable.
    Normal,
}

impl Synchronous {
    /// The pragma value.
    pub fn as_pragma(&self) -> &'static str {
        match self {
            Synchronous::Full => "FULL",
            Synchronous::Normal => "NORMAL",
        }
    }
}

/// Options of [`SqliteJournal::open_with`](crate::SqliteJournal::open_with).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SqliteOptions {
    /// Durability of each commit (default [`Synchronous::Full`]).
    pub synchronous: Synchronous,
    /// Most writes the writer thread puts into one SQLite transaction (one fsync).
    /// `1` turns group commit off: one transaction per write. Default 256.
    pub group_commit_max: usize,
    /// How long a connection waits for a lock held by another process. Default 5 s.
    pub busy_timeout: Duration,
    /// Read connections kept open; at most this many reads run at once. Default 4.
    pub readers: usize,
}

impl Default for SqliteOptions {
    fn default() -> Self {
        SqliteOptions {
            synchronous: Synchronous::Full,
            group_commit_max: 256,
            busy_timeout: Duration::from_secs(5),
            readers: 4,
        }
    }
}
