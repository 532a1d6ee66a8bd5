//! The enricher: reads an invoice item's columns through the GraphQL API.
//!
//! - `POST {api_base}/v2` with `Authorization: <api token>` (monday's form, no `Bearer`),
//!   `API-Version`, and [`ITEM_QUERY`](crate::api::ITEM_QUERY) -> one `updated` event
//!   with the snapshot, versioned by `updated_at` (epoch ms), plus `overdue` /
//!   `disputed` when the status label says so.
//! - 429 and complexity / rate-limit GraphQL errors are transient (`Retry-After` or
//!   `retry_in_seconds`); 5xx transient; 401 transient with an hourly retry (monday
//!   tokens do not expire and have no refresh: a 401 means the token was revoked and must
//!   be replaced in the configuration); an item not found and other errors are rejected.
//! - Item ids must be decimal digits; the URL is the configured `api_base`.

use std::time::Duration;

use async_trait::async_trait;
use invoice_connector_support::http::transient;
use invoice_core::registry::ConfigError;
use invoice_core::{
    EnrichError, Enricher, EventDetail, EventKind, InvoiceEvent, InvoiceKey, Platform, Secret,
    ThinReference,
};

use crate::api::{resolve, Condition, GraphqlResponse, Item, ITEM_QUERY};
use crate::config::MondayConfig;

/// Retry delay for a rate limit without a stated delay.
pub const THROTTLE_RETRY_SECS: u64 = 60;

/// Reads monday.com items for thin references.
#[derive(Debug)]
pub struct MondayEnricher {
    endpoint: String,
    config: MondayConfig,
    token: Option<Secret>,
    http: reqwest::Client,
}

impl MondayEnricher {
    /// An enricher for the configured API base, token and columns.
    pub fn from_config(config: &MondayConfig) -> Result<Self, ConfigError> {
        let base = url::Url::parse(&config.api_base)
            .map_err(|e| ConfigError::Invalid(format!("sources.monday.api_base: {e}")))?;
        if !matches!(base.scheme(), "http" | "https") {
            return Err(ConfigError::Invalid(
                "sources.monday.api_base: must be an http(s) URL".into(),
            ));
        }
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(15))
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| ConfigError::Invalid(format!("http client: {e}")))?;
        Ok(MondayEnricher {
            endpoint: format!("{}/v2", config.api_base.trim_end_matches('/')),
            config: config.clone(),
            token: config.api_token.clone(),
            http,
        })
    }

    /// Reads one item.
    pub async fn item(&self, id: &str) -> Result<Item, EnrichError> {
        if id.is_empty() || id.len() > 24 || !id.bytes().all(|b| b.is_ascii_digit()) {
            return Err(EnrichError::Rejected(
                "item id is not a monday.com id".into(),
            ));
        }
        let token = self
            .token
            .as_ref()
            .and_then(Secret::expose_str)
            .ok_or_else(|| transient("sources.monday.api_token is not set".into(), Some(3600)))?;
        let body = serde_json::json!({ "query": ITEM_QUERY, "variables": { "ids": [id] } });
        let resp = self
            .http
            .post(&self.endpoint)
            .header(reqwest::header::AUTHORIZATION, token)
            .header("API-Version", &self.config.api_version)
            .json(&body)
            .send()
            .await
            .map_err(|e| transient(format!("monday api: {}", e.without_url()), None))?;
        let status = resp.status();
        let after = resp
            .headers()
            .get(reqwest::header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse().ok());
        let bytes = resp
            .bytes()
            .await
            .map_err(|e| transient(format!("monday api body: {}", e.without_url()), None))?;
        let parsed: Option<GraphqlResponse> = serde_json::from_slice(&bytes).ok();
        let limited = parsed.as_ref().and_then(|p| {
            p.errors.iter().find(|e| {
                e.code().is_some_and(|c| {
                    c.contains("Complexity") || c.contains("RATE_LIMIT") || c.contains("Rate")
                })
            })
        });
        if status.as_u16() == 429 || limited.is_some() {
            let wait = after
                .or(limited.and_then(|e| e.retry_in_seconds()))
                .or(Some(THROTTLE_RETRY_SECS));
            return Err(transient(
                format!("monday api rate limited item {id}"),
                wait,
            ));
        }
        match status.as_u16() {
            200..=299 => {}
            401 => {
                return Err(transient(
                    "monday api answered 401: api_token revoked or wrong".into(),
                    Some(3600),
                ))
            }
            s if s >= 500 => return Err(transient(format!("monday api answered {status}"), after)),
            _ => {
                return Err(EnrichError::Rejected(format!(
                    "monday api answered {status} for item {id}"
                )))
            }
        }
        let parsed = parsed.ok_or_else(|| {
            EnrichError::Rejected(format!("monday item {id}: unreadable response"))
        })?;
        if let Some(e) = parsed.errors.first() {
            return Err(EnrichError::Rejected(format!(
                "monday api error for item {id}: {}",
                e.message
                    .as_deref()
                    .unwrap_or("unknown")
                    .chars()
                    .take(120)
                    .collect::<String>()
            )));
        }
        parsed
            .data
            .and_then(|d| d.items.into_iter().find(|i| i.id == id))
            .ok_or_else(|| EnrichError::Rejected(format!("monday item {id} not found")))
    }
}

#[async_trait]
impl Enricher for MondayEnricher {
    fn platform(&self) -> Platform {
        Platform::Monday
    }

    async fn fetch(&self, r: &ThinReference) -> Result<Vec<InvoiceEvent>, EnrichError> {
        if r.entity != "item" {
            return Err(EnrichError::Rejected(format!(
                "entity `{}` is not tracked",
                r.entity.chars().take(32).collect::<String>()
            )));
        }
        let item = self.item(&r.entity_id).await?;
        let resolved = resolve(&item, &self.config).map_err(EnrichError::Rejected)?;
        let updated = item.updated();
        let occurred_at = updated.unwrap_or(r.occurred_at);
        let version = updated.and_then(|t| u64::try_from(t.timestamp_millis()).ok());
        let base_id = match updated {
            Some(t) => format!("item:{}@{}", r.entity_id, t.timestamp_millis()),
            None => format!("{}#snapshot", r.event_id),
        };
        let key = InvoiceKey {
            platform: Platform::Monday,
            tenant: r.tenant.clone(),
            id: r.entity_id.clone(),
        };
        let event = |kind: EventKind, id: String| {
            let mut e = InvoiceEvent::new(key.clone(), kind, occurred_at, id);
            e.received_at = r.received_at;
            e.source_version = version;
            e
        };
        let due = resolved.snapshot.due_date;
        let mut out =
            vec![event(EventKind::Updated, base_id.clone()).with_snapshot(resolved.snapshot)];
        match resolved.condition {
            Some(Condition::Overdue) => {
                let days = due
                    .map(|d| (occurred_at.date_naive() - d).num_days().max(1))
                    .unwrap_or(1);
                let days = u32::try_from(days).unwrap_or(u32::MAX);
                out.push(
                    event(EventKind::Overdue, format!("{base_id}#overdue")).with_detail(
                        EventDetail::Overdue {
                            days_past_due: days,
                            level: days,
                        },
                    ),
                );
            }
            Some(Condition::Disputed) => out.push(
                event(EventKind::Disputed, format!("{base_id}#disputed")).with_detail(
                    EventDetail::Dispute {
                        dispute_id: format!("item:{}", r.entity_id),
                        amount: None,
                        reason: None,
                    },
                ),
            ),
            None => {}
        }
        Ok(out)
    }
}
