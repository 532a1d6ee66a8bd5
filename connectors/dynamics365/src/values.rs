//! Dataverse's typed attribute values as the DataContract JSON serializer writes them:
//! `{"__type":"OptionSetValue:http://schemas.microsoft.com/xrm/2011/Contracts","Value":2}`,
//! `{"__type":"Money:...","Value":1250.5}`, `{"__type":"EntityReference:...","Id":...,
//! "LogicalName":"account","Name":"Acme"}`, dates as `"/Date(1768471198000)/"` (an
//! optional `+hhmm` / `-hhmm` suffix names the sender's offset; the milliseconds are UTC).
//! Each reader returns `None` for a shape it does not know, never an error.

use std::borrow::Cow;
use std::str::FromStr;

use chrono::{DateTime, NaiveDate, Utc};
use invoice_connector_support::json::Text;
use rust_decimal::Decimal;
use serde::Deserialize;
use serde_json::value::RawValue;

#[derive(Deserialize)]
struct Valued<'a> {
    #[serde(rename = "Value", borrow)]
    value: &'a RawValue,
}

/// An `EntityReference`.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
pub struct EntityReference {
    /// The record id (GUID).
    #[serde(rename = "Id", default)]
    pub id: Option<String>,
    /// The table (`account`, `contact`, `transactioncurrency`).
    #[serde(rename = "LogicalName", default)]
    pub logical_name: Option<String>,
    /// The primary name, when Dataverse fills it in.
    #[serde(rename = "Name", default)]
    pub name: Option<String>,
}

/// An option set value (`statecode`, `statuscode`): the object form, or a bare integer.
pub fn option(raw: &RawValue) -> Option<i64> {
    // An object is never a bare integer: it is read as one only when it is none (a failed
    // parse costs an error's allocation).
    if !is_object(raw) {
        return serde_json::from_str::<i64>(raw.get()).ok();
    }
    let v: Valued<'_> = serde_json::from_str(raw.get()).ok()?;
    serde_json::from_str::<i64>(v.value.get()).ok()
}

/// A Money value (object form) or a bare number / numeric string, exactly as written.
pub fn money(raw: &RawValue) -> Option<Decimal> {
    // Only an object can be a `Valued`; anything else is the token itself.
    let token = match is_object(raw).then(|| serde_json::from_str::<Valued<'_>>(raw.get())) {
        Some(Ok(v)) => v.value,
        _ => raw,
    };
    number(token)
}

/// A JSON number or numeric string as a `Decimal`, without going through `f64`.
pub fn number(raw: &RawValue) -> Option<Decimal> {
    let t = raw.get().trim();
    let owned;
    let text = if t.starts_with('"') {
        owned = serde_json::from_str::<String>(t).ok()?;
        owned.trim()
    } else {
        t
    };
    if text.is_empty() || text.len() > 40 {
        return None;
    }
    if text.contains(['e', 'E']) {
        Decimal::from_scientific(text).ok()
    } else {
        Decimal::from_str(text).ok()
    }
}

/// An `EntityReference`, if `raw` is one.
pub fn reference(raw: &RawValue) -> Option<EntityReference> {
    if !is_object(raw) {
        return None;
    }
    serde_json::from_str::<EntityReference>(raw.get())
        .ok()
        .filter(|r| r.id.is_some())
}

/// A string value.
pub fn text(raw: &RawValue) -> Option<String> {
    serde_json::from_str::<String>(raw.get()).ok()
}

/// True when the raw JSON value is an object (a raw value starts at its first token).
fn is_object(raw: &RawValue) -> bool {
    raw.get().starts_with('{')
}

/// A string value, borrowed unless it has escapes.
fn text_ref(raw: &RawValue) -> Option<Cow<'_, str>> {
    serde_json::from_str::<Text<'_>>(raw.get())
        .ok()
        .map(|t| t.0)
}

/// A `/Date(ms)/` or `/Date(ms+hhmm)/` string (also an ISO 8601 one) as UTC.
pub fn date_time(raw: &RawValue) -> Option<DateTime<Utc>> {
    parse_date_time(&text_ref(raw)?)
}

/// Parses `/Date(ms)/`, `/Date(ms-0700)/` or RFC 3339.
pub fn parse_date_time(s: &str) -> Option<DateTime<Utc>> {
    let s = s.trim();
    if let Some(inner) = s.strip_prefix("/Date(").and_then(|r| r.strip_suffix(")/")) {
        let digits_end = inner
            .char_indices()
            .skip(1)
            .find(|(_, c)| *c == '+' || *c == '-')
            .map_or(inner.len(), |(i, _)| i);
        let (ms, offset) = inner.split_at(digits_end);
        let offset_ok = offset.is_empty()
            || (offset.len() == 5 && offset[1..].bytes().all(|b| b.is_ascii_digit()));
        if !offset_ok {
            return None;
        }
        let ms: i64 = ms.parse().ok()?;
        return DateTime::<Utc>::from_timestamp_millis(ms);
    }
    DateTime::parse_from_rfc3339(s)
        .ok()
        .map(|d| d.with_timezone(&Utc))
}

/// A date-only column. Dataverse sends a date as an instant: midnight UTC for "Date
/// Only" columns, the user's local midnight for "User Local" ones. The nearest UTC
/// midnight is taken, which gives the calendar date for any offset under 12 hours.
/// A plain `YYYY-MM-DD` (the flow) is read as is.
pub fn date(raw: &RawValue) -> Option<NaiveDate> {
    let s = text_ref(raw)?;
    let s = s.trim();
    if s.len() == 10 {
        return NaiveDate::parse_from_str(s, "%Y-%m-%d").ok();
    }
    let t = parse_date_time(s)?;
    let shifted = t.checked_add_signed(chrono::Duration::hours(12))?;
    Some(shifted.date_naive())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // tests may unwrap (see the workspace lints)
mod tests {
    use super::*;

    fn raw(s: &str) -> Box<RawValue> {
        serde_json::from_str(s).unwrap()
    }

    #[test]
    fn wcf_dates_with_and_without_offset() {
        let t = parse_date_time("/Date(1506409448000-0700)/").unwrap();
        assert_eq!(t.timestamp_millis(), 1_506_409_448_000);
        assert_eq!(
            date_time(&raw(r#""\/Date(1768471198000)\/""#))
                .unwrap()
                .to_rfc3339(),
            "2026-01-15T09:59:58+00:00"
        );
        assert!(parse_date_time("/Date(12x)/").is_none());
        assert!(parse_date_time("/Date(12+7)/").is_none());
        assert!(parse_date_time("/Date(-99999999999999999999)/").is_none());
    }

    #[test]
    fn date_only_values_take_the_nearest_midnight() {
        // 2026-01-17T00:00Z, 2026-01-16T23:00Z (UTC+1 local midnight), 2026-01-17T05:00Z (UTC-5).
        for v in ["1768608000000", "1768604400000", "1768626000000"] {
            let d = date(&raw(&format!(r#""\/Date({v})\/""#))).unwrap();
            assert_eq!(d.to_string(), "2026-01-17", "{v}");
        }
        assert_eq!(
            date(&raw(r#""2026-01-17""#)).unwrap().to_string(),
            "2026-01-17"
        );
    }

    #[test]
    fn typed_values() {
        let os = raw(
            r#"{"__type":"OptionSetValue:http:\/\/schemas.microsoft.com\/xrm\/2011\/Contracts","Value":100001}"#,
        );
        assert_eq!(option(&os), Some(100_001));
        assert_eq!(option(&raw("2")), Some(2));
        assert_eq!(option(&raw(r#""2""#)), None);
        assert_eq!(option(&raw(r#"{"Value":"2"}"#)), None);
        assert_eq!(option(&raw(" {\"Value\":3}")), Some(3));
        assert_eq!(option(&raw("[2]")), None);
        let m = raw(
            r#"{"__type":"Money:http:\/\/schemas.microsoft.com\/xrm\/2011\/Contracts","Value":1250.10}"#,
        );
        assert_eq!(money(&m).unwrap().to_string(), "1250.10");
        assert_eq!(money(&raw("1e2")).unwrap().to_string(), "100");
        assert_eq!(money(&raw("true")), None);
        assert_eq!(money(&raw(r#""12.50""#)).unwrap().to_string(), "12.50");
        assert_eq!(money(&raw(r#"{"Other":1}"#)), None);
        assert_eq!(date_time(&raw("12")), None);
        assert_eq!(reference(&raw(r#""a1""#)), None);
        let r = raw(
            r#"{"__type":"EntityReference:x","Id":"a1","LogicalName":"account","Name":"Acme"}"#,
        );
        assert_eq!(reference(&r).unwrap().name.as_deref(), Some("Acme"));
        assert_eq!(reference(&raw("null")), None);
    }
}
