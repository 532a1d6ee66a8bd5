//! The PayPal [`InvoiceSource`]: one source for both channels, routed by content type.
//!
//! - `application/json`: a REST webhook. The transmission signature is verified over the
//!   raw body first (certificate or API), then the event is parsed and mapped.
//! - `application/x-www-form-urlencoded`: an IPN. Nothing in it is trusted: the exact body
//!   bytes are stored as a pending [`ThinReference`] and PayPal gets its empty `200` at
//!   once; the [`PaypalIpnEnricher`](crate::PaypalIpnEnricher) later posts it back and
//!   applies it only if PayPal answers `VERIFIED`.

use std::time::Duration;

use async_trait::async_trait;
use invoice_core::registry::ConfigError;
use invoice_core::{
    ConnectorInfo, Handshake, IngestContext, Ingested, InvoiceSource, Platform, Reply,
    SignatureScheme, SourceError, TenantId, ThinReference, WebhookRequest,
};

use crate::api::VerifyApi;
use crate::certs::CertCache;
use crate::config::{PaypalConfig, Verification};
use crate::error::PaypalError;
use crate::ipn;
use crate::mapping::rest::map_event;
use crate::payload::Event;
use crate::urls::parse_endpoint;
use crate::verify::{read_transmission, verify_with_key, HEADER};

/// PayPal's capabilities. The signature is the REST channel's; IPN messages carry none and
/// are verified by postback in the enrichment worker (`thin`).
pub fn info() -> ConnectorInfo {
    ConnectorInfo {
        platform: Platform::Paypal,
        signature: SignatureScheme::Certificate,
        signature_header: Some(HEADER),
        timestamped: false,
        tolerance_secs: 0,
        handshake: Handshake::None,
        thin: true,
        source_versions: true,
        rotation: true,
    }
}

/// Which channel a request belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Channel {
    /// REST webhook (JSON).
    Rest,
    /// IPN (form).
    Ipn,
}

/// The channel of a request, from its `Content-Type` (parameters ignored).
pub fn channel(request: &WebhookRequest) -> Result<Channel, PaypalError> {
    let ct = request
        .headers()
        .get(http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let mime = ct.split(';').next().unwrap_or("").trim();
    if mime.eq_ignore_ascii_case("application/json") {
        Ok(Channel::Rest)
    } else if mime.eq_ignore_ascii_case("application/x-www-form-urlencoded") {
        Ok(Channel::Ipn)
    } else {
        Err(PaypalError::ContentType)
    }
}

/// The PayPal source.
#[derive(Debug)]
pub struct PaypalSource {
    config: PaypalConfig,
    info: ConnectorInfo,
    certs: CertCache,
    api: Option<VerifyApi>,
}

impl PaypalSource {
    /// A source from its configuration.
    pub fn new(config: PaypalConfig) -> Result<Self, ConfigError> {
        config.validate()?;
        let timeout = Duration::from_secs(config.timeout_seconds);
        let certs = CertCache::new(config.cert_hosts.clone(), timeout)
            .map_err(|e| ConfigError::Invalid(format!("http client: {e}")))?;
        let api = match (
            config.verification,
            &config.client_id,
            &config.client_secret,
        ) {
            (Verification::Api, Some(id), Some(secret)) => {
                let base = parse_endpoint(&config.api_base)
                    .map_err(|e| ConfigError::Invalid(format!("sources.paypal.api_base: {e}")))?;
                Some(
                    VerifyApi::new(base, id.clone(), secret.clone(), timeout)
                        .map_err(|e| ConfigError::Invalid(format!("http client: {e}")))?,
                )
            }
            _ => None,
        };
        Ok(PaypalSource {
            config,
            info: info(),
            certs,
            api,
        })
    }

    /// The signing-certificate cache (to pin a certificate for offline use or tests).
    pub fn certificates(&self) -> &CertCache {
        &self.certs
    }

    fn tenant(&self, ctx: &IngestContext, fallback: Option<String>) -> TenantId {
        self.config
            .tenant
            .clone()
            .map(TenantId)
            .or_else(|| ctx.route_tenant.clone())
            .or(fallback.map(TenantId))
            .unwrap_or_else(TenantId::default_tenant)
    }

    async fn verify_rest(
        &self,
        request: &WebhookRequest,
        ctx: &IngestContext,
    ) -> Result<(), PaypalError> {
        let t = read_transmission(request.headers())?;
        if self.config.secrets.is_empty() {
            return Err(PaypalError::NoWebhookId);
        }
        let body = request.body();
        match (&self.api, self.config.verification) {
            (Some(api), Verification::Api) => {
                api.verify(&t, &self.config.secrets, body, ctx.now).await
            }
            _ => {
                let cert = self.certs.key_for(&t.cert_url, ctx.now).await?;
                verify_with_key(&cert.key, &t, &self.config.secrets, body)
            }
        }
    }

    async fn ingest_rest(
        &self,
        request: &WebhookRequest,
        ctx: &IngestContext,
    ) -> Result<Ingested, SourceError> {
        self.verify_rest(request, ctx).await?;
        let event: Event =
            serde_json::from_slice(request.body()).map_err(SourceError::malformed)?;
        let tenant = self.tenant(ctx, None);
        let mapped = map_event(&event, &tenant, ctx.now)?;
        let mut ingested = Ingested::events(tenant, mapped.events, Reply::ok());
        ingested.skipped = mapped.skipped;
        Ok(ingested)
    }

    fn ingest_ipn(
        &self,
        request: &WebhookRequest,
        ctx: &IngestContext,
    ) -> Result<Ingested, SourceError> {
        let body = request.body();
        if body.iter().all(u8::is_ascii_whitespace) {
            return Err(SourceError::Malformed("empty ipn body".into()));
        }
        let tenant = self.tenant(ctx, ipn::receiver_id(body));
        let ids = ipn::reference_ids(body);
        let reference = ThinReference {
            platform: Platform::Paypal,
            tenant: tenant.clone(),
            event_id: ids.event_id,
            entity: "ipn".into(),
            entity_id: ids.entity_id,
            operation: ids.operation,
            resource_url: None,
            occurred_at: ctx.now,
            received_at: ctx.now,
            raw: Some(body.clone()),
        };
        let mut ingested = Ingested::events(tenant, Vec::new(), Reply::ok());
        ingested.pending.push(reference);
        Ok(ingested)
    }
}

#[async_trait]
impl InvoiceSource for PaypalSource {
    fn info(&self) -> &ConnectorInfo {
        &self.info
    }

    /// - JSON: verifies the transmission signature over the raw body before parsing
    ///   (missing headers, a certificate URL off the allow-list, an expired certificate or a
    ///   signature for no configured webhook id are `BadSignature`; a certificate or API
    ///   that cannot be reached is `Upstream`, so PayPal retries), then maps the event;
    /// - form: stores the exact bytes as one pending reference, unverified, and replies
    ///   `200` with an empty body (PayPal's IPN contract);
    /// - any other content type is `Unsupported`.
    async fn ingest(
        &self,
        request: &WebhookRequest,
        ctx: &IngestContext,
    ) -> Result<Ingested, SourceError> {
        match channel(request)? {
            Channel::Rest => self.ingest_rest(request, ctx).await,
            Channel::Ipn => self.ingest_ipn(request, ctx),
        }
    }
}
