//! What the source makes of Intuit's deliveries beyond the conformance counts: the
//! references themselves, both formats under every content type, the realm allow-list,
//! configuration through the registry, and secrets kept out of `Debug`.

// Tests may unwrap (see the workspace lint's comment).
#![allow(clippy::unwrap_used)]

use chrono::{TimeZone, Utc};
use invoice_connector_quickbooks_online::testing::{Harness, FIXTURE_SECRET};
use invoice_connector_quickbooks_online::{register, QboConfig, QboEnricher, QboSource};
use invoice_core::registry::{ConfigError, ConnectorRegistry};
use invoice_core::testing::fixture::parse_http;
use invoice_core::{
    ErrorKind, IngestContext, Ingested, InvoiceSource, Platform, Secret, WebhookRequest,
};

const REALM: &str = "9341455322581846";
const REALM2: &str = "4620816365181523890";

fn fixture(name: &str) -> WebhookRequest {
    let path = Harness::fixtures().join(format!("{name}.http"));
    parse_http(&std::fs::read(path).unwrap()).unwrap()
}

fn ingest(
    source: &dyn InvoiceSource,
    req: &WebhookRequest,
) -> Result<Ingested, invoice_core::SourceError> {
    let ctx = IngestContext::at(Utc.with_ymd_and_hms(2026, 5, 6, 8, 2, 1).unwrap());
    tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap()
        .block_on(source.ingest(req, &ctx))
}

fn source() -> std::sync::Arc<dyn InvoiceSource> {
    Harness::source(vec![Secret::new(FIXTURE_SECRET)])
}

#[test]
fn cloudevents_batch_becomes_one_reference_per_tracked_change() {
    let got = ingest(
        source().as_ref(),
        &fixture("07_cloudevents_batch_two_realms"),
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
                r.event_id.as_str(),
            )
        })
        .collect();
    assert_eq!(
        refs,
        vec![
            (
                REALM,
                "Payment",
                "2214",
                "Create",
                "5c2d7e91-04ab-4e3f-9d18-2a6b8c0e1f07"
            ),
            (
                REALM,
                "Invoice",
                "1050",
                "Void",
                "6d3e8fa2-15bc-4f40-8e29-3b7c9d1f2a08"
            ),
            (
                REALM2,
                "Invoice",
                "77",
                "Create",
                "7e4f90b3-26cd-4051-9f3a-4c8dae203b09"
            ),
        ]
    );
    assert!(got
        .pending
        .iter()
        .all(|r| r.resource_url.is_none() && r.raw.is_none()));
    assert_eq!(
        got.pending[1].occurred_at,
        Utc.with_ymd_and_hms(2026, 5, 6, 8, 1, 12).unwrap() + chrono::Duration::milliseconds(310)
    );
    let skipped: Vec<_> = got
        .skipped
        .iter()
        .map(|s| (s.event_type.as_str(), s.reason.as_str()))
        .collect();
    assert_eq!(
        skipped,
        vec![
            ("qbo.customer.updated.v1", "entity not tracked"),
            ("qbo.invoice.archived.v1", "operation not known"),
        ]
    );
    assert_eq!(got.tenant.as_str(), REALM);
    assert!(got.events.is_empty());
    assert!(!got.handshake);
}

#[test]
fn legacy_ids_and_times() {
    let got = ingest(
        source().as_ref(),
        &fixture("02_legacy_invoice_update_payment_customer"),
    )
    .unwrap();
    let r = &got.pending[0];
    assert_eq!(
        r.event_id,
        format!("{REALM}:Invoice:1042:Update:2026-03-09T14:02:11-0800")
    );
    assert_eq!(
        r.occurred_at,
        Utc.with_ymd_and_hms(2026, 3, 9, 22, 2, 11).unwrap()
    );
    assert_eq!(got.skipped[0].event_type, "Customer.Update");
}

#[test]
fn both_formats_under_every_content_type() {
    for name in ["06_cloudevents_invoice_updated", "01_legacy_invoice_create"] {
        for ct in [
            "application/json",
            "application/cloudevents+json",
            "application/cloudevents-batch+json; charset=utf-8",
            "text/plain",
        ] {
            let mut req = fixture(name);
            req.headers_mut()
                .insert("content-type", ct.parse().unwrap());
            let got = ingest(source().as_ref(), &req).unwrap();
            assert_eq!(got.pending.len(), 1, "{name} as {ct}");
        }
    }
}

#[test]
fn realm_allow_list() {
    let mut config = QboConfig::with_secret(FIXTURE_SECRET);
    config.realms = vec![REALM.into()];
    let source = QboSource::new(config).unwrap();
    assert!(ingest(&source, &fixture("01_legacy_invoice_create")).is_ok());
    // A batch spanning companies: the other company's change is skipped, not the batch.
    let got = ingest(&source, &fixture("07_cloudevents_batch_two_realms")).unwrap();
    assert_eq!((got.pending.len(), got.skipped.len()), (2, 3));
    assert!(got.pending.iter().all(|r| r.tenant.as_str() == REALM));
    assert!(got
        .skipped
        .iter()
        .any(|s| s.reason == "realm not configured"));
    // Nothing for a configured company: refused.
    let other = support_webhook(
        br#"{"eventNotifications":[{"realmId":"123","dataChangeEvent":{"entities":[{"name":"Invoice","id":"1","operation":"Update","lastUpdated":"2026-03-01T00:00:00Z"}]}}]}"#,
    );
    let err = ingest(&source, &other).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::UnknownTenant);
    assert_eq!(err.kind().status().as_u16(), 403);
}

#[test]
fn malformed_bodies_are_400_not_panics() {
    let s = source();
    for body in [
        &b"not json"[..],
        b"",
        b"42",
        br#"{"eventNotifications":"x"}"#,
        br#"[{"specversion":"1.0"}]"#,
    ] {
        let req = support_webhook(body);
        let err = ingest(s.as_ref(), &req).unwrap_err();
        assert_eq!(
            err.kind(),
            ErrorKind::Malformed,
            "{}",
            String::from_utf8_lossy(body)
        );
    }
}

#[test]
fn one_bad_change_does_not_refuse_the_delivery() {
    // Intuit redelivers a refused body whole and holds back later ones: per-change
    // problems are kept to that change.
    let s = source();
    let now = Utc.with_ymd_and_hms(2026, 5, 6, 8, 2, 1).unwrap();
    let got = ingest(
        s.as_ref(),
        &support_webhook(br#"{"eventNotifications":[{"realmId":"1","dataChangeEvent":{"entities":[{"name":"Invoice","id":"1","operation":"Update","lastUpdated":"soon"},{"name":"Invoice","id":"","operation":"Update","lastUpdated":"2026-03-01T00:00:00Z"}]}}]}"#),
    )
    .unwrap();
    assert_eq!((got.pending.len(), got.skipped.len()), (1, 1));
    assert_eq!(
        got.pending[0].occurred_at, now,
        "unreadable time: the receipt time"
    );
    assert_eq!(got.skipped[0].reason, "empty realm or entity id");
    let got = ingest(
        s.as_ref(),
        &support_webhook(br#"[{"specversion":"1.0","id":"a","type":"qbo.invoice.updated.v1","time":"x","intuitentityid":"1","intuitaccountid":"1"},{"specversion":"1.0","id":"b","type":"qbo.invoice.updated.v1","intuitentityid":"","intuitaccountid":"1"}]"#),
    )
    .unwrap();
    assert_eq!((got.pending.len(), got.skipped.len()), (1, 1));
    assert_eq!(got.pending[0].occurred_at, now);
}

fn support_webhook(body: &[u8]) -> WebhookRequest {
    let mut req = http::Request::builder()
        .method("POST")
        .uri("/webhooks/quickbooks-online")
        .body(bytes::Bytes::copy_from_slice(body))
        .unwrap();
    invoice_connector_quickbooks_online::testing::sign(
        &mut req,
        &Secret::new(FIXTURE_SECRET),
        Utc::now(),
    );
    req
}

#[test]
fn registry_builds_from_the_config_table() {
    let mut registry = ConnectorRegistry::new();
    register(&mut registry);
    let built = registry
        .build(
            Platform::QuickbooksOnline,
            &serde_json::json!({
                "secrets": ["v1", "v2"],
                "client_id": "AB",
                "client_secret": "cs",
                "refresh_token": "rt",
                "home_currency": "CAD"
            }),
        )
        .unwrap();
    assert_eq!(built.source.info().platform, Platform::QuickbooksOnline);
    assert!(built.source.info().thin);
    assert!(built.enricher.is_some());

    let unknown = registry
        .build(
            Platform::QuickbooksOnline,
            &serde_json::json!({"secrets": ["v"], "verifier_token": "x"}),
        )
        .unwrap_err();
    assert!(unknown.to_string().contains("verifier_token"), "{unknown}");
    for bad in [
        serde_json::json!({"secrets": []}),
        serde_json::json!({"secrets": [""]}),
        serde_json::json!({"secrets": ["v"], "refresh_token": "rt"}),
        serde_json::json!({"secrets": ["v"], "home_currency": "dollars"}),
        serde_json::json!({"secrets": ["v"], "api_base": "ftp://x"}),
    ] {
        assert!(
            matches!(
                registry.build(Platform::QuickbooksOnline, &bad),
                Err(ConfigError::Invalid(_))
            ),
            "{bad}"
        );
    }
}

#[test]
fn secrets_stay_out_of_debug_output() {
    let mut config = QboConfig::with_secret("verifier-SECRET-1");
    config.access_token = Some(Secret::new("access-SECRET-2"));
    config.client_id = Some("client".into());
    config.client_secret = Some(Secret::new("client-SECRET-3"));
    config.refresh_token = Some(Secret::new("refresh-SECRET-4"));
    let text = format!(
        "{:?} {:?} {:?}",
        config,
        QboSource::new(config.clone()).unwrap(),
        QboEnricher::from_config(&config).unwrap()
    );
    assert!(!text.contains("SECRET"), "{text}");
}
