//! Arbitrary input never panics the receiving side, and never verifies by accident.

#![allow(clippy::unwrap_used)] // tests may unwrap

use chrono::{TimeZone, Utc};
use invoice_core::Secret;
use portal_client::verify::Verifier;
use portal_client::{CloudEvent, Signer};
use proptest::prelude::*;

const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

proptest! {
    #[test]
    fn arbitrary_headers_and_bodies_never_panic_or_pass(
        id in ".{0,40}",
        ts in prop_oneof![Just("1700000000".to_owned()), "[0-9]{0,25}", ".{0,20}"],
        sig in prop_oneof![".{0,120}", "(v1|v1a|v2),[A-Za-z0-9+/=]{0,100}( (v1|v1a),[A-Za-z0-9+/=]{0,90}){0,3}"],
        body in proptest::collection::vec(any::<u8>(), 0..300),
    ) {
        let v = Verifier::new(&[Secret::new(SECRET)]).unwrap();
        let now = Utc.timestamp_opt(1_700_000_000, 0).unwrap();
        prop_assert!(v.verify_parts(&id, &ts, &sig, &body, now).is_err());
        let _ = CloudEvent::from_json(&body);
        let _ = CloudEvent::batch_from_json(&body);
    }

    #[test]
    fn any_flipped_byte_breaks_the_signature(
        body in proptest::collection::vec(any::<u8>(), 1..200),
        at in 0usize..200,
        bit in 0u8..8,
    ) {
        let signer = Signer::new(&[Secret::new(SECRET)], &[]).unwrap();
        let v = Verifier::new(&[Secret::new(SECRET)]).unwrap();
        let now = Utc.timestamp_opt(1_700_000_000, 0).unwrap();
        let sig = signer.sign("upd_1", 1_700_000_000, &body);
        prop_assert!(v.verify_parts("upd_1", "1700000000", &sig, &body, now).is_ok());
        let mut tampered = body.clone();
        let i = at % tampered.len();
        tampered[i] ^= 1 << bit;
        prop_assert!(v.verify_parts("upd_1", "1700000000", &sig, &tampered, now).is_err());
    }
}
