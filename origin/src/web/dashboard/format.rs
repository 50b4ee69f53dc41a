//! How the dashboard writes money and times, and the currencies its forms offer.

use linkpay_shared::{Currency, Locale, Money};

/// `¥1,500`, `$15.00`.
pub fn show(minor: i64, currency: Currency) -> String {
    Money::new(minor, currency)
        .map(|m| m.format(Locale::En))
        .unwrap_or_else(|_| format!("{minor} {}", currency.code()))
}

/// `2026-11-22 23:40 UTC`.
pub fn when(unix: i64) -> String {
    let t = crate::base::clock::rfc3339(unix);
    match (t.get(..10), t.get(11..16)) {
        (Some(d), Some(hm)) => format!("{d} {hm} UTC"),
        _ => t,
    }
}

pub fn currency_codes() -> Vec<&'static str> {
    Currency::ALL.iter().map(|c| c.code()).collect()
}
