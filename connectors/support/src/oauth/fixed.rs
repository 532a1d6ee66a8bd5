//! Providers that never talk to a token endpoint.

use async_trait::async_trait;
use invoice_core::{EnrichError, Secret};

use super::TokenProvider;

/// A fixed bearer token; a 401 cannot be repaired (transient, retried hourly).
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

/// No credentials configured (the config section's name): references wait, retried
/// hourly, until they are.
#[derive(Debug)]
pub(super) struct NoToken(pub(super) String);

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
