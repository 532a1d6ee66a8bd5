//! The enricher: resolves Xero invoice references through the Accounting API.
//!
//! - The payload's `resourceUrl` must lie under the configured `api_base` (same scheme,
//!   host and port, path under `/api.xro/2.0/`, last segment the resource id); otherwise
//!   the reference is rejected and nothing is requested (SSRF guard). The request itself
//!   goes to `{api_base}/api.xro/2.0/{Invoices|CreditNotes}/{id}`, the id checked to be a
//!   GUID.
//! - `Invoice` references: `GET .../Invoices/{id}` -> one `updated` (or `voided`) snapshot.
//! - `CreditNote` references: `GET .../CreditNotes/{id}`, then every invoice it is
//!   allocated to (at most [`MAX_LINKED`]) -> one snapshot each.
//! - Headers: `Authorization: Bearer`, `xero-tenant-id`, `Accept: application/json`.
//! - 401 refreshes the token once and retries; 429 is transient with `Retry-After` (or
//!   60 s); 5xx and network errors are transient; 400, 403 (tenant disconnected), 404
//!   are rejected.

use std::time::Duration;

use async_trait::async_trait;
use invoice_connector_support::http::{retry_after, transient};
use invoice_connector_support::oauth::{
    get_with_refresh, provider, ClientAuth, Exchange, TokenConfig, TokenProvider,
};
use invoice_core::registry::ConfigError;
use invoice_core::{
    EnrichError, Enricher, EventKind, InvoiceEvent, InvoiceKey, Lifecycle, Platform, ThinReference,
};
use serde::de::DeserializeOwned;

use crate::api::{ms_date, ms_time, CreditNotesResponse, ErrorBody, InvoicesResponse};
use crate::config::XeroConfig;
use crate::mapping::snapshot;

/// At most this many invoices are re-read for one credit note.
pub const MAX_LINKED: usize = 25;

/// Retry delay for a 429 without `Retry-After`.
pub const THROTTLE_RETRY_SECS: u64 = 60;

/// Resolves thin references through the Xero Accounting API.
#[derive(Debug)]
pub struct XeroEnricher {
    api_base: url::Url,
    tokens: Box<dyn TokenProvider>,
    http: reqwest::Client,
}

/// Xero ids are GUIDs: 36 characters, hex digits and dashes.
fn is_guid(id: &str) -> bool {
    id.len() == 36
        && id.char_indices().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => c == '-',
            _ => c.is_ascii_hexdigit(),
        })
}

impl XeroEnricher {
    /// An enricher for the configured API base and credentials.
    pub fn from_config(config: &XeroConfig) -> Result<Self, ConfigError> {
        let api_base = url::Url::parse(config.api_base.trim_end_matches('/'))
            .map_err(|e| ConfigError::Invalid(format!("sources.xero.api_base: {e}")))?;
        if !matches!(api_base.scheme(), "http" | "https") || api_base.host_str().is_none() {
            return Err(ConfigError::Invalid(
                "sources.xero.api_base: must be an http(s) URL".into(),
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
            "sources.xero",
        )?;
        Ok(XeroEnricher {
            api_base,
            tokens,
            http,
        })
    }

    /// Replaces the token provider (tests, or hosts that keep tokens elsewhere).
    pub fn with_tokens(mut self, tokens: Box<dyn TokenProvider>) -> Self {
        self.tokens = tokens;
        self
    }

    fn base_path(&self) -> &str {
        self.api_base.path().trim_end_matches('/')
    }

    /// Refuses a `resourceUrl` outside the API base (the SSRF guard).
    pub fn check_resource_url(&self, resource_url: &str, id: &str) -> Result<(), EnrichError> {
        let refuse = || {
            EnrichError::Rejected(format!(
                "resourceUrl is outside the configured api_base {}",
                self.api_base
            ))
        };
        let url = url::Url::parse(resource_url).map_err(|_| refuse())?;
        let same_origin = url.scheme() == self.api_base.scheme()
            && url.host_str() == self.api_base.host_str()
            && url.port_or_known_default() == self.api_base.port_or_known_default()
            && url.username().is_empty()
            && url.password().is_none();
        let prefix = format!("{}/api.xro/2.0/", self.base_path());
        let last = url.path().rsplit('/').next().unwrap_or_default();
        if !same_origin
            || !url.path().starts_with(&prefix)
            || !last.eq_ignore_ascii_case(id)
            || url.query().is_some()
        {
            return Err(refuse());
        }
        Ok(())
    }

    /// GETs `{api_base}/api.xro/2.0/{collection}/{id}` for `tenant`, with one token
    /// refresh on 401.
    async fn get<T: DeserializeOwned>(
        &self,
        collection: &str,
        tenant: &str,
        id: &str,
    ) -> Result<T, EnrichError> {
        let url = format!(
            "{}{}/api.xro/2.0/{collection}/{id}",
            self.api_base.origin().ascii_serialization(),
            self.base_path()
        );
        let resp = get_with_refresh(
            &self.http,
            self.tokens.as_ref(),
            &url,
            &[("xero-tenant-id", tenant)],
            "xero api",
        )
        .await?;
        let status = resp.status();
        if status.is_success() {
            let bytes = resp
                .bytes()
                .await
                .map_err(|e| transient(format!("xero api body: {}", e.without_url()), None))?;
            return serde_json::from_slice(&bytes).map_err(|e| {
                transient(
                    format!("xero {collection} {id}: unreadable body: {e}"),
                    None,
                )
            });
        }
        let after = retry_after(resp.headers());
        let detail = resp
            .json::<ErrorBody>()
            .await
            .map(|b| b.summary())
            .ok()
            .filter(|s| !s.is_empty())
            .map(|s| format!(": {s}"))
            .unwrap_or_default();
        let message = format!("xero api answered {status} for {collection} {id}{detail}");
        Err(match status.as_u16() {
            401 => transient(format!("{message} (after token refresh)"), after),
            429 => transient(message, after.or(Some(THROTTLE_RETRY_SECS))),
            s if s >= 500 => transient(message, after),
            _ => EnrichError::Rejected(message),
        })
    }

    /// The invoice `id` of `r`'s tenant as one canonical event.
    async fn invoice_event(
        &self,
        r: &ThinReference,
        id: &str,
    ) -> Result<InvoiceEvent, EnrichError> {
        let body: InvoicesResponse = self.get("Invoices", r.tenant.as_str(), id).await?;
        let inv = body
            .invoices
            .into_iter()
            .next()
            .ok_or_else(|| EnrichError::Rejected(format!("xero returned no invoice {id}")))?;
        if !inv.invoice_id.eq_ignore_ascii_case(id) {
            return Err(EnrichError::Rejected(format!(
                "xero answered invoice {} for {id}",
                inv.invoice_id.chars().take(40).collect::<String>()
            )));
        }
        let snap = snapshot(&inv).map_err(EnrichError::Rejected)?;
        let updated = inv.updated_date_utc.as_deref();
        let version = updated
            .and_then(ms_date)
            .and_then(|ms| u64::try_from(ms).ok());
        let occurred_at = updated.and_then(ms_time).unwrap_or(r.occurred_at);
        let kind = if snap.lifecycle == Lifecycle::Void {
            EventKind::Voided
        } else {
            EventKind::Updated
        };
        let event_id = match version {
            Some(v) => format!("Invoice:{}@{v}", inv.invoice_id),
            None => format!("{}#Invoice:{}", r.event_id, inv.invoice_id),
        };
        let mut e = InvoiceEvent::new(
            InvoiceKey {
                platform: Platform::Xero,
                tenant: r.tenant.clone(),
                id: inv.invoice_id.clone(),
            },
            kind,
            occurred_at,
            event_id,
        )
        .with_snapshot(snap);
        e.received_at = r.received_at;
        e.source_version = version;
        Ok(e)
    }

    /// The invoices a customer credit note is allocated to, re-read.
    async fn credit_note_events(
        &self,
        r: &ThinReference,
    ) -> Result<Vec<InvoiceEvent>, EnrichError> {
        let body: CreditNotesResponse = self
            .get("CreditNotes", r.tenant.as_str(), &r.entity_id)
            .await?;
        let note = body.credit_notes.into_iter().next().ok_or_else(|| {
            EnrichError::Rejected(format!("xero returned no credit note {}", r.entity_id))
        })?;
        if note.credit_note_type.as_deref() == Some("ACCPAYCREDIT") {
            return Err(EnrichError::Rejected(
                "supplier credit note (ACCPAYCREDIT)".into(),
            ));
        }
        let mut ids: Vec<String> = Vec::new();
        for a in &note.allocations {
            if let Some(inv) = &a.invoice {
                let id = inv.invoice_id.to_ascii_lowercase();
                if is_guid(&id) && !ids.contains(&id) {
                    ids.push(id);
                }
            }
        }
        if ids.len() > MAX_LINKED {
            tracing::warn!(credit_note = %r.entity_id, allocations = ids.len(), "more allocated invoices than are re-read");
        }
        let mut out = Vec::new();
        for id in ids.iter().take(MAX_LINKED) {
            out.push(self.invoice_event(r, id).await?);
        }
        Ok(out)
    }
}

#[async_trait]
impl Enricher for XeroEnricher {
    fn platform(&self) -> Platform {
        Platform::Xero
    }

    async fn fetch(&self, r: &ThinReference) -> Result<Vec<InvoiceEvent>, EnrichError> {
        if r.entity != "Invoice" && r.entity != "CreditNote" {
            return Err(EnrichError::Rejected(format!(
                "entity `{}` is not tracked",
                r.entity.chars().take(32).collect::<String>()
            )));
        }
        if !is_guid(&r.entity_id) || !is_guid(r.tenant.as_str()) {
            return Err(EnrichError::Rejected(
                "invoice or tenant id is not a Xero id".into(),
            ));
        }
        if let Some(u) = &r.resource_url {
            self.check_resource_url(u, &r.entity_id)?;
        }
        match r.entity.as_str() {
            "CreditNote" => self.credit_note_events(r).await,
            _ => Ok(vec![self.invoice_event(r, &r.entity_id).await?]),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn enricher(base: &str) -> XeroEnricher {
        let mut c = XeroConfig::with_secret("k");
        c.api_base = base.into();
        XeroEnricher::from_config(&c).unwrap()
    }

    const ID: &str = "a03ffcd2-5d91-4c7e-b483-318584e9e439";

    #[test]
    fn resource_urls_must_stay_under_the_api_base() {
        let e = enricher("https://api.xero.com");
        let ok = format!("https://api.xero.com/api.xro/2.0/Invoices/{ID}");
        assert!(e.check_resource_url(&ok, ID).is_ok());
        for bad in [
            format!("https://api.xero.com.evil.example/api.xro/2.0/Invoices/{ID}"),
            format!("http://api.xero.com/api.xro/2.0/Invoices/{ID}"),
            format!("https://api.xero.com:8443/api.xro/2.0/Invoices/{ID}"),
            format!("https://user@api.xero.com/api.xro/2.0/Invoices/{ID}"),
            format!("https://api.xero.com/other/Invoices/{ID}"),
            format!("https://api.xero.com/api.xro/2.0/Invoices/{ID}?redirect=x"),
            "https://api.xero.com/api.xro/2.0/Invoices/00000000-0000-0000-0000-000000000000"
                .to_owned(),
            format!("http://169.254.169.254/api.xro/2.0/Invoices/{ID}"),
            "not a url".to_owned(),
        ] {
            assert!(
                matches!(
                    e.check_resource_url(&bad, ID),
                    Err(EnrichError::Rejected(_))
                ),
                "{bad}"
            );
        }
    }

    #[test]
    fn guids() {
        assert!(is_guid(ID));
        assert!(!is_guid("a03ffcd2-5d91-4c7e-b483-318584e9e43"));
        assert!(!is_guid("a03ffcd2/5d91-4c7e-b483-318584e9e439"));
        assert!(!is_guid("../../../../../../../../../../etc/pw"));
    }
}
