//! CRM invoices API response (`GET /crm/v3/objects/invoices/{id}`) and its snapshot.
//! Every property value is a string (or null); amounts are read from their digits.

use std::collections::BTreeMap;
use std::str::FromStr;

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use invoice_core::{Currency, Customer, InvoiceSnapshot, Lifecycle};
use rust_decimal::Decimal;
use serde::Deserialize;

/// The properties the enricher asks for.
pub const PROPERTIES: &str = "hs_invoice_status,hs_amount_billed,hs_amount_paid,hs_balance_due,hs_due_date,hs_currency,hs_number,hs_lastmodifieddate";

/// A CRM object.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CrmObject {
    /// Record id.
    pub id: String,
    /// Requested properties.
    #[serde(default)]
    pub properties: BTreeMap<String, Option<String>>,
    /// ISO 8601.
    #[serde(default)]
    pub updated_at: Option<String>,
    /// Archived (deleted) records.
    #[serde(default)]
    pub archived: bool,
    /// `associations.companies.results[].id`, when asked for.
    #[serde(default)]
    pub associations: BTreeMap<String, AssociationList>,
}

/// `{"results": [{"id": "...", "type": "..."}]}`.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct AssociationList {
    /// Associated records.
    #[serde(default)]
    pub results: Vec<Association>,
}

/// One association.
#[derive(Debug, Clone, Deserialize)]
pub struct Association {
    /// Associated record id.
    pub id: String,
}

impl CrmObject {
    /// A property's non-empty value.
    pub fn prop(&self, name: &str) -> Option<&str> {
        self.properties
            .get(name)
            .and_then(|v| v.as_deref())
            .map(str::trim)
            .filter(|v| !v.is_empty())
    }

    fn amount(&self, name: &str) -> Result<Option<Decimal>, String> {
        self.prop(name)
            .map(|v| {
                Decimal::from_str(v)
                    .or_else(|_| Decimal::from_scientific(v))
                    .map_err(|_| format!("{name} is not an amount"))
            })
            .transpose()
    }

    /// `hs_lastmodifieddate` (else `updatedAt`) in epoch milliseconds: the source version.
    pub fn modified_ms(&self) -> Option<i64> {
        self.prop("hs_lastmodifieddate")
            .or(self.updated_at.as_deref())
            .and_then(parse_instant)
            .map(|t| t.timestamp_millis())
    }

    /// The first associated company (else contact): the customer.
    pub fn customer_id(&self) -> Option<&str> {
        ["companies", "contacts"].iter().find_map(|k| {
            self.associations
                .get(*k)
                .and_then(|l| l.results.first())
                .map(|a| a.id.as_str())
        })
    }
}

/// An instant as HubSpot writes it: ISO 8601, or epoch milliseconds.
pub fn parse_instant(v: &str) -> Option<DateTime<Utc>> {
    if let Ok(t) = DateTime::parse_from_rfc3339(v) {
        return Some(t.with_timezone(&Utc));
    }
    v.parse::<i64>()
        .ok()
        .and_then(|ms| Utc.timestamp_millis_opt(ms).single())
}

/// A date property: `2026-02-14`, an ISO instant (its UTC date), or epoch milliseconds.
pub fn parse_date(v: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(v, "%Y-%m-%d")
        .ok()
        .or_else(|| parse_instant(v).map(|t| t.date_naive()))
}

/// The canonical snapshot of an invoice record.
pub fn snapshot(
    obj: &CrmObject,
    default_currency: Option<Currency>,
) -> Result<InvoiceSnapshot, String> {
    let currency = match obj.prop("hs_currency") {
        Some(c) => Currency::new(c).map_err(|e| format!("hs_currency: {e}"))?,
        None => default_currency
            .ok_or("invoice has no hs_currency and no default_currency is configured")?,
    };
    let total = obj.amount("hs_amount_billed")?.unwrap_or(Decimal::ZERO);
    let balance = obj.amount("hs_balance_due")?;
    let paid = match (obj.amount("hs_amount_paid")?, balance) {
        (Some(p), _) => p,
        (None, Some(b)) => (total - b).max(Decimal::ZERO),
        (None, None) => Decimal::ZERO,
    };
    let owed = balance.unwrap_or(total - paid);
    let lifecycle = match obj.prop("hs_invoice_status") {
        Some("draft") => Lifecycle::Draft,
        Some("paid") => Lifecycle::Paid,
        Some("voided") => Lifecycle::Void,
        _ if total > Decimal::ZERO && owed <= Decimal::ZERO => Lifecycle::Paid,
        _ if paid > Decimal::ZERO && owed > Decimal::ZERO => Lifecycle::PartiallyPaid,
        _ => Lifecycle::Open,
    };
    Ok(InvoiceSnapshot {
        number: obj.prop("hs_number").map(str::to_owned),
        customer: Customer {
            platform_id: obj.customer_id().unwrap_or_default().to_owned(),
            name: None,
            portal_account: None,
        },
        currency,
        total,
        paid,
        credited: Decimal::ZERO,
        refunded: Decimal::ZERO,
        due_date: obj.prop("hs_due_date").and_then(parse_date),
        lifecycle,
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn obj(props: &[(&str, &str)]) -> CrmObject {
        CrmObject {
            id: "1".into(),
            properties: props
                .iter()
                .map(|(k, v)| (k.to_string(), Some(v.to_string())))
                .collect(),
            updated_at: None,
            archived: false,
            associations: BTreeMap::new(),
        }
    }

    #[test]
    fn open_with_payment_is_partially_paid() {
        let o = obj(&[
            ("hs_invoice_status", "open"),
            ("hs_amount_billed", "1250.00"),
            ("hs_balance_due", "250.00"),
            ("hs_currency", "EUR"),
            ("hs_due_date", "2026-02-14T00:00:00Z"),
        ]);
        let s = snapshot(&o, None).unwrap();
        assert_eq!(s.lifecycle, Lifecycle::PartiallyPaid);
        assert_eq!(s.paid.to_string(), "1000.00");
        assert_eq!(s.due_date.map(|d| d.to_string()), Some("2026-02-14".into()));
    }

    #[test]
    fn missing_currency_needs_a_default() {
        let o = obj(&[("hs_amount_billed", "10")]);
        assert!(snapshot(&o, None).is_err());
        assert_eq!(
            snapshot(&o, Some(Currency::USD)).unwrap().currency,
            Currency::USD
        );
        assert!(snapshot(
            &obj(&[("hs_amount_billed", "ten"), ("hs_currency", "USD")]),
            None
        )
        .is_err());
    }
}
