//! A [`CommitBatch`] serialized on the caller's thread, and written by the writer thread.

use bytes::Bytes;
use invoice_core::audit::AuditRecord;
use invoice_core::journal::{CommitBatch, CommitReceipt, JournalError};
use invoice_core::Lifecycle;
use rusqlite::params;

use crate::convert::{corrupt, db_err, nanos, platform_ord, to_i64};
use crate::hot::Hot;
use crate::writer::{record_json, WriteCtx};

struct Received {
    platform: String,
    tenant: String,
    at: i64,
    headers: String,
    body: Bytes,
}

struct State {
    ord: i64,
    platform: String,
    tenant: String,
    id: String,
    number: Option<String>,
    customer: String,
    owed: bool,
    expected: Option<u64>,
    json: String,
}

struct Outbox {
    update_id: String,
    subject: String,
    sequence: i64,
    json: String,
    at: i64,
}

/// A commit batch with every JSON column already serialized, so the writer thread only
/// seals and inserts.
pub(crate) struct PreparedBatch {
    received: Option<Received>,
    dedup: Vec<(String, String, String)>,
    states: Vec<State>,
    audit: Vec<(AuditRecord, String)>,
    outbox: Vec<Outbox>,
    pending: Vec<(String, i64)>,
    resolves_pending: Option<i64>,
    cursors: Vec<(String, String)>,
}

impl PreparedBatch {
    /// Serializes `batch`.
    pub fn new(batch: CommitBatch) -> Result<Self, JournalError> {
        let json = |what: &str, r: serde_json::Result<String>| r.map_err(|e| corrupt(what, e));
        let received = match batch.received {
            Some(r) => Some(Received {
                platform: r.platform.slug().to_owned(),
                tenant: r.tenant,
                at: nanos(r.received_at),
                headers: json("headers", serde_json::to_string(&r.headers))?,
                body: r.body,
            }),
            None => None,
        };
        let dedup = batch
            .dedup
            .into_iter()
            .map(|k| (k.platform.slug().to_owned(), k.tenant.0, k.event_id))
            .collect();
        let mut states = Vec::with_capacity(batch.states.len());
        for w in batch.states {
            let s = &w.state;
            states.push(State {
                ord: platform_ord(s.key.platform),
                platform: s.key.platform.slug().to_owned(),
                tenant: s.key.tenant.0.clone(),
                id: s.key.id.clone(),
                number: s.number.clone(),
                customer: s.customer.account().to_owned(),
                owed: matches!(s.lifecycle, Lifecycle::Open | Lifecycle::PartiallyPaid),
                expected: w.expected_revision,
                json: json("state", serde_json::to_string(s))?,
            });
        }
        let mut audit = Vec::with_capacity(batch.audit.len());
        for r in batch.audit {
            let j = record_json(&r)?;
            audit.push((r, j));
        }
        let mut outbox = Vec::with_capacity(batch.outbox.len());
        for u in batch.outbox {
            outbox.push(Outbox {
                json: json("portal update", serde_json::to_string(&u))?,
                update_id: u.id,
                subject: u.subject,
                sequence: to_i64(u.data.sequence),
                at: nanos(u.time),
            });
        }
        let mut pending = Vec::with_capacity(batch.pending.len());
        for p in batch.pending {
            pending.push((
                json("thin reference", serde_json::to_string(&p))?,
                nanos(p.received_at),
            ));
        }
        Ok(PreparedBatch {
            received,
            dedup,
            states,
            audit,
            outbox,
            pending,
            resolves_pending: batch.resolves_pending,
            cursors: batch.cursors,
        })
    }

    /// Writes the batch (inside the writer's transaction).
    ///
    /// Every check comes before the first change, in the same order as the in-memory
    /// journal: duplicate, then stale revision, then an unknown pending reference. A batch
    /// that fails a check has written nothing (the writer relies on that: there is no
    /// savepoint to roll back to).
    pub fn write(self, cx: &mut WriteCtx<'_, '_>) -> Result<CommitReceipt, JournalError> {
        let conn = cx.conn;
        {
            let seen = cx.hot(Hot::DedupExists)?;
            for (i, key @ (p, t, e)) in self.dedup.iter().enumerate() {
                // A key twice in one batch is a duplicate too (batches hold a few keys).
                if self.dedup[..i].contains(key) || seen.exists(params![p, t, e]).map_err(db_err)? {
                    return Err(JournalError::Duplicate);
                }
            }
        }
        {
            let get = cx.hot(Hot::StateRevision)?;
            for s in &self.states {
                let stored: Option<i64> = get
                    .query_row(params![s.ord, s.tenant, s.id], |r| r.get(0))
                    .map(Some)
                    .or_else(|e| match e {
                        rusqlite::Error::QueryReturnedNoRows => Ok(None),
                        e => Err(e),
                    })
                    .map_err(db_err)?;
                if stored.map(|r| r as u64) != s.expected {
                    return Err(JournalError::Conflict);
                }
            }
        }
        if let Some(id) = self.resolves_pending {
            let known = conn
                .prepare_cached("SELECT 1 FROM pending WHERE id = ?1")
                .and_then(|mut s| s.exists(params![id]))
                .map_err(db_err)?;
            if !known {
                return Err(JournalError::NotFound(format!("pending reference {id}")));
            }
        }
        // Checks done: from here on only an SQLite error can fail the batch.
        {
            let ins = cx.hot(Hot::DedupInsert)?;
            for (p, t, e) in &self.dedup {
                ins.execute(params![p, t, e]).map_err(db_err)?;
            }
        }
        if let Some(id) = self.resolves_pending {
            conn.prepare_cached("DELETE FROM pending WHERE id = ?1")
                .and_then(|mut s| s.execute(params![id]))
                .map_err(db_err)?;
        }
        {
            let put = cx.hot(Hot::StateUpsert)?;
            for s in &self.states {
                let revision = s.expected.map_or(1, |r| r.saturating_add(1));
                put.execute(params![
                    s.ord,
                    s.platform,
                    s.tenant,
                    s.id,
                    s.number,
                    s.customer,
                    s.owed,
                    to_i64(revision),
                    s.json
                ])
                .map_err(db_err)?;
            }
        }
        if let Some(r) = &self.received {
            cx.hot(Hot::ReceivedInsert)?
                .execute(params![r.platform, r.tenant, r.at, r.headers, &r.body[..]])
                .map_err(db_err)?;
        }
        let mut last_audit_seq = 0;
        for (record, json) in self.audit {
            last_audit_seq = cx.seal(record, &json)?;
        }
        {
            let put = cx.hot(Hot::OutboxInsert)?;
            for o in &self.outbox {
                put.execute(params![o.update_id, o.subject, o.sequence, o.json, o.at])
                    .map_err(db_err)?;
            }
        }
        {
            let mut put = conn
                .prepare_cached("INSERT INTO pending (reference, attempts, due) VALUES (?1, 0, ?2)")
                .map_err(db_err)?;
            for (json, due) in &self.pending {
                put.execute(params![json, due]).map_err(db_err)?;
            }
        }
        {
            let mut put = conn
                .prepare_cached(
                    "INSERT INTO cursors (name, value) VALUES (?1, ?2)
                     ON CONFLICT (name) DO UPDATE SET value = excluded.value",
                )
                .map_err(db_err)?;
            for (k, v) in &self.cursors {
                put.execute(params![k, v]).map_err(db_err)?;
            }
        }
        Ok(CommitReceipt {
            last_audit_seq,
            outbox_rows: self.outbox.len(),
        })
    }
}
