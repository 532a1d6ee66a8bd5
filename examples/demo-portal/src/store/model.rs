//! What the store returns: outcomes and read models, and how invoices are summed and
//! ordered for a payer.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use invoice_core::{PortalInvoice, PortalUpdate};
use rust_decimal::Decimal;

/// What applying one update did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ApplyOutcome {
    /// The invoice now reflects this update.
    Applied,
    /// Older than (or as old as) what the invoice already shows: kept in the timeline only.
    Stale {
        /// The invoice's current sequence.
        current: u64,
    },
    /// This id was received before; nothing changed.
    Duplicate,
}

impl ApplyOutcome {
    /// A word for logs and JSON replies.
    pub fn as_str(&self) -> &'static str {
        match self {
            ApplyOutcome::Applied => "applied",
            ApplyOutcome::Stale { .. } => "stale",
            ApplyOutcome::Duplicate => "duplicate",
        }
    }
}

/// One invoice as the portal shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvoiceView {
    /// The invoice as of its latest applied update.
    pub invoice: PortalInvoice,
    /// Sequence of that update.
    pub sequence: u64,
    /// Platform that sent it (slug).
    pub platform: String,
    /// When the portal applied it.
    pub updated_at: DateTime<Utc>,
}

/// One customer on the home page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomerSummary {
    /// Portal account id.
    pub id: String,
    /// Display name, when a platform sent one.
    pub name: Option<String>,
    /// Number of invoices.
    pub invoices: usize,
    /// Invoices past due and owed.
    pub overdue_invoices: usize,
    /// Totals owed and overdue per currency.
    pub totals: Totals,
    /// Latest change.
    pub last_update: Option<DateTime<Utc>>,
}

/// Sums per currency code (`"—"` when the invoice had none).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Totals {
    /// Balance of open, partially paid, overdue and disputed invoices.
    pub outstanding: BTreeMap<String, Decimal>,
    /// Balance of invoices past due.
    pub overdue: BTreeMap<String, Decimal>,
}

impl Totals {
    /// Adds one invoice.
    pub fn add(&mut self, inv: &PortalInvoice) {
        if !is_outstanding(inv) {
            return;
        }
        let cur = inv.currency.clone().unwrap_or_else(|| "—".to_owned());
        *self.outstanding.entry(cur.clone()).or_default() += inv.balance;
        if inv.overdue {
            *self.overdue.entry(cur).or_default() += inv.balance;
        }
    }
}

/// Owed now: positive balance on an open or partially paid invoice (disputed and overdue
/// ones included; drafts, void, refunded and written-off ones not).
pub fn is_outstanding(inv: &PortalInvoice) -> bool {
    inv.balance > Decimal::ZERO && matches!(inv.lifecycle.as_str(), "open" | "partially_paid")
}

/// One entry of an invoice's timeline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimelineEntry {
    /// The update.
    pub update: PortalUpdate,
    /// When the portal received it.
    pub delivered_at: DateTime<Utc>,
    /// False when it arrived after a newer one and was not applied.
    pub applied: bool,
}

/// Overdue (oldest due first), other owed (soonest due first), drafts, then settled
/// (latest due first); ties by number.
pub fn payer_order(a: &PortalInvoice, b: &PortalInvoice) -> std::cmp::Ordering {
    fn group(i: &PortalInvoice) -> u8 {
        if is_outstanding(i) && i.overdue {
            0
        } else if is_outstanding(i) {
            1
        } else if i.lifecycle == "draft" {
            2
        } else {
            3
        }
    }
    let (ga, gb) = (group(a), group(b));
    let by_due = if ga == 3 {
        b.due_date.cmp(&a.due_date)
    } else {
        // Invoices without a due date go last within their group.
        let key = |i: &PortalInvoice| (i.due_date.is_none(), i.due_date);
        key(a).cmp(&key(b))
    };
    ga.cmp(&gb)
        .then(by_due)
        .then_with(|| a.number.cmp(&b.number))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;
    use std::str::FromStr;

    fn inv(
        n: &str,
        lifecycle: &str,
        overdue: bool,
        balance: &str,
        due: Option<(i32, u32, u32)>,
    ) -> PortalInvoice {
        PortalInvoice {
            id: n.into(),
            number: Some(n.into()),
            customer: "c".into(),
            customer_name: None,
            currency: Some("EUR".into()),
            total: Decimal::from(100),
            paid: Decimal::ZERO,
            balance: Decimal::from_str(balance).unwrap(),
            due_date: due.and_then(|(y, m, d)| NaiveDate::from_ymd_opt(y, m, d)),
            status: lifecycle.into(),
            lifecycle: lifecycle.into(),
            overdue,
            days_past_due: 0,
            dispute: "none".into(),
        }
    }

    #[test]
    fn payers_see_overdue_then_owed_then_drafts_then_settled() {
        let mut list = [
            inv("paid-old", "paid", false, "0", Some((2025, 1, 1))),
            inv("open-late", "open", false, "100", Some((2026, 3, 1))),
            inv("overdue-new", "open", true, "100", Some((2026, 1, 1))),
            inv("draft", "draft", false, "100", None),
            inv("open-nodue", "open", false, "100", None),
            inv("paid-new", "paid", false, "0", Some((2026, 1, 1))),
            inv(
                "overdue-old",
                "partially_paid",
                true,
                "40",
                Some((2025, 12, 1)),
            ),
            inv("open-soon", "open", false, "100", Some((2026, 2, 1))),
        ];
        list.sort_by(payer_order);
        let order: Vec<&str> = list.iter().map(|i| i.id.as_str()).collect();
        assert_eq!(
            order,
            [
                "overdue-old",
                "overdue-new",
                "open-soon",
                "open-late",
                "open-nodue",
                "draft",
                "paid-new",
                "paid-old"
            ]
        );
    }

    #[test]
    fn totals_count_only_what_is_owed_per_currency() {
        let mut t = Totals::default();
        t.add(&inv("a", "open", false, "100", None));
        t.add(&inv("b", "partially_paid", true, "40.5", None));
        t.add(&inv("c", "void", false, "100", None));
        t.add(&inv("d", "draft", false, "100", None));
        let mut usd = inv("e", "open", true, "7", None);
        usd.currency = Some("USD".into());
        t.add(&usd);
        assert_eq!(t.outstanding["EUR"], Decimal::from_str("140.5").unwrap());
        assert_eq!(t.overdue["EUR"], Decimal::from_str("40.5").unwrap());
        assert_eq!(t.outstanding["USD"], Decimal::from(7));
        assert_eq!(t.overdue.len(), 2);
    }
}
