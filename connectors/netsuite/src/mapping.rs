//! NetSuite invoice status names -> canonical events. Every invoice in a post is a
//! snapshot.
//!
//! | NetSuite status (`status` / `statusRef`) | canonical event | snapshot lifecycle |
//! | --- | --- | --- |
//! | `Pending Approval` / `pendingApproval` | `updated` | `draft` |
//! | `Rejected` / `rejected` | `updated` | `draft` (`void`, event `voided`, with `rejected_as_void`) |
//! | `Open` / `open`, nothing paid | `issued` | `open` |
//! | `Open` / `open`, 0 < paid < total | `payment_received` | `partially_paid` |
//! | `Paid In Full` / `paidInFull` | `paid` | `paid` |
//! | `Voided` / `voided` | `voided` | `void` |
//! | an invoice record deleted (`eventType` `delete`) | `voided` | `void` |
//! | anything else | skipped, with the status | |
//!
//! Names are matched case-insensitively, ignoring spaces. Paid = `total -
//! amountRemaining` (payments and applied credits alike). Overdue is derived by the
//! relay's rules from `dueDate` and the balance.
//!
//! Event id: `<recordType>/<id>:<eventType>:<lastModified ms of the saved record>:invoice/<id>`
//! (one save is one event per touched invoice; a re-post of the same save is a duplicate).
//! Source version: the later of the invoice's and the saved record's `lastModified`, in ms,
//! so a payment's snapshot outranks the invoice's own earlier edits.

use std::str::FromStr;

use chrono::{DateTime, NaiveDate, Utc};
use invoice_connector_support::json::present;
use invoice_core::{
    Currency, Customer, EventDetail, EventKind, InvoiceEvent, InvoiceKey, InvoiceSnapshot,
    Lifecycle, Platform, Skipped, TenantId,
};
use rust_decimal::{Decimal, RoundingStrategy};
use serde_json::value::RawValue;

use crate::payload::{Invoice, Post};

/// A NetSuite invoice status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NsStatus {
    /// `Open`.
    Open,
    /// `Paid In Full`.
    PaidInFull,
    /// `Pending Approval`.
    PendingApproval,
    /// `Rejected`.
    Rejected,
    /// `Voided`.
    Voided,
}

impl NsStatus {
    /// Reads a status name or script id.
    pub fn parse(text: &str) -> Option<NsStatus> {
        let key: String = text
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '_')
            .flat_map(char::to_lowercase)
            .collect();
        Some(match key.as_str() {
            "open" => NsStatus::Open,
            "paidinfull" => NsStatus::PaidInFull,
            "pendingapproval" => NsStatus::PendingApproval,
            "rejected" => NsStatus::Rejected,
            "voided" | "void" => NsStatus::Voided,
            _ => return None,
        })
    }
}

/// How posts are read.
#[derive(Debug, Clone, Copy)]
pub struct Rules {
    /// Currency of invoices without one.
    pub default_currency: Option<Currency>,
    /// `Rejected` is void, not draft.
    pub rejected_as_void: bool,
}

/// What one post maps to.
#[derive(Debug, Default)]
pub struct Mapped {
    /// One event per readable invoice.
    pub events: Vec<InvoiceEvent>,
    /// Invoices not applied, with reasons.
    pub skipped: Vec<Skipped>,
}

fn millis(iso: Option<&str>) -> Option<i64> {
    iso.and_then(|s| DateTime::parse_from_rfc3339(s).ok())
        .map(|t| t.timestamp_millis())
}

/// A number token (JSON number or numeric string) rounded to `currency`.
pub fn amount(raw: &RawValue, currency: Currency) -> Result<Decimal, String> {
    let token = raw.get().trim();
    let text = if token.starts_with('"') {
        serde_json::from_str::<String>(token).map_err(|e| e.to_string())?
    } else {
        token.to_owned()
    };
    let text = text.trim();
    if text.len() > 40 {
        return Err("number too long".into());
    }
    let value = if text.contains(['e', 'E']) {
        Decimal::from_scientific(text)
    } else {
        Decimal::from_str(text)
    }
    .map_err(|e| format!("amount `{text}`: {e}"))?;
    let exp = currency.exponent();
    let mut v = value.round_dp_with_strategy(exp, RoundingStrategy::MidpointAwayFromZero);
    v.rescale(exp);
    Ok(v)
}

/// Maps a verified post; `now` stands in when it carries no time at all.
pub fn map_post(post: &Post<'_>, tenant: &TenantId, rules: Rules, now: DateTime<Utc>) -> Mapped {
    let trigger_ms = millis(post.last_modified.as_deref()).or(post.sent_at);
    let mut out = Mapped::default();
    // Exact capacity: a first push would reserve four 432-byte events, past the
    // allocator's small-size cache.
    out.events.reserve_exact(post.invoices.len());
    for inv in &post.invoices {
        let id = format!(
            "{}/{}:{}:{}:invoice/{}",
            post.record_type,
            post.id,
            post.event_type,
            trigger_ms.unwrap_or(0),
            inv.id
        );
        let version_ms = millis(inv.last_modified.as_deref())
            .into_iter()
            .chain(trigger_ms)
            .max();
        let occurred_at = version_ms
            .and_then(DateTime::<Utc>::from_timestamp_millis)
            .unwrap_or(now);
        match invoice(post, inv, rules) {
            Ok((kind, snapshot)) => {
                let mut e = InvoiceEvent::new(
                    InvoiceKey {
                        platform: Platform::Netsuite,
                        tenant: tenant.clone(),
                        id: inv.id.to_string(),
                    },
                    kind,
                    occurred_at,
                    id,
                )
                .with_snapshot(snapshot)
                .with_detail(EventDetail::None);
                e.source_version = version_ms.and_then(|v| u64::try_from(v).ok());
                out.events.push(e);
            }
            Err(reason) => out.skipped.push(Skipped {
                event_id: id,
                event_type: format!(
                    "{}.{}:{}",
                    post.record_type,
                    post.event_type,
                    inv.status.as_deref().unwrap_or("-")
                ),
                reason,
            }),
        }
    }
    out
}

fn invoice(
    post: &Post<'_>,
    inv: &Invoice<'_>,
    rules: Rules,
) -> Result<(EventKind, InvoiceSnapshot), String> {
    let deleted = post.record_type == "invoice" && post.event_type == "delete";
    let status = inv
        .status
        .as_deref()
        .and_then(NsStatus::parse)
        .or_else(|| inv.status_ref.as_deref().and_then(NsStatus::parse));
    let status = match (status, deleted) {
        (_, true) => NsStatus::Voided,
        (Some(s), false) => s,
        (None, false) => {
            return Err(format!(
                "status `{}` is not mapped",
                inv.status
                    .as_deref()
                    .or(inv.status_ref.as_deref())
                    .unwrap_or("")
            ))
        }
    };
    let currency = match inv
        .currency
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty())
    {
        Some(c) => Currency::new(c).map_err(|_| format!("currency `{c}` is not an ISO code"))?,
        None => rules
            .default_currency
            .ok_or("no currency: set sources.netsuite.default_currency")?,
    };
    let total = amount(inv.total, currency)?;
    let remaining = match present(inv.amount_remaining) {
        Some(r) => Some(amount(r, currency)?),
        None => None,
    };
    let paid = match (remaining, status) {
        (Some(r), _) => (total - r).max(Decimal::new(0, currency.exponent())),
        (None, NsStatus::PaidInFull) => total,
        (None, _) => Decimal::new(0, currency.exponent()),
    };
    let (kind, lifecycle) = match status {
        NsStatus::PendingApproval => (EventKind::Updated, Lifecycle::Draft),
        NsStatus::Rejected if rules.rejected_as_void => (EventKind::Voided, Lifecycle::Void),
        NsStatus::Rejected => (EventKind::Updated, Lifecycle::Draft),
        NsStatus::Open if paid > Decimal::ZERO && paid < total => {
            (EventKind::PaymentReceived, Lifecycle::PartiallyPaid)
        }
        NsStatus::Open => (EventKind::Issued, Lifecycle::Open),
        NsStatus::PaidInFull => (EventKind::Paid, Lifecycle::Paid),
        NsStatus::Voided => (EventKind::Voided, Lifecycle::Void),
    };
    let due_date = inv
        .due_date
        .as_deref()
        .map(str::trim)
        .filter(|d| !d.is_empty())
        .map(|d| {
            d.get(..10)
                .and_then(|head| NaiveDate::parse_from_str(head, "%Y-%m-%d").ok())
                .ok_or_else(|| format!("dueDate `{d}` is not YYYY-MM-DD"))
        })
        .transpose()?;
    let customer_id = inv.entity_id.as_deref().unwrap_or_default().to_owned();
    Ok((
        kind,
        InvoiceSnapshot {
            number: inv.tran_id.as_deref().map(str::to_owned),
            customer: Customer {
                platform_id: customer_id,
                name: inv.entity_name.as_deref().map(str::to_owned),
                portal_account: None,
            },
            currency,
            total,
            paid,
            credited: Decimal::ZERO,
            refunded: Decimal::ZERO,
            due_date,
            lifecycle,
        },
    ))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // tests may unwrap (see the workspace lints)
mod tests {
    use super::*;

    #[test]
    fn names_and_script_ids() {
        assert_eq!(NsStatus::parse("Paid In Full"), Some(NsStatus::PaidInFull));
        assert_eq!(NsStatus::parse("paidInFull"), Some(NsStatus::PaidInFull));
        assert_eq!(
            NsStatus::parse("PENDING APPROVAL"),
            Some(NsStatus::PendingApproval)
        );
        assert_eq!(NsStatus::parse("Voided"), Some(NsStatus::Voided));
        assert_eq!(NsStatus::parse("Closed"), None);
    }

    #[test]
    fn amounts_from_numbers_and_strings() {
        let raw = |s: &str| serde_json::from_str::<Box<RawValue>>(s).unwrap();
        assert_eq!(
            amount(&raw("1150"), Currency::USD).unwrap().to_string(),
            "1150.00"
        );
        assert_eq!(
            amount(&raw("\"749.995\""), Currency::USD)
                .unwrap()
                .to_string(),
            "750.00"
        );
        assert_eq!(
            amount(&raw("1.5e3"), Currency::JPY).unwrap().to_string(),
            "1500"
        );
        assert!(amount(&raw("\"abc\""), Currency::USD).is_err());
        assert!(amount(&raw("true"), Currency::USD).is_err());
    }
}
