//! The QuickBooks Online [`InvoiceSource`]: verify the raw body, detect the format, turn
//! each tracked change into a thin reference, reply 200 at once (Intuit allows 3 s).

use async_trait::async_trait;
use http::HeaderName;
use invoice_core::registry::ConfigError;
use invoice_core::{
    ConnectorInfo, Handshake, IngestContext, Ingested, InvoiceSource, Platform, Reply,
    SignatureScheme, SourceError, TenantId, WebhookRequest,
};

use crate::config::QboConfig;
use crate::payload::parse;
use crate::thin::map;
use crate::verify::{verify, HEADER};

// Prebuilt header names: a `&str` name is parsed again on every lookup.
const HEADER_NAME: HeaderName = HeaderName::from_static(HEADER);

/// QuickBooks Online's capabilities.
pub fn info() -> ConnectorInfo {
    ConnectorInfo {
        platform: Platform::QuickbooksOnline,
        signature: SignatureScheme::HmacSha256,
        signature_header: Some(HEADER),
        timestamped: false,
        tolerance_secs: 0,
        handshake: Handshake::None,
        thin: true,
        source_versions: true,
        rotation: true,
    }
}

/// The QuickBooks Online source.
#[derive(Debug)]
pub struct QboSource {
    config: QboConfig,
    info: ConnectorInfo,
}

impl QboSource {
    /// A source from its configuration (at least one non-empty verifier token).
    pub fn new(config: QboConfig) -> Result<Self, ConfigError> {
        config.validate()?;
        Ok(QboSource {
            config,
            info: info(),
        })
    }
}

#[async_trait]
impl InvoiceSource for QboSource {
    fn info(&self) -> &ConnectorInfo {
        &self.info
    }

    /// - verifies `intuit-signature` over the raw body before parsing anything (any
    ///   configured verifier token may match);
    /// - accepts the legacy `eventNotifications` object and the CloudEvents array, whatever
    ///   the content type says;
    /// - changes of realms outside `realms` (when configured) are skipped; a body with
    ///   nothing for a configured realm is `UnknownTenant`;
    /// - Invoice, Payment and CreditMemo changes become thin references, others are
    ///   skipped; the tenant is the first realm named (else the route's, else `default`);
    /// - replies `200` with an empty body once committed.
    async fn ingest(
        &self,
        request: &WebhookRequest,
        ctx: &IngestContext,
    ) -> Result<Ingested, SourceError> {
        let body = request.body();
        let header = request.headers().get(&HEADER_NAME).map(|v| v.as_bytes());
        verify(header, body, &self.config.secrets)?;
        let payload = parse(body)?;
        let mapped = map(&payload, &self.config.realms, ctx.now)?;
        let tenant = mapped
            .tenant
            .or_else(|| ctx.route_tenant.clone())
            .unwrap_or_else(TenantId::default_tenant);
        let mut ingested = Ingested::events(tenant, Vec::new(), Reply::ok());
        ingested.pending = mapped.pending;
        ingested.skipped = mapped.skipped;
        Ok(ingested)
    }
}
