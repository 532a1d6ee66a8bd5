//! The timestamped HMAC header scheme Stripe made common, shared by every connector that
//! uses it (Stripe itself, and the scripts we ship for Google Sheets, Odoo, NetSuite and
//! Salesforce Platform Events):
//!
//! - the sender signs `"<t>." + raw body` with HMAC-SHA256 under a shared secret, `t`
//!   being unix seconds as decimal text;
//! - the header is `t=<unix>,v1=<hex>[,v1=<hex>...]`: items split on `,`, each
//!   `key=value` (white space around an item ignored); unknown keys (`v0`, ...) and items
//!   without `=` are ignored; a `v1` that is not 64 hex digits is ignored (it cannot
//!   match); no parsable `t` or no usable `v1` is [`Failure::Malformed`];
//! - any `v1` may match any configured secret (rotation), compared in constant time;
//! - the signature is checked before the time, and the time against a [`Window`]:
//!   Stripe's SDKs accept future timestamps, our own senders are refused both ways.
//!
//! Connectors whose sender puts `t` and the signature in separate headers use
//! [`signature_matches`], [`check_window`] and [`signature_hex`] directly.
//!
//! ```
//! use invoice_core::verify::timestamped::{sign, verify, Failure, Window};
//! use invoice_core::Secret;
//! use chrono::{TimeZone, Utc};
//! let header = sign(&Secret::new("s"), 1_700_000_000, b"{}");
//! let now = Utc.timestamp_opt(1_700_000_010, 0).unwrap();
//! let secrets = [Secret::new("old"), Secret::new("s")];
//! assert_eq!(verify(header.as_bytes(), b"{}", &secrets, now, 300, Window::BothWays), Ok(1_700_000_000));
//! assert_eq!(verify(header.as_bytes(), b"{ }", &secrets, now, 300, Window::BothWays), Err(Failure::NoMatch));
//! ```

use chrono::{DateTime, Utc};

use super::{check_timestamp, constant_time_eq, hmac_sha256, hmac_sha256_any, TimeCheck};
use crate::Secret;

/// A parsed header: the timestamp and every well-formed `v1` signature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Header {
    /// `t=`.
    pub timestamp: i64,
    /// Each well-formed `v1=`, hex-decoded.
    pub v1: Vec<[u8; 32]>,
}

/// Why a request does not verify.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Failure {
    /// The header does not follow the grammar (see the module docs).
    #[error("signature header is malformed")]
    Malformed,
    /// No `v1` is the HMAC of the signed payload under any secret.
    #[error("no signature matches")]
    NoMatch,
    /// `t` is older than the tolerance allows.
    #[error("signature timestamp is too old")]
    TooOld,
    /// `t` is further in the future than the tolerance allows ([`Window::BothWays`]).
    #[error("signature timestamp is in the future")]
    TooNew,
}

/// Which side of `now` the tolerance bounds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Window {
    /// Only the past: any future `t` is accepted (what Stripe's SDKs do).
    PastOnly,
    /// Both: a future `t` beyond the tolerance would stretch the replay window, so it is
    /// refused too.
    BothWays,
}

/// Parses `t=<unix>,v1=<hex>[,v1=<hex>...]` (grammar in the module docs).
pub fn parse(value: &[u8]) -> Result<Header, Failure> {
    let mut v1 = Vec::new();
    match walk(value, |sig| {
        v1.push(sig);
        true
    })? {
        Walk::Done(Some(timestamp)) if !v1.is_empty() => Ok(Header { timestamp, v1 }),
        _ => Err(Failure::Malformed),
    }
}

/// Where [`walk`] ended.
enum Walk {
    /// Every item was read; `t` if there was one.
    Done(Option<i64>),
    /// The `v1` callback asked to stop.
    Stopped,
}

/// Reads the header's items (the one grammar of [`parse`] and [`parse_inline`]): returns
/// `t`, and hands each well-formed `v1` to `on_v1`, which returns false to stop reading.
fn walk(value: &[u8], mut on_v1: impl FnMut([u8; 32]) -> bool) -> Result<Walk, Failure> {
    let value = std::str::from_utf8(value).map_err(|_| Failure::Malformed)?;
    let mut timestamp = None;
    for item in value.split(',') {
        let Some((k, v)) = item.trim().split_once('=') else {
            continue;
        };
        match k {
            "t" => timestamp = Some(v.parse::<i64>().map_err(|_| Failure::Malformed)?),
            "v1" => {
                let mut sig = [0u8; 32];
                if hex::decode_to_slice(v, &mut sig).is_ok() && !on_v1(sig) {
                    return Ok(Walk::Stopped);
                }
            }
            _ => {}
        }
    }
    Ok(Walk::Done(timestamp))
}

/// True when some signature in `candidates` is HMAC-SHA256(secret, `timestamp` + "." +
/// `body`) for some secret; `timestamp` is the text as it was signed. Every pair is
/// tried, so timing does not reveal which matched.
pub fn signature_matches(
    secrets: &[Secret],
    timestamp: &[u8],
    body: &[u8],
    candidates: &[[u8; 32]],
) -> bool {
    if let [sig] = candidates {
        return hmac_sha256_any(secrets, &[timestamp, b".", body], sig);
    }
    // The MAC of each secret once, compared with every candidate.
    let mut matched = false;
    for s in secrets {
        let tag = hmac_sha256(s.expose(), &[timestamp, b".", body]);
        for sig in candidates {
            matched |= constant_time_eq(&tag, sig);
        }
    }
    matched
}

/// The most `v1` signatures [`verify`] reads without allocating; a header with more is
/// read by [`parse`].
const INLINE_V1: usize = 4;

/// The well-formed `v1`s of an ordinary header, without a `Vec`.
struct InlineV1 {
    sigs: [[u8; 32]; INLINE_V1],
    len: usize,
}

impl InlineV1 {
    fn as_slice(&self) -> &[[u8; 32]] {
        self.sigs.get(..self.len).unwrap_or_default()
    }
}

/// [`parse`] without allocating: `t` and the first [`INLINE_V1`] well-formed `v1`s
/// (`None` when there are more, for [`parse`] to read).
fn parse_inline(value: &[u8]) -> Result<Option<(i64, InlineV1)>, Failure> {
    let mut v1 = [[0u8; 32]; INLINE_V1];
    let mut n = 0;
    let walked = walk(value, |sig| match v1.get_mut(n) {
        Some(slot) => {
            *slot = sig;
            n += 1;
            true
        }
        None => false,
    })?;
    match walked {
        Walk::Stopped => Ok(None),
        Walk::Done(Some(timestamp)) if n > 0 => {
            Ok(Some((timestamp, InlineV1 { sigs: v1, len: n })))
        }
        Walk::Done(_) => Err(Failure::Malformed),
    }
}

/// `n` as decimal text in `buf` (what `n.to_string()` gives), without allocating.
fn decimal(n: i64, buf: &mut [u8; 20]) -> &[u8] {
    let mut i = buf.len();
    let mut m = n.unsigned_abs();
    loop {
        i -= 1;
        buf[i] = b'0' + (m % 10) as u8;
        m /= 10;
        if m == 0 {
            break;
        }
    }
    if n < 0 {
        i -= 1;
        buf[i] = b'-';
    }
    &buf[i..]
}

/// Checks `timestamp` against `now` and `tolerance_secs` on the sides `window` names.
pub fn check_window(
    timestamp: i64,
    now: DateTime<Utc>,
    tolerance_secs: u64,
    window: Window,
) -> Result<(), Failure> {
    match (check_timestamp(timestamp, now, tolerance_secs), window) {
        (TimeCheck::TooOld, _) => Err(Failure::TooOld),
        (TimeCheck::TooNew, Window::BothWays) => Err(Failure::TooNew),
        _ => Ok(()),
    }
}

/// Verifies a header value for `body`: well-formed, some `v1` matching under some
/// secret, then `t` inside the window. Returns `t`.
pub fn verify(
    header: &[u8],
    body: &[u8],
    secrets: &[Secret],
    now: DateTime<Utc>,
    tolerance_secs: u64,
    window: Window,
) -> Result<i64, Failure> {
    // `parse`'s grammar, read into stack buffers when the header is ordinary.
    let (inline, heap);
    let (timestamp, v1): (i64, &[[u8; 32]]) = match parse_inline(header)? {
        Some(read) => {
            inline = read;
            (inline.0, inline.1.as_slice())
        }
        None => {
            heap = parse(header)?;
            (heap.timestamp, &heap.v1)
        }
    };
    let mut digits = [0u8; 20];
    if !signature_matches(secrets, decimal(timestamp, &mut digits), body, v1) {
        return Err(Failure::NoMatch);
    }
    check_window(timestamp, now, tolerance_secs, window)?;
    Ok(timestamp)
}

/// Lowercase hex of HMAC-SHA256(`secret`, `"<timestamp>." + body`).
pub fn signature_hex(secret: &Secret, timestamp: i64, body: &[u8]) -> String {
    let t = timestamp.to_string();
    hex::encode(hmac_sha256(secret.expose(), &[t.as_bytes(), b".", body]))
}

/// The header a sender puts on `body` signed with `secret` at `timestamp`:
/// `t=<timestamp>,v1=<hex>` (the test signer for fixtures).
pub fn sign(secret: &Secret, timestamp: i64, body: &[u8]) -> String {
    format!(
        "t={timestamp},v1={}",
        signature_hex(secret, timestamp, body)
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(t: i64) -> DateTime<Utc> {
        match Utc.timestamp_opt(t, 0) {
            chrono::LocalResult::Single(d) => d,
            _ => DateTime::<Utc>::MIN_UTC,
        }
    }

    #[test]
    fn grammar() {
        assert_eq!(parse(b"v1=00"), Err(Failure::Malformed));
        assert_eq!(parse(b"t=1"), Err(Failure::Malformed));
        assert_eq!(parse(b"t=1,v1=zz"), Err(Failure::Malformed));
        assert_eq!(parse(b"t=x,v1=00"), Err(Failure::Malformed));
        assert_eq!(parse(&[0xff]), Err(Failure::Malformed));
        let two = format!(
            " t=5 , v0={0}, junk ,v1={0},v1={1}",
            "00".repeat(32),
            "AB".repeat(32)
        );
        let parsed = parse(two.as_bytes());
        assert_eq!(parsed.as_ref().map(|h| h.timestamp), Ok(5));
        assert_eq!(parsed.map(|h| h.v1), Ok(vec![[0u8; 32], [0xab; 32]]));
    }

    #[test]
    fn rotation_any_v1_and_any_secret() {
        let old = Secret::new("old");
        let new = Secret::new("new");
        let header = format!(
            "t=100,v1={},v1={}",
            signature_hex(&Secret::new("other"), 100, b"b"),
            signature_hex(&new, 100, b"b")
        );
        let secrets = [old, new];
        let ok = verify(
            header.as_bytes(),
            b"b",
            &secrets,
            at(100),
            300,
            Window::BothWays,
        );
        assert_eq!(ok, Ok(100));
        let none = verify(header.as_bytes(), b"b", &[], at(100), 300, Window::BothWays);
        assert_eq!(none, Err(Failure::NoMatch));
    }

    /// `verify` reads an ordinary header without allocating, exactly as `parse` reads
    /// it, and leaves one with many `v1`s to `parse`.
    #[test]
    fn inline_reading_agrees_with_parse() {
        let sig = signature_hex(&Secret::new("k"), -42, b"b");
        for h in [
            format!("t=-42,v1={sig}"),
            format!(" v0=1, t=9 ,v1=zz, t=-42 , v1={sig},junk"),
            format!("t=0042,v1={sig}"),
            format!("t=x,v1={sig}"),
            "t=1,v1=00".to_owned(),
            format!("v1={sig}"),
        ] {
            let parsed = parse(h.as_bytes()).map(|p| (p.timestamp, p.v1));
            let inline =
                parse_inline(h.as_bytes()).map(|r| r.map(|(t, v1)| (t, v1.as_slice().to_vec())));
            assert_eq!(parsed.map(Some), inline, "{h}");
        }
        let many = format!("t=-42{}", format!(",v1={sig}").repeat(INLINE_V1 + 1));
        assert!(matches!(parse_inline(many.as_bytes()), Ok(None)));
        let k = [Secret::new("k")];
        let ok = verify(many.as_bytes(), b"b", &k, at(-42), 300, Window::BothWays);
        assert_eq!(ok, Ok(-42));
        for n in [0i64, 7, -7, 1_700_000_000, i64::MIN, i64::MAX] {
            let mut buf = [0u8; 20];
            assert_eq!(decimal(n, &mut buf), n.to_string().as_bytes());
        }
    }

    #[test]
    fn windows() {
        let s = Secret::new("k");
        let h = sign(&s, 1000, b"b");
        let check = |now, window| {
            verify(
                h.as_bytes(),
                b"b",
                std::slice::from_ref(&s),
                at(now),
                300,
                window,
            )
        };
        for window in [Window::PastOnly, Window::BothWays] {
            assert_eq!(check(1300, window), Ok(1000));
            assert_eq!(check(700, window), Ok(1000));
            assert_eq!(check(1301, window), Err(Failure::TooOld));
        }
        assert_eq!(check(699, Window::PastOnly), Ok(1000));
        assert_eq!(check(699, Window::BothWays), Err(Failure::TooNew));
        // The signature is checked first: a wrong body is NoMatch even when stale.
        assert_eq!(
            verify(h.as_bytes(), b"c", &[s], at(5000), 300, Window::BothWays),
            Err(Failure::NoMatch)
        );
    }
}
