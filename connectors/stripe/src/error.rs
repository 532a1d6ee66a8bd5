//! The connector's own errors, mapped into [`SourceError`] at the boundary.

use invoice_core::SourceError;

/// What went wrong reading a Stripe request.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StripeError {
    /// No `Stripe-Signature` header.
    #[error("missing Stripe-Signature header")]
    MissingHeader,
    /// The header has no `t=` or no `v1=`, or a value is not what it should be.
    #[error("malformed Stripe-Signature header")]
    MalformedHeader,
    /// No `v1` matched any secret.
    #[error("no v1 signature matches")]
    NoMatch,
    /// Older than the tolerance.
    #[error("signature timestamp too old")]
    TooOld,
    /// The body is not a Stripe event.
    #[error("{0}")]
    Body(String),
}

impl From<StripeError> for SourceError {
    fn from(e: StripeError) -> Self {
        match e {
            StripeError::MissingHeader => SourceError::BadSignature("missing Stripe-Signature"),
            StripeError::MalformedHeader => {
                SourceError::BadSignature("malformed Stripe-Signature header")
            }
            StripeError::NoMatch => SourceError::BadSignature("no v1 signature matches"),
            StripeError::TooOld => SourceError::StaleTimestamp("Stripe-Signature t= is too old"),
            StripeError::Body(m) => SourceError::Malformed(m),
        }
    }
}
