//! Accounting API response types: the Invoice fields the relay reads, Xero's MS-JSON
//! dates, and error bodies. Amounts are read from the JSON number's own digits (never
//! through `f64`).

use std::str::FromStr;

use chrono::{DateTime, NaiveDate, NaiveDateTime, TimeZone, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Deserializer};
use serde_json::value::RawValue;

/// `GET /api.xro/2.0/Invoices/{id}`: `{"Id":..,"Status":"OK","Invoices":[{...}]}`.
#[derive(Debug, Deserialize)]
pub struct InvoicesResponse {
    /// The invoices (one for a GET by id).
    #[serde(rename = "Invoices", default)]
    pub invoices: Vec<Invoice>,
}

/// `GET /api.xro/2.0/CreditNotes/{id}`: `{"CreditNotes":[{...}]}`.
#[derive(Debug, Deserialize)]
pub struct CreditNotesResponse {
    /// The credit notes (one for a GET by id).
    #[serde(rename = "CreditNotes", default)]
    pub credit_notes: Vec<CreditNote>,
}

/// A credit note and where it was allocated.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct CreditNote {
    /// `CreditNoteID` (a GUID).
    #[serde(rename = "CreditNoteID")]
    pub credit_note_id: String,
    /// `ACCRECCREDIT | ACCPAYCREDIT`.
    #[serde(rename = "Type", default)]
    pub credit_note_type: Option<String>,
    /// Allocations to invoices.
    #[serde(default)]
    pub allocations: Vec<Allocation>,
}

/// One allocation of a credit note.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Allocation {
    /// The invoice credited.
    #[serde(default)]
    pub invoice: Option<InvoiceRef>,
}

/// `{"InvoiceID": ...}` inside an allocation.
#[derive(Debug, Clone, Deserialize)]
pub struct InvoiceRef {
    /// The invoice id.
    #[serde(rename = "InvoiceID")]
    pub invoice_id: String,
}

/// The contact an invoice is addressed to.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Contact {
    /// `ContactID` (a GUID).
    #[serde(rename = "ContactID", default)]
    pub contact_id: String,
    /// Display name.
    #[serde(default)]
    pub name: Option<String>,
}

/// An invoice (`Type` `ACCREC` for sales invoices, `ACCPAY` for bills).
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Invoice {
    /// `InvoiceID` (a GUID).
    #[serde(rename = "InvoiceID")]
    pub invoice_id: String,
    /// `INV-0042`.
    #[serde(default)]
    pub invoice_number: Option<String>,
    /// `ACCREC | ACCPAY`.
    #[serde(rename = "Type", default)]
    pub invoice_type: Option<String>,
    /// `DRAFT | SUBMITTED | AUTHORISED | PAID | VOIDED | DELETED`.
    #[serde(default)]
    pub status: Option<String>,
    /// The customer.
    #[serde(default)]
    pub contact: Contact,
    /// `GBP`.
    #[serde(default)]
    pub currency_code: Option<String>,
    /// Invoice total.
    #[serde(deserialize_with = "decimal")]
    pub total: Decimal,
    /// Still owed.
    #[serde(default, deserialize_with = "opt_decimal")]
    pub amount_due: Option<Decimal>,
    /// Paid by payments.
    #[serde(default, deserialize_with = "opt_decimal")]
    pub amount_paid: Option<Decimal>,
    /// Settled by credit notes, prepayments and overpayments.
    #[serde(default, deserialize_with = "opt_decimal")]
    pub amount_credited: Option<Decimal>,
    /// `2026-04-01T00:00:00`.
    #[serde(default)]
    pub due_date_string: Option<String>,
    /// `/Date(1775001600000+0000)/`.
    #[serde(default)]
    pub due_date: Option<String>,
    /// `/Date(1772445600000+0000)/`: the record version.
    #[serde(rename = "UpdatedDateUTC", default)]
    pub updated_date_utc: Option<String>,
}

/// Xero's problem body (`{"Title":"Unauthorized","Status":401,"Detail":..}`) or API
/// exception (`{"ErrorNumber":..,"Type":..,"Message":..}`).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ErrorBody {
    /// Problem title.
    #[serde(default)]
    pub title: Option<String>,
    /// Problem detail.
    #[serde(default)]
    pub detail: Option<String>,
    /// API exception type.
    #[serde(rename = "Type", default)]
    pub error_type: Option<String>,
    /// API exception message.
    #[serde(default)]
    pub message: Option<String>,
}

impl ErrorBody {
    /// A short summary without customer data.
    pub fn summary(&self) -> String {
        [&self.title, &self.detail, &self.error_type, &self.message]
            .into_iter()
            .flatten()
            .map(String::as_str)
            .collect::<Vec<_>>()
            .join(" ")
            .chars()
            .take(160)
            .collect()
    }
}

/// Milliseconds since the epoch in `/Date(1518685950940+0000)/` (offset ignored: the
/// number is UTC already) or `/Date(1573755038314)/`.
pub fn ms_date(text: &str) -> Option<i64> {
    let inner = text.trim().strip_prefix("/Date(")?.strip_suffix(")/")?;
    let digits_end = inner
        .char_indices()
        .skip(1)
        .find(|(_, c)| *c == '+' || *c == '-')
        .map_or(inner.len(), |(i, _)| i);
    inner[..digits_end].parse().ok()
}

/// [`ms_date`] as a UTC time.
pub fn ms_time(text: &str) -> Option<DateTime<Utc>> {
    Utc.timestamp_millis_opt(ms_date(text)?).single()
}

/// A due date from `DueDateString` (`2026-04-01T00:00:00`) or `DueDate` (MS-JSON).
pub fn due_date(inv: &Invoice) -> Option<NaiveDate> {
    if let Some(s) = inv.due_date_string.as_deref() {
        if let Ok(t) = NaiveDateTime::parse_from_str(s.trim(), "%Y-%m-%dT%H:%M:%S%.f") {
            return Some(t.date());
        }
        if let Ok(d) = NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d") {
            return Some(d);
        }
    }
    inv.due_date
        .as_deref()
        .and_then(ms_time)
        .map(|t| t.date_naive())
}

/// Reads a JSON number (or a numeric string) into a [`Decimal`] from its own digits.
pub fn parse_decimal(text: &str) -> Option<Decimal> {
    let t = text.trim().trim_matches('"');
    Decimal::from_str(t)
        .ok()
        .or_else(|| Decimal::from_scientific(t).ok())
}

fn decimal<'de, D: Deserializer<'de>>(d: D) -> Result<Decimal, D::Error> {
    let raw = Box::<RawValue>::deserialize(d)?;
    parse_decimal(raw.get())
        .ok_or_else(|| serde::de::Error::custom(format!("not an amount: {}", raw.get())))
}

fn opt_decimal<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Decimal>, D::Error> {
    let raw = Option::<Box<RawValue>>::deserialize(d)?;
    match raw {
        None => Ok(None),
        Some(r) if r.get() == "null" => Ok(None),
        Some(r) => parse_decimal(r.get())
            .map(Some)
            .ok_or_else(|| serde::de::Error::custom(format!("not an amount: {}", r.get()))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ms_json_dates() {
        assert_eq!(
            ms_date("/Date(1518685950940+0000)/"),
            Some(1_518_685_950_940)
        );
        assert_eq!(ms_date("/Date(1573755038314)/"), Some(1_573_755_038_314));
        assert_eq!(ms_date("/Date(-86400000+0000)/"), Some(-86_400_000));
        assert_eq!(ms_date("2019-11-14"), None);
        assert_eq!(ms_date("/Date(x)/"), None);
        assert_eq!(
            ms_time("/Date(1518685950940+0000)/").map(|t| t.to_rfc3339()),
            Some("2018-02-15T09:12:30.940+00:00".into())
        );
    }

    #[test]
    fn due_date_prefers_the_string_form() {
        let inv: Invoice = serde_json::from_str(
            r#"{"InvoiceID":"x","Total":1,"DueDateString":"2018-02-15T00:00:00","DueDate":"/Date(1518652800000+0000)/"}"#,
        )
        .unwrap();
        assert_eq!(due_date(&inv), NaiveDate::from_ymd_opt(2018, 2, 15));
        let inv: Invoice = serde_json::from_str(
            r#"{"InvoiceID":"x","Total":1,"DueDate":"/Date(1518652800000+0000)/"}"#,
        )
        .unwrap();
        assert_eq!(due_date(&inv), NaiveDate::from_ymd_opt(2018, 2, 15));
    }

    #[test]
    fn amounts_keep_their_digits() {
        let inv: Invoice = serde_json::from_str(
            r#"{"InvoiceID":"x","Total":4250.10,"AmountPaid":0.1,"AmountDue":null}"#,
        )
        .unwrap();
        assert_eq!(inv.total.to_string(), "4250.10");
        assert_eq!(inv.amount_paid.map(|d| d.to_string()), Some("0.1".into()));
        assert_eq!(inv.amount_due, None);
    }
}
