//! The Stripe floor, as `benches/src/floor.rs` builds it for `stripe` (kept in step with
//! it by hand: that crate depends on the relay, which this workspace must not carry), so
//! the peers run measures the same anchor as the relay's `ingest` run:
//!
//! - HMAC-SHA256 of the raw body under the fixture secret, checked in constant time
//!   (`verify_slice`) against a tag precomputed at construction;
//! - then a minimal typed `serde_json` parse of the same bytes, borrowing every string,
//!   reading only the fields the Stripe connector maps.
//!
//! The svix + borrowed-parse peer reuses [`parse`] as its parse. The cases and the peer
//! paths are here too, shared by `benches/peers.rs` (criterion) and `examples/peers_ir.rs`
//! (instruction counts under callgrind).

use hmac::{Hmac, Mac};
use http::{HeaderMap, HeaderValue};
use serde::Deserialize;
use sha2::Sha256;

/// The Stripe floor of one body.
#[derive(Debug, Clone)]
pub struct Floor {
    key: Vec<u8>,
    tag: [u8; 32],
}

impl Floor {
    /// The floor of `body` under `key`.
    pub fn new(key: &[u8], body: &[u8]) -> Floor {
        let tag = mac(key, body).finalize().into_bytes().into();
        Floor {
            key: key.to_vec(),
            tag,
        }
    }

    /// Verifies then parses `body`; 0 when the tag does not match or the parse failed.
    pub fn run(&self, body: &[u8]) -> usize {
        if mac(&self.key, body).verify_slice(&self.tag).is_err() {
            return 0;
        }
        parse(body)
    }
}

fn mac(key: &[u8], body: &[u8]) -> Hmac<Sha256> {
    let mut m = match <Hmac<Sha256> as Mac>::new_from_slice(key) {
        Ok(m) => m,
        Err(_) => <Hmac<Sha256> as Mac>::new(&Default::default()),
    };
    m.update(body);
    m
}

#[derive(Deserialize)]
struct StripeEvent<'a> {
    id: &'a str,
    #[serde(rename = "type")]
    ty: &'a str,
    created: i64,
    #[serde(borrow)]
    data: StripeData<'a>,
}
#[derive(Deserialize)]
struct StripeData<'a> {
    #[serde(borrow)]
    object: StripeInvoice<'a>,
}
#[derive(Deserialize)]
struct StripeInvoice<'a> {
    id: &'a str,
    currency: &'a str,
    total: i64,
    amount_paid: i64,
    status: Option<&'a str>,
    customer: Option<&'a str>,
    due_date: Option<i64>,
}

/// The floor's minimal borrowed parse of a Stripe invoice event (a value so the work is
/// not optimised away; 0 when the parse failed).
pub fn parse(body: &[u8]) -> usize {
    serde_json::from_slice::<StripeEvent<'_>>(body).map_or(0, |e| {
        let o = &e.data.object;
        e.id.len()
            + e.ty.len()
            + e.created as usize
            + o.id.len()
            + o.currency.len()
            + (o.total + o.amount_paid) as usize
            + o.status.map_or(0, str::len)
            + o.customer.map_or(0, str::len)
            + o.due_date.unwrap_or(0) as usize
    })
}

/// The Stripe fixtures' webhook secret.
pub const STRIPE_SECRET: &str = "whsec_invoice_relay_fixture_secret";
/// A Standard Webhooks secret for svix (base64 key).
pub const SVIX_SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

/// A Stripe fixture request.
pub struct Case {
    /// Case name (the `ingest` bench's group).
    pub slug: &'static str,
    /// The fixture file, head and body.
    pub http: &'static [u8],
    /// The fixture's `now` (its `.expect.json`), for async-stripe's tolerance check.
    pub now: i64,
}

/// The two Stripe fixtures.
pub const CASES: [Case; 2] = [
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
pub fn split(http: &'static [u8]) -> (&'static [u8], &'static str) {
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
pub fn svix_headers(wh: &svix::webhooks::Webhook, body: &[u8]) -> HeaderMap {
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
pub fn svix_typed(
    wh: &svix::webhooks::Webhook,
    body: &[u8],
    headers: &HeaderMap,
) -> Result<stripe_webhook::Event, String> {
    wh.verify(body, headers).map_err(|e| format!("svix: {e}"))?;
    serde_json::from_slice::<stripe_webhook::Event>(body).map_err(|e| format!("parse: {e}"))
}

/// svix verify + the floor's borrowed parse; 0 when either refused.
pub fn svix_borrowed(wh: &svix::webhooks::Webhook, body: &[u8], headers: &HeaderMap) -> usize {
    if wh.verify(body, headers).is_err() {
        return 0;
    }
    parse(body)
}

/// svix's verifier under [`SVIX_SECRET`].
pub fn svix_webhook() -> svix::webhooks::Webhook {
    svix::webhooks::Webhook::new(SVIX_SECRET).expect("svix secret")
}

/// async-stripe's `construct_event_with_timestamp` on `case` with the fixture's own
/// `Stripe-Signature` header and its `now`.
pub fn async_stripe(case: &Case) -> Result<stripe_webhook::Event, stripe_webhook::WebhookError> {
    let (body, sig) = split(case.http);
    let text = std::str::from_utf8(body).unwrap_or_default();
    stripe_webhook::Webhook::construct_event_with_timestamp(text, sig, STRIPE_SECRET, case.now)
}
