//! The connector's own errors, mapped into [`SourceError`] at the boundary.

use invoice_core::SourceError;

/// What went wrong reading a NetSuite post.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NetsuiteError {
    /// No `X-NS-Signature` or no `X-NS-Timestamp` header.
    #[error("missing X-NS-Signature or X-NS-Timestamp header")]
    MissingHeader,
    /// A header is not what it should be.
    #[error("malformed X-NS-Signature or X-NS-Timestamp header")]
    MalformedHeader,
    /// The signature matched no secret.
    #[error("signature matches no secret")]
    NoMatch,
    /// Outside the tolerance window.
    #[error("signature timestamp outside tolerance")]
    Stale,
    /// The account is not in `accounts`.
    #[error("account `{0}` is not configured")]
    UnknownAccount(String),
    /// The body is not a post of the shipped script.
    #[error("{0}")]
    Body(String),
}

impl From<NetsuiteError> for SourceError {
    fn from(e: NetsuiteError) -> Self {
        match e {
            NetsuiteError::MissingHeader => {
                SourceError::BadSignature("missing X-NS-Signature or X-NS-Timestamp")
            }
            NetsuiteError::MalformedHeader => {
                SourceError::BadSignature("malformed X-NS-Signature or X-NS-Timestamp")
            }
            NetsuiteError::NoMatch => SourceError::BadSignature("signature matches no secret"),
            NetsuiteError::Stale => {
                SourceError::StaleTimestamp("X-NS-Timestamp is outside the tolerance")
            }
            NetsuiteError::UnknownAccount(a) => SourceError::UnknownTenant(a),
            NetsuiteError::Body(m) => SourceError::Malformed(m),
        }
    }
}
