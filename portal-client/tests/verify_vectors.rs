//! `portal_client::verify` against the Standard Webhooks published test vectors, and the
//! rules a receiver must enforce (rotation, tolerance, tampering, missing headers, v1a).

#![allow(clippy::unwrap_used)] // tests may unwrap

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use chrono::{DateTime, TimeZone, Utc};
use http::HeaderMap;
use invoice_core::Secret;
use portal_client::verify::{Scheme, Verifier, VerifyError};
use portal_client::Signer;

/// The vector in Svix's and the standard-webhooks libraries' tests (PHP `testSignFunctionWorks`).
const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const MSG_ID: &str = "msg_p5jXN8AQM9LWM0D4loKWxJek";
const TIMESTAMP: i64 = 1614265330;
const PAYLOAD: &[u8] = br#"{"test": 2432232314}"#;
const SIGNATURE: &str = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";

/// The vector of the reference Rust library's `test_sign`.
const RUST_SECRET: &str = "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD";
const RUST_MSG_ID: &str = "msg_27UH4WbU6Z5A5EzD8u03UvzRbpk";
const RUST_TIMESTAMP: i64 = 1649367553;
const RUST_PAYLOAD: &[u8] = br#"{"email":"test@example.com","username":"test_user"}"#;
const RUST_SIGNATURE: &str = "v1,tZ1I4/hDygAJgO5TYxiSd6Sd0kDW6hPenDe+bTa3Kkw=";

fn at(ts: i64) -> DateTime<Utc> {
    Utc.timestamp_opt(ts, 0).unwrap()
}

fn headers(id: &str, ts: &str, sig: &str) -> HeaderMap {
    let mut h = HeaderMap::new();
    h.insert("webhook-id", id.parse().unwrap());
    h.insert("webhook-timestamp", ts.parse().unwrap());
    h.insert("webhook-signature", sig.parse().unwrap());
    h
}

fn verifier(secrets: &[&str]) -> Verifier {
    let s: Vec<Secret> = secrets.iter().map(|s| Secret::new(*s)).collect();
    Verifier::new(&s).unwrap()
}

#[test]
fn published_vector_verifies() {
    let v = verifier(&[SECRET]);
    let ok = v
        .verify(
            &headers(MSG_ID, &TIMESTAMP.to_string(), SIGNATURE),
            PAYLOAD,
            at(TIMESTAMP),
        )
        .unwrap();
    assert_eq!(ok.id, MSG_ID);
    assert_eq!(ok.timestamp, TIMESTAMP);
    assert_eq!(ok.scheme, Scheme::HmacSha256);
}

#[test]
fn reference_rust_library_vector_verifies_and_signs() {
    let v = verifier(&[RUST_SECRET]);
    v.verify(
        &headers(RUST_MSG_ID, &RUST_TIMESTAMP.to_string(), RUST_SIGNATURE),
        RUST_PAYLOAD,
        at(RUST_TIMESTAMP + 10),
    )
    .unwrap();
    let signer = Signer::new(&[Secret::new(RUST_SECRET)], &[]).unwrap();
    assert_eq!(
        signer.sign(RUST_MSG_ID, RUST_TIMESTAMP, RUST_PAYLOAD),
        RUST_SIGNATURE
    );
}

#[test]
fn signer_reproduces_the_published_vector() {
    let signer = Signer::new(&[Secret::new(SECRET)], &[]).unwrap();
    assert_eq!(signer.sign(MSG_ID, TIMESTAMP, PAYLOAD), SIGNATURE);
}

#[test]
fn any_of_several_signatures_and_secrets_is_enough() {
    // Rotation on both sides: the header lists an unknown signature first, the verifier
    // knows the old and the new secret.
    let header = format!("v1,Mm7xgUVICxZfQ3bgf0h0Dof65L/IFx+PnZvnDWPCX6Q= v2,abc {SIGNATURE}");
    let v = verifier(&[RUST_SECRET, SECRET]);
    v.verify(
        &headers(MSG_ID, &TIMESTAMP.to_string(), &header),
        PAYLOAD,
        at(TIMESTAMP),
    )
    .unwrap();
}

#[test]
fn wrong_secret_tampered_body_id_or_timestamp_fail() {
    let v = verifier(&[SECRET]);
    let ts = TIMESTAMP.to_string();
    let now = at(TIMESTAMP);
    let cases: [(HeaderMap, &[u8]); 4] = [
        (headers(MSG_ID, &ts, SIGNATURE), br#"{"test": 2432232315}"#),
        (headers("msg_other", &ts, SIGNATURE), PAYLOAD),
        (
            headers(MSG_ID, &(TIMESTAMP + 1).to_string(), SIGNATURE),
            PAYLOAD,
        ),
        (
            headers(
                MSG_ID,
                &ts,
                "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OA=",
            ),
            PAYLOAD,
        ),
    ];
    for (h, body) in cases {
        assert_eq!(
            v.verify(&h, body, now).unwrap_err(),
            VerifyError::NoMatchingSignature
        );
    }
    let other = verifier(&[RUST_SECRET]);
    assert_eq!(
        other
            .verify(&headers(MSG_ID, &ts, SIGNATURE), PAYLOAD, now)
            .unwrap_err(),
        VerifyError::NoMatchingSignature
    );
}

#[test]
fn timestamps_outside_the_tolerance_fail_before_any_signature_check() {
    let v = verifier(&[SECRET]);
    let h = headers(MSG_ID, &TIMESTAMP.to_string(), SIGNATURE);
    assert!(v.verify(&h, PAYLOAD, at(TIMESTAMP + 300)).is_ok());
    assert!(v.verify(&h, PAYLOAD, at(TIMESTAMP - 300)).is_ok());
    assert_eq!(
        v.verify(&h, PAYLOAD, at(TIMESTAMP + 301)).unwrap_err(),
        VerifyError::TimestampTooOld
    );
    assert_eq!(
        v.verify(&h, PAYLOAD, at(TIMESTAMP - 301)).unwrap_err(),
        VerifyError::TimestampTooNew
    );
    let strict = verifier(&[SECRET]).with_tolerance_secs(10);
    assert_eq!(
        strict.verify(&h, PAYLOAD, at(TIMESTAMP + 11)).unwrap_err(),
        VerifyError::TimestampTooOld
    );
    for bad in ["", "abc", "1614265330.5", "99999999999999999999"] {
        let h = headers(MSG_ID, if bad.is_empty() { " " } else { bad }, SIGNATURE);
        let e = v.verify(&h, PAYLOAD, at(TIMESTAMP)).unwrap_err();
        assert!(
            matches!(
                e,
                VerifyError::InvalidTimestamp | VerifyError::InvalidHeader(_)
            ),
            "{bad}: {e:?}"
        );
        assert_eq!(e.http_status(), 400);
    }
}

#[test]
fn missing_headers_are_named() {
    let v = verifier(&[SECRET]);
    let full = headers(MSG_ID, &TIMESTAMP.to_string(), SIGNATURE);
    for name in ["webhook-id", "webhook-timestamp", "webhook-signature"] {
        let mut h = full.clone();
        h.remove(name);
        assert_eq!(
            v.verify(&h, PAYLOAD, at(TIMESTAMP)).unwrap_err(),
            VerifyError::MissingHeader(name)
        );
    }
}

#[test]
fn garbage_signature_headers_never_panic() {
    let v = verifier(&[SECRET]);
    for sig in [
        "v1", "v1,", ",", "v1,!!!", "v1a,AAAA", "v1a,", "       ", "v1,=", "x,y,z",
    ] {
        let h = headers(MSG_ID, &TIMESTAMP.to_string(), sig);
        assert!(v.verify(&h, PAYLOAD, at(TIMESTAMP)).is_err(), "{sig}");
    }
}

#[test]
fn ed25519_v1a_signatures_verify_with_the_public_key_only() {
    let sk = Secret::new(format!("whsk_{}", STANDARD.encode([42u8; 32])));
    let signer = Signer::new(&[Secret::new(SECRET)], &[sk]).unwrap();
    let header = signer.sign(MSG_ID, TIMESTAMP, PAYLOAD);
    assert!(header.starts_with(SIGNATURE) && header.contains(" v1a,"));
    let pk = signer.public_keys();
    let public_only = Verifier::new(&[])
        .unwrap()
        .with_public_keys(&[pk[0].as_str()])
        .unwrap();
    let h = headers(MSG_ID, &TIMESTAMP.to_string(), &header);
    let ok = public_only.verify(&h, PAYLOAD, at(TIMESTAMP)).unwrap();
    assert_eq!(ok.scheme, Scheme::Ed25519);
    assert_eq!(
        public_only.verify(&h, b"{}", at(TIMESTAMP)).unwrap_err(),
        VerifyError::NoMatchingSignature
    );
    // A v1a signature under a different key does not pass.
    let other = Signer::new(
        &[],
        &[Secret::new(format!("whsk_{}", STANDARD.encode([1u8; 32])))],
    )
    .unwrap()
    .sign(MSG_ID, TIMESTAMP, PAYLOAD);
    let h = headers(MSG_ID, &TIMESTAMP.to_string(), &other);
    assert!(public_only.verify(&h, PAYLOAD, at(TIMESTAMP)).is_err());
}

#[test]
fn debug_never_shows_keys() {
    let v = verifier(&[SECRET]);
    let d = format!("{v:?}");
    assert!(!d.contains("MfKQ"), "{d}");
}
