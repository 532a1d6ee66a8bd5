//! The tamper-evident audit log: each entry's hash is SHA-256 over the previous hash and
//! the entry's canonical bytes, so changing, removing or reordering any entry breaks every
//! hash after it, and [`verify_chain`] names the first entry that no longer fits.

use std::fmt;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::Platform;

/// What an audit entry records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum AuditAction {
    /// A request was verified and committed.
    Received,
    /// An event changed an invoice.
    Applied,
    /// An event changed nothing (duplicate, stale, no change, absorbed).
    Ignored,
    /// An event was recorded but not applied (payment on a void invoice).
    Anomaly,
    /// The source recognised an event it does not map (unsupported type, heartbeat).
    Skipped,
    /// A thin reference was stored for enrichment.
    Pending,
    /// Enrichment or postback verification refused an event (PayPal INVALID).
    Rejected,
    /// The portal accepted an update.
    Delivered,
    /// An update gave up after a permanent failure or too many attempts.
    DeadLettered,
    /// An update was queued again by an operator.
    Replayed,
    /// Older entries were archived; this entry carries the chain forward.
    Checkpoint,
}

impl AuditAction {
    /// The snake_case word.
    pub fn as_str(&self) -> &'static str {
        match self {
            AuditAction::Received => "received",
            AuditAction::Applied => "applied",
            AuditAction::Ignored => "ignored",
            AuditAction::Anomaly => "anomaly",
            AuditAction::Skipped => "skipped",
            AuditAction::Pending => "pending",
            AuditAction::Rejected => "rejected",
            AuditAction::Delivered => "delivered",
            AuditAction::DeadLettered => "dead_lettered",
            AuditAction::Replayed => "replayed",
            AuditAction::Checkpoint => "checkpoint",
        }
    }
}

/// The content of an audit entry, before it is sealed into the chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditRecord {
    /// When (our clock).
    #[serde(serialize_with = "crate::serde_time::datetime")]
    pub at: DateTime<Utc>,
    /// What.
    pub action: AuditAction,
    /// Source platform.
    pub platform: Option<Platform>,
    /// Tenant.
    pub tenant: Option<String>,
    /// Canonical invoice id.
    pub invoice: Option<String>,
    /// Portal account of the customer, for per-customer exports.
    pub customer: Option<String>,
    /// Platform event id or outbox update id.
    pub reference: Option<String>,
    /// Event kind, outcome and reason, in words.
    pub detail: String,
}

impl AuditRecord {
    /// A record with only the action and detail set.
    pub fn new(at: DateTime<Utc>, action: AuditAction, detail: impl Into<String>) -> Self {
        AuditRecord {
            at,
            action,
            platform: None,
            tenant: None,
            invoice: None,
            customer: None,
            reference: None,
            detail: detail.into(),
        }
    }
}

/// A 32-byte SHA-256, printed as hex.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct ChainHash(pub [u8; 32]);

impl ChainHash {
    /// The hash before the first entry.
    pub const GENESIS: ChainHash = ChainHash([0; 32]);

    /// Parses 64 hex digits.
    pub fn from_hex(s: &str) -> Option<Self> {
        let mut out = [0u8; 32];
        hex::decode_to_slice(s, &mut out).ok()?;
        Some(ChainHash(out))
    }
}

impl fmt::Display for ChainHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&hex::encode(self.0))
    }
}

impl fmt::Debug for ChainHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ChainHash({self})")
    }
}

impl Serialize for ChainHash {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_string())
    }
}

impl<'de> Deserialize<'de> for ChainHash {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        ChainHash::from_hex(&s).ok_or_else(|| serde::de::Error::custom("bad chain hash"))
    }
}

/// A sealed entry of the chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntry {
    /// Position in the chain, from 1, without gaps.
    pub seq: u64,
    /// The previous entry's hash (or the checkpoint's anchor).
    pub prev_hash: ChainHash,
    /// SHA-256(prev_hash || canonical bytes of (seq, record)).
    pub hash: ChainHash,
    /// The content.
    #[serde(flatten)]
    pub record: AuditRecord,
}

impl AuditEntry {
    /// Seals `record` as entry `seq` after `prev_hash`.
    pub fn seal(seq: u64, prev_hash: ChainHash, record: AuditRecord) -> Self {
        let hash = entry_hash(seq, &prev_hash, &record);
        AuditEntry {
            seq,
            prev_hash,
            hash,
            record,
        }
    }

    /// [`seal`](Self::seal) for a caller that already holds the record's JSON
    /// (`serde_json::to_vec(&record)`, as a store keeps it), so the record is not
    /// serialized a second time. A `record_json` that is not exactly that JSON gives an
    /// entry that fails [`verify_chain`], never a silently different chain.
    ///
    /// ```
    /// use invoice_core::audit::{AuditAction, AuditEntry, AuditRecord, ChainHash};
    /// use chrono::Utc;
    /// let record = AuditRecord::new(Utc::now(), AuditAction::Received, "a");
    /// let json = serde_json::to_vec(&record).unwrap();
    /// let a = AuditEntry::seal_serialized(1, ChainHash::GENESIS, record.clone(), &json);
    /// assert_eq!(a, AuditEntry::seal(1, ChainHash::GENESIS, record));
    /// ```
    pub fn seal_serialized(
        seq: u64,
        prev_hash: ChainHash,
        record: AuditRecord,
        record_json: &[u8],
    ) -> Self {
        AuditEntry {
            seq,
            prev_hash,
            hash: hash_record_json(seq, &prev_hash, record_json),
            record,
        }
    }

    /// The bytes the hash covers besides the previous hash: canonical JSON of
    /// `[seq, record]` (serde's fixed field order).
    pub fn canonical_bytes(seq: u64, record: &AuditRecord) -> Vec<u8> {
        serde_json::to_vec(&(seq, record)).unwrap_or_default()
    }
}

fn entry_hash(seq: u64, prev: &ChainHash, record: &AuditRecord) -> ChainHash {
    let mut h = Sha256::new();
    h.update(prev.0);
    h.update(AuditEntry::canonical_bytes(seq, record));
    ChainHash(h.finalize().into())
}

/// The same hash as [`entry_hash`] from the record's JSON: the canonical bytes of
/// `(seq, record)` are `[`, the decimal `seq`, `,`, the record's JSON and `]`.
fn hash_record_json(seq: u64, prev: &ChainHash, record_json: &[u8]) -> ChainHash {
    let mut h = Sha256::new();
    h.update(prev.0);
    h.update(b"[");
    h.update(itoa::Buffer::new().format(seq).as_bytes());
    h.update(b",");
    h.update(record_json);
    h.update(b"]");
    ChainHash(h.finalize().into())
}

/// Where a chain stops being what it claims.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ChainError {
    /// The entry's content does not hash to its stored hash: it was edited.
    #[error("audit entry {seq} was altered: content does not match its hash")]
    Altered {
        /// The first bad entry.
        seq: u64,
    },
    /// The entry does not point at the previous entry's hash: one was removed or
    /// reordered.
    #[error("audit entry {seq} does not follow the entry before it")]
    BrokenLink {
        /// The first bad entry.
        seq: u64,
    },
    /// Sequence numbers jump.
    #[error("audit sequence jumps from {after} to {seq}")]
    Gap {
        /// Last good entry.
        after: u64,
        /// The entry after the gap.
        seq: u64,
    },
}

impl ChainError {
    /// The first entry that fails.
    pub fn seq(&self) -> u64 {
        match self {
            ChainError::Altered { seq }
            | ChainError::BrokenLink { seq }
            | ChainError::Gap { seq, .. } => *seq,
        }
    }
}

/// What a successful verification covered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChainReport {
    /// Entries checked.
    pub entries: u64,
    /// First sequence checked.
    pub first_seq: u64,
    /// Last sequence checked.
    pub last_seq: u64,
    /// The head hash.
    pub head: ChainHash,
}

/// Incremental verifier: feed entries in sequence order.
#[derive(Debug, Clone, Default)]
pub struct ChainVerifier {
    prev: Option<(u64, ChainHash)>,
    first: u64,
    count: u64,
}

impl ChainVerifier {
    /// A verifier expecting the chain to start at genesis or at a checkpoint.
    pub fn new() -> Self {
        Self::default()
    }

    /// Checks the next entry.
    pub fn push(&mut self, e: &AuditEntry) -> Result<(), ChainError> {
        if entry_hash(e.seq, &e.prev_hash, &e.record) != e.hash {
            return Err(ChainError::Altered { seq: e.seq });
        }
        match self.prev {
            None => {
                let anchored = e.prev_hash == ChainHash::GENESIS && e.seq == 1;
                if !anchored && e.record.action != AuditAction::Checkpoint {
                    return Err(ChainError::BrokenLink { seq: e.seq });
                }
                self.first = e.seq;
            }
            Some((seq, hash)) => {
                if e.seq != seq + 1 {
                    return Err(ChainError::Gap {
                        after: seq,
                        seq: e.seq,
                    });
                }
                if e.prev_hash != hash {
                    return Err(ChainError::BrokenLink { seq: e.seq });
                }
            }
        }
        self.prev = Some((e.seq, e.hash));
        self.count += 1;
        Ok(())
    }

    /// The report after the last entry.
    pub fn finish(self) -> ChainReport {
        let (last_seq, head) = self.prev.unwrap_or((0, ChainHash::GENESIS));
        ChainReport {
            entries: self.count,
            first_seq: self.first,
            last_seq,
            head,
        }
    }
}

/// Verifies a whole chain, naming the first entry that fails.
///
/// ```
/// use invoice_core::audit::{verify_chain, AuditAction, AuditEntry, AuditRecord, ChainHash};
/// use chrono::Utc;
/// let a = AuditEntry::seal(1, ChainHash::GENESIS, AuditRecord::new(Utc::now(), AuditAction::Received, "a"));
/// let mut b = AuditEntry::seal(2, a.hash, AuditRecord::new(Utc::now(), AuditAction::Applied, "b"));
/// assert!(verify_chain([&a, &b]).is_ok());
/// b.record.detail = "forged".into();
/// assert_eq!(verify_chain([&a, &b]).unwrap_err().seq(), 2);
/// ```
pub fn verify_chain<'a>(
    entries: impl IntoIterator<Item = &'a AuditEntry>,
) -> Result<ChainReport, ChainError> {
    let mut v = ChainVerifier::new();
    for e in entries {
        v.push(e)?;
    }
    Ok(v.finish())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use chrono::{TimeZone, Utc};
    use proptest::prelude::*;

    proptest! {
        /// Sealing from the stored JSON gives the very entry `seal` gives, for any
        /// sequence number and any detail text (escapes, non-ASCII, control characters).
        #[test]
        fn seal_serialized_equals_seal(seq in any::<u64>(), detail in ".{0,40}", prev in any::<[u8; 32]>()) {
            let record = AuditRecord {
                customer: Some("cus_ä\"\n".into()),
                ..AuditRecord::new(Utc.timestamp_opt(1_767_225_600, 7).unwrap(), AuditAction::Applied, detail)
            };
            let json = serde_json::to_vec(&record).unwrap();
            let a = AuditEntry::seal_serialized(seq, ChainHash(prev), record.clone(), &json);
            prop_assert_eq!(a, AuditEntry::seal(seq, ChainHash(prev), record));
        }
    }

    #[test]
    fn other_json_than_the_records_fails_verification() {
        let record = AuditRecord::new(Utc::now(), AuditAction::Received, "a");
        let other =
            serde_json::to_vec(&AuditRecord::new(Utc::now(), AuditAction::Received, "b")).unwrap();
        let e = AuditEntry::seal_serialized(1, ChainHash::GENESIS, record, &other);
        assert_eq!(verify_chain([&e]), Err(ChainError::Altered { seq: 1 }));
    }
}
