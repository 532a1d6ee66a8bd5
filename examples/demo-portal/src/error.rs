//! Errors of the demo portal.

/// Why the portal could not start or a store operation failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DemoPortalError {
    /// A secret or public key could not be read (the value is not shown).
    #[error("invalid key: {0}")]
    Key(#[from] portal_client::KeyError),
    /// SQLite failed.
    #[error("database: {0}")]
    Db(#[from] rusqlite::Error),
    /// Stored data did not parse (a corrupted or foreign database).
    #[error("stored data: {0}")]
    Data(String),
    /// The listener or server failed.
    #[error("i/o: {0}")]
    Io(#[from] std::io::Error),
    /// A blocking database task was cancelled or panicked.
    #[error("database task failed")]
    Task,
}
