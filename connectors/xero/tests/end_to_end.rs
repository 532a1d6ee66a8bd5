//! Webhook -> `Relay` (MemoryJournal) -> pending reference -> `enrich_once` against the
//! loopback Xero API -> the invoice state is what the API said.

// Tests may unwrap (see the workspace lint's comment).
#![allow(clippy::unwrap_used)]

mod support;

use std::sync::Arc;

use chrono::{TimeZone, Utc};
use invoice_connector_xero::{XeroEnricher, XeroSource};
use invoice_core::journal::{Journal, MemoryJournal};
use invoice_core::{InvoiceKey, Lifecycle, ManualClock, Platform, Relay, Route};
use support::{config, invoice_event, start, webhook, Canned, INV42, INV43, T1};

#[tokio::test]
async fn webhook_then_enrichment_sets_the_state_the_api_reports() {
    let (addr, mock) = start().await;
    mock.answer(INV42, Canned::ok("invoice_0042_partially_paid.json"));
    let cfg = config(addr, "expired");
    let journal = Arc::new(MemoryJournal::new());
    let clock = Arc::new(ManualClock::new(
        Utc.with_ymd_and_hms(2026, 3, 9, 14, 2, 31).unwrap(),
    ));
    let relay = Relay::builder(journal.clone())
        .source(Arc::new(XeroSource::new(cfg.clone()).unwrap()))
        .enricher(Arc::new(XeroEnricher::from_config(&cfg).unwrap()))
        .clock(clock.clone())
        .build();
    let base = format!("http://{addr}");

    // An intent-to-receive probe: 200, empty body, nothing stored.
    let probe = webhook(
        r#"{"events":[],"firstEventSequence": 0,"lastEventSequence": 0, "entropy": "ABCDEFGHIJKLMNOPQRST"}"#,
    );
    let out = relay
        .ingest(Platform::Xero, &probe, Route::default())
        .await
        .unwrap();
    assert_eq!(out.reply.status, 200);
    assert!(out.reply.body.is_empty() && out.reply.headers.is_empty());
    assert_eq!(out.report.pending, 0);

    let body = invoice_event(&base, INV42, "UPDATE", "2026-03-09T14:02:11.020");
    let out = relay
        .ingest(Platform::Xero, &webhook(&body), Route::default())
        .await
        .unwrap();
    assert_eq!(out.reply.status, 200);
    assert!(out.reply.body.is_empty());
    assert_eq!(out.tenant.as_str(), T1);
    assert_eq!(out.report.pending, 1);
    assert_eq!(mock.api_call_count(), 0, "nothing fetched before the reply");
    let key = InvoiceKey::new(Platform::Xero, T1, INV42);
    assert!(journal.load(&key).await.unwrap().is_none());

    let report = relay.enrich_once(10).await.unwrap();
    assert_eq!(
        (report.resolved, report.retried, report.rejected),
        (1, 0, 0)
    );
    assert_eq!(mock.token_call_count(), 1, "expired token refreshed once");
    let state = journal.load(&key).await.unwrap().unwrap().state;
    assert_eq!(state.lifecycle, Lifecycle::PartiallyPaid);
    assert_eq!(state.total.to_string(), "3180.00");
    assert_eq!(state.paid.to_string(), "1500.00");
    assert_eq!(state.credited.to_string(), "250.00");
    assert_eq!(state.balance.to_string(), "1430.00");
    assert_eq!(state.number.as_deref(), Some("INV-0042"));

    // Paid later; the same update delivered twice is stored once.
    mock.replace(INV42, Canned::ok("invoice_0042_paid.json"));
    clock.set(Utc.with_ymd_and_hms(2026, 3, 20, 16, 40, 13).unwrap());
    let paid = webhook(&invoice_event(
        &base,
        INV42,
        "UPDATE",
        "2026-03-20T16:40:00.333",
    ));
    relay
        .ingest(Platform::Xero, &paid, Route::default())
        .await
        .unwrap();
    let again = relay
        .ingest(Platform::Xero, &paid, Route::default())
        .await
        .unwrap();
    assert_eq!(again.report.duplicates, 1);
    assert_eq!(relay.enrich_once(10).await.unwrap().resolved, 1);
    let state = journal.load(&key).await.unwrap().unwrap().state;
    assert_eq!(state.lifecycle, Lifecycle::Paid);
    assert!(state.balance.is_zero());

    // A voided invoice.
    mock.answer(INV43, Canned::ok("invoice_0043_voided.json"));
    let void = webhook(&invoice_event(
        &base,
        INV43,
        "UPDATE",
        "2026-03-10T08:30:00.150",
    ));
    relay
        .ingest(Platform::Xero, &void, Route::default())
        .await
        .unwrap();
    assert_eq!(relay.enrich_once(10).await.unwrap().resolved, 1);
    let state = journal
        .load(&InvoiceKey::new(Platform::Xero, T1, INV43))
        .await
        .unwrap()
        .unwrap()
        .state;
    assert_eq!(state.lifecycle, Lifecycle::Void);
    assert!(journal.verify_chain().await.is_ok());
}

#[tokio::test]
async fn foreign_resource_url_is_rejected_and_audited() {
    let (addr, mock) = start().await;
    mock.accept_token("good");
    let cfg = config(addr, "good");
    let journal = Arc::new(MemoryJournal::new());
    let relay = Relay::builder(journal.clone())
        .source(Arc::new(XeroSource::new(cfg.clone()).unwrap()))
        .enricher(Arc::new(XeroEnricher::from_config(&cfg).unwrap()))
        .clock(Arc::new(ManualClock::new(
            Utc.with_ymd_and_hms(2026, 3, 9, 14, 2, 31).unwrap(),
        )))
        .build();
    // The real api.xero.com resourceUrl does not match the configured (loopback) base.
    let body = invoice_event(
        "https://api.xero.com",
        INV42,
        "UPDATE",
        "2026-03-09T14:02:11.020",
    );
    relay
        .ingest(Platform::Xero, &webhook(&body), Route::default())
        .await
        .unwrap();
    let report = relay.enrich_once(10).await.unwrap();
    assert_eq!((report.resolved, report.rejected), (0, 1));
    assert_eq!(mock.api_call_count(), 0);
    assert!(journal
        .load(&InvoiceKey::new(Platform::Xero, T1, INV42))
        .await
        .unwrap()
        .is_none());
}

#[tokio::test]
async fn rate_limited_fetch_stays_pending_and_is_retried() {
    let (addr, mock) = start().await;
    mock.accept_token("good");
    mock.answer(
        INV42,
        Canned::status(429, "error_429_rate_limited.json").header("retry-after", "30"),
    );
    mock.answer(INV42, Canned::ok("invoice_0042_authorised.json"));
    let cfg = config(addr, "good");
    let journal = Arc::new(MemoryJournal::new());
    let clock = Arc::new(ManualClock::new(
        Utc.with_ymd_and_hms(2026, 3, 2, 9, 15, 41).unwrap(),
    ));
    let relay = Relay::builder(journal.clone())
        .source(Arc::new(XeroSource::new(cfg.clone()).unwrap()))
        .enricher(Arc::new(XeroEnricher::from_config(&cfg).unwrap()))
        .clock(clock.clone())
        .build();
    let body = invoice_event(
        &format!("http://{addr}"),
        INV42,
        "CREATE",
        "2026-03-02T09:15:22.417",
    );
    relay
        .ingest(Platform::Xero, &webhook(&body), Route::default())
        .await
        .unwrap();
    let first = relay.enrich_once(10).await.unwrap();
    assert_eq!((first.resolved, first.retried), (0, 1));
    clock.advance(chrono::Duration::seconds(5));
    assert_eq!(relay.enrich_once(10).await.unwrap().resolved, 0);
    clock.advance(chrono::Duration::hours(2));
    assert_eq!(relay.enrich_once(10).await.unwrap().resolved, 1);
    let state = journal
        .load(&InvoiceKey::new(Platform::Xero, T1, INV42))
        .await
        .unwrap()
        .unwrap()
        .state;
    assert_eq!(state.lifecycle, Lifecycle::Open);
    assert_eq!(state.balance.to_string(), "3180.00");
}
