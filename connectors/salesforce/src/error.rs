//! The connector's own errors, mapped into [`SourceError`] at the boundary.

use invoice_core::SourceError;

/// What went wrong reading a Salesforce request.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SalesforceError {
    /// No `X-Relay-Secret`, no verified URL token, and the source is not configured as
    /// network-authenticated.
    #[error("missing X-Relay-Secret header and no URL token")]
    MissingSecret,
    /// `X-Relay-Secret` matches no configured secret.
    #[error("X-Relay-Secret does not match")]
    SecretMismatch,
    /// No `X-Relay-Signature` on a Platform Event callout.
    #[error("missing X-Relay-Signature header")]
    MissingSignature,
    /// `X-Relay-Signature` is not `t=<unix>,v1=<hex>`.
    #[error("malformed X-Relay-Signature header")]
    MalformedSignature,
    /// No `v1` matched any event secret (or none is configured).
    #[error("no v1 signature matches")]
    SignatureMismatch,
    /// The signature's timestamp is older than the tolerance.
    #[error("signature timestamp too old")]
    TooOld,
    /// The organization is not configured (or the route names another one).
    #[error("organization `{0}` is not configured")]
    UnknownOrg(String),
    /// The SOAP body could not be read.
    #[error("xml: {0}")]
    Xml(String),
    /// The JSON body could not be read.
    #[error("json: {0}")]
    Json(String),
    /// A field value is not what its field needs.
    #[error("{0}")]
    Field(String),
    /// Neither `text/xml` nor `application/json`.
    #[error(
        "content type must be text/xml (Outbound Message) or application/json (Platform Event)"
    )]
    ContentType,
}

impl From<SalesforceError> for SourceError {
    fn from(e: SalesforceError) -> Self {
        match e {
            SalesforceError::MissingSecret => {
                SourceError::BadSignature("missing X-Relay-Secret and no url token")
            }
            SalesforceError::SecretMismatch => {
                SourceError::BadSignature("X-Relay-Secret does not match")
            }
            SalesforceError::MissingSignature => {
                SourceError::BadSignature("missing X-Relay-Signature")
            }
            SalesforceError::MalformedSignature => {
                SourceError::BadSignature("malformed X-Relay-Signature header")
            }
            SalesforceError::SignatureMismatch => {
                SourceError::BadSignature("no v1 signature matches")
            }
            SalesforceError::TooOld => {
                SourceError::StaleTimestamp("X-Relay-Signature t= is too old")
            }
            SalesforceError::UnknownOrg(org) => {
                SourceError::UnknownTenant(org.chars().take(40).collect())
            }
            SalesforceError::Xml(m) | SalesforceError::Json(m) | SalesforceError::Field(m) => {
                SourceError::malformed(m)
            }
            SalesforceError::ContentType => SourceError::Unsupported(e.to_string()),
        }
    }
}
