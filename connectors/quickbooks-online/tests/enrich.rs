//! The enricher against a loopback Accounting API serving `fixtures/api/`.

// Tests may unwrap (see the workspace lint's comment).
#![allow(clippy::unwrap_used)]

mod support;

use chrono::{TimeZone, Utc};
use invoice_connector_quickbooks_online::QboEnricher;
use invoice_core::{
    EnrichError, Enricher, EventKind, Lifecycle, Platform, TenantId, ThinReference,
};
use support::{config, start, Canned, REFRESHED, ROTATED_REFRESH};

const REALM: &str = "9341455322581846";

fn reference(entity: &str, id: &str, op: &str) -> ThinReference {
    let at = Utc.with_ymd_and_hms(2026, 3, 9, 22, 2, 11).unwrap();
    ThinReference {
        platform: Platform::QuickbooksOnline,
        tenant: TenantId(REALM.into()),
        event_id: format!("{REALM}:{entity}:{id}:{op}:2026-03-09T14:02:11-0800"),
        entity: entity.into(),
        entity_id: id.into(),
        operation: op.into(),
        resource_url: None,
        occurred_at: at,
        received_at: at,
        raw: None,
    }
}

#[tokio::test]
async fn invoice_update_becomes_a_versioned_snapshot() {
    let (addr, mock) = start().await;
    mock.accept_token("good");
    mock.answer("invoice/1042", Canned::ok("invoice_1042_partial.json"));
    let e = QboEnricher::from_config(&config(addr, "good")).unwrap();
    let events = e
        .fetch(&reference("Invoice", "1042", "Update"))
        .await
        .unwrap();
    assert_eq!(events.len(), 1);
    let ev = &events[0];
    assert_eq!(ev.kind, EventKind::Updated);
    assert_eq!(ev.key.id, "1042");
    assert_eq!(ev.key.tenant.as_str(), REALM);
    assert_eq!(ev.source_version, Some(3));
    assert_eq!(ev.platform_event_id, "Invoice:1042@3");
    assert_eq!(
        ev.occurred_at,
        Utc.with_ymd_and_hms(2026, 3, 9, 22, 2, 11).unwrap()
    );
    let s = ev.snapshot.as_ref().unwrap();
    assert_eq!(s.lifecycle, Lifecycle::PartiallyPaid);
    assert_eq!(s.total.to_string(), "4250.00");
    assert_eq!(s.paid.to_string(), "2500.00");
    assert_eq!(s.number.as_deref(), Some("BRT-1042"));
    assert_eq!(s.customer.platform_id, "58");
    assert_eq!(s.currency.as_str(), "USD");
    assert_eq!(s.due_date.map(|d| d.to_string()), Some("2026-04-01".into()));
    let calls = mock.api_calls.lock().unwrap().clone();
    assert_eq!(calls.len(), 1);
    assert_eq!(calls[0].0, format!("/v3/company/{REALM}/invoice/1042"));
    assert_eq!(calls[0].1, "minorversion=75");
    assert_eq!(calls[0].2, "Bearer good");
    assert_eq!(calls[0].3, "application/json");
}

#[tokio::test]
async fn open_and_paid_records_map_by_balance() {
    let (addr, mock) = start().await;
    mock.accept_token("good");
    mock.answer("invoice/1042", Canned::ok("invoice_1042_open.json"));
    mock.answer("invoice/1042", Canned::ok("invoice_1042_paid.json"));
    let e = QboEnricher::from_config(&config(addr, "good")).unwrap();
    let r = reference("Invoice", "1042", "Create");
    let open = e.fetch(&r).await.unwrap();
    let s = open[0].snapshot.as_ref().unwrap();
    assert_eq!(
        (s.lifecycle, s.paid.to_string()),
        (Lifecycle::Open, "0.00".into())
    );
    let paid = e.fetch(&r).await.unwrap();
    let s = paid[0].snapshot.as_ref().unwrap();
    assert_eq!(
        (s.lifecycle, s.paid.to_string()),
        (Lifecycle::Paid, "4250.00".into())
    );
    assert_eq!(paid[0].source_version, Some(5));
}

#[tokio::test]
async fn voided_record_is_a_voided_event() {
    let (addr, mock) = start().await;
    mock.accept_token("good");
    mock.answer("invoice/1043", Canned::ok("invoice_1043_voided.json"));
    let e = QboEnricher::from_config(&config(addr, "good")).unwrap();
    // The record carries the void marks, whatever the notification said.
    for op in ["Void", "Update"] {
        let events = e.fetch(&reference("Invoice", "1043", op)).await.unwrap();
        assert_eq!(events[0].kind, EventKind::Voided, "{op}");
        let s = events[0].snapshot.as_ref().unwrap();
        assert_eq!(s.lifecycle, Lifecycle::Void);
        assert_eq!(s.total.to_string(), "0.00");
    }
}

#[tokio::test]
async fn void_notification_is_trusted_unless_the_record_is_newer() {
    let (addr, mock) = start().await;
    mock.accept_token("good");
    // A record without void marks, last updated before the Void notification: void.
    mock.answer("invoice/1042", Canned::ok("invoice_1042_open.json"));
    let e = QboEnricher::from_config(&config(addr, "good")).unwrap();
    let events = e
        .fetch(&reference("Invoice", "1042", "Void"))
        .await
        .unwrap();
    assert_eq!(events[0].kind, EventKind::Voided);
    let updated = e
        .fetch(&reference("Invoice", "1042", "Update"))
        .await
        .unwrap();
    assert_eq!(updated[0].kind, EventKind::Updated);
    // Same record version, different reading: distinct ids, the void one ordered last.
    assert_ne!(events[0].platform_event_id, updated[0].platform_event_id);
    assert!(events[0].order() > updated[0].order());
    // The same record edited after the Void notification (re-entered): not void.
    mock.replace("invoice/1042", Canned::ok("invoice_1042_paid.json"));
    let events = e
        .fetch(&reference("Invoice", "1042", "Void"))
        .await
        .unwrap();
    assert_eq!(events[0].kind, EventKind::Updated);
    assert_eq!(
        events[0].snapshot.as_ref().unwrap().lifecycle,
        Lifecycle::Paid
    );
}

#[tokio::test]
async fn delete_is_voided_without_a_request() {
    let (addr, mock) = start().await;
    let e = QboEnricher::from_config(&config(addr, "good")).unwrap();
    let r = reference("Invoice", "1044", "Delete");
    let events = e.fetch(&r).await.unwrap();
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].kind, EventKind::Voided);
    assert!(events[0].snapshot.is_none());
    assert_ne!(events[0].platform_event_id, r.event_id);
    assert_eq!(mock.api_call_count(), 0);
}

#[tokio::test]
async fn payment_rereads_the_invoices_it_pays() {
    let (addr, mock) = start().await;
    mock.accept_token("good");
    mock.answer("payment/2210", Canned::ok("payment_2210.json"));
    mock.answer("invoice/1042", Canned::ok("invoice_1042_partial.json"));
    let e = QboEnricher::from_config(&config(addr, "good")).unwrap();
    let events = e
        .fetch(&reference("Payment", "2210", "Create"))
        .await
        .unwrap();
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].key.id, "1042");
    assert_eq!(
        events[0].snapshot.as_ref().unwrap().lifecycle,
        Lifecycle::PartiallyPaid
    );
    let paths: Vec<String> = mock
        .api_calls
        .lock()
        .unwrap()
        .iter()
        .map(|c| c.0.clone())
        .collect();
    assert_eq!(
        paths,
        vec![
            format!("/v3/company/{REALM}/payment/2210"),
            format!("/v3/company/{REALM}/invoice/1042")
        ]
    );
}

#[tokio::test]
async fn unapplied_credit_memo_resolves_to_nothing() {
    let (addr, mock) = start().await;
    mock.accept_token("good");
    mock.answer("creditmemo/3301", Canned::ok("creditmemo_3301.json"));
    let e = QboEnricher::from_config(&config(addr, "good")).unwrap();
    let events = e
        .fetch(&reference("CreditMemo", "3301", "Create"))
        .await
        .unwrap();
    assert!(events.is_empty());
    assert_eq!(mock.api_call_count(), 1);
}

#[tokio::test]
async fn deleted_payment_is_rejected() {
    let (addr, mock) = start().await;
    let e = QboEnricher::from_config(&config(addr, "good")).unwrap();
    let r = e.fetch(&reference("Payment", "2210", "Delete")).await;
    assert!(matches!(r, Err(EnrichError::Rejected(_))), "{r:?}");
    assert_eq!(mock.api_call_count(), 0);
}

#[tokio::test]
async fn expired_token_is_refreshed_once_and_the_call_retried() {
    let (addr, mock) = start().await;
    mock.answer("invoice/1042", Canned::ok("invoice_1042_partial.json"));
    let e = QboEnricher::from_config(&config(addr, "expired")).unwrap();
    let events = e
        .fetch(&reference("Invoice", "1042", "Update"))
        .await
        .unwrap();
    assert_eq!(events.len(), 1);
    let calls = mock.api_calls.lock().unwrap().clone();
    assert_eq!(calls.len(), 2);
    assert_eq!(calls[0].2, "Bearer expired");
    assert_eq!(calls[1].2, format!("Bearer {REFRESHED}"));
    let tokens = mock.token_calls.lock().unwrap().clone();
    assert_eq!(tokens.len(), 1);
    // HTTP Basic client authentication: base64("ABfixtureClientId:fixture-client-secret").
    assert_eq!(
        tokens[0].0,
        "Basic QUJmaXh0dXJlQ2xpZW50SWQ6Zml4dHVyZS1jbGllbnQtc2VjcmV0"
    );
    assert_eq!(
        tokens[0].1,
        "grant_type=refresh_token&refresh_token=AB11fixtureRefreshToken"
    );
    // The refreshed token is reused: no second exchange.
    e.fetch(&reference("Invoice", "1042", "Update"))
        .await
        .unwrap();
    assert_eq!(mock.token_call_count(), 1);
}

#[tokio::test]
async fn rotated_refresh_token_is_used_next_time() {
    let (addr, mock) = start().await;
    mock.answer("invoice/1042", Canned::ok("invoice_1042_partial.json"));
    let e = QboEnricher::from_config(&config(addr, "expired")).unwrap();
    e.fetch(&reference("Invoice", "1042", "Update"))
        .await
        .unwrap();
    // The API now rejects the refreshed token too: the next refresh sends the rotated one.
    mock.valid_tokens.lock().unwrap().clear();
    let r = e.fetch(&reference("Invoice", "1042", "Update")).await;
    assert!(r.is_ok(), "{r:?}");
    let tokens = mock.token_calls.lock().unwrap().clone();
    assert_eq!(tokens.len(), 2);
    assert_eq!(
        tokens[1].1,
        format!("grant_type=refresh_token&refresh_token={ROTATED_REFRESH}")
    );
}

#[tokio::test]
async fn still_unauthorized_after_refresh_is_transient() {
    let (addr, mock) = start().await;
    *mock.token_answer.lock().unwrap() = Some(Canned::ok("token_refresh.json"));
    let e = QboEnricher::from_config(&config(addr, "expired")).unwrap();
    let r = e.fetch(&reference("Invoice", "1042", "Update")).await;
    assert!(matches!(r, Err(EnrichError::Transient { .. })), "{r:?}");
    assert_eq!(mock.token_call_count(), 1);
    assert_eq!(mock.api_call_count(), 2);
}

#[tokio::test]
async fn refused_refresh_is_transient() {
    let (addr, mock) = start().await;
    *mock.token_answer.lock().unwrap() = Some(Canned {
        status: 400,
        headers: Vec::new(),
        body: r#"{"error":"invalid_grant"}"#.into(),
    });
    let e = QboEnricher::from_config(&config(addr, "expired")).unwrap();
    match e.fetch(&reference("Invoice", "1042", "Update")).await {
        Err(EnrichError::Transient { message, .. }) => assert!(message.contains("invalid_grant")),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn static_token_cannot_be_refreshed() {
    let (addr, mock) = start().await;
    let mut c = config(addr, "expired");
    c.refresh_token = None;
    let e = QboEnricher::from_config(&c).unwrap();
    let r = e.fetch(&reference("Invoice", "1042", "Update")).await;
    assert!(matches!(r, Err(EnrichError::Transient { .. })), "{r:?}");
    assert_eq!(mock.token_call_count(), 0);
    assert_eq!(mock.api_call_count(), 1);
}

#[tokio::test]
async fn throttling_is_transient_with_retry_after() {
    let (addr, mock) = start().await;
    mock.accept_token("good");
    mock.answer(
        "invoice/1042",
        Canned::status(429, "fault_throttled.json").header("retry-after", "17"),
    );
    mock.answer("invoice/1042", Canned::status(429, "fault_throttled.json"));
    let e = QboEnricher::from_config(&config(addr, "good")).unwrap();
    let r = reference("Invoice", "1042", "Update");
    assert_eq!(
        e.fetch(&r).await.map_err(|e| match e {
            EnrichError::Transient {
                retry_after_secs, ..
            } => retry_after_secs,
            other => panic!("{other:?}"),
        }),
        Err(Some(17))
    );
    // QBO's throttle answers often carry no Retry-After: a minute.
    assert!(matches!(
        e.fetch(&r).await,
        Err(EnrichError::Transient {
            retry_after_secs: Some(60),
            ..
        })
    ));
}

#[tokio::test]
async fn object_not_found_is_rejected_and_server_errors_are_transient() {
    let (addr, mock) = start().await;
    mock.accept_token("good");
    mock.answer(
        "invoice/1099",
        Canned::status(400, "fault_object_not_found.json"),
    );
    mock.answer("invoice/1100", Canned::status(503, "fault_throttled.json"));
    let e = QboEnricher::from_config(&config(addr, "good")).unwrap();
    match e.fetch(&reference("Invoice", "1099", "Update")).await {
        Err(EnrichError::Rejected(m)) => assert!(m.contains("610"), "{m}"),
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        e.fetch(&reference("Invoice", "1100", "Update")).await,
        Err(EnrichError::Transient { .. })
    ));
}

#[tokio::test]
async fn ids_that_are_not_quickbooks_ids_are_never_requested() {
    let (addr, mock) = start().await;
    mock.accept_token("good");
    let e = QboEnricher::from_config(&config(addr, "good")).unwrap();
    for id in ["../../oauth2", "1042?x=1", "", "１２"] {
        let r = e.fetch(&reference("Invoice", id, "Update")).await;
        assert!(matches!(r, Err(EnrichError::Rejected(_))), "{id}: {r:?}");
    }
    let mut r = reference("Invoice", "1042", "Update");
    r.tenant = TenantId("127.0.0.1:80".into());
    assert!(matches!(e.fetch(&r).await, Err(EnrichError::Rejected(_))));
    assert_eq!(mock.api_call_count(), 0);
}

#[tokio::test]
async fn unreachable_api_is_transient() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    let e = QboEnricher::from_config(&config(addr, "good")).unwrap();
    assert!(matches!(
        e.fetch(&reference("Invoice", "1042", "Update")).await,
        Err(EnrichError::Transient { .. })
    ));
}

#[tokio::test]
async fn a_token_known_to_be_expiring_is_exchanged_before_use() {
    let (addr, mock) = start().await;
    mock.answer("invoice/1042", Canned::ok("invoice_1042_partial.json"));
    // `expires_in` below the safety margin: every use needs a fresh token.
    *mock.token_answer.lock().unwrap() = Some(Canned {
        status: 200,
        headers: Vec::new(),
        body: format!(
            r#"{{"token_type":"bearer","expires_in":30,"refresh_token":"{ROTATED_REFRESH}","access_token":"{REFRESHED}"}}"#
        ),
    });
    mock.accept_token(REFRESHED);
    let e = QboEnricher::from_config(&config(addr, "expired")).unwrap();
    e.fetch(&reference("Invoice", "1042", "Update"))
        .await
        .unwrap();
    assert_eq!((mock.api_call_count(), mock.token_call_count()), (2, 1));
    // The next fetch exchanges first instead of spending a request on a 401.
    e.fetch(&reference("Invoice", "1042", "Update"))
        .await
        .unwrap();
    assert_eq!((mock.api_call_count(), mock.token_call_count()), (3, 2));
}
