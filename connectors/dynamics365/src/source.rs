//! The Dynamics 365 [`InvoiceSource`]: check the key, parse the context (or the flow's
//! post), map each invoice row, reply 200.

use async_trait::async_trait;
use invoice_core::registry::ConfigError;
use invoice_core::{
    ConnectorInfo, Handshake, IngestContext, Ingested, InvoiceSource, Platform, Reply,
    SignatureScheme, Skipped, SourceError, TenantId, WebhookRequest,
};
use serde::Deserialize;
use sha2::{Digest, Sha256};

use crate::config::{normalise_key, AuthMode, Currencies, Dynamics365Config};
use crate::error::DynamicsError;
use crate::flow::{FlowPost, SOURCE as FLOW_SOURCE};
use crate::mapping::{map_row, rows, Mapped, Rules};
use crate::payload::RemoteExecutionContext;
use crate::values::parse_date_time;
use crate::verify::{verify, KeyLocation};

/// Dynamics 365's capabilities in `webhook_key` mode (the conformance harness's): a
/// shared key compared as a whole, no timestamp, no signature header (the key is in the
/// URL). A source in `http_header` mode with the default header name reports that header
/// in its own [`InvoiceSource::info`].
pub fn info() -> ConnectorInfo {
    ConnectorInfo {
        platform: Platform::Dynamics365,
        signature: SignatureScheme::SharedSecret,
        signature_header: None,
        timestamped: false,
        tolerance_secs: 0,
        handshake: Handshake::None,
        thin: false,
        source_versions: true,
        rotation: true,
    }
}

/// The Dynamics 365 source.
#[derive(Debug)]
pub struct Dynamics365Source {
    config: Dynamics365Config,
    location: KeyLocation,
    currencies: Currencies,
    organizations: Vec<String>,
    info: ConnectorInfo,
}

impl Dynamics365Source {
    /// A source from its configuration (at least one non-empty key).
    pub fn new(config: Dynamics365Config) -> Result<Self, ConfigError> {
        let currencies = config.validate()?;
        let location = KeyLocation {
            mode: config.auth,
            name: config.key_location(),
        };
        let mut info = info();
        if config.auth == AuthMode::HttpHeader && location.name == crate::config::DEFAULT_HEADER {
            info.signature_header = Some(crate::config::DEFAULT_HEADER);
        }
        let organizations = config
            .organizations
            .iter()
            .map(|o| normalise_key(o))
            .collect();
        Ok(Dynamics365Source {
            config,
            location,
            currencies,
            organizations,
            info,
        })
    }

    fn tenant(&self, org: &str, ctx: &IngestContext) -> Result<TenantId, SourceError> {
        let org = normalise_key(org);
        if org.is_empty() {
            return Err(DynamicsError::Body("empty OrganizationId".into()).into());
        }
        let cut = || org.chars().take(64).collect::<String>();
        if !self.organizations.is_empty() && !self.organizations.contains(&org) {
            return Err(DynamicsError::UnknownOrganization(cut()).into());
        }
        if let Some(route) = &ctx.route_tenant {
            if normalise_key(route.as_str()) != org {
                return Err(DynamicsError::UnknownOrganization(cut()).into());
            }
        }
        Ok(TenantId(org))
    }
}

#[derive(Deserialize)]
struct Probe {
    #[serde(default)]
    source: Option<String>,
}

fn content_hash(body: &[u8]) -> String {
    hex::encode(&Sha256::digest(body)[..16])
}

#[async_trait]
impl InvoiceSource for Dynamics365Source {
    fn info(&self) -> &ConnectorInfo {
        &self.info
    }

    /// - checks the key where `auth` says (query `code`, a header, a query parameter)
    ///   against every configured secret, in constant time, before parsing;
    /// - the tenant is the post's `OrganizationId` (refused with `UnknownTenant` when
    ///   `organizations` is set and does not list it, or a route tenant differs);
    /// - one event per invoice row (one, or one per entity of `UpdateMultiple` /
    ///   `CreateMultiple`); other tables, other messages, unmapped statuses are skipped
    ///   with their reason; with `api_base`, rows without status or amounts are returned as
    ///   thin references for the enricher;
    /// - replies `200` with an empty body once committed (Dataverse reads only the status).
    async fn ingest(
        &self,
        request: &WebhookRequest,
        ctx: &IngestContext,
    ) -> Result<Ingested, SourceError> {
        verify(request, &self.location, &self.config.secrets)?;
        let body = request.body();
        // One pass in the usual case: a body read as a `RemoteExecutionContext` that names
        // no flow `source` is one. Only a body that is not one (or names the flow) is
        // probed for the flow's `source`, and then read as the flow's post.
        let context =
            match invoice_connector_support::json::from_body::<RemoteExecutionContext<'_>>(body) {
                Ok(c) if c.source.as_deref() != Some(FLOW_SOURCE) => Ok(c),
                Ok(_) => Err(None),
                Err(e) => Err(Some(e)),
            };
        let is_flow = match &context {
            Ok(_) => false,
            Err(None) => true,
            Err(Some(_)) => {
                let probe: Probe = invoice_connector_support::json::from_body(body)
                    .map_err(SourceError::malformed)?;
                probe.source.as_deref() == Some(FLOW_SOURCE)
            }
        };
        let rules = Rules {
            currencies: &self.currencies,
            new_as_draft: self.config.new_as_draft,
            amount_due_attribute: self.config.amount_due_attribute.as_deref(),
            enrich: self.config.api_base.is_some(),
            now: ctx.now,
        };
        let mut mapped = Mapped::default();
        let tenant;
        if is_flow {
            let post: FlowPost =
                invoice_connector_support::json::from_body(body).map_err(SourceError::malformed)?;
            tenant = self.tenant(&post.organization, ctx)?;
            let row = post.row();
            let stamp = row
                .modified_on
                .map(|t| t.timestamp_millis().to_string())
                .or_else(|| post.run.clone())
                .unwrap_or_else(|| content_hash(body));
            let id = format!(
                "flow:invoice/{}:{}:{stamp}",
                row.id.to_ascii_lowercase(),
                row.message
            );
            map_row(&row, &tenant, &rules, id, ctx.now, &mut mapped);
        } else {
            let context = match context {
                Ok(c) => c,
                Err(Some(e)) => return Err(SourceError::malformed(e)),
                Err(None) => return Err(SourceError::malformed("flow post read as a context")),
            };
            tenant = self.tenant(&context.organization_id, ctx)?;
            let operation = context
                .operation_id
                .as_deref()
                .map(|o| o.trim().to_ascii_lowercase())
                .filter(|o| !o.is_empty())
                .unwrap_or_else(|| content_hash(body));
            let at = context
                .operation_created_on
                .as_deref()
                .and_then(parse_date_time)
                .unwrap_or(ctx.now);
            match rows(&context, &rules) {
                Ok(rows) => {
                    for row in rows {
                        let id = format!(
                            "invoice/{}:{}:{operation}",
                            row.id.to_ascii_lowercase(),
                            row.message
                        );
                        map_row(&row, &tenant, &rules, id, at, &mut mapped);
                    }
                }
                Err(reason) => mapped.skipped.push(Skipped {
                    event_id: format!("{}:{operation}", context.message_name),
                    event_type: format!("{}.{}", context.primary_entity_name, context.message_name),
                    reason,
                }),
            }
        }
        let mut ingested = Ingested::events(tenant, mapped.events, Reply::ok());
        ingested.skipped = mapped.skipped;
        ingested.pending = mapped.pending;
        Ok(ingested)
    }
}
