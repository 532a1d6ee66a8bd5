//! Committed events per second of the PostgreSQL journal with 1, 2 and 3 instances (each
//! its own `PostgresJournal`: pool and group-commit writer, as each relay process has) on
//! one database, 96 full commits in flight per iteration spread evenly over the instances.
//! A full commit is what the relay writes for one webhook: raw request, dedup key, state,
//! two audit entries, outbox row.
//!
//! Needs PostgreSQL at `$INVOICE_RELAY_TEST_PG` (default
//! `postgres://postgres@127.0.0.1:5432/postgres`); a scratch database is created and
//! dropped. Run with `cargo bench -p invoice-store-postgres --bench commit`.

// `criterion_group!` generates an undocumented public function.
#![allow(missing_docs)]

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use chrono::Utc;
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use invoice_core::audit::{AuditAction, AuditRecord};
use invoice_core::journal::{CommitBatch, Journal, ReceivedRecord, StateWrite};
use invoice_core::{
    Currency, Customer, DedupKey, EventKind, InvoiceEvent, InvoiceKey, InvoiceState, Lifecycle,
    Platform, PortalUpdate, TenantId,
};
use invoice_store_postgres::{PostgresJournal, PostgresOptions, ScratchDatabase};
use rust_decimal::Decimal;

/// One event's worth of rows, as the relay commits it for a webhook.
fn full_batch(n: u64) -> CommitBatch {
    let now = Utc::now();
    let key = InvoiceKey::new(Platform::Stripe, "acct_bench", format!("in_{n}"));
    let event_id = format!("evt_{n}");
    let mut state = InvoiceState::empty(key.clone());
    state.number = Some(format!("INV-{n}"));
    state.customer = Customer {
        platform_id: format!("cus_{}", n % 97),
        name: Some("Anodisierwerk Süd GmbH".into()),
        portal_account: None,
    };
    state.currency = Currency::new("EUR").ok();
    state.total = Decimal::new(123_450, 2);
    state.balance = state.total;
    state.lifecycle = Lifecycle::Open;
    state.version = 1;
    let event = InvoiceEvent::new(key.clone(), EventKind::Issued, now, event_id.clone());
    let body = format!(
        r#"{{"id":"{event_id}","object":"event","type":"invoice.finalized","data":{{"object":{{"id":"in_{n}","number":"INV-{n}","customer":"cus_{}","currency":"eur","amount_due":123450,"amount_paid":0,"status":"open","due_date":1768435200,"lines":{{"data":[{{"description":"Hard anodizing, 400 parts","amount":123450}}]}}}}}}}}"#,
        n % 97
    );
    let audit = |action, detail: &str| AuditRecord {
        platform: Some(Platform::Stripe),
        tenant: Some("acct_bench".into()),
        invoice: Some(key.to_string()),
        customer: Some(state.customer.account().to_owned()),
        reference: Some(event_id.clone()),
        ..AuditRecord::new(now, action, detail)
    };
    CommitBatch {
        received: Some(ReceivedRecord {
            platform: Platform::Stripe,
            tenant: "acct_bench".into(),
            received_at: now,
            headers: vec![
                ("content-type".into(), "application/json".into()),
                ("stripe-signature".into(), "[redacted]".into()),
            ],
            body: Bytes::from(body.clone()),
        }),
        dedup: vec![DedupKey {
            platform: Platform::Stripe,
            tenant: TenantId("acct_bench".into()),
            event_id: event_id.clone(),
        }],
        audit: vec![
            audit(AuditAction::Received, &format!("{} bytes", body.len())),
            audit(AuditAction::Applied, "issued: applied -> open (sequence 1)"),
        ],
        outbox: vec![PortalUpdate::from_transition(&state, &event, now)],
        states: vec![StateWrite {
            state,
            expected_revision: None,
        }],
        ..CommitBatch::default()
    }
}

const IN_FLIGHT: u64 = 96;

fn bench(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("tokio runtime");
    let db = rt
        .block_on(ScratchDatabase::create())
        .unwrap_or_else(|e| panic!("PostgreSQL is required for this bench: {e}"));
    let journals: Vec<Arc<PostgresJournal>> = (0..3)
        .map(|_| {
            rt.block_on(PostgresJournal::connect_with(
                db.url(),
                PostgresOptions::default(),
            ))
            .map(Arc::new)
            .expect("connect")
        })
        .collect();
    let counter = Arc::new(AtomicU64::new(0));
    let mut group = c.benchmark_group("postgres_commit");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_secs(2))
        .measurement_time(Duration::from_secs(10))
        .throughput(Throughput::Elements(IN_FLIGHT));
    for instances in 1..=3usize {
        let js: Vec<Arc<PostgresJournal>> = journals[..instances].to_vec();
        group.bench_function(format!("instances_{instances}"), |b| {
            b.to_async(&rt).iter(|| {
                let start = counter.fetch_add(IN_FLIGHT, Ordering::Relaxed);
                let js = js.clone();
                async move {
                    let tasks: Vec<_> = (start..start + IN_FLIGHT)
                        .map(|n| {
                            let j = js[(n as usize) % js.len()].clone();
                            tokio::spawn(async move { j.commit(full_batch(n)).await })
                        })
                        .collect();
                    for t in tasks {
                        t.await.expect("task").expect("commit");
                    }
                }
            });
        });
    }
    group.finish();
    for (i, j) in journals.iter().enumerate() {
        let s = j.stats();
        eprintln!(
            "instance {i}: {} writes in {} transactions ({:.1} per transaction)",
            s.writes,
            s.transactions,
            s.writes as f64 / s.transactions.max(1) as f64
        );
    }
    drop(journals);
    drop(db);
}

criterion_group!(benches, bench);
criterion_main!(benches);
