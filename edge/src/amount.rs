//! The amount a buyer types on a buyer-chosen link: read it, check it against the link's
//! bounds, and say what is wrong in the buyer's language. The origin checks it again; this is
//! so the buyer hears about a typo on the pay page instead of after a round trip.

use crate::i18n::Text;
use linkpay_shared::money::{ParseAmountError, parse_major};
use linkpay_shared::token::{Amount, AmountChoiceError};
use linkpay_shared::{Currency, Locale, Money};

/// Why a typed amount cannot be paid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AmountProblem {
    Missing,
    NotANumber(Currency),
    TooPrecise(Currency),
    BelowMinimum(Money),
    AboveMaximum(Money),
    /// The origin refused the amount (`amount_invalid`) with this message.
    Refused(String),
}

/// Longest origin message shown under the field; it should be one sentence.
const MAX_REFUSAL_CHARS: usize = 200;

/// The amount to charge for what the buyer typed (`None` if the field was not sent) on a link
/// with `amount`. A fixed link's amount is the link's, whatever was typed.
pub fn choose(amount: &Amount, typed: Option<&str>) -> Result<Money, AmountProblem> {
    let currency = match *amount {
        Amount::Fixed(m) => return Ok(m),
        Amount::BuyerChosen { currency, .. } => currency,
    };
    let minor = match parse_major(typed.unwrap_or_default(), currency) {
        Ok(minor) => minor,
        // More digits than an i64 holds: above any maximum, which `choose` then names.
        Err(ParseAmountError::TooLarge) => i64::MAX,
        Err(ParseAmountError::Empty) => return Err(AmountProblem::Missing),
        Err(ParseAmountError::NotANumber) => return Err(AmountProblem::NotANumber(currency)),
        Err(ParseAmountError::TooPrecise(..)) => return Err(AmountProblem::TooPrecise(currency)),
    };
    amount.choose(minor).map_err(|e| match e {
        AmountChoiceError::BelowMinimum(m) => AmountProblem::BelowMinimum(m),
        AmountChoiceError::AboveMaximum(m) => AmountProblem::AboveMaximum(m),
        AmountChoiceError::Fixed | AmountChoiceError::Missing => AmountProblem::Missing,
    })
}

impl AmountProblem {
    /// The sentence shown under the amount field.
    pub fn message(&self, t: &Text, locale: Locale) -> String {
        let a = &t.amount_errors;
        match self {
            AmountProblem::Missing => a.missing.to_owned(),
            AmountProblem::NotANumber(c) if c.exponent() == 0 => a.not_a_number_whole.to_owned(),
            AmountProblem::NotANumber(_) => a.not_a_number_decimal.to_owned(),
            AmountProblem::TooPrecise(c) if c.exponent() == 0 => {
                a.no_decimals.replace("{}", c.code())
            }
            AmountProblem::TooPrecise(c) => a.too_precise.replace("{}", &c.exponent().to_string()),
            AmountProblem::BelowMinimum(m) => a.below_minimum.replace("{}", &m.format(locale)),
            AmountProblem::AboveMaximum(m) => a.above_maximum.replace("{}", &m.format(locale)),
            AmountProblem::Refused(message) => message.chars().take(MAX_REFUSAL_CHARS).collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::text;

    fn chosen(currency: Currency, min: i64, max: i64) -> Amount {
        Amount::BuyerChosen { currency, min, max }
    }

    fn money(minor: i64, currency: Currency) -> Money {
        Money::new(minor, currency).expect("money")
    }

    #[test]
    fn fixed_links_ignore_what_was_typed() {
        let fixed = Amount::Fixed(money(1500, Currency::Jpy));
        assert_eq!(choose(&fixed, Some("1")), Ok(money(1500, Currency::Jpy)));
        assert_eq!(choose(&fixed, None), Ok(money(1500, Currency::Jpy)));
    }

    #[test]
    fn typed_amounts_are_read_and_bounded() {
        let yen = chosen(Currency::Jpy, 500, 50_000);
        assert_eq!(choose(&yen, Some("1,500")), Ok(money(1500, Currency::Jpy)));
        assert_eq!(
            choose(&yen, Some(" １５００ ")),
            Ok(money(1500, Currency::Jpy))
        );
        assert_eq!(choose(&yen, Some("500")), Ok(money(500, Currency::Jpy)));
        assert_eq!(
            choose(&yen, Some("50000")),
            Ok(money(50_000, Currency::Jpy))
        );
        let (min, max) = (money(500, Currency::Jpy), money(50_000, Currency::Jpy));
        for (typed, problem) in [
            ("499", AmountProblem::BelowMinimum(min)),
            ("0", AmountProblem::BelowMinimum(min)),
            ("50001", AmountProblem::AboveMaximum(max)),
            ("99999999999999999999999", AmountProblem::AboveMaximum(max)),
        ] {
            assert_eq!(choose(&yen, Some(typed)), Err(problem), "{typed}");
        }
        assert_eq!(choose(&yen, None), Err(AmountProblem::Missing));
        assert_eq!(choose(&yen, Some("  ")), Err(AmountProblem::Missing));
        for junk in ["-5", "¥500", "1e3", "five", "5.5.5"] {
            assert_eq!(
                choose(&yen, Some(junk)),
                Err(AmountProblem::NotANumber(Currency::Jpy)),
                "{junk}"
            );
        }
        assert_eq!(
            choose(&yen, Some("500.5")),
            Err(AmountProblem::TooPrecise(Currency::Jpy))
        );

        let dollars = chosen(Currency::Usd, 100, 10_000);
        assert_eq!(
            choose(&dollars, Some("15.5")),
            Ok(money(1550, Currency::Usd))
        );
        assert_eq!(
            choose(&dollars, Some("15.555")),
            Err(AmountProblem::TooPrecise(Currency::Usd))
        );
    }

    #[test]
    fn problems_read_well_in_each_language() {
        let (en, ja) = (text(Locale::En), text(Locale::Ja));
        let min = AmountProblem::BelowMinimum(money(500, Currency::Jpy));
        assert_eq!(min.message(en, Locale::En), "The minimum amount is ¥500.");
        assert_eq!(
            min.message(ja, Locale::Ja),
            "¥500以上の金額を入力してください。"
        );
        let max = AmountProblem::AboveMaximum(money(1_000_000, Currency::Usd));
        assert_eq!(
            max.message(en, Locale::En),
            "The maximum amount is $10,000.00."
        );
        assert_eq!(
            max.message(ja, Locale::Ja),
            "$10,000.00以下の金額を入力してください。"
        );
        assert_eq!(
            AmountProblem::TooPrecise(Currency::Jpy).message(en, Locale::En),
            "JPY amounts have no decimal places."
        );
        assert_eq!(
            AmountProblem::TooPrecise(Currency::Usd).message(en, Locale::En),
            "Use at most 2 digits after the decimal point."
        );
        let long = AmountProblem::Refused("x".repeat(1000));
        assert_eq!(long.message(en, Locale::En).len(), MAX_REFUSAL_CHARS);
        for p in [
            AmountProblem::Missing,
            AmountProblem::NotANumber(Currency::Jpy),
            AmountProblem::NotANumber(Currency::Usd),
            AmountProblem::TooPrecise(Currency::Jpy),
            AmountProblem::TooPrecise(Currency::Usd),
        ] {
            for (t, locale) in [(en, Locale::En), (ja, Locale::Ja)] {
                let m = p.message(t, locale);
                assert!(!m.is_empty() && !m.contains("{}"), "{p:?} {m}");
            }
        }
    }
}
