//! Values exchanged with a [`Journal`](super::Journal).

use bytes::Bytes;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::audit::{AuditRecord, ChainError};
use crate::{DedupKey, InvoiceState, Platform, PortalUpdate, ThinReference};

/// Row id of an outbox item.
pub type OutboxId = i64;
/// Row id of a pending thin reference.
pub type PendingId = i64;

/// The raw request as received, kept for audit and replay. Header values that carry
/// secrets or signatures are redacted before they get here.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReceivedRecord {
    /// Source platform.
    pub platform: Platform,
    /// Tenant.
    pub tenant: String,
    /// When we received it.
    pub received_at: DateTime<Utc>,
    /// Headers, signatures redacted.
    pub headers: Vec<(String, String)>,
    /// The exact body.
    #[serde(with = "bytes_b64")]
    pub body: Bytes,
}

mod bytes_b64 {
    use base64::Engine;
    use bytes::Bytes;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(v: &Bytes, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&base64::engine::general_purpose::STANDARD.encode(v))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Bytes, D::Error> {
        let s = String::deserialize(d)?;
        base64::engine::general_purpose::STANDARD
            .decode(s)
            .map(Bytes::from)
            .map_err(serde::de::Error::custom)
    }
}

/// A state to store, with the revision it was computed from (optimistic concurrency).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StateWrite {
    /// The new state.
    pub state: InvoiceState,
    /// The revision loaded before computing it; `None` if the invoice was not stored.
    pub expected_revision: Option<u64>,
}

/// A stored state and its revision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredState {
    /// The state.
    pub state: InvoiceState,
    /// Bumped by every write.
    pub revision: u64,
}

/// Everything one acknowledgement depends on, committed in one transaction.
#[derive(Debug, Clone, Default)]
pub struct CommitBatch {
    /// The raw request, if this batch came from one.
    pub received: Option<ReceivedRecord>,
    /// Dedup keys this batch claims; any already stored fails the whole batch.
    pub dedup: Vec<DedupKey>,
    /// New invoice states.
    pub states: Vec<StateWrite>,
    /// Audit records, sealed in this order.
    pub audit: Vec<AuditRecord>,
    /// Portal updates for the outbox.
    pub outbox: Vec<PortalUpdate>,
    /// Thin references to enrich later.
    pub pending: Vec<ThinReference>,
    /// A pending reference this batch resolves (removed in the same transaction).
    pub resolves_pending: Option<PendingId>,
    /// Named cursors to set.
    pub cursors: Vec<(String, String)>,
}

impl CommitBatch {
    /// True when there is nothing to store.
    pub fn is_empty(&self) -> bool {
        self.received.is_none()
            && self.dedup.is_empty()
            && self.states.is_empty()
            && self.audit.is_empty()
            && self.outbox.is_empty()
            && self.pending.is_empty()
            && self.resolves_pending.is_none()
            && self.cursors.is_empty()
    }
}

/// What a commit stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct CommitReceipt {
    /// Sequence of the last audit entry written (0 if none).
    pub last_audit_seq: u64,
    /// Outbox rows written.
    pub outbox_rows: usize,
}

/// Delivery state of an outbox item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OutboxStatus {
    /// Waiting for (another) attempt.
    Pending,
    /// The portal has it.
    Delivered,
    /// Given up; waits for a replay.
    DeadLetter,
}

impl OutboxStatus {
    /// The snake_case word.
    pub fn as_str(&self) -> &'static str {
        match self {
            OutboxStatus::Pending => "pending",
            OutboxStatus::Delivered => "delivered",
            OutboxStatus::DeadLetter => "dead_letter",
        }
    }
}

/// One update waiting for, or done with, delivery.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxItem {
    /// Row id.
    pub id: OutboxId,
    /// The update (its `id` is the stable idempotency key).
    pub update: PortalUpdate,
    /// Attempts made before this claim.
    pub attempts: u32,
    /// Status.
    pub status: OutboxStatus,
    /// Last failure, if any.
    pub last_error: Option<String>,
    /// When it is due.
    pub next_attempt_at: DateTime<Utc>,
    /// When it was created.
    pub created_at: DateTime<Utc>,
}

/// Counts of outbox items.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct OutboxCounts {
    /// Pending.
    pub pending: u64,
    /// Delivered.
    pub delivered: u64,
    /// Dead letters.
    pub dead_letter: u64,
}

/// Which dead letters to replay.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ReplayFilter {
    /// These outbox ids only (empty: no id filter).
    pub ids: Vec<OutboxId>,
    /// Dead-lettered items created at or after.
    pub since: Option<DateTime<Utc>>,
    /// Dead-lettered items created before.
    pub until: Option<DateTime<Utc>>,
}

/// A thin reference waiting for enrichment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingItem {
    /// Row id.
    pub id: PendingId,
    /// The reference.
    pub reference: ThinReference,
    /// Attempts made before this claim.
    pub attempts: u32,
}

/// Which invoice states to list.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct StateFilter {
    /// Only this portal account.
    pub customer: Option<String>,
    /// Only invoices still owed (open or partially paid).
    pub owed_only: bool,
}

/// Which audit entries to read.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AuditFilter {
    /// At or after.
    pub from: Option<DateTime<Utc>>,
    /// Before.
    pub to: Option<DateTime<Utc>>,
    /// Only this portal account.
    pub customer: Option<String>,
    /// Only entries with a greater sequence.
    pub after_seq: Option<u64>,
    /// At most this many (0: no limit).
    pub limit: usize,
}

/// Why a journal operation failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum JournalError {
    /// A dedup key of the batch was already committed; nothing was stored.
    #[error("duplicate delivery")]
    Duplicate,
    /// A state changed since it was loaded; nothing was stored. Reload and retry.
    #[error("concurrent update of the same invoice")]
    Conflict,
    /// No such outbox item or pending reference.
    #[error("not found: {0}")]
    NotFound(String),
    /// The store cannot be reached or failed; retrying may help.
    #[error("store unavailable: {0}")]
    Unavailable(String),
    /// The file was written by a newer version.
    #[error("store schema version {found} is newer than this build supports ({supported})")]
    SchemaTooNew {
        /// The file's version.
        found: u32,
        /// This build's version.
        supported: u32,
    },
    /// The audit chain does not verify.
    #[error("audit chain broken: {0}")]
    Chain(#[from] ChainError),
    /// Stored data could not be read back.
    #[error("corrupt record: {0}")]
    Corrupt(String),
}
