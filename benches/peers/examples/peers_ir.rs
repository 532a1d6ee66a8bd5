//! Runs one peer path on one Stripe fixture `n` times, for instruction counting under
//! `valgrind --tool=callgrind` (load-independent, unlike criterion's wall clock):
//! `peers_ir <stripe|stripe-endive> <floor|svix|svix_typed|svix_borrowed|async_stripe> <n>`.
//! Run it with two values of `n`; the difference of the totals divided by the difference
//! of `n` is the cost of one call without the setup. The same paths as `benches/peers.rs`;
//! a path that refuses the body (an async-stripe type on the clover fixture) is counted
//! up to its refusal, and the printed tally says how many calls succeeded.

use std::hint::black_box;
use std::process::ExitCode;

use invoice_relay_bench_peers::{
    async_stripe, split, svix_borrowed, svix_headers, svix_typed, svix_webhook, Floor, CASES,
    STRIPE_SECRET,
};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().collect();
    let (Some(slug), Some(mode), Some(n)) = (args.get(1), args.get(2), args.get(3)) else {
        eprintln!("usage: peers_ir <stripe|stripe-endive> <floor|svix|svix_typed|svix_borrowed|async_stripe> <n>");
        return ExitCode::FAILURE;
    };
    let Ok(n) = n.parse::<u64>() else {
        eprintln!("n must be a number");
        return ExitCode::FAILURE;
    };
    let Some(case) = CASES.iter().find(|c| c.slug == slug) else {
        eprintln!("no case {slug}");
        return ExitCode::FAILURE;
    };
    let (body, _) = split(case.http);
    let floor = Floor::new(STRIPE_SECRET.as_bytes(), body);
    let wh = svix_webhook();
    let headers = svix_headers(&wh, body);
    let mut ok = 0u64;
    let mut total = 0usize;
    for _ in 0..n {
        let r = match mode.as_str() {
            "floor" => floor.run(black_box(body)),
            "svix" => usize::from(wh.verify(black_box(body), &headers).is_ok()),
            "svix_typed" => usize::from(svix_typed(&wh, black_box(body), &headers).is_ok()),
            "svix_borrowed" => svix_borrowed(&wh, black_box(body), &headers),
            "async_stripe" => usize::from(async_stripe(black_box(case)).is_ok()),
            _ => {
                eprintln!("no mode {mode}");
                return ExitCode::FAILURE;
            }
        };
        ok += u64::from(r != 0);
        total += r;
    }
    println!("{slug} {mode}: {ok}/{n} succeeded ({total})");
    ExitCode::SUCCESS
}
