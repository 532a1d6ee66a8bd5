//! `HttpPortalSink` against scripted HTTP servers on loopback: the wire format, the
//! signature, connection reuse and the classification of every kind of answer.

#![allow(clippy::unwrap_used)] // tests may unwrap

use std::net::SocketAddr;
use std::str::FromStr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::Router;
use chrono::{TimeZone, Utc};
use invoice_core::{
    EventKind, ManualClock, Platform, PortalData, PortalEventInfo, PortalInvoice, PortalSink,
    PortalUpdate, Secret,
};
use portal_client::verify::Verifier;
use portal_client::{HttpPortalSink, SinkOptions};
use rust_decimal::Decimal;

const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const OLD_SECRET: &str = "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD";

#[derive(Debug, Clone)]
struct Seen {
    headers: HeaderMap,
    body: Bytes,
    peer: SocketAddr,
}

#[derive(Clone)]
struct Script {
    seen: Arc<Mutex<Vec<Seen>>>,
    reply: Arc<dyn Fn() -> Response + Send + Sync>,
}

async fn handler(
    State(s): State<Script>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    s.seen.lock().unwrap().push(Seen {
        headers,
        body,
        peer,
    });
    (s.reply)()
}

async fn server(
    reply: impl Fn() -> Response + Send + Sync + 'static,
) -> (String, Arc<Mutex<Vec<Seen>>>) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let script = Script {
        seen: Arc::clone(&seen),
        reply: Arc::new(reply),
    };
    let app = Router::new()
        .route("/invoice-events", post(handler))
        .with_state(script);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        axum::serve(
            listener,
            app.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .await
        .unwrap();
    });
    (format!("http://{addr}/invoice-events"), seen)
}

fn update(seq: u64) -> PortalUpdate {
    let t = Utc.with_ymd_and_hms(2026, 1, 15, 10, 0, 0).unwrap();
    PortalUpdate {
        id: format!("upd_{seq:032x}"),
        source: "/platforms/stripe/acct_1".into(),
        event_type: "invoice.payment_received".into(),
        subject: "stripe:acct_1:in_1".into(),
        time: t,
        data: PortalData {
            invoice: PortalInvoice {
                id: "stripe:acct_1:in_1".into(),
                number: Some("INV-1001".into()),
                customer: "cus_ACME".into(),
                customer_name: Some("ACME Anodizing GmbH".into()),
                currency: Some("EUR".into()),
                total: Decimal::from_str("1250.00").unwrap(),
                paid: Decimal::from_str("500.10").unwrap(),
                balance: Decimal::from_str("749.90").unwrap(),
                due_date: chrono::NaiveDate::from_ymd_opt(2026, 2, 14),
                status: "partially_paid".into(),
                lifecycle: "partially_paid".into(),
                overdue: false,
                days_past_due: 0,
                dispute: "none".into(),
            },
            event: PortalEventInfo {
                kind: EventKind::PaymentReceived,
                occurred_at: t,
                received_at: t,
                platform: Platform::Stripe,
                platform_event_id: "evt_1".into(),
            },
            sequence: seq,
        },
    }
}

fn sink(url: &str, options: SinkOptions) -> HttpPortalSink {
    HttpPortalSink::new(url, &[Secret::new(SECRET)], options).unwrap()
}

#[tokio::test]
async fn sends_a_signed_structured_cloudevent() {
    let (url, seen) = server(|| StatusCode::NO_CONTENT.into_response()).await;
    let clock = Arc::new(ManualClock::new(
        Utc.timestamp_opt(1_768_471_200, 0).unwrap(),
    ));
    let s = sink(&url, SinkOptions::default().clock(clock.clone()));
    let receipt = s.deliver(&update(3)).await.unwrap();
    assert_eq!(receipt.status, 204);
    assert!(!receipt.duplicate);

    let req = seen.lock().unwrap()[0].clone();
    let h = &req.headers;
    assert_eq!(h["content-type"], "application/cloudevents+json");
    assert_eq!(h["webhook-id"], update(3).id.as_str());
    assert_eq!(h["webhook-timestamp"], "1768471200");
    let v = Verifier::new(&[Secret::new(SECRET)]).unwrap();
    let ok = v.verify(h, &req.body, clock_now(&clock)).unwrap();
    assert_eq!(ok.id, update(3).id);

    let json: serde_json::Value = serde_json::from_slice(&req.body).unwrap();
    assert_eq!(json["specversion"], "1.0");
    assert_eq!(json["id"], update(3).id.as_str());
    assert_eq!(json["source"], "/platforms/stripe/acct_1");
    assert_eq!(json["type"], "invoice.payment_received");
    assert_eq!(json["subject"], "stripe:acct_1:in_1");
    assert_eq!(json["time"], "2026-01-15T10:00:00Z");
    assert_eq!(json["datacontenttype"], "application/json");
    let inv = &json["data"]["invoice"];
    assert_eq!(inv["total"], "1250.00");
    assert_eq!(inv["paid"], "500.10");
    assert_eq!(inv["balance"], "749.90");
    assert_eq!(inv["due_date"], "2026-02-14");
    assert_eq!(json["data"]["event"]["platform"], "stripe");
    assert_eq!(json["data"]["event"]["kind"], "payment_received");
    assert_eq!(json["data"]["sequence"], 3);
}

fn clock_now(c: &ManualClock) -> chrono::DateTime<Utc> {
    use invoice_core::Clock;
    c.now()
}

#[tokio::test]
async fn rotation_sends_one_signature_per_secret_and_each_verifies() {
    let (url, seen) = server(|| StatusCode::OK.into_response()).await;
    let s = HttpPortalSink::new(
        &url,
        &[Secret::new(SECRET), Secret::new(OLD_SECRET)],
        SinkOptions::default(),
    )
    .unwrap();
    s.deliver(&update(1)).await.unwrap();
    let req = seen.lock().unwrap()[0].clone();
    let sigs = req.headers["webhook-signature"]
        .to_str()
        .unwrap()
        .to_owned();
    assert_eq!(sigs.split(' ').count(), 2);
    for secret in [SECRET, OLD_SECRET] {
        // A portal that only knows one of the two still verifies.
        Verifier::new(&[Secret::new(secret)])
            .unwrap()
            .verify(&req.headers, &req.body, Utc::now())
            .unwrap();
    }
}

#[tokio::test]
async fn keeps_the_connection_alive_between_deliveries() {
    let (url, seen) = server(|| StatusCode::OK.into_response()).await;
    let s = sink(&url, SinkOptions::default());
    for seq in 1..=5 {
        s.deliver(&update(seq)).await.unwrap();
    }
    let seen = seen.lock().unwrap();
    assert_eq!(seen.len(), 5);
    let peers: std::collections::BTreeSet<SocketAddr> = seen.iter().map(|r| r.peer).collect();
    // Without keep-alive every request would open its own connection; pooling reuses them
    // (usually exactly one; hyper may race a new connect against a returning idle one).
    assert!(
        peers.len() < 5,
        "{} connections for 5 requests",
        peers.len()
    );
}

#[tokio::test]
async fn batch_mode_posts_an_array_with_a_stable_batch_id() {
    let (url, seen) = server(|| StatusCode::OK.into_response()).await;
    let s = sink(&url, SinkOptions::default());
    let batch = [update(1), update(2)];
    s.deliver_batch(&batch).await.unwrap();
    s.deliver_batch(&batch).await.unwrap();
    let seen = seen.lock().unwrap();
    assert_eq!(
        seen[0].headers["content-type"],
        "application/cloudevents-batch+json"
    );
    let id = seen[0].headers["webhook-id"].to_str().unwrap();
    assert!(id.starts_with("batch_"));
    assert_eq!(
        seen[1].headers["webhook-id"], id,
        "a retried batch keeps its id"
    );
    let events = portal_client::CloudEvent::batch_from_json(&seen[0].body).unwrap();
    assert_eq!(events.len(), 2);
    assert_eq!(events[1].data.sequence, 2);
    Verifier::new(&[Secret::new(SECRET)])
        .unwrap()
        .verify(&seen[0].headers, &seen[0].body, Utc::now())
        .unwrap();
}

#[tokio::test]
async fn conflict_is_a_duplicate_receipt() {
    let (url, _) = server(|| StatusCode::CONFLICT.into_response()).await;
    let r = sink(&url, SinkOptions::default())
        .deliver(&update(1))
        .await
        .unwrap();
    assert!(r.duplicate);
    assert_eq!(r.status, 409);
}

#[tokio::test]
async fn server_errors_and_rate_limits_are_retryable_with_retry_after() {
    let (url, _) = server(|| StatusCode::SERVICE_UNAVAILABLE.into_response()).await;
    let e = sink(&url, SinkOptions::default())
        .deliver(&update(1))
        .await
        .unwrap_err();
    assert!(e.is_retryable());
    assert_eq!(e.status(), Some(503));
    assert_eq!(e.retry_after(), None);

    let (url, _) = server(|| {
        (
            StatusCode::TOO_MANY_REQUESTS,
            [("retry-after", "7")],
            "slow down",
        )
            .into_response()
    })
    .await;
    let e = sink(&url, SinkOptions::default())
        .deliver(&update(1))
        .await
        .unwrap_err();
    assert!(e.is_retryable());
    assert_eq!(e.retry_after(), Some(Duration::from_secs(7)));

    let (url, _) = server(|| {
        (
            StatusCode::SERVICE_UNAVAILABLE,
            [("retry-after", "Thu, 15 Jan 2026 10:02:00 GMT")],
        )
            .into_response()
    })
    .await;
    let clock = Arc::new(ManualClock::new(
        Utc.with_ymd_and_hms(2026, 1, 15, 10, 0, 0).unwrap(),
    ));
    let e = sink(&url, SinkOptions::default().clock(clock))
        .deliver(&update(1))
        .await
        .unwrap_err();
    assert_eq!(e.retry_after(), Some(Duration::from_secs(120)));

    let (url, _) = server(|| StatusCode::REQUEST_TIMEOUT.into_response()).await;
    assert!(sink(&url, SinkOptions::default())
        .deliver(&update(1))
        .await
        .unwrap_err()
        .is_retryable());
}

#[tokio::test]
async fn other_client_errors_and_redirects_are_permanent() {
    let (url, _) =
        server(|| (StatusCode::BAD_REQUEST, "sequence must be a number").into_response()).await;
    let e = sink(&url, SinkOptions::default())
        .deliver(&update(1))
        .await
        .unwrap_err();
    assert!(!e.is_retryable());
    assert_eq!(e.status(), Some(400));
    assert!(e.to_string().contains("sequence must be a number"), "{e}");

    let (url, seen) = server(|| {
        (
            StatusCode::FOUND,
            [("location", "http://127.0.0.1:9/elsewhere")],
        )
            .into_response()
    })
    .await;
    let e = sink(&url, SinkOptions::default())
        .deliver(&update(1))
        .await
        .unwrap_err();
    assert!(!e.is_retryable());
    assert_eq!(e.status(), Some(302));
    assert_eq!(
        seen.lock().unwrap().len(),
        1,
        "the redirect was not followed"
    );
}

#[tokio::test]
async fn a_portal_that_never_answers_times_out_retryably() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    // Accept connections and read nothing, answer nothing.
    let hold = tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((sock, _)) = listener.accept().await {
            held.push(sock);
        }
    });
    let s = sink(
        &format!("http://{addr}/invoice-events"),
        SinkOptions::default().request_timeout(Duration::from_millis(300)),
    );
    let e = s.deliver(&update(1)).await.unwrap_err();
    assert!(e.is_retryable());
    assert_eq!(e.status(), None);
    assert!(e.to_string().contains("timed out"), "{e}");
    hold.abort();
}

#[tokio::test]
async fn refused_connections_are_retryable_and_errors_hide_secrets_and_urls() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    let url = format!("http://alice:pa55word@{addr}/invoice-events?token=t0ken");
    let e = sink(&url, SinkOptions::default())
        .deliver(&update(1))
        .await
        .unwrap_err();
    assert!(e.is_retryable());
    let text = format!("{e} {e:?}");
    for leak in ["pa55word", "t0ken", "MfKQ9r8"] {
        assert!(!text.contains(leak), "{leak} leaked: {text}");
    }
}
