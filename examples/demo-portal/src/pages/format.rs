//! Formatting for people: money, dates, status badges, event and platform names.

use chrono::{DateTime, NaiveDate, Utc};
use invoice_core::{Currency, EventKind, PortalInvoice};
use maud::{html, Markup};
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use rust_decimal::{Decimal, RoundingStrategy};

/// Everything but RFC 3986 unreserved characters is escaped in a path segment.
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// `/customers/<id>` with the id escaped.
pub(crate) fn customer_href(id: &str) -> String {
    format!("/customers/{}", utf8_percent_encode(id, SEGMENT))
}

/// `/invoices/<id>` with the id escaped.
pub(crate) fn invoice_href(id: &str) -> String {
    format!("/invoices/{}", utf8_percent_encode(id, SEGMENT))
}

/// `EUR 1,234.50`: the currency's minor digits, thousands separators. Unknown or missing
/// currencies keep two decimals.
pub(crate) fn money(amount: Decimal, currency: Option<&str>) -> String {
    let digits = currency
        .and_then(|c| Currency::new(c).ok())
        .map(|c| c.exponent())
        .unwrap_or(2);
    let rounded = amount.round_dp_with_strategy(digits, RoundingStrategy::MidpointAwayFromZero);
    let text = format!("{:.*}", digits as usize, rounded.abs());
    let (int, frac) = match text.split_once('.') {
        Some((i, f)) => (i.to_owned(), Some(f.to_owned())),
        None => (text.clone(), None),
    };
    let mut grouped = String::new();
    for (i, ch) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(ch);
    }
    let sign = if rounded.is_sign_negative() && !rounded.is_zero() {
        "−"
    } else {
        ""
    };
    let number = match frac {
        Some(f) => format!("{sign}{grouped}.{f}"),
        None => format!("{sign}{grouped}"),
    };
    match currency {
        Some(c) => format!("{c} {number}"),
        None => number,
    }
}

/// `15 Jan 2026`.
pub(crate) fn date(d: NaiveDate) -> String {
    d.format("%-d %b %Y").to_string()
}

/// `15 Jan 2026, 10:04 UTC`.
pub(crate) fn time(t: DateTime<Utc>) -> String {
    t.format("%-d %b %Y, %H:%M UTC").to_string()
}

/// The status words the portal knows, in filter order, with their labels.
pub(crate) const STATUSES: &[(&str, &str)] = &[
    ("overdue", "Overdue"),
    ("open", "Open"),
    ("partially_paid", "Partially paid"),
    ("disputed", "Disputed"),
    ("paid", "Paid"),
    ("partially_refunded", "Partially refunded"),
    ("refunded", "Refunded"),
    ("void", "Void"),
    ("uncollectible", "Written off"),
    ("draft", "Draft"),
];

/// The label of a status word.
pub(crate) fn status_label(status: &str) -> &str {
    STATUSES
        .iter()
        .find(|(w, _)| *w == status)
        .map(|(_, l)| *l)
        .unwrap_or(status)
}

/// The badge of an invoice: its status word, with the days for overdue ones.
pub(crate) fn badge(inv: &PortalInvoice) -> Markup {
    badge_for(&inv.status, inv.days_past_due)
}

/// A badge for a status word (and days past due, shown for `overdue`).
pub(crate) fn badge_for(status: &str, days_past_due: u32) -> Markup {
    let known = STATUSES.iter().any(|(w, _)| *w == status);
    let class = if known {
        format!("badge b-{status}")
    } else {
        "badge b-other".to_owned()
    };
    let label = status_label(status);
    html! {
        span class=(class) {
            (label)
            @if status == "overdue" && days_past_due > 0 {
                " · " (days_past_due) @if days_past_due == 1 { " day" } @else { " days" }
            }
        }
    }
}

/// What happened, for the timeline.
pub(crate) fn event_label(kind: EventKind) -> &'static str {
    match kind {
        EventKind::Issued => "Invoice issued",
        EventKind::Updated => "Invoice updated",
        EventKind::PaymentReceived => "Payment received",
        EventKind::PaymentFailed => "Payment failed",
        EventKind::Paid => "Paid in full",
        EventKind::Overdue => "Now overdue",
        EventKind::Disputed => "Dispute opened",
        EventKind::DisputeResolved => "Dispute resolved",
        EventKind::Adjusted => "Amount adjusted",
        EventKind::Voided => "Invoice voided",
        EventKind::Refunded => "Refunded",
        EventKind::WrittenOff => "Written off",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    #[test]
    fn money_uses_currency_digits_and_groups_thousands() {
        let d = |s: &str| Decimal::from_str(s).unwrap();
        assert_eq!(money(d("1234.5"), Some("EUR")), "EUR 1,234.50");
        assert_eq!(money(d("1234567"), Some("JPY")), "JPY 1,234,567");
        assert_eq!(money(d("12.3456"), Some("KWD")), "KWD 12.346");
        assert_eq!(money(d("0"), Some("USD")), "USD 0.00");
        assert_eq!(money(d("-950"), Some("USD")), "USD −950.00");
        assert_eq!(money(d("999.999"), None), "1,000.00");
        assert_eq!(money(d("100"), Some("XYZ1")), "XYZ1 100.00");
    }

    #[test]
    fn hrefs_escape_ids() {
        assert_eq!(
            invoice_href("stripe:acct_1:in_1"),
            "/invoices/stripe%3Aacct_1%3Ain_1"
        );
        assert_eq!(customer_href("a/b c"), "/customers/a%2Fb%20c");
    }

    #[test]
    fn overdue_badge_shows_days() {
        let s = badge_for("overdue", 12).into_string();
        assert!(s.contains("Overdue · 12 days"), "{s}");
        assert!(badge_for("overdue", 1).into_string().contains("1 day<"));
        assert!(badge_for("paid", 0).into_string().contains("b-paid"));
        assert!(badge_for("<script>", 0)
            .into_string()
            .contains("&lt;script&gt;"));
    }
}
