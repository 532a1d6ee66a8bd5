//! [`HttpPortalSink`]: the [`PortalSink`] that POSTs signed CloudEvents.

use std::fmt;

use async_trait::async_trait;
use http::header::{CONTENT_TYPE as CONTENT_TYPE_HEADER, USER_AGENT};
use invoice_core::{DeliveryError, PortalSink, PortalUpdate, Receipt, Secret};
use sha2::{Digest, Sha256};
use url::Url;

use crate::classify::{classify_status, classify_transport, MAX_QUOTED_BODY};
use crate::envelope::{CloudEvent, BATCH_CONTENT_TYPE, CONTENT_TYPE};
use crate::error::ConfigError;
use crate::headers::{WEBHOOK_ID, WEBHOOK_SIGNATURE, WEBHOOK_TIMESTAMP};
use crate::options::SinkOptions;
use crate::sign::Signer;

/// Delivers [`PortalUpdate`]s to one portal endpoint over HTTP(S).
///
/// - One POST per [`deliver`](PortalSink::deliver) (no retries inside: the outbox retries);
///   a fresh `webhook-timestamp` and signature per attempt, the same `webhook-id`.
/// - A pooled keep-alive `reqwest` client with rustls; redirects are not followed.
/// - `Debug` shows the URL without credentials, query or fragment, and no keys.
#[derive(Clone)]
pub struct HttpPortalSink {
    client: reqwest::Client,
    url: Url,
    signer: Signer,
    options: SinkOptions,
}

impl HttpPortalSink {
    /// A sink posting to `url` (http or https), signing with every `whsec_` secret in
    /// `secrets` (list several during a rotation) and the options' Ed25519 keys.
    ///
    /// Errors: a URL that does not parse or is not http(s), a secret that is not base64
    /// after its `whsec_` prefix, no key at all.
    pub fn new(url: &str, secrets: &[Secret], options: SinkOptions) -> Result<Self, ConfigError> {
        let url = Url::parse(url).map_err(|e| ConfigError::Url(e.to_string()))?;
        if !matches!(url.scheme(), "http" | "https") || url.host().is_none() {
            return Err(ConfigError::Url(format!(
                "scheme {:?} or missing host: only http(s) URLs with a host",
                url.scheme()
            )));
        }
        let signer = Signer::new(secrets, &options.signing_keys)?;
        let client = reqwest::Client::builder()
            .use_rustls_tls()
            .connect_timeout(options.connect_timeout)
            .read_timeout(options.read_timeout)
            .timeout(options.request_timeout)
            .pool_idle_timeout(options.pool_idle_timeout)
            .pool_max_idle_per_host(options.pool_max_idle_per_host)
            .tcp_keepalive(std::time::Duration::from_secs(60))
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(options.user_agent.clone())
            .build()
            .map_err(|e| ConfigError::Client(e.without_url().to_string()))?;
        Ok(HttpPortalSink {
            client,
            url,
            signer,
            options,
        })
    }

    /// The `whpk_` public keys of the configured Ed25519 signing keys, for the portal.
    pub fn public_keys(&self) -> Vec<String> {
        self.signer.public_keys()
    }

    /// The endpoint, without credentials, query or fragment (safe to log).
    pub fn endpoint(&self) -> String {
        redacted(&self.url)
    }

    /// Delivers several updates in one request (`application/cloudevents-batch+json`, a
    /// JSON array in the given order). The `webhook-id` of a batch is `batch_` + 32 hex
    /// digits of SHA-256 over the member ids, so a retried batch keeps its id. The portal
    /// answers for the whole batch; classification is the same as for one update.
    pub async fn deliver_batch(&self, updates: &[PortalUpdate]) -> Result<Receipt, DeliveryError> {
        let events: Vec<CloudEvent> = updates.iter().map(CloudEvent::from_update).collect();
        let body = CloudEvent::batch_to_json(&events);
        let id = batch_id(updates);
        self.post(&id, body, BATCH_CONTENT_TYPE).await
    }

    async fn post(
        &self,
        id: &str,
        body: Vec<u8>,
        content_type: &'static str,
    ) -> Result<Receipt, DeliveryError> {
        let timestamp = self.options.clock.now().timestamp();
        let signature = self.signer.sign(id, timestamp, &body);
        let request = self
            .client
            .post(self.url.clone())
            .header(CONTENT_TYPE_HEADER, content_type)
            .header(USER_AGENT, &self.options.user_agent)
            .header(WEBHOOK_ID, id)
            .header(WEBHOOK_TIMESTAMP, timestamp.to_string())
            .header(WEBHOOK_SIGNATURE, signature)
            .body(body);
        let response = request.send().await.map_err(|e| classify_transport(&e))?;
        let status = response.status();
        let headers = response.headers().clone();
        // Read the body (so the connection goes back to the pool); quote a prefix on errors.
        let body = read_prefix(response)
            .await
            .map_err(|e| classify_transport(&e))?;
        let now = self.options.clock.now();
        let result = classify_status(status, &headers, &body, now);
        match &result {
            Ok(r) => tracing::debug!(
                id,
                status = r.status,
                duplicate = r.duplicate,
                "portal accepted update"
            ),
            Err(e) => {
                tracing::debug!(id, status = ?e.status(), retryable = e.is_retryable(), "portal refused update")
            }
        }
        result
    }
}

async fn read_prefix(mut response: reqwest::Response) -> Result<Vec<u8>, reqwest::Error> {
    let mut out = Vec::new();
    // Drain the body so the connection can be reused; keep only what an error quotes.
    while let Some(chunk) = response.chunk().await? {
        if out.len() < MAX_QUOTED_BODY {
            let take = (MAX_QUOTED_BODY - out.len()).min(chunk.len());
            out.extend_from_slice(&chunk[..take]);
        }
    }
    Ok(out)
}

fn batch_id(updates: &[PortalUpdate]) -> String {
    let mut h = Sha256::new();
    for u in updates {
        h.update(u.id.as_bytes());
        h.update(b"\n");
    }
    format!("batch_{}", hex::encode(&h.finalize()[..16]))
}

fn redacted(url: &Url) -> String {
    let mut u = url.clone();
    // Setting these cannot fail for http(s) URLs with a host, which `new` guarantees.
    let _ = u.set_username("");
    let _ = u.set_password(None);
    u.set_query(None);
    u.set_fragment(None);
    u.to_string()
}

#[async_trait]
impl PortalSink for HttpPortalSink {
    async fn deliver(&self, update: &PortalUpdate) -> Result<Receipt, DeliveryError> {
        let body = CloudEvent::from_update(update).to_json();
        self.post(&update.id, body, CONTENT_TYPE).await
    }

    async fn deliver_batch(&self, updates: &[PortalUpdate]) -> Result<Receipt, DeliveryError> {
        match updates {
            [one] => PortalSink::deliver(self, one).await,
            // The inherent method: one `application/cloudevents-batch+json` request.
            _ => HttpPortalSink::deliver_batch(self, updates).await,
        }
    }
}

impl fmt::Debug for HttpPortalSink {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HttpPortalSink")
            .field("url", &redacted(&self.url))
            .field("signer", &self.signer)
            .field("options", &self.options)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_and_endpoint_hide_credentials_and_keys() {
        let sink = HttpPortalSink::new(
            "https://alice:pa55word@portal.example/hook?token=t0ken#x",
            &[Secret::new("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")],
            SinkOptions::default(),
        )
        .unwrap();
        let dbg = format!("{sink:?}");
        for leak in ["pa55word", "alice", "t0ken", "MfKQ9r8"] {
            assert!(!dbg.contains(leak), "{leak} in {dbg}");
        }
        assert_eq!(sink.endpoint(), "https://portal.example/hook");
    }

    #[test]
    fn rejects_bad_urls_and_secrets() {
        let s = [Secret::new("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")];
        for url in ["not a url", "ftp://x/y", "file:///etc/passwd", "mailto:a@b"] {
            assert!(matches!(
                HttpPortalSink::new(url, &s, SinkOptions::default()),
                Err(ConfigError::Url(_))
            ));
        }
        let err = HttpPortalSink::new(
            "http://127.0.0.1:1/x",
            &[Secret::new("whsec_%%%secret%%%")],
            SinkOptions::default(),
        )
        .unwrap_err();
        assert!(matches!(err, ConfigError::Key(_)));
        assert!(!err.to_string().contains("secret%%%"));
        assert!(HttpPortalSink::new("http://127.0.0.1:1/x", &[], SinkOptions::default()).is_err());
    }

    #[test]
    fn batch_ids_are_stable_and_depend_on_members() {
        assert_eq!(batch_id(&[]), batch_id(&[]));
        assert!(batch_id(&[]).starts_with("batch_"));
        assert_eq!(batch_id(&[]).len(), "batch_".len() + 32);
    }
}
