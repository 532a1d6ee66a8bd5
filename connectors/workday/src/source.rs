//! The Workday [`InvoiceSource`]: authenticate (Basic or HMAC), read the customer invoice
//! message, map each invoice, reply `200` once committed.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use invoice_core::registry::ConfigError;
use invoice_core::{
    ConnectorInfo, Handshake, IngestContext, Ingested, InvoiceSource, Platform, Reply,
    SignatureScheme, Skipped, SourceError, TenantId, WebhookRequest,
};

use crate::config::{AuthMode, WorkdayConfig};
use crate::error::WorkdayError;
use crate::mapping::map_invoice;
use crate::payload::parse;
use crate::verify::{verify_basic, verify_hmac, HMAC_HEADER};

/// Most invoices read from one message.
pub const MAX_INVOICES: usize = 2000;

/// Capabilities in `mode`.
pub fn info_for(mode: AuthMode, tolerance_secs: u64) -> ConnectorInfo {
    let (signature, header, timestamped) = match mode {
        AuthMode::Basic => (SignatureScheme::Basic, "authorization", false),
        AuthMode::Hmac => (SignatureScheme::HmacSha256, HMAC_HEADER, true),
    };
    ConnectorInfo {
        platform: Platform::Workday,
        signature,
        signature_header: Some(header),
        timestamped,
        tolerance_secs,
        handshake: Handshake::None,
        thin: false,
        source_versions: true,
        rotation: true,
    }
}

/// Capabilities in the default (Basic) mode.
pub fn info() -> ConnectorInfo {
    info_for(AuthMode::Basic, 300)
}

/// The Workday source.
#[derive(Debug)]
pub struct WorkdaySource {
    config: WorkdayConfig,
    info: ConnectorInfo,
}

impl WorkdaySource {
    /// A source from its configuration.
    pub fn new(config: WorkdayConfig) -> Result<Self, ConfigError> {
        config.validate()?;
        let info = info_for(config.auth, config.tolerance_seconds);
        Ok(WorkdaySource { config, info })
    }

    fn authenticate(
        &self,
        request: &WebhookRequest,
        now: DateTime<Utc>,
    ) -> Result<(), SourceError> {
        match self.config.auth {
            AuthMode::Basic => verify_basic(
                request.headers(),
                self.config.basic_user.as_deref().unwrap_or_default(),
                &self.config.secrets,
            ),
            AuthMode::Hmac => verify_hmac(
                request.headers().get(HMAC_HEADER).map(|v| v.as_bytes()),
                request.body(),
                &self.config.secrets,
                now,
                self.config.tolerance_seconds,
            ),
        }
    }
}

fn content_type_ok(request: &WebhookRequest) -> Result<(), WorkdayError> {
    let Some(ct) = request.headers().get(http::header::CONTENT_TYPE) else {
        return Ok(());
    };
    let ct = String::from_utf8_lossy(ct.as_bytes()).to_ascii_lowercase();
    let base = ct.split(';').next().unwrap_or("").trim().to_owned();
    match base.as_str() {
        "application/xml" | "text/xml" | "application/soap+xml" => Ok(()),
        _ => Err(WorkdayError::ContentType(base.chars().take(60).collect())),
    }
}

#[async_trait]
impl InvoiceSource for WorkdaySource {
    fn info(&self) -> &ConnectorInfo {
        &self.info
    }

    /// - authenticates (Basic credentials, or the HMAC over the raw body) before parsing;
    /// - a body that is not XML in `urn:com.workday/bsvc` is `Malformed`; DOCTYPEs are
    ///   refused; depth and size are bounded;
    /// - each `wd:Customer_Invoice` becomes its events; one that cannot be read is skipped
    ///   with the reason and the others are kept;
    /// - the tenant is the route's (it must be configured), else the first configured one;
    /// - replies `200` with an empty body once committed.
    async fn ingest(
        &self,
        request: &WebhookRequest,
        ctx: &IngestContext,
    ) -> Result<Ingested, SourceError> {
        self.authenticate(request, ctx.now)?;
        content_type_ok(request)?;
        let tenant = TenantId(
            self.config
                .tenant(ctx.route_tenant.as_ref().map(TenantId::as_str))
                .map_err(WorkdayError::UnknownTenant)?
                .to_owned(),
        );
        let message = parse(request.body()).map_err(WorkdayError::Xml)?;
        if message.invoices.len() > MAX_INVOICES {
            return Err(SourceError::Malformed(format!(
                "more than {MAX_INVOICES} invoices in one message"
            )));
        }
        let mut out = Ingested::events(tenant.clone(), Vec::new(), Reply::ok());
        if message.invoices.is_empty() {
            return Err(SourceError::Malformed(
                "no wd:Customer_Invoice in the message".into(),
            ));
        }
        for (i, inv) in message.invoices.iter().enumerate() {
            match map_invoice(
                inv,
                &message,
                &tenant,
                self.config.default_currency,
                ctx.now,
            ) {
                Ok(events) => out.events.extend(events),
                Err(reason) => out.skipped.push(Skipped {
                    event_id: format!(
                        "{}:{}:{i}",
                        message.event_wid.as_deref().unwrap_or("message"),
                        inv.id.as_deref().unwrap_or("no-id")
                    ),
                    event_type: "Customer_Invoice".into(),
                    reason,
                }),
            }
        }
        Ok(out)
    }
}
