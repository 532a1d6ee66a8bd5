//! The FreshBooks [`InvoiceSource`]: the verification callback, then verified callbacks
//! turned into thin references.

use std::fmt;
use std::sync::Arc;

use async_trait::async_trait;
use http::HeaderName;
use invoice_core::registry::ConfigError;
use invoice_core::{
    ConnectorInfo, Handshake, IngestContext, Ingested, InvoiceSource, Platform, Reply, Secret,
    SignatureScheme, SourceError, TenantId, WebhookRequest,
};

use crate::config::FreshbooksConfig;
use crate::mapping::{map_callback, valid_id};
use crate::payload::Callback;
use crate::verify::{form_fields, verify, HEADER};

// Prebuilt header names: a `&str` name is parsed again on every lookup.
const HEADER_NAME: HeaderName = HeaderName::from_static(HEADER);

/// FreshBooks' capabilities.
pub fn info() -> ConnectorInfo {
    ConnectorInfo {
        platform: Platform::Freshbooks,
        signature: SignatureScheme::HmacSha256,
        signature_header: Some(HEADER),
        timestamped: false,
        tolerance_secs: 0,
        handshake: Handshake::Verifier,
        thin: true,
        source_versions: true,
        rotation: true,
    }
}

/// Told about every verification callback, so a host that registers callbacks itself
/// can send the verifier back (`PUT /events/account/{account}/events/callbacks/{id}` with
/// `{"callback":{"verifier":"..."}}`) and add it to the source's `secrets`.
///
/// Anyone can post a `verifier`: an observer must only act on callbacks it registered.
pub trait HandshakeObserver: Send + Sync + fmt::Debug {
    /// A verification callback for `account` and callback `callback_id`.
    fn verification(&self, account: &TenantId, callback_id: &str, verifier: &Secret);
}

/// The FreshBooks source.
#[derive(Debug)]
pub struct FreshbooksSource {
    config: FreshbooksConfig,
    info: ConnectorInfo,
    observer: Option<Arc<dyn HandshakeObserver>>,
}

impl FreshbooksSource {
    /// A source from its configuration (at least one non-empty verifier).
    pub fn new(config: FreshbooksConfig) -> Result<Self, ConfigError> {
        config.validate()?;
        Ok(FreshbooksSource {
            config,
            info: info(),
            observer: None,
        })
    }

    /// Installs a verification observer.
    pub fn with_handshake_observer(mut self, observer: Arc<dyn HandshakeObserver>) -> Self {
        self.observer = Some(observer);
        self
    }
}

#[async_trait]
impl InvoiceSource for FreshbooksSource {
    fn info(&self) -> &ConnectorInfo {
        &self.info
    }

    /// - a callback carrying `verifier` is the registration check: `200`, nothing stored,
    ///   the observer (if any) is told; the verifier must then be sent back through the
    ///   API (see the setup guide) and added to `secrets`;
    /// - otherwise `X-FreshBooks-Hmac-SHA256` is verified over the signed rendering of
    ///   the form fields before they are read;
    /// - an `account_id` outside `accounts` is refused (403);
    /// - the tenant is `account_id`, else the route tenant, else `default`.
    async fn ingest(
        &self,
        request: &WebhookRequest,
        ctx: &IngestContext,
    ) -> Result<Ingested, SourceError> {
        let fields = form_fields(request.body());
        let has_verifier = fields.iter().any(|(k, v)| k == "verifier" && !v.is_empty());
        if !has_verifier {
            let header = request.headers().get(&HEADER_NAME).map(|v| v.as_bytes());
            verify(header, &fields, &self.config.secrets)?;
        }
        let cb = Callback::from_fields(&fields);
        if let Some(account) = cb.account_id.as_deref() {
            if !self.config.accounts.is_empty()
                && !self.config.accounts.iter().any(|a| a == account)
            {
                return Err(SourceError::UnknownTenant(
                    account.chars().take(32).collect(),
                ));
            }
        }
        let tenant = cb
            .account_id
            .as_deref()
            .map(TenantId::from)
            .or_else(|| ctx.route_tenant.clone())
            .unwrap_or_else(TenantId::default_tenant);
        if let Some(verifier) = cb.verifier.as_deref() {
            let callback_id = cb.object_id.as_deref().filter(|id| valid_id(id));
            if let (Some(o), Some(id)) = (&self.observer, callback_id) {
                o.verification(&tenant, id, &Secret::new(verifier));
            }
            tracing::info!(
                tenant = %tenant.as_str(),
                callback_id = callback_id.unwrap_or("?"),
                "freshbooks callback verification received; send the verifier back through the API"
            );
            return Ok(Ingested::handshake(tenant, Reply::ok()));
        }
        let mapped = map_callback(&cb, &tenant, ctx.now)?;
        let mut ingested = Ingested::events(tenant, mapped.events, Reply::ok());
        ingested.pending = mapped.pending;
        ingested.skipped = mapped.skipped;
        Ok(ingested)
    }
}
