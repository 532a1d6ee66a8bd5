//! The enricher: reads an invoice through the CRM API and returns its snapshot.
//!
//! - `GET {api_base}/crm/v3/objects/invoices/{id}?properties=...&associations=companies,contacts`
//!   with a bearer token -> one `updated` event with the snapshot, versioned by
//!   `hs_lastmodifieddate` (epoch ms, the same scale as the webhook's `occurredAt`).
//! - 401 refreshes the token once and retries; 429 and 5xx are transient (with
//!   `Retry-After` when given, else 10 s for 429: HubSpot's limits are per 10 s);
//!   404 and other 4xx are rejected.
//! - Ids must be decimal digits and the URL is built from the configured `api_base`.

use std::time::Duration;

use async_trait::async_trait;
use chrono::{TimeZone, Utc};
use invoice_connector_support::http::{retry_after, transient};
use invoice_connector_support::oauth::{
    get_with_refresh, provider, ClientAuth, Exchange, TokenConfig, TokenProvider,
};
use invoice_core::registry::ConfigError;
use invoice_core::{
    Currency, EnrichError, Enricher, EventKind, InvoiceEvent, InvoiceKey, Platform, ThinReference,
};

use crate::api::{snapshot, CrmObject, PROPERTIES};
use crate::config::HubspotConfig;

/// Retry delay for a 429 without `Retry-After`.
pub const THROTTLE_RETRY_SECS: u64 = 10;

/// Reads HubSpot invoices for thin references.
#[derive(Debug)]
pub struct HubspotEnricher {
    api_base: String,
    default_currency: Option<Currency>,
    tokens: Box<dyn TokenProvider>,
    http: reqwest::Client,
}

impl HubspotEnricher {
    /// An enricher for the configured API base and credentials.
    pub fn from_config(config: &HubspotConfig) -> Result<Self, ConfigError> {
        let base = url::Url::parse(&config.api_base)
            .map_err(|e| ConfigError::Invalid(format!("sources.hubspot.api_base: {e}")))?;
        if !matches!(base.scheme(), "http" | "https") {
            return Err(ConfigError::Invalid(
                "sources.hubspot.api_base: must be an http(s) URL".into(),
            ));
        }
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(15))
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| ConfigError::Invalid(format!("http client: {e}")))?;
        let tokens = provider(
            TokenConfig {
                access_token: config.access_token.clone(),
                client_id: config.client_id.clone(),
                client_secret: config
                    .oauth_client_secret
                    .clone()
                    .or_else(|| config.secrets.first().cloned()),
                refresh_token: config.refresh_token.clone(),
                token_url: config.token_url.clone(),
            },
            Exchange::new(ClientAuth::Body).until_rejected(),
            http.clone(),
            "sources.hubspot",
        )?;
        Ok(HubspotEnricher {
            api_base: config.api_base.trim_end_matches('/').to_owned(),
            default_currency: config.default_currency(),
            tokens,
            http,
        })
    }

    /// Replaces the token provider (tests, or hosts that keep tokens elsewhere).
    pub fn with_tokens(mut self, tokens: Box<dyn TokenProvider>) -> Self {
        self.tokens = tokens;
        self
    }

    /// Reads one invoice, refreshing the token once on 401.
    pub async fn invoice(&self, id: &str) -> Result<CrmObject, EnrichError> {
        if id.is_empty() || id.len() > 24 || !id.bytes().all(|b| b.is_ascii_digit()) {
            return Err(EnrichError::Rejected(
                "invoice id is not a HubSpot id".into(),
            ));
        }
        let url = format!(
            "{}/crm/v3/objects/invoices/{id}?properties={PROPERTIES}&associations=companies,contacts",
            self.api_base
        );
        let resp =
            get_with_refresh(&self.http, self.tokens.as_ref(), &url, &[], "hubspot api").await?;
        let status = resp.status();
        if status.is_success() {
            let bytes = resp
                .bytes()
                .await
                .map_err(|e| transient(format!("hubspot api body: {}", e.without_url()), None))?;
            return serde_json::from_slice(&bytes).map_err(|e| {
                EnrichError::Rejected(format!("hubspot invoice {id}: unreadable body: {e}"))
            });
        }
        let after = retry_after(resp.headers());
        let message = format!("hubspot api answered {status} for invoice {id}");
        Err(match status.as_u16() {
            401 => transient(format!("{message} (after token refresh)"), after),
            429 => transient(message, after.or(Some(THROTTLE_RETRY_SECS))),
            s if s >= 500 => transient(message, after),
            _ => EnrichError::Rejected(message),
        })
    }
}

#[async_trait]
impl Enricher for HubspotEnricher {
    fn platform(&self) -> Platform {
        Platform::Hubspot
    }

    async fn fetch(&self, r: &ThinReference) -> Result<Vec<InvoiceEvent>, EnrichError> {
        if r.entity != "invoice" {
            return Err(EnrichError::Rejected(format!(
                "entity `{}` is not tracked",
                r.entity.chars().take(32).collect::<String>()
            )));
        }
        let obj = self.invoice(&r.entity_id).await?;
        let snap = snapshot(&obj, self.default_currency).map_err(EnrichError::Rejected)?;
        let modified = obj.modified_ms();
        let occurred_at = modified
            .and_then(|ms| Utc.timestamp_millis_opt(ms).single())
            .unwrap_or(r.occurred_at);
        let event_id = match modified {
            Some(ms) => format!("invoice:{}@{ms}", obj.id),
            None => format!("{}#snapshot", r.event_id),
        };
        let mut e = InvoiceEvent::new(
            InvoiceKey {
                platform: Platform::Hubspot,
                tenant: r.tenant.clone(),
                id: r.entity_id.clone(),
            },
            EventKind::Updated,
            occurred_at,
            event_id,
        )
        .with_snapshot(snap);
        e.received_at = r.received_at;
        e.source_version = modified.and_then(|ms| u64::try_from(ms).ok());
        Ok(vec![e])
    }
}
