//! The enricher: resolves QuickBooks Online thin references through the Accounting API.
//!
//! - `Invoice` (any operation but `Delete`): `GET {api_base}/v3/company/{realm}/invoice/{id}
//!   ?minorversion=N` -> one `updated` (or `voided`) snapshot, versioned by `SyncToken`.
//! - `Invoice` `Delete`: the record is gone; a `voided` event without snapshot, no request.
//! - `Payment` / `CreditMemo`: fetch it, then re-fetch every invoice its lines link to
//!   (at most [`MAX_LINKED`]), one snapshot each.
//! - Failures: 401 refreshes the token once and retries; 429 (QBO throttling, 500
//!   requests a minute per company) is transient with `Retry-After` or 60 s; 5xx and network
//!   errors are transient; 400 (`Object Not Found`), 403, 404 are rejected.
//! - Ids are digits only and URLs are built from the configured `api_base`: nothing in a
//!   payload chooses where a request goes.

use std::time::Duration;

use async_trait::async_trait;
use invoice_connector_support::http::{retry_after, transient};
use invoice_connector_support::oauth::{
    get_with_refresh, provider, ClientAuth, Exchange, TokenConfig, TokenProvider,
};
use invoice_core::registry::ConfigError;
use invoice_core::{
    Currency, EnrichError, Enricher, EventKind, InvoiceEvent, InvoiceKey, Platform, ThinReference,
};
use serde::de::DeserializeOwned;

use crate::api::{
    linked_invoices, CreditMemoResponse, FaultResponse, Invoice, InvoiceResponse, PaymentResponse,
};
use crate::config::QboConfig;
use crate::mapping::{last_updated, looks_voided, snapshot, sync_token};

/// At most this many invoices are re-read for one payment or credit memo.
pub const MAX_LINKED: usize = 25;

/// Retry delay for a 429 without `Retry-After` (QBO's limits are per minute).
pub const THROTTLE_RETRY_SECS: u64 = 60;

/// Resolves thin references through the QuickBooks Online Accounting API.
#[derive(Debug)]
pub struct QboEnricher {
    api_base: String,
    minor_version: u32,
    home_currency: Option<Currency>,
    tokens: Box<dyn TokenProvider>,
    http: reqwest::Client,
}

/// QBO ids (realm and entity) are decimal digits.
fn checked_id<'a>(what: &str, id: &'a str) -> Result<&'a str, EnrichError> {
    if !id.is_empty() && id.len() <= 32 && id.bytes().all(|b| b.is_ascii_digit()) {
        Ok(id)
    } else {
        Err(EnrichError::Rejected(format!(
            "{what} id is not a QuickBooks id"
        )))
    }
}

impl QboEnricher {
    /// An enricher for the configured API base and credentials.
    pub fn from_config(config: &QboConfig) -> Result<Self, ConfigError> {
        let base = url::Url::parse(&config.api_base).map_err(|e| {
            ConfigError::Invalid(format!("sources.quickbooks-online.api_base: {e}"))
        })?;
        if !matches!(base.scheme(), "http" | "https") {
            return Err(ConfigError::Invalid(
                "sources.quickbooks-online.api_base: must be an http(s) URL".into(),
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
            Exchange::new(ClientAuth::Basic),
            http.clone(),
            "sources.quickbooks-online",
        )?;
        Ok(QboEnricher {
            api_base: config.api_base.trim_end_matches('/').to_owned(),
            minor_version: config.minor_version,
            home_currency: config.home_currency(),
            tokens,
            http,
        })
    }

    /// Replaces the token provider (tests, or hosts that keep tokens elsewhere).
    pub fn with_tokens(mut self, tokens: Box<dyn TokenProvider>) -> Self {
        self.tokens = tokens;
        self
    }

    /// GETs `/v3/company/{realm}/{entity}/{id}` with one token refresh on 401.
    async fn get<T: DeserializeOwned>(
        &self,
        realm: &str,
        entity: &str,
        id: &str,
    ) -> Result<T, EnrichError> {
        let url = format!(
            "{}/v3/company/{}/{entity}/{}?minorversion={}",
            self.api_base,
            checked_id("realm", realm)?,
            checked_id(entity, id)?,
            self.minor_version
        );
        let resp = get_with_refresh(
            &self.http,
            self.tokens.as_ref(),
            &url,
            &[],
            "quickbooks api",
        )
        .await?;
        let status = resp.status();
        if status.is_success() {
            let bytes = resp.bytes().await.map_err(|e| {
                transient(format!("quickbooks api body: {}", e.without_url()), None)
            })?;
            return serde_json::from_slice(&bytes).map_err(|e| {
                transient(
                    format!("quickbooks {entity} {id}: unreadable body: {e}"),
                    None,
                )
            });
        }
        let after = retry_after(resp.headers());
        let fault = resp
            .json::<FaultResponse>()
            .await
            .map(|f| format!(": {}", f.summary()))
            .unwrap_or_default();
        let message = format!("quickbooks api answered {status} for {entity} {id}{fault}");
        Err(match status.as_u16() {
            401 => transient(format!("{message} (after token refresh)"), after),
            429 => transient(message, after.or(Some(THROTTLE_RETRY_SECS))),
            s if s >= 500 => transient(message, after),
            _ => EnrichError::Rejected(message),
        })
    }

    fn invoice_event(
        &self,
        r: &ThinReference,
        inv: &Invoice,
        void_notified: bool,
    ) -> Result<InvoiceEvent, EnrichError> {
        let updated_at = last_updated(inv);
        let voided =
            looks_voided(inv) || (void_notified && updated_at.is_none_or(|t| t <= r.occurred_at));
        let snap = snapshot(inv, self.home_currency, voided).map_err(EnrichError::Rejected)?;
        let version = sync_token(inv);
        let mut event_id = match (&inv.sync_token, &inv.meta_data.last_updated_time) {
            (Some(v), _) => format!("Invoice:{}@{}", inv.id, v),
            (None, Some(t)) => format!("Invoice:{}@{}", inv.id, t),
            (None, None) => format!("{}#Invoice:{}", r.event_id, inv.id),
        };
        if voided && !looks_voided(inv) {
            // The same record version read for another notification is not void; this
            // reading is, on the Void notification's word: a distinct event, ordered after.
            event_id.push_str(":void");
        }
        let kind = if voided {
            EventKind::Voided
        } else {
            EventKind::Updated
        };
        let mut e = InvoiceEvent::new(
            InvoiceKey {
                platform: Platform::QuickbooksOnline,
                tenant: r.tenant.clone(),
                id: inv.id.clone(),
            },
            kind,
            updated_at.unwrap_or(r.occurred_at),
            event_id,
        )
        .with_snapshot(snap);
        e.received_at = r.received_at;
        e.source_version = version;
        Ok(e)
    }

    async fn invoice(&self, realm: &str, id: &str) -> Result<Invoice, EnrichError> {
        let resp: InvoiceResponse = self.get(realm, "invoice", id).await?;
        Ok(resp.invoice)
    }

    async fn linked(
        &self,
        r: &ThinReference,
        invoice_ids: Vec<String>,
    ) -> Result<Vec<InvoiceEvent>, EnrichError> {
        if invoice_ids.len() > MAX_LINKED {
            tracing::warn!(
                entity = %r.entity,
                id = %r.entity_id,
                linked = invoice_ids.len(),
                "more linked invoices than are re-read"
            );
        }
        let mut out = Vec::new();
        for id in invoice_ids.iter().take(MAX_LINKED) {
            let inv = self.invoice(r.tenant.as_str(), id).await?;
            out.push(self.invoice_event(r, &inv, false)?);
        }
        Ok(out)
    }
}

#[async_trait]
impl Enricher for QboEnricher {
    fn platform(&self) -> Platform {
        Platform::QuickbooksOnline
    }

    async fn fetch(&self, r: &ThinReference) -> Result<Vec<InvoiceEvent>, EnrichError> {
        let realm = r.tenant.as_str();
        match (r.entity.as_str(), r.operation.as_str()) {
            ("Invoice", "Delete") => {
                let mut e = InvoiceEvent::new(
                    InvoiceKey {
                        platform: Platform::QuickbooksOnline,
                        tenant: r.tenant.clone(),
                        id: checked_id("Invoice", &r.entity_id)?.to_owned(),
                    },
                    EventKind::Voided,
                    r.occurred_at,
                    // Not the reference's own id: that one is already a dedup key.
                    format!("{}#deleted", r.event_id),
                );
                e.received_at = r.received_at;
                Ok(vec![e])
            }
            ("Invoice", op) => {
                let inv = self.invoice(realm, &r.entity_id).await?;
                Ok(vec![self.invoice_event(r, &inv, op == "Void")?])
            }
            (entity @ ("Payment" | "CreditMemo"), "Delete") => Err(EnrichError::Rejected(format!(
                "{entity} {} was deleted and cannot be read; the invoices it settled are not re-read",
                r.entity_id
            ))),
            ("Payment", _) => {
                let p: PaymentResponse = self.get(realm, "payment", &r.entity_id).await?;
                let ids = linked_invoices(&p.payment.line, []);
                self.linked(r, ids).await
            }
            ("CreditMemo", _) => {
                let c: CreditMemoResponse = self.get(realm, "creditmemo", &r.entity_id).await?;
                let ids = linked_invoices(&c.credit_memo.line, &c.credit_memo.linked_txn);
                self.linked(r, ids).await
            }
            (entity, _) => Err(EnrichError::Rejected(format!(
                "entity `{}` is not tracked",
                entity.chars().take(32).collect::<String>()
            ))),
        }
    }
}
