//! PayPal's webhook signing certificates: fetched from `PAYPAL-CERT-URL` (allow-listed
//! hosts only, no redirects, size-capped), parsed, and cached by URL.
//!
//! Trust comes from where the certificate is fetched: https to one of PayPal's API hosts,
//! whose TLS certificate reqwest (rustls, web PKI roots) checks. The certificate's own
//! validity period is checked against the injected clock on every use.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, Utc};
use rsa::pkcs8::DecodePublicKey;
use rsa::RsaPublicKey;
use x509_cert::der::{DecodePem, Encode};
use x509_cert::Certificate;

use crate::error::PaypalError;
use crate::urls::check_cert_url;

/// The largest certificate document fetched (PayPal's chain is about 5 KiB).
const MAX_CERT_BYTES: usize = 64 * 1024;
/// Distinct URLs kept; PayPal rotates rarely, so a full cache is simply cleared.
const MAX_ENTRIES: usize = 64;

/// A parsed signing certificate: its RSA key and validity period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SigningCert {
    /// The subject's public key.
    pub key: RsaPublicKey,
    /// Start of validity, unix seconds.
    pub not_before: i64,
    /// End of validity, unix seconds.
    pub not_after: i64,
}

impl SigningCert {
    /// Parses the first certificate of a PEM document (PayPal serves the leaf first,
    /// then its chain). The key must be RSA.
    pub fn from_pem(pem: &[u8]) -> Result<Self, PaypalError> {
        const BEGIN: &[u8] = b"-----BEGIN CERTIFICATE-----";
        const END: &[u8] = b"-----END CERTIFICATE-----";
        let start = find(pem, BEGIN).ok_or(PaypalError::CertUnusable)?;
        let end = find(&pem[start..], END).ok_or(PaypalError::CertUnusable)? + start + END.len();
        let cert =
            Certificate::from_pem(&pem[start..end]).map_err(|_| PaypalError::CertUnusable)?;
        let spki = cert
            .tbs_certificate
            .subject_public_key_info
            .to_der()
            .map_err(|_| PaypalError::CertUnusable)?;
        let key =
            RsaPublicKey::from_public_key_der(&spki).map_err(|_| PaypalError::CertUnusable)?;
        let validity = &cert.tbs_certificate.validity;
        let secs = |d: Duration| i64::try_from(d.as_secs()).unwrap_or(i64::MAX);
        Ok(SigningCert {
            key,
            not_before: secs(validity.not_before.to_unix_duration()),
            not_after: secs(validity.not_after.to_unix_duration()),
        })
    }

    /// True when `now` is inside the validity period.
    pub fn valid_at(&self, now: DateTime<Utc>) -> bool {
        let t = now.timestamp();
        self.not_before <= t && t <= self.not_after
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// Signing certificates by URL.
#[derive(Debug)]
pub struct CertCache {
    hosts: Vec<String>,
    http: reqwest::Client,
    entries: Mutex<HashMap<String, Entry>>,
}

#[derive(Debug, Clone)]
struct Entry {
    cert: Arc<SigningCert>,
    /// Pinned by the operator: never re-fetched.
    pinned: bool,
}

impl CertCache {
    /// A cache that fetches only from `hosts` (see [`check_cert_url`]).
    pub fn new(hosts: Vec<String>, timeout: Duration) -> Result<Self, reqwest::Error> {
        let http = reqwest::Client::builder()
            .timeout(timeout)
            .redirect(reqwest::redirect::Policy::none())
            .build()?;
        Ok(CertCache {
            hosts,
            http,
            entries: Mutex::new(HashMap::new()),
        })
    }

    fn cached(&self, url: &str) -> Option<Entry> {
        self.entries.lock().ok()?.get(url).cloned()
    }

    fn store(&self, url: &str, cert: Arc<SigningCert>, pinned: bool) {
        if let Ok(mut map) = self.entries.lock() {
            if map.len() >= MAX_ENTRIES {
                map.retain(|_, e| e.pinned);
            }
            map.insert(url.to_owned(), Entry { cert, pinned });
        }
    }

    /// Pins a certificate for `url` without fetching it (offline installs, tests). The URL
    /// must still pass the host allow-list when used; a pinned certificate is never
    /// re-fetched, even once it has expired.
    pub fn pin(&self, url: &str, pem: &[u8]) -> Result<(), PaypalError> {
        let cert = SigningCert::from_pem(pem)?;
        self.store(url, Arc::new(cert), true);
        Ok(())
    }

    /// Number of cached certificates.
    pub fn len(&self) -> usize {
        self.entries.lock().map(|m| m.len()).unwrap_or(0)
    }

    /// True when nothing is cached.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The key of the certificate at `url`, valid at `now`:
    /// - a URL outside the allow-list is refused before any request is made;
    /// - a cached certificate is used without a request while it is valid; an expired one
    ///   is fetched again once (PayPal may have replaced it), unless it was pinned;
    /// - a fetch failure is [`PaypalError::CertFetch`] (the platform should retry).
    pub async fn key_for(
        &self,
        url: &str,
        now: DateTime<Utc>,
    ) -> Result<Arc<SigningCert>, PaypalError> {
        let checked = check_cert_url(url, &self.hosts).map_err(PaypalError::CertUrl)?;
        let cert = match self.cached(url) {
            Some(e) if e.pinned || e.cert.valid_at(now) => e.cert,
            _ => {
                let pem = self.fetch(checked).await?;
                let cert = Arc::new(SigningCert::from_pem(&pem)?);
                self.store(url, cert.clone(), false);
                cert
            }
        };
        if cert.valid_at(now) {
            Ok(cert)
        } else {
            Err(PaypalError::CertExpired)
        }
    }

    async fn fetch(&self, url: url::Url) -> Result<Vec<u8>, PaypalError> {
        let fail = |e: reqwest::Error| PaypalError::CertFetch(e.without_url().to_string());
        let mut resp = self.http.get(url).send().await.map_err(fail)?;
        if !resp.status().is_success() {
            return Err(PaypalError::CertFetch(format!(
                "answered {}",
                resp.status()
            )));
        }
        let mut body = Vec::new();
        while let Some(chunk) = resp.chunk().await.map_err(fail)? {
            if body.len() + chunk.len() > MAX_CERT_BYTES {
                return Err(PaypalError::CertFetch(
                    "certificate document too large".into(),
                ));
            }
            body.extend_from_slice(&chunk);
        }
        Ok(body)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    const CERT: &[u8] = include_bytes!("../fixtures/keys/fixture_signing_cert.pem");
    const EXPIRED: &[u8] = include_bytes!("../fixtures/keys/expired_cert.pem");

    #[test]
    fn parses_the_fixture_cert_and_its_validity() {
        let c = SigningCert::from_pem(CERT).unwrap();
        assert!(c.valid_at(Utc.with_ymd_and_hms(2026, 3, 1, 0, 0, 0).unwrap()));
        assert!(!c.valid_at(Utc.with_ymd_and_hms(2023, 12, 31, 0, 0, 0).unwrap()));
        assert!(!c.valid_at(Utc.with_ymd_and_hms(2046, 1, 1, 0, 0, 0).unwrap()));
        let e = SigningCert::from_pem(EXPIRED).unwrap();
        assert!(!e.valid_at(Utc.with_ymd_and_hms(2026, 3, 1, 0, 0, 0).unwrap()));
    }

    #[test]
    fn garbage_is_unusable_not_a_panic() {
        for bad in [
            &b""[..],
            b"-----BEGIN CERTIFICATE-----",
            b"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
            &CERT[..CERT.len() / 2],
        ] {
            assert_eq!(SigningCert::from_pem(bad), Err(PaypalError::CertUnusable));
        }
    }
}
