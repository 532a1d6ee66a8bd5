//! ServiceNow state choice values -> canonical events. Invoice tables are instance-specific,
//! so the values are too: the built-in words below cover common choice lists, and
//! `[sources.servicenow] states` maps any other value.
//!
//! | choice value (built-in, case- and separator-insensitive) | canonical | event | snapshot lifecycle |
//! | --- | --- | --- | --- |
//! | `draft`, `new`, `pending_approval` | `draft` | `updated` | `draft` |
//! | `open`, `issued`, `sent`, `approved`, `posted`, `submitted`, `unpaid` | `open` | `issued` (`payment_received` when 0 < paid < total) | `open` / `partially_paid` |
//! | `partially_paid`, `partial`, `part_paid` | `partially_paid` | `payment_received` | `partially_paid` |
//! | `paid`, `paid_in_full`, `settled`, `closed_complete` | `paid` | `paid` | `paid` |
//! | `overdue`, `past_due` | `overdue` | `overdue` (days past `due_date`) | `open` / `partially_paid` |
//! | `disputed`, `in_dispute` | `disputed` | `disputed` | from the amounts |
//! | `cancelled`, `canceled`, `void`, `voided`, `closed_cancelled` | `void` | `voided` | `void` |
//! | `written_off`, `uncollectible`, `bad_debt` | `written_off` | `written_off` | `uncollectible` |
//! | a deleted record (`operation` `delete`) | | `voided` | `void` |
//! | anything else (or a value mapped to `ignore`) | | skipped, with the value | |
//!
//! Paid = `amount_paid` when the post carries it (the table has such a field), else the
//! total for `paid` and 0 otherwise. Event id: `<table>/<sys_id>:<sys_mod_count>` (a
//! re-post of the same version, a retry or a resync, is a duplicate). Source version:
//! `sys_mod_count`, which increases on every update. `occurred_at`: `sys_updated_on`.

use std::collections::BTreeMap;
use std::str::FromStr;

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use invoice_connector_support::json::present;
use invoice_core::{
    Currency, Customer, EventDetail, EventKind, InvoiceEvent, InvoiceKey, InvoiceSnapshot,
    Lifecycle, Platform, Skipped, TenantId,
};
use rust_decimal::{Decimal, RoundingStrategy};
use serde_json::value::RawValue;

use crate::payload::{Post, Record};

/// A canonical status word.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Canonical {
    /// Not yet issued.
    Draft,
    /// Issued.
    Open,
    /// Partly paid.
    PartiallyPaid,
    /// Paid.
    Paid,
    /// Past due.
    Overdue,
    /// Under dispute.
    Disputed,
    /// Cancelled.
    Void,
    /// Written off.
    WrittenOff,
    /// Skipped on purpose.
    Ignore,
}

fn key(text: &str) -> String {
    text.chars()
        .filter(|c| !c.is_whitespace() && *c != '_' && *c != '-')
        .flat_map(char::to_lowercase)
        .collect()
}

impl Canonical {
    /// A canonical word of the config (`partially_paid`, `written_off`, ...).
    pub fn parse(word: &str) -> Option<Canonical> {
        Some(match key(word).as_str() {
            "draft" => Canonical::Draft,
            "open" => Canonical::Open,
            "partiallypaid" => Canonical::PartiallyPaid,
            "paid" => Canonical::Paid,
            "overdue" => Canonical::Overdue,
            "disputed" => Canonical::Disputed,
            "void" => Canonical::Void,
            "writtenoff" => Canonical::WrittenOff,
            "ignore" => Canonical::Ignore,
            _ => return None,
        })
    }

    /// The built-in reading of a choice value.
    pub fn builtin(value: &str) -> Option<Canonical> {
        Some(match key(value).as_str() {
            "draft" | "new" | "pendingapproval" => Canonical::Draft,
            "open" | "issued" | "sent" | "approved" | "posted" | "submitted" | "unpaid" => {
                Canonical::Open
            }
            "partiallypaid" | "partial" | "partpaid" => Canonical::PartiallyPaid,
            "paid" | "paidinfull" | "settled" | "closedcomplete" => Canonical::Paid,
            "overdue" | "pastdue" => Canonical::Overdue,
            "disputed" | "indispute" => Canonical::Disputed,
            "cancelled" | "canceled" | "void" | "voided" | "closedcancelled" => Canonical::Void,
            "writtenoff" | "uncollectible" | "baddebt" => Canonical::WrittenOff,
            _ => return None,
        })
    }
}

/// How posts are read.
#[derive(Debug, Clone, Copy)]
pub struct Rules<'a> {
    /// Currency of records without one.
    pub default_currency: Option<Currency>,
    /// Configured choice values (lower case) -> canonical.
    pub states: &'a BTreeMap<String, Canonical>,
}

/// What one post maps to.
#[derive(Debug, Default)]
pub struct Mapped {
    /// One event per readable record.
    pub events: Vec<InvoiceEvent>,
    /// Records not applied, with reasons.
    pub skipped: Vec<Skipped>,
}

/// A decimal string or number, without `f64`.
pub fn amount(raw: &RawValue) -> Option<Decimal> {
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

/// `YYYY-MM-DD HH:MM:SS` (UTC, as `getValue` gives it) or RFC 3339.
pub fn updated_on(text: &str) -> Option<DateTime<Utc>> {
    let t = text.trim();
    NaiveDateTime::parse_from_str(t, "%Y-%m-%d %H:%M:%S")
        .map(|n| n.and_utc())
        .ok()
        .or_else(|| {
            DateTime::parse_from_rfc3339(t)
                .ok()
                .map(|d| d.with_timezone(&Utc))
        })
}

fn mod_count(raw: Option<&RawValue>) -> Option<u64> {
    let r = present(raw)?;
    let t = r.get().trim();
    let owned;
    let text = if t.starts_with('"') {
        owned = serde_json::from_str::<String>(t).ok()?;
        owned
    } else {
        t.to_owned()
    };
    text.trim().parse::<u64>().ok()
}

/// Maps a verified post; `now` stands in when a record carries no time.
pub fn map_post(
    post: &Post<'_>,
    tenant: &TenantId,
    rules: Rules<'_>,
    now: DateTime<Utc>,
) -> Mapped {
    let mut out = Mapped::default();
    // Exact capacity: a first push would reserve four 432-byte events, past the
    // allocator's small-size cache.
    out.events.reserve_exact(post.records.len());
    for rec in &post.records {
        let version = mod_count(rec.sys_mod_count);
        let sys_id = rec.sys_id.trim().to_ascii_lowercase();
        let id = match version {
            Some(v) => format!("{}/{}:{}", post.table, sys_id, v),
            None => format!("{}/{}:-", post.table, sys_id),
        };
        let updated = rec.sys_updated_on.as_deref().and_then(updated_on);
        let occurred_at = updated.unwrap_or(now);
        let fail = |reason: String, out: &mut Mapped| {
            out.skipped.push(Skipped {
                event_id: id.clone(),
                event_type: format!(
                    "{}.{}:{}",
                    post.table,
                    rec.operation.as_deref().unwrap_or("-"),
                    rec.state.as_deref().unwrap_or("-")
                ),
                reason,
            })
        };
        if sys_id.is_empty() || sys_id.len() > 64 {
            fail("no sys_id".into(), &mut out);
            continue;
        }
        match record(rec, rules, occurred_at) {
            Ok((kind, snapshot, detail)) => {
                let mut e = InvoiceEvent::new(
                    InvoiceKey {
                        platform: Platform::Servicenow,
                        tenant: tenant.clone(),
                        id: sys_id,
                    },
                    kind,
                    occurred_at,
                    id,
                )
                .with_snapshot(snapshot)
                .with_detail(detail);
                e.source_version = version;
                if let Some(n) = rec.number.as_deref().filter(|n| !n.is_empty()) {
                    e.correlation.invoice_number = Some(n.to_owned());
                }
                out.events.push(e);
            }
            Err(reason) => fail(reason, &mut out),
        }
    }
    out
}

fn rounded(v: Decimal, currency: Currency) -> Decimal {
    let exp = currency.exponent();
    let mut v = v.round_dp_with_strategy(exp, RoundingStrategy::MidpointAwayFromZero);
    v.rescale(exp);
    v
}

fn from_amounts(total: Decimal, paid: Decimal) -> Lifecycle {
    if paid >= total && total > Decimal::ZERO {
        Lifecycle::Paid
    } else if paid > Decimal::ZERO {
        Lifecycle::PartiallyPaid
    } else {
        Lifecycle::Open
    }
}

fn record(
    rec: &Record<'_>,
    rules: Rules<'_>,
    at: DateTime<Utc>,
) -> Result<(EventKind, InvoiceSnapshot, EventDetail), String> {
    let deleted = rec.operation.as_deref() == Some("delete");
    let value = rec.state.as_deref().unwrap_or("").trim();
    let canonical = if deleted {
        Canonical::Void
    } else {
        rules
            .states
            .get(&value.to_lowercase())
            .copied()
            .or_else(|| Canonical::builtin(value))
            .ok_or_else(|| {
                format!(
                    "state `{}` is not mapped",
                    value.chars().take(64).collect::<String>()
                )
            })?
    };
    if canonical == Canonical::Ignore {
        return Err(format!("state `{value}` is mapped to ignore"));
    }
    let currency = match rec
        .currency
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty())
    {
        Some(c) => Currency::new(c).map_err(|_| {
            format!(
                "currency `{}` is not an ISO code",
                c.chars().take(8).collect::<String>()
            )
        })?,
        None => rules
            .default_currency
            .ok_or("no currency: set sources.servicenow.default_currency")?,
    };
    let total = present(rec.amount)
        .ok_or("no amount")
        .and_then(|r| amount(r).ok_or("amount is not a number"))?;
    let total = rounded(total, currency);
    let paid_field = match present(rec.amount_paid) {
        Some(r) => Some(rounded(
            amount(r).ok_or("amount_paid is not a number")?,
            currency,
        )),
        None => None,
    };
    let zero = Decimal::new(0, currency.exponent());
    let paid = match (canonical, paid_field) {
        (Canonical::Paid, None) => total,
        (_, Some(p)) => p.clamp(zero, total.max(zero)),
        (_, None) => zero,
    };
    let due_date = rec
        .due_date
        .as_deref()
        .map(str::trim)
        .filter(|d| !d.is_empty())
        .map(|d| {
            d.get(..10)
                .and_then(|h| NaiveDate::parse_from_str(h, "%Y-%m-%d").ok())
                .ok_or_else(|| "due_date is not YYYY-MM-DD".to_owned())
        })
        .transpose()?;
    let owed = || match from_amounts(total, paid) {
        Lifecycle::Paid => Lifecycle::Open,
        l => l,
    };
    let (kind, lifecycle, detail) = match canonical {
        Canonical::Draft => (EventKind::Updated, Lifecycle::Draft, EventDetail::None),
        Canonical::Open if owed() == Lifecycle::PartiallyPaid => (
            EventKind::PaymentReceived,
            Lifecycle::PartiallyPaid,
            EventDetail::None,
        ),
        Canonical::Open => (EventKind::Issued, Lifecycle::Open, EventDetail::None),
        Canonical::PartiallyPaid => (
            EventKind::PaymentReceived,
            Lifecycle::PartiallyPaid,
            EventDetail::None,
        ),
        Canonical::Paid => (EventKind::Paid, Lifecycle::Paid, EventDetail::None),
        Canonical::Overdue => {
            let days = due_date
                .map(|d| (at.date_naive() - d).num_days().max(1))
                .unwrap_or(1);
            let days = u32::try_from(days).unwrap_or(u32::MAX);
            (
                EventKind::Overdue,
                owed(),
                EventDetail::Overdue {
                    days_past_due: days,
                    level: days,
                },
            )
        }
        Canonical::Disputed => (
            EventKind::Disputed,
            from_amounts(total, paid),
            EventDetail::Dispute {
                dispute_id: format!("{}:state", rec.sys_id.trim().to_ascii_lowercase()),
                amount: None,
                reason: rec.state_display.as_deref().map(str::to_owned),
            },
        ),
        Canonical::Void => (EventKind::Voided, Lifecycle::Void, EventDetail::None),
        Canonical::WrittenOff => (
            EventKind::WrittenOff,
            Lifecycle::Uncollectible,
            EventDetail::None,
        ),
        Canonical::Ignore => return Err("ignored".into()),
    };
    let account = rec.account.as_ref();
    Ok((
        kind,
        InvoiceSnapshot {
            number: rec
                .number
                .as_deref()
                .filter(|n| !n.is_empty())
                .map(str::to_owned),
            customer: Customer {
                platform_id: account
                    .and_then(|a| a.sys_id.as_deref())
                    .map(str::to_owned)
                    .unwrap_or_default(),
                name: account.and_then(|a| a.name.as_deref()).map(str::to_owned),
                portal_account: None,
            },
            currency,
            total,
            paid,
            credited: Decimal::ZERO,
            refunded: Decimal::ZERO,
            due_date,
            lifecycle,
        },
        detail,
    ))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // tests may unwrap (see the workspace lints)
mod tests {
    use super::*;

    #[test]
    fn builtin_words_and_config_words() {
        assert_eq!(
            Canonical::builtin("Partially Paid"),
            Some(Canonical::PartiallyPaid)
        );
        assert_eq!(Canonical::builtin("closed_complete"), Some(Canonical::Paid));
        assert_eq!(Canonical::builtin("CANCELED"), Some(Canonical::Void));
        assert_eq!(Canonical::builtin("7"), None);
        assert_eq!(Canonical::parse("written_off"), Some(Canonical::WrittenOff));
        assert_eq!(Canonical::parse("closed"), None);
    }

    #[test]
    fn updated_on_formats() {
        assert_eq!(
            updated_on("2026-01-15 09:59:58").unwrap().to_rfc3339(),
            "2026-01-15T09:59:58+00:00"
        );
        assert!(updated_on("15.01.2026 09:59").is_none());
    }
}
