//! OAuth 2.0 bearer tokens for API enrichers.
//!
//! An enricher holds a `Box<dyn` [`TokenProvider`]`>`: it asks [`TokenProvider::token`]
//! before a request and, once after the API answered 401, [`TokenProvider::refresh`]
//! with the token that was refused. [`provider`] builds the provider a connector's
//! configuration asks for:
//!
//! - a `refresh_token` (with `client_id` and `client_secret`): an [`EndpointToken`] that
//!   exchanges it at `token_url` (`grant_type=refresh_token`) when it has no token yet,
//!   when the token's `expires_in` has run out (less a margin) and when the API refused
//!   it; a refresh token the endpoint returns replaces the old one (in memory), and
//!   exchanges are serialised, as refresh tokens may be single-use;
//! - only an `access_token`: a [`StaticToken`], which cannot be repaired after a 401;
//! - neither: a provider whose every answer is a transient error retried hourly, so that
//!   references wait until credentials are configured.
//!
//! What differs between platforms is an [`Exchange`]: client authentication as HTTP
//! Basic or in the form body, an optional `scope`, extra form parameters (e.g. a
//! `redirect_uri`), and whether `expires_in` is honoured. [`EndpointToken::client_credentials`]
//! covers the client-credentials grant with the same caching and refresh rules.
//! [`get_with_refresh`] is the enricher's side: a bearer GET, repeated once with a fresh
//! token after a 401.

mod endpoint;
mod fixed;
mod request;

use std::fmt;

use async_trait::async_trait;
use invoice_core::registry::ConfigError;
use invoice_core::{EnrichError, Secret};

pub use endpoint::{EndpointToken, OAuthClient};
use fixed::NoToken;
pub use fixed::StaticToken;
pub use request::get_with_refresh;

/// A token whose `expires_in` ends within this many seconds is exchanged before use
/// (the default margin of [`Expiry::FromResponse`]).
pub const EXPIRY_MARGIN_SECS: u64 = 60;

/// Supplies bearer tokens to an enricher.
#[async_trait]
pub trait TokenProvider: Send + Sync + fmt::Debug {
    /// The token to use now (obtaining one first if there is none yet, or it expired).
    async fn token(&self) -> Result<Secret, EnrichError>;

    /// Called once after the API answered 401 to `rejected`: a fresh token, or an error
    /// when none can be had. If another caller already replaced `rejected`, returns that.
    async fn refresh(&self, rejected: &Secret) -> Result<Secret, EnrichError>;
}

/// How the client id and secret reach the token endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClientAuth {
    /// HTTP Basic authentication (`Authorization: Basic base64(id:secret)`).
    Basic,
    /// `client_id` and `client_secret` form parameters.
    Body,
}

/// How long an obtained token is used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expiry {
    /// Until the answer's `expires_in` less `margin_secs` has passed (or a 401 came);
    /// an answer without `expires_in` is used until a 401.
    FromResponse {
        /// Seconds before the stated expiry at which the token is replaced.
        margin_secs: u64,
    },
    /// Until the API answers 401; `expires_in` is ignored.
    UntilRejected,
}

/// How a platform's token endpoint is spoken to: the part that differs between them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exchange {
    /// How the client authenticates.
    pub client_auth: ClientAuth,
    /// A `scope` form parameter, when the platform wants one.
    pub scope: Option<String>,
    /// Further form parameters, sent after the client credentials and before the
    /// grant's own (e.g. a `redirect_uri`).
    pub extra_params: Vec<(String, String)>,
    /// How long a token is used.
    pub expiry: Expiry,
}

impl Exchange {
    /// Client authentication `client_auth`, no scope, no extra parameters, `expires_in`
    /// honoured with [`EXPIRY_MARGIN_SECS`].
    pub fn new(client_auth: ClientAuth) -> Self {
        Exchange {
            client_auth,
            scope: None,
            extra_params: Vec::new(),
            expiry: Expiry::FromResponse {
                margin_secs: EXPIRY_MARGIN_SECS,
            },
        }
    }

    /// Sends `scope` with every request.
    pub fn with_scope(mut self, scope: impl Into<String>) -> Self {
        self.scope = Some(scope.into());
        self
    }

    /// Sends the form parameter `name=value` with every request.
    pub fn with_param(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.extra_params.push((name.into(), value.into()));
        self
    }

    /// Uses tokens until the API refuses them, whatever `expires_in` says.
    pub fn until_rejected(mut self) -> Self {
        self.expiry = Expiry::UntilRejected;
        self
    }
}

/// The credentials a connector's configuration gives (its keys `access_token`,
/// `client_id`, `client_secret`, `refresh_token`, `token_url`).
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
}

/// Builds the provider the configuration asks for (see the module documentation);
/// `section` names the config table in error messages. A `refresh_token` without
/// `client_id` and `client_secret`, or an unparsable `token_url`, is a configuration
/// error.
pub fn provider(
    config: TokenConfig,
    exchange: Exchange,
    http: reqwest::Client,
    section: &str,
) -> Result<Box<dyn TokenProvider>, ConfigError> {
    match (config.refresh_token, config.access_token) {
        (Some(refresh), access) => {
            let (Some(client_id), Some(client_secret)) = (config.client_id, config.client_secret)
            else {
                return Err(ConfigError::Invalid(format!(
                    "{section}: refresh_token needs client_id and client_secret"
                )));
            };
            let token_url = url::Url::parse(&config.token_url)
                .map_err(|e| ConfigError::Invalid(format!("{section}.token_url: {e}")))?;
            let client = OAuthClient {
                token_url,
                client_id,
                client_secret,
            };
            Ok(Box::new(EndpointToken::refresh_token(
                http, client, exchange, refresh, access,
            )))
        }
        (None, Some(access)) => Ok(Box::new(StaticToken(access))),
        (None, None) => Ok(Box::new(NoToken(section.to_owned()))),
    }
}
