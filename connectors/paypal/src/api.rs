//! `verification = "api"`: PayPal checks the signature for us.
//!
//! `POST {api_base}/v1/notifications/verify-webhook-signature` with the transmission
//! headers, the webhook id and the event **exactly as received** (spliced into the request
//! body as raw JSON, never re-serialised) answers `{"verification_status":"SUCCESS"}` or
//! `"FAILURE"`. The call needs an OAuth client-credentials token
//! (`POST {api_base}/v1/oauth2/token`), cached until shortly before it expires and
//! refreshed once when the API answers 401.

use std::sync::Mutex;
use std::time::Duration;

use chrono::{DateTime, Utc};
use invoice_core::Secret;
use serde::Deserialize;
use serde_json::value::RawValue;
use url::Url;

use crate::error::PaypalError;
use crate::verify::Transmission;

/// Seconds before a token's stated expiry at which it is renewed.
const EXPIRY_MARGIN_SECS: i64 = 60;

/// A client for the verify-webhook-signature API.
#[derive(Debug)]
pub struct VerifyApi {
    base: Url,
    client_id: Secret,
    client_secret: Secret,
    http: reqwest::Client,
    token: Mutex<Option<(Secret, DateTime<Utc>)>>,
}

#[derive(Deserialize)]
struct TokenResponse {
    access_token: String,
    #[serde(default)]
    expires_in: Option<i64>,
}

#[derive(Deserialize)]
struct VerifyResponse {
    verification_status: String,
}

enum Answer {
    Verified(bool),
    Unauthorized,
}

fn fail(e: reqwest::Error) -> PaypalError {
    PaypalError::Api(e.without_url().to_string())
}

impl VerifyApi {
    /// A client for `base` with the REST app's credentials.
    pub fn new(
        base: Url,
        client_id: Secret,
        client_secret: Secret,
        timeout: Duration,
    ) -> Result<Self, reqwest::Error> {
        let http = reqwest::Client::builder()
            .timeout(timeout)
            .redirect(reqwest::redirect::Policy::none())
            .build()?;
        Ok(VerifyApi {
            base,
            client_id,
            client_secret,
            http,
            token: Mutex::new(None),
        })
    }

    fn url(&self, path: &str) -> Result<Url, PaypalError> {
        self.base
            .join(path)
            .map_err(|_| PaypalError::Api("bad api_base".into()))
    }

    /// Asks PayPal whether `t` signs `body` for any of `webhook_ids`.
    /// - a body that is not JSON cannot be sent as the event and is refused as unverified;
    /// - `FAILURE` for every webhook id is [`PaypalError::NoMatch`];
    /// - network errors, 429 and 5xx are [`PaypalError::Api`] (the platform retries).
    pub async fn verify(
        &self,
        t: &Transmission,
        webhook_ids: &[Secret],
        body: &[u8],
        now: DateTime<Utc>,
    ) -> Result<(), PaypalError> {
        if webhook_ids.is_empty() {
            return Err(PaypalError::NoWebhookId);
        }
        let event = std::str::from_utf8(body).map_err(|_| PaypalError::NoMatch)?;
        if serde_json::from_str::<&RawValue>(event).is_err() {
            return Err(PaypalError::NoMatch);
        }
        for id in webhook_ids.iter().filter_map(Secret::expose_str) {
            let payload = request_body(t, id, event);
            if self.ask(&payload, now).await? {
                return Ok(());
            }
        }
        Err(PaypalError::NoMatch)
    }

    async fn ask(&self, payload: &str, now: DateTime<Utc>) -> Result<bool, PaypalError> {
        let token = self.token(now, false).await?;
        match self.post_verify(payload, &token).await? {
            Answer::Verified(v) => Ok(v),
            Answer::Unauthorized => {
                let token = self.token(now, true).await?;
                match self.post_verify(payload, &token).await? {
                    Answer::Verified(v) => Ok(v),
                    Answer::Unauthorized => Err(PaypalError::Api("401 after a fresh token".into())),
                }
            }
        }
    }

    async fn post_verify(&self, payload: &str, token: &Secret) -> Result<Answer, PaypalError> {
        let resp = self
            .http
            .post(self.url("/v1/notifications/verify-webhook-signature")?)
            .bearer_auth(token.expose_str().unwrap_or_default())
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(payload.to_owned())
            .send()
            .await
            .map_err(fail)?;
        let status = resp.status();
        if status == reqwest::StatusCode::UNAUTHORIZED {
            return Ok(Answer::Unauthorized);
        }
        if !status.is_success() {
            return Err(PaypalError::Api(format!("answered {status}")));
        }
        let v: VerifyResponse = resp.json().await.map_err(fail)?;
        Ok(Answer::Verified(v.verification_status == "SUCCESS"))
    }

    async fn token(&self, now: DateTime<Utc>, force: bool) -> Result<Secret, PaypalError> {
        if !force {
            if let Ok(guard) = self.token.lock() {
                if let Some((t, expires)) = guard.as_ref() {
                    if *expires > now {
                        return Ok(t.clone());
                    }
                }
            }
        }
        let resp = self
            .http
            .post(self.url("/v1/oauth2/token")?)
            .basic_auth(
                self.client_id.expose_str().unwrap_or_default(),
                self.client_secret.expose_str(),
            )
            .header(reqwest::header::ACCEPT, "application/json")
            .header(
                reqwest::header::CONTENT_TYPE,
                "application/x-www-form-urlencoded",
            )
            .body("grant_type=client_credentials")
            .send()
            .await
            .map_err(fail)?;
        if !resp.status().is_success() {
            return Err(PaypalError::Api(format!(
                "token answered {}",
                resp.status()
            )));
        }
        let t: TokenResponse = resp.json().await.map_err(fail)?;
        let lifetime = t
            .expires_in
            .unwrap_or(0)
            .saturating_sub(EXPIRY_MARGIN_SECS)
            .max(0);
        let expires = now + chrono::Duration::seconds(lifetime);
        let token = Secret::new(t.access_token);
        if let Ok(mut guard) = self.token.lock() {
            *guard = Some((token.clone(), expires));
        }
        Ok(token)
    }
}

/// The verify-webhook-signature request body, with `event` spliced in verbatim.
pub fn request_body(t: &Transmission, webhook_id: &str, event: &str) -> String {
    let s = |v: &str| serde_json::Value::String(v.to_owned()).to_string();
    format!(
        "{{\"auth_algo\":{},\"cert_url\":{},\"transmission_id\":{},\"transmission_sig\":{},\"transmission_time\":{},\"webhook_id\":{},\"webhook_event\":{}}}",
        s(&t.auth_algo),
        s(&t.cert_url),
        s(&t.id),
        s(&t.signature_b64),
        s(&t.time),
        s(webhook_id),
        event
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_event_is_spliced_in_byte_for_byte() {
        let t = Transmission {
            id: "tid".into(),
            time: "2026-01-01T00:00:00Z".into(),
            signature: vec![],
            signature_b64: "c2ln".into(),
            cert_url: "https://api.paypal.com/c".into(),
            auth_algo: "SHA256withRSA".into(),
        };
        let event = r#"{"id":"WH-1",  "amount":{"value":"1.10"}}"#;
        let body = request_body(&t, "WHID\"x", event);
        assert!(body.ends_with(&format!("\"webhook_event\":{event}}}")));
        let v: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(v["webhook_id"], "WHID\"x");
        assert_eq!(v["transmission_sig"], "c2ln");
    }
}
