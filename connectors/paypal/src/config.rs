//! `[sources.paypal]` configuration.

use invoice_core::registry::ConfigError;
use invoice_core::Secret;
use serde::Deserialize;

/// PayPal's live IPN postback endpoint.
pub const LIVE_POSTBACK_URL: &str = "https://ipnpb.paypal.com/cgi-bin/webscr";
/// PayPal's sandbox IPN postback endpoint.
pub const SANDBOX_POSTBACK_URL: &str = "https://ipnpb.sandbox.paypal.com/cgi-bin/webscr";
/// PayPal's live REST API base.
pub const LIVE_API_BASE: &str = "https://api-m.paypal.com";

/// The hosts PayPal serves webhook signing certificates from.
pub const PAYPAL_CERT_HOSTS: [&str; 4] = [
    "api.paypal.com",
    "api.sandbox.paypal.com",
    "api-m.paypal.com",
    "api-m.sandbox.paypal.com",
];

/// How REST webhook signatures are checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Verification {
    /// Locally: fetch the certificate named by `PAYPAL-CERT-URL` (allow-listed hosts only,
    /// cached by URL) and check the SHA256withRSA signature.
    #[default]
    Certificate,
    /// Remotely: `POST /v1/notifications/verify-webhook-signature` (needs `client_id` and
    /// `client_secret`).
    Api,
}

/// Configuration of the PayPal source. Unknown keys are refused.
///
/// ```toml
/// [sources.paypal]
/// secrets = ["8PT597110X687430LKGECATA"]   # REST: your webhook id(s); several during a move
/// verification = "certificate"             # or "api"
/// tenant = "brightline"                    # optional; see the crate docs
/// receiver_ids = ["LPLWNMTBWMFAY"]         # IPN: your merchant id(s)
/// receiver_emails = ["billing@brightline.example"]
/// postback_url = "https://ipnpb.paypal.com/cgi-bin/webscr"
/// api_base = "https://api-m.paypal.com"    # for verification = "api"
/// client_id = "env:PAYPAL_CLIENT_ID"
/// client_secret = "env:PAYPAL_CLIENT_SECRET"
/// ```
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PaypalConfig {
    /// REST webhook ids (the `webhook_id` of each subscription pointing here). The id is
    /// part of the signed string, so an event signed for another subscription is refused.
    /// Several may be listed while moving between subscriptions (rotation). May be empty
    /// for an IPN-only set-up, in which case every REST request is refused.
    #[serde(default)]
    pub secrets: Vec<Secret>,
    /// Certificate (default) or API verification of REST webhooks.
    #[serde(default)]
    pub verification: Verification,
    /// Hosts `PAYPAL-CERT-URL` may point at (https only). Defaults to PayPal's four API
    /// hosts. A loopback IP listed here may also be reached over plain http (tests).
    #[serde(default = "default_cert_hosts")]
    pub cert_hosts: Vec<String>,
    /// Tenant of every event; when absent, the route tenant, then (IPN) the `receiver_id`,
    /// then `default`.
    #[serde(default)]
    pub tenant: Option<String>,
    /// IPN: merchant account ids an IPN may be addressed to (`receiver_id`).
    #[serde(default)]
    pub receiver_ids: Vec<String>,
    /// IPN: merchant e-mail addresses an IPN may be addressed to (`receiver_email`),
    /// compared case-insensitively.
    #[serde(default)]
    pub receiver_emails: Vec<String>,
    /// IPN: where verification postbacks go.
    #[serde(default = "default_postback_url")]
    pub postback_url: String,
    /// REST API base for `verification = "api"`.
    #[serde(default = "default_api_base")]
    pub api_base: String,
    /// REST app client id for `verification = "api"`.
    #[serde(default)]
    pub client_id: Option<Secret>,
    /// REST app secret for `verification = "api"`.
    #[serde(default)]
    pub client_secret: Option<Secret>,
    /// Timeout of every outgoing request (certificate fetch, API, postback), seconds.
    #[serde(default = "default_timeout")]
    pub timeout_seconds: u64,
}

fn default_cert_hosts() -> Vec<String> {
    PAYPAL_CERT_HOSTS.iter().map(|h| (*h).to_owned()).collect()
}

fn default_postback_url() -> String {
    LIVE_POSTBACK_URL.to_owned()
}

fn default_api_base() -> String {
    LIVE_API_BASE.to_owned()
}

fn default_timeout() -> u64 {
    10
}

impl PaypalConfig {
    /// A configuration with one webhook id and defaults for the rest.
    pub fn with_webhook_id(webhook_id: &str) -> Self {
        PaypalConfig {
            secrets: vec![Secret::new(webhook_id)],
            verification: Verification::Certificate,
            cert_hosts: default_cert_hosts(),
            tenant: None,
            receiver_ids: Vec::new(),
            receiver_emails: Vec::new(),
            postback_url: default_postback_url(),
            api_base: default_api_base(),
            client_id: None,
            client_secret: None,
            timeout_seconds: default_timeout(),
        }
    }

    pub(crate) fn validate(&self) -> Result<(), ConfigError> {
        let invalid = |m: &str| Err(ConfigError::Invalid(format!("sources.paypal.{m}")));
        if self.secrets.iter().any(|s| s.expose().is_empty()) {
            return invalid("secrets: webhook ids must not be empty");
        }
        if self.secrets.is_empty()
            && self.receiver_ids.is_empty()
            && self.receiver_emails.is_empty()
        {
            return invalid(
                "secrets: give the REST webhook id(s), or receiver_ids / receiver_emails for IPN",
            );
        }
        if self.cert_hosts.is_empty() {
            return invalid("cert_hosts: at least one host is required");
        }
        if self.timeout_seconds == 0 {
            return invalid("timeout_seconds: must be at least 1");
        }
        crate::urls::parse_endpoint(&self.postback_url)
            .map_err(|e| ConfigError::Invalid(format!("sources.paypal.postback_url: {e}")))?;
        crate::urls::parse_endpoint(&self.api_base)
            .map_err(|e| ConfigError::Invalid(format!("sources.paypal.api_base: {e}")))?;
        if self.verification == Verification::Api
            && (self.client_id.is_none() || self.client_secret.is_none())
        {
            return invalid("client_id and client_secret are required for verification = \"api\"");
        }
        Ok(())
    }
}
