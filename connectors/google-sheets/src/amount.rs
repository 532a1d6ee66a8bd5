//! Amounts as a spreadsheet displays them: `"$4,250.00"`, `"1.234,50 €"`, `"CHF 1'250.00"`,
//! `"(120.00)"`, `"-€5"`, with the locale's decimal separator, read into
//! [`Decimal`] (never `f64`).
//!
//! Rules, in order:
//! - an ISO code (`EUR`) or an unambiguous symbol (`€`, `£`, `₹`, `₩`, `₪`, `₫`) is kept
//!   as a currency hint; `$` and `¥` are ambiguous and give none;
//! - a leading `-`, `−` or surrounding `( )` is a minus;
//! - when both `.` and `,` appear, the last one is the decimal separator, whatever the
//!   locale; when one of them appears twice or more, it groups thousands; a single
//!   occurrence is read with the locale's separator;
//! - spaces, no-break spaces and apostrophes group thousands;
//! - anything else (letters other than a code, two numbers) is an error.

use std::str::FromStr;

use invoice_core::Currency;
use rust_decimal::Decimal;

/// An amount cell read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Amount {
    /// The value.
    pub value: Decimal,
    /// A currency the cell names by code or unambiguous symbol.
    pub currency: Option<Currency>,
}

/// The decimal separator of a locale (`en_US`, `de-DE`, `fr`): `,` for languages that
/// write decimals with a comma (except Swiss and Mexican conventions), else `.`.
pub fn decimal_separator(locale: &str) -> char {
    let mut parts = locale.split(['_', '-']);
    let lang = parts.next().unwrap_or("").to_ascii_lowercase();
    let region = parts.next().unwrap_or("").to_ascii_uppercase();
    if matches!(region.as_str(), "CH" | "LI" | "MX") {
        return '.';
    }
    const COMMA: &[&str] = &[
        "de", "fr", "es", "it", "pt", "nl", "ru", "pl", "sv", "da", "nb", "nn", "no", "fi", "cs",
        "sk", "tr", "id", "vi", "uk", "el", "hu", "ro", "bg", "hr", "sl", "sr", "lt", "lv", "et",
        "ca", "eu", "gl", "is", "be", "kk", "az", "ka", "af",
    ];
    if COMMA.contains(&lang.as_str()) {
        ','
    } else {
        '.'
    }
}

fn symbol_currency(c: char) -> Option<Currency> {
    let code = match c {
        '€' => "EUR",
        '£' => "GBP",
        '₹' => "INR",
        '₩' => "KRW",
        '₪' => "ILS",
        '₫' => "VND",
        _ => return None,
    };
    Currency::new(code).ok()
}

/// Reads a displayed amount with `decimal` (`.` or `,`) as the locale's separator.
///
/// ```
/// use invoice_connector_google_sheets::amount::parse;
/// assert_eq!(parse("$4,250.00", '.').unwrap().value.to_string(), "4250.00");
/// let eur = parse("1.234,50 €", ',').unwrap();
/// assert_eq!(eur.value.to_string(), "1234.50");
/// assert_eq!(eur.currency.map(|c| c.as_str().to_owned()), Some("EUR".into()));
/// ```
pub fn parse(text: &str, decimal: char) -> Result<Amount, String> {
    let text = text.trim();
    if text.is_empty() {
        return Err("empty amount".into());
    }
    if text.len() > 64 {
        return Err("amount text too long".into());
    }
    let mut negative = false;
    let mut currency = None;
    let mut number = String::new();
    let mut letters = String::new();
    let mut seen_digit = false;
    let inner = match text.strip_prefix('(').and_then(|t| t.strip_suffix(')')) {
        Some(inner) => {
            negative = true;
            inner
        }
        None => text,
    };
    for c in inner.chars() {
        match c {
            '0'..='9' => {
                if !letters.is_empty() {
                    flush_code(&mut letters, &mut currency)?;
                }
                seen_digit = true;
                number.push(c);
            }
            '.' | ',' => number.push(c),
            ' ' | '\u{a0}' | '\u{202f}' | '\'' | '’' => {
                if !letters.is_empty() {
                    flush_code(&mut letters, &mut currency)?;
                }
                if seen_digit {
                    number.push(' ');
                }
            }
            '-' | '−' if !seen_digit && !negative => negative = true,
            '+' if !seen_digit => {}
            c if c.is_ascii_alphabetic() => letters.push(c),
            '$' | '¥' => {}
            c => match symbol_currency(c) {
                Some(cur) => currency = Some(cur),
                None => return Err(format!("unexpected `{c}` in amount")),
            },
        }
    }
    if !letters.is_empty() {
        flush_code(&mut letters, &mut currency)?;
    }
    let number = number.trim_end().to_owned();
    if !seen_digit {
        return Err("no digits in amount".into());
    }
    let value = digits(&number, decimal)?;
    Ok(Amount {
        value: if negative && !value.is_zero() {
            -value
        } else {
            value
        },
        currency,
    })
}

fn flush_code(letters: &mut String, currency: &mut Option<Currency>) -> Result<(), String> {
    let code = std::mem::take(letters);
    match Currency::new(&code) {
        Ok(c) if code.chars().all(|c| c.is_ascii_uppercase()) => {
            *currency = Some(c);
            Ok(())
        }
        _ => Err(format!("unexpected `{code}` in amount")),
    }
}

/// `number` holds digits, `.`, `,` and single spaces (groups).
fn digits(number: &str, locale_decimal: char) -> Result<Decimal, String> {
    let dots = number.matches('.').count();
    let commas = number.matches(',').count();
    let decimal = if dots > 0 && commas > 0 {
        match (number.rfind('.'), number.rfind(',')) {
            (Some(d), Some(c)) if d > c => '.',
            _ => ',',
        }
    } else if dots > 1 {
        ','
    } else if commas > 1 {
        '.'
    } else {
        locale_decimal
    };
    if number.matches(decimal).count() > 1 {
        return Err("two decimal separators in amount".into());
    }
    let mut plain = String::with_capacity(number.len());
    for c in number.chars() {
        match c {
            '0'..='9' => plain.push(c),
            c if c == decimal => plain.push('.'),
            _ => {}
        }
    }
    if plain.starts_with('.') {
        plain.insert(0, '0');
    }
    if plain.ends_with('.') {
        plain.pop();
    }
    Decimal::from_str(&plain).map_err(|e| format!("amount `{number}`: {e}"))
}

/// Rounds to `currency`'s minor units and fixes the scale (`4250` USD -> `4250.00`).
pub fn in_currency(value: Decimal, currency: Currency) -> Decimal {
    let exp = currency.exponent();
    let mut v =
        value.round_dp_with_strategy(exp, rust_decimal::RoundingStrategy::MidpointAwayFromZero);
    v.rescale(exp);
    v
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // tests may unwrap (see the workspace lints)
mod tests {
    use super::*;

    fn v(text: &str, d: char) -> String {
        match parse(text, d) {
            Ok(a) => a.value.to_string(),
            Err(e) => format!("error: {e}"),
        }
    }

    #[test]
    fn displayed_amounts() {
        assert_eq!(v("$4,250.00", '.'), "4250.00");
        assert_eq!(v("1.234,50 €", ','), "1234.50");
        assert_eq!(v("1 234,50\u{a0}€", ','), "1234.50");
        assert_eq!(v("1\u{202f}234,50 €", ','), "1234.50");
        assert_eq!(v("CHF 1'250.40", '.'), "1250.40");
        assert_eq!(v("(120.00)", '.'), "-120.00");
        assert_eq!(v("-€5", '.'), "-5");
        assert_eq!(v("1,234,567", '.'), "1234567");
        assert_eq!(v("1.234.567", '.'), "1234567");
        assert_eq!(v("12,5", ','), "12.5");
        assert_eq!(v("12,5", '.'), "125");
        assert_eq!(v("1,234.5", ','), "1234.5");
        assert_eq!(v("4250", '.'), "4250");
        assert_eq!(v(".5", '.'), "0.5");
        assert_eq!(v("EUR 99", '.'), "99");
    }

    #[test]
    fn currency_hints() {
        let hint = |t: &str| {
            parse(t, '.')
                .ok()
                .and_then(|a| a.currency)
                .map(|c| c.to_string())
        };
        assert_eq!(hint("€5"), Some("EUR".into()));
        assert_eq!(hint("£5"), Some("GBP".into()));
        assert_eq!(hint("USD 5"), Some("USD".into()));
        assert_eq!(hint("5 JPY"), Some("JPY".into()));
        assert_eq!(hint("$5"), None);
    }

    #[test]
    fn refusals() {
        for bad in [
            "",
            "abc",
            "1.2.3,4,5",
            "12 apples",
            "5 usd",
            "#REF!",
            "1e5",
            "€",
        ] {
            assert!(parse(bad, '.').is_err(), "{bad} accepted");
        }
    }

    #[test]
    fn locales() {
        assert_eq!(decimal_separator("en_US"), '.');
        assert_eq!(decimal_separator("de_DE"), ',');
        assert_eq!(decimal_separator("de_CH"), '.');
        assert_eq!(decimal_separator("fr"), ',');
        assert_eq!(decimal_separator("ja_JP"), '.');
        assert_eq!(decimal_separator(""), '.');
    }

    #[test]
    fn scale_follows_the_currency() {
        let d = Decimal::from_str("4250").unwrap();
        assert_eq!(in_currency(d, Currency::USD).to_string(), "4250.00");
        assert_eq!(
            in_currency(Decimal::from_str("1.005").unwrap(), Currency::USD).to_string(),
            "1.01"
        );
        assert_eq!(
            in_currency(Decimal::from_str("1500.4").unwrap(), Currency::JPY).to_string(),
            "1500"
        );
    }
}
