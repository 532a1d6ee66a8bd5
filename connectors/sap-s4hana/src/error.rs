//! The connector's own errors, mapped into [`SourceError`] at the boundary.

use invoice_core::SourceError;

/// What went wrong reading an SAP push (after authentication).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SapError {
    /// The body is not a CloudEvent (or a batch of them).
    #[error("not a cloudevent: {0}")]
    NotCloudEvent(String),
    /// The CloudEvent lacks a required attribute.
    #[error("cloudevent without `{0}`")]
    Missing(&'static str),
    /// The `source` names a system that is not configured.
    #[error("{0}")]
    UnknownSystem(String),
    /// The content type is neither JSON nor CloudEvents JSON.
    #[error("content type `{0}` is not JSON")]
    ContentType(String),
}

impl From<SapError> for SourceError {
    fn from(e: SapError) -> Self {
        match e {
            SapError::UnknownSystem(s) => SourceError::UnknownTenant(s),
            SapError::ContentType(_) => SourceError::Unsupported(e.to_string()),
            other => SourceError::malformed(other),
        }
    }
}
