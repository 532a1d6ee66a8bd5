//! Audit export as JSON Lines or CSV, with a time range and a per-customer filter.

use std::io::Write;

use invoice_core::audit::AuditEntry;
use invoice_core::journal::{AuditFilter, Journal, JournalError};

/// Why an export stopped.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ExportError {
    /// Reading the journal failed.
    #[error(transparent)]
    Journal(#[from] JournalError),
    /// Writing the output failed.
    #[error("cannot write export: {0}")]
    Io(#[from] std::io::Error),
}

/// Output format of an export.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    /// One JSON object per line: the entry with `seq`, `prev_hash`, `hash` and the record's
    /// fields (the same JSON `AuditEntry` serializes to, so a chain can be re-verified).
    JsonLines,
    /// RFC 4180 CSV with the header [`CSV_HEADER`].
    Csv,
}

/// The CSV header line (without line break).
pub const CSV_HEADER: &str =
    "seq,at,action,platform,tenant,invoice,customer,reference,detail,prev_hash,hash";

/// Writes one entry in `format` (with its line break).
pub fn write_entry(
    out: &mut dyn Write,
    format: ExportFormat,
    e: &AuditEntry,
) -> Result<(), ExportError> {
    match format {
        ExportFormat::JsonLines => {
            serde_json::to_writer(&mut *out, e).map_err(std::io::Error::from)?;
            out.write_all(b"\n")?;
        }
        ExportFormat::Csv => {
            let r = &e.record;
            let fields = [
                e.seq.to_string(),
                r.at.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true),
                r.action.as_str().to_owned(),
                r.platform.map(|p| p.slug().to_owned()).unwrap_or_default(),
                r.tenant.clone().unwrap_or_default(),
                r.invoice.clone().unwrap_or_default(),
                r.customer.clone().unwrap_or_default(),
                r.reference.clone().unwrap_or_default(),
                r.detail.clone(),
                e.prev_hash.to_string(),
                e.hash.to_string(),
            ];
            let line: Vec<String> = fields.iter().map(|f| csv_field(f)).collect();
            out.write_all(line.join(",").as_bytes())?;
            out.write_all(b"\r\n")?;
        }
    }
    Ok(())
}

/// Writes the format's header, if it has one.
pub fn write_header(out: &mut dyn Write, format: ExportFormat) -> Result<(), ExportError> {
    if format == ExportFormat::Csv {
        out.write_all(CSV_HEADER.as_bytes())?;
        out.write_all(b"\r\n")?;
    }
    Ok(())
}

/// Quotes a CSV field when it holds a comma, quote or line break (RFC 4180). A field that
/// starts with `=`, `+`, `-` or `@` is prefixed with `'` so spreadsheets do not run it.
fn csv_field(s: &str) -> String {
    let s = if s.starts_with(['=', '+', '-', '@']) {
        format!("'{s}")
    } else {
        s.to_owned()
    };
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s
    }
}

/// Exports the audit entries of any [`Journal`] matching `filter` (its `limit` and
/// `after_seq` included), paging through [`Journal::audit`] 1,000 entries at a time.
/// Returns how many entries were written.
pub async fn export_audit(
    journal: &dyn Journal,
    out: &mut (dyn Write + Send),
    format: ExportFormat,
    filter: &AuditFilter,
) -> Result<u64, ExportError> {
    const PAGE: usize = 1000;
    write_header(out, format)?;
    let mut written = 0u64;
    let mut page_filter = filter.clone();
    loop {
        let want = if filter.limit == 0 {
            PAGE
        } else {
            PAGE.min(filter.limit.saturating_sub(written as usize))
        };
        if want == 0 {
            break;
        }
        page_filter.limit = want;
        let page = journal.audit(&page_filter).await?;
        for e in &page {
            write_entry(out, format, e)?;
        }
        written += page.len() as u64;
        match page.last() {
            Some(last) if page.len() == want => page_filter.after_seq = Some(last.seq),
            _ => break,
        }
    }
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::csv_field;

    #[test]
    fn csv_fields_are_quoted_and_defused() {
        assert_eq!(csv_field("plain"), "plain");
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_field("=SUM(A1)"), "'=SUM(A1)");
        assert_eq!(csv_field("line\nbreak"), "\"line\nbreak\"");
    }
}
