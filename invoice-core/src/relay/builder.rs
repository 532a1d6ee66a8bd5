//! Building a [`Relay`](super::Relay).

use std::collections::HashMap;
use std::sync::Arc;

use super::{Inner, Relay};
use crate::journal::Journal;
use crate::Platform;
use crate::{Clock, Correlator, Enricher, InvoiceSource, OverduePolicy, RetryPolicy, SystemClock};

/// Builder for [`Relay`]: sources, enrichers, correlation rules, clock and limits.
#[derive(Debug)]
pub struct RelayBuilder {
    inner: Inner,
}

impl RelayBuilder {
    pub(super) fn new(journal: Arc<dyn Journal>) -> Self {
        RelayBuilder {
            inner: Inner {
                journal,
                sources: HashMap::new(),
                enrichers: HashMap::new(),
                correlator: Correlator::default(),
                clock: Arc::new(SystemClock),
                overdue: OverduePolicy::default(),
                max_body_bytes: 1024 * 1024,
                enrichment_retry: RetryPolicy {
                    max_attempts: 20,
                    first_backoff: std::time::Duration::from_secs(2),
                    max_backoff: std::time::Duration::from_secs(3600),
                },
                url_tokens: HashMap::new(),
            },
        }
    }

    /// Adds a source (one per platform; a later one replaces an earlier one).
    pub fn source(mut self, source: Arc<dyn InvoiceSource>) -> Self {
        self.inner.sources.insert(source.info().platform, source);
        self
    }

    /// Adds an enricher for thin events.
    pub fn enricher(mut self, enricher: Arc<dyn Enricher>) -> Self {
        self.inner.enrichers.insert(enricher.platform(), enricher);
        self
    }

    /// Sets the correlation rules.
    pub fn correlator(mut self, correlator: Correlator) -> Self {
        self.inner.correlator = correlator;
        self
    }

    /// Sets the clock (simulated clocks for demos and tests).
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.inner.clock = clock;
        self
    }

    /// Sets the overdue rules.
    pub fn overdue(mut self, policy: OverduePolicy) -> Self {
        self.inner.overdue = policy;
        self
    }

    /// Sets the body limit (default 1 MiB).
    pub fn max_body_bytes(mut self, limit: usize) -> Self {
        self.inner.max_body_bytes = limit;
        self
    }

    /// Sets the URL tokens accepted on `/webhooks/{slug}/{tenant}/{token}` for `platform`.
    pub fn url_tokens(mut self, platform: Platform, tokens: Vec<crate::Secret>) -> Self {
        self.inner.url_tokens.insert(platform, tokens);
        self
    }

    /// Adds a built connector (its source and enricher).
    pub fn connector(self, connector: crate::registry::Connector) -> Self {
        let with_source = self.source(connector.source);
        match connector.enricher {
            Some(e) => with_source.enricher(e),
            None => with_source,
        }
    }

    /// Sets the retry schedule of enrichment fetches.
    pub fn enrichment_retry(mut self, policy: RetryPolicy) -> Self {
        self.inner.enrichment_retry = policy;
        self
    }

    /// Builds the relay.
    pub fn build(self) -> Relay {
        Relay {
            inner: Arc::new(self.inner),
        }
    }
}
