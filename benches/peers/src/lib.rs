//! The Stripe floor, as `benches/src/floor.rs` builds it for `stripe` (kept in step with
//! it by hand: that crate depends on the relay, which this workspace must not carry), so
//! the peers run measures the same anchor as the relay's `ingest` run:
//!
//! - HMAC-SHA256 of the raw body under the fixture secret, checked in constant time
//!   (`verify_slice`) against a tag precomputed at construction;
//! - then a minimal typed `serde_json` parse of the same bytes, borrowing every string,
//!   reading only the fields the Stripe connector maps.
//!
//! The svix + borrowed-parse peer reuses [`parse`] as its parse.

use hmac::{Hmac, Mac};
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
