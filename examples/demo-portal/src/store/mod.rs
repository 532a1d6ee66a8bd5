//! The portal's SQLite store: updates applied once per id and in `sequence` order per
//! invoice, the current invoices, and the read models the pages show.
//!
//! - An id seen before is [`ApplyOutcome::Duplicate`] and changes nothing.
//! - An update whose `sequence` is not above the invoice's current one is
//!   [`ApplyOutcome::Stale`]: recorded in the timeline (marked), never applied.
//! - Otherwise the invoice row is replaced by the update's `data.invoice`
//!   ([`ApplyOutcome::Applied`]). Each apply is one transaction.

use std::path::Path;
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};
use invoice_core::PortalUpdate;
use rusqlite::Connection;

use crate::error::DemoPortalError;

mod apply;
mod model;
mod read;
mod schema;

pub use model::{
    is_outstanding, payer_order, ApplyOutcome, CustomerSummary, InvoiceView, TimelineEntry, Totals,
};

/// The SQLite store. Cheap to clone; operations run on the blocking pool.
#[derive(Clone)]
pub struct Store {
    conn: Arc<Mutex<Connection>>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Store")
    }
}

impl Store {
    /// Opens (creating if needed) the database at `path` (`":memory:"` for none).
    pub fn open(path: &Path) -> Result<Self, DemoPortalError> {
        let conn = if path.as_os_str() == ":memory:" {
            Connection::open_in_memory()?
        } else {
            Connection::open(path)?
        };
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        conn.execute_batch(schema::SCHEMA)?;
        Ok(Store {
            conn: Arc::new(Mutex::new(conn)),
        })
    }

    async fn run<T, F>(&self, f: F) -> Result<T, DemoPortalError>
    where
        T: Send + 'static,
        F: FnOnce(&mut Connection) -> Result<T, DemoPortalError> + Send + 'static,
    {
        let conn = Arc::clone(&self.conn);
        tokio::task::spawn_blocking(move || {
            let mut guard = conn.lock().map_err(|_| DemoPortalError::Task)?;
            f(&mut guard)
        })
        .await
        .map_err(|_| DemoPortalError::Task)?
    }

    /// Applies one update (see the module docs), received at `now`.
    pub async fn apply(
        &self,
        update: PortalUpdate,
        now: DateTime<Utc>,
    ) -> Result<ApplyOutcome, DemoPortalError> {
        self.run(move |c| apply::apply_sync(c, &update, now)).await
    }

    /// Applies several updates in order, each on its own (a batch).
    pub async fn apply_all(
        &self,
        updates: Vec<PortalUpdate>,
        now: DateTime<Utc>,
    ) -> Result<Vec<ApplyOutcome>, DemoPortalError> {
        self.run(move |c| {
            updates
                .iter()
                .map(|u| apply::apply_sync(c, u, now))
                .collect::<Result<Vec<_>, _>>()
        })
        .await
    }

    /// Every customer with its totals, by name.
    pub async fn customers(&self) -> Result<Vec<CustomerSummary>, DemoPortalError> {
        self.run(|c| read::customers(c)).await
    }

    /// A customer's display name (`None` when unknown, `Some(None)` when known unnamed).
    pub async fn customer(&self, id: String) -> Result<Option<Option<String>>, DemoPortalError> {
        self.run(move |c| read::customer(c, &id)).await
    }

    /// A customer's invoices in the order a payer reads them: overdue first (oldest due on
    /// top), then the rest still owed by due date, then settled ones, newest first.
    pub async fn invoices_of(&self, customer: String) -> Result<Vec<InvoiceView>, DemoPortalError> {
        self.run(move |c| read::invoices_of(c, &customer)).await
    }

    /// One invoice.
    pub async fn invoice(&self, id: String) -> Result<Option<InvoiceView>, DemoPortalError> {
        self.run(move |c| read::invoice(c, &id)).await
    }

    /// Every update received for an invoice, by sequence (then arrival).
    pub async fn timeline(
        &self,
        invoice_id: String,
    ) -> Result<Vec<TimelineEntry>, DemoPortalError> {
        self.run(move |c| read::timeline(c, &invoice_id)).await
    }

    /// How many updates were stored (each id once).
    pub async fn update_count(&self) -> Result<u64, DemoPortalError> {
        self.run(|c| Ok(c.query_row("SELECT COUNT(*) FROM updates", [], |r| r.get(0))?))
            .await
    }
}
