//! The connector's own errors, mapped into [`SourceError`] at the boundary.

use invoice_core::SourceError;

/// What went wrong reading a Jira request.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum JsmError {
    /// Neither `X-Hub-Signature` nor the shared-secret header.
    #[error("missing X-Hub-Signature or shared-secret header")]
    MissingHeader,
    /// `X-Hub-Signature` is not `sha256=<64 hex>`.
    #[error("malformed X-Hub-Signature")]
    MalformedHeader,
    /// No secret matches.
    #[error("signature or token does not match")]
    NoMatch,
    /// The body is not a Jira event.
    #[error("{0}")]
    Body(String),
}

impl From<JsmError> for SourceError {
    fn from(e: JsmError) -> Self {
        match e {
            JsmError::MissingHeader => {
                SourceError::BadSignature("missing X-Hub-Signature or shared-secret header")
            }
            JsmError::MalformedHeader => SourceError::BadSignature("malformed X-Hub-Signature"),
            JsmError::NoMatch => SourceError::BadSignature("signature or token does not match"),
            JsmError::Body(m) => SourceError::Malformed(m),
        }
    }
}
