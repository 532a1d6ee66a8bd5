//! The enricher against a loopback Xero API serving `fixtures/api/`.

// Tests may unwrap (see the workspace lint's comment).
#![allow(clippy::unwrap_used)]

mod support;

use std::net::SocketAddr;

use chrono::{TimeZone, Utc};
use invoice_connector_xero::XeroEnricher;
use invoice_core::{
    EnrichError, Enricher, EventKind, Lifecycle, Platform, TenantId, ThinReference,
};
use support::{config, start, Canned, INV42, INV43, REFRESHED, ROTATED_REFRESH, T1};

fn reference(addr: SocketAddr, id: &str) -> ThinReference {
    let at = Utc.with_ymd_and_hms(2026, 3, 9, 14, 2, 11).unwrap();
    ThinReference {
        platform: Platform::Xero,
        tenant: TenantId(T1.into()),
        event_id: format!("{T1}:{id}:UPDATE:2026-03-09T14:02:11.020"),
        entity: "Invoice".into(),
        entity_id: id.into(),
        operation: "UPDATE".into(),
        resource_url: Some(format!("http://{addr}/api.xro/2.0/Invoices/{id}")),
        occurred_at: at,
        received_at: at,
        raw: None,
    }
}

#[tokio::test]
async fn authorised_invoice_becomes_a_versioned_snapshot() {
    let (addr, mock) = start().await;
    mock.accept_token("good");
    mock.answer(INV42, Canned::ok("invoice_0042_authorised.json"));
    let e = XeroEnricher::from_config(&config(addr, "good")).unwrap();
    let events = e.fetch(&reference(addr, INV42)).await.unwrap();
    assert_eq!(events.len(), 1);
    let ev = &events[0];
    assert_eq!(ev.kind, EventKind::Updated);
    assert_eq!(ev.key.id, INV42);
    assert_eq!(ev.key.tenant.as_str(), T1);
    assert_eq!(ev.source_version, Some(1_772_442_922_417));
    assert_eq!(ev.occurred_at.timestamp_millis(), 1_772_442_922_417);
    let s = ev.snapshot.as_ref().unwrap();
    assert_eq!(s.lifecycle, Lifecycle::Open);
    assert_eq!(s.total.to_string(), "3180.00");
    assert_eq!(s.paid.to_string(), "0.00");
    assert_eq!(s.currency.as_str(), "GBP");
    assert_eq!(s.number.as_deref(), Some("INV-0042"));
    assert_eq!(
        s.customer.name.as_deref(),
        Some("Sheffield Precision Castings Ltd")
    );
    assert_eq!(s.due_date.map(|d| d.to_string()), Some("2026-04-01".into()));
    let calls = mock.api_calls.lock().unwrap().clone();
    assert_eq!(calls.len(), 1);
    assert_eq!(calls[0].path, format!("/api.xro/2.0/Invoices/{INV42}"));
    assert_eq!(calls[0].authorization, "Bearer good");
    assert_eq!(calls[0].tenant, T1);
    assert_eq!(calls[0].accept, "application/json");
}

#[tokio::test]
async fn every_status_maps() {
    let (addr, mock) = start().await;
    mock.accept_token("good");
    let e = XeroEnricher::from_config(&config(addr, "good")).unwrap();
    let cases = [
        (
            INV42,
            "invoice_0042_partially_paid.json",
            Lifecycle::PartiallyPaid,
            EventKind::Updated,
        ),
        (
            INV42,
            "invoice_0042_paid.json",
            Lifecycle::Paid,
            EventKind::Updated,
        ),
        (
            INV43,
            "invoice_0043_draft.json",
            Lifecycle::Draft,
            EventKind::Updated,
        ),
        (
            INV43,
            "invoice_0043_submitted.json",
            Lifecycle::Draft,
            EventKind::Updated,
        ),
        (
            INV43,
            "invoice_0043_voided.json",
            Lifecycle::Void,
            EventKind::Voided,
        ),
        (
            INV43,
            "invoice_0043_deleted.json",
            Lifecycle::Void,
            EventKind::Voided,
        ),
    ];
    for (id, fixture, lifecycle, kind) in cases {
        mock.replace(id, Canned::ok(fixture));
        let events = e.fetch(&reference(addr, id)).await.unwrap();
        assert_eq!(events[0].kind, kind, "{fixture}");
        assert_eq!(
            events[0].snapshot.as_ref().unwrap().lifecycle,
            lifecycle,
            "{fixture}"
        );
    }
    mock.replace(INV42, Canned::ok("invoice_0042_partially_paid.json"));
    let s = e.fetch(&reference(addr, INV42)).await.unwrap()[0]
        .snapshot
        .clone()
        .unwrap();
    assert_eq!(
        (s.paid.to_string(), s.credited.to_string()),
        ("1500.00".into(), "250.00".into())
    );
}

#[tokio::test]
async fn bills_are_rejected() {
    let (addr, mock) = start().await;
    mock.accept_token("good");
    mock.answer(INV43, Canned::ok("invoice_bill_accpay.json"));
    let e = XeroEnricher::from_config(&config(addr, "good")).unwrap();
    assert!(matches!(
        e.fetch(&reference(addr, INV43)).await,
        Err(EnrichError::Rejected(m)) if m.contains("ACCPAY")
    ));
}

#[tokio::test]
async fn resource_url_outside_the_api_base_is_never_requested() {
    let (addr, mock) = start().await;
    mock.accept_token("good");
    mock.answer(INV42, Canned::ok("invoice_0042_authorised.json"));
    let e = XeroEnricher::from_config(&config(addr, "good")).unwrap();
    let other_port = SocketAddr::new(addr.ip(), addr.port().wrapping_add(1));
    for url in [
        format!("https://api.xero.com/api.xro/2.0/Invoices/{INV42}"),
        format!("http://{other_port}/api.xro/2.0/Invoices/{INV42}"),
        format!(
            "http://localhost:{}/api.xro/2.0/Invoices/{INV42}",
            addr.port()
        ),
        format!("http://{addr}/connect/token?x=/api.xro/2.0/Invoices/{INV42}"),
        format!("http://{addr}/api.xro/2.0/Invoices/{INV43}"),
    ] {
        let mut r = reference(addr, INV42);
        r.resource_url = Some(url.clone());
        let got = e.fetch(&r).await;
        assert!(
            matches!(&got, Err(EnrichError::Rejected(m)) if m.contains("outside")),
            "{url}: {got:?}"
        );
    }
    assert_eq!(mock.api_call_count(), 0);
    // Ids that are not GUIDs are never put into a URL either.
    let mut r = reference(addr, INV42);
    r.entity_id = "../../connect/token".into();
    r.resource_url = None;
    assert!(matches!(e.fetch(&r).await, Err(EnrichError::Rejected(_))));
    assert_eq!(mock.api_call_count(), 0);
}

#[tokio::test]
async fn expired_token_is_refreshed_once_and_the_call_retried() {
    let (addr, mock) = start().await;
    mock.answer(INV42, Canned::ok("invoice_0042_authorised.json"));
    let e = XeroEnricher::from_config(&config(addr, "expired")).unwrap();
    let events = e.fetch(&reference(addr, INV42)).await.unwrap();
    assert_eq!(events.len(), 1);
    let calls = mock.api_calls.lock().unwrap().clone();
    assert_eq!(calls.len(), 2);
    assert_eq!(calls[0].authorization, "Bearer expired");
    assert_eq!(calls[1].authorization, format!("Bearer {REFRESHED}"));
    assert_eq!(calls[1].tenant, T1);
    let tokens = mock.token_calls.lock().unwrap().clone();
    assert_eq!(tokens.len(), 1);
    assert_eq!(
        tokens[0].0,
        "Basic MEExQjJDM0Q0RTVGNjA3MTgyOTNBNEI1QzZEN0U4Rjk6Zml4dHVyZS14ZXJvLWNsaWVudC1zZWNyZXQ="
    );
    assert_eq!(
        tokens[0].1,
        "grant_type=refresh_token&refresh_token=xero-fixture-refresh-token"
    );
    // Xero refresh tokens are single-use: the next exchange sends the rotated one.
    mock.valid_tokens.lock().unwrap().clear();
    e.fetch(&reference(addr, INV42)).await.unwrap();
    let tokens = mock.token_calls.lock().unwrap().clone();
    assert_eq!(tokens.len(), 2);
    assert_eq!(
        tokens[1].1,
        format!("grant_type=refresh_token&refresh_token={ROTATED_REFRESH}")
    );
}

#[tokio::test]
async fn unauthorized_after_refresh_is_transient() {
    let (addr, mock) = start().await;
    *mock.token_answer.lock().unwrap() = Some(Canned::ok("token_refresh.json"));
    let e = XeroEnricher::from_config(&config(addr, "expired")).unwrap();
    assert!(matches!(
        e.fetch(&reference(addr, INV42)).await,
        Err(EnrichError::Transient { .. })
    ));
    assert_eq!((mock.api_call_count(), mock.token_call_count()), (2, 1));
}

#[tokio::test]
async fn no_credentials_keeps_references_waiting() {
    let (addr, mock) = start().await;
    let mut c = config(addr, "x");
    c.access_token = None;
    c.refresh_token = None;
    let e = XeroEnricher::from_config(&c).unwrap();
    assert!(matches!(
        e.fetch(&reference(addr, INV42)).await,
        Err(EnrichError::Transient {
            retry_after_secs: Some(3600),
            ..
        })
    ));
    assert_eq!(mock.api_call_count(), 0);
}

#[tokio::test]
async fn rate_limit_is_transient_with_retry_after() {
    let (addr, mock) = start().await;
    mock.accept_token("good");
    mock.answer(
        INV42,
        Canned::status(429, "error_429_rate_limited.json")
            .header("retry-after", "42")
            .header("x-rate-limit-problem", "minute"),
    );
    mock.answer(INV42, Canned::status(429, "error_429_rate_limited.json"));
    let e = XeroEnricher::from_config(&config(addr, "good")).unwrap();
    assert!(matches!(
        e.fetch(&reference(addr, INV42)).await,
        Err(EnrichError::Transient {
            retry_after_secs: Some(42),
            ..
        })
    ));
    assert!(matches!(
        e.fetch(&reference(addr, INV42)).await,
        Err(EnrichError::Transient {
            retry_after_secs: Some(60),
            ..
        })
    ));
}

#[tokio::test]
async fn not_found_and_forbidden_are_rejected_server_errors_transient() {
    let (addr, mock) = start().await;
    mock.accept_token("good");
    mock.answer(INV43, Canned::status(403, "error_403_forbidden.json"));
    let e = XeroEnricher::from_config(&config(addr, "good")).unwrap();
    assert!(matches!(
        e.fetch(&reference(addr, INV42)).await,
        Err(EnrichError::Rejected(m)) if m.contains("404")
    ));
    assert!(matches!(
        e.fetch(&reference(addr, INV43)).await,
        Err(EnrichError::Rejected(m)) if m.contains("403")
    ));
    mock.replace(INV43, Canned::status(503, "error_429_rate_limited.json"));
    assert!(matches!(
        e.fetch(&reference(addr, INV43)).await,
        Err(EnrichError::Transient { .. })
    ));
}

const CN: &str = "c2d3e4f5-a6b7-4c8d-9e0f-1a2b3c4d5e6f";

#[tokio::test]
async fn credit_note_rereads_the_invoices_it_is_allocated_to() {
    let (addr, mock) = start().await;
    mock.accept_token("good");
    mock.answer(CN, Canned::ok("creditnote_allocated.json"));
    mock.answer(INV42, Canned::ok("invoice_0042_partially_paid.json"));
    let e = XeroEnricher::from_config(&config(addr, "good")).unwrap();
    let mut r = reference(addr, CN);
    r.entity = "CreditNote".into();
    r.resource_url = Some(format!("http://{addr}/api.xro/2.0/CreditNotes/{CN}"));
    let events = e.fetch(&r).await.unwrap();
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].key.id, INV42);
    let s = events[0].snapshot.as_ref().unwrap();
    assert_eq!(s.credited.to_string(), "250.00");
    let paths: Vec<String> = mock
        .api_calls
        .lock()
        .unwrap()
        .iter()
        .map(|c| c.path.clone())
        .collect();
    assert_eq!(
        paths,
        vec![
            format!("/api.xro/2.0/CreditNotes/{CN}"),
            format!("/api.xro/2.0/Invoices/{INV42}")
        ]
    );
}

#[tokio::test]
async fn supplier_credit_notes_are_rejected() {
    let (addr, mock) = start().await;
    mock.accept_token("good");
    let body =
        support::api_fixture("creditnote_allocated.json").replace("ACCRECCREDIT", "ACCPAYCREDIT");
    mock.answer(
        CN,
        Canned {
            status: 200,
            headers: Vec::new(),
            body,
        },
    );
    let e = XeroEnricher::from_config(&config(addr, "good")).unwrap();
    let mut r = reference(addr, CN);
    r.entity = "CreditNote".into();
    r.resource_url = None;
    assert!(
        matches!(e.fetch(&r).await, Err(EnrichError::Rejected(m)) if m.contains("ACCPAYCREDIT"))
    );
    assert_eq!(mock.api_call_count(), 1);
}
