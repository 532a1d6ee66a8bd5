//! What only a durable file store has: restarts, schema versions, retention, export.

use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use invoice_core::audit::{verify_chain, AuditAction, AuditEntry, AuditRecord};
use invoice_core::journal::{
    AuditFilter, CommitBatch, Journal, JournalError, MemoryJournal, OutboxStatus, StateWrite,
};
use invoice_core::{
    DedupKey, EventKind, InvoiceEvent, InvoiceKey, InvoiceState, Platform, PortalUpdate, TenantId,
};
use invoice_store_sqlite::{
    export_audit, ExportFormat, SqliteJournal, SqliteOptions, SCHEMA_VERSION,
};

fn rec(
    at: DateTime<Utc>,
    action: AuditAction,
    customer: Option<&str>,
    detail: &str,
) -> AuditRecord {
    AuditRecord {
        customer: customer.map(str::to_owned),
        platform: Some(Platform::Xero),
        ..AuditRecord::new(at, action, detail)
    }
}

fn dedup(id: &str) -> DedupKey {
    DedupKey {
        platform: Platform::Xero,
        tenant: TenantId("t".into()),
        event_id: id.into(),
    }
}

fn update(id: &str, seq: u64) -> PortalUpdate {
    let key = InvoiceKey::new(Platform::Xero, "t", id);
    let mut s = InvoiceState::empty(key.clone());
    s.version = seq;
    let now = Utc::now();
    PortalUpdate::from_transition(
        &s,
        &InvoiceEvent::new(key, EventKind::Issued, now, "e"),
        now,
    )
}

fn file_bytes(path: &std::path::Path) -> Vec<u8> {
    std::fs::read(path).expect("read db file")
}

#[tokio::test]
async fn chain_state_dedup_and_outbox_survive_restart() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("relay.db");
    let key = InvoiceKey::new(Platform::Xero, "t", "inv_1");
    let now = Utc::now();
    {
        let j = SqliteJournal::open(&path).expect("open");
        j.commit(CommitBatch {
            dedup: vec![dedup("e1")],
            states: vec![StateWrite {
                state: InvoiceState::empty(key.clone()),
                expected_revision: None,
            }],
            audit: vec![
                rec(now, AuditAction::Received, None, "a"),
                rec(now, AuditAction::Applied, Some("c"), "b"),
            ],
            outbox: vec![update("inv_1", 1)],
            cursors: vec![("k".into(), "v".into())],
            ..CommitBatch::default()
        })
        .await
        .expect("commit");
    }
    let j = SqliteJournal::open(&path).expect("reopen");
    assert!(j.is_duplicate(&dedup("e1")).await.expect("dedup"));
    assert_eq!(
        j.load(&key).await.expect("load").map(|s| s.revision),
        Some(1)
    );
    assert_eq!(j.cursor("k").await.expect("cursor").as_deref(), Some("v"));
    assert_eq!(
        j.outbox(OutboxStatus::Pending, 10)
            .await
            .expect("outbox")
            .len(),
        1
    );
    let r = j
        .commit(CommitBatch {
            audit: vec![rec(now, AuditAction::Ignored, None, "after restart")],
            ..CommitBatch::default()
        })
        .await
        .expect("commit after restart");
    assert_eq!(r.last_audit_seq, 3, "the sequence continues");
    let entries = j.audit(&AuditFilter::default()).await.expect("audit");
    assert_eq!(
        entries[2].prev_hash, entries[1].hash,
        "the hash chain continues"
    );
    let report = j.verify_chain().await.expect("chain verifies");
    assert_eq!((report.entries, report.last_seq), (3, 3));
    assert_eq!(
        j.commit(CommitBatch {
            dedup: vec![dedup("e1")],
            ..CommitBatch::default()
        })
        .await,
        Err(JournalError::Duplicate),
        "dedup keys from before the restart still count"
    );
}

#[tokio::test]
async fn newer_schema_is_refused_and_the_file_left_intact() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("relay.db");
    {
        let j = SqliteJournal::open(&path).expect("open");
        j.commit(CommitBatch {
            audit: vec![rec(Utc::now(), AuditAction::Received, None, "kept")],
            ..CommitBatch::default()
        })
        .await
        .expect("commit");
    }
    let future = SCHEMA_VERSION + 1;
    {
        let c = rusqlite::Connection::open(&path).expect("raw open");
        c.execute(
            "INSERT INTO invoice_relay_schema (version, applied_at) VALUES (?1, 'later')",
            [future],
        )
        .expect("bump version");
    }
    let before = file_bytes(&path);
    let err = SqliteJournal::open(&path).expect_err("a newer schema must be refused");
    assert_eq!(
        err,
        JournalError::SchemaTooNew {
            found: future,
            supported: SCHEMA_VERSION
        }
    );
    assert_eq!(
        file_bytes(&path),
        before,
        "the refused file is not written to"
    );
    {
        let c = rusqlite::Connection::open(&path).expect("raw open");
        c.execute(
            "DELETE FROM invoice_relay_schema WHERE version = ?1",
            [future],
        )
        .expect("undo bump");
    }
    let j = SqliteJournal::open(&path).expect("opens again at its own version");
    assert_eq!(j.verify_chain().await.expect("chain").entries, 1);
}

#[tokio::test]
async fn a_file_that_is_not_a_database_is_refused_untouched() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("notes.txt");
    let text = b"these are not the pages you are looking for\n".repeat(200);
    std::fs::write(&path, &text).expect("write");
    let err = SqliteJournal::open(&path).expect_err("not a database");
    assert!(matches!(err, JournalError::Unavailable(_)), "{err:?}");
    assert_eq!(file_bytes(&path), text);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn many_concurrent_commits_all_land_once() {
    let j = Arc::new(SqliteJournal::open_temporary(SqliteOptions::default()).expect("open"));
    let mut tasks = Vec::new();
    for i in 0..256u32 {
        let j = Arc::clone(&j);
        tasks.push(tokio::spawn(async move {
            let dup = i % 16 == 0 && i > 0;
            let key = if dup {
                dedup("e0")
            } else {
                dedup(&format!("e{i}"))
            };
            j.commit(CommitBatch {
                dedup: vec![key],
                audit: vec![rec(
                    Utc::now(),
                    AuditAction::Applied,
                    None,
                    &format!("c{i}"),
                )],
                outbox: vec![update(&format!("inv_{i}"), 1)],
                ..CommitBatch::default()
            })
            .await
        }));
    }
    let mut ok = 0;
    let mut dups = 0;
    for (i, t) in tasks.into_iter().enumerate() {
        match t.await.expect("task") {
            Ok(_) => ok += 1,
            Err(JournalError::Duplicate) => {
                assert!(i % 16 == 0, "only the duplicates fail");
                dups += 1;
            }
            Err(e) => panic!("commit {i}: {e}"),
        }
    }
    // Commit 0 raced the duplicates of its key: exactly one of the sixteen holders of
    // `e0` committed.
    assert_eq!(ok + dups, 256);
    assert_eq!(dups, 15);
    assert_eq!(j.outbox_counts().await.expect("counts").pending, ok);
    assert_eq!(j.verify_chain().await.expect("chain").entries, ok);
    let stats = j.stats();
    assert_eq!(stats.writes, 256, "every write went through the writer");
    assert!(stats.transactions >= 1 && stats.transactions <= 256);
}

#[tokio::test]
async fn retention_cuts_only_at_checkpoints_and_the_chain_still_verifies() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("relay.db");
    let now = Utc::now();
    let j = SqliteJournal::open(&path).expect("open");
    let old: Vec<AuditRecord> = (0..5)
        .map(|i| {
            rec(
                now - Duration::days(10),
                AuditAction::Applied,
                None,
                &format!("old {i}"),
            )
        })
        .collect();
    j.commit(CommitBatch {
        audit: old,
        ..CommitBatch::default()
    })
    .await
    .expect("commit");

    let r1 = j
        .retain_audit_before(now - Duration::days(5))
        .await
        .expect("retain");
    assert_eq!((r1.deleted, r1.checkpoint_seq, r1.first_seq), (5, 6, 6));
    let rep = j
        .verify_chain()
        .await
        .expect("chain verifies after retention");
    assert_eq!((rep.first_seq, rep.last_seq, rep.entries), (6, 6, 1));

    j.commit(CommitBatch {
        audit: (0..3)
            .map(|i| rec(now, AuditAction::Applied, None, &format!("new {i}")))
            .collect(),
        ..CommitBatch::default()
    })
    .await
    .expect("commit");
    let r2 = j
        .retain_audit_before(now - Duration::days(5))
        .await
        .expect("retain");
    assert_eq!(r2.deleted, 0, "nothing newer than the cut-off is deleted");
    assert_eq!(r2.checkpoint_seq, 10);

    let head_before = j.verify_chain().await.expect("chain").head;
    let r3 = j
        .retain_audit_before(now + Duration::hours(1))
        .await
        .expect("retain");
    assert_eq!(
        (r3.deleted, r3.first_seq),
        (5, 11),
        "cut at the new checkpoint"
    );
    let entries = j.audit(&AuditFilter::default()).await.expect("audit");
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0].record.action, AuditAction::Checkpoint);
    assert_eq!(
        entries[0].prev_hash, head_before,
        "the checkpoint carries the hash forward"
    );
    drop(j);

    let j = SqliteJournal::open(&path).expect("reopen");
    let r = j
        .commit(CommitBatch {
            audit: vec![rec(now, AuditAction::Received, None, "after retention")],
            ..CommitBatch::default()
        })
        .await
        .expect("commit");
    assert_eq!(r.last_audit_seq, 12);
    let rep = j.verify_chain().await.expect("chain verifies");
    assert_eq!((rep.first_seq, rep.last_seq), (11, 12));
}

async fn export_fixture(j: &dyn Journal, t0: DateTime<Utc>) {
    j.commit(CommitBatch {
        audit: vec![
            rec(t0, AuditAction::Received, None, "received 120 bytes"),
            rec(
                t0 + Duration::hours(1),
                AuditAction::Applied,
                Some("acme"),
                "paid, in full",
            ),
            rec(
                t0 + Duration::hours(2),
                AuditAction::Applied,
                Some("globex"),
                "say \"hi\"",
            ),
            rec(
                t0 + Duration::hours(3),
                AuditAction::Delivered,
                Some("acme"),
                "line\nbreak",
            ),
        ],
        ..CommitBatch::default()
    })
    .await
    .expect("commit");
}

#[tokio::test]
async fn export_jsonl_and_csv_with_time_range_and_customer() {
    let j = SqliteJournal::open_temporary(SqliteOptions::default()).expect("open");
    let t0 = DateTime::parse_from_rfc3339("2026-01-15T00:00:00Z")
        .expect("time")
        .with_timezone(&Utc);
    export_fixture(&j, t0).await;

    let mut all = Vec::new();
    let n = j
        .export_audit_jsonl(&mut all, &AuditFilter::default())
        .expect("export");
    assert_eq!(n, 4);
    let parsed: Vec<AuditEntry> = String::from_utf8(all.clone())
        .expect("utf-8")
        .lines()
        .map(|l| serde_json::from_str(l).expect("each line is an entry"))
        .collect();
    assert_eq!(
        parsed,
        j.audit(&AuditFilter::default()).await.expect("audit")
    );
    assert!(
        verify_chain(parsed.iter()).is_ok(),
        "an export can be re-verified"
    );

    let acme_range = AuditFilter {
        from: Some(t0 + Duration::minutes(30)),
        to: Some(t0 + Duration::hours(3)),
        customer: Some("acme".into()),
        ..AuditFilter::default()
    };
    let mut out = Vec::new();
    assert_eq!(
        j.export_audit_jsonl(&mut out, &acme_range).expect("export"),
        1
    );
    let only: AuditEntry =
        serde_json::from_slice(out.strip_suffix(b"\n").expect("newline")).expect("entry");
    assert_eq!(only.seq, 2);

    let mut csv = Vec::new();
    let acme = AuditFilter {
        customer: Some("acme".into()),
        ..AuditFilter::default()
    };
    assert_eq!(j.export_audit_csv(&mut csv, &acme).expect("export"), 2);
    let csv = String::from_utf8(csv).expect("utf-8");
    let mut lines = csv.split("\r\n");
    assert_eq!(
        lines.next(),
        Some("seq,at,action,platform,tenant,invoice,customer,reference,detail,prev_hash,hash")
    );
    let row2 = lines.next().expect("row");
    assert!(
        row2.starts_with("2,2026-01-15T01:00:00Z,applied,xero,,,acme,,\"paid, in full\","),
        "{row2}"
    );
    let row4 = lines.next().expect("row");
    assert!(row4.contains(",\"line\nbreak\","), "{row4}");

    // The generic export over `Journal::audit` writes the same bytes, for any journal.
    let mut generic = Vec::new();
    let n = export_audit(
        &j,
        &mut generic,
        ExportFormat::JsonLines,
        &AuditFilter::default(),
    )
    .await
    .expect("generic export");
    assert_eq!((n, &generic), (4, &all));
    let memory = MemoryJournal::new();
    export_fixture(&memory, t0).await;
    let mut from_memory = Vec::new();
    export_audit(
        &memory,
        &mut from_memory,
        ExportFormat::JsonLines,
        &AuditFilter::default(),
    )
    .await
    .expect("generic export");
    assert_eq!(from_memory, all, "same records, same chain, same bytes");
}

#[tokio::test]
async fn two_openers_of_one_file_share_one_chain() {
    // The relay and an operator's CLI (`dlq replay`) may have the file open at once.
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("relay.db");
    let relay = SqliteJournal::open(&path).expect("open");
    let cli = SqliteJournal::open(&path).expect("open again");
    for i in 0..6 {
        let j = if i % 2 == 0 { &relay } else { &cli };
        let r = j
            .commit(CommitBatch {
                audit: vec![rec(Utc::now(), AuditAction::Applied, None, &format!("{i}"))],
                ..CommitBatch::default()
            })
            .await
            .expect("commit");
        assert_eq!(r.last_audit_seq, i + 1);
    }
    let report = relay.verify_chain().await.expect("one unbroken chain");
    assert_eq!((report.entries, report.last_seq), (6, 6));
}

#[tokio::test]
async fn verify_chain_names_the_first_tampered_entry_in_the_file() {
    use invoice_core::audit::ChainError;
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("relay.db");
    let j = SqliteJournal::open(&path).expect("open");
    j.commit(CommitBatch {
        audit: (0..5)
            .map(|i| {
                rec(
                    Utc::now(),
                    AuditAction::Applied,
                    Some("acme"),
                    &format!("e{i}"),
                )
            })
            .collect(),
        ..CommitBatch::default()
    })
    .await
    .expect("commit");
    assert!(j.verify_chain().await.is_ok());
    let raw = rusqlite::Connection::open(&path).expect("raw open");
    raw.execute(
        "UPDATE audit SET record = replace(record, '\"e2\"', '\"forged\"') WHERE seq = 3",
        [],
    )
    .expect("tamper");
    assert_eq!(
        j.verify_chain().await,
        Err(JournalError::Chain(ChainError::Altered { seq: 3 }))
    );
    raw.execute("DELETE FROM audit WHERE seq IN (3, 4)", [])
        .expect("delete");
    assert_eq!(
        j.verify_chain().await,
        Err(JournalError::Chain(ChainError::Gap { after: 2, seq: 5 }))
    );
}

#[tokio::test]
async fn committed_pages_reach_the_database_file_beside_the_writer() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("journal.db");
    let j = SqliteJournal::open(&path).unwrap();
    for i in 0..50 {
        j.commit(CommitBatch {
            cursors: vec![(format!("cursor-{i}"), "v".into())],
            ..CommitBatch::default()
        })
        .await
        .unwrap();
    }
    // Far below the writer's own autocheckpoint bound: only the checkpointer thread can
    // have copied these commits from the WAL into the database file. Read the file alone
    // (`immutable=1` ignores the WAL).
    let uri = format!("file:{}?immutable=1", path.display());
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let conn = rusqlite::Connection::open_with_flags(
            &uri,
            rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_URI,
        )
        .unwrap();
        let n: i64 = conn
            .query_row("SELECT COUNT(*) FROM cursors", [], |r| r.get(0))
            .unwrap_or(0);
        if n == 50 {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "only {n} of 50 commits reached the database file"
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert_eq!(j.cursor("cursor-49").await.unwrap().as_deref(), Some("v"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_wal_is_rewound_under_sustained_writes_instead_of_growing() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("journal.db");
    let j = SqliteJournal::open(&path).unwrap();
    // 16 writers × 40 commits of 64 KiB each: 40 MiB of WAL frames (about 10,000 pages,
    // more than twice the writer's autocheckpoint length), written without a pause.
    let body = bytes::Bytes::from(vec![b'x'; 64 * 1024]);
    let writers: Vec<_> = (0..16)
        .map(|w| {
            let (j, body) = (j.clone(), body.clone());
            tokio::spawn(async move {
                for i in 0..40 {
                    j.commit(CommitBatch {
                        received: Some(invoice_core::journal::ReceivedRecord {
                            platform: Platform::Xero,
                            tenant: "t".into(),
                            received_at: Utc::now(),
                            headers: Vec::new(),
                            body: body.clone(),
                        }),
                        dedup: vec![dedup(&format!("w{w}-{i}"))],
                        ..CommitBatch::default()
                    })
                    .await
                    .unwrap();
                }
            })
        })
        .collect();
    for w in writers {
        w.await.unwrap();
    }
    let mut wal = path.as_os_str().to_owned();
    wal.push("-wal");
    let wal_bytes = std::fs::metadata(&wal).unwrap().len();
    // 4,096 frames of 4 KiB + 24 bytes is 16.1 MiB; allow a few transactions more (a
    // checkpoint the checkpointer thread was running at that moment defers the rewind).
    assert!(
        wal_bytes < 24 * 1024 * 1024,
        "the WAL grew to {wal_bytes} bytes instead of starting over"
    );
    assert!(j.is_duplicate(&dedup("w15-39")).await.unwrap());
}
