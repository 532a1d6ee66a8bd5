//! The demo's story: Brightline Anodizing & Plating and its B2B clients. Dates are relative
//! to today, so the overdue rules find invoices 30+ days past due on every run.

use chrono::{DateTime, Duration, NaiveDate, Utc};

/// The shop and "now".
#[derive(Debug, Clone)]
pub struct Story {
    /// When the demo runs.
    pub now: DateTime<Utc>,
}

impl Story {
    /// The story as of `now`.
    pub fn new(now: DateTime<Utc>) -> Self {
        Story { now }
    }

    /// `days` days before now, at `hour`:00 UTC.
    pub fn days_ago(&self, days: i64, hour: u32) -> DateTime<Utc> {
        let day = (self.now - Duration::days(days)).date_naive();
        day.and_hms_opt(hour.min(23), 0, 0)
            .map(|t| t.and_utc())
            .unwrap_or(self.now)
    }

    /// The calendar date `days` from today (negative: in the past).
    pub fn date_in(&self, days: i64) -> NaiveDate {
        (self.now + Duration::days(days)).date_naive()
    }
}

/// The shop's name, for the banner.
pub const SHOP: &str = "Brightline Anodizing & Plating";
