//! The ServiceNow [`InvoiceSource`]: verify the raw body (or the Basic credentials),
//! parse the post, map each record, reply 200.

use async_trait::async_trait;
use http::HeaderName;
use invoice_core::registry::ConfigError;
use invoice_core::{
    ConnectorInfo, Currency, Handshake, IngestContext, Ingested, InvoiceSource, Platform, Reply,
    SignatureScheme, Skipped, SourceError, TenantId, WebhookRequest,
};

use crate::config::{Checked, ServicenowAuth, ServicenowConfig};
use crate::error::ServicenowError;
use crate::mapping::{map_post, Rules};
use crate::payload::Post;
use crate::verify::{verify, verify_basic, ID_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER};

// Prebuilt header names: a `&str` name is parsed again on every lookup.
const ID_HEADER_NAME: HeaderName = HeaderName::from_static(ID_HEADER);
const SIGNATURE_HEADER_NAME: HeaderName = HeaderName::from_static(SIGNATURE_HEADER);
const TIMESTAMP_HEADER_NAME: HeaderName = HeaderName::from_static(TIMESTAMP_HEADER);

/// ServiceNow's capabilities with the shipped script's default (Standard Webhooks HMAC).
pub fn info() -> ConnectorInfo {
    ConnectorInfo {
        platform: Platform::Servicenow,
        signature: SignatureScheme::HmacSha256,
        signature_header: Some(SIGNATURE_HEADER),
        timestamped: true,
        tolerance_secs: 300,
        handshake: Handshake::None,
        thin: false,
        source_versions: true,
        rotation: true,
    }
}

/// The ServiceNow source.
#[derive(Debug)]
pub struct ServicenowSource {
    config: ServicenowConfig,
    checked: Checked,
    info: ConnectorInfo,
}

impl ServicenowSource {
    /// A source from its configuration (at least one non-empty secret).
    pub fn new(config: ServicenowConfig) -> Result<Self, ConfigError> {
        let checked = config.check()?;
        let mut info = info();
        match config.auth {
            ServicenowAuth::Hmac => info.tolerance_secs = config.tolerance_seconds,
            ServicenowAuth::Basic => {
                info.signature = SignatureScheme::Basic;
                info.signature_header = Some("authorization");
                info.timestamped = false;
                info.tolerance_secs = 0;
            }
        }
        Ok(ServicenowSource {
            config,
            checked,
            info,
        })
    }

    fn default_currency(&self) -> Option<Currency> {
        self.checked.default_currency
    }
}

#[async_trait]
impl InvoiceSource for ServicenowSource {
    fn info(&self) -> &ConnectorInfo {
        &self.info
    }

    /// - `hmac`: verifies `webhook-id` / `webhook-timestamp` / `webhook-signature` over the
    ///   raw body before parsing (any `v1` entry, any configured key, 300 s window);
    ///   `basic`: the `Authorization: Basic` credentials, in constant time;
    /// - the tenant is the post's `instance` (refused with `UnknownTenant` when
    ///   `instances` is set and does not list it, or a route tenant differs);
    /// - one event per record; records of tables not in `tables`, unmapped states and
    ///   unreadable records are skipped with their reason;
    /// - replies `200` with an empty body once committed.
    async fn ingest(
        &self,
        request: &WebhookRequest,
        ctx: &IngestContext,
    ) -> Result<Ingested, SourceError> {
        let headers = request.headers();
        match self.config.auth {
            ServicenowAuth::Hmac => {
                verify(
                    headers.get(&ID_HEADER_NAME).map(|v| v.as_bytes()),
                    headers.get(&TIMESTAMP_HEADER_NAME).map(|v| v.as_bytes()),
                    headers.get(&SIGNATURE_HEADER_NAME).map(|v| v.as_bytes()),
                    request.body(),
                    &self.checked.keys,
                    ctx.now,
                    self.config.tolerance_seconds,
                )?;
            }
            ServicenowAuth::Basic => verify_basic(
                headers
                    .get(http::header::AUTHORIZATION)
                    .map(|v| v.as_bytes()),
                &self.checked.keys,
            )?,
        }
        let post: Post<'_> = invoice_connector_support::json::from_body(request.body())
            .map_err(SourceError::malformed)?;
        if post.source.as_deref().is_some_and(|s| s != "servicenow") {
            return Err(ServicenowError::Body("source is not servicenow".into()).into());
        }
        let instance = post.instance.trim().to_ascii_lowercase();
        if instance.is_empty() {
            return Err(ServicenowError::Body("empty instance".into()).into());
        }
        let cut = || instance.chars().take(64).collect::<String>();
        if !self.config.instances.is_empty()
            && !self
                .config
                .instances
                .iter()
                .any(|i| i.eq_ignore_ascii_case(&instance))
        {
            return Err(ServicenowError::UnknownInstance(cut()).into());
        }
        if let Some(route) = &ctx.route_tenant {
            if !route.as_str().eq_ignore_ascii_case(&instance) {
                return Err(ServicenowError::UnknownInstance(cut()).into());
            }
        }
        let tenant = TenantId(instance);
        let table_ok =
            self.config.tables.is_empty() || self.config.tables.iter().any(|t| *t == post.table);
        let ingested = if table_ok {
            let rules = Rules {
                default_currency: self.default_currency(),
                states: &self.checked.states,
            };
            let mapped = map_post(&post, &tenant, rules, ctx.now);
            let mut i = Ingested::events(tenant, mapped.events, Reply::ok());
            i.skipped = mapped.skipped;
            i
        } else {
            let mut i = Ingested::events(tenant, Vec::new(), Reply::ok());
            let table: String = post.table.chars().take(80).collect();
            i.skipped = post
                .records
                .iter()
                .map(|r| Skipped {
                    event_id: format!("{table}/{}", r.sys_id.chars().take(64).collect::<String>()),
                    event_type: format!("{table}.record"),
                    reason: format!("table `{table}` is not in sources.servicenow.tables"),
                })
                .collect();
            i
        };
        Ok(ingested)
    }
}
