//! Billing document events carry the document number only: the enricher reads
//! `A_BillingDocument('<id>')?$expand=to_Partner` from OData V2
//! `API_BILLING_DOCUMENT_SRV` and maps it.
//!
//! - every request goes to the configured `api_base` + `service_path`; the key is checked
//!   (1-10 letters or digits) before it is put in the URL; payloads name no URL;
//! - OAuth 2.0 client credentials from a [`TokenProvider`] (cached; on HTTP 401 the token
//!   is fetched again once and the read retried once), or Basic with a communication user;
//! - HTTP 429 and 503 are transient with the server's `Retry-After` (seconds); other 5xx
//!   and timeouts transient; 404 and other 4xx rejected.

use std::fmt;
use std::sync::Mutex;
use std::time::Duration;

use async_trait::async_trait;
use invoice_connector_support::http::{retry_after, transient};
use invoice_core::registry::ConfigError;
use invoice_core::{EnrichError, Enricher, InvoiceEvent, Platform, Secret, ThinReference};

use crate::config::{ODataFormat, SapConfig};
use crate::mapping::map_record;
use crate::odata::{parse_atom, parse_json};
use crate::payload::valid_document;

/// Hands out OAuth access tokens.
#[async_trait]
pub trait TokenProvider: Send + Sync + fmt::Debug {
    /// A token; with `refresh`, a new one (the last one was refused).
    async fn token(&self, refresh: bool) -> Result<Secret, EnrichError>;
}

/// OAuth 2.0 client credentials grant (`grant_type=client_credentials`, client id and
/// secret as HTTP Basic), token cached until refused.
pub struct ClientCredentials {
    http: reqwest::Client,
    token_url: url::Url,
    client_id: String,
    client_secret: Secret,
    cached: Mutex<Option<Secret>>,
}

impl fmt::Debug for ClientCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientCredentials")
            .field("token_url", &self.token_url.as_str())
            .field("client_id", &self.client_id)
            .finish_non_exhaustive()
    }
}

impl ClientCredentials {
    /// A provider posting to `token_url`.
    pub fn new(
        http: reqwest::Client,
        token_url: url::Url,
        client_id: String,
        client_secret: Secret,
    ) -> Self {
        ClientCredentials {
            http,
            token_url,
            client_id,
            client_secret,
            cached: Mutex::new(None),
        }
    }
}

#[async_trait]
impl TokenProvider for ClientCredentials {
    async fn token(&self, refresh: bool) -> Result<Secret, EnrichError> {
        if !refresh {
            if let Some(t) = self.cached.lock().ok().and_then(|c| c.clone()) {
                return Ok(t);
            }
        }
        let resp = self
            .http
            .post(self.token_url.clone())
            .basic_auth(
                &self.client_id,
                Some(String::from_utf8_lossy(self.client_secret.expose())),
            )
            .form(&[("grant_type", "client_credentials")])
            .send()
            .await
            .map_err(|e| transient(format!("sap token endpoint: {}", e.without_url()), None))?;
        let status = resp.status();
        if !status.is_success() {
            return Err(transient(
                format!("sap token endpoint answered {status}"),
                None,
            ));
        }
        #[derive(serde::Deserialize)]
        struct Token {
            access_token: String,
        }
        let t: Token = resp
            .json()
            .await
            .map_err(|_| transient("sap token endpoint: no access_token".into(), None))?;
        let t = Secret::new(t.access_token);
        if let Ok(mut c) = self.cached.lock() {
            *c = Some(t.clone());
        }
        Ok(t)
    }
}

/// How the enricher authenticates to the API.
#[derive(Debug, Clone)]
pub enum ApiAuth {
    /// Bearer tokens from a provider.
    OAuth(std::sync::Arc<dyn TokenProvider>),
    /// A communication user.
    Basic {
        /// User.
        user: String,
        /// Password.
        password: Secret,
    },
}

/// Reads billing documents back from S/4HANA.
#[derive(Debug)]
pub struct SapEnricher {
    http: reqwest::Client,
    base: url::Url,
    service_path: String,
    format: ODataFormat,
    auth: ApiAuth,
    due_days: Option<u32>,
}

fn invalid(m: &str) -> ConfigError {
    ConfigError::Invalid(format!("sources.sap-s4hana.{m}"))
}

impl SapEnricher {
    /// An enricher from the configuration; `None` without `api_base` (events then stay
    /// pending until it is set).
    pub fn from_config(config: &SapConfig) -> Result<Option<Self>, ConfigError> {
        let Some(base) = &config.api_base else {
            return Ok(None);
        };
        let base = url::Url::parse(base).map_err(|_| invalid("api_base: not a URL"))?;
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(config.timeout_seconds.max(1)))
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| ConfigError::Invalid(format!("http client: {e}")))?;
        let auth = match (
            &config.token_url,
            &config.client_id,
            &config.client_secret,
            &config.api_user,
            &config.api_password,
        ) {
            (Some(t), Some(id), Some(secret), _, _) => {
                let t = url::Url::parse(t).map_err(|_| invalid("token_url: not a URL"))?;
                ApiAuth::OAuth(std::sync::Arc::new(ClientCredentials::new(
                    http.clone(),
                    t,
                    id.clone(),
                    secret.clone(),
                )))
            }
            (_, _, _, Some(user), Some(password)) => ApiAuth::Basic {
                user: user.clone(),
                password: password.clone(),
            },
            _ => {
                return Err(invalid(
                    "api_base needs token_url, client_id and client_secret, or api_user and api_password",
                ))
            }
        };
        Ok(Some(SapEnricher {
            http,
            base,
            service_path: config.service_path.trim_end_matches('/').to_owned(),
            format: config.format,
            auth,
            due_days: config.due_days,
        }))
    }

    /// Replaces the API authentication (tests, custom token sources).
    pub fn with_auth(mut self, auth: ApiAuth) -> Self {
        self.auth = auth;
        self
    }

    fn url(&self, document: &str) -> Result<url::Url, EnrichError> {
        let mut url = self.base.clone();
        url.set_path(&format!(
            "{}/A_BillingDocument('{document}')",
            self.service_path
        ));
        let query = match self.format {
            ODataFormat::Json => "$expand=to_Partner&$format=json",
            ODataFormat::Atom => "$expand=to_Partner",
        };
        url.set_query(Some(query));
        if url.host() != self.base.host() || url.scheme() != self.base.scheme() {
            return Err(EnrichError::Rejected("url outside the api base".into()));
        }
        Ok(url)
    }

    async fn get(&self, url: &url::Url, refresh: bool) -> Result<reqwest::Response, EnrichError> {
        let accept = match self.format {
            ODataFormat::Json => "application/json",
            ODataFormat::Atom => "application/atom+xml",
        };
        let req = self.http.get(url.clone()).header("accept", accept);
        let req = match &self.auth {
            ApiAuth::OAuth(p) => {
                let t = p.token(refresh).await?;
                req.bearer_auth(String::from_utf8_lossy(t.expose()))
            }
            ApiAuth::Basic { user, password } => {
                req.basic_auth(user, Some(String::from_utf8_lossy(password.expose())))
            }
        };
        req.send()
            .await
            .map_err(|e| transient(format!("sap odata: {}", e.without_url()), None))
    }
}

#[async_trait]
impl Enricher for SapEnricher {
    fn platform(&self) -> Platform {
        Platform::SapS4hana
    }

    async fn fetch(&self, reference: &ThinReference) -> Result<Vec<InvoiceEvent>, EnrichError> {
        if reference.entity != "BillingDocument" {
            return Err(EnrichError::Rejected(format!(
                "entity `{}` is not read",
                reference.entity.chars().take(40).collect::<String>()
            )));
        }
        if !valid_document(&reference.entity_id) {
            return Err(EnrichError::Rejected(
                "billing document must be 1-10 letters or digits".into(),
            ));
        }
        let url = self.url(&reference.entity_id)?;
        let mut resp = self.get(&url, false).await?;
        if resp.status().as_u16() == 401 && matches!(self.auth, ApiAuth::OAuth(_)) {
            resp = self.get(&url, true).await?;
        }
        let status = resp.status();
        if !status.is_success() {
            let msg = format!("sap odata answered {status}");
            return Err(match status.as_u16() {
                429 | 503 => transient(msg, retry_after(resp.headers())),
                401 | 403 => transient(msg, None),
                s if s >= 500 => transient(msg, retry_after(resp.headers())),
                _ => EnrichError::Rejected(msg),
            });
        }
        let body = resp
            .bytes()
            .await
            .map_err(|e| transient(format!("sap odata body: {}", e.without_url()), None))?;
        let record = match self.format {
            ODataFormat::Json => parse_json(&body),
            ODataFormat::Atom => parse_atom(&body),
        }
        .map_err(|m| EnrichError::Rejected(format!("sap odata: {m}")))?;
        Ok(vec![map_record(&record, reference, self.due_days)?])
    }
}
