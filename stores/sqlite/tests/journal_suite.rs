//! The shared `Journal` behaviour suite (the same cases the in-memory journal passes)
//! against SQLite, each case on a fresh file with the default options (WAL,
//! `synchronous=FULL`, group commit).

use std::sync::Arc;

use invoice_core::journal::Journal;
use invoice_store_sqlite::{SqliteJournal, SqliteOptions};

invoice_core::journal_suite!(|| async {
    Arc::new(SqliteJournal::open_temporary(SqliteOptions::default()).expect("open sqlite"))
        as Arc<dyn Journal>
});

/// The same suite with group commit off (one transaction per write).
mod one_transaction_per_write {
    use super::*;

    invoice_core::journal_suite!(|| async {
        let options = SqliteOptions {
            group_commit_max: 1,
            ..SqliteOptions::default()
        };
        Arc::new(SqliteJournal::open_temporary(options).expect("open sqlite")) as Arc<dyn Journal>
    });
}
