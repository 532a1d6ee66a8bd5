//! Due dates as the script sends them: an ISO date (`2026-01-10`, what the script writes
//! for date-typed cells), an ISO date-time (its date part), or a spreadsheet serial number
//! (days since 1899-12-30, as Sheets stores dates; a fraction is the time of day).

use chrono::NaiveDate;

/// The largest serial Sheets shows as a date (9999-12-31).
const MAX_SERIAL: i64 = 2_958_465;

/// Reads a due date cell; an empty cell is `None`.
///
/// ```
/// use invoice_connector_google_sheets::date::parse;
/// use chrono::NaiveDate;
/// let d = NaiveDate::from_ymd_opt(2026, 1, 10);
/// assert_eq!(parse("2026-01-10").unwrap(), d);
/// assert_eq!(parse("46032").unwrap(), d);
/// assert_eq!(parse("46032.75").unwrap(), d);
/// assert_eq!(parse("").unwrap(), None);
/// ```
pub fn parse(text: &str) -> Result<Option<NaiveDate>, String> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    if let Some(d) = iso(text) {
        return Ok(Some(d));
    }
    serial(text).map(Some)
}

fn iso(text: &str) -> Option<NaiveDate> {
    let head = text.get(..10)?;
    let rest = &text[10..];
    if !(rest.is_empty() || rest.starts_with('T') || rest.starts_with(' ')) {
        return None;
    }
    NaiveDate::parse_from_str(head, "%Y-%m-%d").ok()
}

fn serial(text: &str) -> Result<NaiveDate, String> {
    let whole = match text.split_once('.') {
        Some((w, frac)) if frac.chars().all(|c| c.is_ascii_digit()) => w,
        Some(_) => return Err(format!("`{text}` is not a date")),
        None => text,
    };
    if whole.is_empty() || whole.len() > 7 || !whole.chars().all(|c| c.is_ascii_digit()) {
        return Err(format!("`{text}` is not an ISO date or a serial number"));
    }
    let days: i64 = whole
        .parse()
        .map_err(|_| format!("`{text}` is not a serial number"))?;
    if !(1..=MAX_SERIAL).contains(&days) {
        return Err(format!("serial {days} is outside the dates Sheets shows"));
    }
    NaiveDate::from_ymd_opt(1899, 12, 30)
        .and_then(|epoch| epoch.checked_add_days(chrono::Days::new(days.unsigned_abs())))
        .ok_or_else(|| format!("serial {days} is out of range"))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // tests may unwrap (see the workspace lints)
mod tests {
    use super::*;

    #[test]
    fn forms() {
        let d = |y, m, day| Some(NaiveDate::from_ymd_opt(y, m, day).unwrap());
        assert_eq!(parse("2026-01-10T00:00:00.000Z"), Ok(d(2026, 1, 10)));
        assert_eq!(parse(" 2026-02-28 "), Ok(d(2026, 2, 28)));
        assert_eq!(parse("1"), Ok(d(1899, 12, 31)));
        assert_eq!(parse("60"), Ok(d(1900, 2, 28)));
        assert_eq!(parse("2958465"), Ok(d(9999, 12, 31)));
        for bad in [
            "2026-13-01",
            "0",
            "2958466",
            "1/10/2026",
            "-5",
            "12.x",
            "2026-01-10x",
        ] {
            assert!(parse(bad).is_err(), "{bad} accepted");
        }
    }
}
