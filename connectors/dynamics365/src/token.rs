//! Bearer tokens for the Dataverse Web API: a fixed token, or the OAuth 2.0 client
//! credentials grant of a Microsoft Entra application user (form body
//! `grant_type=client_credentials`, `client_id`, `client_secret`,
//! `scope=<api_base>/.default` at `token_url`), again whenever the API answers 401.

use std::fmt;

use async_trait::async_trait;
use invoice_core::verify::constant_time_eq;
use invoice_core::{EnrichError, Secret};
use serde::Deserialize;
use tokio::sync::Mutex;

/// Supplies bearer tokens to the enricher.
#[async_trait]
pub trait TokenProvider: Send + Sync + fmt::Debug {
    /// The token to use now (requesting one first if there is none yet).
    async fn token(&self) -> Result<Secret, EnrichError>;

    /// Called once after the API answered 401 to `rejected`: a fresh token, or an error.
    /// If another caller already replaced `rejected`, returns that.
    async fn refresh(&self, rejected: &Secret) -> Result<Secret, EnrichError>;
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
            message: "access token rejected (401) and no client credentials are configured".into(),
            retry_after_secs: Some(3600),
        })
    }
}

/// The client credentials grant; one request at a time, the token cached in memory.
pub struct ClientCredentials {
    http: reqwest::Client,
    token_url: url::Url,
    client_id: String,
    client_secret: Secret,
    scope: String,
    current: Mutex<Option<Secret>>,
}

impl fmt::Debug for ClientCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientCredentials")
            .field("token_url", &self.token_url.as_str())
            .field("client_id", &self.client_id)
            .field("client_secret", &self.client_secret)
            .finish_non_exhaustive()
    }
}

#[derive(Deserialize)]
struct TokenAnswer {
    access_token: String,
}

impl ClientCredentials {
    /// A provider for `client_id` / `client_secret` at `token_url`, for `scope`.
    pub fn new(
        http: reqwest::Client,
        token_url: url::Url,
        client_id: String,
        client_secret: Secret,
        scope: String,
    ) -> Self {
        ClientCredentials {
            http,
            token_url,
            client_id,
            client_secret,
            scope,
            current: Mutex::new(None),
        }
    }

    async fn request(&self) -> Result<Secret, EnrichError> {
        let secret = self
            .client_secret
            .expose_str()
            .ok_or_else(|| EnrichError::Rejected("client_secret is not UTF-8".into()))?;
        let form = [
            ("grant_type", "client_credentials"),
            ("client_id", self.client_id.as_str()),
            ("client_secret", secret),
            ("scope", self.scope.as_str()),
        ];
        let resp = self
            .http
            .post(self.token_url.clone())
            .form(&form)
            .send()
            .await
            .map_err(|e| EnrichError::Transient {
                message: format!("token endpoint: {}", e.without_url()),
                retry_after_secs: None,
            })?;
        let status = resp.status();
        if !status.is_success() {
            // 400/401 mean wrong credentials: retrying soon will not help, hourly might
            // (after the secret is fixed), so they stay transient with a long delay.
            let after = if status.is_server_error() {
                None
            } else {
                Some(3600)
            };
            return Err(EnrichError::Transient {
                message: format!("token endpoint answered {status}"),
                retry_after_secs: after,
            });
        }
        let body = resp.bytes().await.map_err(|e| EnrichError::Transient {
            message: format!("token endpoint body: {}", e.without_url()),
            retry_after_secs: None,
        })?;
        let answer: TokenAnswer =
            serde_json::from_slice(&body).map_err(|_| EnrichError::Transient {
                message: "token endpoint answer has no access_token".into(),
                retry_after_secs: Some(3600),
            })?;
        Ok(Secret::new(answer.access_token))
    }
}

#[async_trait]
impl TokenProvider for ClientCredentials {
    async fn token(&self) -> Result<Secret, EnrichError> {
        let mut current = self.current.lock().await;
        if let Some(t) = current.as_ref() {
            return Ok(t.clone());
        }
        let fresh = self.request().await?;
        *current = Some(fresh.clone());
        Ok(fresh)
    }

    async fn refresh(&self, rejected: &Secret) -> Result<Secret, EnrichError> {
        let mut current = self.current.lock().await;
        if let Some(t) = current.as_ref() {
            if !constant_time_eq(t.expose(), rejected.expose()) {
                return Ok(t.clone());
            }
        }
        let fresh = self.request().await?;
        *current = Some(fresh.clone());
        Ok(fresh)
    }
}
