//! The connector's own errors, mapped into [`SourceError`] at the boundary.

use invoice_core::SourceError;

/// What went wrong reading a Dataverse or flow post.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DynamicsError {
    /// The configured key location (query parameter or header) is absent.
    #[error("no key in `{0}`")]
    MissingKey(String),
    /// The key matches no configured secret.
    #[error("key matches no secret")]
    NoMatch,
    /// The organization is not in `organizations`.
    #[error("organization `{0}` is not configured")]
    UnknownOrganization(String),
    /// The body is neither a `RemoteExecutionContext` nor the flow's post.
    #[error("{0}")]
    Body(String),
}

impl From<DynamicsError> for SourceError {
    fn from(e: DynamicsError) -> Self {
        match e {
            DynamicsError::MissingKey(_) => SourceError::BadSignature("missing webhook key"),
            DynamicsError::NoMatch => SourceError::BadSignature("webhook key matches no secret"),
            DynamicsError::UnknownOrganization(o) => SourceError::UnknownTenant(o),
            DynamicsError::Body(m) => SourceError::Malformed(m),
        }
    }
}
