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

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use invoice_core::journal::Journal;
use invoice_core::testing::bench::webhook_commit_batch as full_batch;
use invoice_store_postgres::{PostgresJournal, PostgresOptions, ScratchDatabase};

/// Commits in flight per iteration, spread evenly over the instances.
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
