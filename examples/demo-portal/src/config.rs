//! What the demo portal needs to run.

use std::path::PathBuf;
use std::sync::Arc;

use invoice_core::{Clock, Secret, SystemClock};

/// Configuration of a demo portal. `Debug` never prints secrets.
#[derive(Debug, Clone)]
pub struct DemoPortalConfig {
    /// SQLite file (created if absent); `":memory:"` keeps everything in memory.
    pub db_path: PathBuf,
    /// `whsec_` secrets accepted on `POST /invoice-events` (several during a rotation).
    pub secrets: Vec<Secret>,
    /// `whpk_` Ed25519 public keys also accepted (`v1a` signatures).
    pub public_keys: Vec<String>,
    /// Timestamp tolerance of the signature check, in seconds (default 300).
    pub tolerance_secs: u64,
    /// Largest accepted request body in bytes (default 1 MiB).
    pub max_body_bytes: usize,
    /// The clock signatures are checked against and pages compute "days overdue" with.
    pub clock: Arc<dyn Clock>,
    /// The portal's title in every page header.
    pub title: String,
}

impl DemoPortalConfig {
    /// A configuration with defaults for everything but the database and the secrets.
    pub fn new(db_path: impl Into<PathBuf>, secrets: Vec<Secret>) -> Self {
        DemoPortalConfig {
            db_path: db_path.into(),
            secrets,
            public_keys: Vec::new(),
            tolerance_secs: portal_client::verify::DEFAULT_TOLERANCE_SECS,
            max_body_bytes: 1024 * 1024,
            clock: Arc::new(SystemClock),
            title: "Customer invoice portal".to_owned(),
        }
    }
}
