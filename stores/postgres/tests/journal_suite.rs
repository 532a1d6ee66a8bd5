//! The shared `Journal` behaviour suite against PostgreSQL: each case on its own scratch
//! database (created on `$INVOICE_RELAY_TEST_PG` and dropped afterwards). An unreachable
//! server fails every case.

use std::sync::Arc;

use invoice_core::journal::Journal;
use invoice_store_postgres::{PostgresJournal, PostgresOptions};

invoice_core::journal_suite!(|| async {
    let j = PostgresJournal::connect_temporary(PostgresOptions::default())
        .await
        .unwrap_or_else(|e| panic!("PostgreSQL is required for these tests: {e}"));
    Arc::new(j) as Arc<dyn Journal>
});
