//! Intuit's two notification formats, borrowed from the body. Unknown fields are ignored;
//! entity names and operations are kept as text (Intuit adds entities and operations).
//!
//! - Legacy: `{"eventNotifications":[{"realmId":..,"dataChangeEvent":{"entities":[..]}}]}`.
//! - CloudEvents (2025-): a JSON array of CloudEvents 1.0 objects with Intuit's extension
//!   attributes `intuitaccountid` (the realm) and `intuitentityid`, and `type`
//!   `qbo.<entity>.<operation past tense>.v1`; delivered as `application/json` or
//!   `application/cloudevents-batch+json`.

use std::borrow::Cow;

use chrono::{DateTime, NaiveDateTime, Utc};
use invoice_connector_support::json::opt_text;
use serde::Deserialize;

use crate::error::QboError;

/// A legacy notification body.
#[derive(Debug, Deserialize)]
pub struct LegacyPayload<'a> {
    /// One per company (realm).
    #[serde(rename = "eventNotifications", borrow)]
    pub event_notifications: Vec<EventNotification<'a>>,
}

/// The changes of one company.
#[derive(Debug, Deserialize)]
pub struct EventNotification<'a> {
    /// The company id.
    #[serde(rename = "realmId", borrow)]
    pub realm_id: Cow<'a, str>,
    /// The changed entities.
    #[serde(rename = "dataChangeEvent", default, borrow)]
    pub data_change_event: Option<DataChangeEvent<'a>>,
}

/// `dataChangeEvent`.
#[derive(Debug, Deserialize)]
pub struct DataChangeEvent<'a> {
    /// The changed entities.
    #[serde(default, borrow)]
    pub entities: Vec<Entity<'a>>,
}

/// One changed entity: ids only.
#[derive(Debug, Deserialize)]
pub struct Entity<'a> {
    /// `Invoice`, `Payment`, `CreditMemo`, `Customer`, ...
    #[serde(borrow)]
    pub name: Cow<'a, str>,
    /// The entity id in the company.
    #[serde(borrow)]
    pub id: Cow<'a, str>,
    /// `Create | Update | Delete | Merge | Void | Emailed`.
    #[serde(borrow)]
    pub operation: Cow<'a, str>,
    /// When it changed (`2015-10-05T14:42:19-0700` or RFC 3339).
    #[serde(rename = "lastUpdated", borrow)]
    pub last_updated: Cow<'a, str>,
    /// For `Merge`: the id that was merged away.
    #[serde(rename = "deletedId", default, borrow, deserialize_with = "opt_text")]
    pub deleted_id: Option<Cow<'a, str>>,
}

/// One CloudEvents-format notification.
#[derive(Debug, Deserialize)]
pub struct CloudEvent<'a> {
    /// `1.0`.
    #[serde(borrow)]
    pub specversion: Cow<'a, str>,
    /// Unique per event and repeated on redelivery: the dedup key.
    #[serde(borrow)]
    pub id: Cow<'a, str>,
    /// `qbo.invoice.updated.v1`.
    #[serde(rename = "type", borrow)]
    pub event_type: Cow<'a, str>,
    /// When it happened (RFC 3339).
    #[serde(default, borrow, deserialize_with = "opt_text")]
    pub time: Option<Cow<'a, str>>,
    /// The entity id.
    #[serde(borrow)]
    pub intuitentityid: Cow<'a, str>,
    /// The company (realm) id.
    #[serde(borrow)]
    pub intuitaccountid: Cow<'a, str>,
}

/// A parsed body in either format.
#[derive(Debug)]
pub enum Payload<'a> {
    /// `{"eventNotifications": ...}`.
    Legacy(LegacyPayload<'a>),
    /// `[{"specversion": "1.0", ...}, ...]`.
    CloudEvents(Vec<CloudEvent<'a>>),
}

/// Detects the format from the first non-blank byte (`[` CloudEvents, `{` legacy) and
/// parses it.
pub fn parse(body: &[u8]) -> Result<Payload<'_>, QboError> {
    let first = body.iter().find(|b| !b.is_ascii_whitespace());
    let bad = |e: serde_json::Error| QboError::Body(e.to_string());
    match first {
        Some(b'[') => invoice_connector_support::json::from_body(body)
            .map(Payload::CloudEvents)
            .map_err(bad),
        Some(b'{') => invoice_connector_support::json::from_body(body)
            .map(Payload::Legacy)
            .map_err(bad),
        _ => Err(QboError::Body(
            "body is neither a JSON object nor a CloudEvents array".into(),
        )),
    }
}

/// Parses Intuit's timestamps: RFC 3339 (`2026-01-14T09:12:44.000Z`,
/// `2014-09-19T13:16:17-07:00`) and the webhook form with a colon-less offset
/// (`2015-10-05T14:42:19-0700`). A time without an offset is taken as UTC.
pub fn parse_time(text: &str) -> Option<DateTime<Utc>> {
    let text = text.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(text) {
        return Some(t.with_timezone(&Utc));
    }
    if let Ok(t) = DateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%.f%z") {
        return Some(t.with_timezone(&Utc));
    }
    NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%.f")
        .ok()
        .map(|t| t.and_utc())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn times_in_every_intuit_form() {
        let want = Utc.with_ymd_and_hms(2015, 10, 5, 21, 42, 19).unwrap();
        assert_eq!(parse_time("2015-10-05T14:42:19-0700"), Some(want));
        assert_eq!(parse_time("2015-10-05T14:42:19-07:00"), Some(want));
        assert_eq!(parse_time("2015-10-05T21:42:19.000Z"), Some(want));
        assert_eq!(parse_time("2015-10-05T21:42:19"), Some(want));
        assert_eq!(parse_time("yesterday"), None);
    }

    #[test]
    fn format_detection() {
        assert!(matches!(
            parse(b" [ ]").unwrap(),
            Payload::CloudEvents(v) if v.is_empty()
        ));
        assert!(matches!(
            parse(br#"{"eventNotifications":[]}"#).unwrap(),
            Payload::Legacy(_)
        ));
        assert!(parse(b"").is_err());
        assert!(parse(b"\"x\"").is_err());
    }
}
