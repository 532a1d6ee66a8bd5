//! Where a durable commit's time goes: commits the `commit` bench's full rows
//! ([`webhook_commit_batch`](invoice_core::testing::bench::webhook_commit_batch)) from 64
//! producers (each starting its next commit when its previous one is durable) into a new
//! journal, then prints throughput and, per thread of the journal (writer, syncer,
//! checkpointer), CPU time and bytes written per event, read from Linux's
//! `/proc/self/task/*/{schedstat,io}`.
//!
//! ```text
//! cargo run --release -p invoice-store-sqlite --example commit_profile -- [events] [producers] [dir]
//! ```
//!
//! Defaults: 100,000 events, 64 producers, a temporary directory (pass a directory to keep
//! the database for inspection).

// Examples are not part of the public API.
#![allow(missing_docs)]

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Instant;

use invoice_core::journal::Journal;
use invoice_store_sqlite::SqliteJournal;

use invoice_core::testing::bench::webhook_commit_batch;

/// CPU nanoseconds and bytes written so far by each named thread of this process.
fn threads() -> BTreeMap<String, (u64, u64)> {
    let mut out = BTreeMap::new();
    let Ok(dir) = std::fs::read_dir("/proc/self/task") else {
        return out;
    };
    for task in dir.flatten() {
        let p = task.path();
        let name = std::fs::read_to_string(p.join("comm")).unwrap_or_default();
        let cpu = std::fs::read_to_string(p.join("schedstat"))
            .ok()
            .and_then(|s| s.split_whitespace().next()?.parse::<u64>().ok())
            .unwrap_or(0);
        let written = std::fs::read_to_string(p.join("io"))
            .ok()
            .and_then(|s| {
                s.lines()
                    .find_map(|l| l.strip_prefix("wchar: "))?
                    .trim()
                    .parse::<u64>()
                    .ok()
            })
            .unwrap_or(0);
        let e = out.entry(name.trim().to_owned()).or_insert((0, 0));
        e.0 += cpu;
        e.1 += written;
    }
    out
}

fn main() {
    let mut args = std::env::args().skip(1);
    let events: u64 = args.next().and_then(|a| a.parse().ok()).unwrap_or(100_000);
    let producers: u64 = args.next().and_then(|a| a.parse().ok()).unwrap_or(64);
    let keep = args.next();
    let temp = tempfile::tempdir().expect("temp dir");
    let dir = keep.map_or_else(|| temp.path().to_owned(), Into::into);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("tokio runtime");
    let journal = SqliteJournal::open(dir.join("profile.db")).expect("open");
    let before = threads();
    let start = Instant::now();
    rt.block_on(async {
        let next = Arc::new(AtomicU64::new(0));
        let tasks: Vec<_> = (0..producers)
            .map(|_| {
                let (j, next) = (journal.clone(), Arc::clone(&next));
                tokio::spawn(async move {
                    loop {
                        let n = next.fetch_add(1, Ordering::Relaxed);
                        if n >= events {
                            break;
                        }
                        j.commit(webhook_commit_batch(n)).await.expect("commit");
                    }
                })
            })
            .collect();
        for t in tasks {
            t.await.expect("producer");
        }
    });
    let elapsed = start.elapsed();
    let after = threads();
    let stats = journal.stats();
    println!(
        "{events} events from {producers} producers in {:.2} s: {:.0} events/s, {:.1} writes per transaction",
        elapsed.as_secs_f64(),
        events as f64 / elapsed.as_secs_f64(),
        stats.writes as f64 / stats.transactions.max(1) as f64
    );
    let mut total = 0;
    println!(
        "{:<28} {:>14} {:>16}",
        "thread", "CPU µs/event", "KiB written/event"
    );
    for (name, (cpu, written)) in &after {
        let (cpu0, written0) = before.get(name).copied().unwrap_or((0, 0));
        let (cpu, written) = (cpu - cpu0, written - written0);
        total += cpu;
        println!(
            "{name:<28} {:>14.1} {:>16.2}",
            cpu as f64 / 1e3 / events as f64,
            written as f64 / 1024.0 / events as f64
        );
    }
    println!(
        "{:<28} {:>14.1}",
        "all threads",
        total as f64 / 1e3 / events as f64
    );
}
