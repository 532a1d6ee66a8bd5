//! The connector's own errors, mapped into [`SourceError`] at the boundary.

use invoice_core::SourceError;

/// What went wrong reading a QuickBooks Online notification.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QboError {
    /// No `intuit-signature` header.
    #[error("missing intuit-signature header")]
    MissingHeader,
    /// The header is not base64 of 32 bytes.
    #[error("malformed intuit-signature header")]
    MalformedHeader,
    /// No verifier token produces the signature.
    #[error("intuit-signature does not match")]
    NoMatch,
    /// A realm outside the configured allow-list.
    #[error("realm `{0}` is not configured")]
    UnknownRealm(String),
    /// The body is neither a legacy notification nor a CloudEvents batch.
    #[error("{0}")]
    Body(String),
}

impl From<QboError> for SourceError {
    fn from(e: QboError) -> Self {
        match e {
            QboError::MissingHeader => SourceError::BadSignature("missing intuit-signature"),
            QboError::MalformedHeader => {
                SourceError::BadSignature("malformed intuit-signature header")
            }
            QboError::NoMatch => SourceError::BadSignature("intuit-signature does not match"),
            QboError::UnknownRealm(r) => SourceError::UnknownTenant(r),
            QboError::Body(m) => SourceError::malformed(m),
        }
    }
}
