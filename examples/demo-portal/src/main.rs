//! `demo-portal`: run the reference customer portal on its own.
//!
//! ```text
//! DEMO_PORTAL_SECRET=whsec_... demo-portal --listen 127.0.0.1:9000 --db demo-portal.db
//! ```

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use demo_portal::DemoPortalConfig;
use invoice_core::Secret;

/// A reference customer portal receiving Invoice Relay updates.
#[derive(Debug, Parser)]
#[command(version)]
struct Args {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:9000")]
    listen: SocketAddr,
    /// SQLite database file (":memory:" for none).
    #[arg(long, default_value = "demo-portal.db")]
    db: PathBuf,
    /// Accepted `whsec_` secrets, comma-separated (several during a rotation).
    #[arg(
        long,
        env = "DEMO_PORTAL_SECRET",
        hide_env_values = true,
        value_delimiter = ',',
        required = true
    )]
    secret: Vec<String>,
    /// Accepted `whpk_` Ed25519 public keys, comma-separated.
    #[arg(long, value_delimiter = ',')]
    public_key: Vec<String>,
    /// Signature timestamp tolerance, seconds.
    #[arg(long, default_value_t = 300)]
    tolerance_secs: u64,
    /// Portal name shown in the page header.
    #[arg(long, default_value = "Customer invoice portal")]
    title: String,
}

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .init();
    let args = Args::parse();
    let mut config = DemoPortalConfig::new(
        args.db.clone(),
        args.secret
            .iter()
            .map(|s| Secret::new(s.as_str()))
            .collect(),
    );
    config.public_keys = args.public_key.clone();
    config.tolerance_secs = args.tolerance_secs;
    config.title = args.title.clone();
    let listener = match tokio::net::TcpListener::bind(args.listen).await {
        Ok(l) => l,
        Err(e) => {
            eprintln!("demo-portal: cannot listen on {}: {e}", args.listen);
            return ExitCode::FAILURE;
        }
    };
    eprintln!(
        "demo-portal: pages at http://{0}/ , updates to POST http://{0}/invoice-events",
        args.listen
    );
    let shutdown = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    match demo_portal::serve_with_shutdown(listener, config, shutdown).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("demo-portal: {e}");
            ExitCode::FAILURE
        }
    }
}
