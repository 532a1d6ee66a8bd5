//! portal-client against demo-portal on loopback: signatures verified, replays applied
//! once, stale sequences dropped, and every failure mode classified for the outbox.

#![allow(clippy::unwrap_used)] // tests may unwrap

mod common;

use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use axum::http::StatusCode;
use axum::response::IntoResponse;
use chrono::{TimeZone, Utc};
use common::{flaky, get, sink, start, Inv, SECRET};
use invoice_core::{EventKind, ManualClock, PortalSink, Secret};
use portal_client::{HttpPortalSink, Signer, SinkOptions};

fn db() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("portal.db");
    (dir, path)
}

/// `data-status` of the invoice row on the customer page.
fn row_status(html: &str, invoice_id: &str) -> Option<String> {
    let marker = format!("data-invoice=\"{invoice_id}\" data-status=\"");
    let start = html.find(&marker)? + marker.len();
    let end = html[start..].find('"')? + start;
    Some(html[start..end].to_owned())
}

#[tokio::test]
async fn signed_updates_are_verified_applied_and_shown() {
    let (_d, path) = db();
    let portal = start(&path).await;
    let s = sink(&portal.events_url());
    let inv = Inv::new(1001, "cus_ACME", "ACME Anodizing GmbH");
    let r = s
        .deliver(&inv.update(1, EventKind::Issued, "open", "1250.00"))
        .await
        .unwrap();
    assert_eq!(r.status, 200);
    assert!(!r.duplicate);

    let (code, home) = get(&portal.base_url()).await;
    assert_eq!(code, 200);
    assert!(home.contains("ACME Anodizing GmbH"));
    assert!(home.contains("EUR 1,250.00"));
    let (code, page) = get(&format!("{}/customers/cus_ACME", portal.base_url())).await;
    assert_eq!(code, 200);
    assert_eq!(row_status(&page, &inv.id).as_deref(), Some("open"));
    assert!(page.contains("INV-1001"));
    portal.shutdown().await.unwrap();
}

#[tokio::test]
async fn a_wrong_secret_is_refused_and_nothing_is_applied() {
    let (_d, path) = db();
    let portal = start(&path).await;
    let wrong = HttpPortalSink::new(
        &portal.events_url(),
        &[Secret::new("whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD")],
        SinkOptions::default(),
    )
    .unwrap();
    let inv = Inv::new(7, "cus_X", "X");
    let e = wrong
        .deliver(&inv.update(1, EventKind::Issued, "open", "1250.00"))
        .await
        .unwrap_err();
    assert_eq!(e.status(), Some(401));
    assert!(!e.is_retryable());
    let (code, _) = get(&format!("{}/customers/cus_X", portal.base_url())).await;
    assert_eq!(code, 404);
    portal.shutdown().await.unwrap();
}

#[tokio::test]
async fn a_stale_timestamp_is_refused() {
    let (_d, path) = db();
    let portal = start(&path).await;
    // A sender whose clock is an hour behind: outside the 5-minute tolerance.
    let clock = Arc::new(ManualClock::new(Utc::now() - chrono::Duration::hours(1)));
    let s = HttpPortalSink::new(
        &portal.events_url(),
        &[Secret::new(SECRET)],
        SinkOptions::default().clock(clock),
    )
    .unwrap();
    let inv = Inv::new(8, "cus_Y", "Y");
    let e = s
        .deliver(&inv.update(1, EventKind::Issued, "open", "1250.00"))
        .await
        .unwrap_err();
    assert_eq!(e.status(), Some(401));
    portal.shutdown().await.unwrap();
}

#[tokio::test]
async fn a_replayed_id_is_applied_once() {
    let (_d, path) = db();
    let portal = start(&path).await;
    let s = sink(&portal.events_url());
    let inv = Inv::new(2001, "cus_B", "Beta Plating");
    let u = inv.update(1, EventKind::Issued, "open", "1250.00");
    assert!(!s.deliver(&u).await.unwrap().duplicate);
    let again = s.deliver(&u).await.unwrap();
    assert!(again.duplicate);
    assert_eq!(again.status, 409);
    let (_, page) = get(&format!(
        "{}/invoices/{}",
        portal.base_url(),
        inv.id.replace(':', "%3A")
    ))
    .await;
    assert_eq!(page.matches("data-sequence=").count(), 1, "{page}");
    portal.shutdown().await.unwrap();
}

#[tokio::test]
async fn an_older_sequence_is_dropped_but_kept_in_the_timeline() {
    let (_d, path) = db();
    let portal = start(&path).await;
    let s = sink(&portal.events_url());
    let inv = Inv::new(3001, "cus_C", "Gamma Coatings");
    s.deliver(&inv.update(2, EventKind::Paid, "paid", "0"))
        .await
        .unwrap();
    // The older "issued" arrives late: accepted (200) but it must not reopen the invoice.
    let late = s
        .deliver(&inv.update(1, EventKind::Issued, "open", "1250.00"))
        .await
        .unwrap();
    assert_eq!(late.status, 200);
    let (_, page) = get(&format!("{}/customers/cus_C", portal.base_url())).await;
    assert_eq!(row_status(&page, &inv.id).as_deref(), Some("paid"));
    let (_, tl) = get(&format!(
        "{}/invoices/{}",
        portal.base_url(),
        inv.id.replace(':', "%3A")
    ))
    .await;
    assert_eq!(tl.matches("data-sequence=").count(), 2);
    assert!(tl.contains("class=\"stale\" data-sequence=\"1\""), "{tl}");
    portal.shutdown().await.unwrap();
}

#[tokio::test]
async fn a_flaky_portal_503_is_retryable_and_the_retry_lands() {
    let (_d, path) = db();
    let (base, script) = flaky(&path, 1, || StatusCode::SERVICE_UNAVAILABLE.into_response()).await;
    let s = sink(&format!("{base}/invoice-events"));
    let inv = Inv::new(4001, "cus_D", "Delta");
    let u = inv.update(1, EventKind::Issued, "open", "1250.00");
    let e = s.deliver(&u).await.unwrap_err();
    assert!(e.is_retryable());
    assert_eq!(e.status(), Some(503));
    assert_eq!(script.passed.load(Ordering::SeqCst), 0);
    // The outbox retries with the same id: it is applied.
    assert!(!s.deliver(&u).await.unwrap().duplicate);
    let (_, page) = get(&format!("{base}/customers/cus_D")).await;
    assert_eq!(row_status(&page, &inv.id).as_deref(), Some("open"));
}

#[tokio::test]
async fn rate_limits_carry_retry_after() {
    let (_d, path) = db();
    let (base, _) = flaky(&path, 1, || {
        (StatusCode::TOO_MANY_REQUESTS, [("retry-after", "30")]).into_response()
    })
    .await;
    let s = sink(&format!("{base}/invoice-events"));
    let u = Inv::new(5001, "cus_E", "E").update(1, EventKind::Issued, "open", "1250.00");
    let e = s.deliver(&u).await.unwrap_err();
    assert!(e.is_retryable());
    assert_eq!(e.retry_after(), Some(Duration::from_secs(30)));
}

#[tokio::test]
async fn a_bad_request_is_permanent() {
    let (_d, path) = db();
    let (base, _) = flaky(&path, 1, || {
        (StatusCode::BAD_REQUEST, "unknown customer").into_response()
    })
    .await;
    let s = sink(&format!("{base}/invoice-events"));
    let u = Inv::new(6001, "cus_F", "F").update(1, EventKind::Issued, "open", "1250.00");
    let e = s.deliver(&u).await.unwrap_err();
    assert!(!e.is_retryable());
    assert_eq!(e.status(), Some(400));
    assert!(e.to_string().contains("unknown customer"));
}

#[tokio::test]
async fn a_slow_portal_times_out_retryably() {
    let (_d, path) = db();
    // The portal behind a wrapper that never answers.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let app =
        demo_portal::router(&common::config(&path))
            .unwrap()
            .layer(axum::middleware::from_fn(
                |_req: axum::extract::Request, _next: axum::middleware::Next| async {
                    std::future::pending::<axum::response::Response>().await
                },
            ));
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    let s = HttpPortalSink::new(
        &format!("http://{addr}/invoice-events"),
        &[Secret::new(SECRET)],
        SinkOptions::default().request_timeout(Duration::from_millis(400)),
    )
    .unwrap();
    let u = Inv::new(6101, "cus_G", "G").update(1, EventKind::Issued, "open", "1250.00");
    let e = s.deliver(&u).await.unwrap_err();
    assert!(e.is_retryable());
    assert_eq!(e.status(), None);
    assert!(e.to_string().contains("timed out"), "{e}");
}

#[tokio::test]
async fn batches_are_applied_in_order() {
    let (_d, path) = db();
    let portal = start(&path).await;
    let s = sink(&portal.events_url());
    let inv = Inv::new(7001, "cus_H", "Eta Finishing");
    let batch = [
        inv.update(1, EventKind::Issued, "open", "1250.00"),
        inv.update(2, EventKind::PaymentReceived, "partially_paid", "250.00"),
        inv.update(3, EventKind::Overdue, "overdue", "250.00"),
    ];
    let r = s.deliver_batch(&batch).await.unwrap();
    assert_eq!(r.status, 200);
    let (_, page) = get(&format!("{}/customers/cus_H", portal.base_url())).await;
    assert_eq!(row_status(&page, &inv.id).as_deref(), Some("overdue"));
    assert!(page.contains("Overdue · 12 days"));
    // The whole batch again: every member is a duplicate.
    assert!(s.deliver_batch(&batch).await.unwrap().duplicate);
    portal.shutdown().await.unwrap();
}

#[tokio::test]
async fn malformed_or_mislabelled_bodies_are_rejected() {
    let (_d, path) = db();
    let portal = start(&path).await;
    let signer = Signer::new(&[Secret::new(SECRET)], &[]).unwrap();
    let client = reqwest::Client::new();
    let post = |ct: &'static str, id: &'static str, body: &'static [u8]| {
        let ts = Utc::now().timestamp();
        client
            .post(portal.events_url())
            .header("content-type", ct)
            .header("webhook-id", id)
            .header("webhook-timestamp", ts.to_string())
            .header("webhook-signature", signer.sign(id, ts, body))
            .body(body)
            .send()
    };
    let r = post("application/cloudevents+json", "msg_1", b"{not json")
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    let r = post("application/json", "msg_2", b"{}").await.unwrap();
    assert_eq!(r.status(), 415);
    let r = post("application/cloudevents-batch+json", "msg_3", b"[]")
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    // A valid event whose webhook-id is not its CloudEvent id.
    let u = Inv::new(1, "cus_Z", "Z").update(1, EventKind::Issued, "open", "1250.00");
    let body: &'static [u8] = Box::leak(
        portal_client::CloudEvent::from_update(&u)
            .to_json()
            .into_boxed_slice(),
    );
    let r = post("application/cloudevents+json", "msg_other", body)
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    portal.shutdown().await.unwrap();
}

#[tokio::test]
async fn ed25519_only_portals_accept_v1a() {
    let (_d, path) = db();
    let seed = Secret::new(format!("whsk_{}", base64_seed()));
    let signer = Signer::new(&[], std::slice::from_ref(&seed)).unwrap();
    let mut config = demo_portal::DemoPortalConfig::new(&path, vec![]);
    config.public_keys = signer.public_keys();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let portal = demo_portal::spawn(listener, config).unwrap();
    // The sink still needs a whsec_ for v1; the portal ignores it and checks v1a.
    let s = HttpPortalSink::new(
        &portal.events_url(),
        &[Secret::new(SECRET)],
        SinkOptions::default().ed25519_signing_keys(vec![seed]),
    )
    .unwrap();
    let u = Inv::new(9, "cus_K", "K").update(1, EventKind::Issued, "open", "1250.00");
    assert_eq!(s.deliver(&u).await.unwrap().status, 200);
    portal.shutdown().await.unwrap();
}

fn base64_seed() -> String {
    // 32 bytes of 0x2a, base64.
    "KioqKioqKioqKioqKioqKioqKioqKioqKioqKioqKio=".to_owned()
}

#[tokio::test]
async fn updates_survive_a_restart_and_replays_stay_duplicates() {
    let (_d, path) = db();
    let inv = Inv::new(8001, "cus_P", "Persistent");
    let u = inv.update(1, EventKind::Issued, "open", "1250.00");
    let portal = start(&path).await;
    sink(&portal.events_url()).deliver(&u).await.unwrap();
    portal.shutdown().await.unwrap();
    let portal = start(&path).await;
    assert!(
        sink(&portal.events_url())
            .deliver(&u)
            .await
            .unwrap()
            .duplicate
    );
    let (_, page) = get(&format!("{}/customers/cus_P", portal.base_url())).await;
    assert_eq!(row_status(&page, &inv.id).as_deref(), Some("open"));
    portal.shutdown().await.unwrap();
}

#[tokio::test]
async fn live_stream_announces_applied_updates() {
    let (_d, path) = db();
    let portal = start(&path).await;
    let resp = reqwest::get(format!("{}/live", portal.base_url()))
        .await
        .unwrap();
    assert_eq!(resp.headers()["content-type"], "text/event-stream");
    let mut resp = resp;
    let inv = Inv::new(9001, "cus_L", "Live Ltd");
    sink(&portal.events_url())
        .deliver(&inv.update(1, EventKind::Issued, "open", "1250.00"))
        .await
        .unwrap();
    let mut text = String::new();
    while !text.contains("\n\n") {
        let chunk = tokio::time::timeout(Duration::from_secs(10), resp.chunk())
            .await
            .expect("an event within 10 s")
            .unwrap()
            .expect("stream open");
        text.push_str(&String::from_utf8_lossy(&chunk));
    }
    assert!(text.contains("event: change"), "{text}");
    assert!(text.contains("\"customer\":\"cus_L\""), "{text}");
    drop(resp);
    portal.shutdown().await.unwrap();
}

#[tokio::test]
async fn clock_is_injected_for_verification() {
    // A portal on a simulated clock accepts a sender on the same clock.
    let (_d, path) = db();
    let at = Utc.with_ymd_and_hms(2026, 1, 15, 0, 0, 0).unwrap();
    let mut config = common::config(&path);
    config.clock = Arc::new(ManualClock::new(at));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let portal = demo_portal::spawn(listener, config).unwrap();
    let s = HttpPortalSink::new(
        &portal.events_url(),
        &[Secret::new(SECRET)],
        SinkOptions::default().clock(Arc::new(ManualClock::new(at))),
    )
    .unwrap();
    let u = Inv::new(10, "cus_M", "M").update(1, EventKind::Issued, "open", "1250.00");
    assert_eq!(s.deliver(&u).await.unwrap().status, 200);
    portal.shutdown().await.unwrap();
}

#[tokio::test]
async fn a_body_over_the_limit_is_refused_permanently() {
    let (_d, path) = db();
    let mut config = common::config(&path);
    config.max_body_bytes = 256;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let portal = demo_portal::spawn(listener, config).unwrap();
    let u = Inv::new(11, "cus_N", "N").update(1, EventKind::Issued, "open", "1250.00");
    let e = sink(&portal.events_url()).deliver(&u).await.unwrap_err();
    assert_eq!(e.status(), Some(413));
    assert!(!e.is_retryable());
    portal.shutdown().await.unwrap();
}

#[tokio::test]
async fn unknown_pages_are_404_and_ids_with_reserved_characters_work() {
    let (_d, path) = db();
    let portal = start(&path).await;
    let (code, _) = get(&format!("{}/nope", portal.base_url())).await;
    assert_eq!(code, 404);
    let (code, _) = get(&format!("{}/invoices/unknown", portal.base_url())).await;
    assert_eq!(code, 404);
    let mut inv = Inv::new(12, "acct/with space?&", "Odd <Name> & Co");
    inv.id = "google-sheets:sheet/1:row 7".into();
    sink(&portal.events_url())
        .deliver(&inv.update(1, EventKind::Issued, "open", "1250.00"))
        .await
        .unwrap();
    let (_, home) = get(&portal.base_url()).await;
    assert!(
        home.contains("Odd &lt;Name&gt; &amp; Co"),
        "names are escaped"
    );
    assert!(home.contains("/customers/acct%2Fwith%20space%3F%26"));
    let (code, page) = get(&format!(
        "{}/customers/acct%2Fwith%20space%3F%26",
        portal.base_url()
    ))
    .await;
    assert_eq!(code, 200);
    assert!(page.contains("/invoices/google-sheets%3Asheet%2F1%3Arow%207"));
    let (code, _) = get(&format!(
        "{}/invoices/google-sheets%3Asheet%2F1%3Arow%207",
        portal.base_url()
    ))
    .await;
    assert_eq!(code, 200);
    portal.shutdown().await.unwrap();
}

#[tokio::test]
async fn shutdown_ends_open_live_streams() {
    let (_d, path) = db();
    let portal = start(&path).await;
    let mut resp = reqwest::get(format!("{}/live", portal.base_url()))
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    // A page is still listening; shutting down must not wait for it to close.
    tokio::time::timeout(Duration::from_secs(20), portal.shutdown())
        .await
        .expect("shutdown finishes with a live page open")
        .unwrap();
    // The stream ends (no more chunks, or an error), rather than hanging.
    let end = tokio::time::timeout(Duration::from_secs(20), async {
        loop {
            match resp.chunk().await {
                Ok(Some(_)) => continue,
                other => return other.map(|_| ()),
            }
        }
    })
    .await;
    assert!(end.is_ok(), "the live stream ended");
}
