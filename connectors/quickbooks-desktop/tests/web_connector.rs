//! A whole Web Connector session through the relay: authenticate, sendRequestXML from
//! the initial date, receiveResponseXML applied with the cursor moved in the same commit,
//! the next sendRequestXML asking from the cursor, a re-sent response applying nothing;
//! QuickBooks errors reported through getLastError; the `.qwc` generator.
#![allow(clippy::unwrap_used)] // tests: a panic is the failure report

use std::sync::Arc;

use bytes::Bytes;
use chrono::{DateTime, Utc};
use invoice_connector_quickbooks_desktop::source::cursor_name;
use invoice_connector_quickbooks_desktop::testing::{
    Harness, FIXTURE_PASSWORD, FIXTURE_SECRET, FIXTURE_USER,
};
use invoice_connector_quickbooks_desktop::xml;
use invoice_connector_quickbooks_desktop::{qwc_file, QwcOptions};
use invoice_core::journal::{Journal, MemoryJournal};
use invoice_core::testing::fixture::load_dir;
use invoice_core::{InvoiceKey, Lifecycle, ManualClock, Platform, Relay, Route, Secret, TenantId};

const INTUIT: &str = "http://developer.intuit.com/";

fn soap(method: &str, params: &[(&str, &str)]) -> http::Request<Bytes> {
    let esc = |s: &str| {
        s.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
    };
    let inner: String = params
        .iter()
        .map(|(k, v)| format!("<{k}>{}</{k}>", esc(v)))
        .collect();
    let body = format!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?><soap:Envelope xmlns:soap=\"http://schemas.xmlsoap.org/soap/envelope/\"><soap:Body><{method} xmlns=\"{INTUIT}\">{inner}</{method}></soap:Body></soap:Envelope>"
    );
    http::Request::post("/webhooks/quickbooks-desktop")
        .header("content-type", "text/xml; charset=utf-8")
        .header("soapaction", format!("\"{INTUIT}{method}\""))
        .body(Bytes::from(body))
        .unwrap()
}

fn results(reply: &[u8], method: &str) -> Vec<String> {
    let doc = xml::parse(reply).unwrap();
    let body = doc.root().children().next().unwrap();
    let resp = body
        .child(Some(INTUIT), &format!("{method}Response"))
        .unwrap();
    let result = resp
        .child(Some(INTUIT), &format!("{method}Result"))
        .unwrap();
    if result.children().next().is_none() {
        vec![result.text().to_owned()]
    } else {
        result.children().map(|c| c.text().to_owned()).collect()
    }
}

fn fixture_response() -> String {
    // The qbXML inside fixture 06's receiveResponseXML call.
    let f = load_dir(&Harness::fixtures())
        .unwrap()
        .into_iter()
        .find(|f| f.name.starts_with("06_"))
        .unwrap();
    let doc = xml::parse(f.request.body()).unwrap();
    let body = doc.root().children().next().unwrap();
    let call = body.children().next().unwrap();
    call.child(Some(INTUIT), "response")
        .unwrap()
        .text()
        .to_owned()
}

fn relay_at(now: DateTime<Utc>) -> (Relay, Arc<MemoryJournal>) {
    let journal = Arc::new(MemoryJournal::new());
    let relay = Relay::builder(journal.clone())
        .source(Harness::source(vec![Secret::new(FIXTURE_SECRET)]))
        .clock(Arc::new(ManualClock::new(now)))
        .build();
    (relay, journal)
}

#[tokio::test]
async fn a_session_moves_the_cursor_with_the_invoices() {
    let now: DateTime<Utc> = "2026-01-14T17:20:00Z".parse().unwrap();
    let (relay, journal) = relay_at(now);
    let p = Platform::QuickbooksDesktop;
    let go = |req| {
        let relay = relay.clone();
        async move { relay.ingest(p, &req, Route::default()).await.unwrap() }
    };
    let auth = go(soap(
        "authenticate",
        &[
            ("strUserName", FIXTURE_USER),
            ("strPassword", FIXTURE_PASSWORD),
        ],
    ))
    .await;
    let auth = results(&auth.reply.body, "authenticate");
    assert_eq!(auth[1], "", "use the open company file");
    let ticket = auth[0].clone();
    assert!(ticket.starts_with("v1."));

    let send = go(soap("sendRequestXML", &[("ticket", &ticket)])).await;
    let query = results(&send.reply.body, "sendRequestXML").remove(0);
    assert!(
        query.contains("<FromModifiedDate>2026-01-01T00:00:00</FromModifiedDate>"),
        "{query}"
    );

    let response = fixture_response();
    let recv = go(soap(
        "receiveResponseXML",
        &[
            ("ticket", &ticket),
            ("response", &response),
            ("hresult", ""),
            ("message", ""),
        ],
    ))
    .await;
    assert_eq!(results(&recv.reply.body, "receiveResponseXML"), ["100"]);
    assert_eq!(recv.report.applied, 3);
    let tenant = TenantId::from("brightline-anodizing");
    assert_eq!(
        journal
            .cursor(&cursor_name(&tenant))
            .await
            .unwrap()
            .as_deref(),
        Some("2026-01-14T09:05:12-08:00")
    );
    let paid = journal
        .load(&InvoiceKey::new(
            p,
            "brightline-anodizing",
            "1A2B-1768300000",
        ))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(paid.state.lifecycle, Lifecycle::Paid);

    // The next sync asks from the cursor (inclusive: the newest invoice comes again).
    let send = go(soap("sendRequestXML", &[("ticket", &ticket)])).await;
    let query = results(&send.reply.body, "sendRequestXML").remove(0);
    assert!(
        query.contains("<FromModifiedDate>2026-01-14T09:05:12-08:00</FromModifiedDate>"),
        "{query}"
    );
    let again = go(soap(
        "receiveResponseXML",
        &[
            ("ticket", &ticket),
            ("response", &response),
            ("hresult", ""),
            ("message", ""),
        ],
    ))
    .await;
    assert_eq!((again.report.applied, again.report.duplicates), (0, 3));
    let closed = go(soap("closeConnection", &[("ticket", &ticket)])).await;
    assert_eq!(results(&closed.reply.body, "closeConnection"), ["OK"]);
}

#[tokio::test]
async fn quickbooks_errors_reach_get_last_error_and_commit_nothing() {
    let now: DateTime<Utc> = "2026-01-14T17:20:00Z".parse().unwrap();
    let (relay, journal) = relay_at(now);
    let p = Platform::QuickbooksDesktop;
    let auth = relay
        .ingest(
            p,
            &soap(
                "authenticate",
                &[
                    ("strUserName", FIXTURE_USER),
                    ("strPassword", FIXTURE_PASSWORD),
                ],
            ),
            Route::default(),
        )
        .await
        .unwrap();
    let ticket = results(&auth.reply.body, "authenticate").remove(0);
    let failed = relay
        .ingest(
            p,
            &soap(
                "receiveResponseXML",
                &[
                    ("ticket", &ticket),
                    ("response", ""),
                    ("hresult", "0x80040400"),
                    (
                        "message",
                        "QuickBooks found an error when parsing the provided XML text stream.",
                    ),
                ],
            ),
            Route::default(),
        )
        .await
        .unwrap();
    assert_eq!(results(&failed.reply.body, "receiveResponseXML"), ["-1"]);
    let last = relay
        .ingest(
            p,
            &soap("getLastError", &[("ticket", &ticket)]),
            Route::default(),
        )
        .await
        .unwrap();
    let msg = results(&last.reply.body, "getLastError").remove(0);
    assert!(msg.contains("0x80040400"), "{msg}");
    let tenant = TenantId::from("brightline-anodizing");
    assert_eq!(journal.cursor(&cursor_name(&tenant)).await.unwrap(), None);
    // A ticket for another company is refused on that company's route.
    let r = relay
        .ingest(
            p,
            &soap("sendRequestXML", &[("ticket", &ticket)]),
            Route {
                tenant: Some("kansai-plating".into()),
                ..Route::default()
            },
        )
        .await;
    assert!(r.is_err());
    // An expired ticket is refused.
    let later: DateTime<Utc> = "2026-01-14T18:21:00Z".parse().unwrap();
    let (late_relay, _) = relay_at(later);
    assert!(late_relay
        .ingest(
            p,
            &soap("sendRequestXML", &[("ticket", &ticket)]),
            Route::default()
        )
        .await
        .is_err());
}

#[test]
fn qwc_file_is_read_only_and_checks_its_inputs() {
    let mut o = QwcOptions {
        app_name: "Invoice Relay".into(),
        app_url: "https://relay.example.com/webhooks/quickbooks-desktop/brightline-anodizing"
            .into(),
        app_support: "https://relay.example.com/".into(),
        user_name: "invoice-relay".into(),
        owner_id: "{3f1c2a9e-6b7d-4e21-9a55-0c8d7e6f5a41}".into(),
        file_id: "{b9e04d13-2c6f-4a8b-8d71-5e3f2a1c0b97}".into(),
        run_every_minutes: 15,
    };
    let text = qwc_file(&o).unwrap();
    let doc = xml::parse(text.as_bytes()).unwrap();
    let root = doc.root();
    assert_eq!(root.name(), "QBWCXML");
    assert_eq!(root.child_text(None, "AppURL"), Some(o.app_url.as_str()));
    assert_eq!(root.child_text(None, "UserName"), Some("invoice-relay"));
    assert_eq!(root.child_text(None, "IsReadOnly"), Some("true"));
    assert_eq!(root.child_text(None, "QBType"), Some("QBFS"));
    o.app_url = "http://relay.example.com/".into();
    assert!(qwc_file(&o).is_err(), "plain http outside localhost");
    o.app_url = "https://relay.example.com/".into();
    o.owner_id = "3f1c2a9e".into();
    assert!(qwc_file(&o).is_err());
}

#[test]
fn config_refuses_unknown_keys() {
    let mut reg = invoice_core::registry::ConnectorRegistry::new();
    invoice_connector_quickbooks_desktop::register(&mut reg);
    let p = Platform::QuickbooksDesktop;
    let good = serde_json::json!({
        "secrets": ["0123456789abcdef"], "qbwc_user": "u", "qbwc_password": "p",
        "companies": ["c"], "currency_names": {"Dollar canadien": "CAD"}
    });
    assert!(reg.build(p, &good).is_ok());
    let mut bad = good.clone();
    bad["qbwc_pasword"] = serde_json::json!("x");
    let e = reg.build(p, &bad).unwrap_err();
    assert!(e.to_string().contains("qbwc_pasword"), "{e}");
    let mut bad = good.clone();
    bad["initial_from"] = serde_json::json!("yesterday");
    assert!(reg.build(p, &bad).is_err());
}

#[tokio::test]
async fn the_cursor_stops_at_an_invoice_that_could_not_be_mapped() {
    let now: DateTime<Utc> = "2026-01-14T17:20:00Z".parse().unwrap();
    let (relay, journal) = relay_at(now);
    let p = Platform::QuickbooksDesktop;
    let auth = relay
        .ingest(
            p,
            &soap(
                "authenticate",
                &[
                    ("strUserName", FIXTURE_USER),
                    ("strPassword", FIXTURE_PASSWORD),
                ],
            ),
            Route::default(),
        )
        .await
        .unwrap();
    let ticket = results(&auth.reply.body, "authenticate").remove(0);
    // Fixture 06's middle invoice (08:40) in a currency without an ISO mapping.
    let response = fixture_response().replacen(
        "<TxnID>1A2C-1768300100</TxnID>",
        "<TxnID>1A2C-1768300100</TxnID><CurrencyRef><FullName>Thai Baht</FullName></CurrencyRef>",
        1,
    );
    let recv = relay
        .ingest(
            p,
            &soap(
                "receiveResponseXML",
                &[
                    ("ticket", &ticket),
                    ("response", &response),
                    ("hresult", ""),
                    ("message", ""),
                ],
            ),
            Route::default(),
        )
        .await
        .unwrap();
    assert_eq!((recv.report.applied, recv.report.skipped), (2, 1));
    let tenant = TenantId::from("brightline-anodizing");
    assert_eq!(
        journal
            .cursor(&cursor_name(&tenant))
            .await
            .unwrap()
            .as_deref(),
        Some("2026-01-14T08:40:00-08:00"),
        "the next sync reads the skipped invoice again"
    );
}
