//! An ARINVOICE record read back from the Web Services API -> one canonical event.
//!
//! | Intacct `STATE` | canonical event | snapshot lifecycle |
//! | --- | --- | --- |
//! | Draft, Submitted, Partially approved | `updated` | `draft` |
//! | Declined | `voided` | `void` (never issued) |
//! | Posted, Selected | `issued` | `open` (then derived from amounts; overdue comes from the relay's rules on `WHENDUE`) |
//! | Partially Paid | `payment_received` | `partially_paid` |
//! | Paid | `paid` | `paid` |
//! | Reversed | `voided` | `void` |
//! | Reversal (the reversing document) | rejected: not an invoice of its own | |
//! | anything else / no value | rejected, recorded with the value | |
//!
//! Amounts: `TOTALENTERED` (total), `TOTALPAID` (paid); `TOTALDUE` is derived again by the
//! relay. Currency: `CURRENCY`, else `BASECURR`, else the configured `default_currency`.
//! Dates: `WHENDUE` `MM/DD/YYYY`; `WHENMODIFIED` `MM/DD/YYYY HH:MM:SS` in the configured
//! `timezone` (UTC by default), its milliseconds are the source version.
//! The invoice key is `CUSTOMERID/RECORDID` when both are present (Order Entry invoices get
//! a new `RECORDNO` when their document changes), else `RECORDNO`.

use std::str::FromStr;

use chrono::{DateTime, NaiveDate, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;
use invoice_core::{
    Currency, Customer, EnrichError, EventKind, InvoiceEvent, InvoiceKey, InvoiceSnapshot,
    Lifecycle, Platform, ThinReference,
};
use rust_decimal::Decimal;

use crate::payload::ApiRecord;

/// `STATE` -> (event kind, snapshot lifecycle); `None` for values that are not an
/// invoice's state.
pub fn state(value: &str) -> Option<(EventKind, Lifecycle)> {
    Some(match value.trim().to_ascii_lowercase().as_str() {
        "draft" | "submitted" | "partially approved" => (EventKind::Updated, Lifecycle::Draft),
        "declined" | "reversed" => (EventKind::Voided, Lifecycle::Void),
        "posted" | "selected" => (EventKind::Issued, Lifecycle::Open),
        "partially paid" => (EventKind::PaymentReceived, Lifecycle::PartiallyPaid),
        "paid" => (EventKind::Paid, Lifecycle::Paid),
        _ => return None,
    })
}

fn rejected(m: impl Into<String>) -> EnrichError {
    EnrichError::Rejected(m.into())
}

fn cut(s: &str) -> String {
    s.chars().take(40).collect()
}

/// `MM/DD/YYYY`.
pub fn parse_date(s: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(s.trim(), "%m/%d/%Y").ok()
}

/// `MM/DD/YYYY HH:MM:SS` in `tz` (UTC when `None`); in a DST gap or fold, the earliest
/// reading.
pub fn parse_datetime(s: &str, tz: Option<Tz>) -> Option<DateTime<Utc>> {
    let naive = NaiveDateTime::parse_from_str(s.trim(), "%m/%d/%Y %H:%M:%S").ok()?;
    match tz {
        None => Some(naive.and_utc()),
        Some(tz) => tz
            .from_local_datetime(&naive)
            .earliest()
            .map(|d| d.with_timezone(&Utc)),
    }
}

fn amount(rec: &ApiRecord, field: &str, currency: Currency) -> Result<Decimal, EnrichError> {
    let Some(text) = rec.get(field) else {
        return Ok(Decimal::new(0, currency.exponent()));
    };
    let mut d = Decimal::from_str(text)
        .map_err(|_| rejected(format!("{field}: `{}` is not a number", cut(text))))?;
    if d.scale() < currency.exponent() {
        d.rescale(currency.exponent());
    }
    Ok(d)
}

/// Maps one record fetched for `reference`.
pub fn map_record(
    rec: &ApiRecord,
    reference: &ThinReference,
    default_currency: Option<Currency>,
    tz: Option<Tz>,
) -> Result<InvoiceEvent, EnrichError> {
    let record_no = rec
        .get("RECORDNO")
        .ok_or_else(|| rejected("record has no RECORDNO"))?;
    let state_text = rec.get("STATE").unwrap_or("No value");
    let (kind, lifecycle) = state(state_text).ok_or_else(|| {
        rejected(format!(
            "ARINVOICE {record_no}: STATE `{}` is not an invoice state",
            cut(state_text)
        ))
    })?;
    let currency = match rec.get("CURRENCY").or_else(|| rec.get("BASECURR")) {
        Some(c) => Currency::new(c).map_err(|_| rejected(format!("currency `{}`", cut(c))))?,
        None => default_currency
            .ok_or_else(|| rejected("record names no currency and no default_currency is set"))?,
    };
    let modified = rec.get("WHENMODIFIED").and_then(|m| parse_datetime(m, tz));
    let occurred_at = modified.unwrap_or(reference.occurred_at);
    let customer_id = rec.get("CUSTOMERID");
    let number = rec.get("RECORDID");
    let id = match (customer_id, number) {
        (Some(c), Some(n)) => format!("{c}/{n}"),
        _ => record_no.to_owned(),
    };
    let snapshot = InvoiceSnapshot {
        number: number.map(str::to_owned),
        customer: Customer {
            platform_id: customer_id.unwrap_or_default().to_owned(),
            name: rec.get("CUSTOMERNAME").map(str::to_owned),
            portal_account: None,
        },
        currency,
        total: amount(rec, "TOTALENTERED", currency)?,
        paid: amount(rec, "TOTALPAID", currency)?,
        credited: Decimal::new(0, currency.exponent()),
        refunded: Decimal::new(0, currency.exponent()),
        due_date: rec.get("WHENDUE").and_then(parse_date),
        lifecycle,
    };
    let version = modified.and_then(|m| u64::try_from(m.timestamp_millis()).ok());
    let event_id = format!(
        "ARINVOICE:{record_no}:{}",
        version
            .map(|v| v.to_string())
            .unwrap_or_else(|| reference.event_id.clone())
    );
    let key = InvoiceKey {
        platform: Platform::SageIntacct,
        tenant: reference.tenant.clone(),
        id,
    };
    let mut event = InvoiceEvent::new(key, kind, occurred_at, event_id).with_snapshot(snapshot);
    event.source_version = version;
    event.received_at = reference.received_at;
    Ok(event)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // constant inputs
mod tests {
    use super::*;

    #[test]
    fn states_and_dates() {
        assert_eq!(state("Partially Paid").unwrap().1, Lifecycle::PartiallyPaid);
        assert_eq!(state("posted").unwrap().0, EventKind::Issued);
        assert_eq!(state("Reversed").unwrap().1, Lifecycle::Void);
        assert!(state("Reversal").is_none());
        assert!(state("No value").is_none());
        assert_eq!(
            parse_date("01/10/2026"),
            NaiveDate::from_ymd_opt(2026, 1, 10)
        );
        assert!(parse_date("2026-01-10").is_none());
        assert_eq!(
            parse_datetime("01/15/2026 01:59:58", None)
                .unwrap()
                .to_rfc3339(),
            "2026-01-15T01:59:58+00:00"
        );
        let chicago: Tz = "America/Chicago".parse().unwrap();
        assert_eq!(
            parse_datetime("01/15/2026 01:59:58", Some(chicago))
                .unwrap()
                .to_rfc3339(),
            "2026-01-15T07:59:58+00:00"
        );
    }
}
