//! Thin events: references committed at once and fetched from the platform's API later.

use async_trait::async_trait;
use bytes::Bytes;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::{InvoiceEvent, Platform, TenantId};

/// A thin notification: ids only. Stored in the journal, acknowledged, then resolved by an
/// [`Enricher`] in the enrichment worker.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ThinReference {
    /// Source platform.
    pub platform: Platform,
    /// Tenant.
    pub tenant: TenantId,
    /// The platform's event id (or content hash): dedup key of the reference.
    pub event_id: String,
    /// The entity type as the platform names it (`Invoice`, `Payment`).
    pub entity: String,
    /// The entity id to fetch.
    pub entity_id: String,
    /// The operation the platform reported (`Create`, `Update`, `UPDATE`, ...).
    pub operation: String,
    /// A resource URL the payload gave, checked against the configured API base before use.
    pub resource_url: Option<String>,
    /// When the platform says it happened.
    pub occurred_at: DateTime<Utc>,
    /// When we received it.
    pub received_at: DateTime<Utc>,
    /// The original body where the worker needs it (PayPal IPN postback), exact bytes.
    #[serde(default, with = "opt_bytes")]
    pub raw: Option<Bytes>,
}

mod opt_bytes {
    use base64::Engine;
    use bytes::Bytes;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(v: &Option<Bytes>, s: S) -> Result<S::Ok, S::Error> {
        match v {
            Some(b) => s.serialize_some(&base64::engine::general_purpose::STANDARD.encode(b)),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Bytes>, D::Error> {
        let v: Option<String> = Option::deserialize(d)?;
        v.map(|s| {
            base64::engine::general_purpose::STANDARD
                .decode(s)
                .map(Bytes::from)
                .map_err(serde::de::Error::custom)
        })
        .transpose()
    }
}

/// Why an enrichment failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum EnrichError {
    /// Worth retrying later (timeout, 5xx, 429); `retry_after` if the platform said.
    #[error("transient: {message}")]
    Transient {
        /// What failed.
        message: String,
        /// The platform's Retry-After, seconds.
        retry_after_secs: Option<u64>,
    },
    /// Will never succeed (404, the platform says INVALID, a URL outside the API base).
    #[error("rejected: {0}")]
    Rejected(String),
}

impl EnrichError {
    /// True when retrying can help.
    pub fn is_transient(&self) -> bool {
        matches!(self, EnrichError::Transient { .. })
    }
}

/// Resolves thin references through a platform's API.
///
/// Contract:
/// - never requests a URL outside the configured API base, whatever the payload says;
/// - classifies failures: transient (timeouts, 5xx, 429 with Retry-After) or rejected;
/// - returns events with the platform's source version so ordering rules apply.
#[async_trait]
pub trait Enricher: Send + Sync + std::fmt::Debug {
    /// The platform this enricher serves.
    fn platform(&self) -> Platform;

    /// Fetches the record the reference points at and returns its canonical events
    /// (usually one `updated` snapshot).
    async fn fetch(&self, reference: &ThinReference) -> Result<Vec<InvoiceEvent>, EnrichError>;
}
