//! The key check in each registration mode (the kit's signature cases do not apply: a
//! Dataverse key is a shared secret, not a signature): missing, wrong, tampered in any
//! byte, in the wrong place, and rotation, for WebhookKey (`?code=`), HttpHeader and
//! HttpQueryString.

#![allow(clippy::unwrap_used)] // tests may unwrap (see the workspace lints)

use chrono::{DateTime, TimeZone, Utc};
use invoice_connector_dynamics365::testing::{fixture_config, FIXTURE_ORG, FIXTURE_SECRET};
use invoice_connector_dynamics365::verify::{sign, KeyLocation};
use invoice_connector_dynamics365::{AuthMode, Dynamics365Config, Dynamics365Source};
use invoice_core::reexports::bytes::Bytes;
use invoice_core::testing::fixture::load_dir;
use invoice_core::{
    ErrorKind, IngestContext, InvoiceSource, Secret, SignatureScheme, TenantId, WebhookRequest,
};

const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures");

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap()
}

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 1, 15, 10, 0, 3).unwrap()
}

/// Fixture 02's body (a paid invoice), without its key.
fn paid_body() -> Bytes {
    let f = load_dir(std::path::Path::new(DIR))
        .unwrap()
        .into_iter()
        .find(|f| f.name.starts_with("02_"))
        .unwrap();
    f.request.body().clone()
}

fn config(auth: AuthMode, name: Option<&str>, secrets: &[&str]) -> Dynamics365Config {
    let mut c = fixture_config(secrets.iter().map(|s| Secret::new(*s)).collect());
    c.auth = auth;
    c.key_name = name.map(str::to_owned);
    c
}

fn request(uri: &str) -> WebhookRequest {
    http::Request::builder()
        .method("POST")
        .uri(uri)
        .header("content-type", "application/json")
        .body(paid_body())
        .unwrap()
}

fn run(c: &Dynamics365Config, req: &WebhookRequest) -> Result<usize, ErrorKind> {
    let s = Dynamics365Source::new(c.clone()).unwrap();
    rt().block_on(s.ingest(req, &IngestContext::at(now())))
        .map(|i| i.events.len())
        .map_err(|e| e.kind())
}

fn location(c: &Dynamics365Config) -> KeyLocation {
    KeyLocation {
        mode: c.auth,
        name: c.key_location(),
    }
}

fn modes() -> Vec<Dynamics365Config> {
    vec![
        config(AuthMode::WebhookKey, None, &[FIXTURE_SECRET]),
        config(AuthMode::HttpHeader, None, &[FIXTURE_SECRET]),
        config(
            AuthMode::HttpHeader,
            Some("X-Dataverse-Key"),
            &[FIXTURE_SECRET],
        ),
        config(AuthMode::HttpQueryString, None, &[FIXTURE_SECRET]),
        config(
            AuthMode::HttpQueryString,
            Some("relay_key"),
            &[FIXTURE_SECRET],
        ),
    ]
}

#[test]
fn each_mode_accepts_its_key_and_refuses_a_missing_one() {
    for c in modes() {
        let mut req = request("/webhooks/dynamics365");
        assert_eq!(run(&c, &req), Err(ErrorKind::BadSignature), "{:?}", c.auth);
        sign(&mut req, &location(&c), &Secret::new(FIXTURE_SECRET));
        assert_eq!(run(&c, &req), Ok(1), "{:?}", c.auth);
    }
}

#[test]
fn every_single_byte_change_of_the_key_is_refused() {
    for c in modes() {
        let key = FIXTURE_SECRET.as_bytes();
        for i in 0..key.len() {
            let mut k = key.to_vec();
            k[i] ^= 0x01;
            let mut req = request("/webhooks/dynamics365");
            sign(&mut req, &location(&c), &Secret::new(k));
            assert_eq!(
                run(&c, &req),
                Err(ErrorKind::BadSignature),
                "{:?} byte {i}",
                c.auth
            );
        }
        // Truncated and extended keys too.
        for k in [
            &FIXTURE_SECRET[..FIXTURE_SECRET.len() - 1],
            &format!("{FIXTURE_SECRET}x"),
        ] {
            let mut req = request("/webhooks/dynamics365");
            sign(&mut req, &location(&c), &Secret::new(k));
            assert_eq!(run(&c, &req), Err(ErrorKind::BadSignature));
        }
    }
}

#[test]
fn a_key_in_another_place_does_not_count() {
    let code = config(AuthMode::WebhookKey, None, &[FIXTURE_SECRET]);
    let header = config(AuthMode::HttpHeader, None, &[FIXTURE_SECRET]);
    let mut in_header = request("/webhooks/dynamics365");
    sign(
        &mut in_header,
        &location(&header),
        &Secret::new(FIXTURE_SECRET),
    );
    assert_eq!(run(&code, &in_header), Err(ErrorKind::BadSignature));
    let mut in_query = request("/webhooks/dynamics365");
    sign(
        &mut in_query,
        &location(&code),
        &Secret::new(FIXTURE_SECRET),
    );
    assert_eq!(run(&header, &in_query), Err(ErrorKind::BadSignature));
    // `?key=` is not `?code=`.
    let query = config(AuthMode::HttpQueryString, None, &[FIXTURE_SECRET]);
    assert_eq!(run(&query, &in_query), Err(ErrorKind::BadSignature));
}

#[test]
fn rotation_accepts_old_and_new_keys_and_forgets_retired_ones() {
    for auth in [
        AuthMode::WebhookKey,
        AuthMode::HttpHeader,
        AuthMode::HttpQueryString,
    ] {
        let both = config(auth, None, &["old-key-0001", "new-key-0002"]);
        let new_only = config(auth, None, &["new-key-0002"]);
        for (key, ok_both, ok_new) in [
            ("old-key-0001", true, false),
            ("new-key-0002", true, true),
            ("other-key-03", false, false),
        ] {
            let mut req = request("/webhooks/dynamics365");
            sign(&mut req, &location(&both), &Secret::new(key));
            assert_eq!(run(&both, &req).is_ok(), ok_both, "{auth:?} {key}");
            assert_eq!(run(&new_only, &req).is_ok(), ok_new, "{auth:?} {key}");
        }
    }
}

#[test]
fn percent_encoded_keys_with_reserved_characters_verify() {
    let key = "Zm9v/YmFy+cXV4==";
    let c = config(AuthMode::WebhookKey, None, &[key]);
    let mut req = request("/webhooks/dynamics365");
    sign(&mut req, &location(&c), &Secret::new(key));
    assert!(req.uri().query().unwrap().contains("%2F"));
    assert_eq!(run(&c, &req), Ok(1));
    // Sent without encoding (an unreserved `/` and `=`), the raw value still matches.
    let raw = request("/webhooks/dynamics365?code=Zm9v/YmFy=cXV4==");
    let c2 = config(AuthMode::WebhookKey, None, &["Zm9v/YmFy=cXV4=="]);
    assert_eq!(run(&c2, &raw), Ok(1));
}

#[test]
fn info_is_honest_about_the_scheme() {
    for c in modes() {
        let s = Dynamics365Source::new(c.clone()).unwrap();
        let info = s.info();
        assert_eq!(info.signature, SignatureScheme::SharedSecret);
        assert!(!info.timestamped);
        assert!(info.rotation);
    }
}

#[test]
fn unknown_organizations_and_mismatched_routes_are_refused() {
    let mut c = config(AuthMode::WebhookKey, None, &[FIXTURE_SECRET]);
    let mut req = request("/webhooks/dynamics365");
    sign(&mut req, &location(&c), &Secret::new(FIXTURE_SECRET));
    c.organizations = vec!["11111111-2222-3333-4444-555555555555".into()];
    assert_eq!(run(&c, &req), Err(ErrorKind::UnknownTenant));
    c.organizations = vec![format!("{{{}}}", FIXTURE_ORG.to_uppercase())];
    assert_eq!(run(&c, &req), Ok(1));
    let s = Dynamics365Source::new(c).unwrap();
    let mut ctx = IngestContext::at(now());
    ctx.route_tenant = Some(TenantId("11111111-2222-3333-4444-555555555555".into()));
    let r = rt().block_on(s.ingest(&req, &ctx));
    assert_eq!(r.unwrap_err().kind(), ErrorKind::UnknownTenant);
}

#[test]
fn config_refuses_unknown_keys_and_bad_values() {
    let bad = [
        r#"{"secrets":["k"],"bogus":1}"#,
        r#"{"secrets":[]}"#,
        r#"{"secrets":[""]}"#,
        r#"{"secrets":["k"],"auth":"signature"}"#,
        r#"{"secrets":["k"],"auth":"webhook_key","key_name":"x"}"#,
        r#"{"secrets":["k"],"auth":"http_header","key_name":"bad header"}"#,
        r#"{"secrets":["k"],"default_currency":"dollars"}"#,
        r#"{"secrets":["k"],"currencies":{"a":"US Dollar"}}"#,
    ];
    for b in bad {
        let v: serde_json::Value = serde_json::from_str(b).unwrap();
        let r = serde_json::from_value::<Dynamics365Config>(v)
            .map_err(|e| e.to_string())
            .and_then(|c| Dynamics365Source::new(c).map_err(|e| e.to_string()));
        assert!(r.is_err(), "{b}");
    }
    let v: serde_json::Value = serde_json::from_str(r#"{"secrets":["k"],"bogus":1}"#).unwrap();
    let e = serde_json::from_value::<Dynamics365Config>(v).unwrap_err();
    assert!(e.to_string().contains("bogus"));
    // Debug output never shows the key.
    let c = config(AuthMode::WebhookKey, None, &[FIXTURE_SECRET]);
    assert!(!format!("{:?}", Dynamics365Source::new(c).unwrap()).contains(FIXTURE_SECRET));
}

/// The kit's computed-signature case compares headers only; a WebhookKey lives in the URL,
/// so this checks that the test signer reproduces every keyed fixture's request target.
#[test]
fn signer_reproduces_every_fixture_url() {
    for f in load_dir(std::path::Path::new(DIR)).unwrap() {
        if !f.expect.signed {
            continue;
        }
        let mut resigned = f.request.clone();
        invoice_connector_dynamics365::testing::sign(
            &mut resigned,
            &Secret::new(FIXTURE_SECRET),
            f.expect.now,
        );
        assert_eq!(resigned.uri(), f.request.uri(), "{}", f.name);
    }
}
