//! The enricher: reads an invoice task and builds its snapshot from the configured
//! custom fields.
//!
//! - `GET {api_base}/api/1.0/tasks/{gid}?opt_fields=...` with a bearer token -> one
//!   `updated` event with the snapshot, versioned by `modified_at` (epoch ms), plus
//!   `overdue` / `disputed` when the status field says so.
//! - 401 refreshes the token once and retries; 429 (Asana sends `Retry-After`) and 5xx
//!   are transient; 404 (deleted task) and other 4xx are rejected; a task without the
//!   configured amount field is rejected (not an invoice task).
//! - Gids must be decimal digits; the URL is built from the configured `api_base`.

use std::time::Duration;

use async_trait::async_trait;
use invoice_connector_support::http::{retry_after, transient};
use invoice_connector_support::oauth::{
    get_with_refresh, provider, ClientAuth, Exchange, TokenConfig, TokenProvider,
};
use invoice_core::registry::ConfigError;
use invoice_core::{
    EnrichError, Enricher, EventDetail, EventKind, InvoiceEvent, InvoiceKey, Platform,
    ThinReference,
};

use crate::api::{resolve, Condition, TaskResponse, OPT_FIELDS};
use crate::config::AsanaConfig;

/// Retry delay for a 429 without `Retry-After`.
pub const THROTTLE_RETRY_SECS: u64 = 60;

/// Reads Asana tasks for thin references.
#[derive(Debug)]
pub struct AsanaEnricher {
    api_base: String,
    config: AsanaConfig,
    tokens: Box<dyn TokenProvider>,
    http: reqwest::Client,
}

impl AsanaEnricher {
    /// An enricher for the configured API base, credentials and field map.
    pub fn from_config(config: &AsanaConfig) -> Result<Self, ConfigError> {
        let base = url::Url::parse(&config.api_base)
            .map_err(|e| ConfigError::Invalid(format!("sources.asana.api_base: {e}")))?;
        if !matches!(base.scheme(), "http" | "https") {
            return Err(ConfigError::Invalid(
                "sources.asana.api_base: must be an http(s) URL".into(),
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
                client_secret: config.client_secret.clone(),
                refresh_token: config.refresh_token.clone(),
                token_url: config.token_url.clone(),
            },
            Exchange::new(ClientAuth::Body)
                .with_param(
                    "redirect_uri",
                    config.redirect_uri.clone().unwrap_or_default(),
                )
                .until_rejected(),
            http.clone(),
            "sources.asana",
        )?;
        Ok(AsanaEnricher {
            api_base: config.api_base.trim_end_matches('/').to_owned(),
            config: config.clone(),
            tokens,
            http,
        })
    }

    /// Reads one task, refreshing the token once on 401.
    pub async fn task(&self, gid: &str) -> Result<crate::api::Task, EnrichError> {
        if gid.is_empty() || gid.len() > 32 || !gid.bytes().all(|b| b.is_ascii_digit()) {
            return Err(EnrichError::Rejected("task gid is not an Asana gid".into()));
        }
        let url = format!(
            "{}/api/1.0/tasks/{gid}?opt_fields={OPT_FIELDS}",
            self.api_base
        );
        let resp =
            get_with_refresh(&self.http, self.tokens.as_ref(), &url, &[], "asana api").await?;
        let status = resp.status();
        if status.is_success() {
            let bytes = resp
                .bytes()
                .await
                .map_err(|e| transient(format!("asana api body: {}", e.without_url()), None))?;
            return serde_json::from_slice::<TaskResponse>(&bytes)
                .map(|r| r.data)
                .map_err(|e| {
                    EnrichError::Rejected(format!("asana task {gid}: unreadable body: {e}"))
                });
        }
        let after = retry_after(resp.headers());
        let message = format!("asana api answered {status} for task {gid}");
        Err(match status.as_u16() {
            401 => transient(format!("{message} (after token refresh)"), after),
            429 => transient(message, after.or(Some(THROTTLE_RETRY_SECS))),
            s if s >= 500 => transient(message, after),
            _ => EnrichError::Rejected(message),
        })
    }
}

#[async_trait]
impl Enricher for AsanaEnricher {
    fn platform(&self) -> Platform {
        Platform::Asana
    }

    async fn fetch(&self, r: &ThinReference) -> Result<Vec<InvoiceEvent>, EnrichError> {
        if r.entity != "task" {
            return Err(EnrichError::Rejected(format!(
                "entity `{}` is not tracked",
                r.entity.chars().take(32).collect::<String>()
            )));
        }
        let task = self.task(&r.entity_id).await?;
        let resolved = resolve(&task, &self.config).map_err(EnrichError::Rejected)?;
        let modified = task.modified();
        let occurred_at = modified.unwrap_or(r.occurred_at);
        let version = modified.and_then(|t| u64::try_from(t.timestamp_millis()).ok());
        let base_id = match modified {
            Some(t) => format!("task:{}@{}", r.entity_id, t.timestamp_millis()),
            None => format!("{}#snapshot", r.event_id),
        };
        let key = InvoiceKey {
            platform: Platform::Asana,
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
                        dispute_id: format!("task:{}", r.entity_id),
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
