//! Errors building an [`HttpPortalSink`](crate::HttpPortalSink).

use crate::keys::KeyError;

/// The sink could not be built. Messages never contain secrets or URL credentials.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// The portal URL does not parse or is not http(s).
    #[error("invalid portal url: {0}")]
    Url(String),
    /// A secret or signing key could not be read.
    #[error("invalid portal signing key: {0}")]
    Key(#[from] KeyError),
    /// The HTTP client could not be built (TLS backend).
    #[error("http client: {0}")]
    Client(String),
}
