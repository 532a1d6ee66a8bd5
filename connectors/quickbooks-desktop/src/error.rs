//! The connector's own errors, mapped into [`SourceError`] at the boundary.

use invoice_core::SourceError;

/// What went wrong reading a QuickBooks Desktop request (after authentication where the
/// request carries any).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QbdError {
    /// The body is not a SOAP 1.1 envelope with one Web Connector call.
    #[error("soap: {0}")]
    Soap(String),
    /// The qbXML inside is unreadable.
    #[error("qbxml: {0}")]
    QbXml(String),
    /// The session ticket is missing, forged, for another company or expired.
    #[error("ticket: {0}")]
    Ticket(&'static str),
    /// The route names a company that is not configured.
    #[error("{0}")]
    UnknownCompany(String),
    /// The journal could not be read.
    #[error("journal: {0}")]
    Journal(String),
}

impl From<QbdError> for SourceError {
    fn from(e: QbdError) -> Self {
        match e {
            QbdError::Ticket(m) => SourceError::BadSignature(m),
            QbdError::UnknownCompany(c) => SourceError::UnknownTenant(c),
            QbdError::Journal(m) => SourceError::Upstream(m),
            other => SourceError::malformed(other),
        }
    }
}
