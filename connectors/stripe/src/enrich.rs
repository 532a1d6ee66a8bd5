//! Disputes name a charge, not an invoice. The enricher asks Stripe's API which invoice
//! the charge paid (`GET /v1/charges/{id}`, whose `invoice` field exists up to API version
//! 2025-02-24), falling back to `GET /v1/invoice_payments?payment[payment_intent]=...` for
//! newer versions, then emits `disputed` / `dispute_resolved` for that invoice.

use std::time::Duration;

use async_trait::async_trait;
use chrono::{TimeZone, Utc};
use invoice_core::registry::ConfigError;
use invoice_core::{
    DisputeOutcome, EnrichError, Enricher, EventDetail, EventKind, InvoiceEvent, InvoiceKey,
    Platform, Secret, ThinReference,
};
use serde::Deserialize;

use crate::config::StripeConfig;
use crate::mapping::money;
use crate::payload::{Dispute, Event};

/// Looks up the invoice of a disputed charge through Stripe's API.
#[derive(Debug)]
pub struct StripeEnricher {
    api_base: url::Url,
    api_key: Option<Secret>,
    http: reqwest::Client,
}

#[derive(Deserialize)]
struct ChargeInvoice {
    #[serde(default)]
    invoice: Option<String>,
}

#[derive(Deserialize)]
struct InvoicePayments {
    data: Vec<InvoicePayment>,
}

#[derive(Deserialize)]
struct InvoicePayment {
    invoice: String,
}

impl StripeEnricher {
    /// An enricher for the configured API base and key.
    pub fn from_config(config: &StripeConfig) -> Result<Self, ConfigError> {
        let api_base = url::Url::parse(&config.api_base)
            .map_err(|e| ConfigError::Invalid(format!("sources.stripe.api_base: {e}")))?;
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .build()
            .map_err(|e| ConfigError::Invalid(format!("http client: {e}")))?;
        Ok(StripeEnricher {
            api_base,
            api_key: config.api_key.clone(),
            http,
        })
    }

    async fn get<T: for<'de> Deserialize<'de>>(
        &self,
        path_and_query: &str,
    ) -> Result<T, EnrichError> {
        let url = self
            .api_base
            .join(path_and_query)
            .map_err(|e| EnrichError::Rejected(format!("bad lookup path: {e}")))?;
        let key = self
            .api_key
            .as_ref()
            .and_then(Secret::expose_str)
            .ok_or_else(|| EnrichError::Rejected("sources.stripe.api_key is not set".into()))?;
        let resp = self
            .http
            .get(url)
            .bearer_auth(key)
            .send()
            .await
            .map_err(|e| EnrichError::Transient {
                message: format!("stripe api: {}", e.without_url()),
                retry_after_secs: None,
            })?;
        let status = resp.status();
        if status.is_success() {
            return resp.json().await.map_err(|e| EnrichError::Transient {
                message: format!("stripe api body: {}", e.without_url()),
                retry_after_secs: None,
            });
        }
        let retry_after_secs = resp
            .headers()
            .get(reqwest::header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse().ok());
        if status.as_u16() == 429 || status.is_server_error() {
            Err(EnrichError::Transient {
                message: format!("stripe api answered {status}"),
                retry_after_secs,
            })
        } else {
            Err(EnrichError::Rejected(format!(
                "stripe api answered {status}"
            )))
        }
    }

    async fn invoice_of(&self, dispute: &Dispute<'_>) -> Result<String, EnrichError> {
        if let Some(charge) = dispute.charge.as_deref() {
            let c: ChargeInvoice = self.get(&format!("/v1/charges/{}", encode(charge))).await?;
            if let Some(invoice) = c.invoice {
                return Ok(invoice);
            }
        }
        if let Some(pi) = dispute.payment_intent.as_deref() {
            let list: InvoicePayments = self
                .get(&format!(
                    "/v1/invoice_payments?payment[type]=payment_intent&payment[payment_intent]={}",
                    encode(pi)
                ))
                .await?;
            if let Some(p) = list.data.into_iter().next() {
                return Ok(p.invoice);
            }
        }
        Err(EnrichError::Rejected(format!(
            "dispute {} is not on an invoice payment",
            dispute.id
        )))
    }
}

/// Stripe ids are `[A-Za-z0-9_]`; anything else is refused rather than sent.
fn encode(id: &str) -> String {
    id.chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect()
}

#[async_trait]
impl Enricher for StripeEnricher {
    fn platform(&self) -> Platform {
        Platform::Stripe
    }

    async fn fetch(&self, reference: &ThinReference) -> Result<Vec<InvoiceEvent>, EnrichError> {
        let raw = reference
            .raw
            .as_ref()
            .ok_or_else(|| EnrichError::Rejected("dispute reference without its event".into()))?;
        let event: Event<'_> = serde_json::from_slice(raw)
            .map_err(|e| EnrichError::Rejected(format!("stored event unreadable: {e}")))?;
        let dispute: Dispute<'_> = serde_json::from_str(event.data.object.get())
            .map_err(|e| EnrichError::Rejected(format!("stored dispute unreadable: {e}")))?;
        let invoice = self.invoice_of(&dispute).await?;
        let amount = money(dispute.amount, &dispute.currency).ok();
        let (kind, detail) = match (event.event_type.as_ref(), dispute.status.as_ref()) {
            ("charge.dispute.closed", status) => (
                EventKind::DisputeResolved,
                EventDetail::DisputeResolution {
                    dispute_id: dispute.id.to_string(),
                    outcome: if status == "lost" {
                        DisputeOutcome::Lost
                    } else {
                        DisputeOutcome::Won
                    },
                },
            ),
            _ => (
                EventKind::Disputed,
                EventDetail::Dispute {
                    dispute_id: dispute.id.to_string(),
                    amount,
                    reason: dispute.reason.as_deref().map(str::to_owned),
                },
            ),
        };
        let occurred_at = Utc
            .timestamp_opt(event.created, 0)
            .single()
            .unwrap_or(reference.occurred_at);
        let mut e = InvoiceEvent::new(
            InvoiceKey {
                platform: Platform::Stripe,
                tenant: reference.tenant.clone(),
                id: invoice,
            },
            kind,
            occurred_at,
            event.id.to_string(),
        )
        .with_detail(detail);
        e.received_at = reference.received_at;
        e.source_version = u64::try_from(event.created).ok();
        Ok(vec![e])
    }
}
