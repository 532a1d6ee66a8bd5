//! The operator commands against the real binary: demo, dlq, resend, replay-file, audit.
#![allow(clippy::unwrap_used)]

mod common;

use common::*;

#[tokio::test(flavor = "multi_thread")]
async fn demo_seeds_seven_platforms_and_exits() {
    let dir = tempfile::tempdir().unwrap();
    let out = tokio::process::Command::new(bin())
        .args([
            "demo",
            "--exit-after-seed",
            "--listen",
            "127.0.0.1:0",
            "--portal-listen",
            "127.0.0.1:0",
            "--data-dir",
        ])
        .arg(dir.path())
        .env("INVOICE_RELAY_LOG", "warn")
        .kill_on_drop(true)
        .output()
        .await
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for slug in [
        "stripe",
        "salesforce",
        "odoo",
        "google-sheets",
        "paypal",
        "quickbooks-online",
    ] {
        assert!(
            stdout
                .lines()
                .any(|l| l.trim_start().starts_with(&format!("ok  {slug} "))),
            "{slug} missing:\n{stdout}"
        );
    }
    assert!(!stdout.contains("ERR"), "{stdout}");
    assert!(
        stdout.contains("Delivering to the portal ... done"),
        "{stdout}"
    );
    // The configuration the demo ran with is a valid file for every command.
    let cfg = dir.path().join("invoice-relay.toml");
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
    let out = command(&cfg).args(["dlq", "list"]).output().await.unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains("no dead letters"));
    // The overdue rules and the PayPal payment, correlated to the Stripe invoice, are in
    // the audit trail.
    let out = command(&cfg)
        .args(["audit", "export", "--format", "jsonl"])
        .output()
        .await
        .unwrap();
    let export = String::from_utf8_lossy(&out.stdout);
    let lines: Vec<serde_json::Value> = export
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert!(lines.iter().any(|e| e["action"] == "applied"
        && e["platform"] == "paypal"
        && e["invoice"].as_str().unwrap_or("").starts_with("stripe:")));
    assert!(lines.iter().any(|e| e["detail"]
        .as_str()
        .unwrap_or("")
        .starts_with("overdue: applied")));
    assert!(lines
        .iter()
        .any(|e| e["detail"].as_str().unwrap_or("").contains("-> disputed")));
}

#[tokio::test(flavor = "multi_thread")]
async fn dead_letters_are_listed_replayed_and_delivered() {
    let dir = tempfile::tempdir().unwrap();
    let portal = Recorder::start().await;
    let subject = "stripe:default:in_dlq1";
    portal.refuse(subject, true);
    let cfg = dir.path().join("relay.toml");
    std::fs::write(&cfg, config(dir.path(), &portal.url(), 1 << 20)).unwrap();
    let relay = RelayProcess::start(&cfg, dir.path().join("relay.log")).await;
    let client = reqwest::Client::new();
    let body = stripe_invoice_event("evt_dlq1", "invoice.finalized", "in_dlq1", 5000, 0, "open");
    assert_eq!(
        post_stripe(&client, &relay.base(), STRIPE_SECRET, body)
            .await
            .0,
        200
    );
    // A second update of the same invoice: refused too, dead-lettered too.
    let body = stripe_invoice_event("evt_dlq2", "invoice.paid", "in_dlq1", 5000, 5000, "paid");
    assert_eq!(
        post_stripe(&client, &relay.base(), STRIPE_SECRET, body)
            .await
            .0,
        200
    );

    let mut listed = String::new();
    for _ in 0..200 {
        let out = command(&cfg)
            .args(["dlq", "list", "--json"])
            .output()
            .await
            .unwrap();
        listed = String::from_utf8_lossy(&out.stdout).into_owned();
        if listed.lines().count() >= 2 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let item: serde_json::Value = serde_json::from_str(listed.lines().next().unwrap()).unwrap();
    assert_eq!(item["subject"], subject);
    assert_eq!(item["sequence"], 1);
    assert!(listed.contains("\"sequence\":2"), "{listed}");
    assert!(portal.delivered().is_empty());

    // Replaying one id while the relay runs: exactly that one is queued and delivered.
    portal.refuse(subject, false);
    let id = item["id"].as_i64().unwrap().to_string();
    let out = command(&cfg)
        .args(["dlq", "replay", &id])
        .output()
        .await
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("1 dead letters queued"));
    portal
        .wait_for("the replayed update", |d| !d.is_empty())
        .await;

    // The rest with the relay stopped: delivered after the restart.
    relay.sigterm();
    assert_eq!(relay.wait().await, Some(0));
    let out = command(&cfg)
        .args(["dlq", "replay", "--all"])
        .output()
        .await
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("1 dead letters queued"));
    // Without a selector, dlq replay refuses (exit 2).
    let out = command(&cfg)
        .args(["dlq", "replay"])
        .output()
        .await
        .unwrap();
    assert_eq!(out.status.code(), Some(2));

    // The portal lost its data: resend the current state with a higher sequence.
    let out = command(&cfg)
        .args(["resend", "--invoice", subject])
        .output()
        .await
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let relay = RelayProcess::start(&cfg, dir.path().join("relay2.log")).await;
    let got = portal.wait_for("all three updates", |d| d.len() >= 3).await;
    let statuses: Vec<&str> = got.iter().map(|d| d.status.as_str()).collect();
    assert_eq!(statuses, ["open", "paid", "paid"]);
    assert_eq!(got[2].event_type, "invoice.updated");
    let seqs: Vec<u64> = got.iter().map(|d| d.sequence).collect();
    assert_eq!(seqs, [1, 2, 3]);
    relay.sigterm();
    assert_eq!(relay.wait().await, Some(0));

    let out = command(&cfg)
        .args([
            "audit",
            "export",
            "--format",
            "csv",
            "--customer",
            "cus_aerotech",
        ])
        .output()
        .await
        .unwrap();
    let csv = String::from_utf8_lossy(&out.stdout);
    assert!(csv.starts_with("seq,at,action,"), "{csv}");
    assert!(csv.contains(",dead_lettered,"), "{csv}");
    assert!(csv.contains(",replayed,"), "{csv}");
}

#[tokio::test(flavor = "multi_thread")]
async fn replay_file_ingests_a_saved_request_once() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("relay.toml");
    std::fs::write(&cfg, config(dir.path(), "http://127.0.0.1:9/x", 1 << 20)).unwrap();
    let body = stripe_invoice_event(
        "evt_file1",
        "invoice.finalized",
        "in_file1",
        7000,
        0,
        "open",
    );
    let sig = stripe_signature(STRIPE_SECRET, &body);
    let raw = format!(
        "POST /webhooks/stripe HTTP/1.1\r\nHost: relay.example\r\nContent-Type: application/json\r\nStripe-Signature: {sig}\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    let file = dir.path().join("saved.http");
    std::fs::write(&file, raw).unwrap();
    let out = command(&cfg)
        .args(["replay-file", "stripe"])
        .arg(&file)
        .output()
        .await
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains("HTTP 200") && stderr.contains("applied 1"),
        "{stderr}"
    );
    let out = command(&cfg)
        .args(["replay-file", "stripe"])
        .arg(&file)
        .output()
        .await
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("duplicates 1") && stderr.contains("applied 0"),
        "{stderr}"
    );

    // A tampered copy is refused by the connector.
    let tampered = std::fs::read_to_string(&file)
        .unwrap()
        .replace("7000", "7001");
    let bad = dir.path().join("tampered.http");
    std::fs::write(&bad, tampered).unwrap();
    let out = command(&cfg)
        .args(["replay-file", "stripe"])
        .arg(&bad)
        .output()
        .await
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("HTTP 401"));
}
