//! Jira issue events -> canonical events.
//!
//! Workflow statuses are instance-defined; `statuses` maps each (by name, or id) to a
//! canonical word. Issues whose status is not mapped are skipped and audited (they are
//! not invoices, or not yet). A mapped issue always yields its snapshot; the event kind
//! says what the status change was:
//!
//! | word | lifecycle | kind when the changelog has a status change | extra event |
//! | --- | --- | --- | --- |
//! | `draft` | draft | `updated` | |
//! | `open` | open (partially paid if a paid amount is below the total) | `issued` | |
//! | `partially_paid` | partially paid | `payment_received` | |
//! | `paid` | paid | `paid` | |
//! | `void` | void | `voided` | |
//! | `uncollectible` | uncollectible | `written_off` | |
//! | `refunded` | refunded | `refunded` | |
//! | `overdue` | from amounts | `updated` | `overdue` (days past the due date) |
//! | `disputed` | from amounts | `updated` | `disputed` |
//!
//! `jira:issue_created` counts as a status change (to its first status). Without a status
//! change (an amount edited, say) the kind is `updated`.
//! `jira:issue_deleted` and non-issue events are skipped.

use std::str::FromStr;

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use invoice_core::{
    Currency, Customer, EventDetail, EventKind, InvoiceEvent, InvoiceKey, InvoiceSnapshot,
    Lifecycle, Platform, Skipped, SourceError, TenantId,
};
use rust_decimal::Decimal;
use serde_json::value::RawValue;

use crate::config::JsmConfig;
use crate::payload::{Event, Issue, Status};

/// What one event maps to.
#[derive(Debug, Default)]
pub struct Mapped {
    /// Canonical events.
    pub events: Vec<InvoiceEvent>,
    /// Recognised, not applied.
    pub skipped: Vec<Skipped>,
}

fn malformed(what: &str) -> SourceError {
    SourceError::Malformed(what.to_owned())
}

/// A field as text: a string, a number's digits, or an option's `value` / `name`.
fn text(raw: Option<&&RawValue>) -> Option<String> {
    let v: serde_json::Value = serde_json::from_str(raw?.get()).ok()?;
    let s = match &v {
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Number(n) => n.to_string(),
        serde_json::Value::Object(o) => o
            .get("value")
            .or_else(|| o.get("name"))
            .and_then(|x| x.as_str())
            .map(str::to_owned)?,
        serde_json::Value::Array(a) => a.first().and_then(|x| {
            x.get("value")
                .or_else(|| x.get("name"))
                .and_then(|x| x.as_str())
                .map(str::to_owned)
        })?,
        _ => return None,
    };
    let s = s.trim().to_owned();
    (!s.is_empty()).then_some(s)
}

/// A number field from its JSON digits (`1250.0` stays `1250.0`, never through `f64`).
fn amount(issue: &Issue<'_>, field: Option<&str>) -> Result<Option<Decimal>, SourceError> {
    let Some(raw) = field.and_then(|f| issue.fields.get(f)) else {
        return Ok(None);
    };
    let t = raw.get().trim().trim_matches('"');
    if t == "null" {
        return Ok(None);
    }
    Decimal::from_str(t)
        .or_else(|_| Decimal::from_scientific(t))
        .map(Some)
        .map_err(|_| malformed("amount field is not a number"))
}

/// `2026-01-15T10:59:55.407+0000` (Jira's format) or RFC 3339.
pub fn parse_jira_time(t: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_str(t, "%Y-%m-%dT%H:%M:%S%.f%z")
        .or_else(|_| DateTime::parse_from_rfc3339(t))
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

/// The tenant: `site`, else the host of `issue.self`.
pub fn site_of(issue: &Issue<'_>) -> Option<String> {
    let u = url::Url::parse(issue.self_url.as_deref()?).ok()?;
    u.host_str().map(str::to_owned)
}

/// Maps a verified event; `event_id` is the webhook identifier or a derived id.
pub fn map_event(
    e: &Event<'_>,
    tenant: &TenantId,
    config: &JsmConfig,
    event_id: Option<&str>,
    now: DateTime<Utc>,
) -> Result<Mapped, SourceError> {
    let mut out = Mapped::default();
    let ty = e.webhook_event.as_deref().unwrap_or("automation:issue");
    let Some(issue) = &e.issue else {
        out.skipped.push(Skipped {
            event_id: event_id.unwrap_or("no-issue").to_owned(),
            event_type: ty.to_owned(),
            reason: "event carries no issue".into(),
        });
        return Ok(out);
    };
    let updated = issue
        .fields
        .get("updated")
        .and_then(|r| serde_json::from_str::<String>(r.get()).ok())
        .and_then(|t| parse_jira_time(&t));
    let stamp = e
        .timestamp
        .and_then(|ms| Utc.timestamp_millis_opt(ms).single());
    let occurred_at = updated.or(stamp).unwrap_or(now);
    let id = event_id
        .map(str::to_owned)
        .unwrap_or_else(|| format!("{}@{}", issue.id, occurred_at.timestamp_millis()));
    let skip = |reason: String| Skipped {
        event_id: id.clone(),
        event_type: ty.to_owned(),
        reason,
    };
    if !matches!(
        ty,
        "jira:issue_created" | "jira:issue_updated" | "automation:issue"
    ) {
        out.skipped.push(skip("event type not mapped".into()));
        return Ok(out);
    }
    if !config.projects.is_empty() {
        let project = issue
            .key
            .as_deref()
            .and_then(|k| k.split_once('-'))
            .map(|(p, _)| p);
        if !project.is_some_and(|p| config.projects.iter().any(|c| c == p)) {
            out.skipped.push(skip("project not tracked".into()));
            return Ok(out);
        }
    }
    let status: Option<Status<'_>> = issue
        .fields
        .get("status")
        .and_then(|r| serde_json::from_str(r.get()).ok());
    let word = status.as_ref().and_then(|s| {
        s.name
            .as_ref()
            .and_then(|n| config.statuses.get(&**n))
            .or_else(|| s.id.as_ref().and_then(|i| config.statuses.get(&**i)))
    });
    let Some(word) = word.map(String::as_str) else {
        let name = status.and_then(|s| s.name).unwrap_or_default();
        out.skipped.push(skip(format!(
            "status `{}` is not mapped",
            name.chars().take(40).collect::<String>()
        )));
        return Ok(out);
    };
    let f = &config.fields;
    let currency = match f
        .currency
        .as_deref()
        .and_then(|c| text(issue.fields.get(c)))
    {
        Some(c) => Currency::new(&c).map_err(SourceError::malformed)?,
        None => config
            .default_currency()
            .ok_or_else(|| malformed("no currency on the issue and no default_currency"))?,
    };
    let total = amount(issue, f.amount.as_deref())?.unwrap_or(Decimal::ZERO);
    let paid_field = amount(issue, f.paid_amount.as_deref())?;
    let paid = paid_field.unwrap_or(if matches!(word, "paid" | "refunded") {
        total
    } else {
        Decimal::ZERO
    });
    let from_amounts = if total > Decimal::ZERO && paid >= total {
        Lifecycle::Paid
    } else if paid > Decimal::ZERO {
        Lifecycle::PartiallyPaid
    } else {
        Lifecycle::Open
    };
    let changed =
        ty == "jira:issue_created" || e.changelog.as_ref().is_some_and(|c| c.status_changed());
    let (lifecycle, kind) = match word {
        "draft" => (Lifecycle::Draft, EventKind::Updated),
        "open" if paid > Decimal::ZERO && paid < total => {
            (Lifecycle::PartiallyPaid, EventKind::Issued)
        }
        "open" => (Lifecycle::Open, EventKind::Issued),
        "partially_paid" => (Lifecycle::PartiallyPaid, EventKind::PaymentReceived),
        "paid" => (Lifecycle::Paid, EventKind::Paid),
        "void" => (Lifecycle::Void, EventKind::Voided),
        "uncollectible" => (Lifecycle::Uncollectible, EventKind::WrittenOff),
        "refunded" => (Lifecycle::Refunded, EventKind::Refunded),
        _ => (from_amounts, EventKind::Updated),
    };
    let kind = if changed { kind } else { EventKind::Updated };
    let number = match f.invoice_number.as_str() {
        "key" => issue.key.as_deref().map(str::to_owned),
        other => text(issue.fields.get(other)),
    };
    let due_date = text(issue.fields.get(f.due_date.as_str()))
        .and_then(|d| NaiveDate::parse_from_str(d.get(..10).unwrap_or(&d), "%Y-%m-%d").ok());
    let snapshot = InvoiceSnapshot {
        number,
        customer: Customer {
            platform_id: f
                .customer
                .as_deref()
                .and_then(|c| text(issue.fields.get(c)))
                .unwrap_or_default(),
            name: None,
            portal_account: None,
        },
        currency,
        total,
        paid,
        credited: Decimal::ZERO,
        refunded: if word == "refunded" {
            paid
        } else {
            Decimal::ZERO
        },
        due_date,
        lifecycle,
    };
    let version = u64::try_from(occurred_at.timestamp_millis()).ok();
    let key = InvoiceKey {
        platform: Platform::JiraServiceManagement,
        tenant: tenant.clone(),
        id: issue.id.as_ref().to_owned(),
    };
    let event = |kind: EventKind, eid: String| {
        let mut ev = InvoiceEvent::new(key.clone(), kind, occurred_at, eid);
        ev.received_at = now;
        ev.source_version = version;
        ev
    };
    out.events
        .push(event(kind, id.clone()).with_snapshot(snapshot));
    match word {
        "overdue" => {
            let days = due_date
                .map(|d| (occurred_at.date_naive() - d).num_days().max(1))
                .unwrap_or(1);
            let days = u32::try_from(days).unwrap_or(u32::MAX);
            out.events.push(
                event(EventKind::Overdue, format!("{id}#overdue")).with_detail(
                    EventDetail::Overdue {
                        days_past_due: days,
                        level: days,
                    },
                ),
            );
        }
        "disputed" => out.events.push(
            event(EventKind::Disputed, format!("{id}#disputed")).with_detail(
                EventDetail::Dispute {
                    dispute_id: format!("issue:{}", issue.id),
                    amount: None,
                    reason: None,
                },
            ),
        ),
        _ => {}
    }
    Ok(out)
}
