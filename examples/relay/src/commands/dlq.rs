//! `dlq list` and `dlq replay`.

use std::path::Path;

use invoice_core::journal::{OutboxStatus, ReplayFilter};

use crate::app::{self, AppError};
use crate::cli::ReplayArgs;
use crate::config::Settings;

/// Lists dead letters, oldest first.
pub async fn list(config: &Path, limit: usize, json: bool) -> Result<(), AppError> {
    let settings = Settings::load(config)?;
    let journal = app::open_journal(&settings)?;
    let items = journal.outbox(OutboxStatus::DeadLetter, limit).await?;
    if json {
        for i in &items {
            let line = serde_json::json!({
                "id": i.id,
                "update_id": i.update.id,
                "subject": i.update.subject,
                "type": i.update.event_type,
                "sequence": i.update.data.sequence,
                "customer": i.update.data.invoice.customer,
                "attempts": i.attempts,
                "created_at": i.created_at,
                "last_error": i.last_error,
            });
            println!("{line}");
        }
        return Ok(());
    }
    if items.is_empty() {
        println!("no dead letters");
        return Ok(());
    }
    println!(
        "{:>8}  {:<20}  {:>8}  {:>4}  {:<40}  {:<24}  last error",
        "id", "created", "attempts", "seq", "invoice", "type"
    );
    for i in &items {
        println!(
            "{:>8}  {:<20}  {:>8}  {:>4}  {:<40}  {:<24}  {}",
            i.id,
            i.created_at.format("%Y-%m-%d %H:%M:%S"),
            i.attempts,
            i.update.data.sequence,
            i.update.subject,
            i.update.event_type,
            i.last_error.as_deref().unwrap_or("")
        );
    }
    let counts = journal.outbox_counts().await?;
    println!(
        "{} shown; {} dead letters in all",
        items.len(),
        counts.dead_letter
    );
    Ok(())
}

/// Queues matching dead letters again.
pub async fn replay(config: &Path, args: &ReplayArgs) -> Result<(), AppError> {
    if args.ids.is_empty() && !args.all && args.since.is_none() && args.until.is_none() {
        return Err(AppError::Usage(
            "say which dead letters: ids, --all, or --since/--until".into(),
        ));
    }
    let settings = Settings::load(config)?;
    let journal = app::open_journal(&settings)?;
    let now = app::clock(settings.clock).now();
    let filter = ReplayFilter {
        ids: args.ids.clone(),
        since: args.since,
        until: args.until,
    };
    let before = journal.outbox_counts().await?.dead_letter;
    let bar = super::audit::progress(before, "replaying dead letters");
    let n = journal.replay(&filter, now).await?;
    bar.set_position(n);
    bar.finish_and_clear();
    println!(
        "{n} dead letters queued again (same update ids: the portal deduplicates); a running relay delivers them on its next pass"
    );
    if !args.ids.is_empty() && n < args.ids.len() as u64 {
        eprintln!(
            "{} of the given ids were not dead letters (already delivered, pending, or unknown)",
            args.ids.len() as u64 - n
        );
    }
    Ok(())
}
