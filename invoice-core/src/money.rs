//! Money on `rust_decimal`, with ISO 4217 currency exponents.

use std::fmt;
use std::str::FromStr;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// Errors building a [`Currency`] or [`Money`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum MoneyError {
    /// The code is not three ASCII letters.
    #[error("currency code must be three ASCII letters")]
    BadCurrencyCode,
    /// The minor-unit amount does not fit a decimal.
    #[error("amount out of range")]
    OutOfRange,
    /// Two amounts in different currencies were combined.
    #[error("currency mismatch: {0} vs {1}")]
    CurrencyMismatch(Currency, Currency),
}

/// An ISO 4217 alphabetic currency code, stored upper-case.
///
/// ```
/// use invoice_core::Currency;
/// let jpy: Currency = "jpy".parse().unwrap();
/// assert_eq!(jpy.as_str(), "JPY");
/// assert_eq!(jpy.exponent(), 0);
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Currency([u8; 3]);

impl Currency {
    /// US dollar.
    pub const USD: Currency = Currency(*b"USD");
    /// Euro.
    pub const EUR: Currency = Currency(*b"EUR");
    /// Pound sterling.
    pub const GBP: Currency = Currency(*b"GBP");
    /// Japanese yen (no minor unit).
    pub const JPY: Currency = Currency(*b"JPY");

    /// Builds a currency from its three-letter code (any case).
    pub fn new(code: &str) -> Result<Self, MoneyError> {
        let bytes = code.as_bytes();
        if bytes.len() != 3 || !bytes.iter().all(u8::is_ascii_alphabetic) {
            return Err(MoneyError::BadCurrencyCode);
        }
        Ok(Currency([
            bytes[0].to_ascii_uppercase(),
            bytes[1].to_ascii_uppercase(),
            bytes[2].to_ascii_uppercase(),
        ]))
    }

    /// The upper-case code.
    pub fn as_str(&self) -> &str {
        // Constructed only from ASCII letters.
        std::str::from_utf8(&self.0).unwrap_or("XXX")
    }

    /// Number of minor-unit digits (ISO 4217): 0 for JPY, 2 for USD, 3 for BHD/KWD, 4 for CLF.
    pub fn exponent(&self) -> u32 {
        match &self.0 {
            b"BIF" | b"CLP" | b"DJF" | b"GNF" | b"ISK" | b"JPY" | b"KMF" | b"KRW" | b"PYG"
            | b"RWF" | b"UGX" | b"UYI" | b"VND" | b"VUV" | b"XAF" | b"XOF" | b"XPF" => 0,
            b"BHD" | b"IQD" | b"JOD" | b"KWD" | b"LYD" | b"OMR" | b"TND" => 3,
            b"CLF" | b"UYW" => 4,
            _ => 2,
        }
    }
}

impl FromStr for Currency {
    type Err = MoneyError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Currency::new(s)
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Currency({})", self.as_str())
    }
}

impl Serialize for Currency {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Currency {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        Currency::new(&s).map_err(serde::de::Error::custom)
    }
}

/// An exact amount in a currency. Never a float.
///
/// ```
/// use invoice_core::{Currency, Money};
/// let yen = Money::from_minor(1500, Currency::JPY).unwrap();
/// assert_eq!(yen.amount().to_string(), "1500");
/// let kwd = Money::from_minor(12345, "KWD".parse().unwrap()).unwrap();
/// assert_eq!(kwd.amount().to_string(), "12.345");
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Money {
    amount: Decimal,
    currency: Currency,
}

impl Money {
    /// An amount in major units (e.g. `12.50` USD).
    pub fn new(amount: Decimal, currency: Currency) -> Self {
        Money { amount, currency }
    }

    /// Zero in `currency`.
    pub fn zero(currency: Currency) -> Self {
        Money::new(Decimal::ZERO, currency)
    }

    /// Converts an integer of minor units (Stripe's `amount_due`) exactly, with the
    /// currency's ISO 4217 exponent.
    pub fn from_minor(minor: i64, currency: Currency) -> Result<Self, MoneyError> {
        let amount = Decimal::try_from_i128_with_scale(i128::from(minor), currency.exponent())
            .map_err(|_| MoneyError::OutOfRange)?;
        Ok(Money { amount, currency })
    }

    /// The amount in major units.
    pub fn amount(&self) -> Decimal {
        self.amount
    }

    /// The currency.
    pub fn currency(&self) -> Currency {
        self.currency
    }

    /// Sum of two amounts of the same currency.
    pub fn checked_add(&self, other: Money) -> Result<Money, MoneyError> {
        self.same_currency(other)?;
        let amount = self
            .amount
            .checked_add(other.amount)
            .ok_or(MoneyError::OutOfRange)?;
        Ok(Money::new(amount, self.currency))
    }

    fn same_currency(&self, other: Money) -> Result<(), MoneyError> {
        if self.currency == other.currency {
            Ok(())
        } else {
            Err(MoneyError::CurrencyMismatch(self.currency, other.currency))
        }
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.amount, self.currency)
    }
}

impl fmt::Debug for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Money({} {})", self.amount, self.currency)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minor_units_follow_iso_exponents() {
        let cases = [
            ("JPY", 1500, "1500"),
            ("USD", 1999, "19.99"),
            ("BHD", 1005, "1.005"),
            ("KWD", 12345, "12.345"),
            ("CLF", 123456, "12.3456"),
            ("usd", -5, "-0.05"),
        ];
        for (code, minor, expect) in cases {
            let m = Money::from_minor(minor, code.parse().unwrap()).unwrap();
            assert_eq!(m.amount().to_string(), expect, "{code}");
        }
    }

    #[test]
    fn extreme_minor_units_do_not_panic() {
        assert!(Money::from_minor(i64::MAX, Currency::USD).is_ok());
        assert!(Money::from_minor(i64::MIN, Currency::new("CLF").unwrap()).is_ok());
    }

    #[test]
    fn bad_codes_are_rejected() {
        for bad in ["", "US", "USDX", "U$D", "ÉUR"] {
            assert_eq!(
                Currency::new(bad),
                Err(MoneyError::BadCurrencyCode),
                "{bad}"
            );
        }
    }

    #[test]
    fn adding_different_currencies_fails() {
        let a = Money::zero(Currency::USD);
        let b = Money::zero(Currency::EUR);
        assert!(matches!(
            a.checked_add(b),
            Err(MoneyError::CurrencyMismatch(_, _))
        ));
    }
}
