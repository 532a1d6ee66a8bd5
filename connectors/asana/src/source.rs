//! The Asana [`InvoiceSource`]: the `X-Hook-Secret` handshake, then verified deliveries
//! turned into thin references (Asana allows 10 s for the reply).

use std::fmt;
use std::sync::Arc;

use async_trait::async_trait;
use http::{HeaderName, HeaderValue, StatusCode};
use invoice_core::registry::ConfigError;
use invoice_core::{
    ConnectorInfo, Handshake, IngestContext, Ingested, InvoiceSource, Platform, Reply, Secret,
    SignatureScheme, SourceError, TenantId, WebhookRequest,
};

use crate::config::AsanaConfig;
use crate::error::AsanaError;
use crate::mapping::map_events;
use crate::payload::Envelope;
use crate::verify::{handshake_secret, verify, HANDSHAKE_HEADER, HEADER};

// Prebuilt header names: a `&str` name is parsed again on every lookup.
const HANDSHAKE_HEADER_NAME: HeaderName = HeaderName::from_static(HANDSHAKE_HEADER);
const HEADER_NAME: HeaderName = HeaderName::from_static(HEADER);

/// Asana's capabilities.
pub fn info() -> ConnectorInfo {
    ConnectorInfo {
        platform: Platform::Asana,
        signature: SignatureScheme::HmacSha256,
        signature_header: Some(HEADER),
        timestamped: false,
        tolerance_secs: 0,
        handshake: Handshake::ChallengeEcho,
        thin: true,
        source_versions: true,
        rotation: true,
    }
}

/// Told about every handshake, so a host that creates webhooks itself can keep the new
/// secret (in its own secret store) and add it to the source's `secrets`.
///
/// Anyone can send a handshake: an observer must only accept a secret while its own
/// `POST /webhooks` call for that target is in flight.
pub trait HandshakeObserver: Send + Sync + fmt::Debug {
    /// A handshake arrived for `tenant` with `secret`.
    fn handshake(&self, tenant: &TenantId, secret: &Secret);
}

/// The Asana source.
#[derive(Debug)]
pub struct AsanaSource {
    config: AsanaConfig,
    info: ConnectorInfo,
    observer: Option<Arc<dyn HandshakeObserver>>,
}

impl AsanaSource {
    /// A source from its configuration (at least one non-empty secret).
    pub fn new(config: AsanaConfig) -> Result<Self, ConfigError> {
        config.validate()?;
        Ok(AsanaSource {
            config,
            info: info(),
            observer: None,
        })
    }

    /// Installs a handshake observer.
    pub fn with_handshake_observer(mut self, observer: Arc<dyn HandshakeObserver>) -> Self {
        self.observer = Some(observer);
        self
    }

    fn tenant(&self, ctx: &IngestContext) -> TenantId {
        self.config
            .workspace
            .clone()
            .map(TenantId)
            .or_else(|| ctx.route_tenant.clone())
            .unwrap_or_else(TenantId::default_tenant)
    }
}

#[async_trait]
impl InvoiceSource for AsanaSource {
    fn info(&self) -> &ConnectorInfo {
        &self.info
    }

    /// - a request with `X-Hook-Secret` and no `X-Hook-Signature` is the handshake:
    ///   `200` echoing the header, nothing stored (the observer, if any, is told);
    /// - otherwise `X-Hook-Signature` is verified over the raw body before parsing;
    /// - a heartbeat (`{"events":[]}`) is `200` with nothing to commit;
    /// - each task with tracked events becomes one thin reference;
    /// - the tenant is `workspace`, else the route tenant, else `default`.
    async fn ingest(
        &self,
        request: &WebhookRequest,
        ctx: &IngestContext,
    ) -> Result<Ingested, SourceError> {
        let headers = request.headers();
        let signature = headers.get(&HEADER_NAME).map(|v| v.as_bytes());
        let tenant = self.tenant(ctx);
        if let (None, Some(hs)) = (signature, headers.get(&HANDSHAKE_HEADER_NAME)) {
            let value = handshake_secret(hs.as_bytes())?;
            let echo = HeaderValue::from_str(value).map_err(|_| AsanaError::BadHandshake)?;
            if let Some(o) = &self.observer {
                o.handshake(&tenant, &Secret::new(value));
            }
            tracing::info!(tenant = %tenant.as_str(), "asana webhook handshake answered");
            let reply = Reply::empty(StatusCode::OK)
                .header(HeaderName::from_static(HANDSHAKE_HEADER), echo);
            return Ok(Ingested::handshake(tenant, reply));
        }
        verify(signature, request.body(), &self.config.secrets)?;
        let envelope: Envelope<'_> = invoice_connector_support::json::from_body(request.body())
            .map_err(SourceError::malformed)?;
        let mapped = map_events(
            &envelope.events,
            &tenant,
            &self.config.watch_fields,
            ctx.now,
        )?;
        let mut ingested = Ingested::events(tenant, Vec::new(), Reply::ok());
        ingested.pending = mapped.pending;
        ingested.skipped = mapped.skipped;
        Ok(ingested)
    }
}
