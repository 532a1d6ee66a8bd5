//! The Xero [`InvoiceSource`]: verify the raw body, answer intent-to-receive probes, turn
//! each invoice event into a thin reference, reply 200 with an empty body (Xero allows
//! 5 s, and wants no body and no cookies).

use async_trait::async_trait;
use http::HeaderName;
use invoice_core::registry::ConfigError;
use invoice_core::{
    ConnectorInfo, Handshake, IngestContext, Ingested, InvoiceSource, Platform, Reply,
    SignatureScheme, SourceError, TenantId, WebhookRequest,
};

use crate::config::XeroConfig;
use crate::payload::parse;
use crate::thin::map;
use crate::verify::{verify, HEADER};

// Prebuilt header names: a `&str` name is parsed again on every lookup.
const HEADER_NAME: HeaderName = HeaderName::from_static(HEADER);

/// Xero's capabilities.
pub fn info() -> ConnectorInfo {
    ConnectorInfo {
        platform: Platform::Xero,
        signature: SignatureScheme::HmacSha256,
        signature_header: Some(HEADER),
        timestamped: false,
        tolerance_secs: 0,
        handshake: Handshake::IntentToReceive,
        thin: true,
        source_versions: true,
        rotation: true,
    }
}

/// The Xero source.
#[derive(Debug)]
pub struct XeroSource {
    config: XeroConfig,
    info: ConnectorInfo,
}

impl XeroSource {
    /// A source from its configuration (at least one non-empty webhook key).
    pub fn new(config: XeroConfig) -> Result<Self, ConfigError> {
        config.validate()?;
        Ok(XeroSource {
            config,
            info: info(),
        })
    }
}

#[async_trait]
impl InvoiceSource for XeroSource {
    fn info(&self) -> &ConnectorInfo {
        &self.info
    }

    /// - verifies `x-xero-signature` over the raw body before parsing anything (any
    ///   configured webhook key may match); a bad one is `BadSignature` (401), which is
    ///   also the intent-to-receive answer to an incorrectly signed probe;
    /// - a correctly signed body without events is an intent-to-receive probe: a
    ///   handshake, `200` with an empty body, nothing committed;
    /// - events of tenants outside `tenants` (when configured) are skipped; a body with
    ///   nothing for a configured tenant is `UnknownTenant`;
    /// - `INVOICE` events become thin references, others are skipped; the tenant is the
    ///   first `tenantId` (else the route's, else `default`);
    /// - replies `200` with an empty body once committed.
    async fn ingest(
        &self,
        request: &WebhookRequest,
        ctx: &IngestContext,
    ) -> Result<Ingested, SourceError> {
        let body = request.body();
        let header = request.headers().get(&HEADER_NAME).map(|v| v.as_bytes());
        verify(header, body, &self.config.secrets)?;
        let payload = parse(body).map_err(SourceError::malformed)?;
        let fallback = || {
            ctx.route_tenant
                .clone()
                .unwrap_or_else(TenantId::default_tenant)
        };
        if payload.events.is_empty() {
            return Ok(Ingested::handshake(fallback(), Reply::ok()));
        }
        let mapped = map(&payload, &self.config.tenants, ctx.now)?;
        let tenant = mapped.tenant.unwrap_or_else(fallback);
        let mut ingested = Ingested::events(tenant, Vec::new(), Reply::ok());
        ingested.pending = mapped.pending;
        ingested.skipped = mapped.skipped;
        Ok(ingested)
    }
}
