//! `resend`: push invoices' current state to the portal again, after the portal lost data.
//!
//! Each resend is one journal commit that bumps the invoice's `version` by one (the portal
//! `sequence`), stores the state with that version, and queues a fresh `invoice.updated`
//! update of the current state. The sequence therefore stays strictly increasing: a
//! portal that still has the old data accepts the resend as newer, and one that lost it
//! rebuilds from it. The commit uses the stored revision (optimistic concurrency), so a
//! webhook applied at the same moment is never overwritten: the resend reloads and tries
//! again. Its dedup key (`resend:<invoice>:<version>`) makes a retried commit harmless.

use std::collections::BTreeSet;
use std::path::Path;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use invoice_core::audit::{AuditAction, AuditRecord};
use invoice_core::journal::{
    AuditFilter, CommitBatch, Journal, JournalError, StateFilter, StateWrite,
};
use invoice_core::{DedupKey, EventKind, InvoiceEvent, InvoiceKey, Platform, PortalUpdate};

use crate::app::{self, AppError};
use crate::cli::ResendArgs;
use crate::config::Settings;

/// Runs the command.
pub async fn run(config: &Path, args: &ResendArgs) -> Result<(), AppError> {
    let settings = Settings::load(config)?;
    let journal = app::open_journal(&settings)?;
    let clock = app::clock(settings.clock);
    let keys = select(journal.as_ref(), args).await?;
    if keys.is_empty() {
        println!("no matching invoices");
        return Ok(());
    }
    let bar = super::audit::progress(keys.len() as u64, "queueing resends");
    let mut queued = 0u64;
    for key in &keys {
        match resend_one(&journal, key, clock.now()).await? {
            Some(seq) => {
                queued += 1;
                tracing::info!(invoice = %key, sequence = seq, "resend queued");
            }
            None => eprintln!("{key}: not found"),
        }
        bar.inc(1);
    }
    bar.finish_and_clear();
    println!("{queued} invoices queued for resend; a running relay delivers them on its next pass");
    Ok(())
}

/// The invoices the arguments name.
async fn select(journal: &dyn Journal, args: &ResendArgs) -> Result<Vec<InvoiceKey>, AppError> {
    let mut keys = BTreeSet::new();
    for id in &args.invoice {
        keys.insert(parse_key(id)?);
    }
    if let Some(customer) = &args.customer {
        let filter = StateFilter {
            customer: Some(customer.clone()),
            owed_only: false,
        };
        let mut after: Option<InvoiceKey> = None;
        loop {
            let page = journal.list_states(&filter, after.as_ref(), 500).await?;
            let Some(last) = page.last() else { break };
            after = Some(last.key.clone());
            keys.extend(page.into_iter().map(|s| s.key));
        }
    }
    if let Some(since) = args.since {
        let touched = touched_since(journal, since, args.customer.clone()).await?;
        keys.retain(|k| touched.contains(&k.to_string()));
    }
    Ok(keys.into_iter().collect())
}

/// Invoices with audit activity at or after `since`.
async fn touched_since(
    journal: &dyn Journal,
    since: DateTime<Utc>,
    customer: Option<String>,
) -> Result<BTreeSet<String>, JournalError> {
    let mut filter = AuditFilter {
        from: Some(since),
        customer,
        limit: 1000,
        ..AuditFilter::default()
    };
    let mut out = BTreeSet::new();
    loop {
        let page = journal.audit(&filter).await?;
        let Some(last) = page.last() else { break };
        filter.after_seq = Some(last.seq);
        let full = page.len() == filter.limit;
        out.extend(page.into_iter().filter_map(|e| e.record.invoice));
        if !full {
            break;
        }
    }
    Ok(out)
}

/// Parses `<platform>:<tenant>:<id>`.
pub fn parse_key(s: &str) -> Result<InvoiceKey, AppError> {
    let mut parts = s.splitn(3, ':');
    let (Some(p), Some(t), Some(id)) = (parts.next(), parts.next(), parts.next()) else {
        return Err(AppError::Usage(format!(
            "`{s}` is not a canonical invoice id <platform>:<tenant>:<id>"
        )));
    };
    let platform: Platform = p
        .parse()
        .map_err(|e: invoice_core::UnknownPlatform| AppError::Usage(e.to_string()))?;
    Ok(InvoiceKey::new(platform, t, id))
}

/// Commits one resend; returns the new sequence, or `None` when the invoice is unknown.
pub async fn resend_one(
    journal: &Arc<dyn Journal>,
    key: &InvoiceKey,
    now: DateTime<Utc>,
) -> Result<Option<u64>, AppError> {
    for _ in 0..32 {
        let Some(stored) = journal.load(key).await? else {
            return Ok(None);
        };
        let mut state = stored.state;
        state.version += 1;
        let event_id = format!("resend:{key}:{}", state.version);
        let mut event = InvoiceEvent::new(key.clone(), EventKind::Updated, now, event_id.clone());
        event.received_at = now;
        let update = PortalUpdate::from_transition(&state, &event, now);
        let batch = CommitBatch {
            dedup: vec![DedupKey {
                platform: key.platform,
                tenant: key.tenant.clone(),
                event_id: event_id.clone(),
            }],
            audit: vec![AuditRecord {
                platform: Some(key.platform),
                tenant: Some(key.tenant.0.clone()),
                invoice: Some(key.to_string()),
                customer: Some(state.customer.account().to_owned()),
                reference: Some(update.id.clone()),
                ..AuditRecord::new(
                    now,
                    AuditAction::Replayed,
                    format!(
                        "resend of the current state as sequence {} ({})",
                        state.version,
                        state.portal_status()
                    ),
                )
            }],
            outbox: vec![update],
            states: vec![StateWrite {
                expected_revision: Some(stored.revision),
                state: state.clone(),
            }],
            ..CommitBatch::default()
        };
        match journal.commit(batch).await {
            Ok(_) => return Ok(Some(state.version)),
            Err(JournalError::Conflict | JournalError::Duplicate) => continue,
            Err(e) => return Err(e.into()),
        }
    }
    Err(AppError::Usage(format!(
        "{key}: kept changing while resending; try again"
    )))
}

#[cfg(test)]
mod tests {
    use super::*;
    use invoice_core::journal::{MemoryJournal, OutboxStatus};
    use invoice_core::{Currency, Customer, InvoiceSnapshot, Lifecycle, Relay, TenantId};

    #[tokio::test]
    async fn resend_bumps_sequence_and_queues_current_state() {
        let journal: Arc<dyn Journal> = Arc::new(MemoryJournal::new());
        let relay = Relay::builder(journal.clone()).build();
        let key = InvoiceKey::new(Platform::Stripe, "acct_1", "in_1");
        let now = Utc::now();
        let snap = InvoiceSnapshot {
            number: Some("INV-1".into()),
            customer: Customer {
                platform_id: "cus_1".into(),
                name: None,
                portal_account: None,
            },
            currency: "EUR".parse::<Currency>().unwrap(),
            total: rust_decimal::Decimal::new(10000, 2),
            paid: rust_decimal::Decimal::ZERO,
            credited: rust_decimal::Decimal::ZERO,
            refunded: rust_decimal::Decimal::ZERO,
            due_date: None,
            lifecycle: Lifecycle::Open,
        };
        let ev =
            InvoiceEvent::new(key.clone(), EventKind::Issued, now, "evt_1").with_snapshot(snap);
        relay
            .apply_events(Platform::Stripe, TenantId::from("acct_1"), vec![ev])
            .await
            .unwrap();
        let before = journal.load(&key).await.unwrap().unwrap().state.version;

        let seq = resend_one(&journal, &key, now).await.unwrap().unwrap();
        assert_eq!(seq, before + 1);
        let seq2 = resend_one(&journal, &key, now).await.unwrap().unwrap();
        assert_eq!(seq2, before + 2);

        let pending = journal.outbox(OutboxStatus::Pending, 10).await.unwrap();
        let seqs: Vec<u64> = pending.iter().map(|i| i.update.data.sequence).collect();
        assert_eq!(seqs, vec![before, before + 1, before + 2]);
        assert_eq!(pending[2].update.event_type, "invoice.updated");
        assert_eq!(pending[2].update.data.invoice.status, "open");
        assert!(journal.verify_chain().await.is_ok());

        let missing = InvoiceKey::new(Platform::Stripe, "acct_1", "nope");
        assert_eq!(resend_one(&journal, &missing, now).await.unwrap(), None);
    }

    #[test]
    fn keys_parse() {
        let k = parse_key("quickbooks-online:9130:1042").unwrap();
        assert_eq!(k.platform, Platform::QuickbooksOnline);
        assert_eq!(k.id, "1042");
        assert!(parse_key("nope").is_err());
        assert!(parse_key("nope:a:b").is_err());
    }
}
