//! QuickBooks Desktop has no status field: the lifecycle is derived from an `InvoiceRet`'s
//! amounts and flags, and every invoice becomes one `updated` snapshot.
//!
//! | `InvoiceRet` | snapshot lifecycle |
//! | --- | --- |
//! | `IsPending = true` | `draft` |
//! | total 0 and `Memo` starting `VOID` (how QuickBooks leaves a voided invoice) | `void` |
//! | `IsPaid = true`, or `BalanceRemaining = 0` with a total above 0 | `paid` |
//! | `AppliedAmount < 0` and `BalanceRemaining > 0` | `partially_paid` |
//! | otherwise | `open` (overdue from the relay's rules on `DueDate`) |
//!
//! | forwarded data event | canonical |
//! | --- | --- |
//! | `Invoice` `Delete` | `voided` (no snapshot: the invoice no longer exists in the file) |
//! | `Invoice` `Add` / `Modify` | skipped, recorded as a reference: the next Web Connector sync reads it |
//! | any other type or operation | skipped |
//!
//! Amounts: total = `Subtotal` + `SalesTaxTotal`; credited = the `CreditMemo` linked
//! amounts; paid = -`AppliedAmount` - credited. Currency: `CurrencyRef/FullName` through
//! the configured names, else the home currency. Version: `EditSequence`. Event id:
//! `Invoice:<TxnID>:<EditSequence>`.

use std::str::FromStr;

use chrono::{DateTime, NaiveDate, Utc};
use invoice_core::{
    Customer, EventKind, InvoiceEvent, InvoiceKey, InvoiceSnapshot, Lifecycle, Platform, Skipped,
    TenantId,
};
use rust_decimal::Decimal;

use crate::config::QbdConfig;
use crate::payload::{InvoiceRet, TxnEvent};
use crate::qbxml::parse_datetime;

fn dec(field: &str, v: Option<&str>) -> Result<Decimal, String> {
    match v {
        None => Ok(Decimal::ZERO),
        Some(t) => Decimal::from_str(t.trim()).map_err(|_| {
            format!(
                "{field} `{}` is not a number",
                t.chars().take(30).collect::<String>()
            )
        }),
    }
}

/// The lifecycle the table above derives.
pub fn lifecycle(
    inv: &InvoiceRet<'_>,
    total: Decimal,
    applied: Decimal,
    balance: Decimal,
) -> Lifecycle {
    let flag = |v: &Option<&str>| *v == Some("true");
    let memo_void = inv
        .memo
        .is_some_and(|m| m.trim_start().to_ascii_uppercase().starts_with("VOID"));
    if flag(&inv.is_pending) {
        Lifecycle::Draft
    } else if total.is_zero() && memo_void {
        Lifecycle::Void
    } else if flag(&inv.is_paid) || (balance.is_zero() && total > Decimal::ZERO) {
        Lifecycle::Paid
    } else if applied < Decimal::ZERO && balance > Decimal::ZERO {
        Lifecycle::PartiallyPaid
    } else {
        Lifecycle::Open
    }
}

/// Maps one `InvoiceRet` to its `updated` snapshot event; `Err` with a reason for records
/// that cannot be read (they are skipped, never half-applied).
pub fn map_invoice(
    inv: &InvoiceRet<'_>,
    tenant: &TenantId,
    config: &QbdConfig,
    now: DateTime<Utc>,
) -> Result<InvoiceEvent, String> {
    let currency = config.currency(inv.currency).ok_or_else(|| {
        format!(
            "currency `{}` has no ISO code (set currency_names)",
            inv.currency.unwrap_or_default()
        )
    })?;
    let subtotal = dec("Subtotal", inv.subtotal)?;
    let tax = dec("SalesTaxTotal", inv.sales_tax_total)?;
    let applied = dec("AppliedAmount", inv.applied_amount)?;
    let balance = dec("BalanceRemaining", inv.balance_remaining)?;
    let total = subtotal.checked_add(tax).ok_or("total out of range")?;
    let mut credited = Decimal::ZERO;
    for l in inv.linked.iter().filter(|l| l.txn_type == "CreditMemo") {
        credited = credited
            .checked_add(dec("LinkedTxn/Amount", l.amount)?.abs())
            .ok_or("credit out of range")?;
    }
    let paid = (-applied)
        .checked_sub(credited)
        .ok_or("paid out of range")?
        .max(Decimal::ZERO);
    let lifecycle = lifecycle(inv, total, applied, balance);
    let version = inv.edit_sequence.and_then(|s| s.trim().parse::<u64>().ok());
    let occurred_at = inv
        .time_modified
        .and_then(parse_datetime)
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or(now);
    let snapshot = InvoiceSnapshot {
        number: inv.ref_number.or(inv.txn_number).map(str::to_owned),
        customer: Customer {
            platform_id: inv
                .customer_id
                .or(inv.customer_name)
                .unwrap_or("unknown")
                .to_owned(),
            name: inv.customer_name.map(str::to_owned),
            portal_account: None,
        },
        currency,
        total,
        paid,
        credited,
        refunded: Decimal::ZERO,
        due_date: inv
            .due_date
            .and_then(|d| NaiveDate::parse_from_str(d.trim(), "%Y-%m-%d").ok()),
        lifecycle,
    };
    let event_id = format!(
        "Invoice:{}:{}",
        inv.txn_id,
        inv.edit_sequence.unwrap_or("0")
    );
    let key = InvoiceKey {
        platform: Platform::QuickbooksDesktop,
        tenant: tenant.clone(),
        id: inv.txn_id.to_owned(),
    };
    let mut event =
        InvoiceEvent::new(key, EventKind::Updated, occurred_at, event_id).with_snapshot(snapshot);
    event.source_version = version;
    event.received_at = now;
    Ok(event)
}

/// What a forwarded data event becomes.
pub enum Forwarded {
    /// An event to apply.
    Event(Box<InvoiceEvent>),
    /// Recorded, not applied.
    Skipped(Skipped),
}

/// Maps a forwarded data event. `signed_at` makes ids of repeated `Modify` events of the
/// same transaction distinct (the message carries no time of its own).
pub fn map_txn_event(
    ev: &TxnEvent,
    tenant: &TenantId,
    signed_at: i64,
    now: DateTime<Utc>,
) -> Forwarded {
    let event_type = format!("{}.{}", ev.txn_type, ev.operation);
    if ev.txn_type == "Invoice" && ev.operation == "Delete" {
        let key = InvoiceKey {
            platform: Platform::QuickbooksDesktop,
            tenant: tenant.clone(),
            id: ev.txn_id.clone(),
        };
        let mut e = InvoiceEvent::new(
            key,
            EventKind::Voided,
            now,
            format!("TxnEvent:{}:Delete", ev.txn_id),
        );
        e.received_at = now;
        return Forwarded::Event(Box::new(e));
    }
    let reason = if ev.txn_type == "Invoice" && matches!(ev.operation.as_str(), "Add" | "Modify") {
        format!(
            "invoice {} ({}): read by the next Web Connector sync",
            ev.txn_id,
            ev.ref_number.as_deref().unwrap_or("no number")
        )
    } else {
        "not an invoice event".to_owned()
    };
    Forwarded::Skipped(Skipped {
        event_id: format!("TxnEvent:{}:{}:{signed_at}", ev.txn_id, ev.operation),
        event_type,
        reason,
    })
}
