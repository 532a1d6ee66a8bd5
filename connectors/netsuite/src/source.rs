//! The NetSuite [`InvoiceSource`]: verify the raw body, parse the post, map each invoice,
//! reply 200.

use async_trait::async_trait;
use http::HeaderName;
use invoice_core::registry::ConfigError;
use invoice_core::{
    ConnectorInfo, Currency, Handshake, IngestContext, Ingested, InvoiceSource, Platform, Reply,
    SignatureScheme, SourceError, TenantId, WebhookRequest,
};

use crate::config::NetsuiteConfig;
use crate::error::NetsuiteError;
use crate::mapping::{map_post, Rules};
use crate::payload::Post;
use crate::verify::{verify, HEADER, TIMESTAMP_HEADER};

// Prebuilt header names: a `&str` name is parsed again on every lookup.
const HEADER_NAME: HeaderName = HeaderName::from_static(HEADER);
const TIMESTAMP_HEADER_NAME: HeaderName = HeaderName::from_static(TIMESTAMP_HEADER);

/// NetSuite's capabilities (as the shipped script gives them).
pub fn info() -> ConnectorInfo {
    ConnectorInfo {
        platform: Platform::Netsuite,
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

/// The NetSuite source.
#[derive(Debug)]
pub struct NetsuiteSource {
    config: NetsuiteConfig,
    default_currency: Option<Currency>,
    info: ConnectorInfo,
}

impl NetsuiteSource {
    /// A source from its configuration (at least one non-empty secret).
    pub fn new(config: NetsuiteConfig) -> Result<Self, ConfigError> {
        let default_currency = config.validate()?;
        let mut info = info();
        info.tolerance_secs = config.tolerance_seconds;
        Ok(NetsuiteSource {
            config,
            default_currency,
            info,
        })
    }
}

#[async_trait]
impl InvoiceSource for NetsuiteSource {
    fn info(&self) -> &ConnectorInfo {
        &self.info
    }

    /// - verifies `X-NS-Timestamp` / `X-NS-Signature` over the raw body before parsing;
    /// - the tenant is the post's `account` (refused with `UnknownTenant` when `accounts`
    ///   is set and does not list it);
    /// - one snapshot event per invoice in the post; unreadable invoices and unknown
    ///   statuses are skipped with their reason;
    /// - replies `200` with an empty body once committed.
    async fn ingest(
        &self,
        request: &WebhookRequest,
        ctx: &IngestContext,
    ) -> Result<Ingested, SourceError> {
        let headers = request.headers();
        verify(
            headers.get(&TIMESTAMP_HEADER_NAME).map(|v| v.as_bytes()),
            headers.get(&HEADER_NAME).map(|v| v.as_bytes()),
            request.body(),
            &self.config.secrets,
            ctx.now,
            self.config.tolerance_seconds,
        )?;
        let post: Post<'_> = invoice_connector_support::json::from_body(request.body())
            .map_err(SourceError::malformed)?;
        let account = post.account.trim();
        if account.is_empty() {
            return Err(NetsuiteError::Body("empty account".into()).into());
        }
        if !self.config.accounts.is_empty() && !self.config.accounts.iter().any(|a| a == account) {
            return Err(NetsuiteError::UnknownAccount(account.chars().take(64).collect()).into());
        }
        let tenant = TenantId(account.to_owned());
        let rules = Rules {
            default_currency: self.default_currency,
            rejected_as_void: self.config.rejected_as_void,
        };
        let mapped = map_post(&post, &tenant, rules, ctx.now);
        let mut ingested = Ingested::events(tenant, mapped.events, Reply::ok());
        ingested.skipped = mapped.skipped;
        Ok(ingested)
    }
}
