//! An `A_BillingDocument` read back through OData -> one canonical event.
//!
//! | billing document | canonical event | snapshot lifecycle |
//! | --- | --- | --- |
//! | `BillingDocumentIsCancelled = true`, or `AccountingTransferStatus = E` | `voided` | `void` |
//! | a cancellation document (`SDDocumentCategory` `N`/`S`) naming `CancelledBillingDocument` | `voided` of the cancelled document | `void` |
//! | `SDDocumentCategory` `O`/`P` (credit / debit memo) | rejected: not an invoice of its own | |
//! | `AccountingTransferStatus = D` (not relevant for accounting, pro forma) | rejected | |
//! | `AccountingTransferStatus` other than `C` (not yet posted to accounting) | `updated` | `draft` |
//! | posted, `InvoiceClearingStatus = C` (cleared) | `paid` | `paid`, paid = total |
//! | posted, `InvoiceClearingStatus = B` (partially cleared) | `payment_received` | `partially_paid` (the header has no cleared amount: paid stays 0) |
//! | posted, `InvoiceClearingStatus = A` or blank | `issued` | `open` (overdue from the relay's rules when `due_days` is set) |
//! | any other clearing status | rejected, recorded with the value | |
//!
//! Amounts: `TotalGrossAmount` (net + tax) is the total, in `TransactionCurrency`.
//! Customer: the partner with function `RG` (payer), else `PayerParty`, else
//! `SoldToParty`. Version: `LastChangeDateTime` in milliseconds. The header has no net due
//! date; with `due_days` set it is `BillingDocumentDate` + that many days.

use std::str::FromStr;

use chrono::{DateTime, Duration, Utc};
use invoice_core::{
    Currency, Customer, EnrichError, EventKind, InvoiceEvent, InvoiceKey, InvoiceSnapshot,
    Lifecycle, Platform, ThinReference,
};
use rust_decimal::Decimal;

use crate::odata::{parse_date, parse_datetime, BillingRecord};
use crate::payload::valid_document;

/// `InvoiceClearingStatus` -> (event kind, lifecycle) of a posted invoice.
pub fn clearing(status: Option<&str>) -> Option<(EventKind, Lifecycle)> {
    Some(match status.unwrap_or("") {
        "" | "A" => (EventKind::Issued, Lifecycle::Open),
        "B" => (EventKind::PaymentReceived, Lifecycle::PartiallyPaid),
        "C" => (EventKind::Paid, Lifecycle::Paid),
        _ => return None,
    })
}

fn rejected(m: impl Into<String>) -> EnrichError {
    EnrichError::Rejected(m.into())
}

fn cut(s: &str) -> String {
    s.chars().take(40).collect()
}

fn amount(rec: &BillingRecord, field: &str) -> Result<Decimal, EnrichError> {
    let text = rec
        .get(field)
        .ok_or_else(|| rejected(format!("{field} missing")))?;
    Decimal::from_str(text)
        .map_err(|_| rejected(format!("{field}: `{}` is not a number", cut(text))))
}

fn customer(rec: &BillingRecord) -> Customer {
    let payer = rec
        .partners
        .iter()
        .find(|(f, _)| f == "RG")
        .map(|(_, c)| c.as_str())
        .or_else(|| rec.get("PayerParty"))
        .or_else(|| rec.get("SoldToParty"))
        .unwrap_or("unknown");
    Customer {
        platform_id: payer.to_owned(),
        name: None,
        portal_account: None,
    }
}

/// Maps a billing document read for `reference` to its canonical event.
pub fn map_record(
    rec: &BillingRecord,
    reference: &ThinReference,
    due_days: Option<u32>,
) -> Result<InvoiceEvent, EnrichError> {
    let doc = rec
        .get("BillingDocument")
        .ok_or_else(|| rejected("BillingDocument missing"))?;
    if doc != reference.entity_id {
        return Err(rejected(format!(
            "asked for {} and got {}",
            cut(&reference.entity_id),
            cut(doc)
        )));
    }
    let category = rec.get("SDDocumentCategory").unwrap_or("M");
    let transfer = rec.get("AccountingTransferStatus");
    let cancelled = rec.get("BillingDocumentIsCancelled") == Some("true") || transfer == Some("E");
    let mut id = doc.to_owned();
    let (kind, lifecycle) = match category {
        "N" | "S" => {
            let original = rec
                .get("CancelledBillingDocument")
                .filter(|d| valid_document(d))
                .ok_or_else(|| rejected("cancellation document without the cancelled one"))?;
            id = original.to_owned();
            (EventKind::Voided, Lifecycle::Void)
        }
        "O" | "P" => {
            return Err(rejected(format!(
                "{doc} is a credit or debit memo (category {category}), not an invoice"
            )))
        }
        _ if cancelled => (EventKind::Voided, Lifecycle::Void),
        _ if transfer == Some("D") => {
            return Err(rejected(format!("{doc} is not relevant for accounting")))
        }
        _ if transfer != Some("C") => (EventKind::Updated, Lifecycle::Draft),
        _ => clearing(rec.get("InvoiceClearingStatus")).ok_or_else(|| {
            rejected(format!(
                "InvoiceClearingStatus `{}` is not mapped",
                cut(rec.get("InvoiceClearingStatus").unwrap_or_default())
            ))
        })?,
    };
    let code = rec
        .get("TransactionCurrency")
        .ok_or_else(|| rejected("TransactionCurrency missing"))?;
    let currency =
        Currency::new(code).map_err(|_| rejected(format!("currency `{}`", cut(code))))?;
    let total = amount(rec, "TotalGrossAmount")?;
    let paid = if lifecycle == Lifecycle::Paid {
        total
    } else {
        Decimal::ZERO
    };
    let due_date = match (
        due_days,
        rec.get("BillingDocumentDate").and_then(parse_date),
    ) {
        (Some(days), Some(d)) => d.checked_add_signed(Duration::days(i64::from(days))),
        _ => None,
    };
    let modified: Option<DateTime<Utc>> = rec.get("LastChangeDateTime").and_then(parse_datetime);
    let version = modified.and_then(|m| u64::try_from(m.timestamp_millis()).ok());
    let snapshot = InvoiceSnapshot {
        number: Some(id.clone()),
        customer: customer(rec),
        currency,
        total,
        paid,
        credited: Decimal::ZERO,
        refunded: Decimal::ZERO,
        due_date,
        lifecycle,
    };
    let event_id = format!(
        "BillingDocument:{doc}:{}",
        version
            .map(|v| v.to_string())
            .unwrap_or_else(|| reference.event_id.clone())
    );
    let key = InvoiceKey {
        platform: Platform::SapS4hana,
        tenant: reference.tenant.clone(),
        id,
    };
    let occurred_at = modified.unwrap_or(reference.occurred_at);
    let mut event = InvoiceEvent::new(key, kind, occurred_at, event_id).with_snapshot(snapshot);
    event.source_version = version;
    event.received_at = reference.received_at;
    Ok(event)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn rec(pairs: &[(&str, &str)]) -> BillingRecord {
        BillingRecord {
            fields: pairs
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
            partners: vec![("RG".into(), "17100001".into())],
        }
    }

    fn reference() -> ThinReference {
        ThinReference {
            platform: Platform::SapS4hana,
            tenant: "244572008".into(),
            event_id: "e1".into(),
            entity: "BillingDocument".into(),
            entity_id: "90000042".into(),
            operation: "Changed".into(),
            resource_url: None,
            occurred_at: DateTime::from_timestamp(1_768_381_964, 0).unwrap(),
            received_at: DateTime::from_timestamp(1_768_381_965, 0).unwrap(),
            raw: None,
        }
    }

    const BASE: [(&str, &str); 6] = [
        ("BillingDocument", "90000042"),
        ("SDDocumentCategory", "M"),
        ("TransactionCurrency", "EUR"),
        ("TotalGrossAmount", "1190.00"),
        ("AccountingTransferStatus", "C"),
        ("BillingDocumentDate", "/Date(1768348800000)/"),
    ];

    #[test]
    fn each_status_row_of_the_table() {
        type Case<'a> = (&'a [(&'a str, &'a str)], EventKind, Lifecycle);
        let cases: [Case<'_>; 5] = [
            (
                &[("InvoiceClearingStatus", "A")],
                EventKind::Issued,
                Lifecycle::Open,
            ),
            (
                &[("InvoiceClearingStatus", "B")],
                EventKind::PaymentReceived,
                Lifecycle::PartiallyPaid,
            ),
            (
                &[("InvoiceClearingStatus", "C")],
                EventKind::Paid,
                Lifecycle::Paid,
            ),
            (
                &[("BillingDocumentIsCancelled", "true")],
                EventKind::Voided,
                Lifecycle::Void,
            ),
            (
                &[("AccountingTransferStatus", "A")],
                EventKind::Updated,
                Lifecycle::Draft,
            ),
        ];
        for (extra, kind, lifecycle) in cases {
            let mut r = rec(&BASE);
            for (k, v) in extra {
                r.fields.insert((*k).into(), (*v).into());
            }
            let e = map_record(&r, &reference(), Some(30)).unwrap();
            assert_eq!(
                (e.kind, e.snapshot.as_ref().unwrap().lifecycle),
                (kind, lifecycle)
            );
            let s = e.snapshot.unwrap();
            assert_eq!(s.customer.platform_id, "17100001");
            assert_eq!(s.due_date.unwrap().to_string(), "2026-02-13");
        }
    }

    #[test]
    fn memos_unknown_statuses_and_mismatches_are_rejected() {
        let mut r = rec(&BASE);
        r.fields.insert("SDDocumentCategory".into(), "O".into());
        assert!(map_record(&r, &reference(), None).is_err());
        let mut r = rec(&BASE);
        r.fields.insert("InvoiceClearingStatus".into(), "Z".into());
        assert!(map_record(&r, &reference(), None).is_err());
        let mut r = rec(&BASE);
        r.fields.insert("BillingDocument".into(), "90000043".into());
        assert!(map_record(&r, &reference(), None).is_err());
        let mut r = rec(&BASE);
        r.fields.insert("TotalGrossAmount".into(), "12,00".into());
        assert!(map_record(&r, &reference(), None).is_err());
    }
}
