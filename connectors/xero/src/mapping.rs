//! A fetched Xero invoice -> the canonical snapshot.
//!
//! | Xero `Status` | condition                                  | lifecycle        | event kind |
//! |---------------|--------------------------------------------|------------------|------------|
//! | `DRAFT`       |                                            | `draft`          | `updated`  |
//! | `SUBMITTED`   | (awaiting approval)                        | `draft`          | `updated`  |
//! | `AUTHORISED`  | `AmountPaid` + `AmountCredited` = 0        | `open`           | `updated`  |
//! | `AUTHORISED`  | something paid or credited, `AmountDue` > 0 | `partially_paid` | `updated`  |
//! | `AUTHORISED`  | `AmountDue` = 0                            | `paid`           | `updated`  |
//! | `PAID`        |                                            | `paid`           | `updated`  |
//! | `VOIDED`      |                                            | `void`           | `voided`   |
//! | `DELETED`     | (a removed draft)                          | `void`           | `voided`   |
//! | anything else | (a status Xero adds later)                 | refused, kept in the audit log |
//!
//! Amounts: `total = Total`, `paid = AmountPaid`, `credited = AmountCredited` (credit
//! notes, prepayments, overpayments), rounded to the currency's minor unit. Source
//! version: `UpdatedDateUTC` in milliseconds, which is also the event time. Overdue is
//! derived by the relay's overdue rules from the due date. Only `ACCREC` (sales) invoices
//! are mapped; bills (`ACCPAY`) are refused.

use invoice_core::{Currency, Customer, InvoiceSnapshot, Lifecycle};
use rust_decimal::Decimal;

use crate::api::{due_date, Invoice};

/// Xero statuses the mapping knows.
pub const STATUSES: [&str; 6] = [
    "DRAFT",
    "SUBMITTED",
    "AUTHORISED",
    "PAID",
    "VOIDED",
    "DELETED",
];

fn rescale(amount: Decimal, currency: Currency) -> Decimal {
    let mut a = amount.round_dp(currency.exponent());
    a.rescale(currency.exponent());
    a
}

/// The lifecycle for a known status, `None` for a status the table does not know.
pub fn lifecycle(
    status: &str,
    total: Decimal,
    due: Decimal,
    settled: Decimal,
) -> Option<Lifecycle> {
    let l = match status {
        "DRAFT" | "SUBMITTED" => Lifecycle::Draft,
        "AUTHORISED" if total > Decimal::ZERO && due <= Decimal::ZERO => Lifecycle::Paid,
        "AUTHORISED" if settled > Decimal::ZERO => Lifecycle::PartiallyPaid,
        "AUTHORISED" => Lifecycle::Open,
        "PAID" => Lifecycle::Paid,
        "VOIDED" | "DELETED" => Lifecycle::Void,
        _ => return None,
    };
    Some(l)
}

/// The canonical snapshot, or why the record cannot be mapped.
pub fn snapshot(inv: &Invoice) -> Result<InvoiceSnapshot, String> {
    match inv.invoice_type.as_deref() {
        Some("ACCREC") | None => {}
        Some(other) => {
            return Err(format!(
                "invoice type `{}` is not a sales invoice",
                other.chars().take(16).collect::<String>()
            ))
        }
    }
    let code = inv
        .currency_code
        .as_deref()
        .ok_or("invoice has no CurrencyCode")?;
    let currency = Currency::new(code).map_err(|e| format!("CurrencyCode: {e}"))?;
    let total = rescale(inv.total, currency);
    let paid = rescale(inv.amount_paid.unwrap_or_default(), currency);
    let credited = rescale(inv.amount_credited.unwrap_or_default(), currency);
    let due = rescale(inv.amount_due.unwrap_or(total - paid - credited), currency);
    let status = inv.status.as_deref().unwrap_or_default();
    let lifecycle = lifecycle(status, total, due, paid + credited).ok_or_else(|| {
        format!(
            "status `{}` is not mapped",
            status.chars().take(24).collect::<String>()
        )
    })?;
    Ok(InvoiceSnapshot {
        number: inv.invoice_number.clone(),
        customer: Customer {
            platform_id: inv.contact.contact_id.clone(),
            name: inv.contact.name.clone(),
            portal_account: None,
        },
        currency,
        total,
        paid,
        credited,
        refunded: Decimal::ZERO,
        due_date: due_date(inv),
        lifecycle,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    #[test]
    fn status_table() {
        let z = Decimal::ZERO;
        assert_eq!(
            lifecycle("DRAFT", d("10"), d("10"), z),
            Some(Lifecycle::Draft)
        );
        assert_eq!(
            lifecycle("SUBMITTED", d("10"), d("10"), z),
            Some(Lifecycle::Draft)
        );
        assert_eq!(
            lifecycle("AUTHORISED", d("10"), d("10"), z),
            Some(Lifecycle::Open)
        );
        assert_eq!(
            lifecycle("AUTHORISED", d("10"), d("4"), d("6")),
            Some(Lifecycle::PartiallyPaid)
        );
        assert_eq!(
            lifecycle("AUTHORISED", d("10"), z, d("10")),
            Some(Lifecycle::Paid)
        );
        assert_eq!(
            lifecycle("PAID", d("10"), z, d("10")),
            Some(Lifecycle::Paid)
        );
        assert_eq!(
            lifecycle("VOIDED", d("10"), d("10"), z),
            Some(Lifecycle::Void)
        );
        assert_eq!(
            lifecycle("DELETED", d("10"), d("10"), z),
            Some(Lifecycle::Void)
        );
        assert_eq!(lifecycle("ARCHIVED", d("10"), d("10"), z), None);
    }

    #[test]
    fn bills_and_unknown_statuses_are_refused() {
        let bill: Invoice = serde_json::from_str(
            r#"{"InvoiceID":"x","Type":"ACCPAY","Status":"AUTHORISED","CurrencyCode":"GBP","Total":1}"#,
        )
        .unwrap();
        assert!(snapshot(&bill).is_err());
        let odd: Invoice = serde_json::from_str(
            r#"{"InvoiceID":"x","Type":"ACCREC","Status":"ARCHIVED","CurrencyCode":"GBP","Total":1}"#,
        )
        .unwrap();
        assert!(snapshot(&odd).unwrap_err().contains("ARCHIVED"));
    }

    #[test]
    fn credited_amounts_reduce_what_is_owed() {
        let inv: Invoice = serde_json::from_str(
            r#"{"InvoiceID":"x","Type":"ACCREC","Status":"AUTHORISED","CurrencyCode":"GBP","Total":1000,"AmountDue":500,"AmountPaid":300,"AmountCredited":200}"#,
        )
        .unwrap();
        let s = snapshot(&inv).unwrap();
        assert_eq!(s.lifecycle, Lifecycle::PartiallyPaid);
        assert_eq!(
            (
                s.total.to_string(),
                s.paid.to_string(),
                s.credited.to_string()
            ),
            ("1000.00".into(), "300.00".into(), "200.00".into())
        );
    }
}
