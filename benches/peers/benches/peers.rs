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
use invoice_relay_bench_peers::{
    split, svix_borrowed, svix_headers, svix_typed, svix_webhook, Case, Floor, CASES, STRIPE_SECRET,
};

fn bench_case(c: &mut Criterion, case: &Case) {
    let (body, stripe_sig) = split(case.http);
    let text = std::str::from_utf8(body).expect("utf-8 body");
    let fl = Floor::new(STRIPE_SECRET.as_bytes(), body);
    assert_ne!(fl.run(body), 0, "{}: floor refused", case.slug);
    let wh = svix_webhook();

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
