//! The Odoo [`InvoiceSource`]: authenticate (signature, or the relay-verified URL token),
//! parse, map, reply 200.

use async_trait::async_trait;
use http::HeaderName;
use invoice_core::registry::ConfigError;
use invoice_core::{
    ConnectorInfo, Handshake, IngestContext, Ingested, InvoiceSource, Platform, Reply,
    SignatureScheme, SourceError, TenantId, WebhookRequest,
};

use crate::config::{Currencies, OdooConfig};
use crate::error::OdooError;
use crate::mapping::map;
use crate::payload::{text, Notification};
use crate::verify::{verify, HEADER};

// Prebuilt header names: a `&str` name is parsed again on every lookup.
const HEADER_NAME: HeaderName = HeaderName::from_static(HEADER);

/// Odoo's capabilities, as the signed module gives them. (The native action is
/// authenticated by URL token instead: the relay checks it before the source runs.)
pub fn info() -> ConnectorInfo {
    ConnectorInfo {
        platform: Platform::Odoo,
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

/// The Odoo source.
#[derive(Debug)]
pub struct OdooSource {
    config: OdooConfig,
    currencies: Currencies,
    info: ConnectorInfo,
}

impl OdooSource {
    /// A source from its configuration.
    pub fn new(config: OdooConfig) -> Result<Self, ConfigError> {
        let currencies = config.validate()?;
        let mut info = info();
        info.tolerance_secs = config.tolerance_seconds;
        Ok(OdooSource {
            config,
            currencies,
            info,
        })
    }

    fn authenticate(&self, request: &WebhookRequest, ctx: &IngestContext) -> Result<(), OdooError> {
        match request.headers().get(&HEADER_NAME) {
            // A signature that is present is checked, whatever the route.
            Some(h) => verify(
                Some(h.as_bytes()),
                request.body(),
                &self.config.secrets,
                ctx.now,
                self.config.tolerance_seconds,
            )
            .map(|_| ()),
            None if ctx.url_token_verified => Ok(()),
            None => Err(OdooError::Unauthenticated),
        }
    }
}

#[async_trait]
impl InvoiceSource for OdooSource {
    fn info(&self) -> &ConnectorInfo {
        &self.info
    }

    /// - authenticates before parsing: an `X-Odoo-Signature` header, when present, must
    ///   verify over the raw body; without one the request must have come on a URL-token
    ///   route the relay verified (`ctx.url_token_verified`), else `BadSignature`;
    /// - the tenant is the route's tenant, else the body's `_db`, else `database`, else
    ///   `default`;
    /// - one event per notification, or a skipped entry with the reason;
    /// - replies `200` with an empty body once committed (Odoo ignores the reply).
    async fn ingest(
        &self,
        request: &WebhookRequest,
        ctx: &IngestContext,
    ) -> Result<Ingested, SourceError> {
        self.authenticate(request, ctx)?;
        let n: Notification<'_> = invoice_connector_support::json::from_body(request.body())
            .map_err(SourceError::malformed)?;
        let tenant = ctx
            .route_tenant
            .clone()
            .or_else(|| text(&n.db).map(TenantId::from))
            .or_else(|| self.config.database.as_deref().map(TenantId::from))
            .unwrap_or_else(TenantId::default_tenant);
        let mapped = map(&n, &tenant, &self.currencies, ctx.now);
        let mut ingested = Ingested::events(tenant, mapped.events, Reply::ok());
        ingested.skipped = mapped.skipped;
        Ok(ingested)
    }
}
