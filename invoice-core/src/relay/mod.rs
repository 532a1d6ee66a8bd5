//! The `Relay`: the pipeline of the design over the traits. Ingest -> verify and parse
//! (the source) -> dedup -> correlate -> transition -> one atomic journal commit -> reply.
//! The outbox worker, the enrichment worker and the overdue scheduler feed the same path.

mod builder;
mod commit;
mod enrichment;
mod redact;

pub use enrichment::EnrichReport;

pub use builder::RelayBuilder;
pub use redact::redact_headers;

use std::collections::HashMap;
use std::sync::Arc;

use crate::journal::{Journal, JournalError, StateFilter};
use crate::{
    Clock, Enricher, IngestContext, InvoiceSource, OverduePolicy, Platform, Reply, SourceError,
    TenantId, WebhookRequest,
};

/// Why the relay could not take a request or event.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RelayError {
    /// No source is configured for this platform.
    #[error("no source configured for `{0}`")]
    NoSource(Platform),
    /// The source refused the request.
    #[error(transparent)]
    Source(#[from] SourceError),
    /// The journal failed; nothing was acknowledged.
    #[error(transparent)]
    Journal(#[from] JournalError),
}

impl RelayError {
    /// The HTTP status the platform should get.
    pub fn status(&self) -> http::StatusCode {
        match self {
            RelayError::NoSource(_) => http::StatusCode::NOT_FOUND,
            RelayError::Source(e) => e.kind().status(),
            RelayError::Journal(_) => http::StatusCode::SERVICE_UNAVAILABLE,
        }
    }
}

/// The journal's cursors, read-only, as sources see them.
#[derive(Debug)]
struct JournalCursors(Arc<dyn Journal>);

#[async_trait::async_trait]
impl crate::CursorReader for JournalCursors {
    async fn cursor(&self, name: &str) -> Result<Option<String>, String> {
        self.0.cursor(name).await.map_err(|e| e.to_string())
    }
}

/// Counts of what one ingest or apply did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct IngestReport {
    /// Events that changed an invoice.
    pub applied: u32,
    /// Events that changed nothing visible.
    pub ignored: u32,
    /// Events recorded as anomalies.
    pub anomalies: u32,
    /// Events already committed before (deduplicated).
    pub duplicates: u32,
    /// Thin references stored for enrichment.
    pub pending: u32,
    /// Events the source skipped (unsupported type, heartbeat).
    pub skipped: u32,
    /// Commit retries after a concurrent update of the same invoice.
    pub conflicts: u32,
}

impl IngestReport {
    fn add(&mut self, o: &IngestReport) {
        self.applied += o.applied;
        self.ignored += o.ignored;
        self.anomalies += o.anomalies;
        self.duplicates += o.duplicates;
        self.pending += o.pending;
        self.skipped += o.skipped;
        self.conflicts += o.conflicts;
    }
}

/// Where a request arrived: the route's tenant and URL token, and the public URL.
#[derive(Debug, Clone, Default)]
pub struct Route {
    /// `/webhooks/{slug}/{tenant}`.
    pub tenant: Option<TenantId>,
    /// `/webhooks/{slug}/{tenant}/{token}`: compared in constant time with the source's
    /// URL tokens; a wrong token is [`SourceError::BadSignature`].
    pub url_token: Option<String>,
    /// The URL the platform called, as it sees it (for signatures that cover the URL).
    pub public_url: Option<String>,
}

/// What the platform gets back, and what was done.
#[derive(Debug, Clone)]
pub struct IngestOutcome {
    /// The exact reply for the platform (sent only now: after the commit).
    pub reply: Reply,
    /// The tenant the request belonged to.
    pub tenant: TenantId,
    /// Counts.
    pub report: IngestReport,
}

/// The pipeline. Cheap to clone; share one per process.
#[derive(Clone, Debug)]
pub struct Relay {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    journal: Arc<dyn Journal>,
    sources: HashMap<Platform, Arc<dyn InvoiceSource>>,
    enrichers: HashMap<Platform, Arc<dyn Enricher>>,
    correlator: crate::Correlator,
    clock: Arc<dyn Clock>,
    overdue: OverduePolicy,
    max_body_bytes: usize,
    enrichment_retry: crate::RetryPolicy,
    url_tokens: HashMap<Platform, Vec<crate::Secret>>,
}

impl Relay {
    /// Starts building a relay over `journal`.
    pub fn builder(journal: Arc<dyn Journal>) -> RelayBuilder {
        RelayBuilder::new(journal)
    }

    /// The journal.
    pub fn journal(&self) -> &Arc<dyn Journal> {
        &self.inner.journal
    }

    /// The clock.
    pub fn clock(&self) -> &Arc<dyn Clock> {
        &self.inner.clock
    }

    /// The configured source for `platform`.
    pub fn source(&self, platform: Platform) -> Option<&Arc<dyn InvoiceSource>> {
        self.inner.sources.get(&platform)
    }

    /// Platforms with a configured source.
    pub fn platforms(&self) -> Vec<Platform> {
        let mut v: Vec<Platform> = self.inner.sources.keys().copied().collect();
        v.sort();
        v
    }

    /// Verifies, parses, deduplicates, applies and commits one webhook request, and returns
    /// the reply the platform gets. Nothing is acknowledged before the commit is durable;
    /// a journal failure is an error (503), so the platform retries.
    ///
    /// - a body over the limit: [`SourceError::TooLarge`], nothing parsed;
    /// - a bad signature: the source's error, nothing stored;
    /// - a duplicate: the success reply again, nothing stored twice.
    pub async fn ingest(
        &self,
        platform: Platform,
        request: &WebhookRequest,
        route: Route,
    ) -> Result<IngestOutcome, RelayError> {
        let source = self
            .inner
            .sources
            .get(&platform)
            .ok_or(RelayError::NoSource(platform))?;
        if request.body().len() > self.inner.max_body_bytes {
            return Err(SourceError::TooLarge {
                limit: self.inner.max_body_bytes,
            }
            .into());
        }
        let now = self.inner.clock.now();
        let mut ctx = IngestContext::at(now);
        ctx.route_tenant = route.tenant;
        ctx.public_url = route.public_url;
        ctx.cursors = Some(Arc::new(JournalCursors(self.inner.journal.clone())));
        if let Some(token) = &route.url_token {
            let tokens = self
                .inner
                .url_tokens
                .get(&platform)
                .map(Vec::as_slice)
                .unwrap_or(&[]);
            if !crate::verify::matches_any_secret(tokens, token.as_bytes()) {
                return Err(SourceError::BadSignature("url token does not match").into());
            }
            ctx.url_token_verified = true;
        }
        let ingested = source.ingest(request, &ctx).await?;
        if ingested.handshake {
            return Ok(IngestOutcome {
                reply: ingested.reply,
                tenant: ingested.tenant,
                report: IngestReport::default(),
            });
        }
        let received = crate::journal::ReceivedRecord {
            platform,
            tenant: ingested.tenant.0.clone(),
            received_at: now,
            headers: redact_headers(request.headers(), source.info().signature_header),
            body: request.body().clone(),
        };
        let report = self
            .commit_ingested(platform, &ingested, Some(received), None)
            .await?;
        Ok(IngestOutcome {
            reply: ingested.reply,
            tenant: ingested.tenant,
            report,
        })
    }

    /// Applies events that did not come through a webhook (the overdue scheduler, an
    /// operator's `replay-file`) through the same dedup, state machine and commit.
    pub async fn apply_events(
        &self,
        platform: Platform,
        tenant: TenantId,
        events: Vec<crate::InvoiceEvent>,
    ) -> Result<IngestReport, RelayError> {
        let ingested = crate::Ingested::events(tenant, events, Reply::ok());
        Ok(self
            .commit_ingested(platform, &ingested, None, None)
            .await?)
    }

    /// Evaluates the overdue rules for every owed invoice at the relay's clock and applies
    /// the `overdue` events due. Idempotent: a level is emitted once, across restarts.
    pub async fn run_overdue(&self) -> Result<IngestReport, RelayError> {
        let now = self.inner.clock.now();
        let filter = StateFilter {
            customer: None,
            owed_only: true,
        };
        let mut total = IngestReport::default();
        let mut after = None;
        loop {
            let page = self
                .inner
                .journal
                .list_states(&filter, after.as_ref(), 500)
                .await?;
            let Some(last) = page.last() else { break };
            after = Some(last.key.clone());
            for state in &page {
                if let Some(event) = self.inner.overdue.evaluate(state, now) {
                    let r = self
                        .apply_events(state.key.platform, state.key.tenant.clone(), vec![event])
                        .await?;
                    total.add(&r);
                }
            }
        }
        Ok(total)
    }

    /// The overdue policy.
    pub fn overdue_policy(&self) -> &OverduePolicy {
        &self.inner.overdue
    }
}
