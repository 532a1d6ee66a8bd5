//! Turning what a source made of a request into one atomic journal commit.

use std::collections::{BTreeSet, HashMap};

use super::{IngestReport, Relay};
use crate::audit::{AuditAction, AuditRecord};
use crate::journal::{CommitBatch, JournalError, PendingId, ReceivedRecord, StateWrite};
use crate::{apply, DedupKey, Ingested, InvoiceKey, InvoiceState, Outcome, Platform, PortalUpdate};

/// Retries after a concurrent update of the same invoice before giving up (503).
const MAX_CONFLICT_RETRIES: u32 = 32;

impl Relay {
    pub(super) async fn commit_ingested(
        &self,
        platform: Platform,
        ingested: &Ingested,
        received: Option<ReceivedRecord>,
        resolves_pending: Option<PendingId>,
    ) -> Result<IngestReport, JournalError> {
        let mut conflicts = 0;
        // The first attempt does not read the dedup keys: the journal refuses a batch with a
        // stored key (`Duplicate`, the `Journal` contract), and a fresh event, by far the
        // common case, then costs no read. After a refusal every key is read, so the
        // duplicates are left out and the rest commits.
        let mut check_duplicates = false;
        loop {
            match self
                .try_commit(
                    platform,
                    ingested,
                    received.clone(),
                    resolves_pending,
                    check_duplicates,
                )
                .await
            {
                Err(JournalError::Duplicate) if !check_duplicates => check_duplicates = true,
                Err(JournalError::Conflict | JournalError::Duplicate)
                    if conflicts < MAX_CONFLICT_RETRIES =>
                {
                    conflicts += 1;
                    tokio_yield().await;
                }
                Err(e) => return Err(e),
                Ok(mut report) => {
                    report.conflicts = conflicts;
                    return Ok(report);
                }
            }
        }
    }

    async fn try_commit(
        &self,
        platform: Platform,
        ingested: &Ingested,
        received: Option<ReceivedRecord>,
        resolves_pending: Option<PendingId>,
        check_duplicates: bool,
    ) -> Result<IngestReport, JournalError> {
        let journal = &self.inner.journal;

        let now = self.inner.clock.now();
        let tenant = &ingested.tenant;
        let mut report = IngestReport::default();
        let mut batch = CommitBatch {
            resolves_pending,
            ..CommitBatch::default()
        };
        let mut keys = BTreeSet::new();
        let dedup = |platform: Platform, event_id: &str| DedupKey {
            platform,
            tenant: tenant.clone(),
            event_id: event_id.to_owned(),
        };

        let mut fresh = Vec::new();
        for event in &ingested.events {
            // Events an enricher fetched are keyed apart from the thin reference they
            // resolve (which may carry the same platform event id, as Stripe disputes do).
            let key = match resolves_pending {
                Some(_) => dedup(
                    event.platform,
                    &format!("enriched:{}", event.platform_event_id),
                ),
                None => dedup(event.platform, &event.platform_event_id),
            };
            if keys.contains(&key) || (check_duplicates && journal.is_duplicate(&key).await?) {
                report.duplicates += 1;
                continue;
            }
            keys.insert(key);
            fresh.push(event.clone());
        }
        for reference in &ingested.pending {
            let key = dedup(reference.platform, &reference.event_id);
            if keys.contains(&key) || (check_duplicates && journal.is_duplicate(&key).await?) {
                report.duplicates += 1;
                continue;
            }
            keys.insert(key);
            report.pending += 1;
            batch.audit.push(AuditRecord {
                platform: Some(reference.platform),
                tenant: Some(tenant.0.clone()),
                reference: Some(reference.event_id.clone()),
                ..AuditRecord::new(
                    now,
                    AuditAction::Pending,
                    format!(
                        "{} {} {}: awaiting enrichment",
                        reference.entity, reference.entity_id, reference.operation
                    ),
                )
            });
            batch.pending.push(reference.clone());
        }
        for skipped in &ingested.skipped {
            let key = dedup(platform, &skipped.event_id);
            if keys.contains(&key) || (check_duplicates && journal.is_duplicate(&key).await?) {
                report.duplicates += 1;
                continue;
            }
            keys.insert(key);
            report.skipped += 1;
            batch.audit.push(AuditRecord {
                platform: Some(platform),
                tenant: Some(tenant.0.clone()),
                reference: Some(skipped.event_id.clone()),
                ..AuditRecord::new(
                    now,
                    AuditAction::Skipped,
                    format!("{}: {}", skipped.event_type, skipped.reason),
                )
            });
        }

        let mut states: HashMap<InvoiceKey, (Option<u64>, InvoiceState, bool)> = HashMap::new();
        for event in fresh {
            let event = self
                .inner
                .correlator
                .correlate(event, journal.as_ref())
                .await?;
            if !states.contains_key(&event.key) {
                let stored = journal.load(&event.key).await?;
                let entry = match stored {
                    Some(s) => (Some(s.revision), s.state, false),
                    None => (None, InvoiceState::empty(event.key.clone()), false),
                };
                states.insert(event.key.clone(), entry);
            }
            let Some((_, state, changed)) = states.get_mut(&event.key) else {
                continue;
            };
            let t = apply(state, &event);
            let action = match t.outcome {
                Outcome::Applied => {
                    report.applied += 1;
                    AuditAction::Applied
                }
                Outcome::Ignored(_) => {
                    report.ignored += 1;
                    AuditAction::Ignored
                }
                Outcome::Anomaly(_) => {
                    report.anomalies += 1;
                    AuditAction::Anomaly
                }
            };
            batch.audit.push(AuditRecord {
                platform: Some(event.platform),
                tenant: Some(tenant.0.clone()),
                invoice: Some(event.key.to_string()),
                customer: Some(t.state.customer.account().to_owned()),
                reference: Some(event.platform_event_id.clone()),
                ..AuditRecord::new(
                    now,
                    action,
                    format!(
                        "{}: {} -> {} (sequence {})",
                        event.kind,
                        t.outcome,
                        t.state.portal_status(),
                        t.state.version
                    ),
                )
            });
            if t.outcome == Outcome::Applied {
                batch
                    .outbox
                    .push(PortalUpdate::from_transition(&t.state, &event, now));
            }
            if t.stored_change {
                *state = t.state;
                *changed = true;
            }
        }
        for (_, (expected_revision, state, changed)) in states {
            if changed {
                batch.states.push(StateWrite {
                    state,
                    expected_revision,
                });
            }
        }

        for (name, value) in &ingested.cursors {
            if journal.cursor(name).await?.as_deref() != Some(value.as_str()) {
                batch.cursors.push((name.clone(), value.clone()));
            }
        }
        if keys.is_empty() && resolves_pending.is_none() && batch.cursors.is_empty() {
            // Everything was a duplicate: nothing new to store; the same reply again.
            return Ok(report);
        }
        if let Some(r) = received {
            batch.audit.insert(
                0,
                AuditRecord {
                    platform: Some(r.platform),
                    tenant: Some(r.tenant.clone()),
                    ..AuditRecord::new(
                        now,
                        AuditAction::Received,
                        format!("{} bytes", r.body.len()),
                    )
                },
            );
            batch.received = Some(r);
        }
        batch.dedup = keys.into_iter().collect();
        journal.commit(batch).await?;
        Ok(report)
    }
}

/// Lets the task that holds the conflicting invoice make progress.
async fn tokio_yield() {
    struct YieldNow(bool);
    impl std::future::Future for YieldNow {
        type Output = ();
        fn poll(
            mut self: std::pin::Pin<&mut Self>,
            cx: &mut std::task::Context<'_>,
        ) -> std::task::Poll<()> {
            if self.0 {
                std::task::Poll::Ready(())
            } else {
                self.0 = true;
                cx.waker().wake_by_ref();
                std::task::Poll::Pending
            }
        }
    }
    YieldNow(false).await
}
