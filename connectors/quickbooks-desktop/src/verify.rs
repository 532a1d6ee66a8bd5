//! Authentication of both paths, on raw bytes, before anything is parsed.
//!
//! - Forwarded data events: `X-Relay-Signature: t=<unix seconds>,v1=<hex>` where the hex
//!   is HMAC-SHA256 of `"<t>." + raw body` under a configured secret (the shipped
//!   forwarder script computes it; Stripe's scheme). Any `v1` may match any secret; `t`
//!   must lie within the tolerance of the injected clock.
//! - Web Connector: `authenticate` checks the configured user and password in constant
//!   time and issues a session ticket `v1.<unix>.<hex HMAC-SHA256 of
//!   "qbwc-ticket|<company>|<unix>">` under the first secret. Every later call must carry a
//!   ticket that verifies under any secret, names the same company and is younger than
//!   `ticket_lifetime_seconds`. Tickets are stateless: a relay restart does not end a
//!   session, and no ticket outlives its lifetime.

use chrono::{DateTime, Utc};
use invoice_core::verify::{check_timestamp, hmac_sha256, hmac_sha256_any, TimeCheck};
use invoice_core::{Secret, SourceError};

/// The forwarder's signature header.
pub const HEADER: &str = "x-relay-signature";
const MAX_HEADER: usize = 1024;

/// The header value signing `body` at `t` with `secret` (the forwarder script's and the
/// fixtures' signer).
pub fn sign_header(secret: &Secret, t: i64, body: &[u8]) -> String {
    let ts = t.to_string();
    let mac = hmac_sha256(secret.expose(), &[ts.as_bytes(), b".", body]);
    format!("t={ts},v1={}", hex::encode(mac))
}

/// Verifies the forwarder's header over `body`; returns the signed `t`.
pub fn verify_forward(
    header: Option<&[u8]>,
    body: &[u8],
    secrets: &[Secret],
    now: DateTime<Utc>,
    tolerance: u64,
) -> Result<i64, SourceError> {
    let header = header.ok_or(SourceError::BadSignature("missing X-Relay-Signature"))?;
    if header.len() > MAX_HEADER {
        return Err(SourceError::BadSignature("X-Relay-Signature too long"));
    }
    let header = std::str::from_utf8(header)
        .map_err(|_| SourceError::BadSignature("malformed X-Relay-Signature"))?;
    let mut t: Option<&str> = None;
    let mut sigs: Vec<Vec<u8>> = Vec::new();
    for part in header.split(',') {
        let (k, v) = part
            .trim()
            .split_once('=')
            .ok_or(SourceError::BadSignature("malformed X-Relay-Signature"))?;
        match k {
            "t" if t.is_none() => t = Some(v),
            "v1" => {
                sigs.push(hex::decode(v).map_err(|_| SourceError::BadSignature("v1 is not hex"))?)
            }
            _ => return Err(SourceError::BadSignature("malformed X-Relay-Signature")),
        }
    }
    let t = t.ok_or(SourceError::BadSignature("X-Relay-Signature without t"))?;
    if t.is_empty() || t.len() > 12 || !t.bytes().all(|b| b.is_ascii_digit()) {
        return Err(SourceError::BadSignature("t is not unix seconds"));
    }
    let ts: i64 = t
        .parse()
        .map_err(|_| SourceError::BadSignature("t is not unix seconds"))?;
    let mut ok = false;
    for sig in &sigs {
        ok |= hmac_sha256_any(secrets, &[t.as_bytes(), b".", body], sig);
    }
    if !ok {
        return Err(SourceError::BadSignature("no v1 signature matches"));
    }
    match check_timestamp(ts, now, tolerance) {
        TimeCheck::Fresh => Ok(ts),
        TimeCheck::TooOld => Err(SourceError::StaleTimestamp(
            "X-Relay-Signature t is too old",
        )),
        TimeCheck::TooNew => Err(SourceError::StaleTimestamp(
            "X-Relay-Signature t is in the future",
        )),
    }
}

fn ticket_parts(company: &str, ts: &str) -> [Vec<u8>; 1] {
    [format!("qbwc-ticket|{company}|{ts}").into_bytes()]
}

/// A session ticket for `company` issued at `now`, signed by `secret`.
pub fn issue_ticket(secret: &Secret, company: &str, now: DateTime<Utc>) -> String {
    let ts = now.timestamp().to_string();
    let [msg] = ticket_parts(company, &ts);
    format!(
        "v1.{ts}.{}",
        hex::encode(hmac_sha256(secret.expose(), &[&msg]))
    )
}

/// Checks a ticket for `company` at `now`.
pub fn verify_ticket(
    ticket: &str,
    company: &str,
    secrets: &[Secret],
    now: DateTime<Utc>,
    lifetime: u64,
) -> Result<(), SourceError> {
    let mut parts = ticket.trim().splitn(3, '.');
    let (Some("v1"), Some(ts), Some(mac)) = (parts.next(), parts.next(), parts.next()) else {
        return Err(SourceError::BadSignature("not a session ticket"));
    };
    if ts.is_empty() || ts.len() > 12 || !ts.bytes().all(|b| b.is_ascii_digit()) {
        return Err(SourceError::BadSignature("not a session ticket"));
    }
    let mac = hex::decode(mac).map_err(|_| SourceError::BadSignature("not a session ticket"))?;
    let [msg] = ticket_parts(company, ts);
    if !hmac_sha256_any(secrets, &[&msg], &mac) {
        return Err(SourceError::BadSignature("session ticket does not verify"));
    }
    let issued: i64 = ts
        .parse()
        .map_err(|_| SourceError::BadSignature("not a session ticket"))?;
    let age = i128::from(now.timestamp()) - i128::from(issued);
    if age < -60 || age > i128::from(lifetime) {
        return Err(SourceError::BadSignature(
            "session ticket expired (QBWC authenticates again)",
        ));
    }
    Ok(())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn tickets_bind_company_time_and_key() {
        let now = Utc.timestamp_opt(1_768_381_964, 0).unwrap();
        let k = Secret::new("qbd-key-0123456789");
        let t = issue_ticket(&k, "acme", now);
        let keys = [Secret::new("other-key-0123456789"), k.clone()];
        assert!(verify_ticket(&t, "acme", &keys, now, 3600).is_ok());
        assert!(verify_ticket(&t, "other", &keys, now, 3600).is_err());
        assert!(verify_ticket(&t, "acme", &keys[..1], now, 3600).is_err());
        let late = now + chrono::Duration::seconds(3601);
        assert!(verify_ticket(&t, "acme", &keys, late, 3600).is_err());
        for bad in ["", "v1", "v1..", "v2.1.00", "v1.x.00", &t[..t.len() - 1]] {
            assert!(
                verify_ticket(bad, "acme", &keys, now, 3600).is_err(),
                "{bad}"
            );
        }
    }
}
