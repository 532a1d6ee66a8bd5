//! Hostile requests through `Relay::ingest` with the real connectors: each is refused
//! with the right status and leaves nothing in the journal, and none panics.
//!
//! Stripe (JSON, HMAC with timestamp): bodies over the limit, deep and huge JSON, invalid
//! UTF-8 and a UTF-16 body, truncated bodies, duplicate signature headers, signatures of
//! the wrong length, timestamps far in the past or future. Sage Intacct (XML, URL token):
//! entity bombs, external entities, DOCTYPE, deep nesting, an unknown tenant. Xero (thin,
//! enriched): `resourceUrl`s pointing anywhere but the configured API base are never
//! fetched.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use bytes::Bytes;
use chrono::{DateTime, TimeZone, Utc};
use http::{HeaderValue, StatusCode};
use invoice_connectors::{sage_intacct, stripe, xero};
use invoice_core::journal::{AuditFilter, Journal, MemoryJournal};
use invoice_core::{
    InvoiceSource, ManualClock, Platform, Relay, Route, Secret, TenantId, WebhookRequest,
};

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 9, 14, 2, 31)
        .single()
        .expect("valid instant")
}

fn relay(source: Arc<dyn InvoiceSource>, limit: usize) -> (Relay, Arc<MemoryJournal>) {
    let journal = Arc::new(MemoryJournal::new());
    let relay = Relay::builder(journal.clone())
        .source(source)
        .clock(Arc::new(ManualClock::new(now())))
        .max_body_bytes(limit)
        .build();
    (relay, journal)
}

/// Nothing was stored: no audit entry, no outbox row.
async fn assert_nothing_stored(journal: &MemoryJournal, what: &str) {
    let audit = journal.audit(&AuditFilter::default()).await.expect("audit");
    assert!(
        audit.is_empty(),
        "{what}: audit has {} entries",
        audit.len()
    );
    let c = journal.outbox_counts().await.expect("counts");
    assert_eq!(
        c.pending + c.delivered + c.dead_letter,
        0,
        "{what}: outbox rows"
    );
}

async fn status_of(
    relay: &Relay,
    platform: Platform,
    request: &WebhookRequest,
    route: Route,
) -> u16 {
    match relay.ingest(platform, request, route).await {
        Ok(o) => o.reply.status.as_u16(),
        Err(e) => e.status().as_u16(),
    }
}

// ---------------------------------------------------------------- Stripe (JSON)

fn stripe_relay(limit: usize) -> (Relay, Arc<MemoryJournal>) {
    relay(
        stripe::testing::Harness::source(vec![Secret::new(stripe::testing::FIXTURE_SECRET)]),
        limit,
    )
}

fn stripe_request(body: impl Into<Bytes>) -> WebhookRequest {
    let mut r = WebhookRequest::new(body.into());
    *r.method_mut() = http::Method::POST;
    r.headers_mut()
        .insert("content-type", HeaderValue::from_static("application/json"));
    r
}

fn signed(body: impl Into<Bytes>, at: DateTime<Utc>) -> WebhookRequest {
    let mut r = stripe_request(body);
    stripe::testing::sign(&mut r, &Secret::new(stripe::testing::FIXTURE_SECRET), at);
    r
}

fn good_event(id: &str) -> String {
    invoice_relay_integration::stripe::invoice_event(
        &invoice_relay_integration::stripe::InvoiceEventSpec {
            event_id: id,
            event_type: "invoice.finalized",
            invoice_id: "in_badinput1",
            total_cents: 425_000,
            paid_cents: 0,
            status: "open",
            created: now().timestamp() - 5,
        },
    )
}

fn with_signature(body: &str, header: &str) -> WebhookRequest {
    let mut r = stripe_request(body.to_owned());
    r.headers_mut().insert(
        "stripe-signature",
        HeaderValue::from_str(header).expect("header value"),
    );
    r
}

fn v1(t: i64, body: &str) -> String {
    let mac = invoice_core::verify::hmac_sha256(
        stripe::testing::FIXTURE_SECRET.as_bytes(),
        &[format!("{t}.").as_bytes(), body.as_bytes()],
    );
    hex::encode(mac)
}

#[tokio::test]
async fn a_signed_good_event_is_applied_so_the_refusals_below_mean_something() {
    let (relay, journal) = stripe_relay(1 << 20);
    let r = signed(good_event("evt_good"), now());
    assert_eq!(
        status_of(&relay, Platform::Stripe, &r, Route::default()).await,
        200
    );
    assert_eq!(journal.outbox_counts().await.expect("counts").pending, 1);
}

#[tokio::test]
async fn body_over_the_limit_is_413_and_nothing_is_parsed() {
    let (relay, journal) = stripe_relay(4096);
    let mut body = good_event("evt_big");
    body.push_str(&" ".repeat(4097 - body.len()));
    let r = signed(body, now());
    assert_eq!(
        status_of(&relay, Platform::Stripe, &r, Route::default()).await,
        413
    );
    assert_nothing_stored(&journal, "over the limit").await;
}

#[tokio::test]
async fn deep_json_is_400_without_a_stack_overflow() {
    let (relay, journal) = stripe_relay(1 << 20);
    let cases = [
        "[".repeat(200_000),
        format!("{}{}", "{\"a\":".repeat(100_000), "1"),
        // A valid envelope whose object nests deeply.
        good_event("evt_deep").replace(
            "\"metadata\":{}",
            &format!("\"metadata\":{}", "[".repeat(50_000)),
        ),
    ];
    for body in cases {
        let r = signed(body, now());
        assert_eq!(
            status_of(&relay, Platform::Stripe, &r, Route::default()).await,
            400
        );
    }
    assert_nothing_stored(&journal, "deep json").await;
}

#[tokio::test]
async fn huge_json_within_the_limit_is_handled() {
    let (relay, journal) = stripe_relay(1 << 20);
    // 900 kB of metadata: accepted, and the event applied once.
    let big = "x".repeat(900_000);
    let body = good_event("evt_huge").replace(
        "\"metadata\":{}",
        &format!("\"metadata\":{{\"note\":\"{big}\"}}"),
    );
    let r = signed(body.clone(), now());
    assert_eq!(
        status_of(&relay, Platform::Stripe, &r, Route::default()).await,
        200
    );
    // 60,000 tiny keys (just under the 1 MiB limit).
    let keys: Vec<String> = (0..60_000).map(|i| format!("\"k{i}\":1")).collect();
    let body = good_event("evt_wide").replace(
        "\"metadata\":{}",
        &format!("\"metadata\":{{{}}}", keys.join(",")),
    );
    let r = signed(body, now());
    let status = status_of(&relay, Platform::Stripe, &r, Route::default()).await;
    assert!(status == 200 || status == 400, "wide metadata: {status}");
    assert!(journal.verify_chain().await.is_ok());
}

#[tokio::test]
async fn invalid_utf8_and_wrong_charsets_are_400() {
    let (relay, journal) = stripe_relay(1 << 20);
    let mut invalid = good_event("evt_utf8").into_bytes();
    let at = invalid.len() / 2;
    invalid.splice(at..at, [0xff, 0xfe, 0xc3, 0x28]);
    let utf16: Vec<u8> = good_event("evt_utf16")
        .encode_utf16()
        .flat_map(u16::to_le_bytes)
        .collect();
    let latin1: Vec<u8> = good_event("evt_latin1")
        .replace("Hartmann", "Hartmann M\u{fc}ller")
        .chars()
        .map(|c| c as u32 as u8)
        .collect();
    for (name, body, content_type) in [
        ("invalid utf-8", invalid, "application/json"),
        ("utf-16", utf16, "application/json; charset=utf-16"),
        (
            "latin-1 labelled utf-8",
            latin1,
            "application/json; charset=utf-8",
        ),
    ] {
        let mut r = signed(body, now());
        r.headers_mut()
            .insert("content-type", HeaderValue::from_static(content_type));
        assert_eq!(
            status_of(&relay, Platform::Stripe, &r, Route::default()).await,
            400,
            "{name}"
        );
    }
    assert_nothing_stored(&journal, "charsets").await;
}

#[tokio::test]
async fn truncated_bodies_are_refused() {
    let (relay, journal) = stripe_relay(1 << 20);
    let body = good_event("evt_trunc");
    for cut in [0, 1, body.len() / 3, body.len() / 2, body.len() - 1] {
        // Signed whole, arrived cut: the signature no longer matches.
        let whole = signed(body.clone(), now());
        let mut cut_req = stripe_request(body[..cut].to_owned());
        let sig = whole
            .headers()
            .get("stripe-signature")
            .expect("signed")
            .clone();
        cut_req.headers_mut().insert("stripe-signature", sig);
        assert_eq!(
            status_of(&relay, Platform::Stripe, &cut_req, Route::default()).await,
            401,
            "cut at {cut}, signed whole"
        );
        // Cut, then signed (a broken sender): the parser refuses it.
        let r = signed(body[..cut].to_owned(), now());
        assert_eq!(
            status_of(&relay, Platform::Stripe, &r, Route::default()).await,
            400,
            "cut at {cut}, signed cut"
        );
    }
    assert_nothing_stored(&journal, "truncated").await;
}

#[tokio::test]
async fn duplicate_signature_headers_never_let_a_forgery_through() {
    let (relay, journal) = stripe_relay(1 << 20);
    let body = good_event("evt_dup_headers");
    let t = now().timestamp();
    let forged = format!("t={t},v1={}", "0".repeat(64));
    let other = format!("t={t},v1={}", "f".repeat(64));
    let mut r = with_signature(&body, &forged);
    r.headers_mut().append(
        "stripe-signature",
        HeaderValue::from_str(&other).expect("header"),
    );
    assert_eq!(
        status_of(&relay, Platform::Stripe, &r, Route::default()).await,
        401
    );
    assert_nothing_stored(&journal, "two forged headers").await;

    // One genuine and one forged header, in either order: at most one application.
    let genuine = format!("t={t},v1={}", v1(t, &body));
    for (a, b) in [(&genuine, &forged), (&forged, &genuine)] {
        let mut r = with_signature(&body, a);
        r.headers_mut().append(
            "stripe-signature",
            HeaderValue::from_str(b).expect("header"),
        );
        let s = status_of(&relay, Platform::Stripe, &r, Route::default()).await;
        assert!(s == 200 || s == 401, "mixed headers: {s}");
    }
    let c = journal.outbox_counts().await.expect("counts");
    assert!(c.pending <= 1, "applied twice: {c:?}");
}

#[tokio::test]
async fn signatures_of_the_wrong_length_are_401() {
    let (relay, journal) = stripe_relay(1 << 20);
    let body = good_event("evt_siglen");
    let t = now().timestamp();
    let good = v1(t, &body);
    let cases = [
        String::new(),
        "ab".into(),
        good[..63].to_owned(),
        good[..62].to_owned(),
        format!("{good}0"),
        format!("{good}00"),
        good.repeat(2),
        "0".repeat(10_000),
        "zz".repeat(32),
        good.to_uppercase()
            .replace(|c: char| c.is_ascii_digit(), "G"),
    ];
    for sig in cases {
        let r = with_signature(&body, &format!("t={t},v1={sig}"));
        assert_eq!(
            status_of(&relay, Platform::Stripe, &r, Route::default()).await,
            401,
            "signature of length {}",
            sig.len()
        );
    }
    for header in ["", "t=", "v1=", ",,,,", "t=1,v1", &format!("v1={good}")] {
        let r = with_signature(&body, header);
        assert_eq!(
            status_of(&relay, Platform::Stripe, &r, Route::default()).await,
            401,
            "header {header:?}"
        );
    }
    assert_nothing_stored(&journal, "signature lengths").await;
}

#[tokio::test]
async fn timestamps_far_in_the_past_are_401_even_when_correctly_signed() {
    let (relay, journal) = stripe_relay(1 << 20);
    let body = good_event("evt_skew");
    let t = now().timestamp();
    for ts in [t - 301, t - 10 * 365 * 86_400, 0, -1, i64::MIN] {
        let r = with_signature(&body, &format!("t={ts},v1={}", v1(ts, &body)));
        assert_eq!(
            status_of(&relay, Platform::Stripe, &r, Route::default()).await,
            401,
            "timestamp {ts}"
        );
    }
    for ts in [
        "99999999999999999999999",
        "-99999999999999999999999",
        "1e9",
        "",
    ] {
        let r = with_signature(&body, &format!("t={ts},v1={}", v1(0, &body)));
        assert_eq!(
            status_of(&relay, Platform::Stripe, &r, Route::default()).await,
            401,
            "t={ts}"
        );
    }
    assert_nothing_stored(&journal, "clock skew").await;
    // Inside the window it is accepted (the refusals were about time, not the body).
    let r = with_signature(&body, &format!("t={},v1={}", t - 299, v1(t - 299, &body)));
    assert_eq!(
        status_of(&relay, Platform::Stripe, &r, Route::default()).await,
        200
    );
}

/// Stripe's SDKs accept timestamps ahead of the receiver's clock, and so does the
/// connector (documented in its `verify.rs`). What keeps a future-dated request from
/// being replayed into a second application is the dedup on the event id.
#[tokio::test]
async fn future_stripe_timestamps_are_accepted_as_stripe_does_and_a_replay_applies_once() {
    let (relay, journal) = stripe_relay(1 << 20);
    let body = good_event("evt_future");
    for ts in [
        now().timestamp() + 301,
        now().timestamp() + 365 * 86_400,
        i64::MAX,
    ] {
        let r = with_signature(&body, &format!("t={ts},v1={}", v1(ts, &body)));
        assert_eq!(
            status_of(&relay, Platform::Stripe, &r, Route::default()).await,
            200,
            "t={ts}"
        );
    }
    let c = journal.outbox_counts().await.expect("counts");
    assert_eq!(
        c.pending, 1,
        "a replayed future-dated event applied more than once"
    );
}

/// The portal side (what `portal-client` signs and portals verify) refuses both ways.
#[test]
fn portal_verification_refuses_timestamps_far_in_the_past_or_future() {
    let secret = Secret::new(invoice_relay_integration::portal::PORTAL_SECRET);
    let verifier =
        portal_client::verify::Verifier::new(std::slice::from_ref(&secret)).expect("verifier");
    let body = br#"{"id":"upd_1"}"#;
    let sign = |ts: i64| {
        let key = portal_client_key(&secret);
        let mac =
            invoice_core::verify::hmac_sha256(&key, &[format!("upd_1.{ts}.").as_bytes(), body]);
        use base64::Engine;
        format!(
            "v1,{}",
            base64::engine::general_purpose::STANDARD.encode(mac)
        )
    };
    let t = now().timestamp();
    assert!(verifier
        .verify_parts("upd_1", &t.to_string(), &sign(t), body, now())
        .is_ok());
    for ts in [t - 3600, t + 3600, 0, i64::MAX, i64::MIN] {
        assert!(
            verifier
                .verify_parts("upd_1", &ts.to_string(), &sign(ts), body, now())
                .is_err(),
            "timestamp {ts} accepted"
        );
    }
}

/// The HMAC key of a `whsec_<base64>` secret (Standard Webhooks).
fn portal_client_key(secret: &Secret) -> Vec<u8> {
    use base64::Engine;
    let text = std::str::from_utf8(secret.expose()).expect("ascii");
    base64::engine::general_purpose::STANDARD
        .decode(text.trim_start_matches("whsec_"))
        .expect("base64")
}

#[tokio::test]
async fn a_platform_without_a_source_is_404() {
    let (relay, journal) = stripe_relay(1 << 20);
    let r = signed(good_event("evt_elsewhere"), now());
    assert_eq!(
        status_of(&relay, Platform::Xero, &r, Route::default()).await,
        404
    );
    assert_nothing_stored(&journal, "no source").await;
}

// ---------------------------------------------------------------- Sage Intacct (XML)

fn intacct_relay() -> (Relay, Arc<MemoryJournal>) {
    relay(
        sage_intacct::testing::Harness::source(vec![Secret::new(
            sage_intacct::testing::FIXTURE_SECRET,
        )]),
        1 << 20,
    )
}

fn intacct_request(tenant: &str, body: &str) -> (WebhookRequest, Route) {
    let mut r = WebhookRequest::new(Bytes::from(body.to_owned()));
    *r.method_mut() = http::Method::POST;
    *r.uri_mut() = format!(
        "/webhooks/sage-intacct/{tenant}?token={}",
        sage_intacct::testing::FIXTURE_SECRET
    )
    .parse()
    .expect("uri");
    r.headers_mut()
        .insert("content-type", HeaderValue::from_static("text/xml"));
    let route = Route {
        tenant: Some(TenantId(tenant.to_owned())),
        ..Route::default()
    };
    (r, route)
}

const TENANT: &str = "brightline-anodizing";

fn smart_event(recordid: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<smartEvent xmlns="urn:invoice-relay:sage-intacct:smart-event:1">
  <object>ARINVOICE</object>
  <event>Add</event>
  <companyid>{TENANT}</companyid>
  <recordno>3091</recordno>
  <recordid>{recordid}</recordid>
  <state>Posted</state>
  <whenmodified>01/16/2026 09:12:40</whenmodified>
</smartEvent>"#
    )
}

#[tokio::test]
async fn a_plain_smart_event_is_accepted_so_the_refusals_below_mean_something() {
    let (relay, journal) = intacct_relay();
    let (r, route) = intacct_request(TENANT, &smart_event("INV-1047"));
    assert_eq!(
        status_of(&relay, Platform::SageIntacct, &r, route).await,
        200
    );
    assert!(!journal
        .audit(&AuditFilter::default())
        .await
        .expect("audit")
        .is_empty());
}

#[tokio::test]
async fn xml_entity_bombs_external_entities_and_doctype_are_refused() {
    let (relay, journal) = intacct_relay();
    let laughs = format!(
        "<?xml version=\"1.0\"?>\n<!DOCTYPE lolz [\n<!ENTITY lol \"lol\">\n{}]>\n{}",
        (1..10)
            .map(|i| format!(
                "<!ENTITY lol{i} \"{}\">\n",
                format!(
                    "&lol{};",
                    if i == 1 {
                        String::new()
                    } else {
                        (i - 1).to_string()
                    }
                )
                .repeat(10)
            ))
            .collect::<String>(),
        smart_event("&lol9;")
            .lines()
            .skip(1)
            .collect::<Vec<_>>()
            .join("\n")
    );
    let external =
        format!(
        "<?xml version=\"1.0\"?>\n<!DOCTYPE r [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]>\n{}",
        smart_event("&xxe;").lines().skip(1).collect::<Vec<_>>().join("\n")
    );
    let parameter = format!(
        "<?xml version=\"1.0\"?>\n<!DOCTYPE r [<!ENTITY % p SYSTEM \"http://127.0.0.1:9/x.dtd\"> %p;]>\n{}",
        smart_event("INV-1").lines().skip(1).collect::<Vec<_>>().join("\n")
    );
    let doctype_only = format!(
        "<?xml version=\"1.0\"?>\n<!DOCTYPE smartEvent>\n{}",
        smart_event("INV-2")
            .lines()
            .skip(1)
            .collect::<Vec<_>>()
            .join("\n")
    );
    let undeclared = smart_event("&undeclared;");
    for (name, body) in [
        ("billion laughs", laughs),
        ("external entity", external),
        ("parameter entity", parameter),
        ("doctype", doctype_only),
        ("undeclared entity", undeclared),
    ] {
        let (r, route) = intacct_request(TENANT, &body);
        let s = status_of(&relay, Platform::SageIntacct, &r, route).await;
        assert_eq!(s, 400, "{name}");
    }
    assert_nothing_stored(&journal, "xml entities").await;
}

#[tokio::test]
async fn deep_and_huge_xml_is_refused_without_a_crash() {
    let (relay, journal) = intacct_relay();
    let deep = format!(
        "<smartEvent>{}{}</smartEvent>",
        "<a>".repeat(100_000),
        "</a>".repeat(100_000)
    );
    let unclosed = format!("<smartEvent>{}", "<a>".repeat(200_000));
    let many_attrs = format!(
        "<smartEvent {}></smartEvent>",
        (0..50_000)
            .map(|i| format!("a{i}=\"1\""))
            .collect::<Vec<_>>()
            .join(" ")
    );
    for (name, body) in [
        ("deep", deep),
        ("unclosed", unclosed),
        ("attributes", many_attrs),
    ] {
        let (r, route) = intacct_request(TENANT, &body);
        let s = status_of(&relay, Platform::SageIntacct, &r, route).await;
        assert_eq!(s, 400, "{name}");
    }
    assert_nothing_stored(&journal, "deep xml").await;
}

#[tokio::test]
async fn an_unknown_tenant_is_403_and_nothing_is_stored() {
    let (relay, journal) = intacct_relay();
    let (r, route) = intacct_request(
        "evil-co",
        &smart_event("INV-1047").replace(TENANT, "evil-co"),
    );
    assert_eq!(
        status_of(&relay, Platform::SageIntacct, &r, route).await,
        403
    );
    // The right tenant in the route but another company in the body.
    let (r, route) = intacct_request(
        TENANT,
        &smart_event("INV-1047").replace(
            &format!("<companyid>{TENANT}</companyid>"),
            "<companyid>evil-co</companyid>",
        ),
    );
    let s = status_of(&relay, Platform::SageIntacct, &r, route).await;
    assert!(
        s == 403 || s == 400,
        "body company differs from the route: {s}"
    );
    assert_nothing_stored(&journal, "unknown tenant").await;
}

// ---------------------------------------------------------------- Xero (SSRF)

/// A loopback server that counts every request it gets.
async fn counting_server() -> (std::net::SocketAddr, Arc<AtomicUsize>) {
    let hits = Arc::new(AtomicUsize::new(0));
    let h = hits.clone();
    let app = axum::Router::new().fallback(move || {
        let h = h.clone();
        async move {
            h.fetch_add(1, Ordering::SeqCst);
            StatusCode::NOT_FOUND
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (addr, hits)
}

#[tokio::test]
async fn xero_resource_urls_pointing_elsewhere_are_never_fetched() {
    let (api, api_hits) = counting_server().await;
    let (elsewhere, elsewhere_hits) = counting_server().await;
    let mut cfg = xero::XeroConfig::with_secret(xero::testing::FIXTURE_SECRET);
    cfg.api_base = format!("http://{api}");
    cfg.token_url = format!("http://{api}/connect/token");
    cfg.access_token = Some(Secret::new("xero-access-token"));
    let journal = Arc::new(MemoryJournal::new());
    let relay = Relay::builder(journal.clone())
        .source(Arc::new(
            xero::XeroSource::new(cfg.clone()).expect("source"),
        ))
        .enricher(Arc::new(
            xero::XeroEnricher::from_config(&cfg).expect("enricher"),
        ))
        .clock(Arc::new(ManualClock::new(Utc::now())))
        .build();
    let id = "9b0f4a43-65a0-4b4e-9bc1-d1e5c5ec3d01";
    let path = format!("/api.xro/2.0/Invoices/{id}");
    let api_port = api.port();
    let urls = [
        format!("http://{elsewhere}{path}"),
        format!("http://127.0.0.1:{api_port}@{elsewhere}{path}"),
        format!("http://{api}@{elsewhere}{path}"),
        format!("http://127.0.0.1:{api_port}0{path}"),
        format!("http://127.0.0.1:{api_port}.{elsewhere}{path}"),
        format!("https://{api}{path}"),
        format!("http://{api}/../../{elsewhere}{path}"),
        format!("http://{api}\\@{elsewhere}{path}"),
        format!("//{elsewhere}{path}"),
        "file:///etc/passwd".to_owned(),
        format!("http://[::1]:{}{path}", elsewhere.port()),
        format!("http://localhost:{}{path}", elsewhere.port()),
    ];
    for (n, url) in urls.iter().enumerate() {
        let body = format!(
            r#"{{"events":[{{"resourceUrl":"{url}","resourceId":"{id}","eventDateUtc":"2026-03-09T14:02:1{n}.020","eventType":"UPDATE","eventCategory":"INVOICE","tenantId":"f8d2a4d7-3c1b-4d4e-9a55-6f2b0a1c9e11","tenantType":"ORGANISATION"}}],"firstEventSequence":{s},"lastEventSequence":{s},"entropy":"TESTENTROPYABCDEFGHI"}}"#,
            url = url.replace('\\', "\\\\"),
            n = n % 10,
            s = 6000 + n
        );
        let mut r = WebhookRequest::new(Bytes::from(body));
        *r.method_mut() = http::Method::POST;
        r.headers_mut().insert(
            "content-type",
            HeaderValue::from_static("application/json; charset=utf-8"),
        );
        xero::testing::sign(
            &mut r,
            &Secret::new(xero::testing::FIXTURE_SECRET),
            Utc::now(),
        );
        let s = status_of(&relay, Platform::Xero, &r, Route::default()).await;
        assert!(s == 200 || s == 400, "{url}: {s}");
    }
    let mut rejected = 0;
    for _ in 0..5 {
        let report = relay.enrich_once(50).await.expect("enrich");
        assert_eq!(report.resolved, 0, "a foreign resourceUrl was resolved");
        rejected += report.rejected;
    }
    assert_eq!(
        elsewhere_hits.load(Ordering::SeqCst),
        0,
        "a payload URL was fetched"
    );
    assert!(rejected > 0, "no reference reached the guard");
    assert!(journal
        .load(&invoice_core::InvoiceKey::new(
            Platform::Xero,
            "f8d2a4d7-3c1b-4d4e-9a55-6f2b0a1c9e11",
            id
        ))
        .await
        .expect("load")
        .is_none());
    // The guard does not block everything: a URL under the API base is fetched there.
    let body = format!(
        r#"{{"events":[{{"resourceUrl":"http://{api}{path}","resourceId":"{id}","eventDateUtc":"2026-03-09T14:03:00.000","eventType":"UPDATE","eventCategory":"INVOICE","tenantId":"f8d2a4d7-3c1b-4d4e-9a55-6f2b0a1c9e11","tenantType":"ORGANISATION"}}],"firstEventSequence":7000,"lastEventSequence":7000,"entropy":"TESTENTROPYABCDEFGHI"}}"#
    );
    let mut r = WebhookRequest::new(Bytes::from(body));
    *r.method_mut() = http::Method::POST;
    xero::testing::sign(
        &mut r,
        &Secret::new(xero::testing::FIXTURE_SECRET),
        Utc::now(),
    );
    assert_eq!(
        status_of(&relay, Platform::Xero, &r, Route::default()).await,
        200
    );
    let _ = relay.enrich_once(50).await.expect("enrich");
    assert!(
        api_hits.load(Ordering::SeqCst) >= 1,
        "the API base was never asked"
    );
    assert_eq!(elsewhere_hits.load(Ordering::SeqCst), 0);
    assert!(journal.verify_chain().await.is_ok());
}
