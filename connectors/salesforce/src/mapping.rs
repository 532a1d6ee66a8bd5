//! An invoice record (`Invoice__c` by default) -> one canonical event.
//!
//! The status picklist is an org's own; these values are recognised (case-insensitive),
//! and `[sources.salesforce.statuses]` maps any other value onto one of them:
//!
//! | `Status__c` | canonical event | snapshot lifecycle |
//! | --- | --- | --- |
//! | Draft | `updated` | `draft` |
//! | Posted, Open, Sent, Issued, Unpaid | `issued` | `open` (then derived from amounts) |
//! | Partially Paid | `payment_received` | derived from amounts (`partially_paid`) |
//! | Paid | `paid` | `paid` |
//! | Overdue, Past Due | `overdue` (days past `Due_Date__c`) | derived from amounts |
//! | Cancelled, Canceled, Void, Voided | `voided` | `void` |
//! | Disputed, In Dispute | `disputed` (amount = balance) | derived from amounts |
//! | any other status with `Dispute_Outcome__c` = Won / Resolved / Lost | that status's event, then `dispute_resolved` | |
//! | Credited | `adjusted` (credit note = `Credited_Amount__c`, else total - paid - balance) | derived from amounts |
//! | Written Off, Uncollectible, Bad Debt | `written_off` | `uncollectible` |
//! | anything else, or no status | skipped, recorded with the value | |
//!
//! Amounts: `Total_Amount__c`, `Amount_Paid__c` (else total - balance - credited when
//! `Balance__c` is sent), `Credited_Amount__c`; scaled up to the currency's minor unit
//! (`1250.0` USD -> `1250.00`), never rounded. Currency: `CurrencyIsoCode`, else the
//! configured `default_currency`.

use std::str::FromStr;

use chrono::{DateTime, NaiveDate, Utc};
use invoice_core::{
    Adjustment, AdjustmentKind, Currency, Customer, DisputeOutcome, EventDetail, EventKind,
    InvoiceEvent, InvoiceKey, InvoiceSnapshot, Lifecycle, Money, Platform, Skipped, TenantId,
};
use rust_decimal::Decimal;
use serde::Deserialize;

use crate::config::SalesforceConfig;
use crate::error::SalesforceError;
use crate::payload::SObject;

/// The statuses the connector knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SalesforceStatus {
    /// Not yet issued.
    Draft,
    /// Issued (posted, sent).
    Posted,
    /// Partly paid.
    PartiallyPaid,
    /// Fully paid.
    Paid,
    /// Past due.
    Overdue,
    /// Cancelled / void.
    Cancelled,
    /// A dispute is open.
    Disputed,
    /// A credit note reduced what is owed.
    Credited,
    /// Written off.
    WrittenOff,
}

impl SalesforceStatus {
    /// Recognises a picklist value: the configured aliases first (exact), then the
    /// built-in words (case-insensitive).
    pub fn parse(value: &str, config: &SalesforceConfig) -> Option<Self> {
        if let Some(s) = config.statuses.get(value) {
            return Some(*s);
        }
        let v = value.trim().to_ascii_lowercase().replace(['_', '-'], " ");
        Some(match v.as_str() {
            "draft" => Self::Draft,
            "posted" | "open" | "sent" | "issued" | "unpaid" => Self::Posted,
            "partially paid" | "partial" | "part paid" => Self::PartiallyPaid,
            "paid" => Self::Paid,
            "overdue" | "past due" => Self::Overdue,
            "cancelled" | "canceled" | "void" | "voided" => Self::Cancelled,
            "disputed" | "in dispute" => Self::Disputed,
            "credited" => Self::Credited,
            "written off" | "uncollectible" | "bad debt" => Self::WrittenOff,
            _ => return None,
        })
    }
}

/// Where a record came from: its event id, time and version.
#[derive(Debug, Clone)]
pub struct Origin {
    /// Tenant (the configured org id).
    pub tenant: TenantId,
    /// Notification `Id` or Platform Event `EventUuid`: the dedup key.
    pub event_id: String,
    /// What kind of delivery, for skipped records (`outbound_message`, `Invoice_Status__e`).
    pub event_type: String,
    /// Platform time, when the delivery has none of its own (`LastModifiedDate` wins).
    pub occurred_at: DateTime<Utc>,
    /// A source version, when the delivery has one of its own (Platform Event ReplayId);
    /// else `LastModifiedDate` in milliseconds.
    pub source_version: Option<u64>,
    /// When the relay received the delivery.
    pub received_at: DateTime<Utc>,
}

/// What one record maps to.
#[derive(Debug, Clone)]
pub enum Mapped {
    /// Canonical events: the status event, then a `dispute_resolved` when the record
    /// carries a dispute outcome and is no longer Disputed.
    Events(Vec<InvoiceEvent>),
    /// Recognised, not applied.
    Skipped(Skipped),
}

/// A dispute outcome field value -> outcome (`Won`, `Resolved`, `Lost`, ...).
pub fn dispute_outcome(value: &str) -> Option<DisputeOutcome> {
    match value.trim().to_ascii_lowercase().as_str() {
        "won" | "resolved won" | "resolved" | "merchant won" => Some(DisputeOutcome::Won),
        "lost" | "resolved lost" | "customer won" => Some(DisputeOutcome::Lost),
        _ => None,
    }
}

/// Parses Salesforce `dateTime` text: RFC 3339 (`2026-03-02T10:00:00.000Z`) or the
/// `+0000` offset Apex's JSON writes.
pub fn parse_datetime(s: &str) -> Result<DateTime<Utc>, SalesforceError> {
    DateTime::parse_from_rfc3339(s)
        .or_else(|_| DateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.f%z"))
        .map(|d| d.with_timezone(&Utc))
        .map_err(|_| SalesforceError::Field(format!("`{}` is not a dateTime", cut(s))))
}

fn cut(s: &str) -> String {
    s.chars().take(40).collect()
}

fn decimal(s: &str, field: &str, currency: Currency) -> Result<Decimal, SalesforceError> {
    let bad = || SalesforceError::Field(format!("{field}: `{}` is not a number", cut(s)));
    let d = if s.contains(['e', 'E']) {
        Decimal::from_scientific(s).map_err(|_| bad())?
    } else {
        Decimal::from_str(s).map_err(|_| bad())?
    };
    Ok(scaled(d, currency))
}

/// Scales `d` up to the currency's minor unit (`1250.0` USD -> `1250.00`); never rounds.
fn scaled(mut d: Decimal, currency: Currency) -> Decimal {
    let exp = currency.exponent();
    if d.scale() < exp {
        d.rescale(exp);
    }
    d
}

fn amount(
    obj: &SObject,
    field: Option<&str>,
    currency: Currency,
) -> Result<Option<Decimal>, SalesforceError> {
    match field.and_then(|f| obj.text(f).map(|t| (f, t))) {
        Some((f, t)) => decimal(t, f, currency).map(Some),
        None => Ok(None),
    }
}

/// Maps one record.
pub fn map_record(
    obj: &SObject,
    origin: &Origin,
    config: &SalesforceConfig,
) -> Result<Mapped, SalesforceError> {
    let f = &config.fields;
    let skip = |event_type: String, reason: String| {
        Ok(Mapped::Skipped(Skipped {
            event_id: origin.event_id.clone(),
            event_type,
            reason,
        }))
    };
    match obj.type_name.as_deref() {
        Some(t) if t == config.object => {}
        other => {
            return skip(
                format!("{}:{}", origin.event_type, other.unwrap_or("?")),
                format!("sObject type is not the invoice object `{}`", config.object),
            )
        }
    }
    let Some(id) = obj.text(&f.id) else {
        return skip(origin.event_type.clone(), format!("no `{}` field", f.id));
    };
    let Some(status_text) = obj.text(&f.status) else {
        return skip(
            origin.event_type.clone(),
            format!(
                "no `{}` value (record deleted, or field not selected)",
                f.status
            ),
        );
    };
    let Some(status) = SalesforceStatus::parse(status_text, config) else {
        return skip(
            format!("{}:{}", f.status, cut(status_text)),
            "status value not mapped".into(),
        );
    };
    let currency = match obj.text(&f.currency) {
        Some(c) => Currency::new(c)
            .map_err(|_| SalesforceError::Field(format!("{}: `{}`", f.currency, cut(c))))?,
        None => config.default_currency.ok_or_else(|| {
            SalesforceError::Field(format!(
                "no `{}` and no default_currency configured",
                f.currency
            ))
        })?,
    };
    let modified = obj.text(&f.last_modified).map(parse_datetime).transpose()?;
    let occurred_at = modified.unwrap_or(origin.occurred_at);
    let version = origin
        .source_version
        .or_else(|| modified.and_then(|m| u64::try_from(m.timestamp_millis()).ok()));

    let total = amount(obj, Some(&f.total), currency)?.unwrap_or_else(|| zero(currency));
    let credited = amount(obj, f.credited.as_deref(), currency)?;
    let balance = amount(obj, Some(&f.balance), currency)?;
    let paid = match amount(obj, Some(&f.paid), currency)? {
        Some(p) => p,
        None => match balance {
            Some(b) => scaled(
                (total - b - credited.unwrap_or_default()).max(Decimal::ZERO),
                currency,
            ),
            None => zero(currency),
        },
    };
    let due_date = obj
        .text(&f.due_date)
        .map(|d| {
            NaiveDate::parse_from_str(d.get(..10).unwrap_or(d), "%Y-%m-%d")
                .map_err(|_| SalesforceError::Field(format!("{}: `{}`", f.due_date, cut(d))))
        })
        .transpose()?;
    let number = f.number.iter().find_map(|n| obj.text(n)).map(str::to_owned);
    let (kind, lifecycle) = match status {
        SalesforceStatus::Draft => (EventKind::Updated, Lifecycle::Draft),
        SalesforceStatus::Posted => (EventKind::Issued, Lifecycle::Open),
        SalesforceStatus::PartiallyPaid => (EventKind::PaymentReceived, Lifecycle::PartiallyPaid),
        SalesforceStatus::Paid => (EventKind::Paid, Lifecycle::Paid),
        SalesforceStatus::Overdue => (EventKind::Overdue, Lifecycle::Open),
        SalesforceStatus::Cancelled => (EventKind::Voided, Lifecycle::Void),
        SalesforceStatus::Disputed => (EventKind::Disputed, Lifecycle::Open),
        SalesforceStatus::Credited => (EventKind::Adjusted, Lifecycle::Open),
        SalesforceStatus::WrittenOff => (EventKind::WrittenOff, Lifecycle::Uncollectible),
    };
    let credit_amount = credited.or_else(|| {
        balance
            .map(|b| scaled(total - paid - b, currency))
            .filter(|c| *c > Decimal::ZERO)
    });
    let snapshot = InvoiceSnapshot {
        number,
        customer: Customer {
            platform_id: obj.text(&f.account).unwrap_or_default().to_owned(),
            name: f
                .account_name
                .as_deref()
                .and_then(|n| obj.text(n))
                .map(str::to_owned),
            portal_account: None,
        },
        currency,
        total,
        paid,
        credited: scaled(credit_amount.unwrap_or_default(), currency),
        refunded: zero(currency),
        due_date,
        lifecycle,
    };
    let (kind, detail) = match (kind, credit_amount) {
        (EventKind::Overdue, _) => {
            let days = due_date
                .map(|d| (occurred_at.date_naive() - d).num_days().max(1))
                .unwrap_or(1);
            let days = u32::try_from(days).unwrap_or(u32::MAX);
            (
                kind,
                EventDetail::Overdue {
                    days_past_due: days,
                    level: days,
                },
            )
        }
        (EventKind::Disputed, _) => (
            kind,
            EventDetail::Dispute {
                dispute_id: id.to_owned(),
                amount: balance.map(|b| Money::new(b, currency)),
                reason: None,
            },
        ),
        (EventKind::Adjusted, Some(c)) => (
            kind,
            EventDetail::Adjustment(Adjustment {
                id: format!("{id}:credited"),
                kind: AdjustmentKind::CreditNote,
                amount: Money::new(c, currency),
                reason: Some(status_text.to_owned()),
                occurred_at,
            }),
        ),
        // Credited without a credited amount: the snapshot is all there is.
        (EventKind::Adjusted, None) => (EventKind::Updated, EventDetail::None),
        _ => (kind, EventDetail::None),
    };
    let key = InvoiceKey {
        platform: Platform::Salesforce,
        tenant: origin.tenant.clone(),
        id: id.to_owned(),
    };
    let outcome = f
        .dispute_outcome
        .as_deref()
        .and_then(|n| obj.text(n))
        .and_then(dispute_outcome)
        .filter(|_| status != SalesforceStatus::Disputed);
    let mut event = InvoiceEvent::new(key.clone(), kind, occurred_at, origin.event_id.clone())
        .with_snapshot(snapshot)
        .with_detail(detail);
    event.source_version = version;
    event.received_at = origin.received_at;
    let mut events = vec![event];
    if let Some(outcome) = outcome {
        let mut resolved = InvoiceEvent::new(
            key,
            EventKind::DisputeResolved,
            occurred_at,
            format!("{}:dispute", origin.event_id),
        )
        .with_detail(EventDetail::DisputeResolution {
            dispute_id: id.to_owned(),
            outcome,
        });
        resolved.source_version = version;
        resolved.received_at = origin.received_at;
        events.push(resolved);
    }
    Ok(Mapped::Events(events))
}

fn zero(currency: Currency) -> Decimal {
    scaled(Decimal::ZERO, currency)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // test inputs are constants
mod tests {
    use super::*;

    #[test]
    fn status_words_aliases_and_unknowns() {
        let mut c = SalesforceConfig::for_org("00D5g000004XyZaEAK");
        c.statuses
            .insert("Fakturiert".into(), SalesforceStatus::Posted);
        let p = |s: &str| SalesforceStatus::parse(s, &c);
        assert_eq!(p("Partially Paid"), Some(SalesforceStatus::PartiallyPaid));
        assert_eq!(p("partially_paid"), Some(SalesforceStatus::PartiallyPaid));
        assert_eq!(p("CANCELED"), Some(SalesforceStatus::Cancelled));
        assert_eq!(p("Fakturiert"), Some(SalesforceStatus::Posted));
        assert_eq!(p("fakturiert"), None, "aliases are exact");
        assert_eq!(p("On Hold"), None);
    }

    #[test]
    fn numbers_scale_up_never_round_and_refuse_junk() {
        let usd = Currency::USD;
        assert_eq!(decimal("1250.0", "f", usd).unwrap().to_string(), "1250.00");
        assert_eq!(decimal("1.5E3", "f", usd).unwrap().to_string(), "1500.00");
        assert_eq!(decimal("0.125", "f", usd).unwrap().to_string(), "0.125");
        assert_eq!(decimal("7", "f", Currency::JPY).unwrap().to_string(), "7");
        assert!(decimal("12,50", "f", usd).is_err());
        assert!(decimal("NaN", "f", usd).is_err());
    }

    #[test]
    fn datetimes_in_both_salesforce_forms() {
        let a = parse_datetime("2026-03-05T09:15:02.000Z").unwrap();
        let b = parse_datetime("2026-03-05T09:15:02.000+0000").unwrap();
        assert_eq!(a, b);
        assert!(parse_datetime("05/03/2026").is_err());
    }
}
