//! In-process ingest per platform (verify + parse + map + `apply`, no I/O) beside the
//! floor of the same request (the platform's authentication at its cheapest: HMAC-SHA256,
//! a constant-time token / Basic compare, or PayPal's RSA, + a minimal borrowed parse). The Stripe
//! peers (svix, async-stripe) on the same body are in `benches/peers` (own lockfile).
//!
//! `cargo bench -p invoice-relay-benches --bench ingest`
#![allow(missing_docs)] // criterion_main! generates an undocumented `main`

use criterion::{black_box, criterion_group, criterion_main, Criterion, Throughput};
use invoice_relay_benches::{cases, ingest_and_apply, Case};

fn platform(c: &mut Criterion, case: &Case) {
    let mut g = c.benchmark_group(format!("ingest/{}", case.platform));
    g.throughput(Throughput::Elements(1));
    g.bench_function("relay", |b| b.iter(|| black_box(ingest_and_apply(case))));
    g.bench_function("floor", |b| {
        b.iter(|| black_box(case.floor.run(black_box(&case.request))))
    });
    g.finish();
}

fn all(c: &mut Criterion) {
    let cases = match cases() {
        Ok(c) => c,
        Err(e) => panic!("bench cases: {e}"),
    };
    let only = std::env::var("INGEST_ONLY").ok();
    for case in &cases {
        if only.as_deref().is_some_and(|o| o != case.platform) {
            continue;
        }
        platform(c, case);
    }
}

criterion_group!(benches, all);
criterion_main!(benches);
