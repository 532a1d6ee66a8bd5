//! A [`CommitBatch`] serialized before any connection is taken, then written in one
//! transaction.

use bytes::Bytes;
use deadpool_postgres::Transaction;
use invoice_core::audit::AuditRecord;
use invoice_core::journal::{CommitBatch, JournalError};
use invoice_core::Lifecycle;

use crate::convert::{corrupt, db_err, nanos, platform_ord, record_json, to_i64};

struct Received {
    platform: String,
    tenant: String,
    at: i64,
    headers: String,
    body: Bytes,
}

struct State {
    ord: i32,
    platform: String,
    tenant: String,
    id: String,
    number: Option<String>,
    customer: String,
    owed: bool,
    expected: Option<u64>,
    json: String,
}

/// A commit batch with every JSON column already serialized.
pub(crate) struct PreparedBatch {
    received: Option<Received>,
    dedup: (Vec<String>, Vec<String>, Vec<String>),
    states: Vec<State>,
    audit: Vec<(AuditRecord, String)>,
    outbox: OutboxRows,
    pending: (Vec<String>, Vec<i64>),
    resolves_pending: Option<i64>,
    cursors: (Vec<String>, Vec<String>),
}

#[derive(Default)]
struct OutboxRows {
    update_id: Vec<String>,
    subject: Vec<String>,
    sequence: Vec<i64>,
    json: Vec<String>,
    at: Vec<i64>,
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
        let mut dedup = (Vec::new(), Vec::new(), Vec::new());
        let mut keys = batch.dedup;
        // Keys in one global order (see `order_key`).
        keys.sort_by(|a, b| {
            (a.platform.slug(), &a.tenant.0, &a.event_id).cmp(&(
                b.platform.slug(),
                &b.tenant.0,
                &b.event_id,
            ))
        });
        for k in keys {
            dedup.0.push(k.platform.slug().to_owned());
            dedup.1.push(k.tenant.0);
            dedup.2.push(k.event_id);
        }
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
        // Row locks in key order: two batches touching the same invoices cannot deadlock.
        states.sort_by(|a, b| (a.ord, &a.tenant, &a.id).cmp(&(b.ord, &b.tenant, &b.id)));
        let mut audit = Vec::with_capacity(batch.audit.len());
        for r in batch.audit {
            let j = record_json(&r)?;
            audit.push((r, j));
        }
        let mut outbox = OutboxRows::default();
        for u in batch.outbox {
            outbox
                .json
                .push(json("portal update", serde_json::to_string(&u))?);
            outbox.sequence.push(to_i64(u.data.sequence));
            outbox.at.push(nanos(u.time));
            outbox.update_id.push(u.id);
            outbox.subject.push(u.subject);
        }
        let mut pending = (Vec::new(), Vec::new());
        for p in batch.pending {
            pending
                .0
                .push(json("thin reference", serde_json::to_string(&p))?);
            pending.1.push(nanos(p.received_at));
        }
        let mut cursors = (Vec::new(), Vec::new());
        for (k, v) in batch.cursors {
            cursors.0.push(k);
            cursors.1.push(v);
        }
        Ok(PreparedBatch {
            received,
            dedup,
            states,
            audit,
            outbox,
            pending,
            resolves_pending: batch.resolves_pending,
            cursors,
        })
    }

    /// Where this batch goes in a group: by its first dedup key. Groups of different
    /// instances then take dedup-key locks in one global order and cannot deadlock on
    /// them (racing duplicates wait for each other instead).
    pub fn order_key(&self) -> (&str, &str, &str) {
        match (
            self.dedup.0.first(),
            self.dedup.1.first(),
            self.dedup.2.first(),
        ) {
            (Some(p), Some(t), Some(e)) => (p, t, e),
            _ => ("", "", ""),
        }
    }

    /// Writes the batch inside `tx` except its audit records (the caller seals them and
    /// commits). Checks come in the same order as
    /// the in-memory journal: duplicate, then stale revision, then an unknown pending
    /// reference; any failure leaves the transaction to be rolled back whole.
    ///
    /// The dedup keys are claimed by the primary key of `dedup`: a second transaction
    /// inserting the same key (on this or another instance) waits for the first, and once
    /// that commits its `ON CONFLICT DO NOTHING` inserts nothing, so it fails with
    /// `Duplicate` and the event is applied once.
    pub async fn write(self, tx: &Transaction<'_>) -> Result<Unsealed, JournalError> {
        let n_dedup = self.dedup.0.len();
        if n_dedup > 0 {
            let ins = tx
                .prepare_cached(
                    "INSERT INTO dedup (platform, tenant, event_id)
                     SELECT * FROM UNNEST($1::text[], $2::text[], $3::text[])
                     ON CONFLICT DO NOTHING",
                )
                .await
                .map_err(db_err)?;
            let n = tx
                .execute(&ins, &[&self.dedup.0, &self.dedup.1, &self.dedup.2])
                .await
                .map_err(db_err)?;
            if n != n_dedup as u64 {
                return Err(JournalError::Duplicate);
            }
        }
        if !self.states.is_empty() {
            let insert = tx
                .prepare_cached(
                    "INSERT INTO states (platform_ord, platform, tenant, invoice_id, number,
                         customer, owed, revision, state)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, 1, $8)
                     ON CONFLICT DO NOTHING",
                )
                .await
                .map_err(db_err)?;
            let update = tx
                .prepare_cached(
                    "UPDATE states SET number = $5, customer = $6, owed = $7, state = $8,
                         revision = $9 + 1
                     WHERE platform_ord = $1 AND tenant = $2 AND invoice_id = $3
                       AND revision = $9 AND platform = $4",
                )
                .await
                .map_err(db_err)?;
            for s in &self.states {
                let n = match s.expected {
                    None => tx
                        .execute(
                            &insert,
                            &[
                                &s.ord,
                                &s.platform,
                                &s.tenant,
                                &s.id,
                                &s.number,
                                &s.customer,
                                &s.owed,
                                &s.json,
                            ],
                        )
                        .await
                        .map_err(db_err)?,
                    Some(r) => {
                        let r = to_i64(r);
                        tx.execute(
                            &update,
                            &[
                                &s.ord,
                                &s.tenant,
                                &s.id,
                                &s.platform,
                                &s.number,
                                &s.customer,
                                &s.owed,
                                &s.json,
                                &r,
                            ],
                        )
                        .await
                        .map_err(db_err)?
                    }
                };
                if n != 1 {
                    return Err(JournalError::Conflict);
                }
            }
        }
        if let Some(id) = self.resolves_pending {
            let del = tx
                .prepare_cached("DELETE FROM pending WHERE id = $1")
                .await
                .map_err(db_err)?;
            if tx.execute(&del, &[&id]).await.map_err(db_err)? == 0 {
                return Err(JournalError::NotFound(format!("pending reference {id}")));
            }
        }
        if let Some(r) = &self.received {
            let put = tx
                .prepare_cached(
                    "INSERT INTO received (platform, tenant, received_at, headers, body)
                     VALUES ($1, $2, $3, $4, $5)",
                )
                .await
                .map_err(db_err)?;
            let body: &[u8] = &r.body;
            tx.execute(&put, &[&r.platform, &r.tenant, &r.at, &r.headers, &body])
                .await
                .map_err(db_err)?;
        }
        let outbox_rows = self.outbox.update_id.len();
        if outbox_rows > 0 {
            let o = &self.outbox;
            let put = tx
                .prepare_cached(
                    "INSERT INTO outbox (update_id, subject, sequence, body, status, attempts,
                         next_attempt_at, created_at)
                     SELECT u, s, q, b, 0, 0, t, t
                     FROM UNNEST($1::text[], $2::text[], $3::bigint[], $4::text[], $5::bigint[])
                          AS x(u, s, q, b, t)",
                )
                .await
                .map_err(db_err)?;
            tx.execute(
                &put,
                &[&o.update_id, &o.subject, &o.sequence, &o.json, &o.at],
            )
            .await
            .map_err(db_err)?;
        }
        if !self.pending.0.is_empty() {
            let put = tx
                .prepare_cached(
                    "INSERT INTO pending (reference, attempts, due)
                     SELECT r, 0, d FROM UNNEST($1::text[], $2::bigint[]) AS x(r, d)",
                )
                .await
                .map_err(db_err)?;
            tx.execute(&put, &[&self.pending.0, &self.pending.1])
                .await
                .map_err(db_err)?;
        }
        if !self.cursors.0.is_empty() {
            let put = tx
                .prepare_cached(
                    "INSERT INTO cursors (name, value) VALUES ($1, $2)
                     ON CONFLICT (name) DO UPDATE SET value = excluded.value",
                )
                .await
                .map_err(db_err)?;
            for (k, v) in self.cursors.0.iter().zip(&self.cursors.1) {
                tx.execute(&put, &[k, v]).await.map_err(db_err)?;
            }
        }
        Ok(Unsealed {
            outbox_rows,
            audit: self.audit,
        })
    }
}

/// A written batch whose audit records are still to be sealed (the writer seals every
/// member's records together, last, so the chain head is locked only until `COMMIT`).
pub(crate) struct Unsealed {
    /// Outbox rows written.
    pub outbox_rows: usize,
    /// Audit records with their JSON, in order.
    pub audit: Vec<(AuditRecord, String)>,
}
