//! `migrate`: create or upgrade the store's schema, then exit.

use std::path::Path;

use crate::app::{self, AppError};
use crate::config::{Settings, StoreSettings};

/// Brings the configured store's schema to this build's version and prints what it did.
/// A store written by a newer build is refused and left untouched.
pub async fn run(config: &Path) -> Result<(), AppError> {
    let settings = Settings::load(config)?;
    match &settings.store {
        StoreSettings::Postgres(url) => {
            let url = app::postgres_url(&settings, url)?;
            let target = invoice_store_postgres::PostgresJournal::check_url(url)?;
            let report = invoice_store_postgres::PostgresJournal::migrate(url).await?;
            if report.from == report.to {
                println!(
                    "postgres {target}: schema version {} (up to date)",
                    report.to
                );
            } else {
                println!(
                    "postgres {target}: schema version {} -> {}",
                    report.from, report.to
                );
            }
        }
        StoreSettings::Sqlite(path) => {
            // Opening the file applies any missing migrations.
            app::open_sqlite(path)?;
            println!(
                "sqlite {}: schema version {} (up to date)",
                path.display(),
                invoice_store_sqlite::SCHEMA_VERSION
            );
        }
        StoreSettings::Memory => {
            println!("memory store: no schema to migrate");
        }
    }
    Ok(())
}
