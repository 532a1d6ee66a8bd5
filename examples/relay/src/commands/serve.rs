//! `serve`: run until Ctrl-C or SIGTERM.

use std::path::Path;

use crate::app::{self, AppError};
use crate::config::Settings;
use crate::service;

/// Runs the relay from the configuration file.
pub async fn run(config: &Path) -> Result<(), AppError> {
    let settings = Settings::load(config)?;
    let sink = app::portal_sink(&settings)?;
    let journal = app::open_journal(&settings)?;
    let listener = service::bind(settings.listen).await?;
    let running = service::start(&settings, listener, journal, Some(sink)).await?;
    // Tests and scripts read the bound port from this line (listen = "127.0.0.1:0").
    println!("invoice-relay listening on http://{}", running.addr);
    service::shutdown_signal().await;
    running.shutdown().await;
    Ok(())
}
