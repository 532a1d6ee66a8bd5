//! `invoice-relay`: the Invoice Relay service and its operator CLI. See
//! `examples/relay/README.md`, `docs/configuration.md` and `docs/operations.md`.
#![forbid(unsafe_code)]
#![cfg_attr(test, allow(clippy::unwrap_used))]

mod app;
mod cli;
mod commands;
mod config;
mod demo;
mod metrics;
mod server;
mod service;
mod workers;

use clap::Parser;

/// mimalloc instead of the system allocator: the request path and SQLite allocate and free
/// per webhook on several threads, where glibc's malloc spent about a sixth of the
/// request threads' time (`docs/performance.md`).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use crate::cli::{AuditCommand, Cli, Command, DlqCommand, LogFormat};

fn main() {
    let cli = Cli::parse();
    init_tracing(cli.log_format);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("invoice-relay: cannot start the runtime: {e}");
            std::process::exit(1);
        }
    };
    let result = runtime.block_on(run(cli));
    if let Err(e) = result {
        eprintln!("invoice-relay: {e}");
        std::process::exit(e.exit_code());
    }
}

async fn run(cli: Cli) -> Result<(), app::AppError> {
    let config = cli.config.as_path();
    match &cli.command {
        Command::Serve => commands::serve::run(config).await,
        Command::Demo(args) => demo::run(args).await,
        Command::CheckConfig => commands::check::run(config),
        Command::Audit(AuditCommand::Verify) => commands::audit::verify(config).await,
        Command::Audit(AuditCommand::Export(args)) => commands::audit::export(config, args).await,
        Command::Dlq(DlqCommand::List { limit, json }) => {
            commands::dlq::list(config, *limit, *json).await
        }
        Command::Dlq(DlqCommand::Replay(args)) => commands::dlq::replay(config, args).await,
        Command::Resend(args) => commands::resend::run(config, args).await,
        Command::ReplayFile(args) => commands::replay_file::run(config, args).await,
        Command::Migrate => commands::migrate::run(config).await,
    }
}

/// Logs to stderr; `INVOICE_RELAY_LOG` (or `RUST_LOG`) sets the filter, default `info`.
fn init_tracing(format: LogFormat) {
    let filter = std::env::var("INVOICE_RELAY_LOG")
        .or_else(|_| std::env::var("RUST_LOG"))
        .unwrap_or_else(|_| "info".to_owned());
    let filter = tracing_subscriber::EnvFilter::try_new(&filter)
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let _ = match format {
        LogFormat::Text => builder.try_init(),
        LogFormat::Json => builder.json().try_init(),
    };
}
