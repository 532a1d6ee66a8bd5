//! The relay's configuration: the TOML file of DESIGN.md, `env:NAME` values, environment
//! overrides, and validation into ready-to-use [`Settings`].

pub mod env;
mod error;
mod locate;
mod model;
mod sources;
mod values;

pub use error::ConfigError;
pub use model::StoreKind;
pub use sources::{build_all, SourceSettings};
pub use values::parse_offset;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::{DateTime, Utc};
use invoice_core::{OverduePolicy, RetryPolicy, Secret};

/// Where the journal lives.
#[derive(Debug, Clone)]
pub enum StoreSettings {
    /// An SQLite file.
    Sqlite(PathBuf),
    /// A PostgreSQL URL (may hold a password).
    Postgres(Secret),
    /// Memory only.
    Memory,
}

/// Where updates go.
#[derive(Debug, Clone)]
pub struct PortalSettings {
    /// The portal's endpoint.
    pub url: String,
    /// Signing secrets (first is current; all sign during rotation).
    pub secrets: Vec<Secret>,
}

/// How the outbox delivers.
#[derive(Debug, Clone, Copy)]
pub struct DeliverySettings {
    /// Retry schedule.
    pub policy: RetryPolicy,
    /// Per-request timeout.
    pub timeout: Duration,
    /// Invoices delivered concurrently.
    pub concurrency: usize,
    /// Updates per request to the portal (1: one CloudEvent per request; more: a batch).
    pub updates_per_request: usize,
    /// Idle poll interval.
    pub poll_interval: Duration,
}

/// Which clock the relay runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClockSetting {
    /// The system clock.
    System,
    /// A simulated clock starting at this instant.
    StartAt(DateTime<Utc>),
    /// The system clock shifted by this offset.
    Offset(chrono::Duration),
}

/// A validated configuration.
#[derive(Clone)]
pub struct Settings {
    /// The file it came from.
    pub file: PathBuf,
    text: String,
    /// Listen address.
    pub listen: SocketAddr,
    /// Body limit.
    pub max_body_bytes: usize,
    /// Request timeout.
    pub request_timeout: Duration,
    /// Shutdown grace.
    pub shutdown_timeout: Duration,
    /// Public base URL, without a trailing slash.
    pub public_base_url: Option<String>,
    /// The store.
    pub store: StoreSettings,
    /// The portal (required by `serve`).
    pub portal: Option<PortalSettings>,
    /// Delivery.
    pub delivery: DeliverySettings,
    /// Overdue rules.
    pub overdue: OverduePolicy,
    /// Overdue scheduler interval.
    pub overdue_interval: Duration,
    /// Clock.
    pub clock: ClockSetting,
    /// Enabled sources.
    pub sources: Vec<SourceSettings>,
    /// Correlation rules, in order.
    pub correlation: Vec<invoice_core::CorrelationRule>,
}

impl std::fmt::Debug for Settings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Not the raw text: it may hold secrets.
        f.debug_struct("Settings")
            .field("file", &self.file)
            .field("listen", &self.listen)
            .field("max_body_bytes", &self.max_body_bytes)
            .field("store", &self.store)
            .field("portal", &self.portal)
            .field("delivery", &self.delivery)
            .field("clock", &self.clock)
            .field("sources", &self.sources)
            .finish()
    }
}

impl Settings {
    /// Reads and validates `path`, applying `INVOICE_RELAY_*` overrides from the process
    /// environment.
    pub fn load(path: &Path) -> Result<Settings, ConfigError> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| ConfigError::at(path, None, format!("cannot read: {e}")))?;
        Settings::parse(path, &text, &|name| std::env::var(name).ok())
    }

    /// Validates `text` as if read from `path`; `env` looks up override variables.
    pub fn parse(
        path: &Path,
        text: &str,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Settings, ConfigError> {
        let mut raw: model::FileConfig =
            toml::from_str(text).map_err(|e| error::from_toml(path, text, &e))?;
        env::apply(&mut raw, env)?;
        let at = |section: &str, key: &str, msg: String| {
            ConfigError::at(path, locate::key_line(text, section, key), msg)
        };

        let listen = raw.server.listen.0.parse::<SocketAddr>().map_err(|_| {
            at(
                "server",
                "listen",
                format!(
                    "[server] listen: `{}` is not an address like \"127.0.0.1:8080\"",
                    raw.server.listen.0
                ),
            )
        })?;
        if raw.server.max_body_bytes == 0 {
            return Err(at(
                "server",
                "max_body_bytes",
                "[server] max_body_bytes must be above 0".into(),
            ));
        }
        let public_base_url = match raw.server.public_base_url {
            Some(u) if !is_http_url(&u.0) => {
                return Err(at(
                    "server",
                    "public_base_url",
                    "[server] public_base_url must start with http:// or https://".into(),
                ))
            }
            Some(u) => Some(u.0.trim_end_matches('/').to_owned()),
            None => None,
        };

        let store = match raw.store.kind {
            StoreKind::Sqlite => {
                if raw.store.url.is_some() {
                    return Err(at(
                        "store",
                        "url",
                        "[store] url is for kind = \"postgres\"; SQLite takes path".into(),
                    ));
                }
                StoreSettings::Sqlite(PathBuf::from(
                    raw.store
                        .path
                        .map(|p| p.0)
                        .unwrap_or_else(|| "invoice-relay.db".to_owned()),
                ))
            }
            StoreKind::Postgres => match raw.store.url {
                Some(u) => StoreSettings::Postgres(u.0),
                None => {
                    return Err(at(
                        "store",
                        "kind",
                        "[store] kind = \"postgres\" needs url = \"postgres://...\"".into(),
                    ))
                }
            },
            StoreKind::Memory => StoreSettings::Memory,
        };

        let portal = match raw.portal {
            None => None,
            Some(p) => {
                if !is_http_url(&p.url.0) {
                    return Err(at(
                        "portal",
                        "url",
                        "[portal] url must start with http:// or https://".into(),
                    ));
                }
                let mut secrets: Vec<Secret> = p.secret.into_iter().map(|s| s.0).collect();
                secrets.extend(p.secrets.into_iter().map(|s| s.0));
                if secrets.is_empty() {
                    return Err(at(
                        "portal",
                        "url",
                        "[portal] needs secret = \"whsec_...\" (or secrets = [...])".into(),
                    ));
                }
                Some(PortalSettings {
                    url: p.url.0,
                    secrets,
                })
            }
        };

        let d = &raw.delivery;
        if d.max_attempts == 0 {
            return Err(at(
                "delivery",
                "max_attempts",
                "[delivery] max_attempts must be at least 1".into(),
            ));
        }
        if d.first_backoff.0 > d.max_backoff.0 {
            return Err(at(
                "delivery",
                "first_backoff",
                "[delivery] first_backoff is longer than max_backoff".into(),
            ));
        }
        if d.concurrency == 0 {
            return Err(at(
                "delivery",
                "concurrency",
                "[delivery] concurrency must be at least 1".into(),
            ));
        }
        if d.updates_per_request == 0 || d.updates_per_request > 1000 {
            return Err(at(
                "delivery",
                "updates_per_request",
                "[delivery] updates_per_request must be between 1 and 1000".into(),
            ));
        }
        let delivery = DeliverySettings {
            policy: RetryPolicy {
                max_attempts: d.max_attempts,
                first_backoff: d.first_backoff.0,
                max_backoff: d.max_backoff.0,
            },
            timeout: d.timeout.0,
            concurrency: d.concurrency,
            updates_per_request: d.updates_per_request,
            poll_interval: d.poll_interval.0,
        };

        let o = &raw.overdue;
        let tz: chrono_tz::Tz = o.time_zone.0.parse().map_err(|_| {
            at(
                "overdue",
                "time_zone",
                format!(
                    "[overdue] time_zone `{}` is not an IANA zone like \"Europe/Berlin\"",
                    o.time_zone.0
                ),
            )
        })?;
        let mut levels: Vec<u32> = o.after_days.into_iter().collect();
        levels.extend(o.levels.iter().copied());
        if o.after_days.is_none() && o.levels.is_empty() {
            levels.push(30);
        }
        let overdue = OverduePolicy::new(levels)
            .with_grace_days(o.grace_days)
            .with_time_zone(tz);
        if o.interval.0.is_zero() {
            return Err(at(
                "overdue",
                "interval",
                "[overdue] interval must be above 0".into(),
            ));
        }

        let clock = match (&raw.clock.now, &raw.clock.offset) {
            (Some(_), Some(_)) => {
                return Err(at(
                    "clock",
                    "offset",
                    "[clock] takes now or offset, not both".into(),
                ))
            }
            (Some(now), None) => {
                let t = DateTime::parse_from_rfc3339(now.0.trim()).map_err(|e| {
                    at(
                        "clock",
                        "now",
                        format!("[clock] now `{}` is not RFC 3339: {e}", now.0),
                    )
                })?;
                ClockSetting::StartAt(t.with_timezone(&Utc))
            }
            (None, Some(off)) => ClockSetting::Offset(
                parse_offset(&off.0).map_err(|e| at("clock", "offset", format!("[clock] {e}")))?,
            ),
            (None, None) => ClockSetting::System,
        };

        let sources = sources::parse(path, text, &raw.sources)?;
        let correlation = correlation_rules(&raw.correlation)
            .map_err(|m| ConfigError::at(path, locate::section_line(text, "correlation"), m))?;
        Ok(Settings {
            file: path.to_path_buf(),
            text: text.to_owned(),
            listen,
            max_body_bytes: raw.server.max_body_bytes,
            request_timeout: raw.server.request_timeout.0,
            shutdown_timeout: raw.server.shutdown_timeout.0,
            public_base_url,
            store,
            portal,
            delivery,
            overdue,
            overdue_interval: o.interval.0,
            clock,
            sources,
            correlation,
        })
    }

    /// Builds every enabled source's connector from `registry`.
    pub fn build_connectors(
        &self,
        registry: &invoice_core::registry::ConnectorRegistry,
    ) -> Result<Vec<(SourceSettings, invoice_core::registry::Connector)>, ConfigError> {
        build_all(&self.file, &self.text, &self.sources, registry)
    }

    /// The portal settings, or an error naming the file.
    pub fn require_portal(&self) -> Result<&PortalSettings, ConfigError> {
        self.portal.as_ref().ok_or_else(|| {
            ConfigError::at(
                &self.file,
                None,
                "[portal] is required: url = \"https://...\" and secret = \"whsec_...\"",
            )
        })
    }
}

fn correlation_rules(
    sections: &[model::CorrelationSection],
) -> Result<Vec<invoice_core::CorrelationRule>, String> {
    use invoice_core::{CorrelationRule, MatchBy, Platform, TenantId};
    let slug = |t: &values::Text, key: &str| {
        t.0.parse::<Platform>()
            .map_err(|e| format!("[[correlation]] {key}: {e}"))
    };
    sections
        .iter()
        .map(|c| {
            let field = || {
                c.field
                    .as_ref()
                    .map(|f| f.0.clone())
                    .filter(|f| !f.is_empty())
                    .ok_or_else(|| {
                        "[[correlation]] match = \"metadata_*\" needs field = \"...\"".to_owned()
                    })
            };
            let by = match c.by {
                model::MatchKind::InvoiceNumber => MatchBy::InvoiceNumber,
                model::MatchKind::MetadataNumber => MatchBy::MetadataNumber(field()?),
                model::MatchKind::MetadataId => MatchBy::MetadataId(field()?),
            };
            Ok(CorrelationRule {
                from: slug(&c.from, "from")?,
                to_platform: slug(&c.to_platform, "to_platform")?,
                to_tenant: TenantId(c.to_tenant.0.clone()),
                by,
            })
        })
        .collect()
}

fn is_http_url(s: &str) -> bool {
    s.starts_with("http://") || s.starts_with("https://")
}

#[cfg(test)]
mod tests;
