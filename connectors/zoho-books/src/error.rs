//! The connector's own errors, mapped into [`SourceError`] at the boundary.

use invoice_core::SourceError;

/// What went wrong reading a Zoho Books request.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ZohoError {
    /// No secret header, no signature, no verified URL token.
    #[error("missing secret header")]
    Missing,
    /// The header or signature matches nothing configured.
    #[error("secret header or signature does not match")]
    NoMatch,
    /// The body is not an invoice.
    #[error("{0}")]
    Body(String),
}

impl From<ZohoError> for SourceError {
    fn from(e: ZohoError) -> Self {
        match e {
            ZohoError::Missing => SourceError::BadSignature("missing secret header"),
            ZohoError::NoMatch => {
                SourceError::BadSignature("secret header or signature does not match")
            }
            ZohoError::Body(m) => SourceError::Malformed(m),
        }
    }
}
