//! A real browser loads the customer page after updates were delivered, checks the
//! rendered statuses and the live refresh, and saves screenshots under
//! `<target dir>/screenshots/`.
//!
//! Needs Debian's `chromium` and `chromium-driver`; runs only when
//! `INVOICE_RELAY_BROWSER_TESTS` is set (CI sets it to 1 after installing them).
//! `CHROMEDRIVER` and `CHROME_BIN` override the binaries' paths.

#![allow(clippy::unwrap_used)] // tests may unwrap

mod common;

use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;

use common::{sink, start, Inv};
use fantoccini::{ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use invoice_core::{EventKind, PortalSink, PortalUpdate};
use serde_json::json;

fn enabled() -> bool {
    std::env::var_os("INVOICE_RELAY_BROWSER_TESTS").is_some()
}

/// `<target dir>/screenshots`, from the test binary's own path (target/debug/deps/...).
fn screenshot_dir() -> PathBuf {
    let dir = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .or_else(|| {
            let exe = std::env::current_exe().ok()?;
            Some(exe.parent()?.parent()?.parent()?.to_path_buf())
        })
        .unwrap_or_else(|| PathBuf::from("target"));
    let dir = dir.join("screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

struct Driver {
    child: tokio::process::Child,
    url: String,
}

async fn chromedriver() -> Driver {
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let bin = std::env::var("CHROMEDRIVER").unwrap_or_else(|_| "chromedriver".to_owned());
    let child = tokio::process::Command::new(&bin)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {bin}: {e} (apt-get install chromium-driver)"));
    let url = format!("http://127.0.0.1:{port}");
    let http = reqwest::Client::new();
    for _ in 0..300 {
        if let Ok(r) = http.get(format!("{url}/status")).send().await {
            if r.status().is_success() {
                return Driver { child, url };
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("chromedriver did not come up on port {port}");
}

async fn browser(driver: &Driver, profile: &std::path::Path) -> fantoccini::Client {
    let mut args = vec![
        "--headless".to_owned(),
        "--no-sandbox".to_owned(),
        "--disable-gpu".to_owned(),
        "--disable-quic".to_owned(),
        "--no-first-run".to_owned(),
        "--disable-background-networking".to_owned(),
        "--disable-component-update".to_owned(),
        "--disable-sync".to_owned(),
        "--disable-dev-shm-usage".to_owned(),
        "--hide-scrollbars".to_owned(),
        "--window-size=1280,1100".to_owned(),
    ];
    args.push(format!("--user-data-dir={}", profile.display()));
    let mut chrome = json!({ "args": args });
    if let Ok(bin) = std::env::var("CHROME_BIN") {
        chrome["binary"] = json!(bin);
    }
    let mut caps = serde_json::Map::new();
    caps.insert("goog:chromeOptions".to_owned(), chrome);
    // chromedriver listens on loopback over plain HTTP: no TLS stack needed.
    ClientBuilder::new(HttpConnector::new())
        .capabilities(caps)
        .connect(&driver.url)
        .await
        .unwrap()
}

/// A finance team's week: one client with invoices in every state, in two currencies.
fn acme() -> Vec<(Inv, Vec<PortalUpdate>)> {
    let c = ("cus_ACME", "ACME Anodizing GmbH");
    let mk = |n: u32, total: &'static str, due: (i32, u32, u32)| {
        let mut i = Inv::new(n, c.0, c.1);
        i.total = total;
        i.due = chrono::NaiveDate::from_ymd_opt(due.0, due.1, due.2).unwrap();
        i
    };
    let paid = mk(1001, "4820.00", (2026, 1, 10));
    let open = mk(1002, "1250.00", (2026, 2, 14));
    let partial = mk(1003, "9600.00", (2026, 2, 1));
    let overdue = mk(1004, "2310.50", (2026, 1, 3));
    let disputed = mk(1005, "760.00", (2026, 1, 20));
    let void = mk(1006, "300.00", (2026, 1, 31));
    let mut refunded = mk(1007, "1480.00", (2026, 1, 5));
    refunded.currency = "USD".into();
    let mut usd_overdue = mk(1008, "5400.00", (2025, 12, 20));
    usd_overdue.currency = "USD".into();
    vec![
        (
            paid.clone(),
            vec![
                paid.update(1, EventKind::Issued, "open", "4820.00"),
                paid.update(2, EventKind::Paid, "paid", "0"),
            ],
        ),
        (
            open.clone(),
            vec![open.update(1, EventKind::Issued, "open", "1250.00")],
        ),
        (
            partial.clone(),
            vec![
                partial.update(1, EventKind::Issued, "open", "9600.00"),
                partial.update(2, EventKind::PaymentReceived, "partially_paid", "3600.00"),
            ],
        ),
        (
            overdue.clone(),
            vec![
                overdue.update(1, EventKind::Issued, "open", "2310.50"),
                overdue.update(2, EventKind::Overdue, "overdue", "2310.50"),
            ],
        ),
        (
            disputed.clone(),
            vec![
                disputed.update(1, EventKind::Issued, "open", "760.00"),
                disputed.update(2, EventKind::Disputed, "disputed", "760.00"),
            ],
        ),
        (
            void.clone(),
            vec![
                void.update(1, EventKind::Issued, "open", "300.00"),
                void.update(2, EventKind::Voided, "void", "0"),
            ],
        ),
        (
            refunded.clone(),
            vec![
                refunded.update(1, EventKind::Issued, "open", "1480.00"),
                refunded.update(2, EventKind::Paid, "paid", "0"),
                refunded.update(3, EventKind::Refunded, "refunded", "0"),
            ],
        ),
        (
            usd_overdue.clone(),
            vec![
                usd_overdue.update(1, EventKind::Issued, "open", "5400.00"),
                usd_overdue.update(2, EventKind::PaymentReceived, "partially_paid", "2400.00"),
                usd_overdue.update(3, EventKind::Overdue, "overdue", "2400.00"),
            ],
        ),
    ]
}

async fn statuses(client: &fantoccini::Client) -> Vec<(String, String, String)> {
    let mut out = Vec::new();
    for row in client
        .find_all(Locator::Css("tbody tr[data-invoice]"))
        .await
        .unwrap()
    {
        let number = row
            .find(Locator::Css("td[data-label=Invoice]"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let status = row.attr("data-status").await.unwrap().unwrap_or_default();
        let badge = row
            .find(Locator::Css(".badge"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        out.push((number.trim().to_owned(), status, badge.trim().to_owned()));
    }
    out.sort();
    out
}

#[tokio::test]
async fn customer_page_renders_statuses_and_refreshes_live() {
    if !enabled() {
        eprintln!(
            "skipped: set INVOICE_RELAY_BROWSER_TESTS=1 (needs chromium and chromium-driver)"
        );
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let portal = start(&dir.path().join("portal.db")).await;
    let s = sink(&portal.events_url());
    let invoices = acme();
    for (_, updates) in &invoices {
        for u in updates {
            s.deliver(u).await.unwrap();
        }
    }
    let other = Inv::new(2001, "cus_BETA", "Beta Powder Coating Ltd");
    s.deliver(&other.update(1, EventKind::Issued, "open", "1250.00"))
        .await
        .unwrap();

    let driver = chromedriver().await;
    let profile = tempfile::tempdir().unwrap();
    let client = browser(&driver, profile.path()).await;
    let shots = screenshot_dir();

    client.goto(&portal.base_url()).await.unwrap();
    let home = client.source().await.unwrap();
    assert!(home.contains("ACME Anodizing GmbH") && home.contains("Beta Powder Coating Ltd"));
    std::fs::write(
        shots.join("portal-home.png"),
        client.screenshot().await.unwrap(),
    )
    .unwrap();

    client
        .goto(&format!("{}/customers/cus_ACME", portal.base_url()))
        .await
        .unwrap();
    let seen = statuses(&client).await;
    let expected: Vec<(String, String, String)> = vec![
        ("INV-1001", "paid", "Paid"),
        ("INV-1002", "open", "Open"),
        ("INV-1003", "partially_paid", "Partially paid"),
        ("INV-1004", "overdue", "Overdue · 12 days"),
        ("INV-1005", "disputed", "Disputed"),
        ("INV-1006", "void", "Void"),
        ("INV-1007", "refunded", "Refunded"),
        ("INV-1008", "overdue", "Overdue · 12 days"),
    ]
    .into_iter()
    .map(|(a, b, c)| (a.to_owned(), b.to_owned(), c.to_owned()))
    .collect();
    assert_eq!(seen, expected);
    let body = client
        .find(Locator::Css("main"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    // Outstanding: EUR 1,250 + 3,600 + 2,310.50 + 760 = 7,920.50; USD 2,400. Overdue: EUR 2,310.50, USD 2,400.
    for s in ["EUR 7,920.50", "USD 2,400.00", "EUR 2,310.50"] {
        assert!(body.contains(s), "{s} missing in {body}");
    }
    std::fs::write(
        shots.join("customer-desktop.png"),
        client.screenshot().await.unwrap(),
    )
    .unwrap();

    // Live refresh: INV-1002 gets paid while the page is open; no reload.
    let marker = client
        .execute("window.__still_here = true; return true;", vec![])
        .await
        .unwrap();
    assert_eq!(marker, json!(true));
    let open = &invoices[1].0;
    s.deliver(&open.update(2, EventKind::Paid, "paid", "0"))
        .await
        .unwrap();
    let row = format!("tr[data-invoice=\"{}\"][data-status=\"paid\"]", open.id);
    client
        .wait()
        .at_most(Duration::from_secs(30))
        .for_element(Locator::Css(&row))
        .await
        .expect("the row turns paid without a reload");
    let still = client
        .execute("return window.__still_here === true;", vec![])
        .await
        .unwrap();
    assert_eq!(
        still,
        json!(true),
        "the page was refreshed in place, not reloaded"
    );

    // Filter: only overdue ones.
    client
        .goto(&format!(
            "{}/customers/cus_ACME?status=overdue",
            portal.base_url()
        ))
        .await
        .unwrap();
    let only: Vec<String> = statuses(&client).await.into_iter().map(|r| r.1).collect();
    assert_eq!(only, vec!["overdue", "overdue"]);

    // Phone width.
    client.set_window_size(390, 1500).await.unwrap();
    client
        .goto(&format!("{}/customers/cus_ACME", portal.base_url()))
        .await
        .unwrap();
    let overflow = client
        .execute(
            "return document.documentElement.scrollWidth <= window.innerWidth;",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(overflow, json!(true), "no horizontal scrolling on a phone");
    std::fs::write(
        shots.join("customer-phone.png"),
        client.screenshot().await.unwrap(),
    )
    .unwrap();

    client.goto(&portal.base_url()).await.unwrap();
    let overflow = client
        .execute(
            "return document.documentElement.scrollWidth <= window.innerWidth;",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(
        overflow,
        json!(true),
        "no horizontal scrolling on a phone (home)"
    );
    std::fs::write(
        shots.join("portal-home-phone.png"),
        client.screenshot().await.unwrap(),
    )
    .unwrap();

    // The invoice timeline, with a late duplicate-sequence update from a second source.
    client.set_window_size(1280, 1100).await.unwrap();
    let usd = &invoices[7].0;
    let mut late = usd.update(2, EventKind::PaymentReceived, "partially_paid", "2400.00");
    late.id = "upd_late_resend_from_the_erp".into();
    late.data.event.platform = invoice_core::Platform::QuickbooksOnline;
    s.deliver(&late).await.unwrap();
    client
        .goto(&format!(
            "{}/invoices/{}",
            portal.base_url(),
            usd.id.replace(':', "%3A")
        ))
        .await
        .unwrap();
    let items = client
        .find_all(Locator::Css("ol.timeline li"))
        .await
        .unwrap();
    assert_eq!(items.len(), 4);
    let stale = client
        .find_all(Locator::Css("ol.timeline li.stale"))
        .await
        .unwrap();
    assert_eq!(stale.len(), 1);
    assert!(stale[0].text().await.unwrap().contains("QuickBooks Online"));
    std::fs::write(
        shots.join("invoice-timeline.png"),
        client.screenshot().await.unwrap(),
    )
    .unwrap();

    eprintln!("screenshots in {}", shots.display());
    client.close().await.unwrap();
    drop(driver.child);
    portal.shutdown().await.unwrap();
}
