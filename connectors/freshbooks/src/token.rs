//! Bearer tokens for the API: a fixed token (a private app's access token), or an OAuth
//! refresh token exchanged at the token endpoint (form body `grant_type=refresh_token`,
//! `client_id`, `client_secret`, `redirect_uri`, `refresh_token`), again whenever the API
//! answers 401.
//! A refresh token returned by the endpoint replaces the configured one (in memory).

use std::fmt;

use async_trait::async_trait;
use invoice_core::registry::ConfigError;
use invoice_core::verify::constant_time_eq;
use invoice_core::{EnrichError, Secret};
use serde::Deserialize;
use tokio::sync::Mutex;

/// Supplies bearer tokens to an enricher.
#[async_trait]
pub trait TokenProvider: Send + Sync + fmt::Debug {
    /// The token to use now (exchanging a refresh token first if there is none yet).
    async fn token(&self) -> Result<Secret, EnrichError>;

    /// Called once after the API answered 401 to `rejected`: a fresh token, or an error
    /// when none can be had. If another caller already replaced `rejected`, returns that.
    async fn refresh(&self, rejected: &Secret) -> Result<Secret, EnrichError>;
}

/// What the configuration gives.
#[derive(Debug, Clone, Default)]
pub struct TokenConfig {
    /// A bearer token to start with.
    pub access_token: Option<Secret>,
    /// OAuth client id.
    pub client_id: Option<String>,
    /// OAuth client secret.
    pub client_secret: Option<Secret>,
    /// A refresh token.
    pub refresh_token: Option<Secret>,
    /// The token endpoint.
    pub token_url: String,
    /// The OAuth app's redirect URI (Asana asks for it on refresh).
    pub redirect_uri: Option<String>,
}

/// Builds the provider the configuration asks for; `section` names the config table in
/// error messages.
pub fn provider(
    config: TokenConfig,
    http: reqwest::Client,
    section: &str,
) -> Result<Box<dyn TokenProvider>, ConfigError> {
    match (config.refresh_token, config.access_token) {
        (Some(refresh), access) => {
            let (Some(client_id), Some(client_secret)) = (config.client_id, config.client_secret)
            else {
                return Err(ConfigError::Invalid(format!(
                    "{section}: refresh_token needs client_id and a client secret"
                )));
            };
            let token_url = url::Url::parse(&config.token_url)
                .map_err(|e| ConfigError::Invalid(format!("{section}.token_url: {e}")))?;
            Ok(Box::new(RefreshingToken {
                http,
                token_url,
                client_id,
                client_secret,
                redirect_uri: config.redirect_uri.unwrap_or_default(),
                state: Mutex::new(State { access, refresh }),
            }))
        }
        (None, Some(access)) => Ok(Box::new(StaticToken(access))),
        (None, None) => Ok(Box::new(NoToken(section.to_owned()))),
    }
}

/// A fixed bearer token; a 401 cannot be repaired.
#[derive(Debug)]
pub struct StaticToken(pub Secret);

#[async_trait]
impl TokenProvider for StaticToken {
    async fn token(&self) -> Result<Secret, EnrichError> {
        Ok(self.0.clone())
    }
    async fn refresh(&self, _rejected: &Secret) -> Result<Secret, EnrichError> {
        Err(EnrichError::Transient {
            message: "access token rejected (401) and no refresh_token is configured".into(),
            retry_after_secs: Some(3600),
        })
    }
}

/// No credentials configured: references wait (retried hourly) until they are.
#[derive(Debug)]
struct NoToken(String);

#[async_trait]
impl TokenProvider for NoToken {
    async fn token(&self) -> Result<Secret, EnrichError> {
        Err(EnrichError::Transient {
            message: format!("{}: no access_token or refresh_token configured", self.0),
            retry_after_secs: Some(3600),
        })
    }
    async fn refresh(&self, _rejected: &Secret) -> Result<Secret, EnrichError> {
        self.token().await
    }
}

struct State {
    access: Option<Secret>,
    refresh: Secret,
}

/// Exchanges a refresh token; one exchange at a time.
pub struct RefreshingToken {
    http: reqwest::Client,
    token_url: url::Url,
    client_id: String,
    client_secret: Secret,
    redirect_uri: String,
    state: Mutex<State>,
}

impl fmt::Debug for RefreshingToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RefreshingToken")
            .field("token_url", &self.token_url.as_str())
            .field("client_id", &self.client_id)
            .finish_non_exhaustive()
    }
}

#[derive(Deserialize)]
struct TokenResponse {
    access_token: String,
    #[serde(default)]
    refresh_token: Option<String>,
}

fn transient(message: String, retry_after_secs: Option<u64>) -> EnrichError {
    EnrichError::Transient {
        message,
        retry_after_secs,
    }
}

impl RefreshingToken {
    async fn exchange(&self, state: &mut State) -> Result<Secret, EnrichError> {
        let refresh = state
            .refresh
            .expose_str()
            .ok_or_else(|| EnrichError::Rejected("refresh_token is not UTF-8".into()))?;
        let secret = self
            .client_secret
            .expose_str()
            .ok_or_else(|| EnrichError::Rejected("client secret is not UTF-8".into()))?;
        let resp = self
            .http
            .post(self.token_url.clone())
            .header(reqwest::header::ACCEPT, "application/json")
            .form(&[
                ("grant_type", "refresh_token"),
                ("client_id", self.client_id.as_str()),
                ("client_secret", secret),
                ("redirect_uri", self.redirect_uri.as_str()),
                ("refresh_token", refresh),
            ])
            .send()
            .await
            .map_err(|e| transient(format!("token endpoint: {}", e.without_url()), None))?;
        let status = resp.status();
        if !status.is_success() {
            let after = crate::enrich::retry_after(resp.headers());
            return Err(transient(format!("token refresh answered {status}"), after));
        }
        let body: TokenResponse = resp
            .json()
            .await
            .map_err(|e| transient(format!("token response: {}", e.without_url()), None))?;
        let access = Secret::new(body.access_token);
        if let Some(r) = body.refresh_token {
            state.refresh = Secret::new(r);
        }
        state.access = Some(access.clone());
        tracing::info!(token_url = %self.token_url, "access token refreshed");
        Ok(access)
    }
}

#[async_trait]
impl TokenProvider for RefreshingToken {
    async fn token(&self) -> Result<Secret, EnrichError> {
        let mut state = self.state.lock().await;
        match &state.access {
            Some(a) => Ok(a.clone()),
            None => self.exchange(&mut state).await,
        }
    }

    async fn refresh(&self, rejected: &Secret) -> Result<Secret, EnrichError> {
        let mut state = self.state.lock().await;
        match &state.access {
            Some(a) if !constant_time_eq(a.expose(), rejected.expose()) => Ok(a.clone()),
            _ => self.exchange(&mut state).await,
        }
    }
}
