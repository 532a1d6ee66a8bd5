//! The shared `Journal` behaviour suite: every journal (in-memory, SQLite, PostgreSQL) runs
//! the same cases, each a named test, through [`journal_suite!`](crate::journal_suite).
//!
//! Each case is a `pub async fn` taking a fresh, empty journal, so a store can also call
//! one directly (for instance after a restart). The cases use fixed instants (from
//! 2026-01-15T00:00:00Z), never the wall clock, and assert the contract written on
//! [`Journal`]: atomic commits, whole-batch duplicate and conflict rejection, the claim
//! order, leases, dead letters and replays, the audit chain, pending references, cursors
//! and the state queries.
//!
//! ```ignore
//! use std::sync::Arc;
//! use invoice_core::journal::{Journal, MemoryJournal};
//! invoice_core::journal_suite!(|| async { Arc::new(MemoryJournal::new()) as Arc<dyn Journal> });
//! ```

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use chrono::{DateTime, TimeZone, Utc};

use crate::audit::{AuditAction, AuditEntry, AuditRecord, ChainHash};
use crate::journal::{
    AuditFilter, CommitBatch, Journal, JournalError, OutboxCounts, OutboxItem, OutboxStatus,
    ReceivedRecord, ReplayFilter, StateFilter, StateWrite, StoredState,
};
use crate::{
    Customer, DedupKey, EventKind, InvoiceEvent, InvoiceKey, InvoiceState, Lifecycle, Platform,
    PortalUpdate, Receipt, TenantId, ThinReference,
};

/// Expands to one `#[tokio::test]` per case of this suite, each on a fresh journal made by
/// `$factory`: an `async { .. }` block, or a closure returning a future, that yields an
/// `Arc<dyn Journal>`. The calling crate needs `tokio` (with `macros` and `rt`) as a
/// dev-dependency.
///
/// ```ignore
/// invoice_core::journal_suite!(|| async {
///     Arc::new(MyJournal::open_temporary().unwrap()) as Arc<dyn Journal>
/// });
/// ```
#[macro_export]
macro_rules! journal_suite {
    (async move $body:block) => {
        $crate::journal_suite!(|| async move $body);
    };
    (async $body:block) => {
        $crate::journal_suite!(|| async $body);
    };
    ($factory:expr) => {
        $crate::journal_suite!(@cases $factory;
            journal_commit_is_atomic,
            journal_duplicate_rejected_whole_batch,
            journal_conflict_on_stale_revision,
            journal_concurrent_commits_fail_alone,
            journal_claim_one_per_invoice_in_sequence,
            journal_claim_skips_invoice_with_leased_item,
            journal_lease_expiry_returns_claim,
            journal_dead_letter_and_replay,
            journal_outbox_listing_and_counts,
            journal_unknown_ids_not_found,
            journal_audit_chain_continues,
            journal_audit_filter,
            journal_pending_claim_fail_resolve,
            journal_cursor_roundtrip,
            journal_find_by_number,
            journal_list_states_filter_and_paging,
        );
    };
    (@cases $factory:expr; $($case:ident,)*) => {
        $(
            #[tokio::test]
            async fn $case() {
                let journal: ::std::sync::Arc<dyn $crate::journal::Journal> = ($factory)().await;
                $crate::testing::journal::$case(journal).await;
            }
        )*
    };
}

// ---------------------------------------------------------------------------------------
// Fixtures
// ---------------------------------------------------------------------------------------

const TENANT: &str = "acct_1";
const LEASE: Duration = Duration::from_secs(60);
const LONG_LEASE: Duration = Duration::from_secs(3600);

/// 2026-01-15T00:00:00Z plus `secs` seconds.
pub fn at(secs: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 1, 15, 0, 0, 0)
        .single()
        .unwrap_or(DateTime::<Utc>::UNIX_EPOCH)
        + chrono::Duration::seconds(secs)
}

fn key(id: &str) -> InvoiceKey {
    InvoiceKey::new(Platform::Stripe, TENANT, id)
}

fn dedup(event_id: &str) -> DedupKey {
    DedupKey {
        platform: Platform::Stripe,
        tenant: TenantId(TENANT.into()),
        event_id: event_id.into(),
    }
}

fn state_of(key: InvoiceKey, customer: &str, number: Option<&str>, lc: Lifecycle) -> InvoiceState {
    let mut s = InvoiceState::empty(key);
    s.customer = Customer {
        platform_id: customer.into(),
        name: Some(format!("{customer} GmbH")),
        portal_account: None,
    };
    s.number = number.map(str::to_owned);
    s.lifecycle = lc;
    s.version = 1;
    s
}

fn state(id: &str, customer: &str, number: Option<&str>, lc: Lifecycle) -> InvoiceState {
    state_of(key(id), customer, number, lc)
}

fn new_state(s: &InvoiceState) -> StateWrite {
    StateWrite {
        state: s.clone(),
        expected_revision: None,
    }
}

/// An outbox update for invoice `id`, sequence `seq`, made at `time`.
fn update(id: &str, seq: u64, time: DateTime<Utc>) -> PortalUpdate {
    let mut s = state(id, "cust_a", Some(&format!("INV-{id}")), Lifecycle::Open);
    s.version = seq;
    let event = InvoiceEvent::new(key(id), EventKind::Issued, time, format!("evt_{id}_{seq}"));
    PortalUpdate::from_transition(&s, &event, time)
}

fn record(time: DateTime<Utc>, action: AuditAction, customer: Option<&str>) -> AuditRecord {
    AuditRecord {
        platform: Some(Platform::Stripe),
        tenant: Some(TENANT.into()),
        customer: customer.map(str::to_owned),
        ..AuditRecord::new(time, action, format!("{} at {}", action.as_str(), time))
    }
}

fn thin(event_id: &str, received: DateTime<Utc>) -> ThinReference {
    ThinReference {
        platform: Platform::Xero,
        tenant: TenantId("tenant_x".into()),
        event_id: event_id.into(),
        entity: "Invoice".into(),
        entity_id: format!("inv-{event_id}"),
        operation: "UPDATE".into(),
        resource_url: Some(format!(
            "https://api.xero.com/api.xro/2.0/Invoices/{event_id}"
        )),
        occurred_at: received - chrono::Duration::seconds(2),
        received_at: received,
        raw: Some(Bytes::from_static(b"{\"events\":[]}")),
    }
}

fn received(time: DateTime<Utc>) -> ReceivedRecord {
    ReceivedRecord {
        platform: Platform::Stripe,
        tenant: TENANT.into(),
        received_at: time,
        headers: vec![
            ("content-type".into(), "application/json".into()),
            ("stripe-signature".into(), "[redacted]".into()),
        ],
        body: Bytes::from_static(b"{\"id\":\"evt_1\",\"type\":\"invoice.paid\"}"),
    }
}

fn receipt() -> Receipt {
    Receipt {
        status: 200,
        duplicate: false,
    }
}

async fn commit_outbox(j: &Arc<dyn Journal>, updates: Vec<PortalUpdate>) {
    j.commit(CommitBatch {
        outbox: updates,
        ..CommitBatch::default()
    })
    .await
    .expect("committing outbox rows");
}

async fn all_audit(j: &Arc<dyn Journal>) -> Vec<AuditEntry> {
    j.audit(&AuditFilter::default())
        .await
        .expect("reading audit")
}

fn seqs_of(items: &[OutboxItem]) -> Vec<(String, u64)> {
    items
        .iter()
        .map(|i| (i.update.subject.clone(), i.update.data.sequence))
        .collect()
}

fn subject(id: &str) -> String {
    key(id).to_string()
}

// ---------------------------------------------------------------------------------------
// Cases
// ---------------------------------------------------------------------------------------

/// Everything in a batch is stored together; a batch failing its last check stores
/// nothing at all.
pub async fn journal_commit_is_atomic(j: Arc<dyn Journal>) {
    let s1 = state("inv_1", "cust_a", Some("INV-1"), Lifecycle::Open);
    let batch = CommitBatch {
        received: Some(received(at(0))),
        dedup: vec![dedup("evt_1")],
        states: vec![new_state(&s1)],
        audit: vec![
            record(at(0), AuditAction::Received, None),
            record(at(0), AuditAction::Applied, Some("cust_a")),
        ],
        outbox: vec![update("inv_1", 1, at(0))],
        pending: vec![thin("evt_p1", at(0))],
        resolves_pending: None,
        cursors: vec![("qbd:last_sync".into(), "c1".into())],
    };
    let r = j.commit(batch).await.expect("first commit");
    assert_eq!(r.last_audit_seq, 2, "receipt names the last audit entry");
    assert_eq!(r.outbox_rows, 1);
    assert!(j.is_duplicate(&dedup("evt_1")).await.expect("dedup read"));
    assert_eq!(
        j.load(&key("inv_1")).await.expect("load"),
        Some(StoredState {
            state: s1.clone(),
            revision: 1
        }),
        "the state round-trips exactly"
    );
    assert_eq!(j.outbox_counts().await.expect("counts").pending, 1);
    assert_eq!(
        j.cursor("qbd:last_sync").await.expect("cursor").as_deref(),
        Some("c1")
    );
    assert_eq!(all_audit(&j).await.len(), 2);

    // The second batch fails on its last state write (stale revision): nothing of it stays.
    let s2 = state("inv_2", "cust_b", Some("INV-2"), Lifecycle::Open);
    let mut s1b = s1.clone();
    s1b.lifecycle = Lifecycle::Paid;
    let bad = CommitBatch {
        received: Some(received(at(5))),
        dedup: vec![dedup("evt_2")],
        states: vec![
            new_state(&s2),
            StateWrite {
                state: s1b,
                expected_revision: Some(7),
            },
        ],
        audit: vec![record(at(5), AuditAction::Applied, Some("cust_b"))],
        outbox: vec![update("inv_2", 1, at(5))],
        pending: vec![thin("evt_p2", at(5))],
        resolves_pending: None,
        cursors: vec![("qbd:last_sync".into(), "c2".into())],
    };
    assert_eq!(j.commit(bad).await, Err(JournalError::Conflict));
    assert!(!j.is_duplicate(&dedup("evt_2")).await.expect("dedup read"));
    assert_eq!(j.load(&key("inv_2")).await.expect("load"), None);
    assert_eq!(
        j.load(&key("inv_1"))
            .await
            .expect("load")
            .map(|s| s.revision),
        Some(1)
    );
    assert_eq!(
        j.outbox_counts().await.expect("counts"),
        OutboxCounts {
            pending: 1,
            ..OutboxCounts::default()
        }
    );
    assert_eq!(
        all_audit(&j).await.len(),
        2,
        "no audit entry of the failed batch"
    );
    assert_eq!(
        j.cursor("qbd:last_sync").await.expect("cursor").as_deref(),
        Some("c1")
    );
    let pending = j
        .claim_pending(10, at(600), LEASE)
        .await
        .expect("claim pending");
    let ids: Vec<&str> = pending
        .iter()
        .map(|p| p.reference.event_id.as_str())
        .collect();
    assert_eq!(
        ids,
        ["evt_p1"],
        "only the committed batch's pending reference"
    );
    assert_eq!(j.verify_chain().await.expect("chain").entries, 2);
}

/// A batch with any dedup key already stored (or twice in itself) fails whole.
pub async fn journal_duplicate_rejected_whole_batch(j: Arc<dyn Journal>) {
    let s1 = state("inv_1", "cust_a", None, Lifecycle::Open);
    j.commit(CommitBatch {
        dedup: vec![dedup("evt_1")],
        states: vec![new_state(&s1)],
        audit: vec![record(at(0), AuditAction::Applied, Some("cust_a"))],
        outbox: vec![update("inv_1", 1, at(0))],
        ..CommitBatch::default()
    })
    .await
    .expect("first commit");

    let s2 = state("inv_2", "cust_a", None, Lifecycle::Open);
    let again = CommitBatch {
        received: Some(received(at(1))),
        dedup: vec![dedup("evt_2"), dedup("evt_1")],
        states: vec![new_state(&s2)],
        audit: vec![record(at(1), AuditAction::Applied, Some("cust_a"))],
        outbox: vec![update("inv_2", 1, at(1))],
        cursors: vec![("c".into(), "v".into())],
        ..CommitBatch::default()
    };
    assert_eq!(j.commit(again).await, Err(JournalError::Duplicate));
    assert!(
        !j.is_duplicate(&dedup("evt_2")).await.expect("dedup read"),
        "the batch's fresh key is not kept"
    );
    assert_eq!(j.load(&key("inv_2")).await.expect("load"), None);
    assert_eq!(j.outbox_counts().await.expect("counts").pending, 1);
    assert_eq!(all_audit(&j).await.len(), 1);
    assert_eq!(j.cursor("c").await.expect("cursor"), None);

    let twice = CommitBatch {
        dedup: vec![dedup("evt_3"), dedup("evt_3")],
        audit: vec![record(at(2), AuditAction::Skipped, None)],
        ..CommitBatch::default()
    };
    assert_eq!(j.commit(twice).await, Err(JournalError::Duplicate));
    assert!(!j.is_duplicate(&dedup("evt_3")).await.expect("dedup read"));

    // Keys are scoped by platform and tenant.
    let other_tenant = DedupKey {
        tenant: TenantId("acct_2".into()),
        ..dedup("evt_1")
    };
    assert!(!j.is_duplicate(&other_tenant).await.expect("dedup read"));
    j.commit(CommitBatch {
        dedup: vec![other_tenant.clone(), dedup("evt_2")],
        ..CommitBatch::default()
    })
    .await
    .expect("the same event id on another tenant is new");
    assert!(j.is_duplicate(&other_tenant).await.expect("dedup read"));
    assert!(j.is_duplicate(&dedup("evt_2")).await.expect("dedup read"));
}

/// Optimistic concurrency: a write must name the revision it was computed from.
pub async fn journal_conflict_on_stale_revision(j: Arc<dyn Journal>) {
    let s = state("inv_1", "cust_a", Some("INV-1"), Lifecycle::Open);
    let write = |state: &InvoiceState, expected: Option<u64>| CommitBatch {
        states: vec![StateWrite {
            state: state.clone(),
            expected_revision: expected,
        }],
        ..CommitBatch::default()
    };
    assert_eq!(
        j.commit(write(&s, Some(1))).await,
        Err(JournalError::Conflict),
        "a revision for an invoice never stored"
    );
    j.commit(write(&s, None)).await.expect("create");
    let mut paid = s.clone();
    paid.lifecycle = Lifecycle::Paid;
    paid.version = 2;
    j.commit(write(&paid, Some(1))).await.expect("update");
    let mut stale = s.clone();
    stale.lifecycle = Lifecycle::Void;
    assert_eq!(
        j.commit(write(&stale, Some(1))).await,
        Err(JournalError::Conflict)
    );
    assert_eq!(
        j.commit(write(&stale, None)).await,
        Err(JournalError::Conflict),
        "creating an invoice that exists"
    );
    assert_eq!(
        j.load(&key("inv_1")).await.expect("load"),
        Some(StoredState {
            state: paid,
            revision: 2
        })
    );
}

/// Concurrent commits: the ones that fail (duplicate, conflict) fail alone; the others
/// are all stored, and the chain holds exactly their audit entries.
pub async fn journal_concurrent_commits_fail_alone(j: Arc<dyn Journal>) {
    let base = state("inv_base", "cust_a", None, Lifecycle::Open);
    j.commit(CommitBatch {
        dedup: vec![dedup("evt_taken")],
        states: vec![new_state(&base)],
        ..CommitBatch::default()
    })
    .await
    .expect("setup");
    let mut batches = Vec::new();
    for i in 0..48u32 {
        let id = format!("inv_{i}");
        let s = state(&id, "cust_a", None, Lifecycle::Open);
        let mut b = CommitBatch {
            dedup: vec![dedup(&format!("evt_{i}"))],
            states: vec![new_state(&s)],
            audit: vec![record(
                at(i64::from(i)),
                AuditAction::Applied,
                Some("cust_a"),
            )],
            outbox: vec![update(&id, 1, at(i64::from(i)))],
            ..CommitBatch::default()
        };
        match i % 6 {
            // Every sixth batch also claims an event already committed.
            0 => b.dedup.push(dedup("evt_taken")),
            // Every sixth (offset) batch writes a stale revision of the base invoice.
            3 => b.states.push(StateWrite {
                state: base.clone(),
                expected_revision: Some(41),
            }),
            _ => {}
        }
        batches.push(b);
    }
    let results = futures::future::join_all(batches.into_iter().map(|b| {
        let j = Arc::clone(&j);
        async move { j.commit(b).await }
    }))
    .await;
    let mut ok = 0;
    for (i, r) in results.iter().enumerate() {
        let stored = j
            .load(&key(&format!("inv_{i}")))
            .await
            .expect("load")
            .is_some();
        match i % 6 {
            0 => assert_eq!(*r, Err(JournalError::Duplicate), "batch {i}"),
            3 => assert_eq!(*r, Err(JournalError::Conflict), "batch {i}"),
            _ => {
                assert!(r.is_ok(), "batch {i}: {r:?}");
                ok += 1;
            }
        }
        assert_eq!(stored, r.is_ok(), "batch {i} stored iff it succeeded");
        assert_eq!(
            j.is_duplicate(&dedup(&format!("evt_{i}")))
                .await
                .expect("dedup read"),
            r.is_ok()
        );
    }
    assert_eq!(ok, 32);
    assert_eq!(j.outbox_counts().await.expect("counts").pending, 32);
    let report = j.verify_chain().await.expect("chain verifies");
    assert_eq!(report.entries, 32);
    let mut seqs: Vec<u64> = results
        .iter()
        .filter_map(|r| r.as_ref().ok().map(|r| r.last_audit_seq))
        .collect();
    seqs.sort_unstable();
    assert_eq!(
        seqs,
        (1..=32).collect::<Vec<u64>>(),
        "one entry per successful batch"
    );
}

/// `claim`: due items, at most one per invoice, its lowest pending sequence first, never
/// one behind an undelivered earlier update.
pub async fn journal_claim_one_per_invoice_in_sequence(j: Arc<dyn Journal>) {
    commit_outbox(
        &j,
        vec![update("inv_a", 2, at(0)), update("inv_a", 1, at(0))],
    )
    .await;
    commit_outbox(
        &j,
        vec![update("inv_a", 3, at(0)), update("inv_b", 1, at(1))],
    )
    .await;
    let first = j.claim(10, at(10), LONG_LEASE).await.expect("claim");
    assert_eq!(
        seqs_of(&first),
        [(subject("inv_a"), 1), (subject("inv_b"), 1)],
        "one per invoice, lowest sequence, due order"
    );
    assert!(first
        .iter()
        .all(|i| i.attempts == 0 && i.status == OutboxStatus::Pending));
    assert!(
        j.claim(10, at(10), LONG_LEASE)
            .await
            .expect("claim")
            .is_empty(),
        "everything due is leased"
    );
    j.complete(
        first[0].id,
        &receipt(),
        record(at(11), AuditAction::Delivered, None),
    )
    .await
    .expect("complete");
    let second = j.claim(10, at(11), LONG_LEASE).await.expect("claim");
    assert_eq!(seqs_of(&second), [(subject("inv_a"), 2)]);
    j.fail(second[0].id, "portal answered 503", at(100))
        .await
        .expect("fail");
    assert!(
        j.claim(10, at(12), LONG_LEASE)
            .await
            .expect("claim")
            .is_empty(),
        "sequence 3 never overtakes a failed sequence 2"
    );
    let retried = j.claim(10, at(100), LONG_LEASE).await.expect("claim");
    assert_eq!(seqs_of(&retried), [(subject("inv_a"), 2)]);
    assert_eq!(retried[0].attempts, 1);
    assert_eq!(
        retried[0].last_error.as_deref(),
        Some("portal answered 503")
    );
    assert_eq!(retried[0].next_attempt_at, at(100));
    j.complete(
        retried[0].id,
        &receipt(),
        record(at(101), AuditAction::Delivered, None),
    )
    .await
    .expect("complete");
    j.complete(
        first[1].id,
        &receipt(),
        record(at(101), AuditAction::Delivered, None),
    )
    .await
    .expect("complete");
    let last = j.claim(10, at(101), LONG_LEASE).await.expect("claim");
    assert_eq!(seqs_of(&last), [(subject("inv_a"), 3)]);
    let limited = {
        commit_outbox(
            &j,
            vec![update("inv_c", 1, at(5)), update("inv_d", 1, at(6))],
        )
        .await;
        j.claim(1, at(200), LONG_LEASE).await.expect("claim")
    };
    assert_eq!(
        seqs_of(&limited),
        [(subject("inv_c"), 1)],
        "limit, oldest due first"
    );
}

/// No item of an invoice is claimed while another item of it is under lease, even one
/// with a lower sequence put back by a replay.
pub async fn journal_claim_skips_invoice_with_leased_item(j: Arc<dyn Journal>) {
    commit_outbox(
        &j,
        vec![update("inv_a", 1, at(0)), update("inv_a", 2, at(0))],
    )
    .await;
    let one = j.claim(10, at(1), LEASE).await.expect("claim");
    assert_eq!(seqs_of(&one), [(subject("inv_a"), 1)]);
    j.dead_letter(
        one[0].id,
        "portal answered 400",
        record(at(2), AuditAction::DeadLettered, None),
    )
    .await
    .expect("dead letter");
    let two = j.claim(10, at(3), LEASE).await.expect("claim");
    assert_eq!(seqs_of(&two), [(subject("inv_a"), 2)]);
    let replayed = j
        .replay(
            &ReplayFilter {
                ids: vec![one[0].id],
                ..ReplayFilter::default()
            },
            at(4),
        )
        .await
        .expect("replay");
    assert_eq!(replayed, 1);
    assert!(
        j.claim(10, at(5), LEASE).await.expect("claim").is_empty(),
        "sequence 2 of the invoice is still leased"
    );
    let after_lease = j.claim(10, at(3 + 61), LEASE).await.expect("claim");
    assert_eq!(
        seqs_of(&after_lease),
        [(subject("inv_a"), 1)],
        "once the lease ends, the lowest sequence goes first"
    );
}

/// A claim not completed within its lease comes back (a crashed worker's items).
pub async fn journal_lease_expiry_returns_claim(j: Arc<dyn Journal>) {
    commit_outbox(&j, vec![update("inv_a", 1, at(0))]).await;
    let lease = Duration::from_secs(30);
    let first = j.claim(10, at(0), lease).await.expect("claim");
    assert_eq!(first.len(), 1);
    assert!(j.claim(10, at(29), lease).await.expect("claim").is_empty());
    let again = j.claim(10, at(31), lease).await.expect("claim");
    assert_eq!(again.len(), 1);
    assert_eq!(again[0].id, first[0].id);
    assert_eq!(again[0].attempts, 0, "an expired lease is not an attempt");
    assert_eq!(
        again[0].update, first[0].update,
        "the same bytes and id again"
    );
}

/// Dead letters are skipped by `claim` until replayed, by id or by filter.
pub async fn journal_dead_letter_and_replay(j: Arc<dyn Journal>) {
    commit_outbox(
        &j,
        vec![update("inv_a", 1, at(0)), update("inv_a", 2, at(0))],
    )
    .await;
    commit_outbox(&j, vec![update("inv_c", 1, at(50))]).await;
    let claimed = j.claim(10, at(60), LEASE).await.expect("claim");
    assert_eq!(
        seqs_of(&claimed),
        [(subject("inv_a"), 1), (subject("inv_c"), 1)]
    );
    let (a1, c1) = (claimed[0].clone(), claimed[1].clone());
    j.dead_letter(
        a1.id,
        "portal answered 422",
        record(at(61), AuditAction::DeadLettered, None),
    )
    .await
    .expect("dead letter");
    assert_eq!(
        j.outbox_counts().await.expect("counts"),
        OutboxCounts {
            pending: 2,
            delivered: 0,
            dead_letter: 1
        }
    );
    let next = j.claim(10, at(62), LEASE).await.expect("claim");
    assert_eq!(
        seqs_of(&next),
        [(subject("inv_a"), 2)],
        "a dead letter does not block its invoice"
    );
    j.complete(
        next[0].id,
        &receipt(),
        record(at(63), AuditAction::Delivered, None),
    )
    .await
    .expect("complete");
    j.dead_letter(
        c1.id,
        "portal answered 404",
        record(at(64), AuditAction::DeadLettered, None),
    )
    .await
    .expect("dead letter");
    let dead = j.outbox(OutboxStatus::DeadLetter, 10).await.expect("list");
    assert_eq!(
        dead.iter().map(|i| i.id).collect::<Vec<_>>(),
        [a1.id, c1.id]
    );
    assert_eq!(dead[0].last_error.as_deref(), Some("portal answered 422"));
    assert_eq!(dead[0].attempts, 1);
    assert!(j.claim(10, at(200), LEASE).await.expect("claim").is_empty());

    let by_unknown_id = ReplayFilter {
        ids: vec![a1.id.max(c1.id) + 1000],
        ..ReplayFilter::default()
    };
    assert_eq!(j.replay(&by_unknown_id, at(300)).await.expect("replay"), 0);
    let by_time = ReplayFilter {
        since: Some(at(40)),
        until: Some(at(55)),
        ..ReplayFilter::default()
    };
    assert_eq!(j.replay(&by_time, at(300)).await.expect("replay"), 1);
    let pending = j.outbox(OutboxStatus::Pending, 10).await.expect("list");
    assert_eq!(pending.len(), 1);
    assert_eq!(pending[0].id, c1.id, "only the one created in the range");
    assert_eq!(pending[0].attempts, 0);
    assert_eq!(pending[0].next_attempt_at, at(300));
    let by_id = ReplayFilter {
        ids: vec![a1.id],
        ..ReplayFilter::default()
    };
    assert_eq!(j.replay(&by_id, at(301)).await.expect("replay"), 1);
    assert_eq!(
        j.replay(&by_id, at(302)).await.expect("replay"),
        0,
        "not dead any more"
    );
    assert_eq!(j.outbox_counts().await.expect("counts").dead_letter, 0);
    let replays: Vec<AuditEntry> = all_audit(&j)
        .await
        .into_iter()
        .filter(|e| e.record.action == AuditAction::Replayed)
        .collect();
    let refs: Vec<Option<&str>> = replays
        .iter()
        .map(|e| e.record.reference.as_deref())
        .collect();
    assert_eq!(
        refs,
        [Some(c1.update.id.as_str()), Some(a1.update.id.as_str())]
    );
    let back = j.claim(10, at(400), LEASE).await.expect("claim");
    let mut ids: Vec<i64> = back.iter().map(|i| i.id).collect();
    ids.sort_unstable();
    let mut want = vec![a1.id, c1.id];
    want.sort_unstable();
    assert_eq!(ids, want);
    assert!(j.verify_chain().await.is_ok());
}

/// `outbox` lists by status, oldest first, up to a limit; `outbox_counts` counts.
pub async fn journal_outbox_listing_and_counts(j: Arc<dyn Journal>) {
    assert_eq!(
        j.outbox_counts().await.expect("counts"),
        OutboxCounts::default()
    );
    let updates: Vec<PortalUpdate> = (1..=4)
        .map(|i| update(&format!("inv_{i}"), 1, at(i)))
        .collect();
    commit_outbox(&j, updates.clone()).await;
    let claimed = j.claim(10, at(10), LEASE).await.expect("claim");
    assert_eq!(claimed.len(), 4);
    j.complete(
        claimed[0].id,
        &receipt(),
        record(at(11), AuditAction::Delivered, None),
    )
    .await
    .expect("complete");
    j.dead_letter(
        claimed[1].id,
        "gone",
        record(at(11), AuditAction::DeadLettered, None),
    )
    .await
    .expect("dead letter");
    assert_eq!(
        j.outbox_counts().await.expect("counts"),
        OutboxCounts {
            pending: 2,
            delivered: 1,
            dead_letter: 1
        }
    );
    let pending = j.outbox(OutboxStatus::Pending, 10).await.expect("list");
    assert_eq!(
        pending.iter().map(|i| &i.update).collect::<Vec<_>>(),
        [&updates[2], &updates[3]]
    );
    assert_eq!(pending[0].created_at, at(3));
    let delivered = j.outbox(OutboxStatus::Delivered, 10).await.expect("list");
    assert_eq!(delivered.len(), 1);
    assert_eq!(delivered[0].status, OutboxStatus::Delivered);
    assert_eq!(delivered[0].attempts, 1);
    assert_eq!(
        j.outbox(OutboxStatus::Pending, 1)
            .await
            .expect("list")
            .len(),
        1
    );
}

/// Operations on ids that do not exist fail with `NotFound` and seal nothing.
pub async fn journal_unknown_ids_not_found(j: Arc<dyn Journal>) {
    let missing = 424_242;
    let nf = |r: Result<(), JournalError>| matches!(r, Err(JournalError::NotFound(_)));
    assert!(nf(j
        .complete(
            missing,
            &receipt(),
            record(at(0), AuditAction::Delivered, None)
        )
        .await));
    assert!(nf(j.fail(missing, "x", at(1)).await));
    assert!(nf(j
        .dead_letter(missing, "x", record(at(0), AuditAction::DeadLettered, None))
        .await));
    assert!(nf(j.fail_pending(missing, "x", at(1)).await));
    assert!(
        all_audit(&j).await.is_empty(),
        "nothing sealed for a missing item"
    );
    let r = j
        .commit(CommitBatch {
            dedup: vec![dedup("evt_resolve")],
            resolves_pending: Some(missing),
            ..CommitBatch::default()
        })
        .await;
    assert!(matches!(r, Err(JournalError::NotFound(_))), "{r:?}");
    assert!(!j
        .is_duplicate(&dedup("evt_resolve"))
        .await
        .expect("dedup read"));
}

/// Every audit record is sealed into one chain in commit order: commits, deliveries,
/// dead letters and replays alike.
pub async fn journal_audit_chain_continues(j: Arc<dyn Journal>) {
    let r1 = j
        .commit(CommitBatch {
            audit: vec![
                record(at(0), AuditAction::Received, None),
                record(at(0), AuditAction::Applied, Some("cust_a")),
            ],
            outbox: vec![update("inv_a", 1, at(0)), update("inv_b", 1, at(0))],
            ..CommitBatch::default()
        })
        .await
        .expect("commit");
    assert_eq!(r1.last_audit_seq, 2);
    let r2 = j
        .commit(CommitBatch {
            dedup: vec![dedup("evt_no_audit")],
            ..CommitBatch::default()
        })
        .await
        .expect("commit");
    assert_eq!(r2.last_audit_seq, 0, "no audit records, no sequence");
    let r3 = j
        .commit(CommitBatch {
            audit: vec![record(at(1), AuditAction::Ignored, Some("cust_b"))],
            ..CommitBatch::default()
        })
        .await
        .expect("commit");
    assert_eq!(r3.last_audit_seq, 3);
    let claimed = j.claim(10, at(2), LEASE).await.expect("claim");
    assert_eq!(claimed.len(), 2);
    j.complete(
        claimed[0].id,
        &receipt(),
        record(at(3), AuditAction::Delivered, Some("cust_a")),
    )
    .await
    .expect("complete");
    j.dead_letter(
        claimed[1].id,
        "400",
        record(at(4), AuditAction::DeadLettered, Some("cust_a")),
    )
    .await
    .expect("dead letter");
    let replay = ReplayFilter {
        ids: vec![claimed[1].id],
        ..ReplayFilter::default()
    };
    assert_eq!(j.replay(&replay, at(5)).await.expect("replay"), 1);

    let entries = all_audit(&j).await;
    let actions: Vec<AuditAction> = entries.iter().map(|e| e.record.action).collect();
    assert_eq!(
        actions,
        [
            AuditAction::Received,
            AuditAction::Applied,
            AuditAction::Ignored,
            AuditAction::Delivered,
            AuditAction::DeadLettered,
            AuditAction::Replayed
        ]
    );
    let mut prev = ChainHash::GENESIS;
    for (i, e) in entries.iter().enumerate() {
        assert_eq!(e.seq, i as u64 + 1, "sequence without gaps");
        assert_eq!(e.prev_hash, prev, "entry {} links to the one before", e.seq);
        assert_eq!(
            AuditEntry::seal(e.seq, e.prev_hash, e.record.clone()).hash,
            e.hash,
            "entry {} is sealed with AuditEntry::seal",
            e.seq
        );
        prev = e.hash;
    }
    assert_eq!(
        entries[1].record,
        record(at(0), AuditAction::Applied, Some("cust_a"))
    );
    let report = j.verify_chain().await.expect("chain verifies");
    assert_eq!(report.entries, 6);
    assert_eq!(report.first_seq, 1);
    assert_eq!(report.last_seq, 6);
    assert_eq!(report.head, prev);
}

/// `audit` filters by time range, customer, sequence and limit, in sequence order.
pub async fn journal_audit_filter(j: Arc<dyn Journal>) {
    j.commit(CommitBatch {
        audit: vec![
            record(at(0), AuditAction::Received, None),
            record(at(10), AuditAction::Applied, Some("cust_a")),
            record(at(20), AuditAction::Applied, Some("cust_b")),
            record(at(30), AuditAction::Anomaly, Some("cust_a")),
            record(at(40), AuditAction::Skipped, None),
        ],
        ..CommitBatch::default()
    })
    .await
    .expect("commit");
    let seqs = |filter: AuditFilter| {
        let j = Arc::clone(&j);
        async move {
            j.audit(&filter)
                .await
                .expect("audit")
                .iter()
                .map(|e| e.seq)
                .collect::<Vec<u64>>()
        }
    };
    assert_eq!(seqs(AuditFilter::default()).await, [1, 2, 3, 4, 5]);
    let range = AuditFilter {
        from: Some(at(10)),
        to: Some(at(30)),
        ..AuditFilter::default()
    };
    assert_eq!(seqs(range).await, [2, 3], "from inclusive, to exclusive");
    let customer = AuditFilter {
        customer: Some("cust_a".into()),
        ..AuditFilter::default()
    };
    assert_eq!(seqs(customer).await, [2, 4]);
    let after = AuditFilter {
        after_seq: Some(3),
        ..AuditFilter::default()
    };
    assert_eq!(seqs(after).await, [4, 5]);
    let limited = AuditFilter {
        limit: 2,
        ..AuditFilter::default()
    };
    assert_eq!(seqs(limited).await, [1, 2]);
    let combined = AuditFilter {
        from: Some(at(15)),
        customer: Some("cust_a".into()),
        limit: 1,
        ..AuditFilter::default()
    };
    assert_eq!(seqs(combined).await, [4]);
}

/// Thin references: claimed when due with a lease, retried after a failure, removed by
/// the batch that resolves them.
pub async fn journal_pending_claim_fail_resolve(j: Arc<dyn Journal>) {
    j.commit(CommitBatch {
        dedup: vec![dedup("p1"), dedup("p2"), dedup("p3")],
        pending: vec![thin("p1", at(0)), thin("p2", at(5)), thin("p3", at(100))],
        audit: vec![record(at(0), AuditAction::Pending, None)],
        ..CommitBatch::default()
    })
    .await
    .expect("commit");
    let first = j.claim_pending(10, at(10), LEASE).await.expect("claim");
    let ids: Vec<&str> = first
        .iter()
        .map(|p| p.reference.event_id.as_str())
        .collect();
    assert_eq!(ids, ["p1", "p2"], "due ones, in arrival order");
    assert_eq!(
        first[0].reference,
        thin("p1", at(0)),
        "the reference round-trips"
    );
    assert_eq!(first[0].attempts, 0);
    assert!(j
        .claim_pending(10, at(20), LEASE)
        .await
        .expect("claim")
        .is_empty());
    j.fail_pending(first[0].id, "xero answered 503", at(30))
        .await
        .expect("fail");
    assert!(j
        .claim_pending(10, at(29), LEASE)
        .await
        .expect("claim")
        .is_empty());
    let retried = j.claim_pending(10, at(30), LEASE).await.expect("claim");
    assert_eq!(retried.len(), 1);
    assert_eq!(retried[0].id, first[0].id);
    assert_eq!(retried[0].attempts, 1);

    let s = state("inv_x", "cust_x", None, Lifecycle::Open);
    j.commit(CommitBatch {
        states: vec![new_state(&s)],
        audit: vec![record(at(31), AuditAction::Applied, Some("cust_x"))],
        resolves_pending: Some(first[1].id),
        ..CommitBatch::default()
    })
    .await
    .expect("resolve");
    let later = j.claim_pending(10, at(500), LEASE).await.expect("claim");
    let ids: Vec<&str> = later
        .iter()
        .map(|p| p.reference.event_id.as_str())
        .collect();
    assert_eq!(ids, ["p1", "p3"], "the resolved reference is gone");
    let twice = j
        .commit(CommitBatch {
            dedup: vec![dedup("evt_after")],
            resolves_pending: Some(first[1].id),
            ..CommitBatch::default()
        })
        .await;
    assert!(matches!(twice, Err(JournalError::NotFound(_))), "{twice:?}");
    assert!(!j
        .is_duplicate(&dedup("evt_after"))
        .await
        .expect("dedup read"));
}

/// Named cursors: unset, set, overwritten, independent.
pub async fn journal_cursor_roundtrip(j: Arc<dyn Journal>) {
    assert_eq!(j.cursor("qbd:company_a").await.expect("cursor"), None);
    let set = |pairs: &[(&str, &str)]| CommitBatch {
        cursors: pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect(),
        ..CommitBatch::default()
    };
    j.commit(set(&[
        ("qbd:company_a", "2026-01-15T00:00:00Z"),
        ("qbd:company_b", "b1"),
    ]))
    .await
    .expect("commit");
    j.commit(set(&[("qbd:company_a", "2026-01-16T00:00:00Z")]))
        .await
        .expect("commit");
    assert_eq!(
        j.cursor("qbd:company_a").await.expect("cursor").as_deref(),
        Some("2026-01-16T00:00:00Z")
    );
    assert_eq!(
        j.cursor("qbd:company_b").await.expect("cursor").as_deref(),
        Some("b1")
    );
    assert_eq!(j.cursor("qbd:company_c").await.expect("cursor"), None);
}

/// `find_by_number` is scoped by platform and tenant and follows number changes.
pub async fn journal_find_by_number(j: Arc<dyn Journal>) {
    let a = state("inv_1", "cust_a", Some("INV-1"), Lifecycle::Open);
    let b = state_of(
        InvoiceKey::new(Platform::Stripe, "acct_2", "inv_9"),
        "cust_b",
        Some("INV-1"),
        Lifecycle::Open,
    );
    let c = state_of(
        InvoiceKey::new(Platform::Xero, TENANT, "inv_5"),
        "cust_c",
        Some("INV-2"),
        Lifecycle::Open,
    );
    j.commit(CommitBatch {
        states: vec![new_state(&a), new_state(&b), new_state(&c)],
        ..CommitBatch::default()
    })
    .await
    .expect("commit");
    let find = |p: Platform, t: &str, n: &str| {
        let j = Arc::clone(&j);
        let (t, n) = (TenantId(t.into()), n.to_owned());
        async move { j.find_by_number(p, &t, &n).await.expect("find") }
    };
    assert_eq!(
        find(Platform::Stripe, TENANT, "INV-1").await,
        Some(a.key.clone())
    );
    assert_eq!(
        find(Platform::Stripe, "acct_2", "INV-1").await,
        Some(b.key.clone())
    );
    assert_eq!(find(Platform::Xero, TENANT, "INV-1").await, None);
    assert_eq!(
        find(Platform::Xero, TENANT, "INV-2").await,
        Some(c.key.clone())
    );
    assert_eq!(find(Platform::Stripe, TENANT, "INV-404").await, None);
    let mut renumbered = a.clone();
    renumbered.number = Some("INV-1b".into());
    j.commit(CommitBatch {
        states: vec![StateWrite {
            state: renumbered,
            expected_revision: Some(1),
        }],
        ..CommitBatch::default()
    })
    .await
    .expect("commit");
    assert_eq!(find(Platform::Stripe, TENANT, "INV-1").await, None);
    assert_eq!(find(Platform::Stripe, TENANT, "INV-1b").await, Some(a.key));
}

/// `list_states`: key order (as `InvoiceKey` sorts), customer and owed filters, paging.
pub async fn journal_list_states_filter_and_paging(j: Arc<dyn Journal>) {
    let states = [
        state("inv_1", "cust_a", None, Lifecycle::Open),
        state("inv_2", "cust_b", None, Lifecycle::Paid),
        state("inv_3", "cust_a", None, Lifecycle::PartiallyPaid),
        state_of(
            InvoiceKey::new(Platform::Xero, "t1", "inv_0"),
            "cust_a",
            None,
            Lifecycle::Void,
        ),
        state_of(
            InvoiceKey::new(Platform::Salesforce, "org", "inv_z"),
            "cust_a",
            None,
            Lifecycle::Open,
        ),
        state_of(
            InvoiceKey::new(Platform::Stripe, "acct_0", "inv_9"),
            "cust_b",
            None,
            Lifecycle::Open,
        ),
    ];
    j.commit(CommitBatch {
        states: states.iter().map(new_state).collect(),
        ..CommitBatch::default()
    })
    .await
    .expect("commit");
    let list = |filter: StateFilter, after: Option<InvoiceKey>, limit: usize| {
        let j = Arc::clone(&j);
        async move {
            j.list_states(&filter, after.as_ref(), limit)
                .await
                .expect("list")
                .into_iter()
                .map(|s| s.key)
                .collect::<Vec<InvoiceKey>>()
        }
    };
    let keys_where = |f: &dyn Fn(&InvoiceState) -> bool| {
        let mut v: Vec<InvoiceKey> = states
            .iter()
            .filter(|s| f(s))
            .map(|s| s.key.clone())
            .collect();
        v.sort();
        v
    };
    let all = keys_where(&|_| true);
    assert_eq!(list(StateFilter::default(), None, 100).await, all);
    let mut paged = Vec::new();
    let mut after = None;
    loop {
        let page = list(StateFilter::default(), after.clone(), 2).await;
        assert!(page.len() <= 2);
        let Some(last) = page.last().cloned() else {
            break;
        };
        paged.extend(page);
        after = Some(last);
    }
    assert_eq!(
        paged, all,
        "paging by key visits every state once, in order"
    );
    let cust_a = StateFilter {
        customer: Some("cust_a".into()),
        owed_only: false,
    };
    assert_eq!(
        list(cust_a, None, 100).await,
        keys_where(&|s| s.customer.account() == "cust_a")
    );
    let owed = StateFilter {
        customer: None,
        owed_only: true,
    };
    let owed_keys =
        keys_where(&|s| matches!(s.lifecycle, Lifecycle::Open | Lifecycle::PartiallyPaid));
    assert_eq!(list(owed.clone(), None, 100).await, owed_keys);
    assert_eq!(
        list(owed.clone(), Some(owed_keys[1].clone()), 1).await,
        [owed_keys[2].clone()],
        "paging with a filter"
    );
    let owed_a = StateFilter {
        customer: Some("cust_a".into()),
        owed_only: true,
    };
    assert_eq!(
        list(owed_a.clone(), None, 100).await,
        keys_where(&|s| s.customer.account() == "cust_a"
            && matches!(s.lifecycle, Lifecycle::Open | Lifecycle::PartiallyPaid))
    );
    // Paying an invoice takes it out of the owed list.
    let mut paid = states[0].clone();
    paid.lifecycle = Lifecycle::Paid;
    j.commit(CommitBatch {
        states: vec![StateWrite {
            state: paid.clone(),
            expected_revision: Some(1),
        }],
        ..CommitBatch::default()
    })
    .await
    .expect("commit");
    assert!(!list(owed_a, None, 100).await.contains(&paid.key));
    assert_eq!(
        list(owed, None, 0).await,
        Vec::<InvoiceKey>::new(),
        "limit 0"
    );
}
