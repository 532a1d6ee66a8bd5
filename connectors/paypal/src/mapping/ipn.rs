//! Verified IPN messages -> canonical events (table in the [module docs](super)).

use invoice_core::{
    DisputeOutcome, EventDetail, EventKind, InvoiceEvent, InvoiceKey, Money, Platform,
    ThinReference,
};

use super::{money, short};
use crate::ipn::{payment_date, IpnMessage};

/// What a `payment_status` means, before amounts are read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusMeaning {
    /// Money received.
    Received,
    /// Nothing changes yet.
    NoChange,
    /// The payment did not go through.
    Failed,
    /// Money returned by the merchant.
    Refunded,
    /// Money taken back by a chargeback or reversal.
    Reversed,
    /// A reversal was cancelled: the merchant won.
    ReversalCancelled,
    /// A value this connector does not know.
    Unknown,
}

/// `payment_status` -> meaning.
pub fn status_meaning(status: &str) -> StatusMeaning {
    match status {
        "Completed" => StatusMeaning::Received,
        "Pending" | "Created" | "Processed" | "In-Progress" => StatusMeaning::NoChange,
        "Denied" | "Failed" | "Expired" | "Voided" | "Declined" => StatusMeaning::Failed,
        "Refunded" => StatusMeaning::Refunded,
        "Reversed" => StatusMeaning::Reversed,
        "Canceled_Reversal" => StatusMeaning::ReversalCancelled,
        _ => StatusMeaning::Unknown,
    }
}

/// Why a verified IPN is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IpnRefusal {
    /// No receiver is configured, so no IPN can be accepted.
    #[error("no receiver_ids or receiver_emails configured for ipn")]
    NoReceiverConfigured,
    /// Addressed to another merchant.
    #[error("ipn addressed to another receiver")]
    WrongReceiver,
    /// Required fields missing or unreadable.
    #[error("ipn {0}")]
    Fields(String),
}

/// Checks `receiver_id` / `receiver_email` against the configured merchant: a listed id
/// matches, else a listed e-mail matches (case-insensitive); a `receiver_id` that is
/// present but not listed refuses the message even if the e-mail matches.
pub fn check_receiver(
    msg: &IpnMessage,
    ids: &[String],
    emails: &[String],
) -> Result<(), IpnRefusal> {
    if ids.is_empty() && emails.is_empty() {
        return Err(IpnRefusal::NoReceiverConfigured);
    }
    let id = msg.get("receiver_id");
    if let Some(id) = id {
        if ids.iter().any(|x| x == id) {
            return Ok(());
        }
        if !ids.is_empty() {
            return Err(IpnRefusal::WrongReceiver);
        }
    }
    let email = msg.get("receiver_email").or_else(|| msg.get("business"));
    match email {
        Some(e)
            if emails
                .iter()
                .any(|x| x.trim().eq_ignore_ascii_case(e.trim())) =>
        {
            Ok(())
        }
        _ => Err(IpnRefusal::WrongReceiver),
    }
}

/// The invoice an IPN is about (see the module docs).
pub fn invoice_id(msg: &IpnMessage) -> Option<&str> {
    let invoicing = msg.get("txn_type") == Some("invoice_payment");
    invoicing
        .then(|| msg.get("invoice_id"))
        .flatten()
        .or_else(|| msg.get("invoice"))
        .or_else(|| msg.get("parent_txn_id"))
        .or_else(|| msg.get("txn_id"))
}

fn gross(msg: &IpnMessage) -> Result<Money, IpnRefusal> {
    let value = msg
        .get("mc_gross")
        .ok_or_else(|| IpnRefusal::Fields("without mc_gross".into()))?;
    let currency = msg
        .get("mc_currency")
        .ok_or_else(|| IpnRefusal::Fields("without mc_currency".into()))?;
    let m = money(value, currency).map_err(IpnRefusal::Fields)?;
    Ok(Money::new(m.amount().abs(), m.currency()))
}

/// Maps a VERIFIED message. An empty list means "verified, nothing to apply" (pending
/// payments, unknown statuses).
pub fn map_verified(
    msg: &IpnMessage,
    reference: &ThinReference,
) -> Result<Vec<InvoiceEvent>, IpnRefusal> {
    let Some(invoice) = invoice_id(msg) else {
        return Err(IpnRefusal::Fields("names no invoice or transaction".into()));
    };
    let txn_id = msg.get("txn_id");
    let status = msg.get("payment_status");
    let case = (msg.get("txn_type") == Some("new_case"))
        .then(|| msg.get("case_id"))
        .flatten();
    let event_id = match (case, txn_id, status) {
        (Some(c), _, _) => format!("{c}:new_case"),
        (None, Some(t), Some(s)) => format!("{t}:{s}"),
        _ => msg
            .get("ipn_track_id")
            .map(str::to_owned)
            .unwrap_or_else(|| reference.event_id.clone()),
    };
    let occurred_at = msg
        .get("payment_date")
        .or_else(|| msg.get("time_created"))
        .and_then(payment_date)
        .unwrap_or(reference.occurred_at);
    let (kind, detail) = if let Some(case_id) = case {
        let amount = msg
            .get("mc_gross")
            .is_some()
            .then(|| gross(msg))
            .transpose()?;
        (
            EventKind::Disputed,
            EventDetail::Dispute {
                dispute_id: case_id.to_owned(),
                amount,
                reason: msg
                    .get("reason_code")
                    .or(msg.get("case_type"))
                    .map(str::to_owned),
            },
        )
    } else {
        let Some(status) = status else {
            tracing::info!(
                txn_type = msg.get("txn_type").map(short),
                "ipn without payment_status: nothing to apply"
            );
            return Ok(Vec::new());
        };
        let gross_sign = msg
            .get("mc_gross")
            .and_then(|g| g.trim().parse::<rust_decimal::Decimal>().ok());
        let adjustment = msg.get("txn_type") == Some("adjustment");
        match status_meaning(status) {
            // A chargeback adjustment (or any other debit) reported as Completed is not
            // money received; the Reversed / Canceled_Reversal messages carry the dispute.
            StatusMeaning::Received
                if adjustment || gross_sign.is_some_and(|g| g <= rust_decimal::Decimal::ZERO) =>
            {
                tracing::info!(
                    txn_type = msg.get("txn_type").map(short),
                    "verified ipn: completed debit or adjustment, nothing to apply"
                );
                return Ok(Vec::new());
            }
            StatusMeaning::Received => (
                EventKind::PaymentReceived,
                EventDetail::Payment {
                    amount: gross(msg)?,
                    payment_id: txn_id.map(str::to_owned),
                },
            ),
            StatusMeaning::Failed => (
                EventKind::PaymentFailed,
                EventDetail::PaymentFailure {
                    reason: Some(
                        msg.get("reason_code")
                            .or(msg.get("pending_reason"))
                            .map(|r| format!("{status}: {r}"))
                            .unwrap_or_else(|| status.to_owned()),
                    ),
                },
            ),
            StatusMeaning::Refunded => (
                EventKind::Refunded,
                EventDetail::Refund {
                    amount: gross(msg)?,
                    refund_id: txn_id.map(str::to_owned),
                },
            ),
            StatusMeaning::Reversed => (
                EventKind::Disputed,
                EventDetail::Dispute {
                    dispute_id: txn_id.unwrap_or(invoice).to_owned(),
                    amount: Some(gross(msg)?),
                    reason: msg.get("reason_code").map(str::to_owned),
                },
            ),
            StatusMeaning::ReversalCancelled => (
                EventKind::DisputeResolved,
                EventDetail::DisputeResolution {
                    dispute_id: msg
                        .get("parent_txn_id")
                        .or(txn_id)
                        .unwrap_or(invoice)
                        .to_owned(),
                    outcome: DisputeOutcome::Won,
                },
            ),
            StatusMeaning::NoChange | StatusMeaning::Unknown => {
                tracing::info!(payment_status = %short(status), "verified ipn: nothing to apply");
                return Ok(Vec::new());
            }
        }
    };
    let mut e = InvoiceEvent::new(
        InvoiceKey {
            platform: Platform::Paypal,
            tenant: reference.tenant.clone(),
            id: invoice.to_owned(),
        },
        kind,
        occurred_at,
        event_id,
    )
    .with_detail(detail);
    e.received_at = reference.received_at;
    e.correlation.invoice_number = msg
        .get("invoice_number")
        .or_else(|| msg.get("invoice"))
        .map(str::to_owned);
    for field in [
        "custom",
        "invoice_id",
        "txn_id",
        "parent_txn_id",
        "txn_type",
    ] {
        if let Some(v) = msg.get(field) {
            e.correlation
                .metadata
                .insert(field.to_owned(), v.to_owned());
        }
    }
    Ok(vec![e])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn msg(body: &str) -> IpnMessage {
        IpnMessage::decode(body.as_bytes())
    }

    #[test]
    fn receiver_rules() {
        let ids = vec!["LPLWNMTBWMFAY".to_owned()];
        let emails = vec!["Billing@Brightline.example".to_owned()];
        let ok = msg("receiver_id=LPLWNMTBWMFAY&receiver_email=x%40y.example");
        assert_eq!(check_receiver(&ok, &ids, &[]), Ok(()));
        let other = msg("receiver_id=OTHER&receiver_email=billing%40brightline.example");
        assert_eq!(
            check_receiver(&other, &ids, &emails),
            Err(IpnRefusal::WrongReceiver)
        );
        assert_eq!(check_receiver(&other, &[], &emails), Ok(()));
        let by_mail = msg("receiver_email=billing%40brightline.example");
        assert_eq!(check_receiver(&by_mail, &ids, &emails), Ok(()));
        assert_eq!(
            check_receiver(&ok, &[], &[]),
            Err(IpnRefusal::NoReceiverConfigured)
        );
    }

    #[test]
    fn invoice_identity() {
        assert_eq!(
            invoice_id(&msg(
                "txn_type=invoice_payment&invoice=0697&invoice_id=INV2-AAAA&txn_id=T"
            )),
            Some("INV2-AAAA")
        );
        assert_eq!(
            invoice_id(&msg("txn_type=web_accept&invoice=0697&txn_id=T")),
            Some("0697")
        );
        assert_eq!(invoice_id(&msg("parent_txn_id=P&txn_id=T")), Some("P"));
        assert_eq!(invoice_id(&msg("txn_id=T")), Some("T"));
        assert_eq!(invoice_id(&msg("x=1")), None);
    }

    fn reference() -> ThinReference {
        ThinReference {
            platform: Platform::Paypal,
            tenant: invoice_core::TenantId::default_tenant(),
            event_id: "ref".into(),
            entity: "ipn".into(),
            entity_id: "T".into(),
            operation: "Completed".into(),
            resource_url: None,
            occurred_at: chrono::DateTime::UNIX_EPOCH,
            received_at: chrono::DateTime::UNIX_EPOCH,
            raw: None,
        }
    }

    #[test]
    fn completed_debits_and_adjustments_are_not_payments() {
        let r = reference();
        let pay = msg("txn_id=T&payment_status=Completed&mc_gross=10.00&mc_currency=USD&invoice=7");
        assert_eq!(
            map_verified(&pay, &r).unwrap()[0].kind,
            EventKind::PaymentReceived
        );
        let debit = msg("txn_id=T&payment_status=Completed&mc_gross=-10.00&mc_currency=USD");
        assert!(map_verified(&debit, &r).unwrap().is_empty());
        let adj = msg(
            "txn_type=adjustment&txn_id=T&payment_status=Completed&mc_gross=10.00&mc_currency=USD",
        );
        assert!(map_verified(&adj, &r).unwrap().is_empty());
        let pending = msg(
            "txn_id=T&payment_status=Pending&pending_reason=echeck&mc_gross=10.00&mc_currency=USD",
        );
        assert!(map_verified(&pending, &r).unwrap().is_empty());
        let no_currency = msg("txn_id=T&payment_status=Completed&mc_gross=10.00");
        assert!(map_verified(&no_currency, &r).is_err());
        let failed = msg("txn_id=T&payment_status=Denied&mc_gross=10.00&mc_currency=USD");
        assert_eq!(
            map_verified(&failed, &r).unwrap()[0].kind,
            EventKind::PaymentFailed
        );
        let case = msg("txn_type=new_case&case_id=PP-D-1&case_type=chargeback&txn_id=T&invoice=7");
        let e = map_verified(&case, &r).unwrap();
        assert_eq!(
            (e[0].kind, e[0].platform_event_id.as_str()),
            (EventKind::Disputed, "PP-D-1:new_case")
        );
    }

    #[test]
    fn every_documented_status_has_a_meaning() {
        for s in [
            "Canceled_Reversal",
            "Completed",
            "Created",
            "Denied",
            "Expired",
            "Failed",
            "Pending",
            "Refunded",
            "Reversed",
            "Processed",
            "Voided",
        ] {
            assert_ne!(status_meaning(s), StatusMeaning::Unknown, "{s}");
        }
        assert_eq!(status_meaning("completed"), StatusMeaning::Unknown);
    }
}
