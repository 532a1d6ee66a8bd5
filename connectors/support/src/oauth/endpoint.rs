//! The provider that obtains tokens at an OAuth 2.0 token endpoint.

use std::fmt;
use std::time::{Duration, Instant};

use async_trait::async_trait;
use invoice_core::verify::constant_time_eq;
use invoice_core::{EnrichError, Secret};
use serde::Deserialize;
use tokio::sync::Mutex;

use super::{ClientAuth, Exchange, Expiry, TokenProvider};
use crate::http::{retry_after, transient};

/// An OAuth client registered with the platform.
pub struct OAuthClient {
    /// The token endpoint.
    pub token_url: url::Url,
    /// The client id.
    pub client_id: String,
    /// The client secret.
    pub client_secret: Secret,
}

impl fmt::Debug for OAuthClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OAuthClient")
            .field("token_url", &self.token_url.as_str())
            .field("client_id", &self.client_id)
            .finish_non_exhaustive()
    }
}

/// The grant, with the refresh token it currently holds.
enum Grant {
    /// `grant_type=refresh_token`; the endpoint may rotate it.
    RefreshToken(Secret),
    /// `grant_type=client_credentials`.
    ClientCredentials,
}

struct State {
    grant: Grant,
    access: Option<Secret>,
    /// When the access token stops being used; `None` when unknown (a configured token,
    /// or [`Expiry::UntilRejected`]): then only a 401 replaces it.
    expires_at: Option<Instant>,
}

/// Obtains tokens at a token endpoint and caches them; one request at a time.
pub struct EndpointToken {
    http: reqwest::Client,
    client: OAuthClient,
    exchange: Exchange,
    state: Mutex<State>,
}

impl fmt::Debug for EndpointToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EndpointToken")
            .field("token_url", &self.client.token_url.as_str())
            .field("client_id", &self.client.client_id)
            .finish_non_exhaustive()
    }
}

#[derive(Deserialize)]
struct TokenResponse {
    access_token: String,
    #[serde(default)]
    refresh_token: Option<String>,
    #[serde(default)]
    expires_in: Option<u64>,
}

#[derive(Deserialize)]
struct TokenErrorBody {
    #[serde(default)]
    error: Option<String>,
}

impl EndpointToken {
    /// Exchanges `refresh` (`grant_type=refresh_token`), starting with `access` when one
    /// is configured (then used until the API refuses it).
    pub fn refresh_token(
        http: reqwest::Client,
        client: OAuthClient,
        exchange: Exchange,
        refresh: Secret,
        access: Option<Secret>,
    ) -> Self {
        Self::with_grant(http, client, exchange, Grant::RefreshToken(refresh), access)
    }

    /// Requests tokens with the client-credentials grant.
    pub fn client_credentials(
        http: reqwest::Client,
        client: OAuthClient,
        exchange: Exchange,
    ) -> Self {
        Self::with_grant(http, client, exchange, Grant::ClientCredentials, None)
    }

    fn with_grant(
        http: reqwest::Client,
        client: OAuthClient,
        exchange: Exchange,
        grant: Grant,
        access: Option<Secret>,
    ) -> Self {
        EndpointToken {
            http,
            client,
            exchange,
            state: Mutex::new(State {
                grant,
                access,
                expires_at: None,
            }),
        }
    }

    /// One request to the token endpoint; on success the state holds the new token
    /// (and a rotated refresh token).
    async fn exchange(&self, state: &mut State) -> Result<Secret, EnrichError> {
        let secret = self
            .client
            .client_secret
            .expose_str()
            .ok_or_else(|| EnrichError::Rejected("client_secret is not UTF-8".into()))?;
        let (grant_type, what) = match &state.grant {
            Grant::RefreshToken(_) => ("refresh_token", "token refresh"),
            Grant::ClientCredentials => ("client_credentials", "token request"),
        };
        let mut form: Vec<(&str, &str)> = vec![("grant_type", grant_type)];
        if self.exchange.client_auth == ClientAuth::Body {
            form.push(("client_id", &self.client.client_id));
            form.push(("client_secret", secret));
        }
        for (name, value) in &self.exchange.extra_params {
            form.push((name, value));
        }
        if let Some(scope) = &self.exchange.scope {
            form.push(("scope", scope));
        }
        if let Grant::RefreshToken(refresh) = &state.grant {
            let refresh = refresh
                .expose_str()
                .ok_or_else(|| EnrichError::Rejected("refresh_token is not UTF-8".into()))?;
            form.push(("refresh_token", refresh));
        }
        let mut request = self
            .http
            .post(self.client.token_url.clone())
            .header(reqwest::header::ACCEPT, "application/json");
        if self.exchange.client_auth == ClientAuth::Basic {
            request = request.basic_auth(&self.client.client_id, Some(secret));
        }
        let resp = request
            .form(&form)
            .send()
            .await
            .map_err(|e| transient(format!("token endpoint: {}", e.without_url()), None))?;
        let status = resp.status();
        if !status.is_success() {
            let after = retry_after(resp.headers());
            let code = resp
                .json::<TokenErrorBody>()
                .await
                .ok()
                .and_then(|b| b.error)
                .map(|e| format!(" ({})", e.chars().take(64).collect::<String>()))
                .unwrap_or_default();
            return Err(transient(format!("{what} answered {status}{code}"), after));
        }
        let body: TokenResponse = resp
            .json()
            .await
            .map_err(|e| transient(format!("token response: {}", e.without_url()), None))?;
        let access = Secret::new(body.access_token);
        if let (Grant::RefreshToken(held), Some(rotated)) = (&mut state.grant, body.refresh_token) {
            *held = Secret::new(rotated);
        }
        state.access = Some(access.clone());
        state.expires_at = match self.exchange.expiry {
            // An absurd `expires_in` (past what `Instant` holds) means: no known expiry.
            Expiry::FromResponse { margin_secs } => body.expires_in.and_then(|s| {
                Instant::now().checked_add(Duration::from_secs(s.saturating_sub(margin_secs)))
            }),
            Expiry::UntilRejected => None,
        };
        tracing::info!(token_url = %self.client.token_url, "access token obtained");
        Ok(access)
    }
}

#[async_trait]
impl TokenProvider for EndpointToken {
    async fn token(&self) -> Result<Secret, EnrichError> {
        let mut state = self.state.lock().await;
        let expired = state.expires_at.is_some_and(|t| Instant::now() >= t);
        match &state.access {
            Some(a) if !expired => Ok(a.clone()),
            _ => self.exchange(&mut state).await,
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
