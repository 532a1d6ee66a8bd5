//! What the shared suite cannot see: schema versions, several journals (as several relay
//! instances) on one database at once, and connection failures.
#![allow(clippy::unwrap_used)]

use std::collections::{BTreeMap, HashSet};
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, TimeZone, Utc};
use invoice_core::audit::{AuditAction, AuditRecord};
use invoice_core::journal::{CommitBatch, Journal, JournalError, StateWrite};
use invoice_core::{
    DedupKey, EventKind, InvoiceEvent, InvoiceKey, InvoiceState, Lifecycle, Platform, PortalUpdate,
    Receipt, TenantId,
};
use invoice_store_postgres::{PostgresJournal, PostgresOptions, ScratchDatabase, SCHEMA_VERSION};

fn t(secs: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 1, 15, 0, 0, 0).unwrap() + chrono::Duration::seconds(secs)
}

fn key(id: &str) -> InvoiceKey {
    InvoiceKey::new(Platform::Stripe, "acct_1", id)
}

fn dedup(event_id: &str) -> DedupKey {
    DedupKey {
        platform: Platform::Stripe,
        tenant: TenantId("acct_1".into()),
        event_id: event_id.into(),
    }
}

fn update(id: &str, seq: u64) -> PortalUpdate {
    let mut s = InvoiceState::empty(key(id));
    s.lifecycle = Lifecycle::Open;
    s.version = seq;
    let event = InvoiceEvent::new(key(id), EventKind::Issued, t(0), format!("evt_{id}_{seq}"));
    PortalUpdate::from_transition(&s, &event, t(0))
}

fn record(detail: &str) -> AuditRecord {
    AuditRecord::new(t(0), AuditAction::Applied, detail)
}

async fn db() -> ScratchDatabase {
    ScratchDatabase::create()
        .await
        .unwrap_or_else(|e| panic!("PostgreSQL is required for these tests: {e}"))
}

async fn instance(db: &ScratchDatabase) -> Arc<PostgresJournal> {
    Arc::new(
        PostgresJournal::connect_with(db.url(), PostgresOptions::default())
            .await
            .unwrap(),
    )
}

async fn raw(db: &ScratchDatabase) -> tokio_postgres::Client {
    let (c, conn) = tokio_postgres::connect(db.url(), tokio_postgres::NoTls)
        .await
        .unwrap();
    tokio::spawn(conn);
    c
}

#[tokio::test]
async fn newer_schema_is_refused_and_left_untouched() {
    let db = db().await;
    let j = instance(&db).await;
    assert_eq!(j.schema_version().await.unwrap(), SCHEMA_VERSION);
    drop(j);
    let c = raw(&db).await;
    c.execute(
        "INSERT INTO invoice_relay_schema (version) VALUES (99)",
        &[],
    )
    .await
    .unwrap();
    let e = PostgresJournal::connect(db.url()).await.unwrap_err();
    assert_eq!(
        e,
        JournalError::SchemaTooNew {
            found: 99,
            supported: SCHEMA_VERSION
        }
    );
    let e = PostgresJournal::migrate(db.url()).await.unwrap_err();
    assert!(
        matches!(e, JournalError::SchemaTooNew { found: 99, .. }),
        "{e}"
    );
    let versions: Vec<i32> = c
        .query(
            "SELECT version FROM invoice_relay_schema ORDER BY version",
            &[],
        )
        .await
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert_eq!(versions, [1, 99]);
}

#[tokio::test]
async fn instances_starting_together_migrate_once_and_no_migrate_mode_refuses_an_empty_database() {
    let db = db().await;
    let no_migrate = PostgresOptions {
        migrate: false,
        ..Default::default()
    };
    let e = PostgresJournal::connect_with(db.url(), no_migrate.clone())
        .await
        .unwrap_err();
    assert!(e.to_string().contains("invoice-relay migrate"), "{e}");
    let (a, b, c) = tokio::join!(
        PostgresJournal::migrate(db.url()),
        PostgresJournal::migrate(db.url()),
        PostgresJournal::migrate(db.url()),
    );
    let mut froms = vec![a.unwrap().from, b.unwrap().from, c.unwrap().from];
    froms.sort();
    assert_eq!(froms, [0, 1, 1], "exactly one of them migrated");
    let rows = raw(&db)
        .await
        .query("SELECT version FROM invoice_relay_schema", &[])
        .await
        .unwrap();
    assert_eq!(rows.len(), 1);
    PostgresJournal::connect_with(db.url(), no_migrate)
        .await
        .unwrap();
}

#[tokio::test]
async fn unreachable_server_is_unavailable_with_a_clear_message() {
    let e = PostgresJournal::connect_with(
        "postgres://postgres:hunter2@127.0.0.1:1/none",
        PostgresOptions {
            connect_timeout: Duration::from_secs(2),
            ..Default::default()
        },
    )
    .await
    .unwrap_err();
    let text = e.to_string();
    assert!(matches!(e, JournalError::Unavailable(_)), "{text}");
    assert!(text.contains("127.0.0.1:1/none"), "{text}");
    assert!(!text.contains("hunter2"), "{text}");
    let e = PostgresJournal::connect("not a url").await.unwrap_err();
    assert!(matches!(e, JournalError::Unavailable(_)), "{e}");
}

#[tokio::test]
async fn debug_never_shows_the_password() {
    let db = db().await;
    let mut url = url::Url::parse(db.url()).unwrap();
    url.set_password(Some("s3cr3t-pw")).unwrap();
    // Trust authentication ignores the password; the journal must not print it.
    let j = PostgresJournal::connect(url.as_str()).await.unwrap();
    let dbg = format!("{j:?}");
    assert!(!dbg.contains("s3cr3t-pw"), "{dbg}");
    assert!(dbg.contains(db.name()), "{dbg}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn racing_duplicates_on_two_instances_apply_once() {
    let db = db().await;
    let (a, b) = (instance(&db).await, instance(&db).await);
    let mut tasks = Vec::new();
    for round in 0..40 {
        for (i, j) in [a.clone(), b.clone(), a.clone(), b.clone()]
            .into_iter()
            .enumerate()
        {
            tasks.push(tokio::spawn(async move {
                let id = format!("inv_{round}");
                let mut s = InvoiceState::empty(key(&id));
                s.version = 1;
                let batch = CommitBatch {
                    dedup: vec![dedup(&format!("evt_{round}"))],
                    states: vec![StateWrite {
                        state: s,
                        expected_revision: None,
                    }],
                    audit: vec![record(&format!("evt_{round} via {i}"))],
                    outbox: vec![update(&id, 1)],
                    ..CommitBatch::default()
                };
                // As the relay does: a conflict is retried.
                loop {
                    match j.commit(batch.clone()).await {
                        Err(JournalError::Conflict) => continue,
                        other => return other,
                    }
                }
            }));
        }
    }
    let mut ok = 0;
    for t in tasks {
        match t.await.unwrap() {
            Ok(_) => ok += 1,
            Err(JournalError::Duplicate) => {}
            Err(e) => panic!("unexpected {e}"),
        }
    }
    assert_eq!(ok, 40, "each event applied once");
    let counts = a.outbox_counts().await.unwrap();
    assert_eq!(counts.pending, 40);
    let report = b.verify_chain().await.unwrap();
    assert_eq!(report.entries, 40);
    for round in 0..40 {
        assert!(a
            .is_duplicate(&dedup(&format!("evt_{round}")))
            .await
            .unwrap());
        assert_eq!(
            b.load(&key(&format!("inv_{round}")))
                .await
                .unwrap()
                .unwrap()
                .revision,
            1
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_writers_on_two_instances_keep_one_gapless_chain() {
    let db = db().await;
    let (a, b) = (instance(&db).await, instance(&db).await);
    let mut tasks = Vec::new();
    for w in 0..8 {
        let j = if w % 2 == 0 { a.clone() } else { b.clone() };
        tasks.push(tokio::spawn(async move {
            let mut last = 0;
            for n in 0..40 {
                let r = j
                    .commit(CommitBatch {
                        dedup: vec![dedup(&format!("evt_{w}_{n}"))],
                        audit: vec![record("first"), record("second")],
                        ..CommitBatch::default()
                    })
                    .await
                    .unwrap();
                assert!(r.last_audit_seq > last, "a writer's entries go forward");
                last = r.last_audit_seq;
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    let report = a.verify_chain().await.unwrap();
    assert_eq!(
        (report.entries, report.first_seq, report.last_seq),
        (640, 1, 640)
    );
    let entries = b.audit(&Default::default()).await.unwrap();
    // Each commit's two records are adjacent: a batch is sealed as one run.
    for pair in entries.chunks(2) {
        assert_eq!(pair[0].record.detail, "first");
        assert_eq!(pair[1].record.detail, "second");
    }
    assert!(a.stats().writes + b.stats().writes >= 320);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn claims_from_two_instances_never_overlap_and_keep_invoice_order() {
    let db = db().await;
    let (a, b) = (instance(&db).await, instance(&db).await);
    let mut updates = Vec::new();
    for seq in 1..=4 {
        for inv in 0..30 {
            updates.push(update(&format!("inv_{inv:02}"), seq));
        }
    }
    a.commit(CommitBatch {
        outbox: updates,
        ..CommitBatch::default()
    })
    .await
    .unwrap();
    // Both instances claim and complete until the outbox is empty; each records what it
    // delivered, in order, into one shared log.
    let log = Arc::new(std::sync::Mutex::new(Vec::<(String, u64)>::new()));
    let held = Arc::new(std::sync::Mutex::new(HashSet::<String>::new()));
    let mut tasks = Vec::new();
    for j in [a.clone(), b.clone(), a.clone(), b.clone()] {
        let (log, held) = (log.clone(), held.clone());
        tasks.push(tokio::spawn(async move {
            for _ in 0..20_000 {
                let items = j.claim(7, t(10), Duration::from_secs(600)).await.unwrap();
                if items.is_empty() {
                    if j.outbox_counts().await.unwrap().pending == 0 {
                        return;
                    }
                    tokio::time::sleep(Duration::from_millis(2)).await;
                    continue;
                }
                for it in &items {
                    assert!(
                        held.lock().unwrap().insert(it.update.subject.clone()),
                        "{} claimed by two instances at once",
                        it.update.subject
                    );
                }
                for it in items {
                    log.lock()
                        .unwrap()
                        .push((it.update.subject.clone(), it.update.data.sequence));
                    held.lock().unwrap().remove(&it.update.subject);
                    j.complete(
                        it.id,
                        &Receipt {
                            status: 200,
                            duplicate: false,
                        },
                        record("delivered"),
                    )
                    .await
                    .unwrap();
                }
            }
            panic!("the outbox did not drain");
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    let log = log.lock().unwrap().clone();
    assert_eq!(log.len(), 120, "each item delivered once");
    let mut last: BTreeMap<String, u64> = BTreeMap::new();
    for (subject, seq) in log {
        let prev = last.insert(subject.clone(), seq).unwrap_or(0);
        assert_eq!(seq, prev + 1, "{subject}: {seq} after {prev}");
    }
    assert_eq!(a.outbox_counts().await.unwrap().delivered, 120);
    a.verify_chain().await.unwrap();
}
