//! The enricher: reads invoices (and the invoice of a payment) from the Accounting API.
//!
//! - `invoice`: `GET {api_base}/accounting/account/{account}/invoices/invoices/{id}` ->
//!   `updated` (or `voided` when deleted) with the snapshot, versioned by `updated`
//!   (epoch ms), plus `overdue` / `disputed` / `payment_failed` from `v3_status`.
//! - `payment`: `GET .../payments/payments/{id}`, then its invoice as above.
//! - 401 refreshes the token once and retries; 429 and 5xx are transient (with
//!   `Retry-After` when given); 404 and other 4xx are rejected.
//! - Account and object ids must be alphanumeric; URLs are built from `api_base`.

use std::time::Duration;

use async_trait::async_trait;
use invoice_connector_support::http::{retry_after, transient};
use invoice_connector_support::oauth::{
    get_with_refresh, provider, ClientAuth, Exchange, TokenConfig, TokenProvider,
};
use invoice_core::registry::ConfigError;
use invoice_core::{
    EnrichError, Enricher, EventDetail, EventKind, InvoiceEvent, InvoiceKey, Lifecycle, Platform,
    ThinReference,
};
use serde::de::DeserializeOwned;

use crate::api::{
    id_text, snapshot, updated_at, Condition, Envelope, InvoiceResult, PaymentResult,
};
use crate::config::FreshbooksConfig;
use crate::mapping::valid_id;

/// Retry delay for a 429 without `Retry-After`.
pub const THROTTLE_RETRY_SECS: u64 = 60;

/// Reads FreshBooks invoices for thin references.
#[derive(Debug)]
pub struct FreshbooksEnricher {
    api_base: String,
    tokens: Box<dyn TokenProvider>,
    http: reqwest::Client,
}

fn checked<'a>(what: &str, id: &'a str) -> Result<&'a str, EnrichError> {
    if valid_id(id) {
        Ok(id)
    } else {
        Err(EnrichError::Rejected(format!(
            "{what} id is not a FreshBooks id"
        )))
    }
}

impl FreshbooksEnricher {
    /// An enricher for the configured API base and credentials.
    pub fn from_config(config: &FreshbooksConfig) -> Result<Self, ConfigError> {
        let base = url::Url::parse(&config.api_base)
            .map_err(|e| ConfigError::Invalid(format!("sources.freshbooks.api_base: {e}")))?;
        if !matches!(base.scheme(), "http" | "https") {
            return Err(ConfigError::Invalid(
                "sources.freshbooks.api_base: must be an http(s) URL".into(),
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
            "sources.freshbooks",
        )?;
        Ok(FreshbooksEnricher {
            api_base: config.api_base.trim_end_matches('/').to_owned(),
            tokens,
            http,
        })
    }

    /// GETs `/accounting/account/{account}/{path}/{id}` with one token refresh on 401.
    async fn get<T: DeserializeOwned>(
        &self,
        account: &str,
        path: &str,
        id: &str,
    ) -> Result<T, EnrichError> {
        let url = format!(
            "{}/accounting/account/{}/{path}/{}",
            self.api_base,
            checked("account", account)?,
            checked(path, id)?
        );
        let resp = get_with_refresh(
            &self.http,
            self.tokens.as_ref(),
            &url,
            &[],
            "freshbooks api",
        )
        .await?;
        let status = resp.status();
        if status.is_success() {
            let bytes = resp.bytes().await.map_err(|e| {
                transient(format!("freshbooks api body: {}", e.without_url()), None)
            })?;
            return serde_json::from_slice::<Envelope<T>>(&bytes)
                .map(|e| e.response.result)
                .map_err(|e| EnrichError::Rejected(format!("freshbooks {path} {id}: {e}")));
        }
        let after = retry_after(resp.headers());
        let message = format!("freshbooks api answered {status} for {path} {id}");
        Err(match status.as_u16() {
            401 => transient(format!("{message} (after token refresh)"), after),
            429 => transient(message, after.or(Some(THROTTLE_RETRY_SECS))),
            s if s >= 500 => transient(message, after),
            _ => EnrichError::Rejected(message),
        })
    }

    async fn invoice_events(
        &self,
        r: &ThinReference,
        invoice_id: &str,
    ) -> Result<Vec<InvoiceEvent>, EnrichError> {
        let result: InvoiceResult = self
            .get(r.tenant.as_str(), "invoices/invoices", invoice_id)
            .await?;
        let inv = result.invoice;
        let (snap, condition) = snapshot(&inv).map_err(EnrichError::Rejected)?;
        let updated = updated_at(&inv);
        let occurred_at = updated.unwrap_or(r.occurred_at);
        let version = updated.and_then(|t| u64::try_from(t.timestamp_millis()).ok());
        let id = id_text(inv.invoiceid.as_ref().or(inv.id.as_ref()))
            .unwrap_or_else(|| invoice_id.to_owned());
        let base_id = match updated {
            Some(t) => format!("invoice:{id}@{}", t.timestamp_millis()),
            None => format!("{}#invoice:{id}", r.event_id),
        };
        let key = InvoiceKey {
            platform: Platform::Freshbooks,
            tenant: r.tenant.clone(),
            id,
        };
        let event = |kind: EventKind, eid: String| {
            let mut e = InvoiceEvent::new(key.clone(), kind, occurred_at, eid);
            e.received_at = r.received_at;
            e.source_version = version;
            e
        };
        let kind = if snap.lifecycle == Lifecycle::Void {
            EventKind::Voided
        } else {
            EventKind::Updated
        };
        let due = snap.due_date;
        let mut out = vec![event(kind, base_id.clone()).with_snapshot(snap)];
        match condition {
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
                        dispute_id: format!("invoice:{invoice_id}"),
                        amount: None,
                        reason: None,
                    },
                ),
            ),
            Some(Condition::PaymentFailed) => out.push(
                event(
                    EventKind::PaymentFailed,
                    format!("{base_id}#payment_failed"),
                )
                .with_detail(EventDetail::PaymentFailure {
                    reason: inv.v3_status.clone(),
                }),
            ),
            None => {}
        }
        Ok(out)
    }
}

#[async_trait]
impl Enricher for FreshbooksEnricher {
    fn platform(&self) -> Platform {
        Platform::Freshbooks
    }

    async fn fetch(&self, r: &ThinReference) -> Result<Vec<InvoiceEvent>, EnrichError> {
        match r.entity.as_str() {
            "invoice" => self.invoice_events(r, &r.entity_id).await,
            "payment" => {
                let p: PaymentResult = self
                    .get(r.tenant.as_str(), "payments/payments", &r.entity_id)
                    .await?;
                let invoice = id_text(p.payment.invoiceid.as_ref()).ok_or_else(|| {
                    EnrichError::Rejected(format!("payment {} names no invoice", r.entity_id))
                })?;
                self.invoice_events(r, &invoice).await
            }
            other => Err(EnrichError::Rejected(format!(
                "entity `{}` is not tracked",
                other.chars().take(32).collect::<String>()
            ))),
        }
    }
}
