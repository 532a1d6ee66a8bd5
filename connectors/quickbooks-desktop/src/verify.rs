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
use invoice_core::verify::{hmac_sha256, hmac_sha256_any};
use invoice_core::{Secret, SourceError};

pub use invoice_connector_support::relay_signature::{
    sign_header, verify_signed_at as verify_forward, HEADER,
};

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
