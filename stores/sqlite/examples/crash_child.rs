//! The process `tests/crash.rs` kills with SIGKILL.
//!
//! `crash_child <db path> <portal url>` reads one JSON `InvoiceEvent` per line on stdin,
//! ingests each through `invoice_core::Relay` into the SQLite journal (up to 64 at once,
//! so group commit is exercised) and prints `ack <event id>` once the commit is durable,
//! as a relay answers a platform only after its commit. Meanwhile an `OutboxWorker`
//! delivers the outbox to the portal URL over HTTP. At the end of stdin it finishes the
//! events in flight, drains the outbox and prints `drained`.
//!
//! The source here is a test source that trusts its input; real connectors verify
//! signatures and are tested in their own crates.

use std::io::Write;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use bytes::Bytes;
use invoice_core::journal::Journal;
use invoice_core::{
    ConnectorInfo, DeliveryError, Handshake, IngestContext, Ingested, InvoiceEvent, InvoiceSource,
    OutboxWorker, Platform, PortalSink, PortalUpdate, Receipt, Relay, Reply, RetryPolicy, Route,
    SignatureScheme, SourceError, SystemClock, WebhookRequest,
};
use invoice_store_sqlite::SqliteJournal;
use tokio::io::AsyncBufReadExt;

/// Parses the body as one canonical event.
#[derive(Debug)]
struct JsonLineSource {
    info: ConnectorInfo,
}

#[async_trait]
impl InvoiceSource for JsonLineSource {
    fn info(&self) -> &ConnectorInfo {
        &self.info
    }

    async fn ingest(
        &self,
        request: &WebhookRequest,
        _ctx: &IngestContext,
    ) -> Result<Ingested, SourceError> {
        let event: InvoiceEvent = serde_json::from_slice(request.body())
            .map_err(|e| SourceError::Malformed(format!("not an event: {e}")))?;
        let tenant = event.key.tenant.clone();
        Ok(Ingested::events(tenant, vec![event], Reply::ok()))
    }
}

/// A minimal portal sink: POST the update as JSON with its id in `webhook-id`.
#[derive(Debug)]
struct HttpSink {
    client: reqwest::Client,
    url: String,
}

#[async_trait]
impl PortalSink for HttpSink {
    async fn deliver(&self, update: &PortalUpdate) -> Result<Receipt, DeliveryError> {
        let resp = self
            .client
            .post(&self.url)
            .header("webhook-id", &update.id)
            .json(update)
            .send()
            .await
            .map_err(|e| DeliveryError::Retryable {
                message: format!("request failed: {e}"),
                status: None,
                retry_after: None,
            })?;
        let status = resp.status().as_u16();
        match status {
            200..=299 | 409 => Ok(Receipt {
                status,
                duplicate: status == 409,
            }),
            408 | 429 | 500..=599 => Err(DeliveryError::Retryable {
                message: format!("portal answered {status}"),
                status: Some(status),
                retry_after: None,
            }),
            _ => Err(DeliveryError::Permanent {
                message: format!("portal answered {status}"),
                status: Some(status),
            }),
        }
    }
}

fn say(line: &str) {
    let mut out = std::io::stdout().lock();
    // The parent reads these; if it is gone there is no one to tell.
    let _ = writeln!(out, "{line}");
    let _ = out.flush();
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let mut args = std::env::args().skip(1);
    let (Some(path), Some(portal)) = (args.next(), args.next()) else {
        eprintln!("usage: crash_child <db path> <portal url>");
        std::process::exit(2);
    };
    let journal = match SqliteJournal::open(&path) {
        Ok(j) => Arc::new(j),
        Err(e) => {
            eprintln!("cannot open {path}: {e}");
            std::process::exit(1);
        }
    };
    let journal_dyn: Arc<dyn Journal> = journal.clone();
    let source = JsonLineSource {
        info: ConnectorInfo {
            platform: Platform::Stripe,
            signature: SignatureScheme::SharedSecret,
            signature_header: None,
            timestamped: false,
            tolerance_secs: 0,
            handshake: Handshake::None,
            thin: false,
            source_versions: true,
            rotation: false,
        },
    };
    let relay = Relay::builder(journal_dyn.clone())
        .source(Arc::new(source))
        .build();
    let sink = Arc::new(HttpSink {
        client: reqwest::Client::builder()
            .timeout(Duration::from_secs(2))
            .build()
            .unwrap_or_default(),
        url: portal,
    });
    let worker = OutboxWorker::new(journal_dyn.clone(), sink, Arc::new(SystemClock))
        .lease(Duration::from_secs(5))
        .batch(32)
        .policy(RetryPolicy {
            max_attempts: 50,
            first_backoff: Duration::from_millis(20),
            max_backoff: Duration::from_millis(200),
        });
    let delivering = {
        let worker = worker.clone();
        tokio::spawn(async move {
            loop {
                match worker.run_once().await {
                    Ok(r) if r.claimed > 0 => {}
                    Ok(_) => tokio::time::sleep(Duration::from_millis(10)).await,
                    Err(e) => {
                        eprintln!("outbox pass failed: {e}");
                        tokio::time::sleep(Duration::from_millis(50)).await;
                    }
                }
            }
        })
    };

    let permits = Arc::new(tokio::sync::Semaphore::new(64));
    let mut lines = tokio::io::BufReader::new(tokio::io::stdin()).lines();
    let mut tasks = tokio::task::JoinSet::new();
    while let Ok(Some(line)) = lines.next_line().await {
        let Ok(permit) = Arc::clone(&permits).acquire_owned().await else {
            break;
        };
        let relay = relay.clone();
        tasks.spawn(async move {
            let id = serde_json::from_str::<InvoiceEvent>(&line)
                .map(|e| e.platform_event_id)
                .unwrap_or_default();
            let request = http::Request::builder()
                .method("POST")
                .uri("/webhooks/stripe")
                .body(Bytes::from(line))
                .unwrap_or_default();
            match relay
                .ingest(Platform::Stripe, &request, Route::default())
                .await
            {
                Ok(_) => say(&format!("ack {id}")),
                Err(e) => eprintln!("nack {id}: {e}"),
            }
            drop(permit);
        });
        while tasks.try_join_next().is_some() {}
    }
    while tasks.join_next().await.is_some() {}

    // Drain: wait until every outbox row is delivered (leases of a killed predecessor
    // expire after 5 s and are claimed again).
    loop {
        match journal.outbox_counts().await {
            Ok(c) if c.pending == 0 => break,
            Ok(_) => tokio::time::sleep(Duration::from_millis(50)).await,
            Err(e) => {
                eprintln!("cannot count outbox: {e}");
                std::process::exit(1);
            }
        }
    }
    delivering.abort();
    say("drained");
}
