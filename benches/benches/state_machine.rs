//! Transitions per second over a 1M-event history of 100k invoices: `invoice_core::apply`
//! on states kept in a `HashMap`, every stored change written back (as the relay's
//! journal would store it). Beside it, the floor of any per-invoice fold over the same
//! events: look the invoice up, compare the event's order with the newest one seen, keep
//! the newer (one newest-wins register per invoice, nothing derived).
//!
//! `cargo bench -p invoice-relay-benches --bench state_machine`
#![allow(missing_docs)] // criterion_main! generates an undocumented `main`

use std::collections::HashMap;
use std::time::Duration;

use criterion::{black_box, criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use invoice_core::{EventOrder, InvoiceKey};
use invoice_relay_benches::history::{history, replay};

const INVOICES: usize = 100_000;

fn floor(
    regs: &mut HashMap<InvoiceKey, EventOrder>,
    events: &[invoice_core::InvoiceEvent],
) -> usize {
    let mut newer = 0;
    for e in events {
        let order = e.order();
        match regs.get_mut(&e.key) {
            Some(cur) if *cur >= order => {}
            Some(cur) => {
                *cur = order;
                newer += 1;
            }
            None => {
                regs.insert(e.key.clone(), order);
                newer += 1;
            }
        }
    }
    newer
}

fn bench(c: &mut Criterion) {
    let events = history(INVOICES, 1);
    let mut g = c.benchmark_group("state_machine/1M_events_100k_invoices");
    g.throughput(Throughput::Elements(events.len() as u64));
    g.sample_size(10);
    g.measurement_time(Duration::from_secs(30));
    g.bench_function("apply", |b| {
        b.iter_batched(
            || HashMap::with_capacity(INVOICES),
            |mut states| {
                black_box(replay(&mut states, &events));
                states
            },
            BatchSize::PerIteration,
        )
    });
    g.bench_function("floor_newest_wins_register", |b| {
        b.iter_batched(
            || HashMap::with_capacity(INVOICES),
            |mut regs| {
                black_box(floor(&mut regs, &events));
                regs
            },
            BatchSize::PerIteration,
        )
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
