//! The writer's per-event statements, prepared once for the writer's connection.
//!
//! rusqlite's `prepare_cached` hashes the whole SQL text and moves the statement out of
//! and back into an LRU list on every use: with eight statements per webhook that was
//! about 5 % of the writer thread. These are looked up by an enum instead.

use invoice_core::journal::JournalError;
use rusqlite::{Connection, Statement};

use crate::convert::db_err;

/// A statement the writer runs for (almost) every committed webhook.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Hot {
    /// Is this dedup key stored?
    DedupExists,
    /// The stored revision of an invoice.
    StateRevision,
    /// Store a dedup key.
    DedupInsert,
    /// Insert or replace an invoice's state.
    StateUpsert,
    /// Store a received request.
    ReceivedInsert,
    /// Store a sealed audit entry.
    AuditInsert,
    /// Queue a portal update.
    OutboxInsert,
    /// The last audit entry (the chain head).
    AuditHead,
}

impl Hot {
    /// Every statement, in discriminant order (the slots of [`HotStatements`]).
    const ALL: [Hot; 8] = [
        Hot::DedupExists,
        Hot::StateRevision,
        Hot::DedupInsert,
        Hot::StateUpsert,
        Hot::ReceivedInsert,
        Hot::AuditInsert,
        Hot::OutboxInsert,
        Hot::AuditHead,
    ];

    fn sql(self) -> &'static str {
        match self {
            Hot::DedupExists => {
                "SELECT 1 FROM dedup WHERE platform = ?1 AND tenant = ?2 AND event_id = ?3"
            }
            Hot::StateRevision => {
                "SELECT revision FROM states
                 WHERE platform_ord = ?1 AND tenant = ?2 AND invoice_id = ?3"
            }
            Hot::DedupInsert => {
                "INSERT INTO dedup (platform, tenant, event_id) VALUES (?1, ?2, ?3)"
            }
            Hot::StateUpsert => {
                "INSERT INTO states (platform_ord, platform, tenant, invoice_id, number,
                     customer, owed, revision, state)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
                 ON CONFLICT (platform_ord, tenant, invoice_id) DO UPDATE SET
                     number = excluded.number, customer = excluded.customer,
                     owed = excluded.owed, revision = excluded.revision,
                     state = excluded.state"
            }
            Hot::ReceivedInsert => {
                "INSERT INTO received (platform, tenant, received_at, headers, body)
                 VALUES (?1, ?2, ?3, ?4, ?5)"
            }
            Hot::AuditInsert => {
                "INSERT INTO audit (seq, prev_hash, hash, at, action, customer, record)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"
            }
            Hot::OutboxInsert => {
                "INSERT INTO outbox (update_id, subject, sequence, body, status, attempts,
                     next_attempt_at, created_at)
                 VALUES (?1, ?2, ?3, ?4, 0, 0, ?5, ?5)"
            }
            Hot::AuditHead => "SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1",
        }
    }
}

/// The [`Hot`] statements of one connection, each prepared on first use and kept.
pub(crate) struct HotStatements<'c> {
    conn: &'c Connection,
    slots: [Option<Statement<'c>>; Hot::ALL.len()],
}

impl<'c> HotStatements<'c> {
    /// Nothing is prepared yet.
    pub fn new(conn: &'c Connection) -> Self {
        HotStatements {
            conn,
            slots: Default::default(),
        }
    }

    /// The statement, ready to bind (rusqlite resets a statement after each run).
    pub fn get(&mut self, which: Hot) -> Result<&mut Statement<'c>, JournalError> {
        let slot = self
            .slots
            .get_mut(which as usize)
            .ok_or_else(|| JournalError::Unavailable("no slot for a hot statement".into()))?;
        if slot.is_none() {
            *slot = Some(self.conn.prepare(which.sql()).map_err(db_err)?);
        }
        slot.as_mut()
            .ok_or_else(|| JournalError::Unavailable("statement not prepared".into()))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    /// Every statement has its own slot and prepares against the current schema.
    #[test]
    fn every_statement_prepares() {
        let mut conn = Connection::open_in_memory().unwrap();
        crate::schema::migrate(&mut conn).unwrap();
        let mut hot = HotStatements::new(&conn);
        for (i, which) in Hot::ALL.into_iter().enumerate() {
            assert_eq!(which as usize, i, "Hot::ALL is out of discriminant order");
            hot.get(which).unwrap();
        }
    }
}
