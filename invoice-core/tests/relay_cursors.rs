//! Sources that poll (QuickBooks Web Connector) keep their sync position in the journal:
//! cursors in `Ingested` are committed with the events, a duplicate delivery with the same
//! cursor stores nothing, and the source reads the cursor back through `IngestContext`.
#![allow(clippy::unwrap_used)] // tests: a panic is the failure report
#![allow(missing_docs)]

use std::sync::Arc;

use async_trait::async_trait;
use bytes::Bytes;
use chrono::{TimeZone, Utc};
use invoice_core::journal::{Journal, MemoryJournal};
use invoice_core::{
    ConnectorInfo, Handshake, IngestContext, Ingested, InvoiceSource, ManualClock, Platform, Relay,
    Reply, Route, SignatureScheme, Skipped, SourceError, TenantId, WebhookRequest,
};

#[derive(Debug)]
struct Poller {
    info: ConnectorInfo,
}

#[async_trait]
impl InvoiceSource for Poller {
    fn info(&self) -> &ConnectorInfo {
        &self.info
    }
    async fn ingest(
        &self,
        request: &WebhookRequest,
        ctx: &IngestContext,
    ) -> Result<Ingested, SourceError> {
        let body = String::from_utf8_lossy(request.body()).into_owned();
        let reader = ctx
            .cursors
            .as_ref()
            .ok_or(SourceError::Upstream("no cursors".into()))?;
        let current = reader
            .cursor("poller:sync")
            .await
            .map_err(SourceError::Upstream)?;
        if body == "read" {
            let reply = Reply::with_body(
                http::StatusCode::OK,
                "text/plain",
                current.unwrap_or_else(|| "unset".into()),
            );
            return Ok(Ingested::handshake(TenantId::default_tenant(), reply));
        }
        let mut out = Ingested::events(TenantId::default_tenant(), Vec::new(), Reply::ok());
        out.skipped.push(Skipped {
            event_id: format!("batch-{body}"),
            event_type: "poll".into(),
            reason: "test".into(),
        });
        out.cursors.push(("poller:sync".into(), body));
        Ok(out)
    }
}

fn request(body: &str) -> WebhookRequest {
    http::Request::post("/webhooks/quickbooks-desktop")
        .body(Bytes::from(body.to_owned()))
        .unwrap()
}

#[tokio::test]
async fn cursors_commit_with_the_batch_and_read_back() {
    let journal = Arc::new(MemoryJournal::new());
    let relay = Relay::builder(journal.clone())
        .source(Arc::new(Poller {
            info: ConnectorInfo {
                platform: Platform::QuickbooksDesktop,
                signature: SignatureScheme::SharedSecret,
                signature_header: None,
                timestamped: false,
                tolerance_secs: 0,
                handshake: Handshake::None,
                thin: false,
                source_versions: true,
                rotation: false,
            },
        }))
        .clock(Arc::new(ManualClock::new(
            Utc.timestamp_opt(1_768_381_964, 0).unwrap(),
        )))
        .build();
    let p = Platform::QuickbooksDesktop;
    let read =
        |r: &invoice_core::IngestOutcome| String::from_utf8_lossy(&r.reply.body).into_owned();
    let first = relay
        .ingest(p, &request("read"), Route::default())
        .await
        .unwrap();
    assert_eq!(read(&first), "unset");
    relay
        .ingest(p, &request("2026-01-14T09:12:44-08:00"), Route::default())
        .await
        .unwrap();
    assert_eq!(
        journal.cursor("poller:sync").await.unwrap().as_deref(),
        Some("2026-01-14T09:12:44-08:00")
    );
    let after = relay
        .ingest(p, &request("read"), Route::default())
        .await
        .unwrap();
    assert_eq!(read(&after), "2026-01-14T09:12:44-08:00");
    // The same delivery again: a duplicate, and nothing new is stored.
    let audit_before = journal.audit(&Default::default()).await.unwrap().len();
    let dup = relay
        .ingest(p, &request("2026-01-14T09:12:44-08:00"), Route::default())
        .await
        .unwrap();
    assert_eq!(dup.report.duplicates, 1);
    assert_eq!(
        journal.audit(&Default::default()).await.unwrap().len(),
        audit_before
    );
}
