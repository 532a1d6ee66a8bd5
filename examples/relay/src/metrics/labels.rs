//! The closed label vocabulary of every metric: values come from these consts (or from
//! closed enums' `as_str`), never from request input.

/// Why a webhook was refused (`reason` label).
pub mod reason {
    /// Signature, token or JWT did not verify.
    pub const BAD_SIGNATURE: &str = "bad_signature";
    /// Signed timestamp outside the window.
    pub const STALE_TIMESTAMP: &str = "stale_timestamp";
    /// Tenant not configured.
    pub const UNKNOWN_TENANT: &str = "unknown_tenant";
    /// Body could not be parsed.
    pub const MALFORMED: &str = "malformed";
    /// Body over the limit.
    pub const TOO_LARGE: &str = "too_large";
    /// Not a request this connector takes.
    pub const UNSUPPORTED: &str = "unsupported";
    /// An upstream the source needed failed.
    pub const UPSTREAM: &str = "upstream";
    /// No source is configured for the slug.
    pub const NO_SOURCE: &str = "no_source";
    /// The journal failed; nothing acknowledged.
    pub const STORE_UNAVAILABLE: &str = "store_unavailable";
    /// The body could not be read.
    pub const BODY_READ: &str = "body_read";
    /// Anything else.
    pub const OTHER: &str = "other";
}

/// What a committed event did (`outcome` label).
pub mod outcome {
    /// Changed an invoice.
    pub const APPLIED: &str = "applied";
    /// Changed nothing visible.
    pub const IGNORED: &str = "ignored";
    /// Recorded as an anomaly.
    pub const ANOMALY: &str = "anomaly";
    /// Stored for enrichment.
    pub const PENDING: &str = "pending";
    /// Recognised and skipped.
    pub const SKIPPED: &str = "skipped";
}

/// Which path produced a transition (`via` label).
pub mod via {
    /// A platform webhook.
    pub const WEBHOOK: &str = "webhook";
    /// The overdue scheduler.
    pub const OVERDUE: &str = "overdue";
    /// The enrichment worker.
    pub const ENRICHMENT: &str = "enrichment";
}

/// Result of one delivery attempt (`result` label).
pub mod delivery {
    /// 2xx or 409.
    pub const DELIVERED: &str = "delivered";
    /// Will be retried.
    pub const RETRYABLE: &str = "retryable";
    /// Permanent failure.
    pub const PERMANENT: &str = "permanent";
}

/// Result of one enrichment (`result` label).
pub mod enrichment {
    /// Fetched and applied.
    pub const RESOLVED: &str = "resolved";
    /// Will be retried.
    pub const RETRIED: &str = "retried";
    /// Refused for good.
    pub const REJECTED: &str = "rejected";
}

/// The platform label: the slug (a closed vocabulary), or `unknown`.
pub fn platform(p: Option<invoice_core::Platform>) -> &'static str {
    p.map_or("unknown", |p| p.slug())
}

/// The `reason` label of a relay error.
pub fn reason_of(e: &invoice_core::RelayError) -> &'static str {
    use invoice_core::{ErrorKind, RelayError};
    match e {
        RelayError::NoSource(_) => reason::NO_SOURCE,
        RelayError::Journal(_) => reason::STORE_UNAVAILABLE,
        RelayError::Source(s) => match s.kind() {
            ErrorKind::BadSignature => reason::BAD_SIGNATURE,
            ErrorKind::StaleTimestamp => reason::STALE_TIMESTAMP,
            ErrorKind::UnknownTenant => reason::UNKNOWN_TENANT,
            ErrorKind::Malformed => reason::MALFORMED,
            ErrorKind::TooLarge => reason::TOO_LARGE,
            ErrorKind::Unsupported => reason::UNSUPPORTED,
            ErrorKind::Upstream => reason::UPSTREAM,
            _ => reason::OTHER,
        },
        _ => reason::OTHER,
    }
}
