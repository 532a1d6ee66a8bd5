//! The HubSpot [`InvoiceSource`]: verify the raw request, parse the batch, map status
//! changes, queue thin references, reply 200 (HubSpot waits 5 s at most).

use async_trait::async_trait;
use http::HeaderName;
use invoice_core::registry::ConfigError;
use invoice_core::{
    ConnectorInfo, Handshake, IngestContext, Ingested, InvoiceSource, Platform, Reply,
    SignatureScheme, SourceError, TenantId, WebhookRequest,
};

use crate::config::HubspotConfig;
use crate::mapping::map_batch;
use crate::payload::parse;
use crate::verify::{
    public_uri, verify, Signed, HEADER_LEGACY, HEADER_TIMESTAMP, HEADER_V3, HEADER_VERSION,
};

const NAME_V3: HeaderName = HeaderName::from_static(HEADER_V3);
const NAME_TIMESTAMP: HeaderName = HeaderName::from_static(HEADER_TIMESTAMP);
const NAME_LEGACY: HeaderName = HeaderName::from_static(HEADER_LEGACY);
const NAME_VERSION: HeaderName = HeaderName::from_static(HEADER_VERSION);

/// HubSpot's capabilities.
pub fn info() -> ConnectorInfo {
    ConnectorInfo {
        platform: Platform::Hubspot,
        signature: SignatureScheme::HmacSha256,
        signature_header: Some(HEADER_V3),
        timestamped: true,
        tolerance_secs: 300,
        handshake: Handshake::None,
        thin: true,
        source_versions: true,
        rotation: true,
    }
}

/// The HubSpot source.
#[derive(Debug)]
pub struct HubspotSource {
    config: HubspotConfig,
    info: ConnectorInfo,
}

impl HubspotSource {
    /// A source from its configuration (at least one non-empty secret).
    pub fn new(config: HubspotConfig) -> Result<Self, ConfigError> {
        config.validate()?;
        let mut info = info();
        info.tolerance_secs = config.tolerance_seconds;
        Ok(HubspotSource { config, info })
    }
}

#[async_trait]
impl InvoiceSource for HubspotSource {
    fn info(&self) -> &ConnectorInfo {
        &self.info
    }

    /// - verifies v3 (or, if enabled, v1/v2) over the raw body before parsing; the URI is
    ///   `ctx.public_url`, else `public_base_url` + the request's path and query;
    /// - an event from a portal outside `portal_ids` refuses the whole request (403);
    /// - the tenant is the first event's `portalId` (each event keys its own invoice by
    ///   its own portal), else the route tenant, else `default`;
    /// - replies `200` with an empty body once committed.
    async fn ingest(
        &self,
        request: &WebhookRequest,
        ctx: &IngestContext,
    ) -> Result<Ingested, SourceError> {
        let headers = request.headers();
        // Looked up by prebuilt names: a `&str` name is parsed again on every lookup.
        let header = |name: &HeaderName| headers.get(name).map(|v| v.as_bytes());
        let uri = ctx.public_url.clone().or_else(|| {
            self.config
                .public_base_url
                .as_deref()
                .map(|b| public_uri(b, request.uri()))
        });
        let signed = Signed {
            method: request.method().as_str(),
            uri: uri.as_deref(),
            body: request.body(),
            v3: header(&NAME_V3),
            timestamp: header(&NAME_TIMESTAMP),
            legacy: header(&NAME_LEGACY),
            version: header(&NAME_VERSION),
        };
        verify(
            &signed,
            &self.config.secrets,
            ctx.now,
            self.config.tolerance_seconds,
            self.config.accept_legacy_signatures,
        )?;
        let events = parse(request.body()).map_err(SourceError::malformed)?;
        if !self.config.portal_ids.is_empty() {
            if let Some(e) = events
                .iter()
                .find(|e| !self.config.portal_ids.contains(&e.portal_id))
            {
                return Err(SourceError::UnknownTenant(e.portal_id.to_string()));
            }
        }
        let tenant = events
            .first()
            .map(|e| TenantId(e.portal_id.to_string()))
            .or_else(|| ctx.route_tenant.clone())
            .unwrap_or_else(TenantId::default_tenant);
        let mapped = map_batch(&events, ctx.now)?;
        let mut ingested = Ingested::events(tenant, mapped.events, Reply::ok());
        ingested.pending = mapped.pending;
        ingested.skipped = mapped.skipped;
        Ok(ingested)
    }
}
