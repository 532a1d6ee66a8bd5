//! Verification helpers every connector uses: HMAC over several secrets with
//! constant-time comparison, and overflow-safe time windows. Written once, here.

use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use sha2::Sha256;
use subtle::ConstantTimeEq;

use crate::Secret;

type HmacSha256 = Hmac<Sha256>;

pub mod timestamped;

/// HMAC-SHA256 of the concatenation of `parts` under `key`.
pub fn hmac_sha256(key: &[u8], parts: &[&[u8]]) -> [u8; 32] {
    let mut mac = keyed(key);
    for p in parts {
        mac.update(p);
    }
    mac.finalize().into_bytes().into()
}

fn keyed(key: &[u8]) -> HmacSha256 {
    // HMAC accepts keys of any length; this cannot fail.
    match HmacSha256::new_from_slice(key) {
        Ok(m) => m,
        Err(_) => unreachable_hmac(),
    }
}

#[cold]
fn unreachable_hmac() -> HmacSha256 {
    // `new_from_slice` only errs for fixed-size-key MACs; HMAC is not one.
    <HmacSha256 as Mac>::new(&Default::default())
}

/// True when `expected` is the HMAC-SHA256 of `parts` under any of `secrets`. The
/// comparison is constant-time (`verify_slice`); a wrong-length `expected` is false.
///
/// ```
/// use invoice_core::{verify, Secret};
/// let secrets = [Secret::new("old"), Secret::new("new")];
/// let sig = verify::hmac_sha256(b"new", &[b"1700000000.", b"{}"]);
/// assert!(verify::hmac_sha256_any(&secrets, &[b"1700000000.", b"{}"], &sig));
/// assert!(!verify::hmac_sha256_any(&secrets, &[b"1700000000.", b"{ }"], &sig));
/// ```
pub fn hmac_sha256_any(secrets: &[Secret], parts: &[&[u8]], expected: &[u8]) -> bool {
    let mut ok = false;
    for s in secrets {
        let mut mac = keyed(s.expose());
        for p in parts {
            mac.update(p);
        }
        // Every secret is tried, so timing does not reveal which one matched.
        ok |= mac.verify_slice(expected).is_ok();
    }
    ok
}

/// Constant-time equality of two byte strings (lengths may leak, contents do not).
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && bool::from(a.ct_eq(b))
}

/// True when `candidate` equals any of `secrets`, compared in constant time (URL tokens,
/// shared-secret headers, verifier tokens).
pub fn matches_any_secret(secrets: &[Secret], candidate: &[u8]) -> bool {
    let mut ok = false;
    for s in secrets {
        ok |= constant_time_eq(s.expose(), candidate);
    }
    ok
}

/// Where a signed timestamp stands relative to the tolerance window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeCheck {
    /// Inside the window.
    Fresh,
    /// Older than `now - tolerance`.
    TooOld,
    /// Newer than `now + tolerance` (clock skew or forgery).
    TooNew,
}

/// Checks a unix timestamp (seconds) against `now ± tolerance_secs`, without overflow for
/// any `i64` input.
///
/// ```
/// use invoice_core::verify::{check_timestamp, TimeCheck};
/// use chrono::{TimeZone, Utc};
/// let now = Utc.timestamp_opt(1_000_000, 0).unwrap();
/// assert_eq!(check_timestamp(999_800, now, 300), TimeCheck::Fresh);
/// assert_eq!(check_timestamp(999_600, now, 300), TimeCheck::TooOld);
/// assert_eq!(check_timestamp(i64::MAX, now, 300), TimeCheck::TooNew);
/// ```
pub fn check_timestamp(ts: i64, now: DateTime<Utc>, tolerance_secs: u64) -> TimeCheck {
    let now = i128::from(now.timestamp());
    let ts = i128::from(ts);
    let tol = i128::from(tolerance_secs);
    if ts < now - tol {
        TimeCheck::TooOld
    } else if ts > now + tol {
        TimeCheck::TooNew
    } else {
        TimeCheck::Fresh
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_answer_rfc4231_case_2() {
        let mac = hmac_sha256(b"Jefe", &[b"what do ya want ", b"for nothing?"]);
        assert_eq!(
            hex::encode(mac),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn wrong_length_signatures_are_false_not_panics() {
        let s = [Secret::new("k")];
        for len in [0usize, 1, 31, 33, 64] {
            assert!(!hmac_sha256_any(&s, &[b"x"], &vec![0u8; len]));
        }
    }

    #[test]
    fn no_secrets_never_verifies() {
        let sig = hmac_sha256(b"", &[b"x"]);
        assert!(!hmac_sha256_any(&[], &[b"x"], &sig));
    }
}
