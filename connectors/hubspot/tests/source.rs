//! Which URI v3 signs, and the portal allow-list.

#![allow(clippy::unwrap_used)] // tests: a panic is the failure report

use chrono::{TimeZone, Utc};
use invoice_connector_hubspot::testing::{sign, Harness, FIXTURE_PUBLIC_BASE, FIXTURE_SECRET};
use invoice_connector_hubspot::verify::sign_v3;
use invoice_connector_hubspot::HubspotSource;
use invoice_core::{IngestContext, InvoiceSource, Secret};

const BODY: &[u8] = br#"[{"eventId":7,"portalId":62515,"occurredAt":1768471195407,"subscriptionType":"object.propertyChange","objectId":398732101,"objectTypeId":"0-53","propertyName":"hs_invoice_status","propertyValue":"paid"}]"#;

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap()
}

fn req(uri: &str) -> http::Request<bytes::Bytes> {
    http::Request::builder()
        .method("POST")
        .uri(uri)
        .body(bytes::Bytes::from_static(BODY))
        .unwrap()
}

#[test]
fn relay_public_url_takes_precedence_and_query_is_signed() {
    let now = Utc.timestamp_millis_opt(1_768_471_196_000).unwrap();
    let source = Harness::source(vec![Secret::new(FIXTURE_SECRET)]);
    let public = "https://hooks.example.org/in/hubspot?src=app%3A1";
    let mut r = req("/webhooks/hubspot?src=app%3A1");
    let sig = sign_v3(
        &Secret::new(FIXTURE_SECRET),
        "POST",
        public,
        BODY,
        now.timestamp_millis(),
    );
    r.headers_mut()
        .insert("x-hubspot-signature-v3", sig.parse().unwrap());
    r.headers_mut().insert(
        "x-hubspot-request-timestamp",
        now.timestamp_millis().to_string().parse().unwrap(),
    );
    // From public_base_url the URI would be relay.example.com: refused.
    assert!(rt()
        .block_on(source.ingest(&r, &IngestContext::at(now)))
        .is_err());
    let mut ctx = IngestContext::at(now);
    ctx.public_url = Some(public.to_owned());
    assert_eq!(
        rt().block_on(source.ingest(&r, &ctx)).unwrap().events.len(),
        1
    );
}

#[test]
fn fixture_signer_uses_the_public_base() {
    let now = Utc.timestamp_millis_opt(1_768_471_196_000).unwrap();
    let mut r = req("/webhooks/hubspot");
    sign(&mut r, &Secret::new(FIXTURE_SECRET), now);
    let expected = sign_v3(
        &Secret::new(FIXTURE_SECRET),
        "POST",
        &format!("{FIXTURE_PUBLIC_BASE}/webhooks/hubspot"),
        BODY,
        now.timestamp_millis(),
    );
    assert_eq!(
        r.headers().get("x-hubspot-signature-v3").unwrap(),
        expected.as_str()
    );
}

#[test]
fn portals_outside_the_allow_list_are_refused() {
    let now = Utc.timestamp_millis_opt(1_768_471_196_000).unwrap();
    let mut config = Harness::config(vec![Secret::new(FIXTURE_SECRET)]);
    config.portal_ids = vec![1];
    let source = HubspotSource::new(config).unwrap();
    let mut r = req("/webhooks/hubspot");
    sign(&mut r, &Secret::new(FIXTURE_SECRET), now);
    let err = rt()
        .block_on(source.ingest(&r, &IngestContext::at(now)))
        .unwrap_err();
    assert_eq!(err.kind().as_str(), "unknown_tenant");
}
