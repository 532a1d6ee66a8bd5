//! The `Journal`: durable, atomic storage for received requests, invoice states, the audit
//! chain, the outbox and pending thin references.

mod memory;
mod types;

pub use memory::{audit_matches, replay_matches, replay_record, state_matches, MemoryJournal};
pub use types::*;

use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::audit::{AuditEntry, AuditRecord, ChainReport};
use crate::{DedupKey, InvoiceKey, Platform, Receipt, TenantId};

/// Durable storage for the pipeline.
///
/// Contract (the shared suite `invoice_core::testing::journal` asserts each):
/// - `commit` is atomic: everything in the batch is stored, or nothing is;
/// - a batch whose dedup key is already stored fails with [`JournalError::Duplicate`] and
///   stores nothing; a state write whose `expected_revision` is not the stored one fails
///   with [`JournalError::Conflict`] and stores nothing;
/// - audit records are sealed into one hash chain, in commit order, continuing across
///   restarts;
/// - `claim` returns due outbox items, at most one per invoice and never one whose
///   invoice has an earlier undelivered update or another item under lease, lowest
///   sequence first; a claim not completed before its lease ends comes back;
/// - `dead_letter`ed items are skipped by `claim` until `replay`ed.
#[async_trait]
pub trait Journal: Send + Sync + std::fmt::Debug {
    /// Commits one batch atomically.
    async fn commit(&self, batch: CommitBatch) -> Result<CommitReceipt, JournalError>;

    /// True when `key` was committed before.
    async fn is_duplicate(&self, key: &DedupKey) -> Result<bool, JournalError>;

    /// The stored state of an invoice and its revision.
    async fn load(&self, key: &InvoiceKey) -> Result<Option<StoredState>, JournalError>;

    /// The invoice with this number on this platform and tenant (for correlation).
    async fn find_by_number(
        &self,
        platform: Platform,
        tenant: &TenantId,
        number: &str,
    ) -> Result<Option<InvoiceKey>, JournalError>;

    /// States matching `filter`, ordered by key, after `after`, at most `limit`.
    async fn list_states(
        &self,
        filter: &StateFilter,
        after: Option<&InvoiceKey>,
        limit: usize,
    ) -> Result<Vec<InvoiceState>, JournalError>;

    /// Claims up to `limit` due outbox items for `lease`.
    async fn claim(
        &self,
        limit: usize,
        now: DateTime<Utc>,
        lease: Duration,
    ) -> Result<Vec<OutboxItem>, JournalError>;

    /// Marks a claimed item delivered and records it in the audit chain.
    async fn complete(
        &self,
        id: OutboxId,
        receipt: &Receipt,
        audit: AuditRecord,
    ) -> Result<(), JournalError>;

    /// Records a failed attempt; the item is due again at `retry_at`.
    async fn fail(
        &self,
        id: OutboxId,
        error: &str,
        retry_at: DateTime<Utc>,
    ) -> Result<(), JournalError>;

    /// Gives up on an item and records it in the audit chain.
    async fn dead_letter(
        &self,
        id: OutboxId,
        error: &str,
        audit: AuditRecord,
    ) -> Result<(), JournalError>;

    /// Queues dead letters matching `filter` again; returns how many.
    async fn replay(&self, filter: &ReplayFilter, now: DateTime<Utc>) -> Result<u64, JournalError>;

    /// Lists outbox items in `status`, oldest first.
    async fn outbox(
        &self,
        status: OutboxStatus,
        limit: usize,
    ) -> Result<Vec<OutboxItem>, JournalError>;

    /// Counts outbox items by status.
    async fn outbox_counts(&self) -> Result<OutboxCounts, JournalError>;

    /// Claims up to `limit` due thin references for `lease`.
    async fn claim_pending(
        &self,
        limit: usize,
        now: DateTime<Utc>,
        lease: Duration,
    ) -> Result<Vec<PendingItem>, JournalError>;

    /// Records a failed fetch; due again at `retry_at`.
    async fn fail_pending(
        &self,
        id: PendingId,
        error: &str,
        retry_at: DateTime<Utc>,
    ) -> Result<(), JournalError>;

    /// Audit entries matching `filter`, in sequence order.
    async fn audit(&self, filter: &AuditFilter) -> Result<Vec<AuditEntry>, JournalError>;

    /// Verifies the whole audit chain.
    async fn verify_chain(&self) -> Result<ChainReport, JournalError>;

    /// A named cursor (QuickBooks Web Connector's last sync), if set.
    async fn cursor(&self, name: &str) -> Result<Option<String>, JournalError>;

    /// True when the store answers (for `/readyz`).
    async fn ping(&self) -> Result<(), JournalError> {
        Ok(())
    }
}

use crate::InvoiceState;
