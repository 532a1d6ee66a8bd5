//! The connector's own errors, mapped into [`SourceError`] at the boundary.

use invoice_core::SourceError;

/// What went wrong reading a FreshBooks callback.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FreshbooksError {
    /// No `X-FreshBooks-Hmac-SHA256` (and not a verification callback).
    #[error("missing X-FreshBooks-Hmac-SHA256 header")]
    MissingHeader,
    /// Not base64, or no verifier matches.
    #[error("no X-FreshBooks-Hmac-SHA256 matches")]
    NoMatch,
    /// The body is not a form FreshBooks sends.
    #[error("{0}")]
    Body(String),
}

impl From<FreshbooksError> for SourceError {
    fn from(e: FreshbooksError) -> Self {
        match e {
            FreshbooksError::MissingHeader => {
                SourceError::BadSignature("missing X-FreshBooks-Hmac-SHA256")
            }
            FreshbooksError::NoMatch => {
                SourceError::BadSignature("no X-FreshBooks-Hmac-SHA256 matches")
            }
            FreshbooksError::Body(m) => SourceError::Malformed(m),
        }
    }
}
