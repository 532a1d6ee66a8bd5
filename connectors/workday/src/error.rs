//! The connector's own errors, mapped into [`SourceError`] at the boundary.

use invoice_core::SourceError;

/// What went wrong reading a Workday delivery (after authentication).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WorkdayError {
    /// The body is not a Workday Web Services XML message.
    #[error("{0}")]
    Xml(String),
    /// The route names a tenant that is not configured.
    #[error("{0}")]
    UnknownTenant(String),
    /// The content type is not XML.
    #[error("content type `{0}` is not XML")]
    ContentType(String),
}

impl From<WorkdayError> for SourceError {
    fn from(e: WorkdayError) -> Self {
        match e {
            WorkdayError::UnknownTenant(t) => SourceError::UnknownTenant(t),
            WorkdayError::ContentType(_) => SourceError::Unsupported(e.to_string()),
            WorkdayError::Xml(m) => SourceError::malformed(m),
        }
    }
}
