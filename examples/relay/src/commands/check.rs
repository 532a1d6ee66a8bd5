//! `check-config`: validate everything that can be validated without starting.

use std::path::Path;

use crate::app::{self, AppError};
use crate::config::{ConfigError, Settings, StoreSettings};

/// Validates the file, every source's connector settings, the portal settings and the
/// store kind; prints a summary.
pub fn run(config: &Path) -> Result<(), AppError> {
    let settings = Settings::load(config)?;
    let connectors = settings.build_connectors(&app::registry())?;
    let portal = settings.require_portal()?;
    portal_client::HttpPortalSink::new(
        &portal.url,
        &portal.secrets,
        portal_client::SinkOptions::default(),
    )
    .map_err(|e| ConfigError::at(&settings.file, None, format!("[portal]: {e}")))?;
    let store = match &settings.store {
        StoreSettings::Sqlite(p) => format!("sqlite {}", p.display()),
        StoreSettings::Memory => "memory (nothing survives a restart)".to_owned(),
        StoreSettings::Postgres(url) => {
            let url = app::postgres_url(&settings, url)?;
            // Parsed only: check-config does not connect.
            let target = invoice_store_postgres::PostgresJournal::check_url(url)
                .map_err(|e| ConfigError::at(&settings.file, None, format!("[store] url: {e}")))?;
            format!("postgres {target}")
        }
    };
    let sources: Vec<String> = connectors
        .iter()
        .map(|(s, _)| {
            if s.url_tokens.is_empty() {
                s.platform.slug().to_owned()
            } else {
                format!("{} (+{} url tokens)", s.platform.slug(), s.url_tokens.len())
            }
        })
        .collect();
    println!("{}: OK", settings.file.display());
    for (var, key) in crate::config::env::OVERRIDES {
        if std::env::var_os(var).is_some_and(|v| !v.is_empty()) {
            println!("  override {var} -> {key}");
        }
    }
    println!("  listen   {}", settings.listen);
    println!("  store    {store}");
    println!(
        "  portal   {} ({} secrets)",
        portal.url,
        portal.secrets.len()
    );
    println!(
        "  delivery {} attempts, {:?}..{:?} backoff, {:?} timeout, {} concurrent",
        settings.delivery.policy.max_attempts,
        settings.delivery.policy.first_backoff,
        settings.delivery.policy.max_backoff,
        settings.delivery.timeout,
        settings.delivery.concurrency
    );
    println!("  overdue  levels {:?} days", settings.overdue.levels());
    println!("  clock    {:?}", settings.clock);
    println!(
        "  sources  {}",
        if sources.is_empty() {
            "(none)".to_owned()
        } else {
            sources.join(", ")
        }
    );
    Ok(())
}
