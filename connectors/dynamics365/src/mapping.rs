//! Dataverse invoice `statecode` / `statuscode` -> canonical events. Every row is read as
//! a snapshot when its amounts are known.
//!
//! | `statecode` (label) | `statuscode` (label) | canonical event | snapshot lifecycle |
//! | --- | --- | --- | --- |
//! | 0 Active | 1 New | `issued` (`updated` / `draft` with `new_as_draft`) | `open` (`draft`) |
//! | 0 Active | 2 Partially Shipped, 4 Billed, 5 Booked, 6 Installed, or a custom reason | `issued` | `open` |
//! | 0 Active | any, with `amount_due_attribute` showing 0 < paid < total | `payment_received` | `partially_paid` |
//! | 2 Paid | 100001 Complete, or a custom reason | `paid` | `paid` |
//! | 2 Paid | 100002 Partial | `payment_received` | `partially_paid` |
//! | 3 Canceled | 100003 Canceled | `voided` | `void` |
//! | 1 Closed (deprecated) | 7 Paid in Full (deprecated) | `paid` | `paid` |
//! | 1 Closed (deprecated) | 3 Canceled (deprecated) | `voided` | `void` |
//! | (`Delete` message) | | `voided` | `void` |
//! | anything else, or no `statecode` / `statuscode` at all | | skipped, with the values | |
//!
//! A `statuscode` without a `statecode` is read through its documented state (Dataverse
//! sends only changed columns on Update; register a post-image to always get both).
//! Paid = `total - amount due` when `amount_due_attribute` is configured and present;
//! otherwise `total` for paid invoices and `0` for the rest (Dataverse's invoice table has
//! no paid-amount column: a "Partial" invoice shows `partially_paid` with paid 0 unless the
//! organisation keeps a balance column). Overdue is derived by the relay's rules from
//! `duedate` and the balance.
//!
//! An event without `totalamount` or a currency carries no snapshot: `issued`, `paid` and
//! `voided` still assert their lifecycle; `payment_received` and drafts are skipped. With
//! `api_base` configured, such rows (and rows without any status column) become thin
//! references instead, read from the Web API by [`crate::enrich`] (deletions excepted).
//!
//! Source version and `occurred_at`: `modifiedon` in ms (else `OperationCreatedOn`), so an
//! older update delivered late does not regress a newer one.

use chrono::{DateTime, NaiveDate, Utc};
use invoice_core::{
    Currency, Customer, EventDetail, EventKind, InvoiceEvent, InvoiceKey, InvoiceSnapshot,
    Lifecycle, Platform, Skipped, TenantId, ThinReference,
};
use rust_decimal::{Decimal, RoundingStrategy};
use serde_json::value::RawValue;

use crate::config::Currencies;
use crate::payload::{find, Entity, EntityCollection, KeyValue, RemoteExecutionContext};
use crate::values;

/// One invoice row as read from a context or a flow post. `Some(Err(()))` marks a value
/// that is present but unreadable.
#[derive(Debug, Clone, Default)]
pub struct Row {
    /// The invoice id.
    pub id: String,
    /// The message (`Create`, `Update`, `SetState`, `Delete`, ...).
    pub message: String,
    /// `invoicenumber`.
    pub number: Option<String>,
    /// `statecode`.
    pub statecode: Option<i64>,
    /// `statuscode`.
    pub statuscode: Option<i64>,
    /// `totalamount`.
    pub total: Option<Result<Decimal, ()>>,
    /// The configured amount-due column.
    pub amount_due: Option<Result<Decimal, ()>>,
    /// `duedate`.
    pub due_date: Option<Result<NaiveDate, ()>>,
    /// `customerid` id.
    pub customer_id: Option<String>,
    /// `customerid` name.
    pub customer_name: Option<String>,
    /// `transactioncurrencyid` id.
    pub currency_id: Option<String>,
    /// `transactioncurrencyid` name (or an ISO code, from the flow).
    pub currency_name: Option<String>,
    /// `modifiedon`.
    pub modified_on: Option<DateTime<Utc>>,
}

/// How rows are read.
#[derive(Debug, Clone)]
pub struct Rules<'a> {
    /// Currency lookups.
    pub currencies: &'a Currencies,
    /// statuscode 1 is a draft.
    pub new_as_draft: bool,
    /// The amount-due column.
    pub amount_due_attribute: Option<&'a str>,
    /// Rows without a status or amounts become thin references (an enricher is set).
    pub enrich: bool,
    /// When the post was received (for thin references).
    pub now: DateTime<Utc>,
}

/// What one post maps to.
#[derive(Debug, Default)]
pub struct Mapped {
    /// One event per readable invoice.
    pub events: Vec<InvoiceEvent>,
    /// Rows and messages not applied, with reasons.
    pub skipped: Vec<Skipped>,
    /// Rows to read from the Web API.
    pub pending: Vec<ThinReference>,
}

/// Messages read as a change of the invoice.
const MESSAGES: [&str; 7] = [
    "Create",
    "Update",
    "SetState",
    "SetStateDynamicEntity",
    "Delete",
    "CreateMultiple",
    "UpdateMultiple",
];

/// The rows a verified context describes, or the reason it describes none.
pub fn rows(ctx: &RemoteExecutionContext<'_>, rules: &Rules<'_>) -> Result<Vec<Row>, String> {
    if !ctx.primary_entity_name.eq_ignore_ascii_case("invoice") {
        return Err(format!(
            "table `{}` is not invoice",
            ctx.primary_entity_name
        ));
    }
    let message: &str = &ctx.message_name;
    if !MESSAGES.contains(&message) {
        return Err(format!("message `{message}` is not an invoice change"));
    }
    if ctx.input_parameters.is_empty() && message != "Delete" {
        return Err(
            "no InputParameters (x-ms-dynamics-msg-size-exceeded: the post was over 256 KB)".into(),
        );
    }
    fn image<'a>(images: &[KeyValue<'a>]) -> Option<Entity<'a>> {
        images
            .first()
            .and_then(|kv| serde_json::from_str::<Entity<'a>>(kv.value.get()).ok())
    }
    let post = image(&ctx.post_entity_images);
    let primary: &str = ctx.primary_entity_id.as_deref().unwrap_or_default();
    let mut out = Vec::new();
    match message {
        "CreateMultiple" | "UpdateMultiple" => {
            let targets = ctx
                .input("Targets")
                .and_then(|t| serde_json::from_str::<EntityCollection<'_>>(t.get()).ok())
                .ok_or("no readable Targets collection")?;
            for e in &targets.entities {
                let id = e.id.as_deref().unwrap_or_default();
                out.push(row(
                    id,
                    message,
                    &[&e.attributes],
                    &[&e.formatted_values],
                    rules,
                ));
            }
        }
        "Delete" => {
            let pre = image(&ctx.pre_entity_images);
            let attrs: Vec<&[KeyValue<'_>]> = pre.iter().map(|p| p.attributes.as_slice()).collect();
            let fmt: Vec<&[KeyValue<'_>]> =
                pre.iter().map(|p| p.formatted_values.as_slice()).collect();
            let id = ctx
                .input("Target")
                .and_then(values::reference)
                .and_then(|r| r.id)
                .unwrap_or_else(|| primary.to_owned());
            out.push(row(&id, message, &attrs, &fmt, rules));
        }
        "SetState" | "SetStateDynamicEntity" => {
            let mut attrs: Vec<&[KeyValue<'_>]> = Vec::new();
            let mut fmt: Vec<&[KeyValue<'_>]> = Vec::new();
            if let Some(p) = &post {
                attrs.push(&p.attributes);
                fmt.push(&p.formatted_values);
            }
            let id = ctx
                .input("EntityMoniker")
                .and_then(values::reference)
                .and_then(|r| r.id)
                .unwrap_or_else(|| primary.to_owned());
            let mut r = row(&id, message, &attrs, &fmt, rules);
            if let Some(s) = ctx.input("State").and_then(values::option) {
                r.statecode = Some(s);
            }
            if let Some(s) = ctx.input("Status").and_then(values::option) {
                r.statuscode = Some(s);
            }
            out.push(r);
        }
        _ => {
            let target = ctx
                .input("Target")
                .and_then(|t| serde_json::from_str::<Entity<'_>>(t.get()).ok())
                .ok_or("no readable Target entity")?;
            let mut attrs: Vec<&[KeyValue<'_>]> = Vec::new();
            let mut fmt: Vec<&[KeyValue<'_>]> = Vec::new();
            if let Some(p) = &post {
                attrs.push(&p.attributes);
                fmt.push(&p.formatted_values);
            }
            attrs.push(&target.attributes);
            fmt.push(&target.formatted_values);
            let id = target.id.as_deref().unwrap_or(primary);
            out.push(row(id, message, &attrs, &fmt, rules));
        }
    }
    Ok(out)
}

/// A row from attribute lists, later lists winning.
fn row(
    id: &str,
    message: &str,
    attrs: &[&[KeyValue<'_>]],
    formatted: &[&[KeyValue<'_>]],
    rules: &Rules<'_>,
) -> Row {
    let get = |key: &str| -> Option<&RawValue> {
        attrs
            .iter()
            .rev()
            .find_map(|a| find(a, key))
            .filter(|v| v.get().trim() != "null")
    };
    let label = |key: &str| {
        formatted
            .iter()
            .rev()
            .find_map(|f| find(f, key))
            .and_then(values::text)
    };
    let customer = get("customerid").and_then(values::reference);
    let currency = get("transactioncurrencyid").and_then(values::reference);
    let (customer_id, customer_name) = customer.map_or((None, None), |c| (c.id, c.name));
    let (currency_id, currency_name) = currency.map_or((None, None), |c| (c.id, c.name));
    Row {
        id: id.trim().to_owned(),
        message: message.to_owned(),
        number: get("invoicenumber").and_then(values::text),
        statecode: get("statecode").and_then(values::option),
        statuscode: get("statuscode").and_then(values::option),
        total: get("totalamount").map(|v| values::money(v).ok_or(())),
        amount_due: rules
            .amount_due_attribute
            .and_then(get)
            .map(|v| values::money(v).ok_or(())),
        due_date: get("duedate").map(|v| values::date(v).ok_or(())),
        customer_id,
        customer_name: customer_name.or_else(|| label("customerid")),
        currency_id,
        currency_name: currency_name.or_else(|| label("transactioncurrencyid")),
        modified_on: get("modifiedon").and_then(values::date_time),
    }
}

/// The documented state of a well-known status reason.
fn state_of(statuscode: i64) -> Option<i64> {
    Some(match statuscode {
        1 | 2 | 4 | 5 | 6 => 0,
        3 | 7 => 1,
        100_001 | 100_002 => 2,
        100_003 => 3,
        _ => return None,
    })
}

/// The canonical event and lifecycle of a state / status pair (`partial` when the
/// amounts show 0 < paid < total).
fn status(row: &Row, rules: &Rules<'_>, partial: bool) -> Result<(EventKind, Lifecycle), String> {
    if row.message == "Delete" {
        return Ok((EventKind::Voided, Lifecycle::Void));
    }
    let state = row.statecode.or_else(|| row.statuscode.and_then(state_of));
    Ok(match (state, row.statuscode) {
        (Some(0), Some(1)) if rules.new_as_draft => (EventKind::Updated, Lifecycle::Draft),
        (Some(0), _) if partial => (EventKind::PaymentReceived, Lifecycle::PartiallyPaid),
        (Some(0), _) => (EventKind::Issued, Lifecycle::Open),
        (Some(2), Some(100_002)) => (EventKind::PaymentReceived, Lifecycle::PartiallyPaid),
        (Some(2), _) => (EventKind::Paid, Lifecycle::Paid),
        (Some(3), _) | (Some(1), Some(3)) => (EventKind::Voided, Lifecycle::Void),
        (Some(1), Some(7)) => (EventKind::Paid, Lifecycle::Paid),
        (None, None) => {
            return Err(
                "no statecode or statuscode (register a post-image with both columns)".into(),
            )
        }
        (s, r) => {
            return Err(format!(
                "statecode {} / statuscode {} is not mapped",
                s.map_or("-".into(), |v| v.to_string()),
                r.map_or("-".into(), |v| v.to_string())
            ))
        }
    })
}

fn rounded(v: Decimal, currency: Currency) -> Decimal {
    let exp = currency.exponent();
    let mut v = v.round_dp_with_strategy(exp, RoundingStrategy::MidpointAwayFromZero);
    v.rescale(exp);
    v
}

/// Maps one row. `event_id` names the delivery; `fallback_at` stands in for a missing
/// `modifiedon`.
pub fn map_row(
    row: &Row,
    tenant: &TenantId,
    rules: &Rules<'_>,
    event_id: String,
    fallback_at: DateTime<Utc>,
    out: &mut Mapped,
) {
    let skip = |reason: String, out: &mut Mapped| {
        out.skipped.push(Skipped {
            event_id: event_id.clone(),
            event_type: format!(
                "invoice.{}:{}/{}",
                row.message,
                row.statecode.map_or("-".into(), |v| v.to_string()),
                row.statuscode.map_or("-".into(), |v| v.to_string())
            ),
            reason,
        })
    };
    if row.id.is_empty() {
        return skip("no invoice id".into(), out);
    }
    let currency = rules
        .currencies
        .resolve(row.currency_id.as_deref(), row.currency_name.as_deref());
    let total = match row.total {
        Some(Err(())) => return skip("totalamount is not a number".into(), out),
        Some(Ok(t)) => Some(t),
        None => None,
    };
    let due = match row.amount_due {
        Some(Err(())) => return skip("amount due is not a number".into(), out),
        Some(Ok(d)) => Some(d),
        None => None,
    };
    let due_date = match row.due_date {
        Some(Err(())) => return skip("duedate is not a date".into(), out),
        Some(Ok(d)) => Some(d),
        None => None,
    };
    let amounts = total.zip(currency).map(|(t, c)| (rounded(t, c), c));
    let paid_from_due = amounts
        .zip(due)
        .map(|((t, c), d)| (t - rounded(d, c)).clamp(Decimal::ZERO, t.max(Decimal::ZERO)));
    let partial = amounts
        .zip(paid_from_due)
        .is_some_and(|((t, _), p)| p > Decimal::ZERO && p < t);
    let incomplete = amounts.is_none() || (row.statecode.is_none() && row.statuscode.is_none());
    if rules.enrich && incomplete && row.message != "Delete" {
        out.pending.push(ThinReference {
            platform: Platform::Dynamics365,
            tenant: tenant.clone(),
            event_id,
            entity: "invoice".into(),
            entity_id: row.id.to_ascii_lowercase(),
            operation: row.message.clone(),
            resource_url: None,
            occurred_at: row.modified_on.unwrap_or(fallback_at),
            received_at: rules.now,
            raw: None,
        });
        return;
    }
    let (kind, lifecycle) = match status(row, rules, partial) {
        Ok(k) => k,
        Err(reason) => return skip(reason, out),
    };
    let version_at = row.modified_on;
    let occurred_at = version_at.unwrap_or(fallback_at);
    let snapshot = match amounts {
        Some((total, currency)) => {
            let zero = Decimal::new(0, currency.exponent());
            let paid = match (lifecycle, paid_from_due) {
                (Lifecycle::Paid, _) => total,
                (_, Some(p)) => rounded(p, currency),
                (_, None) => zero,
            };
            Some(InvoiceSnapshot {
                number: row.number.clone(),
                customer: Customer {
                    platform_id: row.customer_id.clone().unwrap_or_default(),
                    name: row.customer_name.clone(),
                    portal_account: None,
                },
                currency,
                total,
                paid,
                credited: Decimal::ZERO,
                refunded: Decimal::ZERO,
                due_date,
                lifecycle,
            })
        }
        None if matches!(
            kind,
            EventKind::Issued | EventKind::Paid | EventKind::Voided
        ) =>
        {
            None
        }
        None if total.is_some() => {
            return skip(
                "no currency: map the transactioncurrencyid in sources.dynamics365.currencies \
                 or set default_currency"
                    .into(),
                out,
            )
        }
        None => {
            return skip(
                "no totalamount (register a post-image with totalamount)".into(),
                out,
            )
        }
    };
    let mut e = InvoiceEvent::new(
        InvoiceKey {
            platform: Platform::Dynamics365,
            tenant: tenant.clone(),
            id: row.id.to_ascii_lowercase(),
        },
        kind,
        occurred_at,
        event_id,
    )
    .with_detail(EventDetail::None);
    if let Some(s) = snapshot {
        e = e.with_snapshot(s);
    }
    if let Some(n) = &row.number {
        e.correlation.invoice_number = Some(n.clone());
    }
    e.source_version = version_at.and_then(|t| u64::try_from(t.timestamp_millis()).ok());
    out.events.push(e);
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // tests may unwrap (see the workspace lints)
mod tests {
    use super::*;

    fn rules(c: &Currencies) -> Rules<'_> {
        Rules {
            currencies: c,
            new_as_draft: false,
            amount_due_attribute: None,
            enrich: false,
            now: DateTime::<Utc>::from_timestamp(0, 0).unwrap(),
        }
    }

    fn kind(
        state: Option<i64>,
        status_code: Option<i64>,
    ) -> Result<(EventKind, Lifecycle), String> {
        let c = Currencies::default();
        let row = Row {
            message: "Update".into(),
            statecode: state,
            statuscode: status_code,
            ..Row::default()
        };
        status(&row, &rules(&c), false)
    }

    #[test]
    fn documented_pairs() {
        use EventKind::*;
        assert_eq!(kind(Some(0), Some(1)).unwrap().0, Issued);
        assert_eq!(kind(Some(0), Some(4)).unwrap().0, Issued);
        assert_eq!(kind(Some(2), Some(100_001)).unwrap().0, Paid);
        assert_eq!(kind(Some(2), Some(100_002)).unwrap().0, PaymentReceived);
        assert_eq!(kind(Some(3), Some(100_003)).unwrap().0, Voided);
        assert_eq!(kind(Some(1), Some(7)).unwrap().0, Paid);
        assert_eq!(kind(Some(1), Some(3)).unwrap().0, Voided);
        assert_eq!(kind(None, Some(100_002)).unwrap().0, PaymentReceived);
        assert_eq!(kind(None, Some(100_003)).unwrap().0, Voided);
        assert!(kind(Some(1), Some(9)).is_err());
        assert!(kind(Some(5), None).is_err());
        assert!(kind(None, Some(424_242)).is_err());
        assert!(kind(None, None).is_err());
    }

    #[test]
    fn new_as_draft_and_partial_from_the_due_column() {
        let c = Currencies::default();
        let row = Row {
            message: "Update".into(),
            statecode: Some(0),
            statuscode: Some(1),
            ..Row::default()
        };
        let mut r = rules(&c);
        r.new_as_draft = true;
        assert_eq!(status(&row, &r, false).unwrap().1, Lifecycle::Draft);
        let r = rules(&c);
        assert_eq!(
            status(&row, &r, true).unwrap(),
            (EventKind::PaymentReceived, Lifecycle::PartiallyPaid)
        );
    }
}
