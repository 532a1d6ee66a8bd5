//! The Stripe ingest path's peers on the exact bytes of the Stripe fixture
//! `03_invoice_paid_usd` (the body `benches/benches/ingest.rs` measures as
//! `ingest/stripe/relay`):
//!
//! - `peer_svix_verify`: svix's Standard Webhooks `Webhook::verify` of the body, signed
//!   the Standard Webhooks way (`id.timestamp.body`) just before the run. Verification
//!   only: svix does not parse.
//! - `peer_async_stripe_construct_event`: async-stripe 1.x
//!   `Webhook::construct_event_with_timestamp`, signed by its own test-header generator:
//!   verify `Stripe-Signature`, parse the whole body into a `miniserde` value, then
//!   convert `data.object` into its generated `Invoice`. That last step refuses this
//!   (realistic, 4.8 KB) invoice because the generated type requires fields the fixture
//!   does not carry, so the time measured is verify + full parse up to that refusal: a
//!   lower bound of what a successful call costs. The bench checks that the signature
//!   passed (the error is a parse error, not a signature error).
//!
//! `cd benches/peers && cargo bench --bench peers`
#![allow(missing_docs)]

use criterion::{black_box, criterion_group, criterion_main, Criterion, Throughput};
use http::{HeaderMap, HeaderValue};

const FIXTURE: &[u8] =
    include_bytes!("../../../connectors/stripe/fixtures/03_invoice_paid_usd.http");
const STRIPE_SECRET: &str = "whsec_invoice_relay_fixture_secret";
const SVIX_SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

fn body() -> &'static [u8] {
    let at = FIXTURE
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("fixture head");
    &FIXTURE[at + 4..]
}

fn bench(c: &mut Criterion) {
    let body = body();
    let mut g = c.benchmark_group("ingest/stripe");
    g.throughput(Throughput::Elements(1));

    let wh = svix::webhooks::Webhook::new(SVIX_SECRET).expect("svix secret");
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
    g.bench_function("peer_svix_verify", |b| {
        b.iter(|| black_box(wh.verify(black_box(body), &headers).is_ok()))
    });

    let text = std::str::from_utf8(body).expect("utf-8 body");
    let now = chrono::Utc::now().timestamp();
    let signed = stripe_webhook::Webhook::generate_test_header(text, STRIPE_SECRET, Some(now));
    let stripe_sig = signed.as_str();
    match stripe_webhook::Webhook::construct_event_with_timestamp(
        text,
        stripe_sig,
        STRIPE_SECRET,
        now,
    ) {
        Ok(e) => eprintln!("async-stripe parsed {} ({})", e.id.as_str(), e.type_),
        Err(stripe_webhook::WebhookError::BadParse(m)) => {
            eprintln!("async-stripe verified the signature, then refused the object: {m}")
        }
        Err(e) => panic!("async-stripe refused the signature: {e}"),
    }
    g.bench_function("peer_async_stripe_construct_event", |b| {
        b.iter(|| {
            let text = std::str::from_utf8(black_box(body)).unwrap_or_default();
            black_box(
                stripe_webhook::Webhook::construct_event_with_timestamp(
                    text,
                    stripe_sig,
                    STRIPE_SECRET,
                    now,
                )
                .is_err(),
            )
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
