//! A `wd:Customer_Invoice` -> canonical events. Workday's status values are compared
//! case-insensitively with `_`, `-` and spaces alike (`Partially_Paid` = `Partially Paid`).
//!
//! | Workday | canonical event | snapshot lifecycle |
//! | --- | --- | --- |
//! | `Canceled` = `1`/`true`, or `Invoice_Status`/`Document_Status` Canceled | `voided` | `void` |
//! | `Invoice_Status` Draft, In Progress, Submitted | `updated` | `draft` |
//! | `Invoice_Status` Approved, Posted, Complete (or absent), then by `Payment_Status`: | | |
//! | - Paid, Overpaid | `paid` | `paid` |
//! | - Partially Paid | `payment_received` | `partially_paid` |
//! | - Unpaid (or absent) | `issued` | `open` (overdue from the relay's rules on `Due_Date`) |
//! | `Dispute_Date` or a non-zero `Dispute_Amount` | also `disputed` (after the snapshot) | |
//! | any other status value | skipped, recorded with the value | |
//!
//! Amounts: `Total_Invoice_Amount` is the total; paid is `Amount_Paid`, else total -
//! `Amount_Due`. Dates: xsd:date with a zone suffix (`2026-01-10-08:00`) keeps the date.
//! Version: `Last_Updated` (else the message's `Sent_On`) in milliseconds. Event id: the
//! business process event WID and the invoice id when the integration sends the WID,
//! else a SHA-256 of the invoice's mapped content.

use std::str::FromStr;

use chrono::{DateTime, NaiveDate, Utc};
use invoice_core::{
    Currency, Customer, EventDetail, EventKind, InvoiceEvent, InvoiceKey, InvoiceSnapshot,
    Lifecycle, Money, Platform, TenantId,
};
use rust_decimal::Decimal;
use sha2::{Digest, Sha256};

use crate::payload::{Message, WdInvoice};

/// Lowercase (ASCII), `_` and `-` as spaces, words joined by one space; one allocation.
fn norm(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let words = s
        .split(|c: char| c == '_' || c == '-' || c.is_whitespace())
        .filter(|w| !w.is_empty());
    for word in words {
        if !out.is_empty() {
            out.push(' ');
        }
        out.extend(word.chars().map(|c| c.to_ascii_lowercase()));
    }
    out
}

fn cut(s: &str) -> String {
    s.chars().take(40).collect()
}

/// (`Invoice_Status`, `Payment_Status`, `Canceled`) -> (event kind, lifecycle).
pub fn status(
    invoice: Option<&str>,
    payment: Option<&str>,
    canceled: Option<&str>,
) -> Result<(EventKind, Lifecycle), String> {
    if matches!(canceled.map(norm).as_deref(), Some("1" | "true")) {
        return Ok((EventKind::Voided, Lifecycle::Void));
    }
    match invoice.map(norm).as_deref() {
        Some("canceled" | "cancelled") => return Ok((EventKind::Voided, Lifecycle::Void)),
        Some("draft" | "in progress" | "submitted") => {
            return Ok((EventKind::Updated, Lifecycle::Draft))
        }
        None | Some("approved" | "posted" | "complete" | "completed" | "successful") => {}
        Some(_) => {
            return Err(format!(
                "Invoice_Status `{}` is not mapped",
                cut(invoice.unwrap_or_default())
            ))
        }
    }
    Ok(match payment.map(norm).as_deref() {
        Some("paid" | "overpaid") => (EventKind::Paid, Lifecycle::Paid),
        Some("partially paid") => (EventKind::PaymentReceived, Lifecycle::PartiallyPaid),
        None | Some("unpaid") => (EventKind::Issued, Lifecycle::Open),
        Some(_) => {
            return Err(format!(
                "Payment_Status `{}` is not mapped",
                cut(payment.unwrap_or_default())
            ))
        }
    })
}

fn dec(field: &str, v: Option<&str>) -> Result<Option<Decimal>, String> {
    v.map(|t| {
        Decimal::from_str(t.trim()).map_err(|_| format!("{field} `{}` is not a number", cut(t)))
    })
    .transpose()
}

/// An xsd:date, with or without a zone suffix.
pub fn parse_date(s: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(s.trim().get(..10)?, "%Y-%m-%d").ok()
}

fn parse_time(s: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s.trim())
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

/// Maps one invoice of `message`; `Err` with a reason for invoices that cannot be read.
pub fn map_invoice(
    inv: &WdInvoice,
    message: &Message,
    tenant: &TenantId,
    default_currency: Option<Currency>,
    now: DateTime<Utc>,
) -> Result<Vec<InvoiceEvent>, String> {
    let id = inv
        .id
        .clone()
        .filter(|i| i.len() <= 200)
        .ok_or("Customer_Invoice_Reference without an ID")?;
    let (kind, lifecycle) = status(
        inv.invoice_status.as_deref(),
        inv.payment_status.as_deref(),
        inv.canceled.as_deref(),
    )?;
    let currency = match inv.currency.as_deref() {
        Some(c) => Currency::new(c).map_err(|_| format!("currency `{}`", cut(c)))?,
        None => default_currency.ok_or("no Currency_Reference and no default_currency")?,
    };
    let total =
        dec("Total_Invoice_Amount", inv.total.as_deref())?.ok_or("Total_Invoice_Amount missing")?;
    let due = dec("Amount_Due", inv.amount_due.as_deref())?;
    let paid = match (dec("Amount_Paid", inv.amount_paid.as_deref())?, due) {
        (Some(p), _) => p,
        (None, Some(d)) => total.checked_sub(d).ok_or("amounts out of range")?,
        (None, None) if lifecycle == Lifecycle::Paid => total,
        (None, None) => Decimal::ZERO,
    };
    let modified = inv
        .last_updated
        .as_deref()
        .or(message.sent_on.as_deref())
        .and_then(parse_time);
    let version = modified.and_then(|m| u64::try_from(m.timestamp_millis()).ok());
    let snapshot = InvoiceSnapshot {
        number: inv.number.clone(),
        customer: Customer {
            platform_id: inv.customer_id.clone().unwrap_or_else(|| "unknown".into()),
            name: inv.customer_name.clone(),
            portal_account: None,
        },
        currency,
        total,
        paid,
        credited: Decimal::ZERO,
        refunded: Decimal::ZERO,
        due_date: inv.due_date.as_deref().and_then(parse_date),
        lifecycle,
    };
    let event_id = match &message.event_wid {
        Some(wid) => format!("{wid}:{id}"),
        None => {
            let mut h = Sha256::new();
            for part in [
                Some(id.as_str()),
                inv.invoice_status.as_deref(),
                inv.payment_status.as_deref(),
                inv.canceled.as_deref(),
                inv.total.as_deref(),
                inv.amount_due.as_deref(),
                inv.amount_paid.as_deref(),
                inv.due_date.as_deref(),
                inv.dispute_date.as_deref(),
                inv.last_updated.as_deref(),
            ] {
                h.update(part.unwrap_or("").as_bytes());
                h.update([0u8]);
            }
            format!("sha256:{}", hex::encode(h.finalize()))
        }
    };
    let dispute_amount =
        dec("Dispute_Amount", inv.dispute_amount.as_deref())?.filter(|a| !a.is_zero());
    let occurred_at = modified.unwrap_or(now);
    // The dispute event, if any, is built first: the snapshot event then takes the key
    // and id without copies.
    let dispute = (inv.dispute_date.is_some() || dispute_amount.is_some()).then(|| {
        let key = InvoiceKey {
            platform: Platform::Workday,
            tenant: tenant.clone(),
            id: id.clone(),
        };
        let mut d = InvoiceEvent::new(
            key,
            EventKind::Disputed,
            occurred_at,
            format!("{event_id}:dispute"),
        )
        .with_detail(EventDetail::Dispute {
            dispute_id: format!("{id}:{}", inv.dispute_date.as_deref().unwrap_or("open")),
            amount: dispute_amount.map(|a| Money::new(a, currency)),
            reason: inv.dispute_reason.clone(),
        });
        d.source_version = version;
        d.received_at = now;
        d
    });
    let key = InvoiceKey {
        platform: Platform::Workday,
        tenant: tenant.clone(),
        id,
    };
    let mut first = InvoiceEvent::new(key, kind, occurred_at, event_id).with_snapshot(snapshot);
    first.source_version = version;
    first.received_at = now;
    let mut out = Vec::with_capacity(2);
    out.push(first);
    out.extend(dispute);
    Ok(out)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn status_table() {
        let s = |i, p, c| status(i, p, c).map(|(k, l)| (k.as_str(), l.as_str()));
        assert_eq!(s(None, Some("Paid"), None), Ok(("paid", "paid")));
        assert_eq!(
            s(Some("Approved"), Some("Partially_Paid"), Some("0")),
            Ok(("payment_received", "partially_paid"))
        );
        assert_eq!(
            s(Some("Approved"), Some("Partially Paid"), None),
            Ok(("payment_received", "partially_paid"))
        );
        assert_eq!(
            s(Some("Approved"), Some("Unpaid"), None),
            Ok(("issued", "open"))
        );
        assert_eq!(
            s(Some("Approved"), Some("Paid"), Some("1")),
            Ok(("voided", "void"))
        );
        assert_eq!(s(Some("Canceled"), None, None), Ok(("voided", "void")));
        assert_eq!(s(Some("In Progress"), None, None), Ok(("updated", "draft")));
        assert!(s(Some("Rescinded"), None, None).is_err());
        assert!(s(None, Some("Written Off"), None).is_err());
        assert_eq!(
            parse_date("2026-01-10-08:00").unwrap().to_string(),
            "2026-01-10"
        );
        assert_eq!(parse_date("2026-01-10").unwrap().to_string(), "2026-01-10");
        assert!(parse_date("2026-1").is_none());
    }
}
