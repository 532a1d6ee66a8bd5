//! Odoo's native "Send Webhook Notification" action cannot sign: it is accepted only on
//! `/webhooks/odoo/{tenant}/{token}` with a token the relay verifies, end to end through
//! the relay and its journal.

#![allow(clippy::unwrap_used)] // tests may unwrap (see the workspace lints)

use std::sync::Arc;

use chrono::{TimeZone, Utc};
use invoice_connector_odoo::testing::{fixture_config, FIXTURE_SECRET};
use invoice_connector_odoo::OdooSource;
use invoice_core::journal::{Journal, MemoryJournal};
use invoice_core::testing::fixture::parse_http;
use invoice_core::{
    ErrorKind, IngestContext, InvoiceSource, ManualClock, Platform, Relay, RelayError, Route,
    Secret, TenantId,
};

const TOKEN: &str = "tok_3f9a1c7e5b2d4a6f8e0c";

fn native() -> invoice_core::WebhookRequest {
    let raw = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/fixtures/11_native_webhook_without_url_token_refused.http"
    ))
    .unwrap();
    parse_http(&raw).unwrap()
}

fn relay(journal: Arc<MemoryJournal>) -> Relay {
    let source = OdooSource::new(fixture_config(vec![Secret::new(FIXTURE_SECRET)])).unwrap();
    Relay::builder(journal)
        .source(Arc::new(source))
        .url_tokens(Platform::Odoo, vec![Secret::new(TOKEN)])
        .clock(Arc::new(ManualClock::new(
            Utc.with_ymd_and_hms(2026, 1, 22, 8, 30, 5).unwrap(),
        )))
        .build()
}

fn route(token: Option<&str>) -> Route {
    Route {
        tenant: Some(TenantId::from("anodize-prod")),
        url_token: token.map(str::to_owned),
        public_url: None,
    }
}

#[test]
fn native_webhook_with_the_right_url_token_is_applied_once() {
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let journal = Arc::new(MemoryJournal::new());
    let relay = relay(journal.clone());
    let req = native();
    let first = rt
        .block_on(relay.ingest(Platform::Odoo, &req, route(Some(TOKEN))))
        .unwrap();
    assert_eq!(first.reply.status, 200);
    assert_eq!(first.tenant.as_str(), "anodize-prod");
    assert_eq!(first.report.applied, 1);
    let again = rt
        .block_on(relay.ingest(Platform::Odoo, &req, route(Some(TOKEN))))
        .unwrap();
    assert_eq!(again.report.applied, 0);
    assert_eq!(again.report.duplicates, 1);
    assert!(rt.block_on(journal.verify_chain()).is_ok());
}

#[test]
fn native_webhook_with_a_wrong_or_missing_token_is_refused() {
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let relay = relay(Arc::new(MemoryJournal::new()));
    let req = native();
    for token in [Some("tok_wrong_wrong_wrong_"), None] {
        let err = rt
            .block_on(relay.ingest(Platform::Odoo, &req, route(token)))
            .unwrap_err();
        match err {
            RelayError::Source(e) => assert_eq!(e.kind(), ErrorKind::BadSignature),
            other => panic!("{other:?}"),
        }
    }
}

#[test]
fn a_present_signature_is_checked_even_on_a_token_route() {
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let source = OdooSource::new(fixture_config(vec![Secret::new(FIXTURE_SECRET)])).unwrap();
    let mut req = native();
    req.headers_mut()
        .insert("x-odoo-signature", "t=1,v1=00".parse().unwrap());
    let mut ctx = IngestContext::at(Utc.with_ymd_and_hms(2026, 1, 22, 8, 30, 5).unwrap());
    ctx.url_token_verified = true;
    assert!(rt.block_on(source.ingest(&req, &ctx)).is_err());
    req.headers_mut().remove("x-odoo-signature");
    let ok = rt.block_on(source.ingest(&req, &ctx)).unwrap();
    assert_eq!(ok.events.len(), 1);
}

#[test]
fn url_token_only_configuration_has_no_secrets() {
    let config: invoice_connector_odoo::OdooConfig =
        serde_json::from_value(serde_json::json!({"secrets": [], "database": "db1"})).unwrap();
    assert!(OdooSource::new(config).is_ok());
    let unknown = serde_json::from_value::<invoice_connector_odoo::OdooConfig>(
        serde_json::json!({"secrets": [], "url_token": "x"}),
    );
    assert!(unknown.unwrap_err().to_string().contains("url_token"));
}
