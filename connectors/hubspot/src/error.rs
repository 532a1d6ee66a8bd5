//! The connector's own errors, mapped into [`SourceError`] at the boundary.

use invoice_core::SourceError;

/// What went wrong reading a HubSpot request.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HubspotError {
    /// No signature header the configuration accepts.
    #[error("missing X-HubSpot-Signature-v3 header")]
    MissingSignature,
    /// v3 without `X-HubSpot-Request-Timestamp`, or a timestamp that is not a number.
    #[error("missing or malformed X-HubSpot-Request-Timestamp")]
    BadTimestamp,
    /// The signature does not match any secret.
    #[error("no signature matches")]
    NoMatch,
    /// Outside the tolerance window.
    #[error("request timestamp outside the window")]
    Stale,
    /// v3 needs the public URL and none is known.
    #[error("public url unknown (set sources.hubspot.public_base_url)")]
    NoPublicUrl,
    /// A legacy (v1/v2) signature while legacy signatures are off, or an unknown version.
    #[error("signature version not accepted")]
    VersionRefused,
    /// The body is not a HubSpot event batch.
    #[error("{0}")]
    Body(String),
}

impl From<HubspotError> for SourceError {
    fn from(e: HubspotError) -> Self {
        match e {
            HubspotError::MissingSignature => {
                SourceError::BadSignature("missing X-HubSpot-Signature-v3")
            }
            HubspotError::BadTimestamp => {
                SourceError::BadSignature("missing or malformed X-HubSpot-Request-Timestamp")
            }
            HubspotError::NoMatch => SourceError::BadSignature("no hubspot signature matches"),
            HubspotError::Stale => {
                SourceError::StaleTimestamp("X-HubSpot-Request-Timestamp outside the window")
            }
            HubspotError::NoPublicUrl => {
                SourceError::BadSignature("public url unknown: set sources.hubspot.public_base_url")
            }
            HubspotError::VersionRefused => {
                SourceError::BadSignature("legacy hubspot signature version not accepted")
            }
            HubspotError::Body(m) => SourceError::Malformed(m),
        }
    }
}
