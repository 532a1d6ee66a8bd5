//! Both delivery paths beyond the kit: the Platform Event HMAC scheme (computed
//! signatures, tamper, rotation, window), the URL-token and network-authenticated
//! Outbound Message set-ups through the relay, the Ack's headers, and the org checks.
#![allow(clippy::unwrap_used)] // tests: a panic is the failure report

use std::sync::Arc;

use bytes::Bytes;
use chrono::{DateTime, Duration, TimeZone, Utc};
use invoice_connector_salesforce::soap::{ACK, ACK_CONTENT_TYPE};
use invoice_connector_salesforce::testing::{Harness, FIXTURE_EVENT_SECRET, FIXTURE_SECRET};
use invoice_connector_salesforce::verify::{
    parse_signature, sign_header, SECRET_HEADER, SIGNATURE_HEADER,
};
use invoice_connector_salesforce::{SalesforceConfig, SalesforceSource};
use invoice_core::journal::{Journal, MemoryJournal};
use invoice_core::testing::fixture::{load_dir, Fixture};
use invoice_core::{
    ErrorKind, IngestContext, InvoiceSource, ManualClock, Platform, Relay, Route, Secret,
    SourceError, TenantId, WebhookRequest,
};

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

fn fixture(prefix: &str) -> Fixture {
    load_dir(&Harness::fixtures())
        .unwrap()
        .into_iter()
        .find(|f| f.name.starts_with(prefix))
        .unwrap()
}

fn source_with(f: impl FnOnce(&mut SalesforceConfig)) -> Arc<dyn InvoiceSource> {
    let mut c = Harness::config(vec![Secret::new(FIXTURE_SECRET)]);
    f(&mut c);
    Arc::new(SalesforceSource::new(c).unwrap())
}

fn ingest(
    s: &dyn InvoiceSource,
    req: &WebhookRequest,
    ctx: &IngestContext,
) -> Result<invoice_core::Ingested, SourceError> {
    rt().block_on(s.ingest(req, ctx))
}

fn with_body(req: &WebhookRequest, body: Vec<u8>) -> WebhookRequest {
    let mut out = http::Request::builder()
        .method(req.method().clone())
        .uri(req.uri().clone())
        .body(Bytes::from(body))
        .unwrap();
    *out.headers_mut() = req.headers().clone();
    out
}

fn signed_at(req: &WebhookRequest) -> DateTime<Utc> {
    let h = parse_signature(req.headers()[SIGNATURE_HEADER].as_bytes()).unwrap();
    Utc.timestamp_opt(h.timestamp, 0).unwrap()
}

const PLATFORM_EVENTS: [&str; 2] = ["12_", "13_"];

#[test]
fn platform_event_signatures_are_computed_by_the_signer() {
    let key = Secret::new(FIXTURE_EVENT_SECRET);
    for p in PLATFORM_EVENTS {
        let f = fixture(p);
        let at = signed_at(&f.request);
        let expected = sign_header(&key, at.timestamp(), f.request.body());
        assert_eq!(
            f.request.headers()[SIGNATURE_HEADER],
            expected.as_str(),
            "{p}"
        );
    }
}

#[test]
fn platform_event_body_and_signature_tampering_is_refused() {
    let s = Harness::source(vec![Secret::new(FIXTURE_SECRET)]);
    for p in PLATFORM_EVENTS {
        let f = fixture(p);
        let ctx = IngestContext::at(f.expect.now);
        assert!(ingest(s.as_ref(), &f.request, &ctx).is_ok());
        let body = f.request.body().to_vec();
        for i in 0..body.len() {
            let mut b = body.clone();
            b[i] ^= 0x01;
            let r = ingest(s.as_ref(), &with_body(&f.request, b), &ctx);
            assert!(r.is_err_and(|e| e.kind().is_auth()), "{p}: body byte {i}");
        }
        let sig = f.request.headers()[SIGNATURE_HEADER].as_bytes().to_vec();
        for i in 0..sig.len() {
            let mut v = sig.clone();
            v[i] ^= 0x01;
            let Ok(hv) = http::HeaderValue::from_bytes(&v) else {
                continue;
            };
            let mut req = f.request.clone();
            req.headers_mut().insert(SIGNATURE_HEADER, hv);
            assert!(ingest(s.as_ref(), &req, &ctx).is_err(), "{p}: sig byte {i}");
        }
        let mut unsigned = f.request.clone();
        unsigned.headers_mut().remove(SIGNATURE_HEADER);
        assert_eq!(
            ingest(s.as_ref(), &unsigned, &ctx).unwrap_err().kind(),
            ErrorKind::BadSignature
        );
        // The Outbound Message shared secret is not a Platform Event credential.
        let mut secret_only = unsigned.clone();
        secret_only.headers_mut().insert(
            SECRET_HEADER,
            http::HeaderValue::from_static(FIXTURE_SECRET),
        );
        assert!(ingest(s.as_ref(), &secret_only, &ctx).is_err());
    }
}

#[test]
fn platform_event_keys_rotate_and_old_signatures_expire() {
    let f = fixture("12_");
    let at = signed_at(&f.request);
    let new_key = Secret::new("sfrelay-rotated-event-key");
    let mut req = f.request.clone();
    let h = sign_header(&new_key, at.timestamp(), req.body());
    req.headers_mut()
        .insert(SIGNATURE_HEADER, http::HeaderValue::from_str(&h).unwrap());
    let both = source_with(|c| c.event_secrets.push(new_key.clone()));
    let old = Harness::source(vec![Secret::new(FIXTURE_SECRET)]);
    let ctx = IngestContext::at(f.expect.now);
    assert!(ingest(both.as_ref(), &req, &ctx).is_ok());
    assert!(ingest(old.as_ref(), &req, &ctx).is_err_and(|e| e.kind().is_auth()));

    let late = IngestContext::at(at + Duration::seconds(301));
    assert!(matches!(
        ingest(old.as_ref(), &f.request, &late),
        Err(SourceError::StaleTimestamp(_))
    ));
    let edge = IngestContext::at(at + Duration::seconds(299));
    assert!(ingest(old.as_ref(), &f.request, &edge).is_ok());
    // No event key configured: every callout is refused.
    let none = source_with(|c| c.event_secrets.clear());
    assert!(ingest(none.as_ref(), &f.request, &ctx).is_err_and(|e| e.kind().is_auth()));
}

#[test]
fn ack_is_exact_with_its_content_type() {
    let f = fixture("02_");
    let s = Harness::source(vec![Secret::new(FIXTURE_SECRET)]);
    let got = ingest(s.as_ref(), &f.request, &IngestContext::at(f.expect.now)).unwrap();
    assert_eq!(got.reply.status, http::StatusCode::OK);
    assert_eq!(got.reply.body, Bytes::from_static(ACK.as_bytes()));
    assert_eq!(
        got.reply.headers[http::header::CONTENT_TYPE],
        ACK_CONTENT_TYPE
    );
}

fn relay(
    source: Arc<dyn InvoiceSource>,
    now: DateTime<Utc>,
    tokens: Vec<Secret>,
) -> (Relay, Arc<MemoryJournal>) {
    let journal = Arc::new(MemoryJournal::new());
    let relay = Relay::builder(journal.clone())
        .source(source)
        .clock(Arc::new(ManualClock::new(now)))
        .url_tokens(Platform::Salesforce, tokens)
        .build();
    (relay, journal)
}

#[test]
fn url_token_route_authenticates_an_outbound_message_without_the_header() {
    let f = fixture("01_");
    let mut req = f.request.clone();
    req.headers_mut().remove(SECRET_HEADER);
    let token = "sf-url-token-7Hq2Lx9Vb4Nc8Md1";
    let (relay, journal) = relay(
        Harness::source(vec![Secret::new(FIXTURE_SECRET)]),
        f.expect.now,
        vec![Secret::new(token)],
    );
    let rt = rt();
    let route = |t: &str| Route {
        tenant: Some(TenantId::from("00D5g000004XyZaEAK")),
        url_token: Some(t.to_owned()),
        public_url: None,
    };
    let wrong = rt.block_on(relay.ingest(
        Platform::Salesforce,
        &req,
        route("sf-url-token-wrong-0000000"),
    ));
    assert_eq!(wrong.unwrap_err().status(), http::StatusCode::UNAUTHORIZED);
    let no_token = rt.block_on(relay.ingest(Platform::Salesforce, &req, Route::default()));
    assert_eq!(
        no_token.unwrap_err().status(),
        http::StatusCode::UNAUTHORIZED
    );
    let first = rt
        .block_on(relay.ingest(Platform::Salesforce, &req, route(token)))
        .unwrap();
    assert_eq!(first.reply.body, Bytes::from_static(ACK.as_bytes()));
    assert_eq!(first.report.applied, 1);
    // The retry Salesforce sends after a lost Ack gets the Ack again, nothing applied.
    let again = rt
        .block_on(relay.ingest(Platform::Salesforce, &req, route(token)))
        .unwrap();
    assert_eq!(again.reply, first.reply);
    assert_eq!(again.report.applied, 0);
    assert_eq!(again.report.duplicates, 1);
    assert!(rt.block_on(journal.verify_chain()).is_ok());
}

#[test]
fn network_authenticated_accepts_on_the_org_alone_and_still_checks_it() {
    let f = fixture("01_");
    let mut req = f.request.clone();
    req.headers_mut().remove(SECRET_HEADER);
    let ctx = IngestContext::at(f.expect.now);
    let s = source_with(|c| {
        c.secrets.clear();
        c.network_authenticated = true;
    });
    assert_eq!(ingest(s.as_ref(), &req, &ctx).unwrap().events.len(), 1);
    let other_org = fixture("11_");
    let mut req = other_org.request.clone();
    req.headers_mut().remove(SECRET_HEADER);
    assert!(matches!(
        ingest(s.as_ref(), &req, &ctx),
        Err(SourceError::UnknownTenant(_))
    ));
}

#[test]
fn a_route_tenant_of_another_org_is_refused() {
    let f = fixture("01_");
    let s = Harness::source(vec![Secret::new(FIXTURE_SECRET)]);
    let mut ctx = IngestContext::at(f.expect.now);
    ctx.route_tenant = Some(TenantId::from("00D8d000009QrSt"));
    assert!(matches!(
        ingest(s.as_ref(), &f.request, &ctx),
        Err(SourceError::UnknownTenant(_))
    ));
    ctx.route_tenant = Some(TenantId::from("00D5g000004XyZaEAK"));
    assert!(ingest(s.as_ref(), &f.request, &ctx).is_ok());
}

#[test]
fn other_content_types_are_unsupported() {
    let f = fixture("01_");
    let s = Harness::source(vec![Secret::new(FIXTURE_SECRET)]);
    let mut req = f.request.clone();
    req.headers_mut().insert(
        http::header::CONTENT_TYPE,
        http::HeaderValue::from_static("application/x-www-form-urlencoded"),
    );
    let e = ingest(s.as_ref(), &req, &IngestContext::at(f.expect.now)).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Unsupported);
}

#[test]
fn config_refuses_unknown_keys_and_bad_values_and_registers() {
    let mut reg = invoice_core::registry::ConnectorRegistry::new();
    invoice_connector_salesforce::register(&mut reg);
    let ok = serde_json::json!({
        "org_ids": ["00D5g000004XyZaEAK"],
        "secrets": ["0123456789abcdef0123"],
        "default_currency": "EUR",
        "fields": {"status": "blng__Status__c"},
        "statuses": {"Sent": "posted"}
    });
    let c = reg.build(Platform::Salesforce, &ok).unwrap();
    assert!(c.enricher.is_none());
    assert_eq!(c.source.info().signature_header, Some(SECRET_HEADER));
    for bad in [
        serde_json::json!({"org_ids": ["00D5g000004XyZaEAK"], "typo": 1}),
        serde_json::json!({"org_ids": ["00D5g000004XyZaEAK"], "fields": {"stauts": "x"}}),
        serde_json::json!({"org_ids": ["00D5g000004XyZaEAK"], "statuses": {"Sent": "sent"}}),
        serde_json::json!({"org_ids": []}),
        serde_json::json!({"org_ids": ["00D5g"]}),
        serde_json::json!({"org_ids": ["00D5g000004XyZaEAK"], "secrets": ["short"]}),
    ] {
        let e = reg.build(Platform::Salesforce, &bad).unwrap_err();
        assert!(!e.to_string().contains("0123456789abcdef"), "{e}");
    }
}

#[test]
fn configured_field_names_are_used() {
    let f = fixture("01_");
    let s = source_with(|c| {
        c.fields.status = "Name".into();
    });
    // `Name` holds "INV-2026-0142", not a status: the record is skipped, not failed.
    let got = ingest(s.as_ref(), &f.request, &IngestContext::at(f.expect.now)).unwrap();
    assert_eq!((got.events.len(), got.skipped.len()), (0, 1));
    let s = source_with(|c| c.object = "blng__Invoice__c".into());
    let got = ingest(s.as_ref(), &f.request, &IngestContext::at(f.expect.now)).unwrap();
    assert_eq!((got.events.len(), got.skipped.len()), (0, 1));
}

#[test]
fn a_dispute_outcome_closes_the_dispute_on_the_portal() {
    let disputed = fixture("05_");
    let closed = fixture("15_");
    let (relay, journal) = relay(
        Harness::source(vec![Secret::new(FIXTURE_SECRET)]),
        closed.expect.now,
        Vec::new(),
    );
    let rt = rt();
    for f in [&disputed, &closed] {
        rt.block_on(relay.ingest(Platform::Salesforce, &f.request, Route::default()))
            .unwrap();
    }
    let key = invoice_core::InvoiceKey::new(
        Platform::Salesforce,
        "00D5g000004XyZaEAK",
        "a0B5g00000KLmNpEAP",
    );
    let state = rt.block_on(journal.load(&key)).unwrap().unwrap().state;
    assert_eq!(state.dispute, invoice_core::DisputeStatus::ResolvedWon);
    assert_eq!(state.portal_status(), invoice_core::PortalStatus::Paid);
}
