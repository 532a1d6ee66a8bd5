//! The Jira Service Management [`InvoiceSource`]: verify, parse the issue event, map,
//! reply 200.

use async_trait::async_trait;
use http::HeaderName;
use invoice_core::registry::ConfigError;
use invoice_core::{
    ConnectorInfo, Handshake, IngestContext, Ingested, InvoiceSource, Platform, Reply,
    SignatureScheme, SourceError, TenantId, WebhookRequest,
};

use crate::config::JsmConfig;
use crate::error::JsmError;
use crate::mapping::{map_event, site_of};
use crate::payload::Event;
use crate::verify::{verify_signature, verify_token, HEADER};

// Prebuilt header names: a `&str` name is parsed again on every lookup.
const HEADER_NAME: HeaderName = HeaderName::from_static(HEADER);
const IDENTIFIER_HEADER_NAME: HeaderName = HeaderName::from_static(IDENTIFIER_HEADER);

/// Jira's delivery id, stable across retries.
pub const IDENTIFIER_HEADER: &str = "x-atlassian-webhook-identifier";

/// Jira Service Management's capabilities.
pub fn info() -> ConnectorInfo {
    ConnectorInfo {
        platform: Platform::JiraServiceManagement,
        signature: SignatureScheme::HmacSha256,
        signature_header: Some(HEADER),
        timestamped: false,
        tolerance_secs: 0,
        handshake: Handshake::None,
        thin: false,
        source_versions: true,
        rotation: true,
    }
}

/// The Jira Service Management source.
#[derive(Debug)]
pub struct JsmSource {
    config: JsmConfig,
    info: ConnectorInfo,
}

impl JsmSource {
    /// A source from its configuration (a webhook secret or a header token).
    pub fn new(config: JsmConfig) -> Result<Self, ConfigError> {
        config.validate()?;
        Ok(JsmSource {
            config,
            info: info(),
        })
    }
}

#[async_trait]
impl InvoiceSource for JsmSource {
    fn info(&self) -> &ConnectorInfo {
        &self.info
    }

    /// - verifies `X-Hub-Signature` over the raw body, or (without it) the configured
    ///   shared-secret header, before parsing anything;
    /// - the event id is `X-Atlassian-Webhook-Identifier` (stable across Jira's retries),
    ///   else `<issue id>@<updated ms>`;
    /// - the tenant is `site`, else the host of `issue.self`, else the route tenant;
    /// - replies `200` with an empty body once committed.
    async fn ingest(
        &self,
        request: &WebhookRequest,
        ctx: &IngestContext,
    ) -> Result<Ingested, SourceError> {
        let headers = request.headers();
        match (
            headers.get(&HEADER_NAME),
            headers.get(self.config.token_header.as_str()),
        ) {
            (Some(sig), _) => {
                verify_signature(sig.as_bytes(), request.body(), &self.config.secrets)?
            }
            (None, Some(token)) => verify_token(token.as_bytes(), &self.config.header_tokens)?,
            (None, None) => return Err(JsmError::MissingHeader.into()),
        }
        let event: Event<'_> = invoice_connector_support::json::from_body(request.body())
            .map_err(SourceError::malformed)?;
        let tenant = self
            .config
            .site
            .clone()
            .or_else(|| event.issue.as_ref().and_then(site_of))
            .map(TenantId)
            .or_else(|| ctx.route_tenant.clone())
            .unwrap_or_else(TenantId::default_tenant);
        let identifier = headers
            .get(&IDENTIFIER_HEADER_NAME)
            .and_then(|v| v.to_str().ok())
            .filter(|v| !v.is_empty() && v.len() <= 128);
        let mapped = map_event(&event, &tenant, &self.config, identifier, ctx.now)?;
        let mut ingested = Ingested::events(tenant, mapped.events, Reply::ok());
        ingested.skipped = mapped.skipped;
        Ok(ingested)
    }
}
