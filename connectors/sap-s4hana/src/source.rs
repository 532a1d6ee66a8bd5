//! The SAP S/4HANA [`InvoiceSource`]: authenticate the push, read the CloudEvent(s), store
//! billing document events as thin references, reply `200` once committed.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use invoice_core::registry::ConfigError;
use invoice_core::{
    ConnectorInfo, Handshake, IngestContext, Ingested, InvoiceSource, Platform, Reply,
    SignatureScheme, Skipped, SourceError, TenantId, ThinReference, WebhookRequest,
};
use serde_json::value::RawValue;
use sha2::{Digest, Sha256};

use crate::config::{AuthMode, SapConfig};
use crate::error::SapError;
use crate::payload::{billing_operation, system_of, valid_document, CloudEvent};
use crate::verify::{verify_basic, verify_hmac, verify_token, HMAC_HEADER, TOKEN_HEADER};

/// Most CloudEvents in one batch.
pub const MAX_BATCH: usize = 500;

/// Capabilities in `mode`.
pub fn info_for(mode: AuthMode, tolerance_secs: u64) -> ConnectorInfo {
    let (signature, header, timestamped) = match mode {
        AuthMode::Hmac => (SignatureScheme::HmacSha256, Some(HMAC_HEADER), true),
        AuthMode::SharedSecret => (SignatureScheme::SharedSecret, Some(TOKEN_HEADER), false),
        AuthMode::Basic => (SignatureScheme::Basic, Some("authorization"), false),
    };
    ConnectorInfo {
        platform: Platform::SapS4hana,
        signature,
        signature_header: header,
        timestamped,
        tolerance_secs,
        handshake: Handshake::None,
        thin: true,
        source_versions: true,
        rotation: true,
    }
}

/// Capabilities in the default (HMAC) mode.
pub fn info() -> ConnectorInfo {
    info_for(AuthMode::Hmac, 300)
}

/// The SAP S/4HANA source.
#[derive(Debug)]
pub struct SapSource {
    config: SapConfig,
    info: ConnectorInfo,
}

impl SapSource {
    /// A source from its configuration.
    pub fn new(config: SapConfig) -> Result<Self, ConfigError> {
        config.validate()?;
        let info = info_for(config.auth, config.tolerance_seconds);
        Ok(SapSource { config, info })
    }

    fn authenticate(
        &self,
        request: &WebhookRequest,
        now: DateTime<Utc>,
    ) -> Result<(), SourceError> {
        let secrets = &self.config.secrets;
        match self.config.auth {
            AuthMode::Hmac => verify_hmac(
                request.headers().get(HMAC_HEADER).map(|v| v.as_bytes()),
                request.body(),
                secrets,
                now,
                self.config.tolerance_seconds,
            ),
            AuthMode::SharedSecret => verify_token(request.headers(), secrets),
            AuthMode::Basic => verify_basic(
                request.headers(),
                self.config.basic_user.as_deref().unwrap_or_default(),
                secrets,
            ),
        }
    }
}

fn content_type_ok(request: &WebhookRequest) -> Result<(), SapError> {
    let Some(ct) = request.headers().get(http::header::CONTENT_TYPE) else {
        return Ok(());
    };
    let ct = String::from_utf8_lossy(ct.as_bytes()).to_ascii_lowercase();
    let base = ct.split(';').next().unwrap_or("").trim().to_owned();
    match base.as_str() {
        "application/json"
        | "application/cloudevents+json"
        | "application/cloudevents-batch+json" => Ok(()),
        _ => Err(SapError::ContentType(base.chars().take(60).collect())),
    }
}

fn content_id(value: &serde_json::Value) -> String {
    let bytes = serde_json::to_vec(value).unwrap_or_default();
    format!("sha256:{}", hex::encode(Sha256::digest(bytes)))
}

/// What one CloudEvent became.
enum Item {
    Pending(ThinReference),
    Skipped(Skipped),
}

struct Reader<'a> {
    config: &'a SapConfig,
    ctx: &'a IngestContext,
    tenant: Option<TenantId>,
}

impl Reader<'_> {
    fn tenant_for(&mut self, event: &CloudEvent) -> Result<TenantId, SapError> {
        let system = event
            .source
            .as_deref()
            .ok_or(SapError::Missing("source"))
            .and_then(|s| system_of(s).ok_or(SapError::Missing("source system id")))?;
        if !self.config.allows(system) {
            return Err(SapError::UnknownSystem(system.chars().take(64).collect()));
        }
        let t = self
            .ctx
            .route_tenant
            .clone()
            .unwrap_or_else(|| TenantId(system.to_owned()));
        Ok(t)
    }

    fn read(&mut self, raw: &RawValue) -> Result<Item, SapError> {
        let event: CloudEvent =
            serde_json::from_str(raw.get()).map_err(|e| SapError::NotCloudEvent(e.to_string()))?;
        if event.specversion.as_deref() != Some("1.0") {
            return Err(SapError::Missing("specversion 1.0"));
        }
        let id = event
            .id
            .clone()
            .filter(|i| !i.is_empty() && i.len() <= 200)
            .ok_or(SapError::Missing("id"))?;
        let event_type = event.event_type.clone().ok_or(SapError::Missing("type"))?;
        let tenant = self.tenant_for(&event)?;
        match &self.tenant {
            None => self.tenant = Some(tenant),
            Some(t) if *t == tenant => {}
            Some(_) => {
                return Ok(Item::Skipped(Skipped {
                    event_id: id,
                    event_type,
                    reason: "another system than the batch's first event".into(),
                }))
            }
        }
        let Some(op) = billing_operation(&event_type) else {
            return Ok(Item::Skipped(Skipped {
                event_id: id,
                event_type: event_type.chars().take(120).collect(),
                reason: "not a billing document event".into(),
            }));
        };
        let document = event
            .data
            .as_ref()
            .and_then(|d| d.get("BillingDocument"))
            .and_then(|d| d.as_str())
            .filter(|d| valid_document(d))
            .ok_or(SapError::Missing(
                "data.BillingDocument (1-10 letters or digits)",
            ))?;
        let occurred_at = event
            .time
            .as_deref()
            .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
            .map(|t| t.with_timezone(&Utc))
            .unwrap_or(self.ctx.now);
        Ok(Item::Pending(ThinReference {
            platform: Platform::SapS4hana,
            tenant: self.tenant.clone().unwrap_or_else(TenantId::default_tenant),
            event_id: id,
            entity: "BillingDocument".into(),
            entity_id: document.to_owned(),
            operation: op.to_owned(),
            resource_url: None,
            occurred_at,
            received_at: self.ctx.now,
            raw: None,
        }))
    }
}

#[async_trait]
impl InvoiceSource for SapSource {
    fn info(&self) -> &ConnectorInfo {
        &self.info
    }

    /// - authenticates (HMAC over the raw body, shared-secret header or Basic) before
    ///   parsing anything;
    /// - a single CloudEvent that is not readable is `Malformed`; in a batch, an
    ///   unreadable entry is skipped (with its content hash) and the rest are kept;
    /// - the tenant is the route tenant, else the system id of the first event's
    ///   `source`; a system not in `systems` is `UnknownTenant`;
    /// - billing document events become thin references, every other type is skipped;
    /// - replies `200` with an empty body once committed.
    async fn ingest(
        &self,
        request: &WebhookRequest,
        ctx: &IngestContext,
    ) -> Result<Ingested, SourceError> {
        self.authenticate(request, ctx.now)?;
        content_type_ok(request)?;
        // Each event is read straight from its bytes (no `serde_json::Value` tree, no
        // clone of one): a batch is an array of raw entries, else the body is one event.
        let body = request.body();
        let batch = body.trim_ascii_start().first() == Some(&b'[');
        let (entries, single): (Vec<&RawValue>, Option<&RawValue>) = if batch {
            (
                invoice_connector_support::json::from_body(body).map_err(SourceError::malformed)?,
                None,
            )
        } else {
            (
                Vec::new(),
                Some(
                    invoice_connector_support::json::from_body(body)
                        .map_err(SourceError::malformed)?,
                ),
            )
        };
        let mut reader = Reader {
            config: &self.config,
            ctx,
            tenant: None,
        };
        let mut pending = Vec::new();
        let mut skipped = Vec::new();
        match single {
            None => {
                if entries.len() > MAX_BATCH {
                    return Err(SourceError::Malformed(format!(
                        "batch of more than {MAX_BATCH} events"
                    )));
                }
                for entry in entries {
                    match reader.read(entry) {
                        Ok(Item::Pending(r)) => pending.push(r),
                        Ok(Item::Skipped(s)) => skipped.push(s),
                        Err(SapError::UnknownSystem(s)) if reader.tenant.is_none() => {
                            return Err(SourceError::UnknownTenant(s))
                        }
                        Err(e) => {
                            // The entry is valid JSON (the batch parsed): its tree gives the
                            // content hash and type, as before.
                            let value: serde_json::Value =
                                serde_json::from_str(entry.get()).unwrap_or_default();
                            skipped.push(Skipped {
                                event_id: content_id(&value),
                                event_type: value
                                    .get("type")
                                    .and_then(|t| t.as_str())
                                    .unwrap_or("unknown")
                                    .chars()
                                    .take(120)
                                    .collect(),
                                reason: e.to_string(),
                            })
                        }
                    }
                }
            }
            Some(single) => match reader.read(single)? {
                Item::Pending(r) => pending.push(r),
                Item::Skipped(s) => skipped.push(s),
            },
        }
        let tenant = reader
            .tenant
            .or_else(|| ctx.route_tenant.clone())
            .unwrap_or_else(TenantId::default_tenant);
        for r in &mut pending {
            r.tenant = tenant.clone();
        }
        let mut ingested = Ingested::events(tenant, Vec::new(), Reply::ok());
        ingested.pending = pending;
        ingested.skipped = skipped;
        Ok(ingested)
    }
}
