//! Runs one platform's ingest case `n` times, for instruction counting under
//! `valgrind --tool=callgrind` (load-independent, unlike criterion's wall clock):
//! `ingest-ir <platform> <relay|floor> <n>`. Run it with two values of `n`; the
//! difference of the totals divided by the difference of `n` is the cost of one call,
//! without the setup (fixture loading, source construction).

use std::hint::black_box;
use std::process::ExitCode;

use invoice_relay_benches::{cases, ingest_and_apply};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().collect();
    let (Some(platform), Some(mode), Some(n)) = (args.get(1), args.get(2), args.get(3)) else {
        eprintln!("usage: ingest-ir <platform> <relay|floor> <n>");
        return ExitCode::FAILURE;
    };
    let Ok(n) = n.parse::<u64>() else {
        eprintln!("n must be a number");
        return ExitCode::FAILURE;
    };
    let cases = match cases() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::FAILURE;
        }
    };
    let Some(case) = cases.iter().find(|c| c.platform == platform) else {
        eprintln!("no platform {platform}");
        return ExitCode::FAILURE;
    };
    let mut total = 0usize;
    for _ in 0..n {
        total += match mode.as_str() {
            "relay" => ingest_and_apply(black_box(case)),
            _ => case.floor.run(black_box(&case.request)),
        };
    }
    println!("{total}");
    ExitCode::SUCCESS
}
