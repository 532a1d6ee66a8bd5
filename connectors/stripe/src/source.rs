//! The Stripe [`InvoiceSource`]: verify the raw body, parse, map, reply 200.

use async_trait::async_trait;
use invoice_core::registry::ConfigError;
use invoice_core::{
    ConnectorInfo, Handshake, IngestContext, Ingested, InvoiceSource, Platform, Reply,
    SignatureScheme, SourceError, TenantId, WebhookRequest,
};

use crate::config::StripeConfig;
use crate::mapping::map_event;
use crate::payload::Event;
use crate::verify::{verify, HEADER};

/// Stripe's capabilities.
pub fn info() -> ConnectorInfo {
    ConnectorInfo {
        platform: Platform::Stripe,
        signature: SignatureScheme::HmacSha256,
        signature_header: Some(HEADER),
        timestamped: true,
        tolerance_secs: 300,
        handshake: Handshake::None,
        thin: false,
        source_versions: true,
        rotation: true,
    }
}

/// The Stripe source.
#[derive(Debug)]
pub struct StripeSource {
    config: StripeConfig,
    info: ConnectorInfo,
}

impl StripeSource {
    /// A source from its configuration (at least one non-empty secret).
    pub fn new(config: StripeConfig) -> Result<Self, ConfigError> {
        config.validate()?;
        let mut info = info();
        info.tolerance_secs = config.tolerance_seconds;
        Ok(StripeSource { config, info })
    }
}

#[async_trait]
impl InvoiceSource for StripeSource {
    fn info(&self) -> &ConnectorInfo {
        &self.info
    }

    /// - verifies `Stripe-Signature` over the raw body before parsing anything;
    /// - the tenant is the event's Connect `account`, else the configured `account`, else
    ///   `default`;
    /// - replies `200` with an empty body once committed.
    async fn ingest(
        &self,
        request: &WebhookRequest,
        ctx: &IngestContext,
    ) -> Result<Ingested, SourceError> {
        let body = request.body();
        let header = request.headers().get(HEADER).map(|v| v.as_bytes());
        verify(
            header,
            body,
            &self.config.secrets,
            ctx.now,
            self.config.tolerance_seconds,
        )?;
        let event: Event<'_> = serde_json::from_slice(body).map_err(SourceError::malformed)?;
        let tenant = event
            .account
            .as_deref()
            .map(str::to_owned)
            .or_else(|| self.config.account.clone())
            .or_else(|| ctx.route_tenant.as_ref().map(|t| t.0.clone()))
            .map(TenantId)
            .unwrap_or_else(TenantId::default_tenant);
        let mapped = map_event(&event, &tenant, body)?;
        let mut ingested = Ingested::events(tenant, mapped.events, Reply::ok());
        ingested.pending = mapped.pending;
        ingested.skipped = mapped.skipped;
        Ok(ingested)
    }
}
