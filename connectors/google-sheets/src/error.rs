//! The connector's own errors, mapped into [`SourceError`] at the boundary.

use invoice_core::SourceError;

/// What went wrong reading a Google Sheets post.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SheetsError {
    /// No `X-Sheets-Signature` header.
    #[error("missing X-Sheets-Signature header")]
    MissingHeader,
    /// The header has no `t=` or no `v1=`, or a value is not what it should be.
    #[error("malformed X-Sheets-Signature header")]
    MalformedHeader,
    /// No `v1` matched any secret.
    #[error("no v1 signature matches")]
    NoMatch,
    /// Outside the tolerance window.
    #[error("signature timestamp outside tolerance")]
    Stale,
    /// The spreadsheet is not in `spreadsheets`.
    #[error("spreadsheet `{0}` is not configured")]
    UnknownSpreadsheet(String),
    /// The body is not a post of the shipped script.
    #[error("{0}")]
    Body(String),
}

impl From<SheetsError> for SourceError {
    fn from(e: SheetsError) -> Self {
        match e {
            SheetsError::MissingHeader => SourceError::BadSignature("missing X-Sheets-Signature"),
            SheetsError::MalformedHeader => {
                SourceError::BadSignature("malformed X-Sheets-Signature header")
            }
            SheetsError::NoMatch => SourceError::BadSignature("no v1 signature matches"),
            SheetsError::Stale => {
                SourceError::StaleTimestamp("X-Sheets-Signature t= is outside the tolerance")
            }
            SheetsError::UnknownSpreadsheet(id) => SourceError::UnknownTenant(id),
            SheetsError::Body(m) => SourceError::Malformed(m),
        }
    }
}

/// Why one row became a skipped entry instead of an event (the post still succeeds).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RowError {
    /// The invoice number cell is empty.
    #[error("row has no invoice number (column `{0}`)")]
    NoNumber(String),
    /// The status word is not mapped.
    #[error("status `{0}` is not mapped")]
    UnknownStatus(String),
    /// An amount cell could not be read.
    #[error("column `{column}`: {reason}")]
    Amount {
        /// The column.
        column: String,
        /// Why.
        reason: String,
    },
    /// The due date cell could not be read.
    #[error("column `{column}`: {reason}")]
    Date {
        /// The column.
        column: String,
        /// Why.
        reason: String,
    },
    /// No currency column, code, unambiguous symbol or `default_currency`.
    #[error("no currency: set the `{0}` column or `default_currency`")]
    NoCurrency(String),
    /// Every cell is empty.
    #[error("blank row")]
    Blank,
    /// `values` is not an object of text, number or boolean cells.
    #[error("{0}")]
    Values(String),
}
