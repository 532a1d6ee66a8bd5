//! The request side every enricher repeats: a bearer GET, retried once with a fresh
//! token after a 401.

use invoice_core::{EnrichError, Secret};

use super::TokenProvider;

async fn send(
    http: &reqwest::Client,
    url: &str,
    headers: &[(&str, &str)],
    token: &Secret,
    label: &str,
) -> Result<reqwest::Response, EnrichError> {
    let bearer = token
        .expose_str()
        .ok_or_else(|| EnrichError::Rejected("access token is not UTF-8".into()))?;
    let mut request = http
        .get(url)
        .bearer_auth(bearer)
        .header(reqwest::header::ACCEPT, "application/json");
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    request.send().await.map_err(|e| EnrichError::Transient {
        message: format!("{label}: {}", e.without_url()),
        retry_after_secs: None,
    })
}

/// GETs `url` (`Accept: application/json`, `headers` added) with a bearer token from
/// `tokens`; after a 401, asks `tokens` once for a fresh token ([`TokenProvider::refresh`])
/// and GETs again. Returns the last response whatever its status: a 401 then means the
/// fresh token was refused too. Transport errors are transient, prefixed with `label`;
/// token errors are passed on.
pub async fn get_with_refresh(
    http: &reqwest::Client,
    tokens: &dyn TokenProvider,
    url: &str,
    headers: &[(&str, &str)],
    label: &str,
) -> Result<reqwest::Response, EnrichError> {
    let token = tokens.token().await?;
    let resp = send(http, url, headers, &token, label).await?;
    if resp.status() != reqwest::StatusCode::UNAUTHORIZED {
        return Ok(resp);
    }
    let fresh = tokens.refresh(&token).await?;
    send(http, url, headers, &fresh, label).await
}
