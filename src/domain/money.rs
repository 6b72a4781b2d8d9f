//! Money as an integer count of minor units, never a float.
//!
//! A [`Currency`] is a known ISO 4217 code, matched case-insensitively (Stripe
//! sends `xof`), with the exponent payment providers use: 0 for the
//! zero-decimal currencies (XOF, JPY, ...), 3 for BHD, JOD, KWD, OMR and TND,
//! 2 for every other code. A [`Money`] pairs a count of minor units with its
//! currency; it is parsed exactly from a decimal string in major units
//! ("89.90", "45000") and printed back the same way, so JSON and CSV amounts
//! round-trip without loss.

use std::fmt;
use std::str::FromStr;

/// What can be wrong with a currency code or an amount.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    #[error("unknown currency code {0:?} (expected an ISO 4217 code such as EUR or XOF)")]
    UnknownCurrency(String),
    #[error(
        "amount {0:?} is not a decimal number (expected digits with an optional '.', e.g. \"89.90\")"
    )]
    NotDecimal(String),
    #[error("amount {amount:?} has {found} decimals but {currency} allows {allowed}")]
    TooManyDecimals {
        amount: String,
        currency: Currency,
        found: usize,
        allowed: u32,
    },
    #[error("amount {0:?} is negative")]
    Negative(String),
    #[error("amount {0:?} is too large")]
    Overflow(String),
}

/// Zero-decimal currencies, as payment providers count them.
const ZERO_DECIMAL: [&str; 16] = [
    "BIF", "CLP", "DJF", "GNF", "JPY", "KMF", "KRW", "MGA", "PYG", "RWF", "UGX", "VND", "VUV",
    "XAF", "XOF", "XPF",
];
/// Three-decimal currencies.
const THREE_DECIMAL: [&str; 5] = ["BHD", "JOD", "KWD", "OMR", "TND"];

/// A known ISO 4217 currency code, stored upper-case.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Currency([u8; 3]);

impl Currency {
    /// Parses a code case-insensitively; unknown codes are refused.
    pub fn parse(code: &str) -> Result<Currency, MoneyError> {
        let upper = code.trim().to_ascii_uppercase();
        if iso_currency::Currency::from_code(&upper).is_none() {
            return Err(MoneyError::UnknownCurrency(code.to_owned()));
        }
        let bytes: [u8; 3] = upper
            .as_bytes()
            .try_into()
            .map_err(|_| MoneyError::UnknownCurrency(code.to_owned()))?;
        Ok(Currency(bytes))
    }

    /// The upper-case code, e.g. `"EUR"`.
    pub fn code(&self) -> &str {
        // The bytes come from a validated upper-case ASCII code.
        std::str::from_utf8(&self.0).unwrap_or("???")
    }

    /// Number of decimals in the minor unit.
    pub fn exponent(&self) -> u32 {
        let code = self.code();
        if ZERO_DECIMAL.contains(&code) {
            0
        } else if THREE_DECIMAL.contains(&code) {
            3
        } else {
            2
        }
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl fmt::Debug for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Currency({})", self.code())
    }
}

impl FromStr for Currency {
    type Err = MoneyError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Currency::parse(s)
    }
}

/// An amount of money: a non-negative count of minor units in one currency.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Money {
    minor: i64,
    currency: Currency,
}

impl Money {
    /// An amount from a count of minor units (cents, or francs for XOF).
    pub fn from_minor(minor: i64, currency: Currency) -> Result<Money, MoneyError> {
        if minor < 0 {
            return Err(MoneyError::Negative(minor.to_string()));
        }
        Ok(Money { minor, currency })
    }

    /// Nothing, in `currency`.
    pub const fn zero(currency: Currency) -> Money {
        Money { minor: 0, currency }
    }

    /// Parses a decimal string in major units, exactly.
    ///
    /// Trailing zeros past the currency's exponent are accepted ("45000.00"
    /// XOF is 45000); any other extra decimal is an error ("45000.5" XOF).
    pub fn parse(amount: &str, currency: Currency) -> Result<Money, MoneyError> {
        let s = amount.trim();
        if s.starts_with('-') {
            return Err(MoneyError::Negative(amount.to_owned()));
        }
        let (int_part, frac_part) = match s.split_once('.') {
            Some((i, f)) => (i, f),
            None => (s, ""),
        };
        let all_digits = |p: &str| p.bytes().all(|b| b.is_ascii_digit());
        if int_part.is_empty()
            || !all_digits(int_part)
            || !all_digits(frac_part)
            || (s.contains('.') && frac_part.is_empty())
        {
            return Err(MoneyError::NotDecimal(amount.to_owned()));
        }
        let exp = currency.exponent() as usize;
        let significant = frac_part.trim_end_matches('0');
        if significant.len() > exp {
            return Err(MoneyError::TooManyDecimals {
                amount: amount.to_owned(),
                currency,
                found: frac_part.len(),
                allowed: currency.exponent(),
            });
        }
        let overflow = || MoneyError::Overflow(amount.to_owned());
        let mut minor: i64 = int_part.parse().map_err(|_| overflow())?;
        for i in 0..exp {
            let digit = significant
                .as_bytes()
                .get(i)
                .map_or(0, |b| i64::from(b - b'0'));
            minor = minor
                .checked_mul(10)
                .and_then(|m| m.checked_add(digit))
                .ok_or_else(overflow)?;
        }
        Ok(Money { minor, currency })
    }

    /// An amount as stored: a count of minor units and a currency code.
    pub fn from_stored(minor: i64, code: &str) -> Result<Money, MoneyError> {
        Money::from_minor(minor, Currency::parse(code)?)
    }

    pub fn minor(&self) -> i64 {
        self.minor
    }

    pub fn currency(&self) -> Currency {
        self.currency
    }

    /// The sum of two amounts in the same currency; `None` on a currency
    /// mismatch or overflow.
    pub fn checked_add(self, other: Money) -> Option<Money> {
        if self.currency != other.currency {
            return None;
        }
        Some(Money {
            minor: self.minor.checked_add(other.minor)?,
            currency: self.currency,
        })
    }

    /// `minor` units of `currency` as the owner reads them ("89.90 EUR").
    /// A count no amount can hold (a negative one, from a figure that went
    /// wrong) is shown as what it is rather than hidden.
    pub fn show_minor(minor: i64, currency: Currency) -> String {
        Money::from_minor(minor, currency).map_or_else(
            |_| format!("{minor} (minor units) {currency}"),
            |m| m.to_string(),
        )
    }

    /// `minor` units of `currency` as the command line takes them ("89.90").
    pub fn decimal_minor(minor: i64, currency: Currency) -> String {
        Money::from_minor(minor, currency)
            .map_or_else(|_| format!("{minor} (minor units)"), |m| m.decimal())
    }

    /// The decimal string in major units, without the currency: "89.90".
    pub fn decimal(&self) -> String {
        let exp = self.currency.exponent();
        if exp == 0 {
            return self.minor.to_string();
        }
        let scale = 10_i64.pow(exp);
        format!(
            "{}.{:0width$}",
            self.minor / scale,
            self.minor % scale,
            width = exp as usize
        )
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.decimal(), self.currency)
    }
}

impl fmt::Debug for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Money({self})")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cur(code: &str) -> Currency {
        Currency::parse(code).unwrap()
    }

    fn minor(amount: &str, code: &str) -> Result<i64, MoneyError> {
        Money::parse(amount, cur(code)).map(|m| m.minor())
    }

    #[test]
    fn currencies_are_matched_case_insensitively_and_unknown_ones_refused() {
        assert_eq!(cur("xof"), cur("XOF"));
        assert_eq!(cur("eur").code(), "EUR");
        assert_eq!(
            Currency::parse("ABC"),
            Err(MoneyError::UnknownCurrency("ABC".into()))
        );
        assert!(Currency::parse("").is_err());
        assert!(Currency::parse("EURO").is_err());
        assert!(Currency::parse("€").is_err());
    }

    #[test]
    fn exponents_follow_the_providers_table() {
        for code in ZERO_DECIMAL {
            assert_eq!(cur(code).exponent(), 0, "{code}");
        }
        for code in THREE_DECIMAL {
            assert_eq!(cur(code).exponent(), 3, "{code}");
        }
        for code in ["EUR", "USD", "GBP", "MAD", "ISK"] {
            assert_eq!(cur(code).exponent(), 2, "{code}");
        }
    }

    #[test]
    fn two_decimal_amounts_parse_exactly() {
        assert_eq!(minor("89.90", "EUR"), Ok(8990));
        assert_eq!(minor("89.9", "EUR"), Ok(8990));
        assert_eq!(minor("89", "EUR"), Ok(8900));
        assert_eq!(minor("0.01", "EUR"), Ok(1));
        assert_eq!(minor("0.10", "EUR"), Ok(10));
        // 0.1 + 0.2 is not 0.30000000000000004 here.
        assert_eq!(minor("0.30", "EUR"), Ok(30));
        assert!(minor("1.005", "EUR").is_err());
    }

    #[test]
    fn zero_decimal_amounts_refuse_fractions() {
        assert_eq!(minor("45000", "XOF"), Ok(45000));
        assert_eq!(minor("45000.00", "XOF"), Ok(45000));
        assert!(matches!(
            minor("45000.5", "XOF"),
            Err(MoneyError::TooManyDecimals { allowed: 0, .. })
        ));
        assert_eq!(minor("1500", "JPY"), Ok(1500));
    }

    #[test]
    fn three_decimal_amounts() {
        assert_eq!(minor("1.234", "KWD"), Ok(1234));
        assert_eq!(minor("1.2", "BHD"), Ok(1200));
        assert!(minor("1.2345", "TND").is_err());
    }

    #[test]
    fn float_notations_and_garbage_are_refused() {
        for bad in [
            "", " ", ".", "1.", ".5", "1e3", "1E3", "NaN", "inf", "1,50", "+1", "1.2.3", "0x10",
            "١٢",
        ] {
            assert!(
                matches!(minor(bad, "EUR"), Err(MoneyError::NotDecimal(_))),
                "{bad:?} should be refused"
            );
        }
        assert!(matches!(
            minor("-1.00", "EUR"),
            Err(MoneyError::Negative(_))
        ));
        assert!(matches!(
            minor("99999999999999999999", "EUR"),
            Err(MoneyError::Overflow(_))
        ));
        assert!(matches!(
            minor("92233720368547758.07", "EUR"),
            Ok(9223372036854775807)
        ));
        assert!(matches!(
            minor("92233720368547758.08", "EUR"),
            Err(MoneyError::Overflow(_))
        ));
    }

    #[test]
    fn decimal_round_trips() {
        for (amount, code) in [
            ("89.90", "EUR"),
            ("0.05", "EUR"),
            ("45000", "XOF"),
            ("1.234", "KWD"),
            ("0.000", "OMR"),
        ] {
            let m = Money::parse(amount, cur(code)).unwrap();
            assert_eq!(m.decimal(), amount);
            assert_eq!(Money::parse(&m.decimal(), cur(code)), Ok(m));
        }
        assert_eq!(
            Money::from_minor(8990, cur("EUR")).unwrap().to_string(),
            "89.90 EUR"
        );
    }

    #[test]
    fn addition_refuses_mixed_currencies() {
        let eur = Money::from_minor(100, cur("EUR")).unwrap();
        let xof = Money::from_minor(100, cur("XOF")).unwrap();
        assert_eq!(eur.checked_add(eur).map(|m| m.minor()), Some(200));
        assert_eq!(eur.checked_add(xof), None);
        assert!(Money::from_minor(-1, cur("EUR")).is_err());
    }
}

#[cfg(test)]
mod properties {
    use super::*;
    use proptest::prelude::*;

    fn currency() -> impl Strategy<Value = Currency> {
        prop::sample::select(vec!["EUR", "XOF", "KWD", "JPY", "USD", "TND"])
            .prop_map(|c| Currency::parse(c).unwrap())
    }

    proptest! {
        #[test]
        fn any_text_is_a_currency_or_an_error(text in "\\PC{0,8}") {
            let _ = Currency::parse(&text);
        }

        #[test]
        fn any_text_is_an_amount_or_an_error(text in "\\PC{0,30}", cur in currency()) {
            if let Ok(m) = Money::parse(&text, cur) {
                prop_assert_eq!(Money::parse(&m.decimal(), cur), Ok(m));
            }
        }

        #[test]
        fn decimal_like_text_never_panics(text in "[0-9]{0,22}(\\.[0-9]{0,6})?", cur in currency()) {
            let _ = Money::parse(&text, cur);
        }

        #[test]
        fn every_amount_round_trips(minor in 0..i64::MAX, cur in currency()) {
            let m = Money::from_minor(minor, cur).unwrap();
            prop_assert_eq!(Money::parse(&m.decimal(), cur), Ok(m));
        }
    }
}
