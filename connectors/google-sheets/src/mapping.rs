//! Status words -> canonical events. Every row is a snapshot of its invoice.
//!
//! Words are matched case-insensitively, with `_`, `-` and repeated spaces read as one
//! space (`PARTIALLY_PAID` = `Partially paid`). Extra words map to these through the
//! `statuses` config table.
//!
//! | status word | canonical event | snapshot lifecycle |
//! | --- | --- | --- |
//! | `Draft` | `updated` | `draft` |
//! | `Sent`, `Issued`, `Open` | `issued` | `open` (`partially_paid` if 0 < Paid < Amount) |
//! | `Partially Paid` | `payment_received` | `partially_paid` |
//! | `Paid` | `paid` | `paid` (Paid defaults to Amount) |
//! | `Overdue` | `overdue`, days past due from Due Date | `open` / `partially_paid` |
//! | `Disputed` | `disputed` | from the amounts |
//! | `Void`, `Voided`, `Cancelled`, `Canceled` | `voided` | `void` |
//! | `Refunded` | `refunded` | `refunded` |
//! | anything else | skipped, with the word | |
//!
//! The invoice's identity is its number (rows may move); the event id is the SHA-256 of
//! spreadsheet id, sheet, row number and the row's exact cell JSON, so a re-sent identical
//! row is a duplicate; the source version is the post's `sentAt` (ms).

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use invoice_core::{
    Currency, Customer, EventDetail, EventKind, InvoiceEvent, InvoiceKey, InvoiceSnapshot,
    Lifecycle, Platform, Skipped, TenantId,
};
use rust_decimal::Decimal;
use sha2::{Digest, Sha256};

use crate::amount::{self, in_currency};
use crate::config::{Columns, Settings};
use crate::error::RowError;
use crate::payload::{cells, Cell, Post, Row};

/// A built-in status word.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SheetStatus {
    /// `Draft`.
    Draft,
    /// `Sent`, `Issued`, `Open`.
    Open,
    /// `Partially Paid`.
    PartiallyPaid,
    /// `Paid`.
    Paid,
    /// `Overdue`.
    Overdue,
    /// `Void`, `Cancelled`.
    Void,
    /// `Disputed`.
    Disputed,
    /// `Refunded`.
    Refunded,
}

impl SheetStatus {
    /// The built-in word (normalised or not), if it is one.
    pub fn builtin(word: &str) -> Option<SheetStatus> {
        Some(match normalise(word).as_str() {
            "draft" => SheetStatus::Draft,
            "sent" | "issued" | "open" => SheetStatus::Open,
            "partially paid" | "partial" | "part paid" => SheetStatus::PartiallyPaid,
            "paid" => SheetStatus::Paid,
            "overdue" => SheetStatus::Overdue,
            "void" | "voided" | "cancelled" | "canceled" => SheetStatus::Void,
            "disputed" => SheetStatus::Disputed,
            "refunded" => SheetStatus::Refunded,
            _ => return None,
        })
    }
}

/// Lowercase, `_`/`-` as spaces, runs of whitespace as one space, trimmed.
pub fn normalise(word: &str) -> String {
    word.to_lowercase()
        .replace(['_', '-'], " ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// How rows are read: columns, separators, currency, extra words.
#[derive(Debug, Clone)]
pub struct RowReader<'c> {
    pub(crate) columns: &'c Columns,
    pub(crate) settings: &'c Settings,
    pub(crate) decimal: char,
}

/// What one post maps to.
#[derive(Debug, Default)]
pub struct Mapped {
    /// One event per readable row.
    pub events: Vec<InvoiceEvent>,
    /// Rows that were not applied, with reasons.
    pub skipped: Vec<Skipped>,
}

/// The dedup id of a row: hex SHA-256 over spreadsheet, sheet, row number and cells.
pub fn row_event_id(post: &Post<'_>, row: &Row<'_>) -> String {
    let mut h = Sha256::new();
    for part in [
        post.spreadsheet_id.as_bytes(),
        b"\n",
        post.sheet.as_bytes(),
        b"\n",
        row.row.to_string().as_bytes(),
        b"\n",
        row.values.get().as_bytes(),
    ] {
        h.update(part);
    }
    hex::encode(h.finalize())
}

/// Maps every row of a verified post.
pub fn map_post(post: &Post<'_>, tenant: &TenantId, reader: &RowReader<'_>) -> Mapped {
    let occurred_at = DateTime::<Utc>::from_timestamp_millis(post.sent_at).unwrap_or_default();
    let version = u64::try_from(post.sent_at).unwrap_or(0);
    let mut out = Mapped::default();
    // Exact capacity: a first push would reserve four 432-byte events, past the
    // allocator's small-size cache.
    out.events.reserve_exact(post.rows.len());
    for row in &post.rows {
        let id = row_event_id(post, row);
        match reader.row(row, occurred_at) {
            Ok((number, kind, snapshot, detail)) => {
                let mut e = InvoiceEvent::new(
                    InvoiceKey {
                        platform: Platform::GoogleSheets,
                        tenant: tenant.clone(),
                        id: number,
                    },
                    kind,
                    occurred_at,
                    id,
                )
                .with_snapshot(snapshot)
                .with_detail(detail);
                e.source_version = Some(version);
                out.events.push(e);
            }
            Err((status, reason)) => out.skipped.push(Skipped {
                event_id: id,
                event_type: format!("row:{status}"),
                reason: reason.to_string(),
            }),
        }
    }
    out
}

type RowOk = (String, EventKind, InvoiceSnapshot, EventDetail);

impl RowReader<'_> {
    fn status(&self, word: &str) -> Option<SheetStatus> {
        SheetStatus::builtin(word).or_else(|| self.settings.statuses.get(&normalise(word)).copied())
    }

    fn row(&self, row: &Row<'_>, at: DateTime<Utc>) -> Result<RowOk, (String, RowError)> {
        let cells = cells(row.values).map_err(|e| (String::new(), RowError::Values(e)))?;
        let get = |col: &str| cells.get(col).map(Cell::text).unwrap_or_default();
        let status_word = get(&self.columns.status).trim().to_owned();
        let fail = |e: RowError| (status_word.clone(), e);
        if cells.values().all(Cell::is_blank) {
            return Err(fail(RowError::Blank));
        }
        let number = get(&self.columns.number).trim().to_owned();
        if number.is_empty() {
            return Err(fail(RowError::NoNumber(self.columns.number.clone())));
        }
        let status = self
            .status(&status_word)
            .ok_or_else(|| fail(RowError::UnknownStatus(status_word.clone())))?;
        let total = self
            .amount(&cells, &self.columns.amount)
            .map_err(&fail)?
            .ok_or_else(|| {
                fail(RowError::Amount {
                    column: self.columns.amount.clone(),
                    reason: "empty".into(),
                })
            })?;
        let paid_cell = cells.get(self.columns.paid.as_str());
        let paid = self.paid(paid_cell, total.value).map_err(&fail)?;
        let currency = self
            .currency(&cells, [total.currency, paid.1])
            .map_err(&fail)?;
        let due_date = crate::date::parse(&get(&self.columns.due_date)).map_err(|reason| {
            fail(RowError::Date {
                column: self.columns.due_date.clone(),
                reason,
            })
        })?;
        let total = in_currency(total.value, currency);
        let mut paid = in_currency(paid.0.unwrap_or_default(), currency);
        if status == SheetStatus::Paid && paid_cell.is_none_or(Cell::is_blank) {
            paid = total;
        }
        let (kind, lifecycle, detail) = classify(status, total, paid, due_date, at, row.row);
        let refunded = if lifecycle == Lifecycle::Refunded {
            if paid > Decimal::ZERO {
                paid
            } else {
                total
            }
        } else {
            Decimal::ZERO
        };
        let customer = get(&self.columns.customer).trim().to_owned();
        let snapshot = InvoiceSnapshot {
            number: Some(number.clone()),
            customer: Customer {
                platform_id: customer.clone(),
                name: (!customer.is_empty()).then_some(customer),
                portal_account: None,
            },
            currency,
            total,
            paid,
            credited: Decimal::ZERO,
            refunded: in_currency(refunded, currency),
            due_date,
            lifecycle,
        };
        Ok((number, kind, snapshot, detail))
    }

    fn amount(
        &self,
        cells: &BTreeMap<std::borrow::Cow<'_, str>, Cell<'_>>,
        column: &str,
    ) -> Result<Option<amount::Amount>, RowError> {
        match cells.get(column) {
            None => Ok(None),
            Some(c) if c.is_blank() => Ok(None),
            Some(c) => self.read_amount(c, column).map(Some),
        }
    }

    fn read_amount(&self, cell: &Cell<'_>, column: &str) -> Result<amount::Amount, RowError> {
        // A JSON number is exact text with a `.` decimal point whatever the locale.
        let decimal = if matches!(cell, Cell::Number(_)) {
            '.'
        } else {
            self.decimal
        };
        amount::parse(&cell.text(), decimal).map_err(|reason| RowError::Amount {
            column: column.to_owned(),
            reason,
        })
    }

    /// The Paid cell: an amount, a checkbox (`TRUE` = the whole total), or nothing.
    fn paid(
        &self,
        cell: Option<&Cell<'_>>,
        total: Decimal,
    ) -> Result<(Option<Decimal>, Option<Currency>), RowError> {
        let Some(cell) = cell.filter(|c| !c.is_blank()) else {
            return Ok((None, None));
        };
        match normalise(&cell.text()).as_str() {
            "true" | "yes" | "✓" | "✔" | "x" => return Ok((Some(total), None)),
            "false" | "no" => return Ok((Some(Decimal::ZERO), None)),
            _ => {}
        }
        let a = self.read_amount(cell, &self.columns.paid)?;
        Ok((Some(a.value), a.currency))
    }

    fn currency(
        &self,
        cells: &BTreeMap<std::borrow::Cow<'_, str>, Cell<'_>>,
        hints: [Option<Currency>; 2],
    ) -> Result<Currency, RowError> {
        if let Some(cell) = cells.get(self.columns.currency.as_str()) {
            if !cell.is_blank() {
                return Currency::new(cell.text().trim()).map_err(|_| RowError::Amount {
                    column: self.columns.currency.clone(),
                    reason: format!("`{}` is not an ISO currency code", cell.text().trim()),
                });
            }
        }
        hints
            .into_iter()
            .flatten()
            .next()
            .or(self.settings.default_currency)
            .ok_or_else(|| RowError::NoCurrency(self.columns.currency.clone()))
    }
}

fn from_amounts(total: Decimal, paid: Decimal) -> Lifecycle {
    if total > Decimal::ZERO && paid >= total {
        Lifecycle::Paid
    } else if paid > Decimal::ZERO {
        Lifecycle::PartiallyPaid
    } else {
        Lifecycle::Open
    }
}

fn classify(
    status: SheetStatus,
    total: Decimal,
    paid: Decimal,
    due: Option<NaiveDate>,
    at: DateTime<Utc>,
    row: u32,
) -> (EventKind, Lifecycle, EventDetail) {
    let owed = || match from_amounts(total, paid) {
        Lifecycle::Paid => Lifecycle::Open,
        l => l,
    };
    match status {
        SheetStatus::Draft => (EventKind::Updated, Lifecycle::Draft, EventDetail::None),
        SheetStatus::Open => (EventKind::Issued, owed(), EventDetail::None),
        SheetStatus::PartiallyPaid => (
            EventKind::PaymentReceived,
            Lifecycle::PartiallyPaid,
            EventDetail::None,
        ),
        SheetStatus::Paid => (EventKind::Paid, Lifecycle::Paid, EventDetail::None),
        SheetStatus::Overdue => {
            let days = due
                .map(|d| (at.date_naive() - d).num_days().max(1))
                .unwrap_or(1);
            let days = u32::try_from(days).unwrap_or(u32::MAX);
            (
                EventKind::Overdue,
                owed(),
                EventDetail::Overdue {
                    days_past_due: days,
                    level: days,
                },
            )
        }
        SheetStatus::Void => (EventKind::Voided, Lifecycle::Void, EventDetail::None),
        SheetStatus::Disputed => (
            EventKind::Disputed,
            from_amounts(total, paid),
            EventDetail::Dispute {
                dispute_id: format!("row-{row}"),
                amount: None,
                reason: None,
            },
        ),
        SheetStatus::Refunded => (EventKind::Refunded, Lifecycle::Refunded, EventDetail::None),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // tests may unwrap (see the workspace lints)
mod tests {
    use super::*;

    #[test]
    fn words_are_case_and_separator_insensitive() {
        assert_eq!(
            SheetStatus::builtin("PARTIALLY_PAID"),
            Some(SheetStatus::PartiallyPaid)
        );
        assert_eq!(
            SheetStatus::builtin("  partially   paid "),
            Some(SheetStatus::PartiallyPaid)
        );
        assert_eq!(SheetStatus::builtin("Cancelled"), Some(SheetStatus::Void));
        assert_eq!(SheetStatus::builtin("sent"), Some(SheetStatus::Open));
        assert_eq!(SheetStatus::builtin("Bezahlt"), None);
    }

    #[test]
    fn open_with_a_payment_is_partially_paid_and_overdue_counts_days() {
        let at = DateTime::<Utc>::from_timestamp(1_768_471_198, 0).unwrap_or_default();
        let due = NaiveDate::from_ymd_opt(2026, 1, 5);
        let (k, l, d) = classify(SheetStatus::Overdue, Decimal::TEN, Decimal::ONE, due, at, 3);
        assert_eq!((k, l), (EventKind::Overdue, Lifecycle::PartiallyPaid));
        assert_eq!(
            d,
            EventDetail::Overdue {
                days_past_due: 10,
                level: 10
            }
        );
        let (_, l, _) = classify(SheetStatus::Open, Decimal::TEN, Decimal::TEN, None, at, 3);
        assert_eq!(l, Lifecycle::Open);
    }
}
