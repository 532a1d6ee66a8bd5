//! Wiring: the journal, clock, connectors, relay and portal sink a configuration asks for.

use std::path::Path;
use std::sync::Arc;

use invoice_core::journal::{Journal, JournalError, MemoryJournal};
use invoice_core::registry::ConnectorRegistry;
use invoice_core::{Clock, OffsetClock, PortalSink, Relay, SimulatedClock, SystemClock};

use crate::config::{ClockSetting, ConfigError, Settings, StoreSettings};

/// Why the relay could not start or a command could not run.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// The configuration is wrong (exit code 2).
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// The store failed.
    #[error("store: {0}")]
    Journal(#[from] JournalError),
    /// The pipeline refused something.
    #[error("relay: {0}")]
    Relay(#[from] invoice_core::RelayError),
    /// A file or socket failed.
    #[error("{context}: {source}")]
    Io {
        /// What was being done.
        context: String,
        /// The cause.
        source: std::io::Error,
    },
    /// The command was used wrongly or found nothing to do it on.
    #[error("{0}")]
    Usage(String),
}

impl AppError {
    /// An I/O error with context.
    pub fn io(context: impl Into<String>, source: std::io::Error) -> Self {
        AppError::Io {
            context: context.into(),
            source,
        }
    }

    /// The process exit code.
    pub fn exit_code(&self) -> i32 {
        match self {
            AppError::Config(_) | AppError::Usage(_) => 2,
            _ => 1,
        }
    }
}

/// Every connector compiled into this build.
pub fn registry() -> ConnectorRegistry {
    let mut r = ConnectorRegistry::new();
    invoice_connectors::register_all(&mut r);
    r
}

/// Opens the configured journal.
pub fn open_journal(settings: &Settings) -> Result<Arc<dyn Journal>, AppError> {
    match &settings.store {
        StoreSettings::Sqlite(path) => Ok(Arc::new(open_sqlite(path)?)),
        StoreSettings::Postgres(url) => Ok(Arc::new(open_postgres(settings, url, true)?)),
        StoreSettings::Memory => {
            tracing::warn!("store kind = \"memory\": nothing survives a restart");
            Ok(Arc::new(MemoryJournal::new()))
        }
    }
}

/// Opens (creating) an SQLite journal.
pub fn open_sqlite(path: &Path) -> Result<invoice_store_sqlite::SqliteJournal, AppError> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)
            .map_err(|e| AppError::io(format!("cannot create {}", dir.display()), e))?;
    }
    Ok(invoice_store_sqlite::SqliteJournal::open(path)?)
}

/// Connects to the PostgreSQL journal of `[store] url`; with `migrate`, the schema is
/// created or upgraded first (several instances starting at once migrate it once).
pub fn open_postgres(
    settings: &Settings,
    url: &invoice_core::Secret,
    migrate: bool,
) -> Result<invoice_store_postgres::PostgresJournal, AppError> {
    let url = postgres_url(settings, url)?;
    let options = invoice_store_postgres::PostgresOptions {
        migrate,
        ..Default::default()
    };
    let journal = invoice_store_postgres::PostgresJournal::connect_blocking(url, options)?;
    tracing::info!(target_db = journal.target(), "PostgreSQL journal");
    Ok(journal)
}

/// The `[store] url` as text.
pub fn postgres_url<'a>(
    settings: &Settings,
    url: &'a invoice_core::Secret,
) -> Result<&'a str, AppError> {
    url.expose_str().ok_or_else(|| {
        ConfigError::at(&settings.file, None, "[store] url is not valid UTF-8").into()
    })
}

/// The configured clock.
pub fn clock(setting: ClockSetting) -> Arc<dyn Clock> {
    match setting {
        ClockSetting::System => Arc::new(SystemClock),
        ClockSetting::StartAt(t) => Arc::new(SimulatedClock::starting_at(t)),
        ClockSetting::Offset(d) => Arc::new(OffsetClock(d)),
    }
}

/// Logs the clock loudly when it is not the system clock.
pub fn announce_clock(setting: ClockSetting) {
    match setting {
        ClockSetting::System => {}
        ClockSetting::StartAt(t) => tracing::warn!(
            start = %t,
            "SIMULATED CLOCK: the relay's time starts at {t} and advances from there"
        ),
        ClockSetting::Offset(d) => tracing::warn!(
            offset_seconds = d.num_seconds(),
            "SHIFTED CLOCK: the relay's time is the system time shifted by {}s",
            d.num_seconds()
        ),
    }
}

/// Builds the relay: every enabled source's connector, URL tokens, clock, overdue rules
/// and body limit.
pub fn build_relay(
    settings: &Settings,
    journal: Arc<dyn Journal>,
    clock: Arc<dyn Clock>,
) -> Result<Relay, AppError> {
    let connectors = settings.build_connectors(&registry())?;
    let mut builder = Relay::builder(journal)
        .clock(clock)
        .overdue(settings.overdue.clone())
        .max_body_bytes(settings.max_body_bytes)
        .correlator(invoice_core::Correlator::new(settings.correlation.clone()));
    for (source, connector) in connectors {
        if !source.url_tokens.is_empty() {
            builder = builder.url_tokens(source.platform, source.url_tokens.clone());
        }
        builder = builder.connector(connector);
    }
    Ok(builder.build())
}

/// The HTTP portal sink of `[portal]` and `[delivery] timeout`.
pub fn portal_sink(settings: &Settings) -> Result<Arc<dyn PortalSink>, AppError> {
    let portal = settings.require_portal()?;
    let options = portal_client::SinkOptions::default().request_timeout(settings.delivery.timeout);
    let sink = portal_client::HttpPortalSink::new(&portal.url, &portal.secrets, options)
        .map_err(|e| ConfigError::at(&settings.file, None, format!("[portal]: {e}")))?;
    Ok(Arc::new(sink))
}
