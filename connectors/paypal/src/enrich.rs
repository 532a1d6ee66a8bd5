//! IPN verification by postback, run by the relay's enrichment worker.
//!
//! For each stored IPN reference: `POST {postback_url}` with body
//! `cmd=_notify-validate&` + the original body bytes, unchanged. PayPal answers
//! `VERIFIED` or `INVALID`:
//! - `VERIFIED`: the message is decoded with its `charset`, its receiver is checked
//!   against `receiver_ids` / `receiver_emails`, and it is mapped (see [`crate::mapping`]);
//! - `INVALID`, a wrong receiver, or unusable fields: [`EnrichError::Rejected`] (the relay
//!   keeps it in the audit log and never applies it);
//! - timeouts, 429 (with `Retry-After`), 5xx, or any other answer: transient, retried.

use std::time::Duration;

use async_trait::async_trait;
use invoice_connector_support::http::{retry_after, transient};
use invoice_core::registry::ConfigError;
use invoice_core::{EnrichError, Enricher, InvoiceEvent, Platform, ThinReference};
use url::Url;

use crate::config::PaypalConfig;
use crate::ipn::{IpnMessage, POSTBACK_PREFIX};
use crate::mapping::ipn::{check_receiver, map_verified};
use crate::urls::parse_endpoint;

/// The `User-Agent` of postbacks (PayPal refuses requests without one).
pub const USER_AGENT: &str = concat!("invoice-relay-paypal-ipn/", env!("CARGO_PKG_VERSION"));

/// The largest postback answer read (`VERIFIED` / `INVALID` are a few bytes).
const MAX_ANSWER_BYTES: usize = 4096;

/// Verifies stored IPN messages by postback and maps the verified ones.
#[derive(Debug)]
pub struct PaypalIpnEnricher {
    postback_url: Url,
    receiver_ids: Vec<String>,
    receiver_emails: Vec<String>,
    http: reqwest::Client,
}

/// PayPal's answer to a postback.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PostbackAnswer {
    /// The message is PayPal's.
    Verified,
    /// It is not.
    Invalid,
}

impl PaypalIpnEnricher {
    /// An enricher for the configured postback endpoint and receivers.
    pub fn from_config(config: &PaypalConfig) -> Result<Self, ConfigError> {
        let postback_url = parse_endpoint(&config.postback_url)
            .map_err(|e| ConfigError::Invalid(format!("sources.paypal.postback_url: {e}")))?;
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(config.timeout_seconds.max(1)))
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(USER_AGENT)
            .build()
            .map_err(|e| ConfigError::Invalid(format!("http client: {e}")))?;
        Ok(PaypalIpnEnricher {
            postback_url,
            receiver_ids: config.receiver_ids.clone(),
            receiver_emails: config.receiver_emails.clone(),
            http,
        })
    }

    /// Posts `cmd=_notify-validate&` + `original` back and reads PayPal's answer.
    pub async fn postback(&self, original: &[u8]) -> Result<PostbackAnswer, EnrichError> {
        let mut body = Vec::with_capacity(POSTBACK_PREFIX.len() + original.len());
        body.extend_from_slice(POSTBACK_PREFIX);
        body.extend_from_slice(original);
        let mut resp = self
            .http
            .post(self.postback_url.clone())
            .header(
                reqwest::header::CONTENT_TYPE,
                "application/x-www-form-urlencoded",
            )
            .body(body)
            .send()
            .await
            .map_err(|e| transient(format!("ipn postback: {}", e.without_url()), None))?;
        let status = resp.status();
        if !status.is_success() {
            return Err(transient(
                format!("ipn postback answered {status}"),
                retry_after(resp.headers()),
            ));
        }
        let mut answer = Vec::new();
        while let Some(chunk) = resp
            .chunk()
            .await
            .map_err(|e| transient(format!("ipn postback body: {}", e.without_url()), None))?
        {
            answer.extend_from_slice(&chunk);
            if answer.len() > MAX_ANSWER_BYTES {
                break;
            }
        }
        match answer.trim_ascii() {
            b"VERIFIED" => Ok(PostbackAnswer::Verified),
            b"INVALID" => Ok(PostbackAnswer::Invalid),
            _ => Err(transient(
                "ipn postback answered neither VERIFIED nor INVALID".into(),
                None,
            )),
        }
    }
}

#[async_trait]
impl Enricher for PaypalIpnEnricher {
    fn platform(&self) -> Platform {
        Platform::Paypal
    }

    /// - only `entity == "ipn"` references with their raw body are accepted;
    /// - the postback body is byte-identical to `cmd=_notify-validate&` + the original;
    /// - events come only from `VERIFIED` messages addressed to the configured receiver.
    async fn fetch(&self, reference: &ThinReference) -> Result<Vec<InvoiceEvent>, EnrichError> {
        if reference.entity != "ipn" {
            return Err(EnrichError::Rejected(format!(
                "paypal reference of unknown kind `{}`",
                crate::mapping::short(&reference.entity)
            )));
        }
        let raw = reference
            .raw
            .as_ref()
            .ok_or_else(|| EnrichError::Rejected("ipn reference without its body".into()))?;
        match self.postback(raw).await? {
            PostbackAnswer::Invalid => Err(EnrichError::Rejected(
                "paypal answered INVALID to the ipn postback".into(),
            )),
            PostbackAnswer::Verified => {
                let msg = IpnMessage::decode(raw);
                check_receiver(&msg, &self.receiver_ids, &self.receiver_emails)
                    .map_err(|e| EnrichError::Rejected(e.to_string()))?;
                map_verified(&msg, reference).map_err(|e| EnrichError::Rejected(e.to_string()))
            }
        }
    }
}
