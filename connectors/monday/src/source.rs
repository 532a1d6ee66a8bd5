//! The monday.com [`InvoiceSource`]: the challenge echo, then JWT-authenticated events.

use async_trait::async_trait;
use http::HeaderName;
use http::StatusCode;
use invoice_core::registry::ConfigError;
use invoice_core::{
    ConnectorInfo, Handshake, IngestContext, Ingested, InvoiceSource, Platform, Reply,
    SignatureScheme, SourceError, TenantId, WebhookRequest,
};

use crate::config::MondayConfig;
use crate::error::MondayError;
use crate::mapping::map_event;
use crate::payload::{Challenge, Envelope};
use crate::verify::{verify, HEADER};

// Prebuilt header names: a `&str` name is parsed again on every lookup.
const HEADER_NAME: HeaderName = HeaderName::from_static(HEADER);

/// monday.com's capabilities.
pub fn info() -> ConnectorInfo {
    ConnectorInfo {
        platform: Platform::Monday,
        signature: SignatureScheme::Jwt,
        signature_header: Some(HEADER),
        timestamped: true,
        tolerance_secs: 300,
        handshake: Handshake::ChallengeEcho,
        thin: true,
        source_versions: true,
        rotation: true,
    }
}

/// The monday.com source.
#[derive(Debug)]
pub struct MondaySource {
    config: MondayConfig,
    info: ConnectorInfo,
}

impl MondaySource {
    /// A source from its configuration (at least one non-empty signing secret).
    pub fn new(config: MondayConfig) -> Result<Self, ConfigError> {
        config.validate()?;
        let mut info = info();
        info.tolerance_secs = config.tolerance_seconds;
        Ok(MondaySource { config, info })
    }
}

#[async_trait]
impl InvoiceSource for MondaySource {
    fn info(&self) -> &ConnectorInfo {
        &self.info
    }

    /// - a body that is exactly `{"challenge": "..."}` is answered `200` with the same
    ///   JSON bytes, nothing stored (echoing proves only that we received it);
    /// - otherwise the `Authorization` JWT is verified (signature, then time from
    ///   `ctx.now`) before the body is parsed; without one, the request is accepted only
    ///   when `accept_url_token` is set and the relay verified the route's URL token;
    /// - the tenant is the JWT's `accountId`, else the route tenant, else `default`.
    async fn ingest(
        &self,
        request: &WebhookRequest,
        ctx: &IngestContext,
    ) -> Result<Ingested, SourceError> {
        let route_tenant = || {
            ctx.route_tenant
                .clone()
                .unwrap_or_else(TenantId::default_tenant)
        };
        if invoice_connector_support::json::from_body::<Challenge>(request.body()).is_ok() {
            let reply =
                Reply::with_body(StatusCode::OK, "application/json", request.body().clone());
            return Ok(Ingested::handshake(route_tenant(), reply));
        }
        let header = request.headers().get(&HEADER_NAME).map(|v| v.as_bytes());
        let tenant = match header {
            None if self.config.accept_url_token && ctx.url_token_verified => route_tenant(),
            None => return Err(MondayError::MissingToken.into()),
            Some(_) => {
                let claims = verify(
                    header,
                    &self.config.secrets,
                    ctx.now,
                    self.config.tolerance_seconds,
                )?;
                claims
                    .account_id
                    .map(|a| TenantId(a.to_string()))
                    .unwrap_or_else(route_tenant)
            }
        };
        let envelope: Envelope<'_> = invoice_connector_support::json::from_body(request.body())
            .map_err(SourceError::malformed)?;
        let mapped = map_event(&envelope.event, &tenant, &self.config, ctx.now)?;
        let mut ingested = Ingested::events(tenant, mapped.events, Reply::ok());
        ingested.pending = mapped.pending;
        ingested.skipped = mapped.skipped;
        Ok(ingested)
    }
}
