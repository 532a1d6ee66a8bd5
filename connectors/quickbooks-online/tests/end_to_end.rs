//! Webhook -> `Relay` (MemoryJournal) -> pending reference -> `enrich_once` against the
//! loopback Accounting API -> the invoice state is what the API said.

// Tests may unwrap (see the workspace lint's comment).
#![allow(clippy::unwrap_used)]

mod support;

use std::sync::Arc;

use chrono::{TimeZone, Utc};
use invoice_connector_quickbooks_online::testing::Harness;
use invoice_connector_quickbooks_online::{QboEnricher, QboSource};
use invoice_core::journal::{Journal, MemoryJournal};
use invoice_core::testing::fixture::parse_http;
use invoice_core::{InvoiceKey, Lifecycle, ManualClock, Platform, Relay, Route};
use support::{config, start, webhook, Canned};

const REALM: &str = "9341455322581846";

fn fixture(name: &str) -> invoice_core::WebhookRequest {
    let path = Harness::fixtures().join(format!("{name}.http"));
    parse_http(&std::fs::read(&path).unwrap()).unwrap()
}

#[tokio::test]
async fn webhook_then_enrichment_sets_the_state_the_api_reports() {
    let (addr, mock) = start().await;
    mock.answer("invoice/1042", Canned::ok("invoice_1042_partial.json"));
    mock.answer("payment/2210", Canned::ok("payment_2210.json"));
    mock.answer("invoice/1043", Canned::ok("invoice_1043_voided.json"));
    // The configured token has expired: the first fetch refreshes it.
    let cfg = config(addr, "expired");
    let journal = Arc::new(MemoryJournal::new());
    let clock = Arc::new(ManualClock::new(
        Utc.with_ymd_and_hms(2026, 3, 9, 22, 3, 41).unwrap(),
    ));
    let relay = Relay::builder(journal.clone())
        .source(Arc::new(QboSource::new(cfg.clone()).unwrap()))
        .enricher(Arc::new(QboEnricher::from_config(&cfg).unwrap()))
        .clock(clock.clone())
        .build();

    // Invoice Update + Payment Create + Customer Update, as Intuit sent it.
    let out = relay
        .ingest(
            Platform::QuickbooksOnline,
            &fixture("02_legacy_invoice_update_payment_customer"),
            Route::default(),
        )
        .await
        .unwrap();
    assert_eq!(out.reply.status, 200);
    assert!(out.reply.body.is_empty());
    assert_eq!(out.tenant.as_str(), REALM);
    assert_eq!((out.report.pending, out.report.skipped), (2, 1));
    assert_eq!(mock.api_call_count(), 0, "nothing fetched before the reply");
    let key = InvoiceKey::new(Platform::QuickbooksOnline, REALM, "1042");
    assert!(journal.load(&key).await.unwrap().is_none());

    let report = relay.enrich_once(10).await.unwrap();
    assert_eq!(
        (report.resolved, report.retried, report.rejected),
        (2, 0, 0)
    );
    let state = journal.load(&key).await.unwrap().unwrap().state;
    assert_eq!(state.lifecycle, Lifecycle::PartiallyPaid);
    assert_eq!(state.total.to_string(), "4250.00");
    assert_eq!(state.paid.to_string(), "2500.00");
    assert_eq!(state.balance.to_string(), "1750.00");
    assert_eq!(state.number.as_deref(), Some("BRT-1042"));
    assert_eq!(
        state.currency.map(|c| c.as_str().to_owned()),
        Some("USD".into())
    );
    assert_eq!(mock.token_call_count(), 1);
    // Both references read the same SyncToken: applied once, the second a duplicate.
    assert_eq!(report.applied.applied, 1);
    assert_eq!(report.applied.duplicates, 1);
    assert!(relay.enrich_once(10).await.unwrap().resolved == 0);

    // Later the invoice is paid in full; Intuit notifies again.
    mock.replace("invoice/1042", Canned::ok("invoice_1042_paid.json"));
    clock.set(Utc.with_ymd_and_hms(2026, 3, 20, 16, 41, 0).unwrap());
    let body = r#"{"eventNotifications":[{"realmId":"9341455322581846","dataChangeEvent":{"entities":[{"name":"Invoice","id":"1042","operation":"Update","lastUpdated":"2026-03-20T09:40:00-0700"},{"name":"Invoice","id":"1043","operation":"Void","lastUpdated":"2026-03-10T08:30:00.000Z"}]}}]}"#;
    let out = relay
        .ingest(Platform::QuickbooksOnline, &webhook(body), Route::default())
        .await
        .unwrap();
    assert_eq!(out.report.pending, 2);
    let report = relay.enrich_once(10).await.unwrap();
    assert_eq!(report.resolved, 2);
    let state = journal.load(&key).await.unwrap().unwrap().state;
    assert_eq!(state.lifecycle, Lifecycle::Paid);
    assert!(state.balance.is_zero());
    assert_eq!(state.paid.to_string(), "4250.00");
    let voided = journal
        .load(&InvoiceKey::new(Platform::QuickbooksOnline, REALM, "1043"))
        .await
        .unwrap()
        .unwrap()
        .state;
    assert_eq!(voided.lifecycle, Lifecycle::Void);
    assert!(journal.verify_chain().await.is_ok());
}

#[tokio::test]
async fn throttled_fetch_stays_pending_and_is_retried() {
    let (addr, mock) = start().await;
    mock.accept_token("good");
    mock.answer(
        "invoice/1042",
        Canned::status(429, "fault_throttled.json").header("retry-after", "30"),
    );
    mock.answer("invoice/1042", Canned::ok("invoice_1042_open.json"));
    let cfg = config(addr, "good");
    let journal = Arc::new(MemoryJournal::new());
    let clock = Arc::new(ManualClock::new(
        Utc.with_ymd_and_hms(2026, 3, 2, 9, 16, 4).unwrap(),
    ));
    let relay = Relay::builder(journal.clone())
        .source(Arc::new(QboSource::new(cfg.clone()).unwrap()))
        .enricher(Arc::new(QboEnricher::from_config(&cfg).unwrap()))
        .clock(clock.clone())
        .build();
    relay
        .ingest(
            Platform::QuickbooksOnline,
            &fixture("01_legacy_invoice_create"),
            Route::default(),
        )
        .await
        .unwrap();
    let first = relay.enrich_once(10).await.unwrap();
    assert_eq!((first.resolved, first.retried), (0, 1));
    // Not due again before Retry-After.
    clock.advance(chrono::Duration::seconds(5));
    assert_eq!(relay.enrich_once(10).await.unwrap().resolved, 0);
    clock.advance(chrono::Duration::hours(2));
    let second = relay.enrich_once(10).await.unwrap();
    assert_eq!(second.resolved, 1);
    let state = journal
        .load(&InvoiceKey::new(Platform::QuickbooksOnline, REALM, "1042"))
        .await
        .unwrap()
        .unwrap()
        .state;
    assert_eq!(state.lifecycle, Lifecycle::Open);
    assert_eq!(state.balance.to_string(), "4250.00");
}
