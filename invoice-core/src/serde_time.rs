//! Faster `Serialize` for chrono's `DateTime<Utc>` and `NaiveDate`, byte for byte the
//! same text as chrono's own.
//!
//! chrono serializes both with `collect_str`: its formatter writes a date in a dozen small
//! pieces, and `serde_json` escape-checks each piece on its own. On the relay's request
//! path that was about a third of the time spent serializing a state, an audit record or
//! a portal update. Here chrono's own formatting writes into a buffer first, and the
//! serializer gets one string. Used with `#[serde(serialize_with = "...")]`; reading stays
//! chrono's. The tests compare the output with chrono's serializer over the whole range.

use std::fmt::Write as _;

use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use serde::{Serialize, Serializer};

/// A `fmt::Write` into a fixed buffer; fails (instead of growing) when the text is longer.
struct StackText {
    buf: [u8; 32],
    len: usize,
}

impl StackText {
    fn new() -> Self {
        StackText {
            buf: [0; 32],
            len: 0,
        }
    }

    fn as_str(&self) -> Option<&str> {
        std::str::from_utf8(&self.buf[..self.len]).ok()
    }
}

impl std::fmt::Write for StackText {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        let end = self.len + s.len();
        let dst = self.buf.get_mut(self.len..end).ok_or(std::fmt::Error)?;
        dst.copy_from_slice(s.as_bytes());
        self.len = end;
        Ok(())
    }
}

/// `DateTime<Utc>` as chrono serializes it: RFC 3339 with `Z`, fractional seconds only
/// when not zero (3, 6 or 9 digits). chrono's serializer and `to_rfc3339_opts` share one
/// writer.
pub(crate) fn datetime<S: Serializer>(t: &DateTime<Utc>, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&t.to_rfc3339_opts(SecondsFormat::AutoSi, true))
}

/// `NaiveDate` as chrono serializes it (its `Debug` text: `2026-04-01`, a sign and five
/// or more digits outside years 0 to 9999).
pub(crate) fn date<S: Serializer>(d: &NaiveDate, s: S) -> Result<S::Ok, S::Error> {
    let mut text = StackText::new();
    match write!(text, "{d:?}").ok().and_then(|()| text.as_str()) {
        Some(t) => s.serialize_str(t),
        None => d.serialize(s),
    }
}

/// [`date`] of an `Option`.
pub(crate) fn opt_date<S: Serializer>(d: &Option<NaiveDate>, s: S) -> Result<S::Ok, S::Error> {
    match d {
        Some(d) => s.serialize_some(&Date(*d)),
        None => s.serialize_none(),
    }
}

/// A date serialized with [`date`].
struct Date(NaiveDate);

impl Serialize for Date {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        date(&self.0, s)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use chrono::{Datelike, TimeZone};
    use proptest::prelude::*;

    use super::*;

    #[derive(Serialize)]
    struct Ours {
        #[serde(serialize_with = "datetime")]
        t: DateTime<Utc>,
        #[serde(serialize_with = "opt_date")]
        d: Option<NaiveDate>,
    }

    #[derive(Serialize)]
    struct Chronos {
        t: DateTime<Utc>,
        d: Option<NaiveDate>,
    }

    fn same(t: DateTime<Utc>, d: Option<NaiveDate>) {
        let ours = serde_json::to_string(&Ours { t, d }).unwrap();
        let theirs = serde_json::to_string(&Chronos { t, d }).unwrap();
        assert_eq!(ours, theirs);
    }

    #[test]
    fn the_usual_forms_match_chrono() {
        let t = Utc.with_ymd_and_hms(2026, 12, 7, 12, 15, 28).unwrap();
        same(t, NaiveDate::from_ymd_opt(2026, 4, 1));
        same(t + chrono::Duration::milliseconds(5), None);
        same(t + chrono::Duration::microseconds(5), None);
        same(t + chrono::Duration::nanoseconds(5), None);
        same(DateTime::<Utc>::MIN_UTC, Some(NaiveDate::MIN));
        same(DateTime::<Utc>::MAX_UTC, Some(NaiveDate::MAX));
        let before_zero = NaiveDate::from_ymd_opt(-1, 1, 1).unwrap();
        same(
            before_zero.and_hms_opt(0, 0, 0).unwrap().and_utc(),
            Some(before_zero),
        );
        // A leap second (chrono keeps it in the nanoseconds).
        let leap = NaiveDate::from_ymd_opt(2016, 12, 31)
            .unwrap()
            .and_hms_nano_opt(23, 59, 59, 1_500_000_000)
            .unwrap()
            .and_utc();
        same(leap, None);
        assert_eq!(
            serde_json::to_string(&Ours { t, d: None }).unwrap(),
            r#"{"t":"2026-12-07T12:15:28Z","d":null}"#
        );
    }

    proptest! {
        /// Any instant and any date chrono can hold serialize to chrono's bytes.
        #[test]
        fn every_instant_and_date_matches_chrono(
            secs in DateTime::<Utc>::MIN_UTC.timestamp()..=DateTime::<Utc>::MAX_UTC.timestamp(),
            nanos in prop_oneof![Just(0u32), 0u32..1_000_000_000, (0u32..1000).prop_map(|m| m * 1_000_000)],
            days in (NaiveDate::MIN.num_days_from_ce())..=(NaiveDate::MAX.num_days_from_ce()),
        ) {
            let t = DateTime::<Utc>::from_timestamp(secs, nanos).unwrap();
            let d = NaiveDate::from_num_days_from_ce_opt(days);
            same(t, d);
        }
    }
}
