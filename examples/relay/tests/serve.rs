//! The real binary, a config file, signed webhooks over HTTP, a loopback portal.
#![allow(clippy::unwrap_used)]

mod common;

use common::*;

async fn started(
    max_body: usize,
) -> (
    tempfile::TempDir,
    Recorder,
    RelayProcess,
    std::path::PathBuf,
) {
    let dir = tempfile::tempdir().unwrap();
    let portal = Recorder::start().await;
    let cfg = dir.path().join("relay.toml");
    std::fs::write(&cfg, config(dir.path(), &portal.url(), max_body)).unwrap();
    let relay = RelayProcess::start(&cfg, dir.path().join("relay.log")).await;
    (dir, portal, relay, cfg)
}

#[tokio::test(flavor = "multi_thread")]
async fn signed_webhooks_reach_the_portal_with_the_right_statuses() {
    let (_dir, portal, relay, _cfg) = started(1 << 20).await;
    let client = reqwest::Client::new();
    let base = relay.base();
    let steps = [
        ("evt_s1", "invoice.finalized", 0, "open"),
        ("evt_s2", "invoice.payment_succeeded", 150_000, "open"),
        ("evt_s3", "invoice.paid", 425_000, "paid"),
    ];
    for (id, ty, paid, st) in steps {
        let body = stripe_invoice_event(id, ty, "in_status1", 425_000, paid, st);
        let (status, text) = post_stripe(&client, &base, STRIPE_SECRET, body).await;
        assert_eq!(status, 200, "{id}: {text}");
    }
    // The same event again: acknowledged, deduplicated, not delivered twice.
    let again = stripe_invoice_event(
        "evt_s1",
        "invoice.finalized",
        "in_status1",
        425_000,
        0,
        "open",
    );
    assert_eq!(
        post_stripe(&client, &base, STRIPE_SECRET, again).await.0,
        200
    );

    let got = portal.wait_for("three updates", |d| d.len() >= 3).await;
    let statuses: Vec<&str> = got.iter().map(|d| d.status.as_str()).collect();
    assert_eq!(statuses, ["open", "partially_paid", "paid"]);
    let seqs: Vec<u64> = got.iter().map(|d| d.sequence).collect();
    assert!(seqs.windows(2).all(|w| w[0] < w[1]), "{seqs:?}");
    assert!(got.iter().all(|d| d.subject == "stripe:default:in_status1"));
    assert_eq!(got[0].event_type, "invoice.issued");

    let metrics = client.get(format!("{base}/metrics")).send().await.unwrap();
    assert_eq!(metrics.status(), 200);
    let text = metrics.text().await.unwrap();
    assert!(
        text.contains("invoice_relay_webhooks_received_total{platform=\"stripe\"} 4"),
        "{text}"
    );
    assert!(
        text.contains("invoice_relay_events_deduplicated_total{platform=\"stripe\"} 1"),
        "{text}"
    );
    assert!(
        text.contains("invoice_relay_delivery_duration_seconds_count"),
        "{text}"
    );

    let health: serde_json::Value = client
        .get(format!("{base}/healthz"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(health["clock"]["mode"], "system");
    assert_eq!(health["sources"][0], "stripe");
    assert_eq!(
        client
            .get(format!("{base}/readyz"))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    assert_eq!(portal.bad_signatures(), 0);
    relay.sigterm();
    assert_eq!(relay.wait().await, Some(0));
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_signature_is_401_and_nothing_is_applied() {
    let (_dir, portal, relay, _cfg) = started(1 << 20).await;
    let client = reqwest::Client::new();
    let base = relay.base();
    let forged = stripe_invoice_event(
        "evt_forged",
        "invoice.paid",
        "in_forged",
        1000,
        1000,
        "paid",
    );
    let (status, text) = post_stripe(&client, &base, "whsec_not_the_secret", forged).await;
    assert_eq!(status, 401, "{text}");
    assert!(text.contains("bad_signature"), "{text}");

    let unsigned = client
        .post(format!("{base}/webhooks/stripe"))
        .body(stripe_invoice_event(
            "evt_u",
            "invoice.paid",
            "in_forged",
            1000,
            1000,
            "paid",
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(unsigned.status(), 401);

    // A genuine event afterwards is delivered; the forged invoice never is.
    let real = stripe_invoice_event("evt_real", "invoice.finalized", "in_real", 1000, 0, "open");
    assert_eq!(
        post_stripe(&client, &base, STRIPE_SECRET, real).await.0,
        200
    );
    let got = portal
        .wait_for("the genuine update", |d| {
            d.iter().any(|x| x.subject.ends_with("in_real"))
        })
        .await;
    assert!(
        got.iter().all(|d| !d.subject.ends_with("in_forged")),
        "{got:?}"
    );

    let text = client
        .get(format!("{base}/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        text.contains(
            "invoice_relay_webhooks_rejected_total{platform=\"stripe\",reason=\"bad_signature\"} 2"
        ),
        "{text}"
    );
    // Unknown slugs and disabled sources are 404.
    let r = client
        .post(format!("{base}/webhooks/xero"))
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    let r = client
        .post(format!("{base}/webhooks/nonsense"))
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    relay.sigterm();
    assert_eq!(relay.wait().await, Some(0));
}

#[tokio::test(flavor = "multi_thread")]
async fn oversized_body_is_413_and_malformed_is_400_with_a_reason() {
    let (_dir, _portal, relay, _cfg) = started(4096).await;
    let client = reqwest::Client::new();
    let base = relay.base();

    let mut big = stripe_invoice_event("evt_big", "invoice.finalized", "in_big", 1000, 0, "open");
    big.push_str(&" ".repeat(8192));
    let (status, text) = post_stripe(&client, &base, STRIPE_SECRET, big.clone()).await;
    assert_eq!(status, 413, "{text}");

    // Without a Content-Length (chunked), the limit still holds. The relay answers 413
    // without reading the rest and closes the connection, so each request below takes a
    // fresh client: a pooled connection the server already closed fails as
    // `IncompleteMessage` (seen as a flake in CI).
    let client = reqwest::Client::new();
    let stream = futures::stream::iter(
        big.into_bytes()
            .chunks(1000)
            .map(|c| Ok::<_, std::io::Error>(c.to_vec()))
            .collect::<Vec<_>>(),
    );
    let r = client
        .post(format!("{base}/webhooks/stripe"))
        .header("stripe-signature", "t=1,v1=00")
        .body(reqwest::Body::wrap_stream(stream))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 413);

    let client = reqwest::Client::new();
    let (status, text) = post_stripe(&client, &base, STRIPE_SECRET, "{not json".to_owned()).await;
    assert_eq!(status, 400, "{text}");
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(v["error"], "malformed");
    assert!(
        v["message"].as_str().unwrap().contains("malformed"),
        "{text}"
    );

    let metrics = client
        .get(format!("{base}/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(metrics.contains("reason=\"too_large\"} 2"), "{metrics}");
    assert!(metrics.contains("reason=\"malformed\"} 1"), "{metrics}");
    relay.sigterm();
    assert_eq!(relay.wait().await, Some(0));
}

#[tokio::test(flavor = "multi_thread")]
async fn sigterm_during_a_burst_loses_nothing_acknowledged() {
    let (dir, portal, relay, cfg) = started(1 << 20).await;
    // The portal is down at first, so the outbox holds work when the signal comes.
    portal.fail_next(20);
    let client = reqwest::Client::new();
    let base = relay.base();
    // Four senders post new invoices back to back until the relay stops answering; the
    // signal comes once some have been acknowledged, so it lands mid-burst.
    let acked_count = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let mut senders = Vec::new();
    for s in 0..4 {
        let client = client.clone();
        let base = base.clone();
        let acked_count = acked_count.clone();
        senders.push(tokio::spawn(async move {
            let mut acked = Vec::new();
            let mut refused = 0;
            for n in 0..500 {
                let i = n * 4 + s;
                let body = stripe_invoice_event(
                    &format!("evt_burst_{i}"),
                    "invoice.finalized",
                    &format!("in_burst_{i}"),
                    10_000 + i as i64,
                    0,
                    "open",
                );
                let sig = stripe_signature(STRIPE_SECRET, &body);
                let r = client
                    .post(format!("{base}/webhooks/stripe"))
                    .header("stripe-signature", sig)
                    .body(body)
                    .send()
                    .await;
                match r.map(|r| r.status().as_u16()) {
                    Ok(st) if (200..300).contains(&st) => {
                        acked.push(i);
                        acked_count.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                    }
                    // Refused or connection closed: the relay is going away.
                    _ => {
                        refused += 1;
                        if refused > 3 {
                            break;
                        }
                    }
                }
            }
            acked
        }));
    }
    while acked_count.load(std::sync::atomic::Ordering::SeqCst) < 20 {
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    relay.sigterm();
    let mut acked = Vec::new();
    for t in senders {
        acked.extend(t.await.unwrap());
    }
    assert_eq!(relay.wait().await, Some(0), "clean exit after SIGTERM");
    assert!(
        !acked.is_empty(),
        "some requests were acknowledged before the signal"
    );
    eprintln!("{} acknowledged before shutdown", acked.len());

    // Restart on the same store: everything acknowledged is delivered.
    let relay = RelayProcess::start(&cfg, dir.path().join("relay2.log")).await;
    let want: Vec<String> = acked
        .iter()
        .map(|i| format!("stripe:default:in_burst_{i}"))
        .collect();
    let got = portal
        .wait_for("every acknowledged invoice", |d| {
            want.iter().all(|w| d.iter().any(|x| &x.subject == w))
        })
        .await;
    // Exactly once per invoice: stable ids, the portal never saw a duplicate id.
    for w in &want {
        assert_eq!(got.iter().filter(|d| &d.subject == w).count(), 1, "{w}");
    }
    relay.sigterm();
    assert_eq!(relay.wait().await, Some(0));

    // The audit chain survived both runs.
    let out = command(&cfg)
        .args(["audit", "verify"])
        .output()
        .await
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("audit chain OK"));
}

#[tokio::test(flavor = "multi_thread")]
async fn check_config_names_the_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("relay.toml");
    std::fs::write(
        &cfg,
        "[server]\nlisten = \"127.0.0.1:0\"\nlisen = \"typo\"\n",
    )
    .unwrap();
    let out = command(&cfg).arg("check-config").output().await.unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("relay.toml:3"), "{err}");
    assert!(err.contains("lisen"), "{err}");

    // A connector refusing its table: the key and its line.
    std::fs::write(
        &cfg,
        config(dir.path(), "http://127.0.0.1:9/x", 1024).replace(
            "[sources.stripe]\n",
            "[sources.stripe]\ncolour = \"blue\"\n",
        ),
    )
    .unwrap();
    let out = command(&cfg).arg("check-config").output().await.unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("colour"), "{err}");
    let line = config(dir.path(), "x", 1)
        .lines()
        .position(|l| l == "[sources.stripe]")
        .unwrap()
        + 2;
    assert!(err.contains(&format!("relay.toml:{line}")), "{err}");

    std::fs::write(&cfg, config(dir.path(), "http://127.0.0.1:9/x", 1024)).unwrap();
    let out = command(&cfg).arg("check-config").output().await.unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!String::from_utf8_lossy(&out.stdout).contains(STRIPE_SECRET));
}

#[tokio::test(flavor = "multi_thread")]
async fn url_token_route_accepts_the_token_and_never_logs_it() {
    let dir = tempfile::tempdir().unwrap();
    let portal = Recorder::start().await;
    let token = "u7Qk2mZpR4vX9sLw3nB8";
    let cfg = dir.path().join("relay.toml");
    let text = format!(
        "{}\n[sources.odoo]\nurl_tokens = [\"env:TEST_ODOO_TOKEN\"]\n\n[sources.odoo.currencies]\n1 = \"EUR\"\n",
        config(dir.path(), &portal.url(), 1 << 20)
    );
    std::fs::write(&cfg, text).unwrap();
    std::env::set_var("TEST_ODOO_TOKEN", token);
    let log = dir.path().join("relay.log");
    let relay = RelayProcess::start(&cfg, log.clone()).await;
    let client = reqwest::Client::new();
    let body = r#"{"_action": "Send Webhook Notification(#12)", "_id": 2087, "_model": "account.move", "amount_residual": 0.0, "amount_total": 1250.0, "currency_id": [1, "EUR"], "id": 2087, "invoice_date_due": "2026-02-10", "move_type": "out_invoice", "name": "INV/2026/00042", "partner_id": [14, "Oberfl\u00e4chentechnik M\u00fcller GmbH"], "payment_state": "paid", "reversed_entry_id": false, "state": "posted", "write_date": "2026-01-22 08:30:00"}"#;
    let post = |path: String| {
        client
            .post(format!("{}{path}", relay.base()))
            .header("content-type", "application/json")
            .body(body)
            .send()
    };
    assert_eq!(
        post("/webhooks/odoo/anodize-prod".into())
            .await
            .unwrap()
            .status(),
        401
    );
    assert_eq!(
        post("/webhooks/odoo/anodize-prod/wrong-token-0123456789".into())
            .await
            .unwrap()
            .status(),
        401
    );
    let ok = post(format!("/webhooks/odoo/anodize-prod/{token}"))
        .await
        .unwrap();
    assert_eq!(ok.status(), 200);
    assert!(ok.headers().contains_key("x-request-id"));
    let got = portal.wait_for("the odoo update", |d| !d.is_empty()).await;
    assert_eq!(got[0].subject, "odoo:anodize-prod:2087");
    assert_eq!(got[0].status, "paid");
    relay.sigterm();
    assert_eq!(relay.wait().await, Some(0));
    let logged = std::fs::read_to_string(&log).unwrap();
    assert!(logged.contains("webhook rejected"), "{logged}");
    assert!(!logged.contains(token), "the URL token leaked into the log");
    assert!(!logged.contains(STRIPE_SECRET) && !logged.contains(PORTAL_SECRET));
}

#[tokio::test(flavor = "multi_thread")]
async fn overdue_scheduler_emits_each_level_once_across_restarts() {
    let dir = tempfile::tempdir().unwrap();
    let portal = Recorder::start().await;
    let cfg = dir.path().join("relay.toml");
    let text = config(dir.path(), &portal.url(), 1 << 20).replace(
        "[sources.stripe]",
        "[overdue]\nafter_days = 30\ninterval = \"100ms\"\n\n[sources.stripe]",
    );
    std::fs::write(&cfg, text).unwrap();
    let relay = RelayProcess::start(&cfg, dir.path().join("relay.log")).await;
    let client = reqwest::Client::new();
    let due = chrono::Utc::now().timestamp() - 40 * 86400;
    let body = stripe_invoice_event_due(
        "evt_late",
        "invoice.finalized",
        "in_late",
        9900,
        0,
        "open",
        due,
    );
    assert_eq!(
        post_stripe(&client, &relay.base(), STRIPE_SECRET, body)
            .await
            .0,
        200
    );
    let got = portal
        .wait_for("the overdue update", |d| {
            d.iter().any(|x| x.status == "overdue")
        })
        .await;
    assert_eq!(
        got.iter()
            .filter(|d| d.event_type == "invoice.overdue")
            .count(),
        1
    );
    relay.sigterm();
    assert_eq!(relay.wait().await, Some(0));

    // After a restart the scheduler runs again (at start-up and on its interval) and
    // finds the level already reached: nothing new is queued.
    let relay = RelayProcess::start(&cfg, dir.path().join("relay2.log")).await;
    for _ in 0..600 {
        let m = client
            .get(format!("{}/metrics", relay.base()))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let runs = m
            .lines()
            .find(|l| l.starts_with("invoice_relay_overdue_runs_total{result=\"ok\"}"))
            .and_then(|l| l.rsplit(' ').next())
            .and_then(|n| n.parse::<u64>().ok())
            .unwrap_or(0);
        if runs >= 3 {
            assert!(
                m.contains("invoice_relay_outbox_depth{status=\"pending\"} 0"),
                "{m}"
            );
            assert!(
                !m.contains("via=\"overdue\""),
                "no overdue transition after the restart: {m}"
            );
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(
        portal
            .delivered()
            .iter()
            .filter(|d| d.event_type == "invoice.overdue")
            .count(),
        1
    );
    relay.sigterm();
    assert_eq!(relay.wait().await, Some(0));
}
