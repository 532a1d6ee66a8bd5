//! Accounting API response types (`minorversion=75`): the Invoice, Payment and CreditMemo
//! fields the relay reads, and the Fault body of errors. Amounts are read from the JSON
//! number's own digits (never through `f64`).

use std::str::FromStr;

use rust_decimal::Decimal;
use serde::{Deserialize, Deserializer};
use serde_json::value::RawValue;

/// `{"Invoice": {...}, "time": "..."}`.
#[derive(Debug, Deserialize)]
pub struct InvoiceResponse {
    /// The invoice.
    #[serde(rename = "Invoice")]
    pub invoice: Invoice,
}

/// `{"Payment": {...}}`.
#[derive(Debug, Deserialize)]
pub struct PaymentResponse {
    /// The payment.
    #[serde(rename = "Payment")]
    pub payment: Payment,
}

/// `{"CreditMemo": {...}}`.
#[derive(Debug, Deserialize)]
pub struct CreditMemoResponse {
    /// The credit memo.
    #[serde(rename = "CreditMemo")]
    pub credit_memo: CreditMemo,
}

/// A reference to another entity (`{"value": "24", "name": "..."}`).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Ref {
    /// The id (or currency code).
    pub value: String,
    /// Display name.
    #[serde(default)]
    pub name: Option<String>,
}

/// A linked transaction (`{"TxnId": "212", "TxnType": "Payment"}`).
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct LinkedTxn {
    /// Id of the linked transaction.
    pub txn_id: String,
    /// `Payment`, `CreditMemo`, `Invoice`, `Estimate`, ...
    pub txn_type: String,
}

/// `MetaData`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct MetaData {
    /// `2014-09-19T13:16:17-07:00`.
    #[serde(default)]
    pub create_time: Option<String>,
    /// `2014-09-19T13:16:17-07:00`.
    #[serde(default)]
    pub last_updated_time: Option<String>,
}

/// An Invoice (no status field: the state is derived from amounts and `PrivateNote`).
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Invoice {
    /// Entity id.
    pub id: String,
    /// Invoice number.
    #[serde(default)]
    pub doc_number: Option<String>,
    /// Optimistic-locking version, a decimal counter in a string.
    #[serde(default)]
    pub sync_token: Option<String>,
    /// Create and update times.
    #[serde(default)]
    pub meta_data: MetaData,
    /// `2014-09-19`.
    #[serde(default)]
    pub txn_date: Option<String>,
    /// `2014-10-19`.
    #[serde(default)]
    pub due_date: Option<String>,
    /// Invoice total.
    #[serde(deserialize_with = "decimal")]
    pub total_amt: Decimal,
    /// Still owed.
    #[serde(default, deserialize_with = "opt_decimal")]
    pub balance: Option<Decimal>,
    /// Currency (absent in companies without multicurrency).
    #[serde(default)]
    pub currency_ref: Option<Ref>,
    /// The customer.
    #[serde(default)]
    pub customer_ref: Option<Ref>,
    /// Payments and credit memos applied, estimates converted, ...
    #[serde(default)]
    pub linked_txn: Vec<LinkedTxn>,
    /// Internal note; QuickBooks prefixes `Voided` when an invoice is voided.
    #[serde(default)]
    pub private_note: Option<String>,
    /// `NotSet | NeedToSend | EmailSent`.
    #[serde(default)]
    pub email_status: Option<String>,
}

/// One line of a Payment.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct PaymentLine {
    /// Amount applied by this line.
    #[serde(default, deserialize_with = "opt_decimal")]
    pub amount: Option<Decimal>,
    /// What the line applies to (invoices, credit memos).
    #[serde(default)]
    pub linked_txn: Vec<LinkedTxn>,
}

/// A Payment (receive payment).
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Payment {
    /// Entity id.
    pub id: String,
    /// Lines, each linked to what it pays.
    #[serde(default)]
    pub line: Vec<PaymentLine>,
}

/// A CreditMemo.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct CreditMemo {
    /// Entity id.
    pub id: String,
    /// Linked transactions.
    #[serde(default)]
    pub linked_txn: Vec<LinkedTxn>,
    /// Lines (credit memos applied through a payment are linked there).
    #[serde(default)]
    pub line: Vec<PaymentLine>,
}

/// An error body: `{"Fault":{"Error":[{"Message":..,"code":..}],"type":..}}`.
#[derive(Debug, Deserialize)]
pub struct FaultResponse {
    /// The fault.
    #[serde(rename = "Fault")]
    pub fault: Fault,
}

/// `Fault`.
#[derive(Debug, Deserialize)]
pub struct Fault {
    /// The errors.
    #[serde(rename = "Error", default)]
    pub errors: Vec<FaultError>,
    /// `ValidationFault`, `AuthenticationFault`, ...
    #[serde(rename = "type", default)]
    pub fault_type: Option<String>,
}

/// One fault entry.
#[derive(Debug, Deserialize)]
pub struct FaultError {
    /// `Object Not Found`.
    #[serde(rename = "Message", default)]
    pub message: Option<String>,
    /// `610`.
    #[serde(default)]
    pub code: Option<String>,
}

impl FaultResponse {
    /// `ValidationFault 610 Object Not Found` (no customer data).
    pub fn summary(&self) -> String {
        let mut s = self.fault.fault_type.clone().unwrap_or_default();
        if let Some(e) = self.fault.errors.first() {
            for part in [&e.code, &e.message].into_iter().flatten() {
                if !s.is_empty() {
                    s.push(' ');
                }
                s.push_str(part);
            }
        }
        s.chars().take(160).collect()
    }
}

/// Ids of the invoices `lines` and `linked` name, first seen first, without repeats.
pub fn linked_invoices<'a>(
    lines: impl IntoIterator<Item = &'a PaymentLine>,
    linked: impl IntoIterator<Item = &'a LinkedTxn>,
) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let all = lines
        .into_iter()
        .flat_map(|l| l.linked_txn.iter())
        .chain(linked);
    for t in all {
        if t.txn_type == "Invoice" && !out.contains(&t.txn_id) {
            out.push(t.txn_id.clone());
        }
    }
    out
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
    fn amounts_keep_their_digits() {
        let inv: Invoice =
            serde_json::from_str(r#"{"Id":"1","TotalAmt":362.07,"Balance":"0.1","SyncToken":"3"}"#)
                .unwrap();
        assert_eq!(inv.total_amt.to_string(), "362.07");
        assert_eq!(inv.balance.map(|b| b.to_string()), Some("0.1".into()));
        let big: Invoice = serde_json::from_str(r#"{"Id":"1","TotalAmt":1.5e3}"#).unwrap();
        assert_eq!(big.total_amt, Decimal::from(1500));
        assert!(serde_json::from_str::<Invoice>(r#"{"Id":"1","TotalAmt":true}"#).is_err());
    }

    #[test]
    fn linked_invoices_deduplicate() {
        let p: Payment = serde_json::from_str(
            r#"{"Id":"9","Line":[{"Amount":5,"LinkedTxn":[{"TxnId":"1","TxnType":"Invoice"},{"TxnId":"4","TxnType":"CreditMemo"}]},{"Amount":1,"LinkedTxn":[{"TxnId":"1","TxnType":"Invoice"},{"TxnId":"2","TxnType":"Invoice"}]}]}"#,
        )
        .unwrap();
        assert_eq!(linked_invoices(&p.line, []), vec!["1", "2"]);
    }
}
