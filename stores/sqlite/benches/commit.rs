//! Durable commit throughput of the SQLite journal (`synchronous=FULL`, WAL), beside the
//! raw `fdatasync` rate of the same disk:
//!
//! - `fdatasync_4k`: write 4 KiB to a file in the same directory and `fdatasync` it (the
//!   floor every durable commit pays at least once);
//! - `one_event_per_transaction`: full commits (raw request, dedup key, state, two audit
//!   entries, outbox row) awaited one after another, group commit off;
//! - `group_commit_64_concurrent`: the same commits in rounds of 64 started at once (each
//!   round waits for its slowest commit), batched by the writer thread into shared
//!   transactions;
//! - `group_commit_64_in_flight`: 64 producers, each starting its next commit as soon as
//!   its previous one is durable (64 concurrent ingests, no rounds).
//!
//! Throughput is in committed events per second. Run with
//! `cargo bench -p invoice-store-sqlite --bench commit`.

// `criterion_group!` generates an undocumented public function.
#![allow(missing_docs)]

use std::io::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use invoice_core::journal::Journal;
use invoice_core::testing::bench::webhook_commit_batch as full_batch;
use invoice_store_sqlite::{SqliteJournal, SqliteOptions};

fn bench(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("tokio runtime");
    let dir = tempfile::tempdir().expect("temp dir");
    let mut group = c.benchmark_group("durable_commit");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(6));

    group.throughput(Throughput::Elements(1));
    group.bench_function("fdatasync_4k", |b| {
        let mut f = std::fs::File::create(dir.path().join("fsync.bin")).expect("file");
        let page = [7u8; 4096];
        b.iter(|| {
            f.write_all(&page).expect("write");
            f.sync_data().expect("fdatasync");
        });
    });

    let counter = Arc::new(AtomicU64::new(0));
    let serial = SqliteJournal::open_with(
        dir.path().join("serial.db"),
        SqliteOptions {
            group_commit_max: 1,
            ..SqliteOptions::default()
        },
    )
    .expect("open");
    group.throughput(Throughput::Elements(1));
    group.bench_function("one_event_per_transaction", |b| {
        b.to_async(&rt).iter(|| {
            let n = counter.fetch_add(1, Ordering::Relaxed);
            let j = serial.clone();
            async move { j.commit(full_batch(n)).await.expect("commit") }
        });
    });

    let grouped = SqliteJournal::open(dir.path().join("group.db")).expect("open");
    const CONCURRENT: u64 = 64;
    group.throughput(Throughput::Elements(CONCURRENT));
    group.bench_function("group_commit_64_concurrent", |b| {
        b.to_async(&rt).iter(|| {
            let start = counter.fetch_add(CONCURRENT, Ordering::Relaxed);
            let j = grouped.clone();
            async move {
                let tasks: Vec<_> = (start..start + CONCURRENT)
                    .map(|n| {
                        let j = j.clone();
                        tokio::spawn(async move { j.commit(full_batch(n)).await })
                    })
                    .collect();
                for t in tasks {
                    t.await.expect("task").expect("commit");
                }
            }
        });
    });

    // The same 64 producers, each starting its next commit as soon as its previous one is
    // durable (no barrier between rounds): what 64 concurrent HTTP ingests look like.
    let streaming = SqliteJournal::open(dir.path().join("stream.db")).expect("open");
    group.throughput(Throughput::Elements(CONCURRENT));
    group.bench_function("group_commit_64_in_flight", |b| {
        b.to_async(&rt).iter_custom(|iters| {
            let j = streaming.clone();
            let counter = Arc::clone(&counter);
            async move {
                let remaining = Arc::new(AtomicU64::new(iters * CONCURRENT));
                let start = std::time::Instant::now();
                let producers: Vec<_> = (0..CONCURRENT)
                    .map(|_| {
                        let (j, counter, remaining) =
                            (j.clone(), Arc::clone(&counter), Arc::clone(&remaining));
                        tokio::spawn(async move {
                            while remaining
                                .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |r| {
                                    r.checked_sub(1)
                                })
                                .is_ok()
                            {
                                let n = counter.fetch_add(1, Ordering::Relaxed);
                                j.commit(full_batch(n)).await.expect("commit");
                            }
                        })
                    })
                    .collect();
                for p in producers {
                    p.await.expect("producer");
                }
                start.elapsed()
            }
        });
    });
    group.finish();
    report("64 in flight", &streaming);
    report("group commit", &grouped);
}

/// How many writes shared each transaction (warm-up included).
fn report(case: &str, journal: &SqliteJournal) {
    let stats = journal.stats();
    eprintln!(
        "{case}: {} writes in {} transactions ({:.1} per transaction)",
        stats.writes,
        stats.transactions,
        stats.writes as f64 / stats.transactions.max(1) as f64
    );
}

criterion_group!(benches, bench);
criterion_main!(benches);
