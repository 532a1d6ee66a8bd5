//! Shared by the demo-portal tests: sample updates, a started portal, a scripted wrapper.

#![allow(dead_code, clippy::unwrap_used)]

use std::str::FromStr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use axum::extract::{Request, State};
use axum::middleware::{from_fn_with_state, Next};
use axum::response::Response;
use chrono::{NaiveDate, TimeZone, Utc};
use demo_portal::{DemoPortalConfig, DemoPortalHandle};
use invoice_core::{
    EventKind, Platform, PortalData, PortalEventInfo, PortalInvoice, PortalUpdate, Secret,
};
use portal_client::{HttpPortalSink, SinkOptions};
use rust_decimal::Decimal;

pub const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

/// Builds updates of one invoice.
#[derive(Clone)]
pub struct Inv {
    pub id: String,
    pub number: String,
    pub customer: String,
    pub customer_name: String,
    pub currency: String,
    pub total: &'static str,
    pub due: NaiveDate,
    pub platform: Platform,
}

impl Inv {
    pub fn new(n: u32, customer: &str, name: &str) -> Self {
        Inv {
            id: format!("stripe:acct_1:in_{n}"),
            number: format!("INV-{n}"),
            customer: customer.into(),
            customer_name: name.into(),
            currency: "EUR".into(),
            total: "1250.00",
            due: NaiveDate::from_ymd_opt(2026, 2, 14).unwrap(),
            platform: Platform::Stripe,
        }
    }

    /// The update at `sequence` leaving the invoice in `status` with `balance` owed.
    pub fn update(
        &self,
        sequence: u64,
        kind: EventKind,
        status: &str,
        balance: &str,
    ) -> PortalUpdate {
        let t = Utc.with_ymd_and_hms(2026, 1, 15, 9, 0, 0).unwrap()
            + chrono::Duration::hours(sequence as i64);
        let total = Decimal::from_str(self.total).unwrap();
        let balance = Decimal::from_str(balance).unwrap();
        let lifecycle = match status {
            "overdue" | "disputed" => {
                if balance < total {
                    "partially_paid"
                } else {
                    "open"
                }
            }
            other => other,
        };
        let days = if status == "overdue" { 12 } else { 0 };
        PortalUpdate {
            id: format!("upd_{}_{sequence}", self.id.replace(':', "_")),
            source: format!("/platforms/{}/acct_1", self.platform.slug()),
            event_type: format!("invoice.{}", kind.as_str()),
            subject: self.id.clone(),
            time: t,
            data: PortalData {
                invoice: PortalInvoice {
                    id: self.id.clone(),
                    number: Some(self.number.clone()),
                    customer: self.customer.clone(),
                    customer_name: Some(self.customer_name.clone()),
                    currency: Some(self.currency.clone()),
                    total,
                    paid: total - balance,
                    balance,
                    due_date: Some(self.due),
                    status: status.into(),
                    lifecycle: lifecycle.into(),
                    overdue: status == "overdue",
                    days_past_due: days,
                    dispute: if status == "disputed" {
                        "open".into()
                    } else {
                        "none".into()
                    },
                },
                event: PortalEventInfo {
                    kind,
                    occurred_at: t,
                    received_at: t + chrono::Duration::seconds(2),
                    platform: self.platform,
                    platform_event_id: format!("evt_{sequence}"),
                },
                sequence,
            },
        }
    }
}

pub fn config(db: &std::path::Path) -> DemoPortalConfig {
    DemoPortalConfig::new(db, vec![Secret::new(SECRET)])
}

pub async fn start(db: &std::path::Path) -> DemoPortalHandle {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    demo_portal::spawn(listener, config(db)).unwrap()
}

pub fn sink(url: &str) -> HttpPortalSink {
    HttpPortalSink::new(url, &[Secret::new(SECRET)], SinkOptions::default()).unwrap()
}

pub async fn get(url: &str) -> (u16, String) {
    let r = reqwest::get(url).await.unwrap();
    let status = r.status().as_u16();
    (status, r.text().await.unwrap())
}

/// What the wrapper does to the next requests, then it passes everything through.
#[derive(Clone)]
pub struct Script {
    remaining: Arc<AtomicUsize>,
    reply: Arc<dyn Fn() -> Response + Send + Sync>,
    pub passed: Arc<AtomicUsize>,
}

async fn wrapper(State(s): State<Script>, req: Request, next: Next) -> Response {
    let take = s
        .remaining
        .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
        .is_ok();
    if take {
        return (s.reply)();
    }
    s.passed.fetch_add(1, Ordering::SeqCst);
    next.run(req).await
}

/// The demo portal behind a wrapper that answers the first `times` requests with `reply`.
/// Returns the events URL and the script (to count what got through).
pub async fn flaky(
    db: &std::path::Path,
    times: usize,
    reply: impl Fn() -> Response + Send + Sync + 'static,
) -> (String, Script) {
    let script = Script {
        remaining: Arc::new(AtomicUsize::new(times)),
        reply: Arc::new(reply),
        passed: Arc::new(AtomicUsize::new(0)),
    };
    let app = demo_portal::router(&config(db))
        .unwrap()
        .layer(from_fn_with_state(script.clone(), wrapper));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        axum::serve(listener, app).await.unwrap();
    });
    (format!("http://{addr}"), script)
}
