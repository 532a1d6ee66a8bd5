//! Realistic commit batches for the journals' throughput benches.

use bytes::Bytes;
use chrono::Utc;
use rust_decimal::Decimal;

use crate::audit::{AuditAction, AuditRecord};
use crate::journal::{CommitBatch, ReceivedRecord, StateWrite};
use crate::{
    Currency, Customer, DedupKey, EventKind, InvoiceEvent, InvoiceKey, InvoiceState, Lifecycle,
    Platform, PortalUpdate, TenantId,
};

/// Event `n`'s worth of rows, as the relay commits them for a fresh Stripe webhook: the raw
/// request, its dedup key, a new open invoice's state (`in_{n}`, one of 97 customers), two
/// audit records and one portal update. The journals' commit benches and profilers write
/// these.
///
/// ```
/// let batch = invoice_core::testing::bench::webhook_commit_batch(7);
/// assert_eq!(batch.dedup[0].event_id, "evt_7");
/// assert_eq!((batch.audit.len(), batch.outbox.len()), (2, 1));
/// ```
pub fn webhook_commit_batch(n: u64) -> CommitBatch {
    let now = Utc::now();
    let key = InvoiceKey::new(Platform::Stripe, "acct_bench", format!("in_{n}"));
    let event_id = format!("evt_{n}");
    let mut state = InvoiceState::empty(key.clone());
    state.number = Some(format!("INV-{n}"));
    state.customer = Customer {
        platform_id: format!("cus_{}", n % 97),
        name: Some("Anodisierwerk Süd GmbH".into()),
        portal_account: None,
    };
    state.currency = Currency::new("EUR").ok();
    state.total = Decimal::new(123_450, 2);
    state.balance = state.total;
    state.lifecycle = Lifecycle::Open;
    state.version = 1;
    let event = InvoiceEvent::new(key.clone(), EventKind::Issued, now, event_id.clone());
    let body = format!(
        r#"{{"id":"{event_id}","object":"event","type":"invoice.finalized","data":{{"object":{{"id":"in_{n}","number":"INV-{n}","customer":"cus_{}","currency":"eur","amount_due":123450,"amount_paid":0,"status":"open","due_date":1768435200,"lines":{{"data":[{{"description":"Hard anodizing, 400 parts","amount":123450}}]}}}}}}}}"#,
        n % 97
    );
    let audit = |action, detail: &str| AuditRecord {
        platform: Some(Platform::Stripe),
        tenant: Some("acct_bench".into()),
        invoice: Some(key.to_string()),
        customer: Some(state.customer.account().to_owned()),
        reference: Some(event_id.clone()),
        ..AuditRecord::new(now, action, detail)
    };
    CommitBatch {
        received: Some(ReceivedRecord {
            platform: Platform::Stripe,
            tenant: "acct_bench".into(),
            received_at: now,
            headers: vec![
                ("content-type".into(), "application/json".into()),
                ("stripe-signature".into(), "[redacted]".into()),
            ],
            body: Bytes::from(body.clone()),
        }),
        dedup: vec![DedupKey {
            platform: Platform::Stripe,
            tenant: TenantId("acct_bench".into()),
            event_id: event_id.clone(),
        }],
        audit: vec![
            audit(AuditAction::Received, &format!("{} bytes", body.len())),
            audit(AuditAction::Applied, "issued: applied -> open (sequence 1)"),
        ],
        outbox: vec![PortalUpdate::from_transition(&state, &event, now)],
        states: vec![StateWrite {
            state,
            expected_revision: None,
        }],
        ..CommitBatch::default()
    }
}
