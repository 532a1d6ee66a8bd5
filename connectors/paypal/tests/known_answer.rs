//! Known answer: a real PayPal sandbox webhook signed by PayPal, published in PayPal's
//! Java SDK tests (see `fixtures/vendor/README.md`), verifies with this connector's
//! signed-string format and RSA check, and fails with any other webhook id or clock.

#![allow(clippy::unwrap_used)] // tests unwrap on fixed inputs

use bytes::Bytes;
use chrono::{DateTime, Utc};
use invoice_connector_paypal::verify::{crc32, signed_string};
use invoice_connector_paypal::{PaypalConfig, PaypalSource};
use invoice_core::{ErrorKind, IngestContext, InvoiceSource, WebhookRequest};

const BODY: &[u8] = include_bytes!("../fixtures/vendor/java_sdk_event.json");
const CERT: &[u8] = include_bytes!("../fixtures/vendor/java_sdk_sandbox_cert.pem");
const CERT_URL: &str =
    "https://api.sandbox.paypal.com/v1/notifications/certs/CERT-360caa42-fca2a594-1d93a270";
const WEBHOOK_ID: &str = "0FV983392A0531201";
const SIG: &str = "K7DF5+hOyGS6v0xTZ9PkEO+BFNQmpryxw2hFlXbHgmxpu+883ldEC9HcL6ccEmB8sfy80y/Q3qcZZL1MR8Qi0e1ysylVj/yROgKK6zBsQPoNmgXC8yTiNoAjULuhk5Aoau0Itk3nrkgAfji1zvADlErMFM9VZe2nDvhM3nDMLjCi/K5fRjWp3eGo6Nx17GX/WIEibeKDyS+YdJMex3i+KO4aWmm9zznC/FJ5Y/ntd0MxOJNrM0r0f3y7c3e3sO5pB3oPgN6KzKVS5P6AWHqtS8acD3DjgCKZ1uqKz7q954G1aBz2/m0wRGOFFsv0/D3FE2uIheRRmoQtVSOAX7Aupg==";

fn request() -> WebhookRequest {
    http::Request::builder()
        .method("POST")
        .uri("/webhooks/paypal")
        .header("content-type", "application/json")
        .header("paypal-auth-algo", "SHA256withRSA")
        .header("paypal-cert-url", CERT_URL)
        .header(
            "paypal-transmission-id",
            "afa30d40-ca4a-11e9-ab68-7d4e2605c70c",
        )
        .header("paypal-transmission-time", "2019-08-29T10:49:33Z")
        .header("paypal-transmission-sig", SIG)
        .body(Bytes::from_static(BODY))
        .unwrap()
}

fn source(webhook_id: &str) -> PaypalSource {
    let s = PaypalSource::new(PaypalConfig::with_webhook_id(webhook_id)).unwrap();
    s.certificates().pin(CERT_URL, CERT).unwrap();
    s
}

fn at(t: &str) -> IngestContext {
    IngestContext::at(t.parse::<DateTime<Utc>>().unwrap())
}

#[test]
fn the_signed_string_of_the_vector() {
    assert_eq!(BODY.len(), 3241);
    assert_eq!(crc32(BODY), 3_674_300_368);
    assert_eq!(
        signed_string(
            "afa30d40-ca4a-11e9-ab68-7d4e2605c70c",
            "2019-08-29T10:49:33Z",
            WEBHOOK_ID,
            BODY
        ),
        "afa30d40-ca4a-11e9-ab68-7d4e2605c70c|2019-08-29T10:49:33Z|0FV983392A0531201|3674300368"
    );
}

#[tokio::test]
async fn paypals_own_signature_verifies() {
    let got = source(WEBHOOK_ID)
        .ingest(&request(), &at("2019-08-29T10:49:40Z"))
        .await
        .unwrap();
    // A v1 `PAYMENTS.PAYMENT.CREATED` event: verified, recognised, not mapped.
    assert!(got.events.is_empty());
    assert_eq!(got.skipped.len(), 1);
    assert_eq!(
        got.skipped[0].event_id,
        "WH-7MU294299R542214K-4N1831857K851783H"
    );
    assert_eq!(got.reply.status, 200);
}

#[tokio::test]
async fn another_webhook_id_a_changed_body_or_an_expired_certificate_fail() {
    let kind = |r: Result<invoice_core::Ingested, invoice_core::SourceError>| r.unwrap_err().kind();
    // The Java SDK's own negative case: webhook id "NotToBeFound".
    let r = source("NotToBeFound")
        .ingest(&request(), &at("2019-08-29T10:49:40Z"))
        .await;
    assert_eq!(kind(r), ErrorKind::BadSignature);
    let mut changed = request();
    *changed.body_mut() = Bytes::from(String::from_utf8_lossy(BODY).replace("30.11", "30.12"));
    let r = source(WEBHOOK_ID)
        .ingest(&changed, &at("2019-08-29T10:49:40Z"))
        .await;
    assert_eq!(kind(r), ErrorKind::BadSignature);
    // Today the certificate is outside its validity period.
    let r = source(WEBHOOK_ID)
        .ingest(&request(), &at("2026-03-14T10:00:00Z"))
        .await;
    assert_eq!(kind(r), ErrorKind::BadSignature);
}
