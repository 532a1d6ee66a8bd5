//! Sending the scenario through the relay's real HTTP endpoints.

use invoice_core::Secret;

use super::platforms::{DemoPlatform, Step};
use crate::app::AppError;

/// Signs `step` now with the platform's signer and POSTs it to the relay at `base`.
/// Returns the HTTP status.
pub async fn send(
    client: &reqwest::Client,
    base: &str,
    platform: &dyn DemoPlatform,
    secret: &Secret,
    step: Step,
) -> Result<u16, AppError> {
    let mut request = step.request;
    (platform.signer())(&mut request, secret, chrono::Utc::now());
    let url = format!("{base}{}", request.uri());
    let mut builder = client.post(&url);
    for (name, value) in request.headers() {
        builder = builder.header(name.as_str(), value.as_bytes());
    }
    let status = builder
        .body(request.body().clone())
        .send()
        .await
        .map(|r| r.status().as_u16())
        .map_err(|e| AppError::Usage(format!("demo: cannot reach the relay at {url}: {e}")))?;
    let mark = if (200..300).contains(&status) {
        "ok "
    } else {
        "ERR"
    };
    println!(
        "  {mark} {:<18} {:>3}  {}",
        platform.platform().slug(),
        status,
        step.label
    );
    Ok(status)
}
