//! The Zoho Books [`InvoiceSource`]: authenticate, parse the invoice, map, reply 200.

use async_trait::async_trait;
use invoice_core::registry::ConfigError;
use invoice_core::{
    ConnectorInfo, Handshake, IngestContext, Ingested, InvoiceSource, Platform, Reply,
    SignatureScheme, SourceError, TenantId, WebhookRequest,
};

use crate::config::ZohoConfig;
use crate::error::ZohoError;
use crate::mapping::map_invoice;
use crate::payload::parse_body;
use crate::verify::{verify_signature, verify_token, SIGNATURE_HEADER, TOKEN_HEADER};

/// Zoho Books' capabilities.
pub fn info() -> ConnectorInfo {
    ConnectorInfo {
        platform: Platform::ZohoBooks,
        signature: SignatureScheme::SharedSecret,
        signature_header: Some(TOKEN_HEADER),
        timestamped: false,
        tolerance_secs: 0,
        handshake: Handshake::None,
        thin: false,
        source_versions: true,
        rotation: true,
    }
}

/// The Zoho Books source.
#[derive(Debug)]
pub struct ZohoSource {
    config: ZohoConfig,
    info: ConnectorInfo,
}

impl ZohoSource {
    /// A source from its configuration.
    pub fn new(config: ZohoConfig) -> Result<Self, ConfigError> {
        config.validate()?;
        Ok(ZohoSource {
            config,
            info: info(),
        })
    }

    fn authenticate(&self, request: &WebhookRequest, ctx: &IngestContext) -> Result<(), ZohoError> {
        let headers = request.headers();
        if let Some(sig) = headers.get(SIGNATURE_HEADER) {
            let is_form = headers
                .get(http::header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
            return verify_signature(
                sig.as_bytes(),
                request.uri().query().unwrap_or(""),
                request.body(),
                is_form,
                &self.config.hmac_secrets,
            );
        }
        if let Some(token) = headers.get(self.config.token_header.as_str()) {
            return verify_token(token.as_bytes(), &self.config.secrets);
        }
        if self.config.accept_url_token && ctx.url_token_verified {
            return Ok(());
        }
        Err(ZohoError::Missing)
    }
}

#[async_trait]
impl InvoiceSource for ZohoSource {
    fn info(&self) -> &ConnectorInfo {
        &self.info
    }

    /// - authenticates before parsing: `X-Zoho-Webhook-Signature` if present (only with
    ///   `hmac_secrets`), else the secret header, else a URL token the relay verified
    ///   (only with `accept_url_token`);
    /// - the tenant is `organization_id`, else the route tenant, else `default`;
    /// - replies `200` with an empty body once committed.
    async fn ingest(
        &self,
        request: &WebhookRequest,
        ctx: &IngestContext,
    ) -> Result<Ingested, SourceError> {
        self.authenticate(request, ctx)?;
        let invoice = parse_body(request.body()).map_err(SourceError::malformed)?;
        let tenant = self
            .config
            .organization_id
            .clone()
            .map(TenantId)
            .or_else(|| ctx.route_tenant.clone())
            .unwrap_or_else(TenantId::default_tenant);
        let mapped = map_invoice(&invoice, &tenant, ctx.now)?;
        let mut ingested = Ingested::events(tenant, mapped.events, Reply::ok());
        ingested.skipped = mapped.skipped;
        Ok(ingested)
    }
}
