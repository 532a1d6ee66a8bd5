//! ServiceNow posts through the `Relay`: versions by `sys_mod_count` keep a late
//! re-delivery of an older record from regressing the invoice, and a resync of an
//! unchanged record applies nothing.

#![allow(clippy::unwrap_used)] // tests may unwrap (see the workspace lints)

use std::sync::Arc;

use chrono::{DateTime, Utc};
use invoice_connector_servicenow::testing::{fixture_config, Harness, FIXTURE_SECRET};
use invoice_connector_servicenow::ServicenowSource;
use invoice_core::journal::{Journal, MemoryJournal};
use invoice_core::testing::fixture::{load_dir, Fixture};
use invoice_core::{InvoiceKey, Lifecycle, ManualClock, Platform, Relay, Route, Secret};

fn fixture(prefix: &str) -> Fixture {
    load_dir(&Harness::fixtures())
        .unwrap()
        .into_iter()
        .find(|f| f.name.starts_with(prefix))
        .unwrap()
}

fn relay_at(journal: Arc<MemoryJournal>, clock: Arc<ManualClock>) -> Relay {
    Relay::builder(journal)
        .source(Arc::new(
            ServicenowSource::new(fixture_config(vec![Secret::new(FIXTURE_SECRET)])).unwrap(),
        ))
        .clock(clock)
        .build()
}

async fn deliver(journal: &Arc<MemoryJournal>, f: &Fixture, now: DateTime<Utc>) -> (usize, usize) {
    let relay = relay_at(journal.clone(), Arc::new(ManualClock::new(now)));
    let out = relay
        .ingest(Platform::Servicenow, &f.request, Route::default())
        .await
        .unwrap();
    assert_eq!(out.reply.status.as_u16(), 200, "{}", f.name);
    (out.report.applied as usize, out.report.duplicates as usize)
}

#[tokio::test]
async fn an_older_version_delivered_late_does_not_regress_the_invoice() {
    let journal = Arc::new(MemoryJournal::new());
    let key = InvoiceKey::new(
        Platform::Servicenow,
        "anodizeworks",
        "9d385017c611228701d22104cc95c371",
    );
    let partial = fixture("02_");
    let issued = fixture("01_");
    deliver(&journal, &partial, partial.expect.now).await;
    let state = journal.load(&key).await.unwrap().unwrap().state;
    assert_eq!(state.lifecycle, Lifecycle::PartiallyPaid);
    assert_eq!(state.paid.to_string(), "800.00");
    // The insert (sys_mod_count 0) arrives after update 3: recorded, not applied over it.
    // (Its signature is checked at its own signing time.)
    deliver(&journal, &issued, issued.expect.now).await;
    let state = journal.load(&key).await.unwrap().unwrap().state;
    assert_eq!(state.lifecycle, Lifecycle::PartiallyPaid);
    assert_eq!(state.paid.to_string(), "800.00");
    // The resync batch carries version 9 (paid): applied.
    let resync = fixture("07_");
    deliver(&journal, &resync, resync.expect.now).await;
    let state = journal.load(&key).await.unwrap().unwrap().state;
    assert_eq!(state.lifecycle, Lifecycle::Paid);
    assert!(state.balance.is_zero());
    // The same batch again: every record a duplicate.
    let (applied, dups) = deliver(&journal, &resync, resync.expect.now).await;
    assert_eq!((applied, dups), (0, 3));
    assert!(journal.verify_chain().await.is_ok());
}
