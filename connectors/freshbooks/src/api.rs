//! Accounting API responses (`{"response":{"result":{...}}}`) and the invoice snapshot.
//! Amounts are `{"amount": "1250.00", "code": "USD"}` strings, read from their digits.

use std::str::FromStr;

use chrono::{DateTime, NaiveDate, NaiveDateTime, TimeZone, Utc};
use invoice_core::{Currency, Customer, InvoiceSnapshot, Lifecycle};
use rust_decimal::Decimal;
use serde::Deserialize;
use serde_json::Value;

/// `{"response": {"result": {...}}}`.
#[derive(Debug, Deserialize)]
pub struct Envelope<T> {
    /// `response`.
    pub response: Response<T>,
}

/// `response`.
#[derive(Debug, Deserialize)]
pub struct Response<T> {
    /// `result`.
    pub result: T,
}

/// `result` of an invoice read.
#[derive(Debug, Deserialize)]
pub struct InvoiceResult {
    /// The invoice.
    pub invoice: Invoice,
}

/// `result` of a payment read.
#[derive(Debug, Deserialize)]
pub struct PaymentResult {
    /// The payment.
    pub payment: Payment,
}

/// `{"amount": "12.00", "code": "USD"}`.
#[derive(Debug, Clone, Deserialize)]
pub struct Amount {
    /// Decimal string.
    pub amount: String,
    /// ISO code.
    #[serde(default)]
    pub code: Option<String>,
}

/// An invoice (the fields the relay reads).
#[derive(Debug, Clone, Deserialize)]
pub struct Invoice {
    /// Invoice id (a number).
    #[serde(default)]
    pub invoiceid: Option<Value>,
    /// Id (same as `invoiceid`).
    #[serde(default)]
    pub id: Option<Value>,
    /// `0000042`.
    #[serde(default)]
    pub invoice_number: Option<String>,
    /// Client id.
    #[serde(default)]
    pub customerid: Option<Value>,
    /// Client organization name.
    #[serde(default)]
    pub organization: Option<String>,
    /// Currency.
    #[serde(default)]
    pub currency_code: Option<String>,
    /// Total.
    pub amount: Amount,
    /// Paid so far.
    #[serde(default)]
    pub paid: Option<Amount>,
    /// Still owed.
    #[serde(default)]
    pub outstanding: Option<Amount>,
    /// `2026-02-13`.
    #[serde(default)]
    pub due_date: Option<String>,
    /// `draft | sent | viewed | paid | partial | overdue | disputed | ...`.
    #[serde(default)]
    pub v3_status: Option<String>,
    /// 0 active, 1 deleted, 2 archived.
    #[serde(default)]
    pub vis_state: Option<i64>,
    /// `2026-01-15 04:59:55` (US Eastern time, per FreshBooks).
    #[serde(default)]
    pub updated: Option<String>,
}

/// A payment.
#[derive(Debug, Clone, Deserialize)]
pub struct Payment {
    /// The invoice it pays.
    #[serde(default)]
    pub invoiceid: Option<Value>,
}

/// A JSON number or string id as text.
pub fn id_text(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::Number(n) => Some(n.to_string()),
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        _ => None,
    }
}

fn dec(a: &Amount) -> Result<Decimal, String> {
    Decimal::from_str(a.amount.trim()).map_err(|_| "amount is not a decimal".to_owned())
}

/// `updated` in US Eastern time -> UTC.
pub fn updated_at(inv: &Invoice) -> Option<DateTime<Utc>> {
    let naive = NaiveDateTime::parse_from_str(inv.updated.as_deref()?, "%Y-%m-%d %H:%M:%S").ok()?;
    chrono_tz::America::New_York
        .from_local_datetime(&naive)
        .earliest()
        .map(|t| t.with_timezone(&Utc))
}

/// What the status says beside the lifecycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Condition {
    /// `overdue`.
    Overdue,
    /// `disputed`.
    Disputed,
    /// `failed`, `retry`, `declined`.
    PaymentFailed,
}

/// The snapshot of an invoice and its condition.
pub fn snapshot(inv: &Invoice) -> Result<(InvoiceSnapshot, Option<Condition>), String> {
    let code = inv
        .currency_code
        .as_deref()
        .or(inv.amount.code.as_deref())
        .ok_or("invoice has no currency")?;
    let currency = Currency::new(code).map_err(|e| format!("currency: {e}"))?;
    let total = dec(&inv.amount)?;
    let paid = match (&inv.paid, &inv.outstanding) {
        (Some(p), _) => dec(p)?,
        (None, Some(o)) => (total - dec(o)?).max(Decimal::ZERO),
        (None, None) => Decimal::ZERO,
    };
    let owed = match &inv.outstanding {
        Some(o) => dec(o)?,
        None => total - paid,
    };
    let from_amounts = if total > Decimal::ZERO && owed <= Decimal::ZERO {
        Lifecycle::Paid
    } else if paid > Decimal::ZERO {
        Lifecycle::PartiallyPaid
    } else {
        Lifecycle::Open
    };
    let status = inv.v3_status.as_deref().unwrap_or_default();
    let (lifecycle, condition) = match status {
        _ if inv.vis_state == Some(1) => (Lifecycle::Void, None),
        "draft" | "created" => (Lifecycle::Draft, None),
        "paid" | "autopaid" | "success" => (Lifecycle::Paid, None),
        "partial" | "deposit-partial" => (Lifecycle::PartiallyPaid, None),
        "overdue" => (from_amounts, Some(Condition::Overdue)),
        "disputed" => (from_amounts, Some(Condition::Disputed)),
        "failed" | "retry" | "declined" => (from_amounts, Some(Condition::PaymentFailed)),
        _ => (from_amounts, None),
    };
    Ok((
        InvoiceSnapshot {
            number: inv.invoice_number.clone(),
            customer: Customer {
                platform_id: id_text(inv.customerid.as_ref()).unwrap_or_default(),
                name: inv.organization.clone(),
                portal_account: None,
            },
            currency,
            total,
            paid,
            credited: Decimal::ZERO,
            refunded: Decimal::ZERO,
            due_date: inv
                .due_date
                .as_deref()
                .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok()),
            lifecycle,
        },
        condition,
    ))
}
