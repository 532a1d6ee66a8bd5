//! Audit retention that never breaks the chain.
//!
//! Every call seals a `checkpoint` entry at the head of the chain, then deletes the longest
//! prefix of the chain that ends just before a checkpoint and holds only entries older than
//! the cut-off. The checkpoint left first carries the hash forward (its `prev_hash` is the
//! hash of the last deleted entry), and `ChainVerifier` accepts a chain that starts with a
//! checkpoint, so `verify_chain` still passes. Entries newer than the cut-off are never
//! deleted; if no checkpoint sits at a suitable place yet, nothing is deleted this time and
//! the next call can cut at the checkpoint this one sealed.

use chrono::{DateTime, Utc};
use invoice_core::audit::{AuditAction, AuditRecord};
use invoice_core::journal::JournalError;
use rusqlite::{params, OptionalExtension};

use crate::convert::{db_err, nanos, to_i64, to_u64};
use crate::writer::WriteCtx;

/// What a retention pass did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RetentionReport {
    /// Entries deleted.
    pub deleted: u64,
    /// The checkpoint sealed by this pass.
    pub checkpoint_seq: u64,
    /// The first entry left in the store.
    pub first_seq: u64,
}

pub(crate) fn retain_before(
    cx: &mut WriteCtx<'_, '_>,
    before: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<RetentionReport, JournalError> {
    let checkpoint_seq = cx.seal_record(AuditRecord::new(
        now,
        AuditAction::Checkpoint,
        format!(
            "retention checkpoint: entries before this one and older than {} may be archived",
            before.to_rfc3339()
        ),
    ))?;
    let conn = cx.conn;
    let first_kept: Option<i64> = conn
        .query_row(
            "SELECT MIN(seq) FROM audit WHERE at >= ?1",
            params![nanos(before)],
            |r| r.get(0),
        )
        .map_err(db_err)?;
    let bound = first_kept.unwrap_or(to_i64(checkpoint_seq));
    let cut: Option<i64> = conn
        .query_row(
            "SELECT MAX(seq) FROM audit WHERE action = 'checkpoint' AND seq <= ?1",
            params![bound],
            |r| r.get(0),
        )
        .optional()
        .map_err(db_err)?
        .flatten();
    let deleted = match cut {
        Some(c) => conn
            .execute("DELETE FROM audit WHERE seq < ?1", params![c])
            .map_err(db_err)?,
        None => 0,
    };
    let first: Option<i64> = conn
        .query_row("SELECT MIN(seq) FROM audit", [], |r| r.get(0))
        .map_err(db_err)?;
    Ok(RetentionReport {
        deleted: deleted as u64,
        checkpoint_seq,
        first_seq: first.map_or(0, to_u64),
    })
}
