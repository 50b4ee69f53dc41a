//! Money as integer minor units with ISO 4217 currencies. Never floats.

use crate::Locale;
use serde::{Deserialize, Serialize};
use std::fmt;

/// The currencies linkpay accepts. Adding one means adding its exponent, maximum and symbol.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Currency {
    Jpy,
    Usd,
    Eur,
    Gbp,
    Thb,
    Sgd,
    Myr,
    Krw,
}

impl Currency {
    pub const ALL: [Currency; 8] = [
        Currency::Jpy,
        Currency::Usd,
        Currency::Eur,
        Currency::Gbp,
        Currency::Thb,
        Currency::Sgd,
        Currency::Myr,
        Currency::Krw,
    ];

    /// Parses an ISO 4217 code; case-insensitive so `"jpy"` works as Stripe's API accepts it.
    pub fn from_code(code: &str) -> Option<Currency> {
        Currency::ALL
            .into_iter()
            .find(|c| c.code().eq_ignore_ascii_case(code))
    }

    pub fn code(self) -> &'static str {
        match self {
            Currency::Jpy => "JPY",
            Currency::Usd => "USD",
            Currency::Eur => "EUR",
            Currency::Gbp => "GBP",
            Currency::Thb => "THB",
            Currency::Sgd => "SGD",
            Currency::Myr => "MYR",
            Currency::Krw => "KRW",
        }
    }

    /// Digits after the decimal point (ISO 4217 minor unit).
    pub fn exponent(self) -> u32 {
        match self {
            Currency::Jpy | Currency::Krw => 0,
            _ => 2,
        }
    }

    /// The largest amount a single link may carry, in minor units. Chosen to match what
    /// card acquirers commonly accept per transaction: ¥99,999,999; $999,999.99; ₩999,999,999.
    pub fn max_minor(self) -> i64 {
        match self {
            Currency::Jpy => 99_999_999,
            Currency::Krw => 999_999_999,
            Currency::Thb => 999_999_999,
            _ => 99_999_999,
        }
    }

    fn symbol(self, locale: Locale) -> &'static str {
        match (self, locale) {
            (Currency::Jpy, _) => "¥",
            (Currency::Usd, Locale::En) => "$",
            (Currency::Usd, Locale::Ja) => "$",
            (Currency::Eur, _) => "€",
            (Currency::Gbp, _) => "£",
            (Currency::Thb, _) => "฿",
            (Currency::Sgd, _) => "S$",
            (Currency::Myr, _) => "RM",
            (Currency::Krw, _) => "₩",
        }
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    #[error("amount must be a positive integer in minor units")]
    NotPositive,
    #[error("amount exceeds the {currency} maximum of {max} minor units")]
    OverMaximum { currency: Currency, max: i64 },
}

/// An amount in a currency's minor units (cents, yen). Always within `1..=max_minor`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Money {
    minor: i64,
    currency: Currency,
}

impl Money {
    pub fn new(minor: i64, currency: Currency) -> Result<Money, MoneyError> {
        if minor <= 0 {
            return Err(MoneyError::NotPositive);
        }
        if minor > currency.max_minor() {
            return Err(MoneyError::OverMaximum {
                currency,
                max: currency.max_minor(),
            });
        }
        Ok(Money { minor, currency })
    }

    pub fn minor(&self) -> i64 {
        self.minor
    }

    pub fn currency(&self) -> Currency {
        self.currency
    }

    /// Formats for display, e.g. `¥1,500` or `$15.00`. Both supported locales group by
    /// thousands with a comma and put the symbol first; the locale still picks the symbol.
    pub fn format(&self, locale: Locale) -> String {
        let exp = self.currency.exponent();
        let divisor = 10i64.pow(exp);
        let major = self.minor / divisor;
        let frac = self.minor % divisor;
        let mut out = String::from(self.currency.symbol(locale));
        out.push_str(&group_thousands(major));
        if exp > 0 {
            out.push('.');
            out.push_str(&format!("{frac:0width$}", width = exp as usize));
        }
        out
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParseAmountError {
    #[error("enter an amount")]
    Empty,
    #[error("enter the amount in digits, e.g. 1500 or 15.00")]
    NotANumber,
    #[error("{}", too_precise(*.0, *.1))]
    TooPrecise(Currency, u32),
    #[error("the amount is too large")]
    TooLarge,
}

fn too_precise(currency: Currency, exponent: u32) -> String {
    match exponent {
        0 => format!(
            "{} amounts are whole numbers, with no decimal point",
            currency.code()
        ),
        n => format!(
            "{} takes at most {n} digits after the decimal point",
            currency.code()
        ),
    }
}

/// `minor` units as plain major units, exactly and without grouping: `2400` (JPY), `15.05`
/// (USD), `-2.50`. What a spreadsheet column wants; the inverse of [`parse_major`].
pub fn format_major(minor: i64, currency: Currency) -> String {
    let exp = currency.exponent() as usize;
    if exp == 0 {
        return minor.to_string();
    }
    let sign = if minor < 0 { "-" } else { "" };
    let digits = format!("{:0width$}", minor.unsigned_abs(), width = exp + 1);
    let (whole, frac) = digits.split_at(digits.len() - exp);
    format!("{sign}{whole}.{frac}")
}

/// Reads an amount a person typed, in major units (`1,500`, `15.5`, `１５００` from a Japanese
/// keyboard), into minor units, with integer arithmetic only. Thousands separators are
/// ignored; a currency symbol or sign is not accepted.
pub fn parse_major(input: &str, currency: Currency) -> Result<i64, ParseAmountError> {
    let normalized: String = input
        .trim()
        .chars()
        .filter_map(|c| match c {
            // Full-width digits and punctuation, as Japanese input methods type them.
            '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32),
            '．' => Some('.'),
            ',' | '，' | ' ' => None,
            _ => Some(c),
        })
        .collect();
    if normalized.is_empty() {
        return Err(ParseAmountError::Empty);
    }
    let (whole, frac) = normalized
        .split_once('.')
        .unwrap_or((normalized.as_str(), ""));
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if whole.is_empty() && frac.is_empty() || !digits(whole) || !digits(frac) {
        return Err(ParseAmountError::NotANumber);
    }
    let exp = currency.exponent();
    if frac.len() > exp as usize {
        return Err(ParseAmountError::TooPrecise(currency, exp));
    }
    let scale = 10i64.pow(exp);
    let whole: i64 = if whole.is_empty() {
        0
    } else {
        whole.parse().map_err(|_| ParseAmountError::TooLarge)?
    };
    let frac: i64 = if frac.is_empty() {
        0
    } else {
        frac.parse::<i64>()
            .map_err(|_| ParseAmountError::NotANumber)?
            * 10i64.pow(exp - frac.len() as u32)
    };
    whole
        .checked_mul(scale)
        .and_then(|w| w.checked_add(frac))
        .ok_or(ParseAmountError::TooLarge)
}

fn group_thousands(n: i64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn money(minor: i64, code: &str) -> Money {
        Money::new(minor, Currency::from_code(code).expect("known currency")).expect("valid")
    }

    #[test]
    fn major_units_are_written_exactly_and_read_back() {
        let code = |c| Currency::from_code(c).expect("known currency");
        let (jpy, usd) = (code("JPY"), code("USD"));
        assert_eq!(format_major(2400, jpy), "2400");
        assert_eq!(format_major(1505, usd), "15.05");
        assert_eq!(format_major(5, usd), "0.05");
        assert_eq!(format_major(0, usd), "0.00");
        assert_eq!(format_major(-250, usd), "-2.50");
        for minor in [0, 1, 99, 100, 1505, 99_999_999] {
            assert_eq!(parse_major(&format_major(minor, usd), usd), Ok(minor));
        }
    }

    #[test]
    fn formats_zero_and_two_decimal_currencies() {
        assert_eq!(money(1500, "JPY").format(Locale::Ja), "¥1,500");
        assert_eq!(money(1500, "JPY").format(Locale::En), "¥1,500");
        assert_eq!(money(1500, "USD").format(Locale::En), "$15.00");
        assert_eq!(money(1500, "USD").format(Locale::Ja), "$15.00");
        assert_eq!(money(5, "EUR").format(Locale::En), "€0.05");
        assert_eq!(money(123456789, "THB").format(Locale::En), "฿1,234,567.89");
        assert_eq!(money(99_999_999, "JPY").format(Locale::En), "¥99,999,999");
        assert_eq!(money(100, "SGD").format(Locale::En), "S$1.00");
        assert_eq!(money(1000, "MYR").format(Locale::Ja), "RM10.00");
        assert_eq!(money(1, "KRW").format(Locale::Ja), "₩1");
        assert_eq!(money(100_000, "GBP").format(Locale::En), "£1,000.00");
    }

    #[test]
    fn exponents_follow_iso_4217() {
        assert_eq!(Currency::Jpy.exponent(), 0);
        assert_eq!(Currency::Krw.exponent(), 0);
        for c in [
            Currency::Usd,
            Currency::Eur,
            Currency::Thb,
            Currency::Sgd,
            Currency::Myr,
        ] {
            assert_eq!(c.exponent(), 2, "{c}");
        }
    }

    #[test]
    fn rejects_non_positive_and_over_maximum() {
        assert_eq!(Money::new(0, Currency::Jpy), Err(MoneyError::NotPositive));
        assert_eq!(Money::new(-1, Currency::Usd), Err(MoneyError::NotPositive));
        assert!(Money::new(99_999_999, Currency::Jpy).is_ok());
        assert_eq!(
            Money::new(100_000_000, Currency::Jpy),
            Err(MoneyError::OverMaximum {
                currency: Currency::Jpy,
                max: 99_999_999
            })
        );
    }

    #[test]
    fn parses_typed_amounts_into_minor_units() {
        let ok = [
            ("1500", Currency::Jpy, 1500),
            ("1,500", Currency::Jpy, 1500),
            ("１５００", Currency::Jpy, 1500),
            (" 15.00 ", Currency::Usd, 1500),
            ("15.5", Currency::Usd, 1550),
            ("15", Currency::Usd, 1500),
            (".5", Currency::Eur, 50),
            ("0", Currency::Jpy, 0),
            ("1,234,567.89", Currency::Thb, 123_456_789),
        ];
        for (input, currency, minor) in ok {
            assert_eq!(parse_major(input, currency), Ok(minor), "{input:?}");
        }
        assert_eq!(parse_major("", Currency::Jpy), Err(ParseAmountError::Empty));
        assert_eq!(
            parse_major("15.5", Currency::Jpy),
            Err(ParseAmountError::TooPrecise(Currency::Jpy, 0))
        );
        assert_eq!(
            parse_major("1.234", Currency::Usd),
            Err(ParseAmountError::TooPrecise(Currency::Usd, 2))
        );
        for bad in ["-5", "1e3", "$15", "abc", ".", "1.2.3", "+1"] {
            assert_eq!(
                parse_major(bad, Currency::Usd),
                Err(ParseAmountError::NotANumber),
                "{bad:?}"
            );
        }
        assert_eq!(
            parse_major("99999999999999999999", Currency::Usd),
            Err(ParseAmountError::TooLarge)
        );
        assert_eq!(
            parse_major("92233720368547759", Currency::Usd),
            Err(ParseAmountError::TooLarge)
        );
    }

    #[test]
    fn currency_codes_round_trip_and_unknown_codes_are_refused() {
        for c in Currency::ALL {
            assert_eq!(Currency::from_code(c.code()), Some(c));
        }
        assert_eq!(Currency::from_code("jpy"), Some(Currency::Jpy));
        assert_eq!(Currency::from_code("XXX"), None);
        assert_eq!(Currency::from_code(""), None);
    }
}
