//! IPN: stored unverified, then verified by postback against a loopback stand-in for
//! `ipnpb.paypal.com` answering VERIFIED / INVALID / errors.

#![allow(clippy::unwrap_used)] // tests unwrap on fixed inputs

mod common;

use std::sync::{Arc, Mutex};

use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::Router;
use bytes::Bytes;
use invoice_connector_paypal::enrich::USER_AGENT;
use invoice_connector_paypal::ipn::{IpnMessage, POSTBACK_PREFIX};
use invoice_connector_paypal::testing::{Harness, FIXTURE_RECEIVER_ID, FIXTURE_SECRET};
use invoice_connector_paypal::PaypalIpnEnricher;
use invoice_core::journal::{AuditFilter, Journal, MemoryJournal};
use invoice_core::{
    audit::AuditAction, DisputeOutcome, EnrichError, Enricher, EventDetail, EventKind,
    IngestContext, InvoiceEvent, InvoiceKey, Lifecycle, ManualClock, Platform, Relay, Route,
    Secret, ThinReference,
};

#[derive(Clone, Copy, PartialEq)]
enum Answer {
    Verified,
    Invalid,
    RateLimited,
    ServerError,
    Garbage,
}

#[derive(Clone)]
struct PayPal {
    answer: Answer,
    posted: Arc<Mutex<Vec<(HeaderMap, Bytes)>>>,
}

async fn webscr(State(pp): State<PayPal>, headers: HeaderMap, body: Bytes) -> Response {
    pp.posted.lock().unwrap().push((headers, body));
    match pp.answer {
        Answer::Verified => common::api_fixture("ipn_verified.txt").into_response(),
        Answer::Invalid => common::api_fixture("ipn_invalid.txt").into_response(),
        Answer::RateLimited => {
            let mut r = StatusCode::TOO_MANY_REQUESTS.into_response();
            r.headers_mut()
                .insert("retry-after", HeaderValue::from_static("120"));
            r
        }
        Answer::ServerError => StatusCode::BAD_GATEWAY.into_response(),
        Answer::Garbage => "<html>try later</html>".into_response(),
    }
}

type Posted = Arc<Mutex<Vec<(HeaderMap, Bytes)>>>;

async fn paypal(answer: Answer, receivers: &[&str]) -> (PaypalIpnEnricher, Posted) {
    let state = PayPal {
        answer,
        posted: Arc::new(Mutex::new(Vec::new())),
    };
    let posted = state.posted.clone();
    let app = Router::new()
        .route("/cgi-bin/webscr", post(webscr))
        .with_state(state);
    let addr = common::serve(app).await;
    let mut config = Harness::config(vec![Secret::new(FIXTURE_SECRET)]);
    config.postback_url = format!("http://{addr}/cgi-bin/webscr");
    config.receiver_ids = receivers.iter().map(|s| (*s).to_owned()).collect();
    (PaypalIpnEnricher::from_config(&config).unwrap(), posted)
}

async fn reference(prefix: &str) -> (ThinReference, Bytes) {
    let f = common::fixture(prefix);
    let source = Harness::source(vec![Secret::new(FIXTURE_SECRET)]);
    let got = source
        .ingest(&f.request, &IngestContext::at(f.expect.now))
        .await
        .unwrap();
    assert_eq!(got.pending.len(), 1);
    assert!(
        got.events.is_empty(),
        "nothing is applied before verification"
    );
    (
        got.pending.into_iter().next().unwrap(),
        f.request.body().clone(),
    )
}

async fn verified(prefix: &str) -> Vec<InvoiceEvent> {
    let (enricher, posted) = paypal(Answer::Verified, &[FIXTURE_RECEIVER_ID]).await;
    let (r, original) = reference(prefix).await;
    let events = enricher.fetch(&r).await.unwrap();
    let posted = posted.lock().unwrap();
    assert_eq!(posted.len(), 1);
    let (headers, body) = &posted[0];
    let mut expected = POSTBACK_PREFIX.to_vec();
    expected.extend_from_slice(&original);
    assert_eq!(
        &body[..],
        &expected[..],
        "{prefix}: postback not byte-identical"
    );
    assert_eq!(headers["content-type"], "application/x-www-form-urlencoded");
    assert_eq!(headers["user-agent"], USER_AGENT);
    events
}

fn one(events: Vec<InvoiceEvent>) -> InvoiceEvent {
    assert_eq!(events.len(), 1, "{events:?}");
    events.into_iter().next().unwrap()
}

fn amount(e: &InvoiceEvent) -> String {
    match &e.detail {
        EventDetail::Payment { amount, .. }
        | EventDetail::Refund { amount, .. }
        | EventDetail::Dispute {
            amount: Some(amount),
            ..
        } => format!("{} {}", amount.amount(), amount.currency()),
        d => panic!("no amount in {d:?}"),
    }
}

#[tokio::test]
async fn completed_payment_for_an_invoice_number() {
    let e = one(verified("20_").await);
    assert_eq!(e.kind, EventKind::PaymentReceived);
    assert_eq!(
        e.key,
        InvoiceKey::new(Platform::Paypal, FIXTURE_RECEIVER_ID, "SI-24117")
    );
    assert_eq!(amount(&e), "1310.40 USD");
    assert_eq!(e.correlation.invoice_number.as_deref(), Some("SI-24117"));
    assert_eq!(e.correlation.metadata["custom"], "portal:aerotrim");
    assert_eq!(e.platform_event_id, "9LT04617XH5523154:Completed");
    // 08:45:31 PDT
    assert_eq!(e.occurred_at.to_rfc3339(), "2026-03-12T15:45:31+00:00");
}

#[tokio::test]
async fn windows_1252_and_utf8_twins_decode_and_map_the_same() {
    let a = one(verified("21_").await);
    let b = one(verified("22_").await);
    assert_eq!(a, b);
    assert_eq!(a.key.id, "INV2-QW3E-RT5Y-UI7O-P9AS");
    assert_eq!(a.correlation.invoice_number.as_deref(), Some("0697"));
    assert_eq!(amount(&a), "1210.00 USD");
    let ma = IpnMessage::decode(common::fixture("21_").request.body());
    let mb = IpnMessage::decode(common::fixture("22_").request.body());
    assert_eq!(ma.encoding().name(), "windows-1252");
    assert_eq!(mb.encoding().name(), "UTF-8");
    for field in [
        "first_name",
        "last_name",
        "payer_business_name",
        "item_name1",
    ] {
        assert_eq!(ma.get(field), mb.get(field), "{field}");
    }
    assert_eq!(ma.get("first_name"), Some("J\u{f6}rg"));
    assert_eq!(
        ma.get("item_name1"),
        Some("Payment \u{2013} \u{20ac}-lot for invoice 0697 (caf\u{e9} brackets)")
    );
    // The stored bodies differ (that is the point of the charset field).
    assert_ne!(
        common::fixture("21_").request.body(),
        common::fixture("22_").request.body()
    );
}

#[tokio::test]
async fn refunded_reversed_and_canceled_reversal() {
    let r = one(verified("23_").await);
    assert_eq!(r.kind, EventKind::Refunded);
    assert_eq!(amount(&r), "310.40 USD");
    assert_eq!(r.key.id, "SI-24117");
    let v = one(verified("24_").await);
    assert_eq!(v.kind, EventKind::Disputed);
    assert_eq!(amount(&v), "1310.40 USD");
    let c = one(verified("25_").await);
    assert_eq!(c.kind, EventKind::DisputeResolved);
    assert!(matches!(
        c.detail,
        EventDetail::DisputeResolution {
            outcome: DisputeOutcome::Won,
            ..
        }
    ));
}

#[tokio::test]
async fn invalid_is_rejected() {
    let (enricher, posted) = paypal(Answer::Invalid, &[FIXTURE_RECEIVER_ID]).await;
    let (r, _) = reference("20_").await;
    let e = enricher.fetch(&r).await.unwrap_err();
    assert!(
        matches!(e, EnrichError::Rejected(ref m) if m.contains("INVALID")),
        "{e}"
    );
    assert_eq!(posted.lock().unwrap().len(), 1);
}

#[tokio::test]
async fn verified_but_addressed_to_another_merchant_is_rejected() {
    // PayPal's own IPN guide sample is addressed to receiver S8XGHLYDW9T3S.
    let (enricher, _) = paypal(Answer::Verified, &[FIXTURE_RECEIVER_ID]).await;
    let (r, _) = reference("26_").await;
    let e = enricher.fetch(&r).await.unwrap_err();
    assert!(matches!(e, EnrichError::Rejected(_)), "{e}");
    // Configured for that merchant, the same message maps.
    let (enricher, _) = paypal(Answer::Verified, &["S8XGHLYDW9T3S"]).await;
    let e = one(enricher.fetch(&r).await.unwrap());
    assert_eq!(e.kind, EventKind::PaymentReceived);
    assert_eq!(e.key.id, "61E67681CH3238416");
    assert_eq!(amount(&e), "19.95 USD");
    assert_eq!(e.occurred_at.to_rfc3339(), "2009-01-14T04:12:59+00:00");
}

#[tokio::test]
async fn rate_limits_server_errors_and_odd_answers_are_transient() {
    let (r, _) = reference("20_").await;
    let (limited, _) = paypal(Answer::RateLimited, &[FIXTURE_RECEIVER_ID]).await;
    assert_eq!(
        limited.fetch(&r).await.unwrap_err(),
        EnrichError::Transient {
            message: "ipn postback answered 429 Too Many Requests".into(),
            retry_after_secs: Some(120),
        }
    );
    for answer in [Answer::ServerError, Answer::Garbage] {
        let (e, _) = paypal(answer, &[FIXTURE_RECEIVER_ID]).await;
        let err = e.fetch(&r).await.unwrap_err();
        assert!(err.is_transient(), "{err}");
    }
}

fn build_relay(
    enricher: PaypalIpnEnricher,
    journal: Arc<MemoryJournal>,
    now: chrono::DateTime<chrono::Utc>,
) -> Relay {
    Relay::builder(journal)
        .source(Harness::source(vec![Secret::new(FIXTURE_SECRET)]))
        .enricher(Arc::new(enricher))
        .clock(Arc::new(ManualClock::new(now)))
        .build()
}

#[tokio::test]
async fn through_the_relay_verified_applies_and_invalid_is_audited_only() {
    let f = common::fixture("20_");
    // VERIFIED: acknowledged with an empty 200, then applied by the enrichment worker.
    let journal = Arc::new(MemoryJournal::new());
    let (enricher, _) = paypal(Answer::Verified, &[FIXTURE_RECEIVER_ID]).await;
    let relay = build_relay(enricher, journal.clone(), f.expect.now);
    let out = relay
        .ingest(Platform::Paypal, &f.request, Route::default())
        .await
        .unwrap();
    assert_eq!(out.reply.status, 200);
    assert!(out.reply.body.is_empty());
    assert_eq!(out.report.pending, 1);
    let report = relay.enrich_once(10).await.unwrap();
    assert_eq!((report.resolved, report.rejected), (1, 0));
    assert_eq!(report.applied.applied, 1);
    let key = InvoiceKey::new(Platform::Paypal, FIXTURE_RECEIVER_ID, "SI-24117");
    let state = journal.load(&key).await.unwrap().unwrap().state;
    assert_eq!(state.paid.to_string(), "1310.40");
    assert_ne!(state.lifecycle, Lifecycle::Draft);
    // The same IPN resent: a duplicate, nothing new pending.
    let again = relay
        .ingest(Platform::Paypal, &f.request, Route::default())
        .await
        .unwrap();
    assert_eq!(again.report.duplicates, 1);
    assert_eq!(relay.enrich_once(10).await.unwrap().resolved, 0);

    // INVALID: acknowledged the same way, never applied, kept in the audit log.
    let journal = Arc::new(MemoryJournal::new());
    let (enricher, _) = paypal(Answer::Invalid, &[FIXTURE_RECEIVER_ID]).await;
    let relay = build_relay(enricher, journal.clone(), f.expect.now);
    relay
        .ingest(Platform::Paypal, &f.request, Route::default())
        .await
        .unwrap();
    let report = relay.enrich_once(10).await.unwrap();
    assert_eq!((report.resolved, report.rejected), (0, 1));
    assert!(journal.load(&key).await.unwrap().is_none());
    let audit = journal.audit(&AuditFilter::default()).await.unwrap();
    assert!(audit
        .iter()
        .any(|e| e.record.action == AuditAction::Rejected && e.record.detail.contains("INVALID")));
    assert!(journal.verify_chain().await.is_ok());
}
