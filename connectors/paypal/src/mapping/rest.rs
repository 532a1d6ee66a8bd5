//! REST webhook events -> canonical events (table in the [module docs](super)).

use chrono::{DateTime, Utc};
use invoice_core::{
    CorrelationHints, Customer, DisputeOutcome, EventDetail, EventKind, InvoiceEvent, InvoiceKey,
    InvoiceSnapshot, Lifecycle, Platform, Skipped, SourceError, TenantId,
};
use rust_decimal::Decimal;
use serde::de::DeserializeOwned;

use super::{amount, date, rfc3339, version_of, Mapped};
use crate::payload::{Dispute, Event, Invoice, InvoiceResource, PaymentResource};

/// Invoice v2 `status` -> lifecycle; `None` for a value PayPal may add later.
pub fn lifecycle(status: &str) -> Option<Lifecycle> {
    Some(match status {
        "DRAFT" | "SCHEDULED" => Lifecycle::Draft,
        "SENT" | "UNPAID" | "PAYMENT_PENDING" => Lifecycle::Open,
        "PARTIALLY_PAID" => Lifecycle::PartiallyPaid,
        "PAID" | "MARKED_AS_PAID" => Lifecycle::Paid,
        "PARTIALLY_REFUNDED" => Lifecycle::PartiallyRefunded,
        "REFUNDED" | "MARKED_AS_REFUNDED" => Lifecycle::Refunded,
        "CANCELLED" => Lifecycle::Void,
        _ => return None,
    })
}

/// Dispute `outcome_code` -> won / lost; `None` for `NONE` or an unknown value.
pub fn outcome(code: &str) -> Option<DisputeOutcome> {
    match code {
        "RESOLVED_SELLER_FAVOUR" | "CANCELED_BY_BUYER" | "DENIED" | "RESOLVED_WITH_PAYOUT" => {
            Some(DisputeOutcome::Won)
        }
        "RESOLVED_BUYER_FAVOUR" | "ACCEPTED" => Some(DisputeOutcome::Lost),
        _ => None,
    }
}

fn malformed(e: impl std::fmt::Display) -> SourceError {
    SourceError::malformed(e)
}

fn resource<T: DeserializeOwned>(event: &Event) -> Result<T, SourceError> {
    serde_json::from_str(event.resource.get()).map_err(malformed)
}

struct Ctx<'a> {
    event: &'a Event,
    tenant: &'a TenantId,
    occurred_at: DateTime<Utc>,
    received_at: DateTime<Utc>,
}

impl Ctx<'_> {
    fn event(&self, id: &str, kind: EventKind, updated: Option<&str>) -> InvoiceEvent {
        let version_time = updated.and_then(rfc3339).unwrap_or(self.occurred_at);
        let mut e = InvoiceEvent::new(
            InvoiceKey {
                platform: Platform::Paypal,
                tenant: self.tenant.clone(),
                id: id.to_owned(),
            },
            kind,
            self.occurred_at,
            self.event.id.clone(),
        );
        e.received_at = self.received_at;
        e.source_version = Some(version_of(version_time));
        e
    }

    fn skip(&self, reason: impl Into<String>) -> Skipped {
        Skipped {
            event_id: self.event.id.clone(),
            event_type: self.event.event_type.clone(),
            reason: reason.into(),
        }
    }
}

/// Maps a verified, parsed event. `received_at` is the relay's clock, also used as the
/// event time when PayPal's `create_time` is missing.
pub fn map_event(
    event: &Event,
    tenant: &TenantId,
    received_at: DateTime<Utc>,
) -> Result<Mapped, SourceError> {
    let occurred_at = event
        .create_time
        .as_deref()
        .and_then(rfc3339)
        .unwrap_or(received_at);
    let cx = Ctx {
        event,
        tenant,
        occurred_at,
        received_at,
    };
    let mut out = Mapped::default();
    let ty = event.event_type.as_str();
    let result = match ty {
        t if t.starts_with("INVOICING.INVOICE.") => invoice_event(&cx, t),
        "PAYMENT.CAPTURE.COMPLETED"
        | "PAYMENT.CAPTURE.DENIED"
        | "PAYMENT.CAPTURE.REFUNDED"
        | "PAYMENT.CAPTURE.REVERSED" => payment_event(&cx, ty),
        "CUSTOMER.DISPUTE.CREATED" | "CUSTOMER.DISPUTE.UPDATED" | "CUSTOMER.DISPUTE.RESOLVED" => {
            dispute_event(&cx, ty)
        }
        "PAYMENT.CAPTURE.PENDING" => Ok(Err(cx.skip("capture pending: no state change"))),
        _ => Ok(Err(cx.skip("event type not mapped"))),
    }?;
    match result {
        Ok(e) => out.events.push(e),
        Err(s) => out.skipped.push(s),
    }
    Ok(out)
}

type One = Result<InvoiceEvent, Skipped>;

fn snapshot(inv: &Invoice, lifecycle: Lifecycle) -> Result<InvoiceSnapshot, SourceError> {
    let detail = inv.detail.as_ref();
    let total = inv
        .amount
        .as_ref()
        .ok_or_else(|| SourceError::Malformed("invoice without amount".into()))
        .and_then(|a| amount(a).map_err(SourceError::Malformed))?;
    let currency = total.currency();
    let in_currency = |a: Option<&crate::payload::Amount>| -> Result<Decimal, SourceError> {
        match a {
            None => Ok(Decimal::ZERO),
            Some(a) => {
                let m = amount(a).map_err(SourceError::Malformed)?;
                if m.currency() != currency {
                    return Err(SourceError::Malformed(format!(
                        "invoice amounts in {} and {}",
                        currency,
                        m.currency()
                    )));
                }
                Ok(m.amount())
            }
        }
    };
    let paid = in_currency(inv.payments.as_ref().and_then(|p| p.paid_amount.as_ref()))?;
    let refunded = in_currency(inv.refunds.as_ref().and_then(|r| r.refund_amount.as_ref()))?;
    let billing = inv
        .primary_recipients
        .first()
        .and_then(|r| r.billing_info.as_ref());
    let name = billing.and_then(|b| {
        b.business_name.clone().or_else(|| {
            let n = b.name.as_ref()?;
            let full = [n.given_name.as_deref(), n.surname.as_deref()]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(" ");
            (!full.is_empty()).then_some(full)
        })
    });
    Ok(InvoiceSnapshot {
        number: detail.and_then(|d| d.invoice_number.clone()),
        customer: Customer {
            platform_id: billing
                .and_then(|b| b.email_address.clone())
                .unwrap_or_default(),
            name,
            portal_account: None,
        },
        currency,
        total: total.amount(),
        paid,
        credited: Decimal::ZERO,
        refunded,
        due_date: detail
            .and_then(|d| d.payment_term.as_ref())
            .and_then(|t| t.due_date.as_deref())
            .and_then(date),
        lifecycle,
    })
}

fn invoice_event(cx: &Ctx<'_>, ty: &str) -> Result<One, SourceError> {
    let inv = resource::<InvoiceResource>(cx.event)?.into_invoice();
    let Some(lifecycle) = lifecycle(&inv.status) else {
        return Ok(Err(cx.skip(format!(
            "invoice status `{}` not mapped",
            super::short(&inv.status)
        ))));
    };
    let snap = snapshot(&inv, lifecycle)?;
    let last_payment = inv
        .payments
        .as_ref()
        .and_then(|p| p.transactions.last())
        .and_then(|t| Some((t.amount.as_ref()?, t.payment_id.clone())));
    let payment = |fallback: Option<&crate::payload::Amount>| -> Result<EventDetail, SourceError> {
        let (a, id) = match last_payment {
            Some((a, id)) => (Some(a), id),
            None => (fallback, None),
        };
        Ok(match a {
            Some(a) => EventDetail::Payment {
                amount: amount(a).map_err(SourceError::Malformed)?,
                payment_id: id,
            },
            None => EventDetail::None,
        })
    };
    let paid_amount = inv.payments.as_ref().and_then(|p| p.paid_amount.as_ref());
    let (kind, detail) = match (ty, lifecycle) {
        ("INVOICING.INVOICE.CREATED", Lifecycle::Draft) => (EventKind::Updated, EventDetail::None),
        ("INVOICING.INVOICE.CREATED", _) => (EventKind::Issued, EventDetail::None),
        ("INVOICING.INVOICE.SCHEDULED" | "INVOICING.INVOICE.UPDATED", _) => {
            (EventKind::Updated, EventDetail::None)
        }
        ("INVOICING.INVOICE.PAID", Lifecycle::Paid) => (EventKind::Paid, payment(paid_amount)?),
        ("INVOICING.INVOICE.PAID", Lifecycle::PartiallyPaid) => {
            (EventKind::PaymentReceived, payment(paid_amount)?)
        }
        ("INVOICING.INVOICE.PAID", _) => (EventKind::Updated, EventDetail::None),
        ("INVOICING.INVOICE.REFUNDED", _) => {
            let refunds = inv.refunds.as_ref();
            let last = refunds.and_then(|r| r.transactions.last());
            let a = last
                .and_then(|t| t.amount.as_ref())
                .or(refunds.and_then(|r| r.refund_amount.as_ref()));
            let detail = match a {
                Some(a) => EventDetail::Refund {
                    amount: amount(a).map_err(SourceError::Malformed)?,
                    refund_id: last.and_then(|t| t.refund_id.clone()),
                },
                None => EventDetail::None,
            };
            (EventKind::Refunded, detail)
        }
        ("INVOICING.INVOICE.CANCELLED", _) => (EventKind::Voided, EventDetail::None),
        _ => return Ok(Err(cx.skip("invoicing event type not mapped"))),
    };
    let updated = inv
        .detail
        .as_ref()
        .and_then(|d| d.metadata.as_ref())
        .and_then(|m| m.last_update_time.as_deref());
    let mut e = cx
        .event(&inv.id, kind, updated)
        .with_snapshot(snap)
        .with_detail(detail);
    e.correlation.invoice_number = e.snapshot.as_ref().and_then(|s| s.number.clone());
    Ok(Ok(e))
}

/// The capture a refund or reversal belongs to, from its `up` link.
fn capture_of(r: &PaymentResource) -> Option<String> {
    let link = r.links.iter().find(|l| l.rel == "up")?;
    let (_, tail) = link.href.rsplit_once("/captures/")?;
    let id = tail.split(['/', '?']).next()?;
    (!id.is_empty()).then(|| id.to_owned())
}

fn payment_event(cx: &Ctx<'_>, ty: &str) -> Result<One, SourceError> {
    let r: PaymentResource = resource(cx.event)?;
    let capture = capture_of(&r);
    let key_id = r
        .invoice_id
        .clone()
        .or_else(|| capture.clone())
        .unwrap_or_else(|| r.id.clone());
    let money = r
        .amount
        .as_ref()
        .map(amount)
        .transpose()
        .map_err(SourceError::Malformed)?;
    let (kind, detail) = match (ty, money) {
        ("PAYMENT.CAPTURE.COMPLETED", Some(m)) => (
            EventKind::PaymentReceived,
            EventDetail::Payment {
                amount: m,
                payment_id: Some(r.id.clone()),
            },
        ),
        ("PAYMENT.CAPTURE.DENIED", _) => (
            EventKind::PaymentFailed,
            EventDetail::PaymentFailure {
                reason: r.status_details.as_ref().and_then(|d| d.reason.clone()),
            },
        ),
        ("PAYMENT.CAPTURE.REFUNDED", Some(m)) => (
            EventKind::Refunded,
            EventDetail::Refund {
                amount: m,
                refund_id: Some(r.id.clone()),
            },
        ),
        ("PAYMENT.CAPTURE.REVERSED", m) => (
            EventKind::Disputed,
            EventDetail::Dispute {
                dispute_id: r.id.clone(),
                amount: m,
                reason: Some("capture reversed".into()),
            },
        ),
        _ => return Ok(Err(cx.skip("payment event without amount"))),
    };
    let mut e = cx
        .event(&key_id, kind, r.update_time.as_deref())
        .with_detail(detail);
    e.correlation = CorrelationHints {
        invoice_number: r.invoice_id.clone(),
        ..CorrelationHints::default()
    };
    if let Some(c) = &r.custom_id {
        e.correlation.metadata.insert("custom_id".into(), c.clone());
    }
    if let Some(c) = capture {
        e.correlation.metadata.insert("capture_id".into(), c);
    }
    Ok(Ok(e))
}

fn dispute_event(cx: &Ctx<'_>, ty: &str) -> Result<One, SourceError> {
    let d: Dispute = resource(cx.event)?;
    let txn = d.disputed_transactions.first();
    let invoice_number = txn.and_then(|t| t.invoice_number.clone());
    let key_id = invoice_number
        .clone()
        .or_else(|| txn.and_then(|t| t.seller_transaction_id.clone()))
        .unwrap_or_else(|| d.dispute_id.clone());
    let (kind, detail) = if ty == "CUSTOMER.DISPUTE.RESOLVED" {
        let code = d
            .dispute_outcome
            .as_ref()
            .and_then(|o| o.outcome_code.as_deref())
            .unwrap_or("");
        let Some(outcome) = outcome(code) else {
            return Ok(Err(cx.skip(format!(
                "dispute outcome `{}` not mapped",
                super::short(code)
            ))));
        };
        (
            EventKind::DisputeResolved,
            EventDetail::DisputeResolution {
                dispute_id: d.dispute_id.clone(),
                outcome,
            },
        )
    } else {
        let m = d
            .dispute_amount
            .as_ref()
            .map(amount)
            .transpose()
            .map_err(SourceError::Malformed)?;
        (
            EventKind::Disputed,
            EventDetail::Dispute {
                dispute_id: d.dispute_id.clone(),
                amount: m,
                reason: d.reason.clone(),
            },
        )
    };
    let mut e = cx
        .event(&key_id, kind, d.update_time.as_deref())
        .with_detail(detail);
    e.correlation.invoice_number = invoice_number;
    if let Some(t) = txn {
        if let Some(id) = &t.seller_transaction_id {
            e.correlation
                .metadata
                .insert("capture_id".into(), id.clone());
        }
        if let Some(c) = &t.custom {
            e.correlation.metadata.insert("custom".into(), c.clone());
        }
    }
    Ok(Ok(e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_documented_invoice_status_has_a_lifecycle() {
        for s in [
            "DRAFT",
            "SCHEDULED",
            "SENT",
            "UNPAID",
            "PAYMENT_PENDING",
            "PARTIALLY_PAID",
            "PAID",
            "MARKED_AS_PAID",
            "PARTIALLY_REFUNDED",
            "REFUNDED",
            "MARKED_AS_REFUNDED",
            "CANCELLED",
        ] {
            assert!(lifecycle(s).is_some(), "{s}");
        }
        assert_eq!(lifecycle("paid"), None);
        assert_eq!(lifecycle("SOMETHING_NEW"), None);
    }

    #[test]
    fn dispute_outcomes() {
        assert_eq!(outcome("RESOLVED_SELLER_FAVOUR"), Some(DisputeOutcome::Won));
        assert_eq!(outcome("RESOLVED_BUYER_FAVOUR"), Some(DisputeOutcome::Lost));
        assert_eq!(outcome("ACCEPTED"), Some(DisputeOutcome::Lost));
        assert_eq!(outcome("NONE"), None);
    }

    #[test]
    fn capture_id_comes_from_the_up_link() {
        let r: PaymentResource = serde_json::from_str(
            r#"{"id":"1JU08902781691411","links":[{"rel":"self","href":"https://api.paypal.com/v2/payments/refunds/1JU08902781691411"},{"rel":"up","href":"https://api.paypal.com/v2/payments/captures/2GG279541U471931P"}]}"#,
        )
        .unwrap();
        assert_eq!(capture_of(&r).as_deref(), Some("2GG279541U471931P"));
    }
}
