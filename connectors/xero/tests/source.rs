//! What the source makes of Xero's deliveries beyond the conformance counts: the
//! references themselves, intent-to-receive tenants, the tenant allow-list, configuration
//! through the registry, and secrets kept out of `Debug`.

// Tests may unwrap (see the workspace lint's comment).
#![allow(clippy::unwrap_used)]

use chrono::{TimeZone, Utc};
use invoice_connector_xero::testing::{Harness, FIXTURE_SECRET};
use invoice_connector_xero::{register, XeroConfig, XeroEnricher, XeroSource};
use invoice_core::registry::{ConfigError, ConnectorRegistry};
use invoice_core::testing::fixture::parse_http;
use invoice_core::{
    ErrorKind, IngestContext, Ingested, InvoiceSource, Platform, Secret, TenantId, WebhookRequest,
};

const T1: &str = "aef86862-2015-4b6b-88bc-d89032cecc50";
const T2: &str = "6b8c1d9e-3f2a-4e5b-9c7d-0a1b2c3d4e5f";

fn fixture(name: &str) -> WebhookRequest {
    let path = Harness::fixtures().join(format!("{name}.http"));
    parse_http(&std::fs::read(path).unwrap()).unwrap()
}

fn ingest_with(
    source: &dyn InvoiceSource,
    req: &WebhookRequest,
    route_tenant: Option<&str>,
) -> Result<Ingested, invoice_core::SourceError> {
    let mut ctx = IngestContext::at(Utc.with_ymd_and_hms(2026, 3, 10, 8, 30, 21).unwrap());
    ctx.route_tenant = route_tenant.map(|t| TenantId(t.into()));
    tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap()
        .block_on(source.ingest(req, &ctx))
}

fn source() -> std::sync::Arc<dyn InvoiceSource> {
    Harness::source(vec![Secret::new(FIXTURE_SECRET)])
}

#[test]
fn invoice_events_become_references_with_their_resource_url() {
    let got = ingest_with(
        source().as_ref(),
        &fixture("05_multi_events_two_tenants"),
        None,
    )
    .unwrap();
    let refs: Vec<_> = got
        .pending
        .iter()
        .map(|r| {
            (
                r.tenant.as_str(),
                r.entity.as_str(),
                r.entity_id.as_str(),
                r.operation.as_str(),
            )
        })
        .collect();
    assert_eq!(
        refs,
        vec![
            (
                T1,
                "Invoice",
                "4f1c2b3a-7d8e-4a9b-b0c1-d2e3f4a5b6c7",
                "UPDATE"
            ),
            (
                T2,
                "Invoice",
                "9e8d7c6b-5a49-4382-a716-253443526170",
                "CREATE"
            ),
            (
                T1,
                "CreditNote",
                "c2d3e4f5-a6b7-4c8d-9e0f-1a2b3c4d5e6f",
                "CREATE"
            ),
        ]
    );
    let r = &got.pending[0];
    assert_eq!(r.entity, "Invoice");
    assert_eq!(
        r.resource_url.as_deref(),
        Some("https://api.xero.com/api.xro/2.0/Invoices/4f1c2b3a-7d8e-4a9b-b0c1-d2e3f4a5b6c7")
    );
    assert_eq!(
        r.event_id,
        format!("{T1}:4f1c2b3a-7d8e-4a9b-b0c1-d2e3f4a5b6c7:UPDATE:2026-03-10T08:30:00.150")
    );
    assert_eq!(
        r.occurred_at,
        Utc.with_ymd_and_hms(2026, 3, 10, 8, 30, 0).unwrap() + chrono::Duration::milliseconds(150)
    );
    let skipped: Vec<_> = got.skipped.iter().map(|s| s.event_type.as_str()).collect();
    assert_eq!(skipped, vec!["CONTACT.UPDATE"]);
    assert_eq!(got.tenant.as_str(), T1);
    assert_eq!(got.reply.status, 200);
    assert!(got.reply.body.is_empty() && got.reply.headers.is_empty());
}

#[test]
fn intent_to_receive_is_a_handshake_for_the_route_tenant() {
    let got = ingest_with(
        source().as_ref(),
        &fixture("01_intent_to_receive_correctly_signed"),
        Some("acme"),
    )
    .unwrap();
    assert!(got.handshake);
    assert_eq!(got.tenant.as_str(), "acme");
    assert!(got.pending.is_empty() && got.skipped.is_empty());
    assert!(got.reply.body.is_empty() && got.reply.headers.is_empty());
    let err = ingest_with(
        source().as_ref(),
        &fixture("02_intent_to_receive_incorrectly_signed"),
        Some("acme"),
    )
    .unwrap_err();
    assert_eq!(err.kind().status().as_u16(), 401);
}

#[test]
fn tenant_allow_list() {
    let mut config = XeroConfig::with_secret(FIXTURE_SECRET);
    config.tenants = vec![T1.into()];
    let source = XeroSource::new(config).unwrap();
    assert!(ingest_with(&source, &fixture("03_invoice_create"), None).is_ok());
    // Intent to receive names no tenant: still answered.
    assert!(ingest_with(
        &source,
        &fixture("01_intent_to_receive_correctly_signed"),
        None
    )
    .is_ok());
    // A delivery spanning tenants: the other tenant's event is skipped, not the delivery.
    let got = ingest_with(&source, &fixture("05_multi_events_two_tenants"), None).unwrap();
    assert_eq!((got.pending.len(), got.skipped.len()), (2, 2));
    assert!(got
        .skipped
        .iter()
        .any(|s| s.reason == "tenant not configured"));
    // Nothing for a configured tenant: refused.
    let mut config = XeroConfig::with_secret(FIXTURE_SECRET);
    config.tenants = vec![T2.into()];
    let source = XeroSource::new(config).unwrap();
    let err = ingest_with(&source, &fixture("03_invoice_create"), None).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::UnknownTenant);
    assert_eq!(err.kind().status().as_u16(), 403);
}

fn signed(body: &[u8]) -> WebhookRequest {
    let mut req = http::Request::builder()
        .method("POST")
        .uri("/webhooks/xero")
        .body(bytes::Bytes::copy_from_slice(body))
        .unwrap();
    invoice_connector_xero::testing::sign(&mut req, &Secret::new(FIXTURE_SECRET), Utc::now());
    req
}

#[test]
fn malformed_bodies_are_400_not_panics() {
    let s = source();
    for body in [
        &b"not json"[..],
        b"[]",
        b"{}",
        br#"{"events":"x"}"#,
        br#"{"events":[{"resourceId":"1"}]}"#,
    ] {
        let err = ingest_with(s.as_ref(), &signed(body), None).unwrap_err();
        assert_eq!(
            err.kind(),
            ErrorKind::Malformed,
            "{}",
            String::from_utf8_lossy(body)
        );
    }
}

#[test]
fn one_bad_event_does_not_refuse_the_delivery() {
    let got = ingest_with(
        source().as_ref(),
        &signed(br#"{"events":[{"resourceUrl":"u","resourceId":"1","eventDateUtc":"later","eventType":"UPDATE","eventCategory":"INVOICE","tenantId":"t"},{"resourceUrl":"u","resourceId":"","eventDateUtc":"2026-01-01T00:00:00","eventType":"UPDATE","eventCategory":"INVOICE","tenantId":"t"}]}"#),
        None,
    )
    .unwrap();
    assert_eq!((got.pending.len(), got.skipped.len()), (1, 1));
    assert_eq!(
        got.pending[0].occurred_at,
        Utc.with_ymd_and_hms(2026, 3, 10, 8, 30, 21).unwrap(),
        "unreadable time: the receipt time"
    );
}

#[test]
fn registry_builds_from_the_config_table() {
    let mut registry = ConnectorRegistry::new();
    register(&mut registry);
    let built = registry
        .build(
            Platform::Xero,
            &serde_json::json!({
                "secrets": ["k1", "k2"],
                "client_id": "C",
                "client_secret": "cs",
                "refresh_token": "rt",
                "tenants": [T1]
            }),
        )
        .unwrap();
    assert_eq!(built.source.info().platform, Platform::Xero);
    assert!(built.enricher.is_some());
    let unknown = registry
        .build(
            Platform::Xero,
            &serde_json::json!({"secrets": ["k"], "webhook_key": "x"}),
        )
        .unwrap_err();
    assert!(unknown.to_string().contains("webhook_key"), "{unknown}");
    for bad in [
        serde_json::json!({"secrets": []}),
        serde_json::json!({"secrets": [""]}),
        serde_json::json!({"secrets": ["k"], "refresh_token": "rt", "client_id": "C"}),
        serde_json::json!({"secrets": ["k"], "api_base": "not a url"}),
    ] {
        assert!(
            matches!(
                registry.build(Platform::Xero, &bad),
                Err(ConfigError::Invalid(_))
            ),
            "{bad}"
        );
    }
}

#[test]
fn secrets_stay_out_of_debug_output() {
    let mut config = XeroConfig::with_secret("webhook-SECRET-1");
    config.access_token = Some(Secret::new("access-SECRET-2"));
    config.client_id = Some("client".into());
    config.client_secret = Some(Secret::new("client-SECRET-3"));
    config.refresh_token = Some(Secret::new("refresh-SECRET-4"));
    let text = format!(
        "{:?} {:?} {:?}",
        config,
        XeroSource::new(config.clone()).unwrap(),
        XeroEnricher::from_config(&config).unwrap()
    );
    assert!(!text.contains("SECRET"), "{text}");
}
