//! The command line (clap derive).

use std::path::PathBuf;

use chrono::{DateTime, NaiveDate, Utc};
use clap::{Args, Parser, Subcommand, ValueEnum};

/// Invoice Relay: verified invoice status updates from business platforms to a customer
/// portal.
#[derive(Debug, Parser)]
#[command(name = "invoice-relay", version, about, long_about = None)]
pub struct Cli {
    /// The configuration file (TOML; see docs/configuration.md).
    #[arg(
        short,
        long,
        global = true,
        env = "INVOICE_RELAY_CONFIG",
        default_value = "invoice-relay.toml"
    )]
    pub config: PathBuf,

    /// Log format on stderr.
    #[arg(long, global = true, value_enum, default_value_t = LogFormat::Text)]
    pub log_format: LogFormat,

    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Log output format.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum LogFormat {
    /// Human-readable lines.
    Text,
    /// One JSON object per line.
    Json,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the relay: webhook receiver, outbox worker, enrichment worker, overdue scheduler.
    Serve,
    /// Run a self-contained demo: the relay on a temporary SQLite store, the demo portal
    /// in-process, and a realistic anodizing-shop scenario fed through the real webhook
    /// endpoints with properly signed requests. Needs no configuration file.
    Demo(DemoArgs),
    /// Validate the configuration file (and every source's connector settings) without
    /// starting anything.
    CheckConfig,
    /// Inspect the tamper-evident audit log.
    #[command(subcommand)]
    Audit(AuditCommand),
    /// Inspect and replay dead-lettered portal updates.
    #[command(subcommand)]
    Dlq(DlqCommand),
    /// Push invoices' current state to the portal again (after the portal lost data).
    Resend(ResendArgs),
    /// Ingest saved raw HTTP request files through a connector (migrations, support).
    ReplayFile(ReplayFileArgs),
    /// Create or upgrade the store's schema and exit (`serve` also does this on start).
    Migrate,
}

/// `demo` options.
#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Where the relay listens.
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub listen: String,
    /// Where the demo portal listens.
    #[arg(long, default_value = "127.0.0.1:9000")]
    pub portal_listen: String,
    /// Exit once the scenario is delivered instead of running until Ctrl-C.
    #[arg(long)]
    pub exit_after_seed: bool,
    /// Keep the data in this folder instead of a temporary one.
    #[arg(long)]
    pub data_dir: Option<PathBuf>,
}

/// `audit` subcommands.
#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Verify the whole hash chain; names the first entry that does not fit.
    Verify,
    /// Export entries as JSON Lines or CSV.
    Export(ExportArgs),
}

/// Export formats.
#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum ExportFormat {
    /// One JSON object per line (re-verifiable: each carries its hashes).
    Jsonl,
    /// RFC 4180 CSV with a header line.
    Csv,
}

/// `audit export` options.
#[derive(Debug, Args)]
pub struct ExportArgs {
    /// Entries at or after (RFC 3339 or YYYY-MM-DD, UTC).
    #[arg(long, value_parser = parse_time)]
    pub from: Option<DateTime<Utc>>,
    /// Entries before (RFC 3339 or YYYY-MM-DD, UTC).
    #[arg(long, value_parser = parse_time)]
    pub to: Option<DateTime<Utc>>,
    /// Only this customer's portal account.
    #[arg(long)]
    pub customer: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ExportFormat::Jsonl)]
    pub format: ExportFormat,
    /// Write to this file instead of standard output.
    #[arg(short, long)]
    pub output: Option<PathBuf>,
}

/// `dlq` subcommands.
#[derive(Debug, Subcommand)]
pub enum DlqCommand {
    /// List dead-lettered updates, oldest first.
    List {
        /// At most this many.
        #[arg(long, default_value_t = 100)]
        limit: usize,
        /// Print JSON Lines instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Queue dead-lettered updates for delivery again (same ids: the portal dedups).
    Replay(ReplayArgs),
}

/// `dlq replay` options: ids, `--all`, or a time range.
#[derive(Debug, Args)]
pub struct ReplayArgs {
    /// Outbox ids (from `dlq list`).
    pub ids: Vec<i64>,
    /// Every dead letter.
    #[arg(long, conflicts_with_all = ["ids", "since", "until"])]
    pub all: bool,
    /// Dead letters created at or after (RFC 3339 or YYYY-MM-DD).
    #[arg(long, value_parser = parse_time)]
    pub since: Option<DateTime<Utc>>,
    /// Dead letters created before (RFC 3339 or YYYY-MM-DD).
    #[arg(long, value_parser = parse_time)]
    pub until: Option<DateTime<Utc>>,
}

/// `resend` options.
#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("which").required(true).args(["invoice", "customer"])))]
pub struct ResendArgs {
    /// A canonical invoice id (`<platform>:<tenant>:<id>`, as the portal shows it).
    #[arg(long)]
    pub invoice: Vec<String>,
    /// Every invoice of this portal account.
    #[arg(long)]
    pub customer: Option<String>,
    /// Only invoices with audit activity at or after this time (RFC 3339 or YYYY-MM-DD).
    #[arg(long, value_parser = parse_time)]
    pub since: Option<DateTime<Utc>>,
}

/// `replay-file` options.
#[derive(Debug, Args)]
pub struct ReplayFileArgs {
    /// The platform slug (`stripe`, `xero`, ...).
    pub platform: String,
    /// Raw HTTP request files (request line, headers, blank line, exact body).
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// The tenant of `/webhooks/{slug}/{tenant}`, if the platform was posting there.
    #[arg(long)]
    pub tenant: Option<String>,
    /// Verify as if received at this time (old signatures have timestamps).
    #[arg(long, value_parser = parse_time)]
    pub at: Option<DateTime<Utc>>,
}

/// Parses RFC 3339 or a UTC date.
pub fn parse_time(s: &str) -> Result<DateTime<Utc>, String> {
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Ok(t.with_timezone(&Utc));
    }
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|t| t.and_utc())
        .ok_or_else(|| format!("`{s}` is not RFC 3339 (2026-01-15T00:00:00Z) or YYYY-MM-DD"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_is_well_formed() {
        Cli::command().debug_assert();
    }

    #[test]
    fn times_parse() {
        assert_eq!(
            parse_time("2026-01-15").unwrap().to_rfc3339(),
            "2026-01-15T00:00:00+00:00"
        );
        assert!(parse_time("2026-01-15T10:00:00+01:00").is_ok());
        assert!(parse_time("yesterday").is_err());
    }
}
