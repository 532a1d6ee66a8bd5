//! The connector's own errors, mapped into [`SourceError`] at the boundary.

use invoice_core::SourceError;

/// What went wrong reading a Sage Intacct Smart Event.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IntacctError {
    /// Neither a verified URL token nor a `token` query parameter.
    #[error("no URL token")]
    MissingToken,
    /// The `token` query parameter matches no configured secret.
    #[error("URL token does not match")]
    TokenMismatch,
    /// The company is not configured (or the route and body name different ones).
    #[error("company `{0}` is not configured")]
    UnknownCompany(String),
    /// The body could not be read.
    #[error("{0}")]
    Body(String),
}

impl From<IntacctError> for SourceError {
    fn from(e: IntacctError) -> Self {
        match e {
            IntacctError::MissingToken => SourceError::BadSignature("no url token"),
            IntacctError::TokenMismatch => SourceError::BadSignature("url token does not match"),
            IntacctError::UnknownCompany(c) => {
                SourceError::UnknownTenant(c.chars().take(60).collect())
            }
            IntacctError::Body(m) => SourceError::malformed(m),
        }
    }
}
