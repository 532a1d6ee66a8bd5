//! A fetched QuickBooks Online Invoice -> the canonical snapshot. QBO invoices have no
//! status field; the lifecycle is derived from `TotalAmt`, `Balance` and the void marker.
//!
//! | QuickBooks Online                                                     | lifecycle        | event kind |
//! |-----------------------------------------------------------------------|------------------|------------|
//! | `TotalAmt` 0, `Balance` 0, `PrivateNote` starts with `Voided`         | `void`           | `voided`   |
//! | a `Void` notification not older than the record's `LastUpdatedTime`   | `void`           | `voided`   |
//! | a `Delete` notification (the record is gone)                          | `void`           | `voided`, no snapshot |
//! | `Balance` = `TotalAmt` > 0                                            | `open`           | `updated`  |
//! | 0 < `Balance` < `TotalAmt`                                            | `partially_paid` | `updated`  |
//! | `Balance` 0 < `TotalAmt`                                              | `paid`           | `updated`  |
//! | `TotalAmt` 0, not voided                                              | `paid` (nothing owed) | `updated` |
//!
//! Amounts: `total = TotalAmt`, `paid = TotalAmt - Balance` (payments and applied credit
//! memos alike: QBO's invoice does not tell them apart), rounded to the currency's minor
//! unit. Source version: `SyncToken`; time: `MetaData.LastUpdatedTime`. Overdue is not a
//! QBO state: the relay's overdue rules derive it from `DueDate`.

use chrono::{DateTime, NaiveDate, Utc};
use invoice_core::{Currency, Customer, InvoiceSnapshot, Lifecycle};
use rust_decimal::Decimal;

use crate::api::Invoice;
use crate::payload::parse_time;

/// True when the record carries QuickBooks' void marks: amounts zeroed and `Voided` in
/// the private note.
pub fn looks_voided(inv: &Invoice) -> bool {
    inv.total_amt.is_zero()
        && inv.balance.is_none_or(|b| b.is_zero())
        && inv
            .private_note
            .as_deref()
            .is_some_and(|n| n.trim_start().to_ascii_lowercase().starts_with("voided"))
}

/// The lifecycle of a non-void invoice from its amounts.
pub fn lifecycle(total: Decimal, balance: Decimal) -> Lifecycle {
    if total <= Decimal::ZERO || balance <= Decimal::ZERO {
        Lifecycle::Paid
    } else if balance < total {
        Lifecycle::PartiallyPaid
    } else {
        Lifecycle::Open
    }
}

fn rescale(amount: Decimal, currency: Currency) -> Decimal {
    let mut a = amount.round_dp(currency.exponent());
    a.rescale(currency.exponent());
    a
}

/// `MetaData.LastUpdatedTime`, if present and readable.
pub fn last_updated(inv: &Invoice) -> Option<DateTime<Utc>> {
    inv.meta_data
        .last_updated_time
        .as_deref()
        .and_then(parse_time)
}

/// `SyncToken` as a number, if it is one.
pub fn sync_token(inv: &Invoice) -> Option<u64> {
    inv.sync_token
        .as_deref()
        .and_then(|t| t.trim().parse().ok())
}

/// The canonical snapshot. `home` is the company currency for records without
/// `CurrencyRef`; `voided` forces the void lifecycle.
pub fn snapshot(
    inv: &Invoice,
    home: Option<Currency>,
    voided: bool,
) -> Result<InvoiceSnapshot, String> {
    let currency = match &inv.currency_ref {
        Some(r) => Currency::new(&r.value).map_err(|e| format!("CurrencyRef: {e}"))?,
        None => home.ok_or(
            "invoice has no CurrencyRef and sources.quickbooks-online.home_currency is not set",
        )?,
    };
    let total = rescale(inv.total_amt, currency);
    let balance = rescale(inv.balance.unwrap_or(inv.total_amt), currency);
    let paid = if balance > total {
        Decimal::ZERO
    } else {
        (total - balance).max(Decimal::ZERO)
    };
    let due_date = match inv.due_date.as_deref() {
        Some(d) => Some(
            NaiveDate::parse_from_str(d.trim(), "%Y-%m-%d").map_err(|_| {
                format!(
                    "DueDate `{}` is not a date",
                    d.chars().take(32).collect::<String>()
                )
            })?,
        ),
        None => None,
    };
    let customer = inv.customer_ref.clone().unwrap_or_default();
    Ok(InvoiceSnapshot {
        number: inv.doc_number.clone(),
        customer: Customer {
            platform_id: customer.value,
            name: customer.name,
            portal_account: None,
        },
        currency,
        total,
        paid: rescale(paid, currency),
        credited: Decimal::ZERO,
        refunded: Decimal::ZERO,
        due_date,
        lifecycle: if voided {
            Lifecycle::Void
        } else {
            lifecycle(total, balance)
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn inv(json: &str) -> Invoice {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn lifecycle_from_amounts() {
        let d = |s: &str| s.parse::<Decimal>().unwrap();
        assert_eq!(lifecycle(d("100"), d("100")), Lifecycle::Open);
        assert_eq!(lifecycle(d("100"), d("40")), Lifecycle::PartiallyPaid);
        assert_eq!(lifecycle(d("100"), d("0")), Lifecycle::Paid);
        assert_eq!(lifecycle(d("0"), d("0")), Lifecycle::Paid);
    }

    #[test]
    fn snapshot_amounts_and_currency() {
        let i = inv(
            r#"{"Id":"7","DocNumber":"1042","TotalAmt":1250,"Balance":500.5,"CurrencyRef":{"value":"USD"},"CustomerRef":{"value":"24","name":"Acme"},"DueDate":"2026-02-13"}"#,
        );
        let s = snapshot(&i, None, false).unwrap();
        assert_eq!(s.total.to_string(), "1250.00");
        assert_eq!(s.paid.to_string(), "749.50");
        assert_eq!(s.lifecycle, Lifecycle::PartiallyPaid);
        assert_eq!(s.customer.name.as_deref(), Some("Acme"));
        assert_eq!(s.due_date, NaiveDate::from_ymd_opt(2026, 2, 13));
        let no_cur = inv(r#"{"Id":"7","TotalAmt":10}"#);
        assert!(snapshot(&no_cur, None, false).is_err());
        assert_eq!(
            snapshot(&no_cur, Some(Currency::GBP), false)
                .unwrap()
                .currency,
            Currency::GBP
        );
    }

    #[test]
    fn void_marks() {
        let v = inv(r#"{"Id":"7","TotalAmt":0,"Balance":0,"PrivateNote":"Voided"}"#);
        assert!(looks_voided(&v));
        let zero = inv(r#"{"Id":"7","TotalAmt":0,"Balance":0,"PrivateNote":"no charge"}"#);
        assert!(!looks_voided(&zero));
    }
}
