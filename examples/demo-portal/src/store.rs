//! The portal's SQLite store: updates applied once per id and in `sequence` order per
//! invoice, the current invoices, and the read models the pages show.
//!
//! - An id seen before is [`ApplyOutcome::Duplicate`] and changes nothing.
//! - An update whose `sequence` is not above the invoice's current one is
//!   [`ApplyOutcome::Stale`]: recorded in the timeline (marked), never applied.
//! - Otherwise the invoice row is replaced by the update's `data.invoice`
//!   ([`ApplyOutcome::Applied`]). Each apply is one transaction.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};
use invoice_core::{PortalInvoice, PortalUpdate};
use rusqlite::{params, Connection, OptionalExtension};
use rust_decimal::Decimal;

use crate::error::DemoPortalError;

const SCHEMA: &str = "
PRAGMA journal_mode = WAL;
PRAGMA synchronous = NORMAL;
PRAGMA foreign_keys = ON;
CREATE TABLE IF NOT EXISTS invoices (
    id          TEXT PRIMARY KEY,
    customer    TEXT NOT NULL,
    status      TEXT NOT NULL,
    sequence    INTEGER NOT NULL,
    platform    TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    data        TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS invoices_by_customer ON invoices(customer, status);
CREATE TABLE IF NOT EXISTS customers (
    id    TEXT PRIMARY KEY,
    name  TEXT
);
CREATE TABLE IF NOT EXISTS updates (
    id            TEXT PRIMARY KEY,
    invoice_id    TEXT NOT NULL,
    sequence      INTEGER NOT NULL,
    event_type    TEXT NOT NULL,
    time          TEXT NOT NULL,
    delivered_at  TEXT NOT NULL,
    applied       INTEGER NOT NULL,
    data          TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS updates_by_invoice ON updates(invoice_id, sequence);
";

/// What applying one update did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ApplyOutcome {
    /// The invoice now reflects this update.
    Applied,
    /// Older than (or as old as) what the invoice already shows: kept in the timeline only.
    Stale {
        /// The invoice's current sequence.
        current: u64,
    },
    /// This id was received before; nothing changed.
    Duplicate,
}

impl ApplyOutcome {
    /// A word for logs and JSON replies.
    pub fn as_str(&self) -> &'static str {
        match self {
            ApplyOutcome::Applied => "applied",
            ApplyOutcome::Stale { .. } => "stale",
            ApplyOutcome::Duplicate => "duplicate",
        }
    }
}

/// One invoice as the portal shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvoiceView {
    /// The invoice as of its latest applied update.
    pub invoice: PortalInvoice,
    /// Sequence of that update.
    pub sequence: u64,
    /// Platform that sent it (slug).
    pub platform: String,
    /// When the portal applied it.
    pub updated_at: DateTime<Utc>,
}

/// One customer on the home page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomerSummary {
    /// Portal account id.
    pub id: String,
    /// Display name, when a platform sent one.
    pub name: Option<String>,
    /// Number of invoices.
    pub invoices: usize,
    /// Invoices past due and owed.
    pub overdue_invoices: usize,
    /// Totals owed and overdue per currency.
    pub totals: Totals,
    /// Latest change.
    pub last_update: Option<DateTime<Utc>>,
}

/// Sums per currency code (`"—"` when the invoice had none).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Totals {
    /// Balance of open, partially paid, overdue and disputed invoices.
    pub outstanding: BTreeMap<String, Decimal>,
    /// Balance of invoices past due.
    pub overdue: BTreeMap<String, Decimal>,
}

impl Totals {
    /// Adds one invoice.
    pub fn add(&mut self, inv: &PortalInvoice) {
        if !is_outstanding(inv) {
            return;
        }
        let cur = inv.currency.clone().unwrap_or_else(|| "—".to_owned());
        *self.outstanding.entry(cur.clone()).or_default() += inv.balance;
        if inv.overdue {
            *self.overdue.entry(cur).or_default() += inv.balance;
        }
    }
}

/// Owed now: positive balance on an open or partially paid invoice (disputed and overdue
/// ones included; drafts, void, refunded and written-off ones not).
pub fn is_outstanding(inv: &PortalInvoice) -> bool {
    inv.balance > Decimal::ZERO && matches!(inv.lifecycle.as_str(), "open" | "partially_paid")
}

/// One entry of an invoice's timeline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimelineEntry {
    /// The update.
    pub update: PortalUpdate,
    /// When the portal received it.
    pub delivered_at: DateTime<Utc>,
    /// False when it arrived after a newer one and was not applied.
    pub applied: bool,
}

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
        conn.execute_batch(SCHEMA)?;
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
        self.run(move |c| apply_sync(c, &update, now)).await
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
                .map(|u| apply_sync(c, u, now))
                .collect::<Result<Vec<_>, _>>()
        })
        .await
    }

    /// Every customer with its totals, by name.
    pub async fn customers(&self) -> Result<Vec<CustomerSummary>, DemoPortalError> {
        self.run(|c| {
            let names = customer_names(c)?;
            let mut by_customer: BTreeMap<String, CustomerSummary> = BTreeMap::new();
            for view in all_invoices(c, None)? {
                let entry = by_customer
                    .entry(view.invoice.customer.clone())
                    .or_insert_with(|| CustomerSummary {
                        id: view.invoice.customer.clone(),
                        name: names.get(&view.invoice.customer).cloned().flatten(),
                        invoices: 0,
                        overdue_invoices: 0,
                        totals: Totals::default(),
                        last_update: None,
                    });
                entry.invoices += 1;
                if view.invoice.overdue && is_outstanding(&view.invoice) {
                    entry.overdue_invoices += 1;
                }
                entry.totals.add(&view.invoice);
                entry.last_update = entry.last_update.max(Some(view.updated_at));
            }
            let mut list: Vec<CustomerSummary> = by_customer.into_values().collect();
            list.sort_by_key(|s| {
                s.name
                    .clone()
                    .unwrap_or_else(|| s.id.clone())
                    .to_lowercase()
            });
            Ok(list)
        })
        .await
    }

    /// A customer's display name (`None` when unknown, `Some(None)` when known unnamed).
    pub async fn customer(&self, id: String) -> Result<Option<Option<String>>, DemoPortalError> {
        self.run(move |c| {
            Ok(
                c.query_row("SELECT name FROM customers WHERE id = ?1", [id], |r| {
                    r.get::<_, Option<String>>(0)
                })
                .optional()?,
            )
        })
        .await
    }

    /// A customer's invoices in the order a payer reads them: overdue first (most overdue
    /// on top), then the rest still owed by due date, then settled ones, newest first.
    pub async fn invoices_of(&self, customer: String) -> Result<Vec<InvoiceView>, DemoPortalError> {
        self.run(move |c| {
            let mut list = all_invoices(c, Some(&customer))?;
            list.sort_by(|a, b| payer_order(&a.invoice, &b.invoice));
            Ok(list)
        })
        .await
    }

    /// One invoice.
    pub async fn invoice(&self, id: String) -> Result<Option<InvoiceView>, DemoPortalError> {
        self.run(move |c| {
            let mut stmt = c.prepare(
                "SELECT data, sequence, platform, updated_at FROM invoices WHERE id = ?1",
            )?;
            let mut rows = stmt.query_map([id], view_from_row)?;
            rows.next().transpose()?.map(finish_view).transpose()
        })
        .await
    }

    /// Every update received for an invoice, by sequence (then arrival).
    pub async fn timeline(
        &self,
        invoice_id: String,
    ) -> Result<Vec<TimelineEntry>, DemoPortalError> {
        self.run(move |c| {
            let mut stmt = c.prepare(
                "SELECT data, delivered_at, applied FROM updates WHERE invoice_id = ?1
                 ORDER BY sequence, delivered_at",
            )?;
            let rows = stmt.query_map([invoice_id], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, bool>(2)?,
                ))
            })?;
            let mut out = Vec::new();
            for row in rows {
                let (data, delivered_at, applied) = row?;
                out.push(TimelineEntry {
                    update: serde_json::from_str(&data).map_err(data_err)?,
                    delivered_at: parse_time(&delivered_at)?,
                    applied,
                });
            }
            Ok(out)
        })
        .await
    }

    /// How many updates were stored (each id once).
    pub async fn update_count(&self) -> Result<u64, DemoPortalError> {
        self.run(|c| Ok(c.query_row("SELECT COUNT(*) FROM updates", [], |r| r.get(0))?))
            .await
    }
}

fn apply_sync(
    c: &mut Connection,
    u: &PortalUpdate,
    now: DateTime<Utc>,
) -> Result<ApplyOutcome, DemoPortalError> {
    let tx = c.transaction()?;
    let seen: bool = tx
        .query_row("SELECT 1 FROM updates WHERE id = ?1", [&u.id], |_| Ok(true))
        .optional()?
        .unwrap_or(false);
    if seen {
        return Ok(ApplyOutcome::Duplicate);
    }
    let current: Option<i64> = tx
        .query_row(
            "SELECT sequence FROM invoices WHERE id = ?1",
            [&u.data.invoice.id],
            |r| r.get(0),
        )
        .optional()?;
    let seq = i64::try_from(u.data.sequence).unwrap_or(i64::MAX);
    let outcome = match current {
        Some(cur) if seq <= cur => ApplyOutcome::Stale {
            current: u64::try_from(cur).unwrap_or(0),
        },
        _ => ApplyOutcome::Applied,
    };
    let data = serde_json::to_string(u).map_err(data_err)?;
    tx.execute(
        "INSERT INTO updates (id, invoice_id, sequence, event_type, time, delivered_at, applied, data)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![
            u.id,
            u.data.invoice.id,
            seq,
            u.event_type,
            u.time.to_rfc3339(),
            now.to_rfc3339(),
            outcome == ApplyOutcome::Applied,
            data
        ],
    )?;
    if outcome == ApplyOutcome::Applied {
        let inv = &u.data.invoice;
        let inv_json = serde_json::to_string(inv).map_err(data_err)?;
        tx.execute(
            "INSERT INTO invoices (id, customer, status, sequence, platform, updated_at, data)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
             ON CONFLICT(id) DO UPDATE SET customer = excluded.customer, status = excluded.status,
               sequence = excluded.sequence, platform = excluded.platform,
               updated_at = excluded.updated_at, data = excluded.data",
            params![
                inv.id,
                inv.customer,
                inv.status,
                seq,
                u.data.event.platform.slug(),
                now.to_rfc3339(),
                inv_json
            ],
        )?;
        tx.execute(
            "INSERT INTO customers (id, name) VALUES (?1, ?2)
             ON CONFLICT(id) DO UPDATE SET name = COALESCE(excluded.name, customers.name)",
            params![inv.customer, inv.customer_name],
        )?;
    }
    tx.commit()?;
    Ok(outcome)
}

type RawView = (String, i64, String, String);

fn view_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<RawView> {
    Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
}

fn finish_view((data, seq, platform, updated_at): RawView) -> Result<InvoiceView, DemoPortalError> {
    Ok(InvoiceView {
        invoice: serde_json::from_str(&data).map_err(data_err)?,
        sequence: u64::try_from(seq).unwrap_or(0),
        platform,
        updated_at: parse_time(&updated_at)?,
    })
}

fn all_invoices(
    c: &Connection,
    customer: Option<&str>,
) -> Result<Vec<InvoiceView>, DemoPortalError> {
    let mut stmt = c.prepare(
        "SELECT data, sequence, platform, updated_at FROM invoices
         WHERE ?1 IS NULL OR customer = ?1",
    )?;
    let rows = stmt.query_map([customer], view_from_row)?;
    let mut out = Vec::new();
    for row in rows {
        out.push(finish_view(row?)?);
    }
    Ok(out)
}

fn customer_names(c: &Connection) -> Result<BTreeMap<String, Option<String>>, DemoPortalError> {
    let mut stmt = c.prepare("SELECT id, name FROM customers")?;
    let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
    let mut out = BTreeMap::new();
    for row in rows {
        let (id, name): (String, Option<String>) = row?;
        out.insert(id, name);
    }
    Ok(out)
}

fn parse_time(s: &str) -> Result<DateTime<Utc>, DemoPortalError> {
    DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| DemoPortalError::Data(e.to_string()))
}

fn data_err(e: serde_json::Error) -> DemoPortalError {
    DemoPortalError::Data(e.to_string())
}

/// Overdue (oldest due first), other owed (soonest due first), drafts, then settled
/// (latest due first); ties by number.
pub fn payer_order(a: &PortalInvoice, b: &PortalInvoice) -> std::cmp::Ordering {
    fn group(i: &PortalInvoice) -> u8 {
        if is_outstanding(i) && i.overdue {
            0
        } else if is_outstanding(i) {
            1
        } else if i.lifecycle == "draft" {
            2
        } else {
            3
        }
    }
    let (ga, gb) = (group(a), group(b));
    let by_due = if ga == 3 {
        b.due_date.cmp(&a.due_date)
    } else {
        // Invoices without a due date go last within their group.
        let key = |i: &PortalInvoice| (i.due_date.is_none(), i.due_date);
        key(a).cmp(&key(b))
    };
    ga.cmp(&gb)
        .then(by_due)
        .then_with(|| a.number.cmp(&b.number))
}
