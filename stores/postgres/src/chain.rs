//! Sealing audit records into the one hash chain.
//!
//! **One chain for the whole database, appends serialised.** Every transaction that seals
//! entries first locks the single row of `audit_head` (`SELECT ... FOR UPDATE`), computes
//! the hashes from the head it read, inserts the entries and moves the head, all inside its
//! own transaction. A second writer (another task or another relay instance) blocks on that
//! row until the first commits or rolls back, then reads the new head. So `seq` stays gap-
//! free and every entry links to the one committed before it, whatever the number of
//! instances — which is what [`Journal::verify_chain`](invoice_core::journal::Journal)
//! checks (one chain, one `seq` per entry). A per-tenant chain would let tenants append in
//! parallel but would need a chain id in `AuditEntry` and a verifier per chain; the cost of
//! the single head is that sealing transactions commit one after another (see
//! `docs/performance.md`, "PostgreSQL scale-out"). Writers take the head lock last, just
//! before `COMMIT`, so it is held for two statements and the commit's WAL flush.

use deadpool_postgres::Transaction;
use invoice_core::audit::{AuditEntry, AuditRecord};
use invoice_core::journal::JournalError;

use crate::convert::{db_err, hash_from, nanos, to_i64, to_u64};

/// Seals `records` (with their pre-serialized JSON) after the current head; returns the
/// sequence of the head they were sealed after (entry `i` of `records` got `head + 1 + i`;
/// 0 and nothing locked when `records` is empty).
pub(crate) async fn seal(
    tx: &Transaction<'_>,
    records: Vec<(AuditRecord, String)>,
) -> Result<u64, JournalError> {
    if records.is_empty() {
        return Ok(0);
    }
    let head = tx
        .prepare_cached("SELECT seq, hash FROM audit_head WHERE id = 1 FOR UPDATE")
        .await
        .map_err(db_err)?;
    let row = tx.query_one(&head, &[]).await.map_err(db_err)?;
    let head_seq = to_u64(row.try_get(0).map_err(db_err)?);
    let mut seq = head_seq;
    let mut prev = hash_from(row.try_get::<_, &[u8]>(1).map_err(db_err)?)?;
    let n = records.len();
    let mut seqs = Vec::with_capacity(n);
    let mut prevs: Vec<Vec<u8>> = Vec::with_capacity(n);
    let mut hashes: Vec<Vec<u8>> = Vec::with_capacity(n);
    let mut ats = Vec::with_capacity(n);
    let mut actions = Vec::with_capacity(n);
    let mut customers = Vec::with_capacity(n);
    let mut jsons = Vec::with_capacity(n);
    for (record, json) in records {
        seq += 1;
        ats.push(nanos(record.at));
        actions.push(record.action.as_str().to_owned());
        customers.push(record.customer.clone());
        let entry = AuditEntry::seal_serialized(seq, prev, record, json.as_bytes());
        seqs.push(to_i64(seq));
        prevs.push(entry.prev_hash.0.to_vec());
        hashes.push(entry.hash.0.to_vec());
        jsons.push(json);
        prev = entry.hash;
    }
    let put = tx
        .prepare_cached(
            "WITH ins AS (
                INSERT INTO audit (seq, prev_hash, hash, at, action, customer, record)
                SELECT * FROM UNNEST($1::bigint[], $2::bytea[], $3::bytea[], $4::bigint[],
                                     $5::text[], $6::text[], $7::text[])
             )
             UPDATE audit_head SET seq = $8, hash = $9 WHERE id = 1",
        )
        .await
        .map_err(db_err)?;
    let last = to_i64(seq);
    let last_hash = prev.0.to_vec();
    tx.execute(
        &put,
        &[
            &seqs, &prevs, &hashes, &ats, &actions, &customers, &jsons, &last, &last_hash,
        ],
    )
    .await
    .map_err(db_err)?;
    Ok(head_seq)
}
