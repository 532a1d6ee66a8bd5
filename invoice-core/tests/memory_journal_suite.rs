//! The shared `Journal` behaviour suite against the in-memory journal.

use std::sync::Arc;

use invoice_core::journal::{Journal, MemoryJournal};

invoice_core::journal_suite!(|| async { Arc::new(MemoryJournal::new()) as Arc<dyn Journal> });

/// The same suite, with the factory given as an async block.
mod async_block_factory {
    use super::*;

    invoice_core::journal_suite!(async { Arc::new(MemoryJournal::new()) as Arc<dyn Journal> });
}
