//! The correlator links a payment on one platform to an invoice issued on another; the
//! enrichment step resolves thin references with retries and audited rejections.
#![allow(missing_docs, clippy::unwrap_used)]

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;

use async_trait::async_trait;
use chrono::{Duration, TimeZone, Utc};
use invoice_core::audit::AuditAction;
use invoice_core::journal::{AuditFilter, Journal, MemoryJournal};
use invoice_core::*;
use rust_decimal::Decimal;

fn qbo_invoice() -> InvoiceEvent {
    let at = Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0).unwrap();
    InvoiceEvent::new(
        InvoiceKey::new(Platform::QuickbooksOnline, "9130", "145"),
        EventKind::Issued,
        at,
        "qbo-145-0",
    )
    .with_version(0)
    .with_snapshot(InvoiceSnapshot {
        number: Some("BRT-1042".into()),
        customer: Customer {
            platform_id: "58".into(),
            name: Some("Aerotech".into()),
            portal_account: Some("aerotech".into()),
        },
        currency: Currency::USD,
        total: Decimal::new(425_000, 2),
        paid: Decimal::ZERO,
        credited: Decimal::ZERO,
        refunded: Decimal::ZERO,
        due_date: Some(at.date_naive() + Duration::days(30)),
        lifecycle: Lifecycle::Open,
    })
}

fn paypal_payment(number: &str, cents: i64, id: &str) -> InvoiceEvent {
    let at = Utc.with_ymd_and_hms(2026, 3, 5, 14, 0, 0).unwrap();
    let mut e = InvoiceEvent::new(
        InvoiceKey::new(Platform::Paypal, "merchant", id),
        EventKind::PaymentReceived,
        at,
        id,
    )
    .with_detail(EventDetail::Payment {
        amount: Money::from_minor(cents, Currency::USD).unwrap(),
        payment_id: Some(id.into()),
    });
    e.correlation.invoice_number = Some(number.into());
    e
}

#[tokio::test]
async fn payment_on_another_platform_settles_the_erp_invoice() {
    let journal = Arc::new(MemoryJournal::new());
    let relay = Relay::builder(journal.clone())
        .correlator(Correlator::new(vec![CorrelationRule {
            from: Platform::Paypal,
            to_platform: Platform::QuickbooksOnline,
            to_tenant: TenantId::from("9130"),
            by: MatchBy::InvoiceNumber,
        }]))
        .build();
    relay
        .apply_events(
            Platform::QuickbooksOnline,
            "9130".into(),
            vec![qbo_invoice()],
        )
        .await
        .unwrap();
    let r = relay
        .apply_events(
            Platform::Paypal,
            "merchant".into(),
            vec![paypal_payment("BRT-1042", 200_000, "pp-1")],
        )
        .await
        .unwrap();
    assert_eq!(r.applied, 1);
    let key = InvoiceKey::new(Platform::QuickbooksOnline, "9130", "145");
    let s = journal.load(&key).await.unwrap().unwrap().state;
    assert_eq!(s.lifecycle, Lifecycle::PartiallyPaid);
    assert_eq!(s.balance.to_string(), "2250.00");
    // The portal update names the issuing invoice and the paying platform.
    let pending = journal
        .outbox(journal::OutboxStatus::Pending, 10)
        .await
        .unwrap();
    let last = pending.last().unwrap();
    assert_eq!(last.update.subject, "quickbooks-online:9130:145");
    assert_eq!(last.update.data.event.platform, Platform::Paypal);

    // No matching invoice: the payment stays on its own key, nothing is lost.
    relay
        .apply_events(
            Platform::Paypal,
            "merchant".into(),
            vec![paypal_payment("BRT-9999", 100, "pp-2")],
        )
        .await
        .unwrap();
    assert!(journal
        .load(&InvoiceKey::new(Platform::Paypal, "merchant", "pp-2"))
        .await
        .unwrap()
        .is_some());
}

#[derive(Debug)]
struct FlakyApi {
    calls: AtomicU32,
    reject: bool,
}

#[async_trait]
impl Enricher for FlakyApi {
    fn platform(&self) -> Platform {
        Platform::QuickbooksOnline
    }
    async fn fetch(&self, r: &ThinReference) -> Result<Vec<InvoiceEvent>, EnrichError> {
        if self.reject {
            return Err(EnrichError::Rejected("INVALID".into()));
        }
        if self.calls.fetch_add(1, Ordering::SeqCst) == 0 {
            return Err(EnrichError::Transient {
                message: "429".into(),
                retry_after_secs: Some(30),
            });
        }
        assert_eq!(r.entity_id, "145");
        // The fetched event reuses the reference's own event id (as Stripe disputes do).
        let mut e = qbo_invoice();
        e.platform_event_id = r.event_id.clone();
        Ok(vec![e])
    }
}

fn thin(event_id: &str) -> ThinReference {
    let at = Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 1).unwrap();
    ThinReference {
        platform: Platform::QuickbooksOnline,
        tenant: "9130".into(),
        event_id: event_id.into(),
        entity: "Invoice".into(),
        entity_id: "145".into(),
        operation: "Create".into(),
        resource_url: None,
        occurred_at: at,
        received_at: at,
        raw: None,
    }
}

#[derive(Debug)]
struct ThinSource(ConnectorInfo);

#[async_trait]
impl InvoiceSource for ThinSource {
    fn info(&self) -> &ConnectorInfo {
        &self.0
    }
    async fn ingest(
        &self,
        req: &WebhookRequest,
        _: &IngestContext,
    ) -> Result<Ingested, SourceError> {
        let id = String::from_utf8_lossy(req.body()).into_owned();
        let mut i = Ingested::events("9130".into(), vec![], Reply::ok());
        i.pending.push(thin(&id));
        Ok(i)
    }
}

fn thin_source() -> Arc<ThinSource> {
    Arc::new(ThinSource(ConnectorInfo {
        platform: Platform::QuickbooksOnline,
        signature: SignatureScheme::HmacSha256,
        signature_header: None,
        timestamped: false,
        tolerance_secs: 0,
        handshake: Handshake::None,
        thin: true,
        source_versions: true,
        rotation: true,
    }))
}

#[tokio::test]
async fn thin_reference_is_acknowledged_then_enriched_with_retry() {
    let journal = Arc::new(MemoryJournal::new());
    let clock = Arc::new(ManualClock::new(
        Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 2).unwrap(),
    ));
    let api = Arc::new(FlakyApi {
        calls: AtomicU32::new(0),
        reject: false,
    });
    let relay = Relay::builder(journal.clone())
        .source(thin_source())
        .enricher(api.clone())
        .clock(clock.clone())
        .build();
    let req = http::Request::post("/webhooks/quickbooks-online")
        .body(bytes::Bytes::from_static(b"n-1"))
        .unwrap();
    let out = relay
        .ingest(Platform::QuickbooksOnline, &req, Route::default())
        .await
        .unwrap();
    assert_eq!(out.report.pending, 1);
    assert_eq!(out.reply.status, 200, "acknowledged before any API call");
    assert_eq!(api.calls.load(Ordering::SeqCst), 0);

    let first = relay.enrich_once(10).await.unwrap();
    assert_eq!(first.retried, 1, "429 is retried later");
    let too_soon = relay.enrich_once(10).await.unwrap();
    assert_eq!(
        too_soon.resolved + too_soon.retried,
        0,
        "not due before Retry-After"
    );
    clock.advance(Duration::seconds(31));
    let second = relay.enrich_once(10).await.unwrap();
    assert_eq!(second.resolved, 1);
    assert_eq!(second.applied.applied, 1);
    let key = InvoiceKey::new(Platform::QuickbooksOnline, "9130", "145");
    assert_eq!(
        journal.load(&key).await.unwrap().unwrap().state.lifecycle,
        Lifecycle::Open
    );
    assert_eq!(
        relay.enrich_once(10).await.unwrap(),
        Default::default(),
        "resolved once"
    );
}

#[tokio::test]
async fn rejected_enrichment_is_audited_and_never_applied() {
    let journal = Arc::new(MemoryJournal::new());
    let relay = Relay::builder(journal.clone())
        .source(thin_source())
        .enricher(Arc::new(FlakyApi {
            calls: AtomicU32::new(0),
            reject: true,
        }))
        .build();
    let req = http::Request::post("/webhooks/quickbooks-online")
        .body(bytes::Bytes::from_static(b"n-2"))
        .unwrap();
    relay
        .ingest(Platform::QuickbooksOnline, &req, Route::default())
        .await
        .unwrap();
    let r = relay.enrich_once(10).await.unwrap();
    assert_eq!(r.rejected, 1);
    let audit = journal.audit(&AuditFilter::default()).await.unwrap();
    assert!(audit
        .iter()
        .any(|e| e.record.action == AuditAction::Rejected && e.record.detail.contains("INVALID")));
    assert_eq!(journal.outbox_counts().await.unwrap().pending, 0);
    assert!(journal.verify_chain().await.is_ok());
}
