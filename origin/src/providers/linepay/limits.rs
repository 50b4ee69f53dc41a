//! LINE Pay's limits, checked before anything is sent, with errors that name the field.

use linkpay_shared::{Currency, Money};

/// The v3 reference (developers-pay.line.me, "Request payment") lists USD, TWD and THB.
/// linkpay has no TWD, so USD and THB. (JPY appeared in older versions of the reference,
/// for LINE Pay's Japanese service, which has since closed.)
pub const CURRENCIES: [Currency; 2] = [Currency::Usd, Currency::Thb];
/// `orderId`: at most 100 characters.
pub const ORDER_ID_MAX_CHARS: usize = 100;
/// Package and product names: at most 4,000 characters (longer titles are cut, not refused).
pub const NAME_MAX_CHARS: usize = 4000;
/// A payment request the buyer does not finish is canceled after 20 minutes (status check
/// code `0121`, "canceled by user or because of timeout (20min)").
pub const SESSION_SECS: i64 = 20 * 60;
/// How long an authorization waits for capture by default. The reference says LINE Pay keeps
/// an authorization "until authorization expires" without a figure; 30 days is the window
/// this project promises (`LINKPAY_LINEPAY_CAPTURE_WINDOW` to change it).
pub const DEFAULT_CAPTURE_WINDOW_SECS: i64 = 30 * 86_400;

/// The largest amount per payment, in minor units. The per-payment ceiling is set in each
/// merchant's contract; these defaults (฿50,000, as gateways reselling LINE Pay Thailand
/// publish, and $1,000) are overridden by `LINKPAY_LINEPAY_MAX_AMOUNT_<CUR>`.
pub fn default_max_minor(currency: Currency) -> Option<i64> {
    match currency {
        Currency::Thb => Some(5_000_000),
        Currency::Usd => Some(100_000),
        _ => None,
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LimitError {
    pub field: &'static str,
    pub message: String,
}

/// Checks a payment against the currency list and `max_minor` (the configured ceilings).
pub fn check(
    amount: Money,
    order_id: &str,
    max_minor: impl Fn(Currency) -> Option<i64>,
) -> Result<(), LimitError> {
    let currency = amount.currency();
    if !CURRENCIES.contains(&currency) {
        let names: Vec<&str> = CURRENCIES.iter().map(|c| c.code()).collect();
        return Err(LimitError {
            field: "currency",
            message: format!(
                "LINE Pay does not take {}: it takes {}. Choose another payment method.",
                currency.code(),
                names.join(" and ")
            ),
        });
    }
    if let Some(max) = max_minor(currency)
        && amount.minor() > max
    {
        let max = Money::new(max, currency)
            .map(|m| m.format(linkpay_shared::Locale::En))
            .unwrap_or_else(|_| max.to_string());
        return Err(LimitError {
            field: "amount",
            message: format!(
                "LINE Pay takes at most {max} per payment. Choose another payment method."
            ),
        });
    }
    if order_id.chars().count() > ORDER_ID_MAX_CHARS {
        return Err(LimitError {
            field: "orderId",
            message: format!("orderId is longer than {ORDER_ID_MAX_CHARS} characters."),
        });
    }
    Ok(())
}

/// `name` cut to what LINE Pay takes.
pub fn name(name: &str) -> String {
    name.chars().take(NAME_MAX_CHARS).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn money(minor: i64, c: Currency) -> Money {
        Money::new(minor, c).expect("money")
    }

    #[test]
    fn currencies_amounts_and_order_ids_are_checked() {
        assert_eq!(
            check(money(1000, Currency::Usd), "ch_1", default_max_minor),
            Ok(())
        );
        let e = check(money(1000, Currency::Jpy), "ch_1", default_max_minor).expect_err("jpy");
        assert_eq!(e.field, "currency");
        assert!(e.message.contains("USD and THB"), "{}", e.message);
        let e = check(money(5_000_001, Currency::Thb), "ch_1", default_max_minor).expect_err("max");
        assert_eq!(e.field, "amount");
        assert!(e.message.contains("฿50,000"), "{}", e.message);
        assert_eq!(
            check(money(5_000_000, Currency::Thb), "ch_1", default_max_minor),
            Ok(())
        );
        let long = "x".repeat(101);
        assert_eq!(
            check(money(1, Currency::Usd), &long, default_max_minor)
                .expect_err("id")
                .field,
            "orderId"
        );
        assert_eq!(name(&"y".repeat(5000)).chars().count(), NAME_MAX_CHARS);
    }
}
