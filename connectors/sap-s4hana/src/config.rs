//! `[sources.sap-s4hana]` configuration.

use invoice_core::registry::ConfigError;
use invoice_core::Secret;
use serde::Deserialize;

/// How pushes from Event Mesh / Integration Suite prove they are ours.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AuthMode {
    /// `X-Relay-Signature: t=<unix>,v1=<hex HMAC-SHA256 of "<t>." + body>` (an Integration
    /// Suite iFlow computes it; the guide ships the script). Timestamped, body-covering.
    Hmac,
    /// `X-Relay-Token: <secret>` compared in constant time (a header set on the Event Mesh
    /// webhook or the iFlow's HTTP receiver). Covers neither body nor time.
    SharedSecret,
    /// `Authorization: Basic` with `basic_user` and any secret as the password (Event Mesh
    /// webhook "Basic Authentication"). Covers neither body nor time.
    Basic,
}

/// Which OData V2 representation the enricher asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum ODataFormat {
    /// `$format=json` (`{"d":{…}}`).
    #[default]
    Json,
    /// Atom XML (`<entry>…<m:properties>`).
    Atom,
}

/// Configuration of the SAP S/4HANA source and enricher. Unknown keys are refused.
///
/// ```toml
/// [sources.sap-s4hana]
/// auth = "hmac"                       # or "shared_secret" or "basic"
/// secrets = ["env:SAP_RELAY_KEY"]     # HMAC keys / header tokens / Basic passwords
/// tolerance_seconds = 300
/// systems = ["244572008"]             # allowed CloudEvent `source` system ids (tenants)
/// api_base = "https://my123456-api.s4hana.cloud.sap"
/// token_url = "https://my123456.authentication.eu10.hana.ondemand.com/oauth/token"
/// client_id = "sb-relay"
/// client_secret = "env:SAP_CLIENT_SECRET"
/// due_days = 30                       # optional: due date = billing date + N days
/// ```
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SapConfig {
    /// How pushes are authenticated.
    #[serde(default = "default_auth")]
    pub auth: AuthMode,
    /// HMAC keys, header tokens or Basic passwords (several during rotation).
    pub secrets: Vec<Secret>,
    /// The Basic user name (with `auth = "basic"`).
    #[serde(default)]
    pub basic_user: Option<String>,
    /// Signature age tolerance, seconds (HMAC mode).
    #[serde(default = "default_tolerance")]
    pub tolerance_seconds: u64,
    /// Allowed SAP system ids: the last segment of the CloudEvent `source`
    /// (`/default/sap.s4.beh/<system id>`); it is the tenant. Empty allows any.
    #[serde(default)]
    pub systems: Vec<String>,
    /// Where the OData service lives (scheme and host); every read goes there.
    #[serde(default)]
    pub api_base: Option<String>,
    /// Path of the billing document service under `api_base`.
    #[serde(default = "default_service_path")]
    pub service_path: String,
    /// JSON or Atom.
    #[serde(default)]
    pub format: ODataFormat,
    /// OAuth 2.0 token endpoint (client credentials).
    #[serde(default)]
    pub token_url: Option<String>,
    /// OAuth client id.
    #[serde(default)]
    pub client_id: Option<String>,
    /// OAuth client secret.
    #[serde(default)]
    pub client_secret: Option<Secret>,
    /// Communication user for Basic authentication against the API (instead of OAuth).
    #[serde(default)]
    pub api_user: Option<String>,
    /// Its password.
    #[serde(default)]
    pub api_password: Option<Secret>,
    /// The header carries no net due date: when set, due date = `BillingDocumentDate` +
    /// this many days (an approximation of the payment terms).
    #[serde(default)]
    pub due_days: Option<u32>,
    /// HTTP timeout of an API call, seconds.
    #[serde(default = "default_timeout")]
    pub timeout_seconds: u64,
}

fn default_auth() -> AuthMode {
    AuthMode::Hmac
}

fn default_tolerance() -> u64 {
    300
}

fn default_timeout() -> u64 {
    30
}

fn default_service_path() -> String {
    "/sap/opu/odata/sap/API_BILLING_DOCUMENT_SRV".to_owned()
}

impl SapConfig {
    /// HMAC mode with one key and defaults for the rest (no API access).
    pub fn with_secret(secret: &str) -> Self {
        SapConfig {
            auth: AuthMode::Hmac,
            secrets: vec![Secret::new(secret)],
            basic_user: None,
            tolerance_seconds: default_tolerance(),
            systems: Vec::new(),
            api_base: None,
            service_path: default_service_path(),
            format: ODataFormat::Json,
            token_url: None,
            client_id: None,
            client_secret: None,
            api_user: None,
            api_password: None,
            due_days: None,
            timeout_seconds: default_timeout(),
        }
    }

    pub(crate) fn validate(&self) -> Result<(), ConfigError> {
        let bad = |m: &str| Err(ConfigError::Invalid(format!("sources.sap-s4hana.{m}")));
        if self.secrets.is_empty() || self.secrets.iter().any(|s| s.expose().len() < 16) {
            return bad("secrets: at least one secret of 16 or more bytes is required");
        }
        if self.auth == AuthMode::Basic && self.basic_user.as_deref().unwrap_or("").is_empty() {
            return bad("basic_user: required with auth = \"basic\"");
        }
        if self.systems.iter().any(|s| s.trim().is_empty()) {
            return bad("systems: empty system id");
        }
        if !self.service_path.starts_with('/') {
            return bad("service_path: must start with `/`");
        }
        Ok(())
    }

    /// True when `system` may push (the list is empty, or names it).
    pub fn allows(&self, system: &str) -> bool {
        self.systems.is_empty() || self.systems.iter().any(|s| s == system)
    }
}
