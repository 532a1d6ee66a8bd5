//! The enricher: reads an invoice row through the Dataverse Web API when a post did not
//! describe it fully (an Update without a post-image).
//!
//! - `GET {api_base}/api/data/v9.2/invoices({id})?$select=...&$expand=transactioncurrencyid($select=isocurrencycode)`
//!   with a bearer token and `Prefer: odata.include-annotations="OData.Community.Display.V1.FormattedValue"`
//!   -> the row's event by the same status table as the webhook, versioned by `modifiedon`.
//! - 401 refreshes the token once and retries; 429 and 5xx are transient (with
//!   `Retry-After` when given); 404 and other 4xx are rejected.
//! - The id must be a GUID and the URL is built from the configured `api_base` only.

use std::collections::BTreeMap;
use std::time::Duration;

use async_trait::async_trait;
use invoice_connector_support::http::{retry_after, transient};
use invoice_core::registry::ConfigError;
use invoice_core::{EnrichError, Enricher, InvoiceEvent, Platform, Secret, ThinReference};
use serde::Deserialize;
use serde_json::value::RawValue;

use crate::config::{Currencies, Dynamics365Config};
use crate::mapping::{map_row, Mapped, Row, Rules};
use crate::token::{ClientCredentials, StaticToken, TokenProvider};
use crate::values;

/// Web API version path.
pub const API_PATH: &str = "/api/data/v9.2";

/// Columns read from the invoice.
pub const SELECT: &str = "invoiceid,invoicenumber,statecode,statuscode,totalamount,duedate,_customerid_value,_transactioncurrencyid_value,modifiedon";

/// Reads Dataverse invoices for thin references.
#[derive(Debug)]
pub struct Dynamics365Enricher {
    api_base: String,
    currencies: Currencies,
    new_as_draft: bool,
    amount_due_attribute: Option<String>,
    tokens: Box<dyn TokenProvider>,
    http: reqwest::Client,
}

fn is_guid(id: &str) -> bool {
    id.len() == 36
        && id.char_indices().all(|(i, c)| {
            if matches!(i, 8 | 13 | 18 | 23) {
                c == '-'
            } else {
                c.is_ascii_hexdigit()
            }
        })
}

#[derive(Deserialize)]
struct CurrencyRef {
    #[serde(default)]
    isocurrencycode: Option<String>,
}

impl Dynamics365Enricher {
    /// An enricher when `api_base` is configured (`None` otherwise): client credentials
    /// (`token_url`, `client_id`, `client_secret`) or a fixed `access_token`.
    pub fn from_config(config: &Dynamics365Config) -> Result<Option<Self>, ConfigError> {
        let Some(base) = config.api_base.as_deref() else {
            return Ok(None);
        };
        let invalid = |m: String| ConfigError::Invalid(format!("sources.dynamics365.{m}"));
        let parsed = url::Url::parse(base).map_err(|e| invalid(format!("api_base: {e}")))?;
        if !matches!(parsed.scheme(), "http" | "https") || parsed.host_str().is_none() {
            return Err(invalid("api_base: must be an http(s) URL".into()));
        }
        let currencies = config.validate()?;
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(30))
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| ConfigError::Invalid(format!("http client: {e}")))?;
        let api_base = base.trim_end_matches('/').to_owned();
        let tokens: Box<dyn TokenProvider> = match (
            &config.token_url,
            &config.client_id,
            &config.client_secret,
            &config.access_token,
        ) {
            (Some(url), Some(id), Some(secret), _) => {
                let token_url =
                    url::Url::parse(url).map_err(|e| invalid(format!("token_url: {e}")))?;
                Box::new(ClientCredentials::new(
                    http.clone(),
                    token_url,
                    id.clone(),
                    secret.clone(),
                    format!("{api_base}/.default"),
                ))
            }
            (None, None, None, Some(token)) => Box::new(StaticToken(token.clone())),
            _ => {
                return Err(invalid(
                    "api_base needs token_url, client_id and client_secret (or access_token)"
                        .into(),
                ))
            }
        };
        Ok(Some(Dynamics365Enricher {
            api_base,
            currencies,
            new_as_draft: config.new_as_draft,
            amount_due_attribute: config.amount_due_attribute.clone(),
            tokens,
            http,
        }))
    }

    /// Replaces the token provider (tests, or hosts that keep tokens elsewhere).
    pub fn with_tokens(mut self, tokens: Box<dyn TokenProvider>) -> Self {
        self.tokens = tokens;
        self
    }

    async fn send(&self, url: &str, token: &Secret) -> Result<reqwest::Response, EnrichError> {
        let bearer = token
            .expose_str()
            .ok_or_else(|| EnrichError::Rejected("access token is not UTF-8".into()))?;
        self.http
            .get(url)
            .bearer_auth(bearer)
            .header(reqwest::header::ACCEPT, "application/json")
            .header("OData-MaxVersion", "4.0")
            .header("OData-Version", "4.0")
            .header(
                "Prefer",
                "odata.include-annotations=\"OData.Community.Display.V1.FormattedValue\"",
            )
            .send()
            .await
            .map_err(|e| transient(format!("dataverse api: {}", e.without_url()), None))
    }

    /// Reads one invoice row's columns, refreshing the token once on 401.
    pub async fn invoice(&self, id: &str) -> Result<BTreeMap<String, Box<RawValue>>, EnrichError> {
        if !is_guid(id) {
            return Err(EnrichError::Rejected("invoice id is not a GUID".into()));
        }
        let mut select = SELECT.to_owned();
        if let Some(a) = &self.amount_due_attribute {
            if a.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
                select.push(',');
                select.push_str(a);
            }
        }
        let url = format!(
            "{}{API_PATH}/invoices({id})?$select={select}&$expand=transactioncurrencyid($select=isocurrencycode)",
            self.api_base
        );
        let mut token = self.tokens.token().await?;
        let mut refreshed = false;
        loop {
            let resp = self.send(&url, &token).await?;
            let status = resp.status();
            if status.is_success() {
                let bytes = resp.bytes().await.map_err(|e| {
                    transient(format!("dataverse api body: {}", e.without_url()), None)
                })?;
                return serde_json::from_slice(&bytes).map_err(|e| {
                    EnrichError::Rejected(format!("invoice {id}: unreadable body: {e}"))
                });
            }
            if status.as_u16() == 401 && !refreshed {
                refreshed = true;
                token = self.tokens.refresh(&token).await?;
                continue;
            }
            let after = retry_after(resp.headers());
            let message = format!("dataverse api answered {status} for invoice {id}");
            return Err(match status.as_u16() {
                401 => transient(format!("{message} (after token refresh)"), after),
                429 => transient(message, after.or(Some(60))),
                s if s >= 500 => transient(message, after),
                _ => EnrichError::Rejected(message),
            });
        }
    }

    fn row(&self, id: &str, message: &str, cols: &BTreeMap<String, Box<RawValue>>) -> Row {
        let get = |k: &str| {
            cols.get(k)
                .map(|v| &**v)
                .filter(|v| v.get().trim() != "null")
        };
        let text = |k: &str| get(k).and_then(values::text).filter(|t| !t.is_empty());
        Row {
            id: id.to_owned(),
            message: message.to_owned(),
            number: text("invoicenumber"),
            statecode: get("statecode").and_then(values::option),
            statuscode: get("statuscode").and_then(values::option),
            total: get("totalamount").map(|v| values::money(v).ok_or(())),
            amount_due: self
                .amount_due_attribute
                .as_deref()
                .and_then(get)
                .map(|v| values::money(v).ok_or(())),
            due_date: get("duedate").map(|v| values::date(v).ok_or(())),
            customer_id: text("_customerid_value"),
            customer_name: text("_customerid_value@OData.Community.Display.V1.FormattedValue"),
            currency_id: text("_transactioncurrencyid_value"),
            currency_name: get("transactioncurrencyid")
                .and_then(|v| serde_json::from_str::<CurrencyRef>(v.get()).ok())
                .and_then(|c| c.isocurrencycode),
            modified_on: get("modifiedon").and_then(values::date_time),
        }
    }
}

#[async_trait]
impl Enricher for Dynamics365Enricher {
    fn platform(&self) -> Platform {
        Platform::Dynamics365
    }

    async fn fetch(&self, r: &ThinReference) -> Result<Vec<InvoiceEvent>, EnrichError> {
        if r.entity != "invoice" {
            return Err(EnrichError::Rejected(format!(
                "entity `{}` is not tracked",
                r.entity.chars().take(32).collect::<String>()
            )));
        }
        let cols = self.invoice(&r.entity_id).await?;
        let row = self.row(&r.entity_id, &r.operation, &cols);
        let event_id = match row.modified_on {
            Some(t) => format!("api:invoice/{}@{}", r.entity_id, t.timestamp_millis()),
            None => format!("{}#api", r.event_id),
        };
        let rules = Rules {
            currencies: &self.currencies,
            new_as_draft: self.new_as_draft,
            amount_due_attribute: self.amount_due_attribute.as_deref(),
            enrich: false,
            now: r.received_at,
        };
        let mut mapped = Mapped::default();
        map_row(
            &row,
            &r.tenant,
            &rules,
            event_id,
            r.occurred_at,
            &mut mapped,
        );
        if let Some(s) = mapped.skipped.first() {
            return Err(EnrichError::Rejected(format!(
                "invoice {}: {}",
                r.entity_id, s.reason
            )));
        }
        for e in &mut mapped.events {
            e.received_at = r.received_at;
        }
        Ok(mapped.events)
    }
}
