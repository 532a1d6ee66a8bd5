//! The errors a source returns, with a `Copy` kind usable as a metric label and an HTTP
//! status mapping.

use http::StatusCode;

/// What kind of failure, for matching, metrics and the HTTP reply.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The signature (or token, or JWT) did not verify, or was missing.
    BadSignature,
    /// The signed timestamp is outside the tolerance window.
    StaleTimestamp,
    /// The tenant is not configured.
    UnknownTenant,
    /// The body could not be parsed.
    Malformed,
    /// The body is over the size limit.
    TooLarge,
    /// The request is not for this connector (wrong method, wrong content type).
    Unsupported,
    /// An upstream the source needed (key fetch) failed; the platform should retry.
    Upstream,
}

impl ErrorKind {
    /// The snake_case label.
    pub fn as_str(&self) -> &'static str {
        match self {
            ErrorKind::BadSignature => "bad_signature",
            ErrorKind::StaleTimestamp => "stale_timestamp",
            ErrorKind::UnknownTenant => "unknown_tenant",
            ErrorKind::Malformed => "malformed",
            ErrorKind::TooLarge => "too_large",
            ErrorKind::Unsupported => "unsupported",
            ErrorKind::Upstream => "upstream",
        }
    }

    /// The HTTP status the platform gets.
    pub fn status(&self) -> StatusCode {
        match self {
            ErrorKind::BadSignature | ErrorKind::StaleTimestamp => StatusCode::UNAUTHORIZED,
            ErrorKind::UnknownTenant => StatusCode::FORBIDDEN,
            ErrorKind::Malformed => StatusCode::BAD_REQUEST,
            ErrorKind::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            ErrorKind::Unsupported => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ErrorKind::Upstream => StatusCode::SERVICE_UNAVAILABLE,
        }
    }

    /// True for authentication failures (nothing is recorded, only counted).
    pub fn is_auth(&self) -> bool {
        matches!(
            self,
            ErrorKind::BadSignature | ErrorKind::StaleTimestamp | ErrorKind::UnknownTenant
        )
    }
}

/// Why a source refused a request. Messages are lowercase and never contain secrets.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SourceError {
    /// See [`ErrorKind::BadSignature`].
    #[error("bad signature: {0}")]
    BadSignature(&'static str),
    /// See [`ErrorKind::StaleTimestamp`].
    #[error("timestamp outside tolerance: {0}")]
    StaleTimestamp(&'static str),
    /// See [`ErrorKind::UnknownTenant`].
    #[error("unknown tenant `{0}`")]
    UnknownTenant(String),
    /// See [`ErrorKind::Malformed`].
    #[error("malformed payload: {0}")]
    Malformed(String),
    /// See [`ErrorKind::TooLarge`].
    #[error("body over {limit} bytes")]
    TooLarge {
        /// The limit.
        limit: usize,
    },
    /// See [`ErrorKind::Unsupported`].
    #[error("unsupported request: {0}")]
    Unsupported(String),
    /// See [`ErrorKind::Upstream`].
    #[error("upstream failure: {0}")]
    Upstream(String),
}

impl SourceError {
    /// The kind.
    pub fn kind(&self) -> ErrorKind {
        match self {
            SourceError::BadSignature(_) => ErrorKind::BadSignature,
            SourceError::StaleTimestamp(_) => ErrorKind::StaleTimestamp,
            SourceError::UnknownTenant(_) => ErrorKind::UnknownTenant,
            SourceError::Malformed(_) => ErrorKind::Malformed,
            SourceError::TooLarge { .. } => ErrorKind::TooLarge,
            SourceError::Unsupported(_) => ErrorKind::Unsupported,
            SourceError::Upstream(_) => ErrorKind::Upstream,
        }
    }

    /// A malformed-payload error from any displayable cause (a serde error, say), cut to a
    /// readable length.
    pub fn malformed(cause: impl std::fmt::Display) -> Self {
        let mut s = cause.to_string();
        if s.len() > 200 {
            let mut cut = 200;
            while !s.is_char_boundary(cut) {
                cut -= 1;
            }
            s.truncate(cut);
        }
        SourceError::Malformed(s)
    }
}
