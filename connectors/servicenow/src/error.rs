//! The connector's own errors, mapped into [`SourceError`] at the boundary.

use invoice_core::SourceError;

/// What went wrong reading a ServiceNow post.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ServicenowError {
    /// A Standard Webhooks header or the `Authorization` header is absent.
    #[error("missing authentication header")]
    MissingHeader,
    /// A header is not what it should be.
    #[error("malformed authentication header")]
    MalformedHeader,
    /// No signature (or credential) matched any secret.
    #[error("signature matches no secret")]
    NoMatch,
    /// Outside the tolerance window.
    #[error("webhook-timestamp outside tolerance")]
    Stale,
    /// The instance is not in `instances`.
    #[error("instance `{0}` is not configured")]
    UnknownInstance(String),
    /// The body is not a post of the shipped script.
    #[error("{0}")]
    Body(String),
}

impl From<ServicenowError> for SourceError {
    fn from(e: ServicenowError) -> Self {
        match e {
            ServicenowError::MissingHeader => SourceError::BadSignature(
                "missing webhook-signature, webhook-id, webhook-timestamp or authorization",
            ),
            ServicenowError::MalformedHeader => {
                SourceError::BadSignature("malformed authentication header")
            }
            ServicenowError::NoMatch => SourceError::BadSignature("signature matches no secret"),
            ServicenowError::Stale => {
                SourceError::StaleTimestamp("webhook-timestamp is outside the tolerance")
            }
            ServicenowError::UnknownInstance(i) => SourceError::UnknownTenant(i),
            ServicenowError::Body(m) => SourceError::Malformed(m),
        }
    }
}
