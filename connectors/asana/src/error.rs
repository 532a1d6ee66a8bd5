//! The connector's own errors, mapped into [`SourceError`] at the boundary.

use invoice_core::SourceError;

/// What went wrong reading an Asana request.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AsanaError {
    /// Neither `X-Hook-Signature` nor a handshake's `X-Hook-Secret`.
    #[error("missing X-Hook-Signature header")]
    MissingHeader,
    /// The signature is not 64 hex digits or matches no secret.
    #[error("no X-Hook-Signature matches")]
    NoMatch,
    /// A handshake secret that cannot be echoed (empty, too long, not visible ASCII).
    #[error("unusable X-Hook-Secret")]
    BadHandshake,
    /// The body is not an Asana event list.
    #[error("{0}")]
    Body(String),
}

impl From<AsanaError> for SourceError {
    fn from(e: AsanaError) -> Self {
        match e {
            AsanaError::MissingHeader => SourceError::BadSignature("missing X-Hook-Signature"),
            AsanaError::NoMatch => SourceError::BadSignature("no X-Hook-Signature matches"),
            AsanaError::BadHandshake => {
                SourceError::Malformed("unusable X-Hook-Secret in handshake".into())
            }
            AsanaError::Body(m) => SourceError::Malformed(m),
        }
    }
}
