//! Hostile requests against the real `invoice-relay serve` binary, and its logs.
//!
//! One relay (SQLite store, Stripe and Sage Intacct sources, a loopback portal) gets
//! bodies over the limit (with and without `content-length`), invalid UTF-8, truncated
//! bodies on a raw socket, duplicate signature headers, signatures of the wrong length,
//! stale timestamps, unknown platforms and tenants, an XML entity bomb, and good requests.
//! Each answer is checked, the relay must keep serving, and afterwards neither its stderr
//! (at `debug`) nor its stdout, nor `check-config`, contains any configured secret.
//! Needs the binary: `cargo build -p invoice-relay` first.

use std::path::Path;
use std::time::Duration;

use invoice_relay_integration::portal::{FlakyPortal, PORTAL_SECRET};
use invoice_relay_integration::relay_bin::{run_cli, RelayProcess};
use invoice_relay_integration::stripe::{invoice_event, signature, InvoiceEventSpec};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// Distinctive values, so a leak is unmistakable.
const STRIPE_SECRET: &str = "whsec_LEAKCANARYstripe7Q2v9XkR4mT8pZ";
const INTACCT_TOKEN: &str = "si-LEAKCANARYintacct3Fh8Jw1Ns6Yb0";
const ENV_SECRET: &str = "whsec_LEAKCANARYfromenv5Gd2Lq9Vc7Hx";
const MAX_BODY: usize = 16 * 1024;

fn config(dir: &Path, portal_url: &str) -> String {
    format!(
        r#"[server]
listen = "127.0.0.1:0"
max_body_bytes = {MAX_BODY}

[store]
kind = "sqlite"
path = "{db}"

[portal]
url = "{portal_url}"
secret = "{PORTAL_SECRET}"

[delivery]
max_attempts = 20
first_backoff = "50ms"
max_backoff = "200ms"
timeout = "2s"
poll_interval = "50ms"

[sources.stripe]
secrets = ["{STRIPE_SECRET}", "env:BAD_INPUT_ROTATED_SECRET"]

[sources.sage-intacct]
secrets = ["{INTACCT_TOKEN}"]
company_ids = ["brightline-anodizing"]
"#,
        db = dir.join("relay.db").display()
    )
}

fn stripe_body(event_id: &str, invoice: &str) -> String {
    invoice_event(&InvoiceEventSpec {
        event_id,
        event_type: "invoice.finalized",
        invoice_id: invoice,
        total_cents: 98_000,
        paid_cents: 0,
        status: "open",
        created: chrono::Utc::now().timestamp(),
    })
}

async fn post(
    client: &reqwest::Client,
    url: &str,
    headers: &[(&str, String)],
    body: impl Into<reqwest::Body>,
) -> u16 {
    let mut r = client.post(url).body(body);
    for (k, v) in headers {
        r = r.header(*k, v);
    }
    r.send().await.expect("relay answers").status().as_u16()
}

/// Sends raw bytes on a fresh connection and returns whatever comes back (maybe nothing).
async fn raw(addr: std::net::SocketAddr, bytes: &[u8], half_close: bool) -> String {
    let mut s = tokio::net::TcpStream::connect(addr).await.expect("connect");
    s.write_all(bytes).await.expect("write");
    if half_close {
        let _ = s.shutdown().await;
    }
    let mut out = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(15), s.read_to_end(&mut out)).await;
    String::from_utf8_lossy(&out).into_owned()
}

fn smart_event(company: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<smartEvent xmlns="urn:invoice-relay:sage-intacct:smart-event:1">
  <object>ARINVOICE</object>
  <event>Add</event>
  <companyid>{company}</companyid>
  <recordno>3091</recordno>
  <recordid>INV-1047</recordid>
  <state>Posted</state>
  <whenmodified>01/16/2026 09:12:40</whenmodified>
</smartEvent>"#
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_requests_get_the_right_answers_and_no_secret_reaches_the_logs() {
    let dir = tempfile::tempdir().expect("tempdir");
    let portal = FlakyPortal::start(1, Duration::from_secs(3)).await;
    let config_path = dir.path().join("relay.toml");
    std::fs::write(&config_path, config(dir.path(), &portal.url())).expect("config");
    let log = dir.path().join("relay.log");
    let env = [
        ("BAD_INPUT_ROTATED_SECRET", ENV_SECRET),
        ("INVOICE_RELAY_LOG", "debug"),
    ];
    let relay = RelayProcess::start(&config_path, &env, &log).await;
    let base = relay.base();
    let stripe = format!("{base}/webhooks/stripe");
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(20))
        .build()
        .expect("client");
    let json = ("content-type", "application/json".to_owned());
    let now = chrono::Utc::now();

    // A good event, signed with the rotated (env:) secret: applied and delivered.
    let good = stripe_body("evt_http_good", "in_http1");
    let sig = signature(ENV_SECRET, good.as_bytes(), now);
    let s = post(
        &client,
        &stripe,
        &[json.clone(), ("stripe-signature", sig)],
        good.clone(),
    )
    .await;
    assert_eq!(s, 200, "good event");

    // Over the limit, with a content-length and streamed without one: 413.
    let mut big = stripe_body("evt_http_big", "in_http2");
    big.push_str(&" ".repeat(MAX_BODY));
    let sig = signature(STRIPE_SECRET, big.as_bytes(), now);
    let s = post(
        &client,
        &stripe,
        &[json.clone(), ("stripe-signature", sig.clone())],
        big.clone(),
    )
    .await;
    assert_eq!(s, 413, "over the limit");
    let chunks: Vec<Result<Vec<u8>, std::io::Error>> = big
        .as_bytes()
        .chunks(1024)
        .map(|c| Ok(c.to_vec()))
        .collect();
    let stream = reqwest::Body::wrap_stream(futures::stream::iter(chunks));
    let s = post(
        &client,
        &stripe,
        &[json.clone(), ("stripe-signature", sig)],
        stream,
    )
    .await;
    assert_eq!(s, 413, "streamed over the limit");

    // Invalid UTF-8, correctly signed: 400.
    let mut bad = stripe_body("evt_http_utf8", "in_http3").into_bytes();
    bad.splice(20..20, [0xff, 0xfe, 0xfd]);
    let sig = signature(STRIPE_SECRET, &bad, now);
    let s = post(
        &client,
        &stripe,
        &[json.clone(), ("stripe-signature", sig)],
        bad,
    )
    .await;
    assert_eq!(s, 400, "invalid utf-8");

    // Duplicate signature headers, both forged: 401.
    let body = stripe_body("evt_http_dup", "in_http4");
    let t = now.timestamp();
    let forged = format!("t={t},v1={}", "0".repeat(64));
    let s = post(
        &client,
        &stripe,
        &[
            json.clone(),
            ("stripe-signature", forged.clone()),
            ("stripe-signature", forged.replace('0', "a")),
        ],
        body.clone(),
    )
    .await;
    assert_eq!(s, 401, "duplicate forged headers");

    // Signatures of the wrong length, and a stale timestamp: 401.
    for sig in [
        format!("t={t},v1=abc"),
        format!("t={t},v1={}", "f".repeat(4096)),
        "garbage".into(),
    ] {
        let s = post(
            &client,
            &stripe,
            &[json.clone(), ("stripe-signature", sig)],
            body.clone(),
        )
        .await;
        assert_eq!(s, 401, "wrong-length signature");
    }
    let stale = signature(
        STRIPE_SECRET,
        body.as_bytes(),
        now - chrono::Duration::hours(2),
    );
    let s = post(
        &client,
        &stripe,
        &[json.clone(), ("stripe-signature", stale)],
        body.clone(),
    )
    .await;
    assert_eq!(s, 401, "stale timestamp");

    // Unknown platform: 404. Unknown tenant (right token): 403. Wrong token: 401.
    let s = post(
        &client,
        &format!("{base}/webhooks/not-a-platform"),
        std::slice::from_ref(&json),
        "{}",
    )
    .await;
    assert_eq!(s, 404, "unknown platform");
    let xml = ("content-type", "text/xml".to_owned());
    let s = post(
        &client,
        &format!("{base}/webhooks/sage-intacct/evil-co?token={INTACCT_TOKEN}"),
        std::slice::from_ref(&xml),
        smart_event("evil-co"),
    )
    .await;
    assert_eq!(s, 403, "unknown tenant");
    let s = post(
        &client,
        &format!("{base}/webhooks/sage-intacct/brightline-anodizing?token={INTACCT_TOKEN}x"),
        std::slice::from_ref(&xml),
        smart_event("brightline-anodizing"),
    )
    .await;
    assert_eq!(s, 401, "wrong token");

    // An entity bomb with the right token: 400.
    let bomb = format!(
        "<?xml version=\"1.0\"?>\n<!DOCTYPE lolz [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\"><!ENTITY c \"&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;\">]>\n{}",
        smart_event("brightline-anodizing").lines().skip(1).collect::<Vec<_>>().join("\n").replace("INV-1047", "&c;")
    );
    let s = post(
        &client,
        &format!("{base}/webhooks/sage-intacct/brightline-anodizing?token={INTACCT_TOKEN}"),
        std::slice::from_ref(&xml),
        bomb,
    )
    .await;
    assert_eq!(s, 400, "entity bomb");

    // A truncated body (content-length promises more, the sender goes away), a request
    // that is not HTTP, and a header block without an end: the relay keeps serving.
    let partial = stripe_body("evt_http_trunc", "in_http5");
    let head = format!(
        "POST /webhooks/stripe HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\nstripe-signature: {}\r\ncontent-length: {}\r\n\r\n",
        signature(STRIPE_SECRET, partial.as_bytes(), now),
        partial.len()
    );
    let mut bytes = head.into_bytes();
    bytes.extend_from_slice(&partial.as_bytes()[..partial.len() / 2]);
    let answer = raw(relay.addr, &bytes, true).await;
    assert!(
        !answer.starts_with("HTTP/1.1 2"),
        "truncated body acknowledged: {answer}"
    );
    let _ = raw(
        relay.addr,
        b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03garbage",
        true,
    )
    .await;
    let _ = raw(
        relay.addr,
        b"POST /webhooks/stripe HTTP/1.1\r\nx-a: b\r\n",
        true,
    )
    .await;

    // Good requests still work: the Intacct event with its query token, a second Stripe one.
    let s = post(
        &client,
        &format!("{base}/webhooks/sage-intacct/brightline-anodizing?token={INTACCT_TOKEN}"),
        &[xml],
        smart_event("brightline-anodizing"),
    )
    .await;
    assert_eq!(s, 200, "intacct with token");
    let good2 = stripe_body("evt_http_good2", "in_http6");
    let sig = signature(STRIPE_SECRET, good2.as_bytes(), chrono::Utc::now());
    let s = post(&client, &stripe, &[json, ("stripe-signature", sig)], good2).await;
    assert_eq!(s, 200, "still serving");
    assert!(
        portal
            .wait_for(Duration::from_secs(60), |a| a.len() >= 2)
            .await,
        "good events were not delivered"
    );
    let ids: Vec<String> = portal
        .applied()
        .iter()
        .map(|a| a.platform_event_id.clone())
        .collect();
    assert!(
        ids.contains(&"evt_http_good".to_owned()) && ids.contains(&"evt_http_good2".to_owned()),
        "{ids:?}"
    );

    assert_eq!(
        relay.terminate().await,
        Some(0),
        "relay did not stop cleanly"
    );
    let (code, out, err) = run_cli(&config_path, &env, &["check-config"]).await;
    let (_, audit_out, audit_err) = run_cli(&config_path, &env, &["audit", "verify"]).await;
    let logs = std::fs::read_to_string(&log).expect("log");
    assert!(
        logs.contains("webhook") || logs.contains("listening"),
        "the log is empty: {logs}"
    );
    for secret in [STRIPE_SECRET, INTACCT_TOKEN, ENV_SECRET, PORTAL_SECRET] {
        for (what, text) in [
            ("relay stderr", &logs),
            ("check-config stdout", &out),
            ("check-config stderr", &err),
            ("audit verify", &audit_out),
            ("audit verify stderr", &audit_err),
        ] {
            assert!(
                !text.contains(secret),
                "{what} contains a configured secret"
            );
            // The distinctive middle of each value, in case it was re-encoded or cut.
            let core = &secret[secret.len() / 4..secret.len() * 3 / 4];
            assert!(
                !text.contains(core),
                "{what} contains part of a configured secret"
            );
        }
    }
    assert_eq!(code, 0, "check-config: {out}{err}");
}
