//! Beyond the kit: the URL-token rules (the kit cannot see a token in the URI), namespace
//! handling and XML safety of both readers, configuration, and no panics on any input.
#![allow(clippy::unwrap_used)] // tests: a panic is the failure report

use bytes::Bytes;
use chrono::{TimeZone, Utc};
use invoice_connector_sage_intacct::api::parse_answer;
use invoice_connector_sage_intacct::payload::EVENT_NS;
use invoice_connector_sage_intacct::smart_event::{parse, BodyForm};
use invoice_connector_sage_intacct::testing::{fuzz_ingest, sign, Harness, FIXTURE_SECRET};
use invoice_connector_sage_intacct::xml::{self, MAX_DEPTH};
use invoice_core::testing::fixture::load_dir;
use invoice_core::{ErrorKind, IngestContext, Platform, Secret, TenantId};
use proptest::prelude::*;

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap()
}

#[test]
fn fixture_tokens_are_the_signers() {
    for f in load_dir(&Harness::fixtures()).unwrap() {
        if !f.expect.signed {
            continue;
        }
        let mut again = f.request.clone();
        sign(&mut again, &Secret::new(FIXTURE_SECRET), f.expect.now);
        assert_eq!(again.uri(), f.request.uri(), "{}", f.name);
    }
}

#[test]
fn token_rules_on_real_posts() {
    let f = load_dir(&Harness::fixtures())
        .unwrap()
        .into_iter()
        .find(|f| f.name.starts_with("01_"))
        .unwrap();
    let s = Harness::source(vec![Secret::new(FIXTURE_SECRET)]);
    let mut ctx = IngestContext::at(f.expect.now);
    ctx.route_tenant = Some(TenantId::from("brightline-anodizing"));
    let rt = rt();
    let mut no_token = f.request.clone();
    *no_token.uri_mut() = "/webhooks/sage-intacct/brightline-anodizing"
        .parse()
        .unwrap();
    let e = rt.block_on(s.ingest(&no_token, &ctx)).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::BadSignature);
    // The relay verified a path token: accepted without a query token.
    ctx.url_token_verified = true;
    assert_eq!(
        rt.block_on(s.ingest(&no_token, &ctx))
            .unwrap()
            .pending
            .len(),
        1
    );
    // Every single-character change of the token is refused.
    let token = FIXTURE_SECRET.as_bytes();
    ctx.url_token_verified = false;
    for i in 0..token.len() {
        let mut t = token.to_vec();
        t[i] = if t[i] == b'x' { b'y' } else { b'x' };
        let mut req = f.request.clone();
        let uri = format!(
            "/webhooks/sage-intacct/brightline-anodizing?token={}",
            String::from_utf8(t).unwrap()
        );
        *req.uri_mut() = uri.parse().unwrap();
        assert!(
            rt.block_on(s.ingest(&req, &ctx))
                .is_err_and(|e| e.kind().is_auth()),
            "char {i}"
        );
    }
    // The token is checked before the body: a garbage body with a bad token is 401.
    let mut garbage = http::Request::builder()
        .method("POST")
        .uri("/webhooks/sage-intacct/brightline-anodizing?token=nope")
        .body(Bytes::from_static(b"\xff\xfe<<<"))
        .unwrap();
    garbage
        .headers_mut()
        .insert("content-type", "text/xml".parse().unwrap());
    assert_eq!(
        rt.block_on(s.ingest(&garbage, &ctx)).unwrap_err().kind(),
        ErrorKind::BadSignature
    );
}

#[test]
fn route_and_body_companies_must_agree() {
    let f = load_dir(&Harness::fixtures())
        .unwrap()
        .into_iter()
        .find(|f| f.name.starts_with("03_"))
        .unwrap();
    let s = Harness::source(vec![Secret::new(FIXTURE_SECRET)]);
    let mut ctx = IngestContext::at(f.expect.now);
    ctx.route_tenant = Some(TenantId::from("brightline-anodizing"));
    let e = rt().block_on(s.ingest(&f.request, &ctx)).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::UnknownTenant);
}

#[test]
fn smart_event_xml_namespaces() {
    let body = |root: &str| {
        format!(
            "<{root}><ir:object>ARINVOICE</ir:object><ir:recordno>7</ir:recordno></{}>",
            root.split_whitespace().next().unwrap()
        )
    };
    for (root, ok) in [
        (format!("ir:smartEvent xmlns:ir=\"{EVENT_NS}\""), true),
        (
            format!("x:smartEvent xmlns:x=\"{EVENT_NS}\" xmlns:ir=\"{EVENT_NS}\""),
            true,
        ),
        ("ir:smartEvent xmlns:ir=\"urn:other\"".to_owned(), false),
    ] {
        let r = parse(BodyForm::Xml, body(&root).as_bytes());
        assert_eq!(r.is_ok(), ok, "{root}: {r:?}");
    }
    // Children in no namespace under a prefixed root are other elements.
    let unqualified = format!("<ir:smartEvent xmlns:ir=\"{EVENT_NS}\"><object>ARINVOICE</object><recordno>7</recordno></ir:smartEvent>");
    assert!(parse(BodyForm::Xml, unqualified.as_bytes()).is_err());
}

#[test]
fn entity_bomb_and_external_entities_are_refused_by_both_readers() {
    let bomb = "<?xml version=\"1.0\"?><!DOCTYPE response [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\"><!ENTITY c \"&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;\">]><response>&c;</response>";
    assert!(xml::parse(bomb.as_bytes())
        .unwrap_err()
        .0
        .contains("DOCTYPE"));
    assert!(parse_answer(bomb.as_bytes()).is_err());
    let xxe = format!("<!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]><smartEvent xmlns=\"{EVENT_NS}\"><object>&e;</object></smartEvent>");
    assert!(parse(BodyForm::Xml, xxe.as_bytes()).is_err());
    assert!(xml::parse(b"<r>&undeclared;</r>").is_err());
    let deep = format!(
        "{}{}",
        "<a>".repeat(MAX_DEPTH + 1),
        "</a>".repeat(MAX_DEPTH + 1)
    );
    assert!(xml::parse(deep.as_bytes())
        .unwrap_err()
        .0
        .contains("deeper"));
    assert!(xml::parse(b"<a/><b/>").is_err());
    assert!(xml::parse(b"<a><b></a>").is_err());
}

#[test]
fn unfilled_injections_and_bad_recordnos_are_malformed() {
    for body in [
        r#"{"object":"ARINVOICE","recordno":"{!ARINVOICE.RECORDNO!}"}"#,
        r#"{"object":"ARINVOICE","recordno":"12a"}"#,
        r#"{"object":"ARINVOICE"}"#,
        r#"{"recordno":"12"}"#,
        "object=ARINVOICE&recordno=123456789012345678901",
    ] {
        let form = if body.starts_with('{') {
            BodyForm::Json
        } else {
            BodyForm::Form
        };
        assert!(parse(form, body.as_bytes()).is_err(), "{body}");
    }
    let ok = parse(BodyForm::Json, br#"{"object":"arinvoice","recordno":3086}"#).unwrap();
    assert_eq!(
        (ok.object.as_str(), ok.record_no.as_str()),
        ("ARINVOICE", "3086")
    );
}

#[test]
fn config_refuses_unknown_keys_and_weak_tokens() {
    let mut reg = invoice_core::registry::ConnectorRegistry::new();
    invoice_connector_sage_intacct::register(&mut reg);
    let ok = serde_json::json!({"company_ids": ["acme"]});
    let c = reg.build(Platform::SageIntacct, &ok).unwrap();
    assert!(c.enricher.is_none(), "no API credentials: references wait");
    assert!(c.source.info().thin);
    for bad in [
        serde_json::json!({"company_ids": ["acme"], "tokens": []}),
        serde_json::json!({"company_ids": []}),
        serde_json::json!({"company_ids": ["acme"], "secrets": ["short"]}),
        serde_json::json!({"company_ids": ["acme"], "secrets": ["has space in it 0123456"]}),
        serde_json::json!({"company_ids": ["acme"], "endpoint": "not a url"}),
    ] {
        assert!(reg.build(Platform::SageIntacct, &bad).is_err(), "{bad}");
    }
}

fn ingest_bytes(uri: &str, ct: &str, body: Vec<u8>, verified: bool) {
    let s = Harness::source(vec![Secret::new(FIXTURE_SECRET)]);
    let Ok(mut req) = http::Request::builder()
        .method("POST")
        .uri(uri)
        .body(Bytes::from(body))
    else {
        return;
    };
    if let Ok(v) = http::HeaderValue::from_str(ct) {
        req.headers_mut().insert("content-type", v);
    }
    let mut ctx = IngestContext::at(Utc.timestamp_opt(1_768_442_400, 0).unwrap());
    ctx.url_token_verified = verified;
    let _ = rt().block_on(s.ingest(&req, &ctx));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn arbitrary_bodies_never_panic(
        body in proptest::collection::vec(any::<u8>(), 0..2048),
        ct in prop_oneof![Just("application/json".to_owned()), Just("text/xml".to_owned()),
                          Just("application/x-www-form-urlencoded".to_owned()), ".{0,20}"],
        verified in any::<bool>(),
    ) {
        ingest_bytes(&format!("/webhooks/sage-intacct/kansai-plating?token={FIXTURE_SECRET}"), &ct, body, verified);
    }

    #[test]
    fn arbitrary_api_answers_never_panic(body in proptest::collection::vec(any::<u8>(), 0..2048)) {
        let _ = parse_answer(&body);
    }

    #[test]
    fn fuzz_target_never_panics(data in proptest::collection::vec(any::<u8>(), 0..2048)) {
        fuzz_ingest(&data);
    }
}
