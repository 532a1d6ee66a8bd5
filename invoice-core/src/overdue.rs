//! Overdue rules: "N days past due" thresholds evaluated in a time zone against a given
//! clock. Pure logic; the relay's scheduler runs it.

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use crate::{EventDetail, EventKind, InvoiceEvent, InvoiceState, Lifecycle};

/// The ERP rule: which days-past-due thresholds are dunning levels, after how many grace
/// days, in which time zone a "day" is counted.
///
/// ```
/// use invoice_core::OverduePolicy;
/// let p = OverduePolicy::new(vec![30, 1, 60]);
/// assert_eq!(p.levels(), &[1, 30, 60]);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OverduePolicy {
    levels: Vec<u32>,
    /// Days added to every threshold before it counts.
    pub grace_days: u32,
    /// The zone whose calendar days count (the finance team's).
    pub time_zone: Tz,
}

impl OverduePolicy {
    /// A policy with these thresholds (sorted, deduplicated; 0 is dropped), no grace, UTC.
    pub fn new(mut levels: Vec<u32>) -> Self {
        levels.retain(|l| *l > 0);
        levels.sort_unstable();
        levels.dedup();
        OverduePolicy {
            levels,
            grace_days: 0,
            time_zone: Tz::UTC,
        }
    }

    /// Sets the grace days.
    pub fn with_grace_days(mut self, days: u32) -> Self {
        self.grace_days = days;
        self
    }

    /// Sets the time zone.
    pub fn with_time_zone(mut self, tz: Tz) -> Self {
        self.time_zone = tz;
        self
    }

    /// The thresholds, ascending.
    pub fn levels(&self) -> &[u32] {
        &self.levels
    }

    /// Days past due at `now`, counted in calendar days of the policy's zone.
    pub fn days_past_due(&self, due: NaiveDate, now: DateTime<Utc>) -> i64 {
        let today = now.with_timezone(&self.time_zone).date_naive();
        (today - due).num_days()
    }

    /// The `overdue` event this invoice should get now, if it reached a level above the
    /// one it has. Emits each level once: applying the event records the level, and the
    /// event id and time are derived from the level, so re-evaluating after a restart
    /// produces the same event (deduplicated).
    pub fn evaluate(&self, state: &InvoiceState, now: DateTime<Utc>) -> Option<InvoiceEvent> {
        if !matches!(state.lifecycle, Lifecycle::Open | Lifecycle::PartiallyPaid)
            || state.balance <= rust_decimal::Decimal::ZERO
        {
            return None;
        }
        let due = state.due_date?;
        let days = self.days_past_due(due, now);
        let current = state.overdue.map(|o| o.level).unwrap_or(0);
        let level = *self
            .levels
            .iter()
            .rev()
            .find(|l| days >= i64::from(**l) + i64::from(self.grace_days))?;
        if level <= current {
            return None;
        }
        let reached_on = due + Duration::days(i64::from(level) + i64::from(self.grace_days));
        let occurred_at = self.start_of_day(reached_on)?;
        let mut event = InvoiceEvent::new(
            state.key.clone(),
            EventKind::Overdue,
            occurred_at,
            format!("overdue:{}:{}", state.key.id, level),
        )
        .with_detail(EventDetail::Overdue {
            days_past_due: u32::try_from(days).unwrap_or(u32::MAX),
            level,
        });
        event.received_at = now;
        Some(event)
    }

    fn start_of_day(&self, date: NaiveDate) -> Option<DateTime<Utc>> {
        let midnight = date.and_hms_opt(0, 0, 0)?;
        self.time_zone
            .from_local_datetime(&midnight)
            .earliest()
            .map(|t| t.with_timezone(&Utc))
    }
}

impl Default for OverduePolicy {
    /// One level: 30 days past due.
    fn default() -> Self {
        OverduePolicy::new(vec![30])
    }
}
