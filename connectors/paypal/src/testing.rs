//! The conformance harness: the fixture webhook id, the throwaway signing key and its
//! self-signed certificate, a source that trusts that certificate, the test signer, and
//! a fuzz target body. Used by `tests/`; public so tools can sign requests the same way.
//!
//! The key in `fixtures/keys/` was generated for these fixtures only. Its certificate
//! (CN `messageverificationcerts.invoice-relay.test`) is trusted only by a source that
//! pins it, as [`Harness::source`] does; a source built from configuration never does.

use std::future::Future;
use std::path::PathBuf;
use std::pin::pin;
use std::sync::{Arc, OnceLock};
use std::task::{Context, Poll, Waker};

use chrono::{DateTime, Utc};
use http::HeaderValue;
use invoice_core::{ConnectorInfo, IngestContext, InvoiceSource, Secret, WebhookRequest};
use rsa::pkcs8::DecodePrivateKey;
use rsa::RsaPrivateKey;
use sha2::{Digest, Sha256};

use crate::config::PaypalConfig;
use crate::source::{info, PaypalSource};
use crate::verify::{self, AUTH_ALGO, CERT_URL, HEADER, TRANSMISSION_ID, TRANSMISSION_TIME};

/// The webhook id every REST fixture is signed for (the connector's "secret").
pub const FIXTURE_SECRET: &str = "4JH86294D6297924G";
/// The merchant id IPN fixtures are addressed to.
pub const FIXTURE_RECEIVER_ID: &str = "7QX5N4VGBCK3L";
/// The merchant e-mail IPN fixtures are addressed to.
pub const FIXTURE_RECEIVER_EMAIL: &str = "billing@brightline-anodizing.example";
/// The certificate URL REST fixtures name (pinned by the harness, never fetched).
pub const FIXTURE_CERT_URL: &str =
    "https://api.sandbox.paypal.com/v1/notifications/certs/CERT-360caa42-fca2a594-7a8abba8";
/// PEM of the throwaway fixture signing key (PKCS#8).
pub const FIXTURE_KEY_PEM: &str = include_str!("../fixtures/keys/fixture_signing_key.pem");
/// PEM of its self-signed certificate (valid 2024-01-01 to 2045-12-31).
pub const FIXTURE_CERT_PEM: &str = include_str!("../fixtures/keys/fixture_signing_cert.pem");

/// The fixture signing key.
pub fn fixture_key() -> &'static RsaPrivateKey {
    static KEY: OnceLock<RsaPrivateKey> = OnceLock::new();
    KEY.get_or_init(|| match RsaPrivateKey::from_pkcs8_pem(FIXTURE_KEY_PEM) {
        Ok(k) => k,
        Err(e) => panic!("fixture key: {e}"),
    })
}

/// A transmission id derived from the body, for requests that have none yet.
fn derived_transmission_id(body: &[u8]) -> String {
    let h = hex::encode(&Sha256::digest(body)[..16]);
    format!(
        "{}-{}-{}-{}-{}",
        &h[..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    )
}

/// Signs `request` as PayPal would at `at` for the webhook id `secret`, with the fixture
/// key: sets `PAYPAL-TRANSMISSION-TIME`, `PAYPAL-AUTH-ALGO` and `PAYPAL-TRANSMISSION-SIG`,
/// keeps an existing transmission id and certificate URL (else derives / uses
/// [`FIXTURE_CERT_URL`]).
pub fn sign(request: &mut WebhookRequest, secret: &Secret, at: DateTime<Utc>) {
    sign_with(fixture_key(), request, secret, at)
}

/// [`sign`] with another key (negative tests).
pub fn sign_with(
    key: &RsaPrivateKey,
    request: &mut WebhookRequest,
    secret: &Secret,
    at: DateTime<Utc>,
) {
    let time = at.format("%Y-%m-%dT%H:%M:%SZ").to_string();
    let tid = request
        .headers()
        .get(TRANSMISSION_ID)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
        .unwrap_or_else(|| derived_transmission_id(request.body()));
    let webhook_id = secret.expose_str().unwrap_or_default();
    let Ok(sig) = verify::sign(key, &tid, &time, webhook_id, request.body()) else {
        return;
    };
    let headers = request.headers_mut();
    if !headers.contains_key(CERT_URL) {
        headers.insert(CERT_URL, HeaderValue::from_static(FIXTURE_CERT_URL));
    }
    let set = |h: &mut http::HeaderMap, name: &'static str, v: &str| {
        if let Ok(v) = HeaderValue::from_str(v) {
            h.insert(name, v);
        }
    };
    set(headers, TRANSMISSION_ID, &tid);
    set(headers, TRANSMISSION_TIME, &time);
    set(headers, AUTH_ALGO, verify::SHA256_WITH_RSA);
    set(headers, HEADER, &sig);
}

/// The harness the conformance kit drives.
#[derive(Debug, Default, Clone, Copy)]
pub struct Harness;

impl Harness {
    /// The fixtures folder of this crate.
    pub fn fixtures() -> PathBuf {
        PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures"))
    }

    /// Capabilities.
    pub fn info() -> ConnectorInfo {
        info()
    }

    /// The fixture configuration with `secrets` as webhook ids.
    pub fn config(secrets: Vec<Secret>) -> PaypalConfig {
        let mut config = PaypalConfig::with_webhook_id(FIXTURE_SECRET);
        config.secrets = secrets;
        config.receiver_ids = vec![FIXTURE_RECEIVER_ID.to_owned()];
        config.receiver_emails = vec![FIXTURE_RECEIVER_EMAIL.to_owned()];
        config
    }

    /// A source with `secrets` as webhook ids that trusts the fixture certificate at
    /// [`FIXTURE_CERT_URL`].
    pub fn source(secrets: Vec<Secret>) -> Arc<dyn InvoiceSource> {
        Arc::new(Self::paypal_source(secrets))
    }

    /// [`Harness::source`] as its concrete type.
    pub fn paypal_source(secrets: Vec<Secret>) -> PaypalSource {
        let source = match PaypalSource::new(Self::config(secrets)) {
            Ok(s) => s,
            Err(e) => panic!("test source: {e}"),
        };
        if let Err(e) = source
            .certificates()
            .pin(FIXTURE_CERT_URL, FIXTURE_CERT_PEM.as_bytes())
        {
            panic!("fixture certificate: {e}");
        }
        source
    }
}

/// Polls a future that needs no I/O to completion (gives up after a bounded number of
/// polls rather than block).
fn run_ready<F: Future>(f: F) -> Option<F::Output> {
    let mut f = pin!(f);
    let mut cx = Context::from_waker(Waker::noop());
    for _ in 0..64 {
        if let Poll::Ready(v) = f.as_mut().poll(&mut cx) {
            return Some(v);
        }
    }
    None
}

/// Fuzz target body: `data` is `Name: value` header lines, a blank line, then the body.
/// Runs verification and parsing on both channels and never panics. The certificate URL
/// is forced to the pinned fixture URL, so no request ever leaves the process.
pub fn fuzz_ingest(data: &[u8]) {
    static SOURCE: OnceLock<PaypalSource> = OnceLock::new();
    let source = SOURCE.get_or_init(|| Harness::paypal_source(vec![Secret::new(FIXTURE_SECRET)]));
    let split = data
        .windows(2)
        .position(|w| w == b"\n\n")
        .map(|i| (i, i + 2))
        .unwrap_or((data.len(), data.len()));
    let (head, body) = (&data[..split.0], &data[split.1..]);
    let mut builder = http::Request::builder()
        .method("POST")
        .uri("/webhooks/paypal");
    for line in head.split(|b| *b == b'\n') {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        let Some(colon) = line.iter().position(|b| *b == b':') else {
            continue;
        };
        let (name, value) = (&line[..colon], line[colon + 1..].trim_ascii());
        if let (Ok(n), Ok(v)) = (
            http::HeaderName::from_bytes(name),
            HeaderValue::from_bytes(value),
        ) {
            builder = builder.header(n, v);
        }
    }
    let Ok(mut request) = builder.body(bytes::Bytes::copy_from_slice(body)) else {
        return;
    };
    request
        .headers_mut()
        .insert(CERT_URL, HeaderValue::from_static(FIXTURE_CERT_URL));
    let now = chrono::TimeZone::timestamp_opt(&Utc, 1_773_482_400, 0)
        .single()
        .unwrap_or_default();
    if let Some(reference) = run_ready(source.ingest(&request, &IngestContext::at(now)))
        .and_then(Result::ok)
        .and_then(|i| i.pending.into_iter().next())
    {
        if let Some(raw) = &reference.raw {
            let msg = crate::ipn::IpnMessage::decode(raw);
            let _ = crate::mapping::ipn::map_verified(&msg, &reference);
        }
    }
}
