//! Odoo sends money as JSON floats (`1250.0`, `0.30000000000000004`, `1e-05`). The token's
//! text is read into a [`Decimal`] (never through `f64`) and rounded to the currency's
//! minor units, half away from zero, as Odoo's `float_round` does.

use std::str::FromStr;

use invoice_core::Currency;
use rust_decimal::{Decimal, RoundingStrategy};

/// Parses a JSON number token (`false` is not a number here).
///
/// ```
/// use invoice_connector_odoo::number::amount;
/// use invoice_core::Currency;
/// assert_eq!(amount("1250.0", Currency::EUR).unwrap().to_string(), "1250.00");
/// assert_eq!(amount("0.30000000000000004", Currency::EUR).unwrap().to_string(), "0.30");
/// assert_eq!(amount("1e-05", Currency::EUR).unwrap().to_string(), "0.00");
/// assert_eq!(amount("12.3456", "KWD".parse().unwrap()).unwrap().to_string(), "12.346");
/// ```
pub fn amount(token: &str, currency: Currency) -> Result<Decimal, String> {
    let token = token.trim();
    if token.len() > 40 {
        return Err("number token too long".into());
    }
    let value = if token.contains(['e', 'E']) {
        Decimal::from_scientific(token)
    } else {
        Decimal::from_str(token)
    }
    .map_err(|e| format!("amount `{token}`: {e}"))?;
    let exp = currency.exponent();
    let mut v = value.round_dp_with_strategy(exp, RoundingStrategy::MidpointAwayFromZero);
    v.rescale(exp);
    Ok(v)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // tests may unwrap (see the workspace lints)
mod tests {
    use super::*;

    #[test]
    fn tokens() {
        let eur = Currency::EUR;
        assert_eq!(amount("0", eur).unwrap().to_string(), "0.00");
        assert_eq!(amount("-450.5", eur).unwrap().to_string(), "-450.50");
        assert_eq!(amount("1.5E3", eur).unwrap().to_string(), "1500.00");
        assert_eq!(amount("1500", Currency::JPY).unwrap().to_string(), "1500");
        // 28 digits: no room for cents; rescaling must not panic.
        assert!(amount("9999999999999999999999999999", eur).is_ok());
        assert!(amount("-7922816251426433759354395033.5", eur).is_ok());
        for bad in [
            "",
            "abc",
            "1e99999",
            "NaN",
            "1.2.3",
            "99999999999999999999999999999999",
        ] {
            assert!(amount(bad, eur).is_err(), "{bad}");
        }
    }
}
