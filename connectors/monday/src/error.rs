//! The connector's own errors, mapped into [`SourceError`] at the boundary.

use invoice_core::SourceError;

/// What went wrong reading a monday.com request.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MondayError {
    /// No `Authorization` header (and no verified URL token where allowed).
    #[error("missing Authorization JWT")]
    MissingToken,
    /// Not three base64url parts, bad JSON, or `alg` other than HS256.
    #[error("malformed JWT")]
    MalformedToken,
    /// The MAC matches no secret.
    #[error("JWT signature does not match")]
    NoMatch,
    /// Expired, too old by `iat`, or issued in the future.
    #[error("JWT outside its time window")]
    Stale,
    /// The body is not a monday.com event.
    #[error("{0}")]
    Body(String),
}

impl From<MondayError> for SourceError {
    fn from(e: MondayError) -> Self {
        match e {
            MondayError::MissingToken => SourceError::BadSignature("missing Authorization JWT"),
            MondayError::MalformedToken => SourceError::BadSignature("malformed JWT"),
            MondayError::NoMatch => SourceError::BadSignature("JWT signature does not match"),
            MondayError::Stale => SourceError::StaleTimestamp("JWT expired or too old"),
            MondayError::Body(m) => SourceError::Malformed(m),
        }
    }
}
