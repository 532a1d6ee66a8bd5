//! The webhook body: `{"invoice": {...}}` (Default Payload) or the bare invoice object
//! (a raw payload built from placeholders). Unknown fields are ignored; `status` stays
//! open text. Amounts are JSON numbers read from their digits.

use std::borrow::Cow;
use std::str::FromStr;

use invoice_connector_support::json::opt_text;
use rust_decimal::Decimal;
use serde::{Deserialize, Deserializer};
use serde_json::value::RawValue;

#[derive(Deserialize)]
struct Wrapped<'a> {
    #[serde(default, borrow)]
    invoice: Option<Invoice<'a>>,
}

/// Parses the body: `{"invoice": {...}}` (Default Payload) or the bare invoice object.
/// The wrapped form (what Zoho sends by default) is read in one pass; only a body without
/// an `invoice` member is read a second time, as the bare object.
pub fn parse_body(body: &[u8]) -> Result<Invoice<'_>, serde_json::Error> {
    let wrapped: Wrapped<'_> = invoice_connector_support::json::from_body(body)?;
    match wrapped.invoice {
        Some(invoice) => Ok(invoice),
        None => serde_json::from_slice(body),
    }
}

/// An invoice (the fields the relay reads).
#[derive(Debug, Clone, Deserialize)]
pub struct Invoice<'a> {
    /// Numeric string id.
    #[serde(borrow)]
    pub invoice_id: Cow<'a, str>,
    /// `INV-00042`.
    #[serde(default, borrow, deserialize_with = "opt_text")]
    pub invoice_number: Option<Cow<'a, str>>,
    /// `draft | sent | viewed | overdue | partially_paid | paid | void | unpaid |
    /// pending_approval | approved | rejected | ...`.
    #[serde(borrow)]
    pub status: Cow<'a, str>,
    /// Customer id.
    #[serde(default, borrow, deserialize_with = "opt_text")]
    pub customer_id: Option<Cow<'a, str>>,
    /// Customer name.
    #[serde(default, borrow, deserialize_with = "opt_text")]
    pub customer_name: Option<Cow<'a, str>>,
    /// ISO currency.
    #[serde(borrow)]
    pub currency_code: Cow<'a, str>,
    /// Total.
    #[serde(deserialize_with = "decimal")]
    pub total: Decimal,
    /// Still owed.
    #[serde(default, deserialize_with = "opt_decimal")]
    pub balance: Option<Decimal>,
    /// Paid so far.
    #[serde(default, deserialize_with = "opt_decimal")]
    pub payment_made: Option<Decimal>,
    /// `2026-02-13`.
    #[serde(default, borrow, deserialize_with = "opt_text")]
    pub due_date: Option<Cow<'a, str>>,
    /// `2026-01-14T09:12:44+0530`: the source version.
    #[serde(default, borrow, deserialize_with = "opt_text")]
    pub last_modified_time: Option<Cow<'a, str>>,
}

fn parse(text: &str) -> Option<Decimal> {
    let t = text.trim().trim_matches('"');
    let t: Cow<'_, str> = if t.contains(',') {
        Cow::Owned(t.replace(',', ""))
    } else {
        Cow::Borrowed(t)
    };
    Decimal::from_str(&t)
        .ok()
        .or_else(|| Decimal::from_scientific(&t).ok())
}

fn decimal<'de, D: Deserializer<'de>>(d: D) -> Result<Decimal, D::Error> {
    let raw = <&RawValue>::deserialize(d)?;
    parse(raw.get()).ok_or_else(|| serde::de::Error::custom("not an amount"))
}

fn opt_decimal<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Decimal>, D::Error> {
    let raw = Option::<&RawValue>::deserialize(d)?;
    match raw {
        None => Ok(None),
        Some(r) if r.get() == "null" || r.get() == "\"\"" => Ok(None),
        Some(r) => parse(r.get())
            .map(Some)
            .ok_or_else(|| serde::de::Error::custom("not an amount")),
    }
}
