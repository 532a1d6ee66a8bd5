//! The Sage Intacct [`InvoiceSource`]: check the URL token, read which record changed,
//! store a thin reference, reply 200.

use async_trait::async_trait;
use http::header::CONTENT_TYPE;
use invoice_core::registry::ConfigError;
use invoice_core::{
    ConnectorInfo, Handshake, IngestContext, Ingested, InvoiceSource, Platform, Reply,
    SignatureScheme, Skipped, SourceError, TenantId, ThinReference, WebhookRequest,
};
use sha2::{Digest, Sha256};

use crate::config::IntacctConfig;
use crate::error::IntacctError;
use crate::mapping::parse_datetime;
use crate::smart_event::{body_form, parse};
use crate::verify::check;

/// Sage Intacct's capabilities, as the conformance kit sees them: Smart Events cannot sign
/// anything, so the "signature" is a token in the URL (the relay's path token, or the
/// `token` query parameter) compared as a whole; there is no signature header, no
/// timestamp, and every post is thin (state is read back from the API).
pub fn info() -> ConnectorInfo {
    ConnectorInfo {
        platform: Platform::SageIntacct,
        signature: SignatureScheme::SharedSecret,
        signature_header: None,
        timestamped: false,
        tolerance_secs: 0,
        handshake: Handshake::None,
        thin: true,
        source_versions: true,
        rotation: true,
    }
}

/// The Sage Intacct source.
#[derive(Debug)]
pub struct IntacctSource {
    config: IntacctConfig,
    info: ConnectorInfo,
}

impl IntacctSource {
    /// A source from its configuration.
    pub fn new(config: IntacctConfig) -> Result<Self, ConfigError> {
        config.validate()?;
        Ok(IntacctSource {
            config,
            info: info(),
        })
    }

    /// The company: the route's, else the body's, else the only configured one; it must be
    /// configured, and route and body must agree.
    fn tenant(&self, body: Option<&str>, ctx: &IngestContext) -> Result<TenantId, IntacctError> {
        let route = ctx.route_tenant.as_ref().map(|t| t.as_str());
        let named = route.or(body);
        let company = match named {
            Some(n) => self
                .config
                .company(n)
                .ok_or_else(|| IntacctError::UnknownCompany(n.to_owned()))?,
            None => match self.config.company_ids.as_slice() {
                [only] => only.as_str(),
                _ => return Err(IntacctError::UnknownCompany("(none named)".into())),
            },
        };
        if let (Some(r), Some(b)) = (route, body) {
            if self.config.company(b) != self.config.company(r) {
                return Err(IntacctError::UnknownCompany(b.to_owned()));
            }
        }
        Ok(TenantId(company.to_owned()))
    }

    fn read(
        &self,
        request: &WebhookRequest,
        ctx: &IngestContext,
    ) -> Result<Ingested, IntacctError> {
        check(request.uri(), &self.config.secrets, ctx.url_token_verified)?;
        let body = request.body();
        let content_type = request
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok());
        let event = parse(body_form(content_type, body), body)?;
        let tenant = self.tenant(event.company_id.as_deref(), ctx)?;
        // Smart Events have no id: the content hash identifies a post (a resend of the same
        // body is a duplicate).
        let event_id = format!("sie:{}", &hex::encode(Sha256::digest(body))[..32]);
        let mut ingested = Ingested::events(tenant.clone(), Vec::new(), Reply::ok());
        let operation = event.event.clone().unwrap_or_else(|| "Set".into());
        if event.object != "ARINVOICE" || operation.eq_ignore_ascii_case("delete") {
            ingested.skipped.push(Skipped {
                event_id,
                event_type: format!("{}:{operation}", event.object),
                reason: if event.object != "ARINVOICE" {
                    "only ARINVOICE smart events are read".into()
                } else {
                    "a deleted invoice cannot be read back".into()
                },
            });
            return Ok(ingested);
        }
        if let Some(state) = &event.state {
            tracing::debug!(platform = "sage-intacct", record = %event.record_no, state = %state, "smart event state hint (not applied)");
        }
        ingested.pending.push(ThinReference {
            platform: Platform::SageIntacct,
            tenant,
            event_id,
            entity: "ARINVOICE".into(),
            entity_id: event.record_no.clone(),
            operation,
            resource_url: None,
            occurred_at: event
                .when_modified
                .as_deref()
                .and_then(|m| parse_datetime(m, self.config.timezone))
                .unwrap_or(ctx.now),
            received_at: ctx.now,
            raw: None,
        });
        Ok(ingested)
    }
}

#[async_trait]
impl InvoiceSource for IntacctSource {
    fn info(&self) -> &ConnectorInfo {
        &self.info
    }

    /// - the URL token (path, verified by the relay, or `?token=`) is checked before the
    ///   body is read; none or a wrong one is `401`;
    /// - the body (JSON, XML or form, see the template) names the record; a body a value
    ///   broke is `400`;
    /// - an ARINVOICE post becomes one pending reference, read back by the enricher; other
    ///   objects and deletes are skipped with the reason;
    /// - replies `200` with an empty body once committed.
    async fn ingest(
        &self,
        request: &WebhookRequest,
        ctx: &IngestContext,
    ) -> Result<Ingested, SourceError> {
        Ok(self.read(request, ctx)?)
    }
}
