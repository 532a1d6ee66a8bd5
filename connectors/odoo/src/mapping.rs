//! `account.move` notifications -> canonical events.
//!
//! Customer invoices (`move_type = out_invoice`) are snapshots:
//!
//! | `state` | `payment_state` | canonical event | snapshot lifecycle |
//! | --- | --- | --- | --- |
//! | `draft` | any | `updated` | `draft` |
//! | `posted` | `not_paid` | `issued` | `open` |
//! | `posted` | `partial` | `payment_received` | `partially_paid` |
//! | `posted` | `in_payment` | `paid` (registered, bank not yet reconciled) | `paid` |
//! | `posted` | `paid` | `paid` | `paid` |
//! | `posted` | `reversed` | `voided` (fully offset by its credit note; credited = total) | `void` |
//! | `posted` | `invoicing_legacy` | skipped: keep the last known state | |
//! | `cancel` | any | `voided` | `void` |
//! | other values | | skipped, with the value | |
//!
//! Paid = `amount_total - amount_residual`. Overdue is not an Odoo state: the relay's
//! overdue rules derive it from `invoice_date_due` and the balance.
//!
//! Customer credit notes (`out_refund`) that are posted and name the invoice they reverse
//! (`reversed_entry_id`) become an `adjusted` event (a credit note of `amount_total`) on
//! that invoice; other credit notes are skipped. Vendor bills (`in_invoice`, `in_refund`),
//! receipts and journal entries are skipped, as is any model but `account.move`.
//!
//! Event id: `account.move/<id>@<write_date>#<16 hex of SHA-256 over state, payment_state,
//! amounts>`, so a repeated notification is a duplicate while two changes within one
//! second are not; source version: `write_date` in ms.

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use invoice_core::{
    Adjustment, AdjustmentKind, Currency, Customer, EventDetail, EventKind, InvoiceEvent,
    InvoiceKey, InvoiceSnapshot, Lifecycle, Money, Platform, Skipped, TenantId,
};
use rust_decimal::Decimal;
use sha2::{Digest, Sha256};

use crate::config::Currencies;
use crate::number::amount;
use crate::payload::{number, text, Notification};

/// What one notification maps to.
#[derive(Debug, Default)]
pub struct Mapped {
    /// Canonical events (zero or one).
    pub events: Vec<InvoiceEvent>,
    /// Recognised, not applied.
    pub skipped: Vec<Skipped>,
}

/// `write_date` (`YYYY-MM-DD HH:MM:SS[.ffffff]`, naive UTC) as a UTC time.
pub fn write_date(value: &str) -> Option<DateTime<Utc>> {
    NaiveDateTime::parse_from_str(value, "%Y-%m-%d %H:%M:%S%.f")
        .ok()
        .map(|t| t.and_utc())
}

/// The dedup id of a notification.
pub fn event_id(n: &Notification<'_>) -> String {
    let mut h = Sha256::new();
    for part in [
        text(&n.state).unwrap_or(""),
        text(&n.payment_state).unwrap_or(""),
        text(&n.move_type).unwrap_or(""),
        number(&n.amount_total).unwrap_or(""),
        number(&n.amount_residual).unwrap_or(""),
    ] {
        h.update(part.as_bytes());
        h.update(b"\n");
    }
    let digest = hex::encode(h.finalize());
    format!(
        "{}/{}@{}#{}",
        n.model,
        n.id,
        text(&n.write_date).unwrap_or("-"),
        &digest[..16]
    )
}

fn skip(n: &Notification<'_>, id: &str, reason: String) -> Mapped {
    Mapped {
        events: Vec::new(),
        skipped: vec![Skipped {
            event_id: id.to_owned(),
            event_type: format!(
                "{}:{}:{}",
                n.model,
                text(&n.move_type).unwrap_or("-"),
                text(&n.state).unwrap_or("-")
            ),
            reason,
        }],
    }
}

/// Maps a verified notification. `now` stands in for a missing `write_date`.
pub fn map(
    n: &Notification<'_>,
    tenant: &TenantId,
    currencies: &Currencies,
    now: DateTime<Utc>,
) -> Mapped {
    let id = event_id(n);
    if n.model != "account.move" {
        return skip(n, &id, format!("model `{}` is not mapped", n.model));
    }
    let changed = text(&n.write_date).and_then(write_date);
    let occurred_at = changed.unwrap_or(now);
    let version = changed.and_then(|t| u64::try_from(t.timestamp_millis()).ok());
    let currency = match currency(n, currencies) {
        Ok(c) => c,
        Err(reason) => return skip(n, &id, reason),
    };
    let result = match text(&n.move_type) {
        Some("out_invoice") => invoice(n, currency, tenant),
        Some("out_refund") => credit_note(n, currency, tenant, occurred_at),
        Some(other) => Err(format!("move_type `{other}` is not a customer invoice")),
        None => Err("no move_type (select it in the action's fields)".into()),
    };
    match result {
        Ok((key, kind, snapshot, detail)) => {
            let mut e = InvoiceEvent::new(key, kind, occurred_at, id).with_detail(detail);
            e.snapshot = snapshot;
            e.source_version = version;
            Mapped {
                events: vec![e],
                skipped: Vec::new(),
            }
        }
        Err(reason) => skip(n, &id, reason),
    }
}

type Row = (InvoiceKey, EventKind, Option<InvoiceSnapshot>, EventDetail);

fn currency(n: &Notification<'_>, currencies: &Currencies) -> Result<Currency, String> {
    let field = n
        .currency_id
        .as_ref()
        .ok_or("no currency_id (select it in the action's fields)")?;
    if let Some(name) = field.name() {
        return Currency::new(name).map_err(|_| format!("currency `{name}` is not an ISO code"));
    }
    let id = field.id().ok_or("currency_id is unset")?;
    currencies
        .by_id
        .get(&id)
        .copied()
        .or(currencies.default)
        .ok_or_else(|| format!("currency id {id}: set sources.odoo.currencies or default_currency"))
}

fn money(n: &Notification<'_>, currency: Currency) -> Result<(Decimal, Decimal), String> {
    let total = number(&n.amount_total).ok_or("no amount_total")?;
    let total = amount(total, currency)?;
    let residual = match number(&n.amount_residual) {
        Some(r) => amount(r, currency)?,
        None => Decimal::ZERO,
    };
    Ok((total, residual))
}

fn invoice(n: &Notification<'_>, currency: Currency, tenant: &TenantId) -> Result<Row, String> {
    let (total, residual) = money(n, currency)?;
    let paid = (total - residual).max(Decimal::ZERO);
    let mut credited = Decimal::ZERO;
    let mut snapshot_paid = paid;
    let state = text(&n.state).unwrap_or("");
    let (kind, lifecycle) = match state {
        "draft" => (EventKind::Updated, Lifecycle::Draft),
        "cancel" => (EventKind::Voided, Lifecycle::Void),
        "posted" => match text(&n.payment_state).unwrap_or("") {
            "not_paid" => (EventKind::Issued, Lifecycle::Open),
            "partial" => (EventKind::PaymentReceived, Lifecycle::PartiallyPaid),
            "in_payment" | "paid" => (EventKind::Paid, Lifecycle::Paid),
            "reversed" => {
                credited = paid;
                snapshot_paid = Decimal::new(0, currency.exponent());
                (EventKind::Voided, Lifecycle::Void)
            }
            "invoicing_legacy" => {
                return Err("payment_state `invoicing_legacy`: keeping the last known state".into())
            }
            other => return Err(format!("payment_state `{other}` is not mapped")),
        },
        other => return Err(format!("state `{other}` is not mapped")),
    };
    let number = text(&n.name).filter(|s| *s != "/").map(str::to_owned);
    let partner = n.partner_id.as_ref();
    let due_date = text(&n.invoice_date_due)
        .map(|d| {
            NaiveDate::parse_from_str(d, "%Y-%m-%d").map_err(|_| format!("invoice_date_due `{d}`"))
        })
        .transpose()?;
    let snapshot = InvoiceSnapshot {
        number,
        customer: Customer {
            platform_id: partner
                .and_then(|p| p.id())
                .map(|id| id.to_string())
                .unwrap_or_default(),
            name: partner.and_then(|p| p.name()).map(str::to_owned),
            portal_account: None,
        },
        currency,
        total,
        paid: snapshot_paid,
        credited,
        refunded: Decimal::ZERO,
        due_date,
        lifecycle,
    };
    let key = InvoiceKey {
        platform: Platform::Odoo,
        tenant: tenant.clone(),
        id: n.id.to_string(),
    };
    Ok((key, kind, Some(snapshot), EventDetail::None))
}

fn credit_note(
    n: &Notification<'_>,
    currency: Currency,
    tenant: &TenantId,
    at: DateTime<Utc>,
) -> Result<Row, String> {
    match text(&n.state) {
        Some("posted") => {}
        Some(other) => return Err(format!("credit note in state `{other}` is not applied")),
        None => return Err("credit note without state".into()),
    }
    let reversed = n
        .reversed_entry_id
        .as_ref()
        .and_then(|r| r.id())
        .ok_or("credit note names no invoice (reversed_entry_id)")?;
    let (total, _) = money(n, currency)?;
    let adjustment = Adjustment {
        id: format!("account.move/{}", n.id),
        kind: AdjustmentKind::CreditNote,
        amount: Money::new(total, currency),
        reason: text(&n.name).map(str::to_owned),
        occurred_at: at,
    };
    let key = InvoiceKey {
        platform: Platform::Odoo,
        tenant: tenant.clone(),
        id: reversed.to_string(),
    };
    Ok((
        key,
        EventKind::Adjusted,
        None,
        EventDetail::Adjustment(adjustment),
    ))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // tests may unwrap (see the workspace lints)
mod tests {
    use super::*;

    #[test]
    fn write_dates() {
        assert_eq!(
            write_date("2026-01-15 09:59:58").map(|t| t.timestamp()),
            Some(1_768_471_198)
        );
        assert!(write_date("2026-01-15 09:59:58.123456").is_some());
        assert!(write_date("2026-01-15T09:59:58").is_none());
    }

    #[test]
    fn same_change_same_id_other_state_other_id() {
        let a: Notification<'_> = serde_json::from_str(
            r#"{"_id": 7, "_model": "account.move", "state": "posted", "payment_state": "paid", "write_date": "2026-01-15 09:59:58"}"#,
        )
        .unwrap();
        let b: Notification<'_> = serde_json::from_str(
            r#"{"_id": 7, "_model": "account.move", "state": "posted", "payment_state": "partial", "write_date": "2026-01-15 09:59:58"}"#,
        )
        .unwrap();
        assert_eq!(event_id(&a), event_id(&a));
        assert_ne!(event_id(&a), event_id(&b));
        assert!(event_id(&a).starts_with("account.move/7@2026-01-15 09:59:58#"));
    }
}
