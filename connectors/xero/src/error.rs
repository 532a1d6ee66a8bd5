//! The connector's own errors, mapped into [`SourceError`] at the boundary.

use invoice_core::SourceError;

/// What went wrong reading a Xero webhook.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum XeroError {
    /// No `x-xero-signature` header.
    #[error("missing x-xero-signature header")]
    MissingHeader,
    /// The header is not base64 of 32 bytes.
    #[error("malformed x-xero-signature header")]
    MalformedHeader,
    /// No webhook key produces the signature.
    #[error("x-xero-signature does not match")]
    NoMatch,
    /// A tenant outside the configured allow-list.
    #[error("tenant `{0}` is not configured")]
    UnknownTenant(String),
    /// The body is not a Xero webhook payload.
    #[error("{0}")]
    Body(String),
}

impl From<XeroError> for SourceError {
    fn from(e: XeroError) -> Self {
        match e {
            XeroError::MissingHeader => SourceError::BadSignature("missing x-xero-signature"),
            XeroError::MalformedHeader => {
                SourceError::BadSignature("malformed x-xero-signature header")
            }
            XeroError::NoMatch => SourceError::BadSignature("x-xero-signature does not match"),
            XeroError::UnknownTenant(t) => SourceError::UnknownTenant(t),
            XeroError::Body(m) => SourceError::malformed(m),
        }
    }
}
