//! `audit verify` and `audit export`.

use std::io::Write;
use std::path::Path;

use indicatif::{ProgressBar, ProgressStyle};
use invoice_core::journal::AuditFilter;
use invoice_store_sqlite::export::{write_entry, write_header};
use invoice_store_sqlite::ExportFormat;

use crate::app::{self, AppError};
use crate::cli::{self, ExportArgs};
use crate::config::Settings;

/// Entries read per page.
const PAGE: usize = 1000;

/// Verifies the chain; an error names the first entry that does not fit.
pub async fn verify(config: &Path) -> Result<(), AppError> {
    let settings = Settings::load(config)?;
    let journal = app::open_journal(&settings)?;
    let report = journal.verify_chain().await?;
    println!(
        "audit chain OK: {} entries (seq {}..{}), head {}",
        report.entries, report.first_seq, report.last_seq, report.head
    );
    Ok(())
}

/// Exports entries to a file or standard output, with a progress bar on stderr.
pub async fn export(config: &Path, args: &ExportArgs) -> Result<(), AppError> {
    let settings = Settings::load(config)?;
    let journal = app::open_journal(&settings)?;
    let format = match args.format {
        cli::ExportFormat::Jsonl => ExportFormat::JsonLines,
        cli::ExportFormat::Csv => ExportFormat::Csv,
    };
    let mut out: Box<dyn Write + Send> = match &args.output {
        Some(p) => Box::new(std::io::BufWriter::new(
            std::fs::File::create(p)
                .map_err(|e| AppError::io(format!("cannot create {}", p.display()), e))?,
        )),
        None => Box::new(std::io::BufWriter::new(std::io::stdout())),
    };
    // The chain's last sequence bounds the work: a determinate bar.
    let total = journal
        .verify_chain()
        .await
        .map(|r| r.last_seq)
        .unwrap_or(0);
    let bar = progress(total, "exporting audit entries");
    let mut filter = AuditFilter {
        from: args.from,
        to: args.to,
        customer: args.customer.clone(),
        after_seq: None,
        limit: PAGE,
    };
    let io = |e: invoice_store_sqlite::ExportError| AppError::Usage(e.to_string());
    write_header(&mut out, format).map_err(io)?;
    let mut written = 0u64;
    loop {
        let page = journal.audit(&filter).await?;
        for e in &page {
            write_entry(&mut out, format, e).map_err(io)?;
        }
        written += page.len() as u64;
        match page.last() {
            Some(last) => {
                bar.set_position(last.seq);
                filter.after_seq = Some(last.seq);
            }
            None => break,
        }
        if page.len() < PAGE {
            break;
        }
    }
    out.flush()
        .map_err(|e| AppError::io("cannot write the export", e))?;
    bar.finish_and_clear();
    eprintln!("exported {written} audit entries");
    Ok(())
}

/// A progress bar on stderr (hidden when stderr is not a terminal).
pub fn progress(total: u64, message: &'static str) -> ProgressBar {
    let bar = ProgressBar::new(total);
    if let Ok(style) = ProgressStyle::with_template("{msg} [{bar:40}] {pos}/{len} ({elapsed})") {
        bar.set_style(style.progress_chars("=> "));
    }
    bar.set_message(message);
    bar
}
