//! The Salesforce [`InvoiceSource`]: authenticate, parse, check the org, map, reply.

use async_trait::async_trait;
use http::header::CONTENT_TYPE;
use http::{HeaderValue, StatusCode};
use invoice_core::registry::ConfigError;
use invoice_core::{
    ConnectorInfo, Handshake, IngestContext, Ingested, InvoiceSource, Platform, Reply,
    SignatureScheme, SourceError, TenantId, WebhookRequest,
};

use crate::config::SalesforceConfig;
use crate::error::SalesforceError;
use crate::mapping::{map_record, parse_datetime, Mapped, Origin};
use crate::payload::{PlatformEventCallout, SObject};
use crate::soap::{self, ACK, ACK_CONTENT_TYPE};
use crate::verify::{check_shared_secret, verify_signature, SECRET_HEADER, SIGNATURE_HEADER};

/// Salesforce's capabilities, as the conformance kit sees them: Outbound Messages carry
/// no signature, so the "signature" is the `X-Relay-Secret` shared secret compared as a
/// whole (not a MAC over the body), with a SOAP `Ack` in every success reply. Platform
/// Event callouts are HMAC-signed and timestamped (`X-Relay-Signature`); that second
/// scheme is not expressible in one `ConnectorInfo` and has its own tests.
pub fn info() -> ConnectorInfo {
    ConnectorInfo {
        platform: Platform::Salesforce,
        signature: SignatureScheme::SharedSecret,
        signature_header: Some(SECRET_HEADER),
        timestamped: false,
        tolerance_secs: 300,
        handshake: Handshake::SoapAck,
        thin: false,
        source_versions: true,
        rotation: true,
    }
}

/// The Salesforce source.
#[derive(Debug)]
pub struct SalesforceSource {
    config: SalesforceConfig,
    info: ConnectorInfo,
}

/// Which of the two deliveries a request is.
enum Kind {
    OutboundMessage,
    PlatformEvent,
}

fn kind_of(request: &WebhookRequest) -> Result<Kind, SalesforceError> {
    let ct = request
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let mime = ct.split(';').next().unwrap_or_default().trim();
    if mime.eq_ignore_ascii_case("text/xml") || mime.eq_ignore_ascii_case("application/xml") {
        Ok(Kind::OutboundMessage)
    } else if mime.eq_ignore_ascii_case("application/json") {
        Ok(Kind::PlatformEvent)
    } else {
        Err(SalesforceError::ContentType)
    }
}

/// The Ack reply.
pub fn ack() -> Reply {
    Reply::with_body(StatusCode::OK, ACK_CONTENT_TYPE, ACK)
}

impl SalesforceSource {
    /// A source from its configuration (at least one org id).
    pub fn new(config: SalesforceConfig) -> Result<Self, ConfigError> {
        config.validate()?;
        let mut info = info();
        info.tolerance_secs = config.tolerance_seconds;
        Ok(SalesforceSource { config, info })
    }

    /// The configured org `org_id` belongs to; with a route tenant, both must name it.
    fn tenant(&self, org_id: &str, ctx: &IngestContext) -> Result<TenantId, SalesforceError> {
        let org = self
            .config
            .org(org_id)
            .ok_or_else(|| SalesforceError::UnknownOrg(org_id.to_owned()))?;
        if let Some(route) = &ctx.route_tenant {
            if self.config.org(route.as_str()) != Some(org) {
                return Err(SalesforceError::UnknownOrg(route.0.clone()));
            }
        }
        Ok(TenantId(org.to_owned()))
    }

    fn outbound_message(
        &self,
        request: &WebhookRequest,
        ctx: &IngestContext,
    ) -> Result<Ingested, SalesforceError> {
        check_shared_secret(
            request.headers().get(SECRET_HEADER).map(|v| v.as_bytes()),
            &self.config.secrets,
            ctx.url_token_verified,
            self.config.network_authenticated,
        )?;
        let msg = soap::parse(request.body())?;
        let tenant = self.tenant(&msg.organization_id, ctx)?;
        if msg.session_id_sent {
            tracing::warn!(
                platform = "salesforce",
                "outbound message carries a session id: untick \"Send Session ID\""
            );
        }
        let mut ingested = Ingested::events(tenant.clone(), Vec::new(), ack());
        for n in &msg.notifications {
            let origin = Origin {
                tenant: tenant.clone(),
                event_id: n.id.clone(),
                event_type: "outbound_message".into(),
                occurred_at: ctx.now,
                source_version: None,
                received_at: ctx.now,
            };
            push(&mut ingested, map_record(&n.object, &origin, &self.config)?);
        }
        Ok(ingested)
    }

    fn platform_event(
        &self,
        request: &WebhookRequest,
        ctx: &IngestContext,
    ) -> Result<Ingested, SalesforceError> {
        verify_signature(
            request
                .headers()
                .get(SIGNATURE_HEADER)
                .map(|v| v.as_bytes()),
            request.body(),
            &self.config.event_secrets,
            ctx.now,
            self.config.tolerance_seconds,
        )?;
        let callout: PlatformEventCallout<'_> = serde_json::from_slice(request.body())
            .map_err(|e| SalesforceError::Json(e.to_string()))?;
        let tenant = self.tenant(&callout.organization_id, ctx)?;
        let replay = callout.replay_id_text();
        let event_id = callout
            .event_uuid
            .clone()
            .filter(|u| !u.is_empty())
            .or_else(|| replay.as_ref().map(|r| format!("replay:{r}")))
            .ok_or_else(|| SalesforceError::Json("no eventUuid and no replayId".into()))?;
        let record: SObject = callout.record();
        let origin = Origin {
            tenant: tenant.clone(),
            event_id,
            event_type: callout
                .event_type
                .clone()
                .unwrap_or_else(|| "platform_event".into()),
            occurred_at: parse_datetime(&callout.created_date)?,
            source_version: replay.and_then(|r| r.parse::<u64>().ok()),
            received_at: ctx.now,
        };
        let mut ingested = Ingested::events(
            tenant,
            Vec::new(),
            Reply::ok().header(CONTENT_TYPE, HeaderValue::from_static("application/json")),
        );
        ingested.reply.body = bytes::Bytes::from_static(b"{\"received\":true}");
        push(&mut ingested, map_record(&record, &origin, &self.config)?);
        Ok(ingested)
    }
}

fn push(ingested: &mut Ingested, mapped: Mapped) {
    match mapped {
        Mapped::Events(e) => ingested.events.extend(e),
        Mapped::Skipped(s) => ingested.skipped.push(s),
    }
}

#[async_trait]
impl InvoiceSource for SalesforceSource {
    fn info(&self) -> &ConnectorInfo {
        &self.info
    }

    /// - `text/xml`: an Outbound Message. Authenticated (`X-Relay-Secret`, URL token or
    ///   network) before parsing; `OrganizationId` must be configured (else `403`); the
    ///   reply is the SOAP `Ack`, also for duplicates.
    /// - `application/json`: a Platform Event callout. `X-Relay-Signature` verified over
    ///   the raw body before parsing; replies `200 {"received":true}`.
    /// - anything else: `415`.
    async fn ingest(
        &self,
        request: &WebhookRequest,
        ctx: &IngestContext,
    ) -> Result<Ingested, SourceError> {
        let result = match kind_of(request)? {
            Kind::OutboundMessage => self.outbound_message(request, ctx),
            Kind::PlatformEvent => self.platform_event(request, ctx),
        };
        Ok(result?)
    }
}
