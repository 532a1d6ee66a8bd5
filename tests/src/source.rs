//! A test source: the body is one canonical [`InvoiceEvent`] as JSON. It trusts its input
//! (real connectors verify signatures and are tested in their own crates); what the
//! model-based test exercises is everything after the source: dedup, the state machine,
//! the journal and the outbox.

use async_trait::async_trait;
use invoice_core::{
    ConnectorInfo, Handshake, IngestContext, Ingested, InvoiceEvent, InvoiceSource, Platform,
    Reply, SignatureScheme, SourceError, WebhookRequest,
};

/// Parses the body as one [`InvoiceEvent`].
#[derive(Debug)]
pub struct JsonEventSource {
    info: ConnectorInfo,
}

impl JsonEventSource {
    /// A source that reports itself as `platform`.
    pub fn new(platform: Platform) -> Self {
        JsonEventSource {
            info: ConnectorInfo {
                platform,
                signature: SignatureScheme::SharedSecret,
                signature_header: None,
                timestamped: false,
                tolerance_secs: 0,
                handshake: Handshake::None,
                thin: false,
                source_versions: true,
                rotation: false,
            },
        }
    }
}

#[async_trait]
impl InvoiceSource for JsonEventSource {
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

/// A `POST /webhooks/<slug>` request carrying `event`.
pub fn request_for(event: &InvoiceEvent) -> WebhookRequest {
    let body = serde_json::to_vec(event).unwrap_or_default();
    let mut request = WebhookRequest::new(bytes::Bytes::from(body));
    *request.method_mut() = http::Method::POST;
    request
}
