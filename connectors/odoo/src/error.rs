//! The connector's own errors, mapped into [`SourceError`] at the boundary.

use invoice_core::SourceError;

/// What went wrong reading an Odoo request.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OdooError {
    /// Neither an `X-Odoo-Signature` header nor a verified URL token.
    #[error("no X-Odoo-Signature and no verified url token")]
    Unauthenticated,
    /// The header has no `t=` or no `v1=`, or a value is not what it should be.
    #[error("malformed X-Odoo-Signature header")]
    MalformedHeader,
    /// No `v1` matched any secret.
    #[error("no v1 signature matches")]
    NoMatch,
    /// Outside the tolerance window.
    #[error("signature timestamp outside tolerance")]
    Stale,
    /// The body is not a webhook notification.
    #[error("{0}")]
    Body(String),
}

impl From<OdooError> for SourceError {
    fn from(e: OdooError) -> Self {
        match e {
            OdooError::Unauthenticated => {
                SourceError::BadSignature("no X-Odoo-Signature and no verified url token")
            }
            OdooError::MalformedHeader => {
                SourceError::BadSignature("malformed X-Odoo-Signature header")
            }
            OdooError::NoMatch => SourceError::BadSignature("no v1 signature matches"),
            OdooError::Stale => {
                SourceError::StaleTimestamp("X-Odoo-Signature t= is outside the tolerance")
            }
            OdooError::Body(m) => SourceError::Malformed(m),
        }
    }
}
