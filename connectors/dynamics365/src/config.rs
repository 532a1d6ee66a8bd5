//! `[sources.dynamics365]` configuration.

use std::collections::BTreeMap;

use invoice_core::registry::ConfigError;
use invoice_core::{Currency, Secret};
use serde::Deserialize;

/// Where Dataverse (or the flow) puts the key, as chosen when the webhook was registered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AuthMode {
    /// **WebhookKey**: Dataverse appends `?code=<key>` to the URL.
    WebhookKey,
    /// **HttpHeader**: a header named by `key_name` (default `x-invoice-relay-key`); also
    /// what the shipped Power Automate flow sends.
    HttpHeader,
    /// **HttpQueryString**: a query parameter named by `key_name` (default `key`).
    HttpQueryString,
}

/// The default header name in `http_header` mode.
pub const DEFAULT_HEADER: &str = "x-invoice-relay-key";
/// The default query parameter in `http_query_string` mode.
pub const DEFAULT_QUERY: &str = "key";
/// The query parameter of `webhook_key` mode (fixed by Dataverse).
pub const WEBHOOK_KEY_PARAM: &str = "code";

/// Configuration of the Dynamics 365 source. Unknown keys are refused.
///
/// ```toml
/// [sources.dynamics365]
/// secrets = ["env:D365_WEBHOOK_KEY"]        # the key value(s); several during rotation
/// auth = "webhook_key"                      # or "http_header" / "http_query_string"
/// key_name = "x-invoice-relay-key"          # header / query parameter name (not for webhook_key)
/// organizations = ["4ef5b371-e89e-e711-8122-000d3aa2331c"]  # accepted OrganizationIds; empty: any
/// currencies = { "e1f1a2b3-0000-0000-0000-000000000001" = "USD" }  # transactioncurrency id -> ISO
/// default_currency = "USD"                  # invoices whose currency is not in `currencies`
/// new_as_draft = false                      # statuscode 1 "New": draft instead of issued
/// amount_due_attribute = "msdyn_amountdue"  # a Money column holding the balance, if any
/// # Optional: read rows the post does not describe fully (no images) from the Web API.
/// api_base = "https://anodizeworks.crm4.dynamics.com"
/// token_url = "https://login.microsoftonline.com/<entra tenant id>/oauth2/v2.0/token"
/// client_id = "<application (client) id>"
/// client_secret = "env:D365_CLIENT_SECRET"
/// ```
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Dynamics365Config {
    /// The key values, compared as UTF-8 bytes.
    pub secrets: Vec<Secret>,
    /// Where the key is read from.
    #[serde(default = "default_auth")]
    pub auth: AuthMode,
    /// The header or query parameter name (`http_header`, `http_query_string`).
    #[serde(default)]
    pub key_name: Option<String>,
    /// Accepted Dataverse `OrganizationId`s (tenants); empty accepts any authenticated post.
    #[serde(default)]
    pub organizations: Vec<String>,
    /// `transactioncurrency` record ids (or the currency's name, as Dataverse puts it in the
    /// reference) -> ISO 4217 codes.
    #[serde(default)]
    pub currencies: BTreeMap<String, String>,
    /// Currency of invoices whose currency is not listed in `currencies`.
    #[serde(default)]
    pub default_currency: Option<String>,
    /// Read statuscode 1 "New" as a draft (not yet issued) instead of issued.
    #[serde(default)]
    pub new_as_draft: bool,
    /// A Money column holding the amount still due (paid = total - due), if the
    /// organisation keeps one (Project Operations' `msdyn_amountdue`, a custom column).
    #[serde(default)]
    pub amount_due_attribute: Option<String>,
    /// The environment's URL: when set, rows a post does not fully describe (an Update
    /// without a post-image) are read from the Web API after the acknowledgement.
    #[serde(default)]
    pub api_base: Option<String>,
    /// The Microsoft Entra token endpoint of the client credentials grant.
    #[serde(default)]
    pub token_url: Option<String>,
    /// The application (client) id of the Dataverse application user.
    #[serde(default)]
    pub client_id: Option<String>,
    /// Its client secret.
    #[serde(default)]
    pub client_secret: Option<Secret>,
    /// A fixed bearer token instead of client credentials (tests, short-lived set-ups).
    #[serde(default)]
    pub access_token: Option<Secret>,
}

fn default_auth() -> AuthMode {
    AuthMode::WebhookKey
}

impl Dynamics365Config {
    /// A `webhook_key` configuration with one key and defaults for the rest.
    pub fn with_secret(secret: &str) -> Self {
        Dynamics365Config {
            secrets: vec![Secret::new(secret)],
            auth: default_auth(),
            key_name: None,
            organizations: Vec::new(),
            currencies: BTreeMap::new(),
            default_currency: None,
            new_as_draft: false,
            amount_due_attribute: None,
            api_base: None,
            token_url: None,
            client_id: None,
            client_secret: None,
            access_token: None,
        }
    }

    /// The header or parameter the key is read from, lower-cased.
    pub fn key_location(&self) -> String {
        match self.auth {
            AuthMode::WebhookKey => WEBHOOK_KEY_PARAM.to_owned(),
            AuthMode::HttpHeader => self
                .key_name
                .as_deref()
                .unwrap_or(DEFAULT_HEADER)
                .to_ascii_lowercase(),
            AuthMode::HttpQueryString => self
                .key_name
                .clone()
                .unwrap_or_else(|| DEFAULT_QUERY.to_owned()),
        }
    }

    pub(crate) fn validate(&self) -> Result<Currencies, ConfigError> {
        let invalid = |m: String| Err(ConfigError::Invalid(format!("sources.dynamics365.{m}")));
        if self.secrets.is_empty() || self.secrets.iter().any(|s| s.expose().is_empty()) {
            return invalid("secrets: at least one non-empty key is required".into());
        }
        match (self.auth, self.key_name.as_deref()) {
            (AuthMode::WebhookKey, Some(_)) => {
                return invalid("key_name: webhook_key always uses `code`".into())
            }
            (AuthMode::HttpHeader, Some(n))
                if http::HeaderName::from_bytes(n.as_bytes()).is_err() =>
            {
                return invalid(format!("key_name: `{n}` is not a header name"))
            }
            (_, Some("")) => return invalid("key_name: empty".into()),
            _ => {}
        }
        let mut by_key = BTreeMap::new();
        for (id, code) in &self.currencies {
            match Currency::new(code) {
                Ok(c) => {
                    by_key.insert(normalise_key(id), c);
                }
                Err(_) => return invalid(format!("currencies.{id}: `{code}` is not an ISO code")),
            }
        }
        let default = match &self.default_currency {
            Some(c) => match Currency::new(c) {
                Ok(c) => Some(c),
                Err(_) => return invalid(format!("default_currency: `{c}` is not an ISO code")),
            },
            None => None,
        };
        Ok(Currencies { by_key, default })
    }
}

/// GUIDs compare case-insensitively and without braces.
pub(crate) fn normalise_key(s: &str) -> String {
    s.trim()
        .trim_matches(|c| c == '{' || c == '}')
        .to_ascii_lowercase()
}

/// Currency lookups, checked at construction.
#[derive(Debug, Clone, Default)]
pub struct Currencies {
    pub(crate) by_key: BTreeMap<String, Currency>,
    pub(crate) default: Option<Currency>,
}

impl Currencies {
    /// The currency for a `transactioncurrency` reference (id first, then name), an ISO
    /// code sent as is (the flow), else the default.
    pub fn resolve(&self, id: Option<&str>, name: Option<&str>) -> Option<Currency> {
        for k in [id, name].into_iter().flatten() {
            if let Some(c) = self.by_key.get(&normalise_key(k)) {
                return Some(*c);
            }
        }
        if let Some(code) = name
            .map(str::trim)
            .filter(|n| n.len() == 3 && n.bytes().all(|b| b.is_ascii_uppercase()))
        {
            if let Ok(c) = Currency::new(code) {
                return Some(c);
            }
        }
        self.default
    }
}
