//! Throwaway databases for tests and benches: created with a unique name on a server,
//! dropped again when the value is dropped.

use std::sync::atomic::{AtomicU64, Ordering};

use invoice_core::journal::JournalError;

/// The variable naming the server tests use.
pub const TEST_SERVER_ENV: &str = "INVOICE_RELAY_TEST_PG";
/// The server tests use when [`TEST_SERVER_ENV`] is not set.
pub const DEFAULT_TEST_SERVER: &str = "postgres://postgres@127.0.0.1:5432/postgres";
/// Every scratch database's name starts with this.
pub const PREFIX: &str = "invoice_relay_test_";

static NEXT: AtomicU64 = AtomicU64::new(0);

/// The test server's URL: `$INVOICE_RELAY_TEST_PG`, or [`DEFAULT_TEST_SERVER`].
pub fn test_server_url() -> String {
    std::env::var(TEST_SERVER_ENV)
        .ok()
        .filter(|v| !v.trim().is_empty())
        .unwrap_or_else(|| DEFAULT_TEST_SERVER.to_owned())
}

/// A database named `invoice_relay_test_<pid>_<n>`, dropped (`WITH (FORCE)`, closing
/// any connections still open) when this value is dropped.
pub struct ScratchDatabase {
    admin_url: String,
    name: String,
    url: String,
}

impl std::fmt::Debug for ScratchDatabase {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ScratchDatabase")
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

impl ScratchDatabase {
    /// Creates one on the [test server](test_server_url). Fails (never skips) when the
    /// server cannot be reached, with a message saying which server and how to point the
    /// tests at another.
    pub async fn create() -> Result<ScratchDatabase, JournalError> {
        Self::create_on(&test_server_url()).await
    }

    /// Creates one on the server of `admin_url` (a `postgres://` URL of a database the
    /// user may connect to and create databases from). Databases left behind by earlier
    /// runs whose process is gone are dropped first.
    pub async fn create_on(admin_url: &str) -> Result<ScratchDatabase, JournalError> {
        let mut url = url::Url::parse(admin_url).map_err(|e| {
            JournalError::Unavailable(format!("{TEST_SERVER_ENV} is not a postgres:// URL: {e}"))
        })?;
        let name = format!(
            "{PREFIX}{}_{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        );
        let client = admin(admin_url).await?;
        drop_stale(&client).await;
        client
            .batch_execute(&format!("CREATE DATABASE \"{name}\""))
            .await
            .map_err(|e| {
                JournalError::Unavailable(format!(
                    "cannot create database {name}: {}",
                    crate::convert::pg_message(&e)
                ))
            })?;
        url.set_path(&format!("/{name}"));
        Ok(ScratchDatabase {
            admin_url: admin_url.to_owned(),
            name,
            url: url.to_string(),
        })
    }

    /// The database's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// A URL of the database (the admin URL with the database name replaced).
    pub fn url(&self) -> &str {
        &self.url
    }
}

impl Drop for ScratchDatabase {
    fn drop(&mut self) {
        let (admin_url, name) = (self.admin_url.clone(), self.name.clone());
        // Drop may run inside a runtime (a test's), where blocking on another runtime is
        // not allowed: do it on a thread of its own.
        let done = std::thread::spawn(move || {
            let rt = match tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            {
                Ok(rt) => rt,
                Err(_) => return,
            };
            rt.block_on(async {
                if let Ok(c) = admin(&admin_url).await {
                    let sql = format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)");
                    if let Err(e) = c.batch_execute(&sql).await {
                        tracing::warn!(database = %name, "cannot drop scratch database: {e}");
                    }
                }
            });
        });
        let _ = done.join();
    }
}

async fn admin(admin_url: &str) -> Result<tokio_postgres::Client, JournalError> {
    let (client, conn) = tokio_postgres::connect(admin_url, tokio_postgres::NoTls)
        .await
        .map_err(|e| {
            JournalError::Unavailable(format!(
                "PostgreSQL test server unreachable ({}; set {TEST_SERVER_ENV} to a \
                 postgres:// URL of a server that accepts this user): {}",
                redacted(admin_url),
                crate::convert::pg_message(&e)
            ))
        })?;
    tokio::spawn(async move {
        let _ = conn.await;
    });
    Ok(client)
}

/// The URL without its password.
pub(crate) fn redacted(u: &str) -> String {
    match url::Url::parse(u) {
        Ok(mut p) => {
            if p.password().is_some() {
                let _ = p.set_password(Some("***"));
            }
            p.to_string()
        }
        Err(_) => "(unparsable URL)".to_owned(),
    }
}

/// Drops scratch databases of processes that are gone (a killed test run), where the
/// process table can be read.
async fn drop_stale(client: &tokio_postgres::Client) {
    if !std::path::Path::new("/proc/self").exists() {
        return;
    }
    let Ok(rows) = client
        .query(
            "SELECT datname FROM pg_database WHERE starts_with(datname, $1)",
            &[&PREFIX],
        )
        .await
    else {
        return;
    };
    for row in rows {
        let Ok(name) = row.try_get::<_, String>(0) else {
            continue;
        };
        let pid = name
            .strip_prefix(PREFIX)
            .and_then(|rest| rest.split('_').next())
            .and_then(|p| p.parse::<u32>().ok());
        if let Some(pid) = pid {
            if !std::path::Path::new(&format!("/proc/{pid}")).exists() {
                let _ = client
                    .batch_execute(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
                    .await;
            }
        }
    }
}
