//! The connector's own errors, mapped into [`SourceError`] at the boundary.

use invoice_core::SourceError;

use crate::urls::UrlError;

/// What went wrong reading a PayPal request.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PaypalError {
    /// A `PAYPAL-TRANSMISSION-*` / `PAYPAL-CERT-URL` header is missing or not text.
    #[error("missing or unreadable {0} header")]
    MissingHeader(&'static str),
    /// `PAYPAL-TRANSMISSION-SIG` is not base64.
    #[error("transmission signature is not base64")]
    MalformedSignature,
    /// `PAYPAL-AUTH-ALGO` is not `SHA256withRSA`.
    #[error("unsupported auth algorithm")]
    UnsupportedAlgorithm,
    /// `PAYPAL-CERT-URL` is outside the allow-list.
    #[error("certificate url refused: {0}")]
    CertUrl(UrlError),
    /// The certificate could not be parsed or holds no RSA key.
    #[error("signing certificate unusable")]
    CertUnusable,
    /// The certificate is outside its validity period.
    #[error("signing certificate not valid now")]
    CertExpired,
    /// The certificate could not be fetched (PayPal should retry).
    #[error("certificate fetch failed: {0}")]
    CertFetch(String),
    /// No webhook id is configured.
    #[error("no webhook id configured")]
    NoWebhookId,
    /// The signature matches no configured webhook id.
    #[error("signature does not verify")]
    NoMatch,
    /// The verify-webhook-signature API could not be asked (PayPal should retry).
    #[error("verification api: {0}")]
    Api(String),
    /// Neither a form (IPN) nor JSON (REST webhook).
    #[error("content type must be application/json or application/x-www-form-urlencoded")]
    ContentType,
    /// The body is not a PayPal message.
    #[error("{0}")]
    Body(String),
}

impl From<PaypalError> for SourceError {
    fn from(e: PaypalError) -> Self {
        match e {
            PaypalError::MissingHeader(_) => {
                SourceError::BadSignature("missing paypal transmission header")
            }
            PaypalError::MalformedSignature => {
                SourceError::BadSignature("transmission signature is not base64")
            }
            PaypalError::UnsupportedAlgorithm => {
                SourceError::BadSignature("paypal-auth-algo is not SHA256withRSA")
            }
            PaypalError::CertUrl(_) => SourceError::BadSignature("paypal-cert-url not allowed"),
            PaypalError::CertUnusable => SourceError::BadSignature("signing certificate unusable"),
            PaypalError::CertExpired => {
                SourceError::BadSignature("signing certificate not valid now")
            }
            PaypalError::NoWebhookId => SourceError::BadSignature("no webhook id configured"),
            PaypalError::NoMatch => SourceError::BadSignature("signature does not verify"),
            PaypalError::CertFetch(m) => SourceError::Upstream(format!("paypal certificate: {m}")),
            PaypalError::Api(m) => SourceError::Upstream(format!("paypal verification api: {m}")),
            PaypalError::ContentType => SourceError::Unsupported(e.to_string()),
            PaypalError::Body(m) => SourceError::Malformed(m),
        }
    }
}
