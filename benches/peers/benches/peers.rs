//! The Stripe ingest path's peers on the exact bytes of two Stripe fixtures, each beside
//! the floor of the same bytes (the Stripe floor of `benches/src/floor.rs`, copied in
//! `src/lib.rs`, so this run and the relay's `ingest` run share an anchor):
//!
//! - `stripe`: `03_invoice_paid_usd` (API version `2025-09-30.clover`, 4,793 bytes), the
//!   body `benches/benches/ingest.rs` measures as `ingest/stripe/relay`;
//! - `stripe-endive`: `18_invoice_paid_endive_usd` (API version `2026-09-30.endive`, the
//!   version async-stripe 1.0.0-rc.10 is generated from, 7,109 bytes), measured there as
//!   `ingest/stripe-endive/relay`.
//!
//! Per body:
//!
//! - `floor`: HMAC-SHA256 of the body + the minimal borrowed typed parse (the relay's floor);
//! - `peer_svix_verify`: svix's Standard Webhooks `Webhook::verify` alone (no parse);
//! - `peer_svix_verify_typed`: svix verify, then `serde_json::from_slice` into
//!   async-stripe's typed `stripe_webhook::Event` (its serde `Deserialize`, feature
//!   `deserialize`): what a svix user who wants the typed invoice runs;
//! - `peer_svix_verify_borrowed`: svix verify, then the floor's own minimal borrowed parse
//!   (the most generous svix path: no owned model at all);
//! - `peer_async_stripe_construct_event`: async-stripe's
//!   `Webhook::construct_event_with_timestamp` with the fixture's own `Stripe-Signature`
//!   header and its `now` (verify, `miniserde` parse, typed `Invoice`).
//!
//! The svix body is signed the Standard Webhooks way (`id.timestamp.body`) by svix itself
//! just before each of its benches (its `verify` checks the timestamp against the clock);
//! every path is checked once before it is measured, and once after for svix, so no
//! figure is an error path unless its name says so. On `stripe` (clover), async-stripe's
//! generated `InvoiceLineItem` requires `subtotal`, which Stripe added to line items in
//! `2025-12-15.clover`, so both typed paths refuse that body after verifying it; those two
//! are measured as `..._refused` (verify + full parse up to the refusal: lower bounds).
//!
//! `cd benches/peers && cargo bench --bench peers` (`PEERS_ONLY=stripe-endive` for one body)
#![allow(missing_docs)]

use criterion::{black_box, criterion_group, criterion_main, Criterion, Throughput};
use http::{HeaderMap, HeaderValue};

use invoice_relay_bench_peers::{parse, Floor};

const STRIPE_SECRET: &str = "whsec_invoice_relay_fixture_secret";
const SVIX_SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

struct Case {
    slug: &'static str,
    http: &'static [u8],
    /// The fixture's `now` (its `.expect.json`), for async-stripe's tolerance check.
    now: i64,
}

const CASES: [Case; 2] = [
    Case {
        slug: "stripe",
        http: include_bytes!("../../../connectors/stripe/fixtures/03_invoice_paid_usd.http"),
        now: 1_773_482_408,
    },
    Case {
        slug: "stripe-endive",
        http: include_bytes!("../../../connectors/stripe/fixtures/18_invoice_paid_endive_usd.http"),
        now: 1_791_972_008,
    },
];

/// The body and the `Stripe-Signature` header of a fixture request.
fn split(http: &'static [u8]) -> (&'static [u8], &'static str) {
    let at = http
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("fixture head");
    let head = std::str::from_utf8(&http[..at]).expect("utf-8 head");
    let sig = head
        .split("\r\n")
        .find_map(|l| l.strip_prefix("Stripe-Signature: "))
        .expect("Stripe-Signature");
    (&http[at + 4..], sig)
}

/// svix headers for `body`, signed now.
fn svix_headers(wh: &svix::webhooks::Webhook, body: &[u8]) -> HeaderMap {
    let ts = chrono::Utc::now().timestamp();
    let msg_id = "msg_2KWPBgLlAfxdpx2AI54pPJ85f4W";
    let sig = wh.sign(msg_id, ts, body).expect("svix sign");
    let mut headers = HeaderMap::new();
    headers.insert("webhook-id", HeaderValue::from_static(msg_id));
    headers.insert(
        "webhook-timestamp",
        HeaderValue::from_str(&ts.to_string()).expect("ts"),
    );
    headers.insert(
        "webhook-signature",
        HeaderValue::from_str(&sig).expect("sig"),
    );
    assert!(
        wh.verify(body, &headers).is_ok(),
        "svix refused its own signature"
    );
    headers
}

/// svix verify + async-stripe's typed event by serde; `Err` names the refusal.
fn svix_typed(
    wh: &svix::webhooks::Webhook,
    body: &[u8],
    headers: &HeaderMap,
) -> Result<stripe_webhook::Event, String> {
    wh.verify(body, headers).map_err(|e| format!("svix: {e}"))?;
    serde_json::from_slice::<stripe_webhook::Event>(body).map_err(|e| format!("parse: {e}"))
}

fn svix_borrowed(wh: &svix::webhooks::Webhook, body: &[u8], headers: &HeaderMap) -> usize {
    if wh.verify(body, headers).is_err() {
        return 0;
    }
    parse(body)
}

fn bench_case(c: &mut Criterion, case: &Case) {
    let (body, stripe_sig) = split(case.http);
    let text = std::str::from_utf8(body).expect("utf-8 body");
    let fl = Floor::new(STRIPE_SECRET.as_bytes(), body);
    assert_ne!(fl.run(body), 0, "{}: floor refused", case.slug);
    let wh = svix::webhooks::Webhook::new(SVIX_SECRET).expect("svix secret");

    // What each typed path makes of this body, decided once before measuring.
    let typed_ok = {
        let headers = svix_headers(&wh, body);
        match svix_typed(&wh, body, &headers) {
            Ok(e) => {
                eprintln!(
                    "{}: svix + serde typed event {} ({})",
                    case.slug,
                    e.id.as_str(),
                    e.type_
                );
                true
            }
            Err(m) if m.starts_with("parse") => {
                eprintln!(
                    "{}: svix verified, async-stripe's serde type refused: {m}",
                    case.slug
                );
                false
            }
            Err(m) => panic!("{}: {m}", case.slug),
        }
    };
    let construct_ok = match stripe_webhook::Webhook::construct_event_with_timestamp(
        text,
        stripe_sig,
        STRIPE_SECRET,
        case.now,
    ) {
        Ok(e) => {
            eprintln!(
                "{}: async-stripe construct_event {} ({}, api_version {:?})",
                case.slug,
                e.id.as_str(),
                e.type_,
                e.api_version
            );
            match &e.data.object {
                stripe_webhook::EventObject::InvoicePaid(i) => {
                    assert_eq!(i.currency.to_string(), "usd");
                    eprintln!(
                        "{}: async-stripe invoice {:?} total {} paid {}",
                        case.slug,
                        i.id.as_ref().map(|i| i.as_str()),
                        i.total,
                        i.amount_paid
                    );
                }
                _ => panic!("{}: not an invoice.paid object", case.slug),
            }
            true
        }
        Err(stripe_webhook::WebhookError::BadParse(m)) => {
            eprintln!(
                "{}: async-stripe verified the signature, then refused the object: {m}",
                case.slug
            );
            false
        }
        Err(e) => panic!("{}: async-stripe refused the signature: {e}", case.slug),
    };

    let mut g = c.benchmark_group(format!("ingest/{}", case.slug));
    g.throughput(Throughput::Elements(1));

    g.bench_function("floor", |b| b.iter(|| black_box(fl.run(black_box(body)))));

    let headers = svix_headers(&wh, body);
    g.bench_function("peer_svix_verify", |b| {
        b.iter(|| black_box(wh.verify(black_box(body), &headers).is_ok()))
    });
    assert!(
        wh.verify(body, &headers).is_ok(),
        "svix signature went stale"
    );

    let headers = svix_headers(&wh, body);
    let name = if typed_ok {
        "peer_svix_verify_typed"
    } else {
        "peer_svix_verify_typed_refused"
    };
    g.bench_function(name, |b| {
        b.iter(|| black_box(svix_typed(&wh, black_box(body), &headers).is_ok()))
    });
    assert_eq!(
        svix_typed(&wh, body, &headers).is_ok(),
        typed_ok,
        "svix typed path changed outcome (stale signature?)"
    );

    let headers = svix_headers(&wh, body);
    g.bench_function("peer_svix_verify_borrowed", |b| {
        b.iter(|| black_box(svix_borrowed(&wh, black_box(body), &headers)))
    });
    assert_ne!(
        svix_borrowed(&wh, body, &headers),
        0,
        "svix signature went stale"
    );

    let name = if construct_ok {
        "peer_async_stripe_construct_event"
    } else {
        "peer_async_stripe_construct_event_refused"
    };
    g.bench_function(name, |b| {
        b.iter(|| {
            let text = std::str::from_utf8(black_box(body)).unwrap_or_default();
            black_box(
                stripe_webhook::Webhook::construct_event_with_timestamp(
                    text,
                    stripe_sig,
                    STRIPE_SECRET,
                    case.now,
                )
                .is_ok(),
            )
        })
    });
    g.finish();
}

fn bench(c: &mut Criterion) {
    let only = std::env::var("PEERS_ONLY").ok();
    for case in &CASES {
        if only.as_deref().is_some_and(|o| o != case.slug) {
            continue;
        }
        bench_case(c, case);
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
