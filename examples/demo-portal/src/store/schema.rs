//! The SQLite schema of the demo portal.

/// Created on open when absent.
pub(super) const SCHEMA: &str = "
PRAGMA journal_mode = WAL;
PRAGMA synchronous = FULL;
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
