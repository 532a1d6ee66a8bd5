//! Memory per invoice of the state machine's states, measured with a counting global
//! allocator (live heap bytes), and whether it stays flat over a long replay.
//!
//! 1. `size_of` of the state and its key;
//! 2. 1M events over 100k invoices replayed into a `HashMap<InvoiceKey, InvoiceState>`:
//!    live heap of the map and its states (events excluded), per invoice; plus the
//!    state's JSON size (what the SQLite/PostgreSQL journals store);
//! 3. 1M events over 10k invoices (ten cycles of ten events each), generated a cycle at a
//!    time: live heap of the states after each cycle. Flat means per-invoice state does
//!    not grow with history.
//!
//! `cargo run --release -p invoice-relay-benches --bin state-memory`

use std::alloc::{GlobalAlloc, Layout, System};
use std::collections::HashMap;
use std::sync::atomic::{AtomicIsize, Ordering};

use invoice_core::{InvoiceKey, InvoiceState};
use invoice_relay_benches::history::{event, history, replay, CYCLE};

/// Counts live heap bytes; delegates to the system allocator.
struct Counting;

static LIVE: AtomicIsize = AtomicIsize::new(0);

// SAFETY: every call is forwarded unchanged to `System`, which upholds `GlobalAlloc`'s
// contract; the counter only observes sizes.
#[allow(unsafe_code)]
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        LIVE.fetch_add(layout.size() as isize, Ordering::Relaxed);
        // SAFETY: forwarded with the caller's layout.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size() as isize, Ordering::Relaxed);
        // SAFETY: `ptr` came from `alloc` with this layout.
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        LIVE.fetch_add(
            new_size as isize - layout.size() as isize,
            Ordering::Relaxed,
        );
        // SAFETY: forwarded unchanged.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn live() -> isize {
    LIVE.load(Ordering::Relaxed)
}

fn main() {
    println!(
        "size_of::<InvoiceState>() = {} B, size_of::<InvoiceKey>() = {} B",
        std::mem::size_of::<InvoiceState>(),
        std::mem::size_of::<InvoiceKey>()
    );

    // 2. 1M events, 100k invoices.
    let invoices = 100_000;
    let events = history(invoices, 1);
    let before = live();
    let mut states: HashMap<InvoiceKey, InvoiceState> = HashMap::new();
    let applied = replay(&mut states, &events);
    let heap = live() - before;
    let json: usize = states
        .values()
        .map(|s| serde_json::to_vec(s).map_or(0, |v| v.len()))
        .sum();
    println!(
        "1M events over {invoices} invoices: {} events, {applied} applied; live heap of the map and states {:.1} MiB = {} B per invoice (map slot + state heap); JSON of a state {} B on average",
        events.len(),
        heap as f64 / 1048576.0,
        heap / invoices as isize,
        json / invoices
    );
    drop(states);
    drop(events);

    // 3. Ten cycles over 10k invoices, one cycle generated at a time.
    let invoices = 10_000;
    let base = live();
    let mut states: HashMap<InvoiceKey, InvoiceState> = HashMap::new();
    println!("1M events over {invoices} invoices (100 events each), live heap of the states after each 100k events:");
    for c in 0..10 {
        let mut cycle = Vec::with_capacity(invoices * CYCLE);
        for j in 0..CYCLE {
            for i in 0..invoices {
                cycle.push(event(i, c, j));
            }
        }
        let before = live();
        replay(&mut states, &cycle);
        let grew = live() - before;
        drop(cycle);
        let now = live() - base;
        println!(
            "  after {:>9} events: {:>8.2} MiB, {:>5} B per invoice (this cycle added {} B)",
            (c + 1) * invoices * CYCLE,
            now as f64 / 1048576.0,
            now / invoices as isize,
            grew
        );
    }
}
