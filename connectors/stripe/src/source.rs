//! The Stripe [`InvoiceSource`]: verify the raw body, parse, map, reply 200.

use async_trait::async_trait;
use http::HeaderName;
use invoice_core::registry::ConfigError;
use invoice_core::{
    ConnectorInfo, Handshake, IngestContext, Ingested, InvoiceSource, Platform, Reply,
    SignatureScheme, SourceError, TenantId, WebhookRequest,
};

use crate::config::StripeConfig;
use crate::mapping::{map_event, map_one_pass};
use crate::payload::Event;
use crate::verify::{verify, HEADER};

// Prebuilt header names: a `&str` name is parsed again on every lookup.
const HEADER_NAME: HeaderName = HeaderName::from_static(HEADER);

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

    /// The event's Connect `account`, else the configured `account`, else the route's
    /// tenant, else `default`.
    fn tenant(&self, account: Option<&str>, ctx: &IngestContext) -> TenantId {
        account
            .map(str::to_owned)
            .or_else(|| self.config.account.clone())
            .or_else(|| ctx.route_tenant.as_ref().map(|t| t.0.clone()))
            .map(TenantId)
            .unwrap_or_else(TenantId::default_tenant)
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
        let header = request.headers().get(&HEADER_NAME).map(|v| v.as_bytes());
        verify(
            header,
            body,
            &self.config.secrets,
            ctx.now,
            self.config.tolerance_seconds,
        )?;
        // One scan of the body when the event is plainly readable; otherwise the two-pass
        // path decides (and names the error). Both map to the same events.
        let mapped = match crate::fast::read(body) {
            Some(event) => {
                let tenant = self.tenant(event.account.as_deref(), ctx);
                let mapped = map_one_pass(event, &tenant, body)?;
                (tenant, mapped)
            }
            None => {
                let event: Event<'_> =
                    serde_json::from_slice(body).map_err(SourceError::malformed)?;
                let tenant = self.tenant(event.account.as_deref(), ctx);
                let mapped = map_event(&event, &tenant, body)?;
                (tenant, mapped)
            }
        };
        let (tenant, mapped) = mapped;
        let mut ingested = Ingested::events(tenant, mapped.events, Reply::ok());
        ingested.pending = mapped.pending;
        ingested.skipped = mapped.skipped;
        Ok(ingested)
    }
}
