//! The configuration file's sections, exactly as written (keys fixed by DESIGN.md, plus
//! the documented extensions). Every struct denies unknown keys.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::values::{DurationText, SecretText, Text};

/// The whole file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    /// `[server]`.
    #[serde(default)]
    pub server: ServerSection,
    /// `[store]`.
    #[serde(default)]
    pub store: StoreSection,
    /// `[portal]`.
    pub portal: Option<PortalSection>,
    /// `[delivery]`.
    #[serde(default)]
    pub delivery: DeliverySection,
    /// `[overdue]`.
    #[serde(default)]
    pub overdue: OverdueSection,
    /// `[clock]`.
    #[serde(default)]
    pub clock: ClockSection,
    /// `[[correlation]]`: payments on one platform settling invoices of another.
    #[serde(default)]
    pub correlation: Vec<CorrelationSection>,
    /// `[sources.<slug>]`, passed to each connector (after `url_tokens` and `enabled` are
    /// taken out).
    #[serde(default)]
    pub sources: BTreeMap<String, toml::Value>,
}

/// `[server]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServerSection {
    /// Address to listen on.
    #[serde(default = "default_listen")]
    pub listen: Text,
    /// Largest accepted request body (413 above).
    #[serde(default = "default_max_body")]
    pub max_body_bytes: usize,
    /// Longest a request may take before 408.
    #[serde(default = "default_request_timeout")]
    pub request_timeout: DurationText,
    /// How long shutdown waits for in-flight requests and deliveries.
    #[serde(default = "default_shutdown_timeout")]
    pub shutdown_timeout: DurationText,
    /// The relay's public base URL (`https://relay.example.com`), for signatures that
    /// cover the URL (HubSpot v3, Dynamics).
    pub public_base_url: Option<Text>,
}

impl Default for ServerSection {
    fn default() -> Self {
        ServerSection {
            listen: default_listen(),
            max_body_bytes: default_max_body(),
            request_timeout: default_request_timeout(),
            shutdown_timeout: default_shutdown_timeout(),
            public_base_url: None,
        }
    }
}

fn default_listen() -> Text {
    Text("127.0.0.1:8080".to_owned())
}
fn default_max_body() -> usize {
    1024 * 1024
}
fn default_request_timeout() -> DurationText {
    DurationText(std::time::Duration::from_secs(10))
}
fn default_shutdown_timeout() -> DurationText {
    DurationText(std::time::Duration::from_secs(30))
}

/// Which store.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum StoreKind {
    /// Embedded SQLite file (the default).
    #[default]
    Sqlite,
    /// PostgreSQL: several relay instances may share one database.
    Postgres,
    /// In memory: nothing survives a restart. For trying things out only.
    Memory,
}

/// `[store]`.
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct StoreSection {
    /// `sqlite`, `postgres` or `memory`.
    #[serde(default)]
    pub kind: StoreKind,
    /// SQLite file.
    pub path: Option<Text>,
    /// PostgreSQL URL (may hold a password: treated as a secret).
    pub url: Option<SecretText>,
}

/// `[portal]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PortalSection {
    /// Where updates are POSTed.
    pub url: Text,
    /// The `whsec_...` signing secret.
    pub secret: Option<SecretText>,
    /// More secrets during rotation: every update is signed with each.
    #[serde(default)]
    pub secrets: Vec<SecretText>,
}

/// `[delivery]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeliverySection {
    /// Attempts before dead-lettering (the first counts).
    #[serde(default = "default_attempts")]
    pub max_attempts: u32,
    /// Ceiling of the first retry delay.
    #[serde(default = "default_first_backoff")]
    pub first_backoff: DurationText,
    /// Cap of every delay.
    #[serde(default = "default_max_backoff")]
    pub max_backoff: DurationText,
    /// Per-request timeout towards the portal.
    #[serde(default = "default_timeout")]
    pub timeout: DurationText,
    /// Invoices delivered concurrently.
    #[serde(default = "default_concurrency")]
    pub concurrency: usize,
    /// Updates (of different invoices) per request to the portal; above 1 they go as one
    /// `application/cloudevents-batch+json` array.
    #[serde(default = "default_updates_per_request")]
    pub updates_per_request: usize,
    /// How often an idle worker looks for due updates.
    #[serde(default = "default_poll")]
    pub poll_interval: DurationText,
}

impl Default for DeliverySection {
    fn default() -> Self {
        DeliverySection {
            max_attempts: default_attempts(),
            first_backoff: default_first_backoff(),
            max_backoff: default_max_backoff(),
            timeout: default_timeout(),
            concurrency: default_concurrency(),
            updates_per_request: default_updates_per_request(),
            poll_interval: default_poll(),
        }
    }
}

fn default_attempts() -> u32 {
    12
}
fn default_first_backoff() -> DurationText {
    DurationText(std::time::Duration::from_secs(5))
}
fn default_max_backoff() -> DurationText {
    DurationText(std::time::Duration::from_secs(6 * 3600))
}
fn default_timeout() -> DurationText {
    DurationText(std::time::Duration::from_secs(15))
}
fn default_concurrency() -> usize {
    8
}
fn default_updates_per_request() -> usize {
    1
}
fn default_poll() -> DurationText {
    DurationText(std::time::Duration::from_millis(500))
}

/// `[overdue]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OverdueSection {
    /// The main rule: overdue N days past due.
    pub after_days: Option<u32>,
    /// More dunning levels, in days past due.
    #[serde(default)]
    pub levels: Vec<u32>,
    /// Days added to every level.
    #[serde(default)]
    pub grace_days: u32,
    /// Whose calendar days count (IANA name).
    #[serde(default = "default_tz")]
    pub time_zone: Text,
    /// How often the scheduler runs (it also runs at start-up).
    #[serde(default = "default_interval")]
    pub interval: DurationText,
}

impl Default for OverdueSection {
    fn default() -> Self {
        OverdueSection {
            after_days: None,
            levels: Vec::new(),
            grace_days: 0,
            time_zone: default_tz(),
            interval: default_interval(),
        }
    }
}

fn default_tz() -> Text {
    Text("UTC".to_owned())
}
fn default_interval() -> DurationText {
    DurationText(std::time::Duration::from_secs(3600))
}

/// `[clock]`.
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct ClockSection {
    /// Start the simulated clock at this RFC 3339 instant.
    pub now: Option<Text>,
    /// Shift the system clock by this signed offset (`"-30d"`).
    pub offset: Option<Text>,
}

/// How a correlation rule finds the invoice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MatchKind {
    /// The invoice number the payment quotes.
    InvoiceNumber,
    /// A metadata field holding the invoice number.
    MetadataNumber,
    /// A metadata field holding the issuing platform's invoice id.
    MetadataId,
}

/// `[[correlation]]`: payments from `from` settle invoices issued on `to_platform` for
/// `to_tenant`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CorrelationSection {
    /// Where the payment comes from (slug).
    pub from: Text,
    /// Where the invoice was issued (slug).
    pub to_platform: Text,
    /// The issuing tenant.
    pub to_tenant: Text,
    /// How to find it.
    #[serde(rename = "match")]
    pub by: MatchKind,
    /// The metadata field, for `metadata_number` and `metadata_id`.
    pub field: Option<Text>,
}
