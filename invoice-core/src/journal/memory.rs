//! An in-memory [`Journal`] for tests and for embedding where durability is the host's
//! business. Same semantics as the durable stores (the shared suite runs against it).

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Mutex;
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::types::*;
use super::Journal;
use crate::audit::{verify_chain, AuditAction, AuditEntry, AuditRecord, ChainHash, ChainReport};
use crate::{DedupKey, InvoiceKey, InvoiceState, Lifecycle, Platform, Receipt, TenantId};

/// The in-memory journal.
///
/// ```
/// use invoice_core::journal::{Journal, MemoryJournal, OutboxCounts};
/// # tokio_test_block_on(async {
/// let j = MemoryJournal::new();
/// assert_eq!(j.outbox_counts().await.unwrap(), OutboxCounts::default());
/// # });
/// # fn tokio_test_block_on<F: std::future::Future>(f: F) -> F::Output {
/// #     futures::executor::block_on(f)
/// # }
/// ```
#[derive(Debug, Default)]
pub struct MemoryJournal {
    inner: Mutex<Inner>,
}

#[derive(Debug, Default)]
struct Inner {
    received: Vec<ReceivedRecord>,
    dedup: HashSet<DedupKey>,
    states: BTreeMap<InvoiceKey, StoredState>,
    audit: Vec<AuditEntry>,
    outbox: BTreeMap<OutboxId, Row>,
    pending: BTreeMap<PendingId, PendingRow>,
    cursors: HashMap<String, String>,
    next_id: i64,
}

#[derive(Debug, Clone)]
struct Row {
    item: OutboxItem,
    leased_until: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone)]
struct PendingRow {
    item: PendingItem,
    due: DateTime<Utc>,
    leased_until: Option<DateTime<Utc>>,
}

impl MemoryJournal {
    /// An empty journal.
    pub fn new() -> Self {
        Self::default()
    }

    /// Every received request, in commit order.
    pub fn received(&self) -> Vec<ReceivedRecord> {
        self.lock().received.clone()
    }

    /// Tampers with audit entry `seq` (tests of `verify_chain`).
    #[doc(hidden)]
    pub fn tamper_audit(&self, seq: u64, f: impl FnOnce(&mut AuditEntry)) {
        let mut g = self.lock();
        if let Some(e) = g.audit.iter_mut().find(|e| e.seq == seq) {
            f(e);
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        // A panic while holding the lock cannot leave a half-applied batch: every
        // mutation below validates first and then applies infallibly.
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl Inner {
    fn seal(&mut self, record: AuditRecord) -> u64 {
        let (seq, prev) = self
            .audit
            .last()
            .map(|e| (e.seq + 1, e.hash))
            .unwrap_or((1, ChainHash::GENESIS));
        self.audit.push(AuditEntry::seal(seq, prev, record));
        seq
    }

    fn id(&mut self) -> i64 {
        self.next_id += 1;
        self.next_id
    }

    fn row_mut(&mut self, id: OutboxId) -> Result<&mut Row, JournalError> {
        self.outbox
            .get_mut(&id)
            .ok_or_else(|| JournalError::NotFound(format!("outbox item {id}")))
    }
}

#[async_trait]
impl Journal for MemoryJournal {
    async fn commit(&self, batch: CommitBatch) -> Result<CommitReceipt, JournalError> {
        let mut g = self.lock();
        // Validate everything first, so the batch is all or nothing.
        let mut batch_keys = HashSet::new();
        for k in &batch.dedup {
            if g.dedup.contains(k) || !batch_keys.insert(k) {
                return Err(JournalError::Duplicate);
            }
        }
        for w in &batch.states {
            let stored = g.states.get(&w.state.key).map(|s| s.revision);
            if stored != w.expected_revision {
                return Err(JournalError::Conflict);
            }
        }
        if let Some(id) = batch.resolves_pending {
            if !g.pending.contains_key(&id) {
                return Err(JournalError::NotFound(format!("pending reference {id}")));
            }
        }
        if let Some(r) = batch.received {
            g.received.push(r);
        }
        g.dedup.extend(batch.dedup);
        for w in batch.states {
            let revision = w.expected_revision.map_or(1, |r| r + 1);
            g.states.insert(
                w.state.key.clone(),
                StoredState {
                    state: w.state,
                    revision,
                },
            );
        }
        let mut last_audit_seq = 0;
        for a in batch.audit {
            last_audit_seq = g.seal(a);
        }
        let outbox_rows = batch.outbox.len();
        for update in batch.outbox {
            let id = g.id();
            let now = update.time;
            g.outbox.insert(
                id,
                Row {
                    item: OutboxItem {
                        id,
                        update,
                        attempts: 0,
                        status: OutboxStatus::Pending,
                        last_error: None,
                        next_attempt_at: now,
                        created_at: now,
                    },
                    leased_until: None,
                },
            );
        }
        for reference in batch.pending {
            let id = g.id();
            let due = reference.received_at;
            g.pending.insert(
                id,
                PendingRow {
                    item: PendingItem {
                        id,
                        reference,
                        attempts: 0,
                    },
                    due,
                    leased_until: None,
                },
            );
        }
        if let Some(id) = batch.resolves_pending {
            g.pending.remove(&id);
        }
        for (k, v) in batch.cursors {
            g.cursors.insert(k, v);
        }
        Ok(CommitReceipt {
            last_audit_seq,
            outbox_rows,
        })
    }

    async fn is_duplicate(&self, key: &DedupKey) -> Result<bool, JournalError> {
        Ok(self.lock().dedup.contains(key))
    }

    async fn load(&self, key: &InvoiceKey) -> Result<Option<StoredState>, JournalError> {
        Ok(self.lock().states.get(key).cloned())
    }

    async fn find_by_number(
        &self,
        platform: Platform,
        tenant: &TenantId,
        number: &str,
    ) -> Result<Option<InvoiceKey>, JournalError> {
        let g = self.lock();
        Ok(g.states
            .iter()
            .find(|(k, s)| {
                k.platform == platform
                    && k.tenant == *tenant
                    && s.state.number.as_deref() == Some(number)
            })
            .map(|(k, _)| k.clone()))
    }

    async fn list_states(
        &self,
        filter: &StateFilter,
        after: Option<&InvoiceKey>,
        limit: usize,
    ) -> Result<Vec<InvoiceState>, JournalError> {
        let g = self.lock();
        let range = match after {
            Some(k) => g.states.range((
                std::ops::Bound::Excluded(k.clone()),
                std::ops::Bound::Unbounded,
            )),
            None => g.states.range(..),
        };
        Ok(range
            .map(|(_, s)| &s.state)
            .filter(|s| state_matches(s, filter))
            .take(limit)
            .cloned()
            .collect())
    }

    async fn claim(
        &self,
        limit: usize,
        now: DateTime<Utc>,
        lease: Duration,
    ) -> Result<Vec<OutboxItem>, JournalError> {
        let mut g = self.lock();
        let lease = chrono::Duration::from_std(lease).unwrap_or(chrono::Duration::MAX);
        // The head of each invoice: its lowest-sequence pending item.
        let mut heads: BTreeMap<&str, &Row> = BTreeMap::new();
        for row in g.outbox.values() {
            if row.item.status != OutboxStatus::Pending {
                continue;
            }
            let subject = row.item.update.subject.as_str();
            match heads.get(subject) {
                Some(h) if h.item.update.data.sequence <= row.item.update.data.sequence => {}
                _ => {
                    heads.insert(subject, row);
                }
            }
        }
        // No item of an invoice while another of its items is under lease (a replayed
        // lower sequence must wait for the leased one).
        let leased: HashSet<&str> = g
            .outbox
            .values()
            .filter(|r| r.item.status == OutboxStatus::Pending)
            .filter(|r| r.leased_until.is_some_and(|l| l > now))
            .map(|r| r.item.update.subject.as_str())
            .collect();
        let mut due: Vec<(DateTime<Utc>, OutboxId)> = heads
            .values()
            .filter(|r| !leased.contains(r.item.update.subject.as_str()))
            .filter(|r| r.item.next_attempt_at <= now)
            .filter(|r| r.leased_until.is_none_or(|l| l <= now))
            .map(|r| (r.item.next_attempt_at, r.item.id))
            .collect();
        due.sort();
        due.truncate(limit);
        let mut out = Vec::with_capacity(due.len());
        for (_, id) in due {
            let row = g.row_mut(id)?;
            row.leased_until = Some(
                now.checked_add_signed(lease)
                    .unwrap_or(DateTime::<Utc>::MAX_UTC),
            );
            out.push(row.item.clone());
        }
        Ok(out)
    }

    async fn complete(
        &self,
        id: OutboxId,
        _receipt: &Receipt,
        audit: AuditRecord,
    ) -> Result<(), JournalError> {
        let mut g = self.lock();
        let row = g.row_mut(id)?;
        row.item.status = OutboxStatus::Delivered;
        row.item.attempts = row.item.attempts.saturating_add(1);
        row.leased_until = None;
        g.seal(audit);
        Ok(())
    }

    async fn fail(
        &self,
        id: OutboxId,
        error: &str,
        retry_at: DateTime<Utc>,
    ) -> Result<(), JournalError> {
        let mut g = self.lock();
        let row = g.row_mut(id)?;
        row.item.attempts = row.item.attempts.saturating_add(1);
        row.item.last_error = Some(error.to_owned());
        row.item.next_attempt_at = retry_at;
        row.leased_until = None;
        Ok(())
    }

    async fn dead_letter(
        &self,
        id: OutboxId,
        error: &str,
        audit: AuditRecord,
    ) -> Result<(), JournalError> {
        let mut g = self.lock();
        let row = g.row_mut(id)?;
        row.item.status = OutboxStatus::DeadLetter;
        row.item.attempts = row.item.attempts.saturating_add(1);
        row.item.last_error = Some(error.to_owned());
        row.leased_until = None;
        g.seal(audit);
        Ok(())
    }

    async fn replay(&self, filter: &ReplayFilter, now: DateTime<Utc>) -> Result<u64, JournalError> {
        let mut g = self.lock();
        let ids: Vec<OutboxId> = g
            .outbox
            .values()
            .filter(|r| r.item.status == OutboxStatus::DeadLetter)
            .filter(|r| replay_matches(&r.item, filter))
            .map(|r| r.item.id)
            .collect();
        for id in &ids {
            let row = g.row_mut(*id)?;
            row.item.status = OutboxStatus::Pending;
            row.item.attempts = 0;
            row.item.next_attempt_at = now;
            let record = replay_record(&row.item, now);
            g.seal(record);
        }
        Ok(ids.len() as u64)
    }

    async fn outbox(
        &self,
        status: OutboxStatus,
        limit: usize,
    ) -> Result<Vec<OutboxItem>, JournalError> {
        let g = self.lock();
        Ok(g.outbox
            .values()
            .filter(|r| r.item.status == status)
            .take(limit)
            .map(|r| r.item.clone())
            .collect())
    }

    async fn outbox_counts(&self) -> Result<OutboxCounts, JournalError> {
        let g = self.lock();
        let mut c = OutboxCounts::default();
        for r in g.outbox.values() {
            match r.item.status {
                OutboxStatus::Pending => c.pending += 1,
                OutboxStatus::Delivered => c.delivered += 1,
                OutboxStatus::DeadLetter => c.dead_letter += 1,
            }
        }
        Ok(c)
    }

    async fn claim_pending(
        &self,
        limit: usize,
        now: DateTime<Utc>,
        lease: Duration,
    ) -> Result<Vec<PendingItem>, JournalError> {
        let mut g = self.lock();
        let lease = chrono::Duration::from_std(lease).unwrap_or(chrono::Duration::MAX);
        let mut out = Vec::new();
        for row in g.pending.values_mut() {
            if out.len() >= limit {
                break;
            }
            if row.due <= now && row.leased_until.is_none_or(|l| l <= now) {
                row.leased_until = Some(
                    now.checked_add_signed(lease)
                        .unwrap_or(DateTime::<Utc>::MAX_UTC),
                );
                out.push(row.item.clone());
            }
        }
        Ok(out)
    }

    async fn fail_pending(
        &self,
        id: PendingId,
        error: &str,
        retry_at: DateTime<Utc>,
    ) -> Result<(), JournalError> {
        let mut g = self.lock();
        let row = g
            .pending
            .get_mut(&id)
            .ok_or_else(|| JournalError::NotFound(format!("pending reference {id}")))?;
        row.item.attempts = row.item.attempts.saturating_add(1);
        row.due = retry_at;
        row.leased_until = None;
        tracing::debug!(id, error, "enrichment attempt failed");
        Ok(())
    }

    async fn audit(&self, filter: &AuditFilter) -> Result<Vec<AuditEntry>, JournalError> {
        let g = self.lock();
        let it = g.audit.iter().filter(|e| audit_matches(e, filter)).cloned();
        Ok(if filter.limit == 0 {
            it.collect()
        } else {
            it.take(filter.limit).collect()
        })
    }

    async fn verify_chain(&self) -> Result<ChainReport, JournalError> {
        let g = self.lock();
        Ok(verify_chain(g.audit.iter())?)
    }

    async fn cursor(&self, name: &str) -> Result<Option<String>, JournalError> {
        Ok(self.lock().cursors.get(name).cloned())
    }
}

/// True when `state` passes `filter` (shared by the stores that filter in Rust).
pub fn state_matches(state: &InvoiceState, filter: &StateFilter) -> bool {
    if let Some(c) = &filter.customer {
        if state.customer.account() != c {
            return false;
        }
    }
    !filter.owed_only || matches!(state.lifecycle, Lifecycle::Open | Lifecycle::PartiallyPaid)
}

/// True when a dead letter passes `filter`.
pub fn replay_matches(item: &OutboxItem, filter: &ReplayFilter) -> bool {
    (filter.ids.is_empty() || filter.ids.contains(&item.id))
        && filter.since.is_none_or(|s| item.created_at >= s)
        && filter.until.is_none_or(|u| item.created_at < u)
}

/// The audit record of a replay.
pub fn replay_record(item: &OutboxItem, now: DateTime<Utc>) -> AuditRecord {
    AuditRecord {
        at: now,
        action: AuditAction::Replayed,
        platform: Some(item.update.data.event.platform),
        tenant: None,
        invoice: Some(item.update.subject.clone()),
        customer: Some(item.update.data.invoice.customer.clone()),
        reference: Some(item.update.id.clone()),
        detail: format!("sequence {}", item.update.data.sequence),
    }
}

/// True when an audit entry passes `filter`.
pub fn audit_matches(e: &AuditEntry, filter: &AuditFilter) -> bool {
    filter.from.is_none_or(|f| e.record.at >= f)
        && filter.to.is_none_or(|t| e.record.at < t)
        && filter.after_seq.is_none_or(|s| e.seq > s)
        && filter
            .customer
            .as_ref()
            .is_none_or(|c| e.record.customer.as_deref() == Some(c.as_str()))
}
