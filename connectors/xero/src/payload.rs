//! Xero's webhook payload (`xero-webhooks.yaml`), borrowed from the body. Unknown fields
//! are ignored; `eventCategory` and `eventType` are kept as text (Xero adds categories).

use std::borrow::Cow;

use std::sync::OnceLock;

use chrono::format::{self, Item, Parsed, StrftimeItems};
use chrono::{DateTime, Utc};
use invoice_connector_support::json::opt_text;
use serde::Deserialize;

/// The body of every delivery, intent-to-receive probes included (`events` empty).
#[derive(Debug, Deserialize)]
pub struct Payload<'a> {
    /// The events; empty in an intent-to-receive probe.
    #[serde(borrow)]
    pub events: Vec<Event<'a>>,
    /// Sequence of the first event in this delivery.
    #[serde(rename = "firstEventSequence", default)]
    pub first_event_sequence: Option<i64>,
    /// Sequence of the last event in this delivery.
    #[serde(rename = "lastEventSequence", default)]
    pub last_event_sequence: Option<i64>,
    /// Random text that makes every body (and signature) different.
    #[serde(default, borrow, deserialize_with = "opt_text")]
    pub entropy: Option<Cow<'a, str>>,
}

/// One event: ids only.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Event<'a> {
    /// `https://api.xero.com/api.xro/2.0/Invoices/<id>`.
    #[serde(borrow)]
    pub resource_url: Cow<'a, str>,
    /// The resource id (a GUID).
    #[serde(borrow)]
    pub resource_id: Cow<'a, str>,
    /// `2026-01-14T09:12:44.227` (UTC, no zone suffix).
    #[serde(borrow)]
    pub event_date_utc: Cow<'a, str>,
    /// `CREATE | UPDATE`.
    #[serde(borrow)]
    pub event_type: Cow<'a, str>,
    /// `INVOICE | CONTACT | CREDITNOTE | SUBSCRIPTION | ...`.
    #[serde(borrow)]
    pub event_category: Cow<'a, str>,
    /// The organisation (tenant) id.
    #[serde(borrow)]
    pub tenant_id: Cow<'a, str>,
    /// `ORGANISATION | APPLICATION`.
    #[serde(default, borrow, deserialize_with = "opt_text")]
    pub tenant_type: Option<Cow<'a, str>>,
    /// Only on `CREDITNOTE` events: the credit note's type and status.
    #[serde(default, borrow)]
    pub data: Option<EventData<'a>>,
}

/// `data` of a `CREDITNOTE` event.
#[derive(Debug, Deserialize)]
pub struct EventData<'a> {
    /// `ACCRECCREDIT` (customer) or `ACCPAYCREDIT` (supplier).
    #[serde(rename = "Type", default, borrow, deserialize_with = "opt_text")]
    pub credit_note_type: Option<Cow<'a, str>>,
    /// `DRAFT | SUBMITTED | AUTHORISED | PAID | VOIDED | DELETED`.
    #[serde(rename = "Status", default, borrow, deserialize_with = "opt_text")]
    pub status: Option<Cow<'a, str>>,
}

/// Parses a body.
pub fn parse(body: &[u8]) -> Result<Payload<'_>, serde_json::Error> {
    invoice_connector_support::json::from_body(body)
}

/// Parses `eventDateUtc`: UTC without a suffix (`2026-01-14T09:12:44.227`), or RFC 3339.
pub fn parse_event_date(text: &str) -> Option<DateTime<Utc>> {
    let text = text.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(text) {
        return Some(t.with_timezone(&Utc));
    }
    // `NaiveDateTime::parse_from_str(text, NAIVE)` without reading the format string
    // again on every call: the same items, read once.
    static ITEMS: OnceLock<Vec<Item<'static>>> = OnceLock::new();
    let items = ITEMS.get_or_init(|| StrftimeItems::new(NAIVE).collect());
    let mut parsed = Parsed::new();
    format::parse(&mut parsed, text, items.iter()).ok()?;
    parsed
        .to_naive_datetime_with_offset(0)
        .ok()
        .map(|t| t.and_utc())
}

/// Xero's `eventDateUtc` without an offset.
const NAIVE: &str = "%Y-%m-%dT%H:%M:%S%.f";

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn event_dates() {
        let want = Utc.with_ymd_and_hms(2026, 1, 14, 9, 12, 44).unwrap()
            + chrono::Duration::milliseconds(227);
        assert_eq!(parse_event_date("2026-01-14T09:12:44.227"), Some(want));
        assert_eq!(parse_event_date("2026-01-14T09:12:44.227Z"), Some(want));
        assert_eq!(parse_event_date("14/01/2026"), None);
        // Exactly what `parse_from_str` with the format reads, and refuses.
        for text in [
            "2026-01-14T09:12:44",
            "2026-01-14T09:12:44.1",
            "2026-01-14T09:12:44.123456789",
            "2026-01-14T09:12:44.",
            "2026-01-14 09:12:44",
            "2026-1-4T9:2:4",
            "2026-02-30T09:12:44",
            "2026-01-14T24:00:00",
            "2026-01-14T23:59:60",
            "+12026-01-14T09:12:44",
            "2026-01-14T09:12:44.227x",
            "2026-01-14t09:12:44",
            "",
        ] {
            let want = chrono::NaiveDateTime::parse_from_str(text.trim(), NAIVE)
                .ok()
                .map(|t| t.and_utc());
            let got = DateTime::parse_from_rfc3339(text.trim())
                .ok()
                .map(|t| t.with_timezone(&Utc))
                .or(want);
            assert_eq!(parse_event_date(text), got, "{text}");
        }
    }

    #[test]
    fn intent_to_receive_body_parses() {
        let p = parse(br#"{"events":[],"firstEventSequence": 0,"lastEventSequence": 0, "entropy": "S0m3r4Nd0mt3xt"}"#).unwrap();
        assert!(p.events.is_empty());
        assert_eq!(p.entropy.as_deref(), Some("S0m3r4Nd0mt3xt"));
        assert!(parse(b"[]").is_err());
        assert!(parse(b"{}").is_err());
    }
}
