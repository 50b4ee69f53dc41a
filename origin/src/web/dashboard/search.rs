//! The search form above the link and transaction lists: what was typed, kept for the page,
//! and read into a filter. A part that cannot be read is reported by the field it came from
//! and the search runs without it.

use crate::domain::charges::ChargeFilter;
use linkpay_shared::{Currency, money};
use std::collections::HashMap;

/// The form as typed (every field kept, so the page shows it back).
#[derive(Default, Clone)]
pub struct Search {
    pub reference: String,
    pub email: String,
    pub status: String,
    /// `YYYY-MM-DD`, UTC.
    pub from: String,
    pub to: String,
    pub currency: String,
    /// As the buyer sees it: `1500`, `15.00`.
    pub amount_min: String,
    pub amount_max: String,
}

impl Search {
    pub fn from_query(q: &HashMap<String, String>) -> Search {
        let get = |k: &str| q.get(k).map(|v| v.trim().to_owned()).unwrap_or_default();
        Search {
            reference: get("reference"),
            email: get("email"),
            status: get("status"),
            from: get("from"),
            to: get("to"),
            currency: get("currency").to_uppercase(),
            amount_min: get("amount_min"),
            amount_max: get("amount_max"),
        }
    }

    /// The query string that repeats this search (for paging and the CSV download).
    pub fn query_string(&self) -> String {
        url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(
                [
                    ("reference", &self.reference),
                    ("email", &self.email),
                    ("status", &self.status),
                    ("from", &self.from),
                    ("to", &self.to),
                    ("currency", &self.currency),
                    ("amount_min", &self.amount_min),
                    ("amount_max", &self.amount_max),
                ]
                .into_iter()
                .filter(|(_, v)| !v.is_empty()),
            )
            .finish()
    }

    /// What the search means, in the units the database stores (as a transaction search;
    /// the link list reads the same parts), or every problem as (field, message).
    pub fn criteria(&self, statuses: &[&str]) -> Result<ChargeFilter, Vec<(&'static str, String)>> {
        let mut errors = Vec::new();
        let some = |s: &str| (!s.is_empty()).then(|| s.to_owned());
        let mut c = ChargeFilter {
            reference: some(&self.reference),
            email: some(&self.email),
            ..ChargeFilter::default()
        };
        if !self.status.is_empty() {
            if statuses.contains(&self.status.as_str()) {
                c.status = Some(self.status.clone());
            } else {
                errors.push(("status", format!("Unknown status {:?}.", self.status)));
            }
        }
        match day_start(&self.from) {
            Ok(t) => c.created_gte = t,
            Err(m) => errors.push(("from", m)),
        }
        match day_start(&self.to) {
            Ok(t) => c.created_lte = t.map(|t| t + 86_399),
            Err(m) => errors.push(("to", m)),
        }
        if let (Some(a), Some(b)) = (c.created_gte, c.created_lte)
            && a > b
        {
            errors.push(("to", "The end date is before the start date.".into()));
        }
        let currency = if self.currency.is_empty() {
            None
        } else {
            match Currency::from_code(&self.currency) {
                Some(cur) => {
                    c.currency = Some(cur.code().to_owned());
                    Some(cur)
                }
                None => {
                    errors.push(("currency", format!("Unknown currency {:?}.", self.currency)));
                    None
                }
            }
        };
        for (field, typed, slot) in [
            ("amount_min", &self.amount_min, &mut c.amount_gte),
            ("amount_max", &self.amount_max, &mut c.amount_lte),
        ] {
            if typed.is_empty() {
                continue;
            }
            match currency {
                None => errors.push((
                    field,
                    "Choose a currency to search by amount: ¥1,500 and $1,500 are different amounts.".into(),
                )),
                Some(cur) => match money::parse_major(typed, cur) {
                    Ok(minor) => *slot = Some(minor),
                    Err(e) => errors.push((field, format!("{typed:?} is not an amount: {e}."))),
                },
            }
        }
        if let (Some(a), Some(b)) = (c.amount_gte, c.amount_lte)
            && a > b
        {
            errors.push((
                "amount_max",
                "The largest amount is below the smallest.".into(),
            ));
        }
        if errors.is_empty() {
            Ok(c)
        } else {
            Err(errors)
        }
    }
}

/// Midnight UTC at the start of a `YYYY-MM-DD` day.
fn day_start(typed: &str) -> Result<Option<i64>, String> {
    if typed.is_empty() {
        return Ok(None);
    }
    let format = time::macros::format_description!("[year]-[month]-[day]");
    time::Date::parse(typed, &format)
        .map(|d| Some(d.midnight().assume_utc().unix_timestamp()))
        .map_err(|_| format!("{typed:?} is not a date: use YYYY-MM-DD."))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn search(pairs: &[(&str, &str)]) -> Search {
        Search::from_query(
            &pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        )
    }

    #[test]
    fn a_full_search_reads_into_database_units() {
        let c = search(&[
            ("reference", " INV-1 "),
            ("from", "2026-11-01"),
            ("to", "2026-11-01"),
            ("currency", "usd"),
            ("amount_min", "10"),
            ("amount_max", "15.50"),
            ("status", "succeeded"),
        ])
        .criteria(&["succeeded"])
        .expect("valid");
        assert_eq!(c.reference.as_deref(), Some("INV-1"));
        assert_eq!(c.created_gte, Some(1_793_491_200));
        assert_eq!(c.created_lte, Some(1_793_491_200 + 86_399));
        assert_eq!((c.amount_gte, c.amount_lte), (Some(1000), Some(1550)));
        assert_eq!(c.currency.as_deref(), Some("USD"));
    }

    #[test]
    fn every_bad_part_is_named() {
        let errors = search(&[
            ("from", "1 Nov"),
            ("amount_min", "5"),
            ("status", "paid-ish"),
        ])
        .criteria(&["succeeded"])
        .expect_err("invalid");
        let fields: Vec<&str> = errors.iter().map(|(f, _)| *f).collect();
        assert_eq!(fields, ["status", "from", "amount_min"]);
        let errors = search(&[("currency", "JPY"), ("amount_min", "1.5")])
            .criteria(&[])
            .expect_err("JPY has no decimals");
        assert_eq!(errors[0].0, "amount_min");
    }

    #[test]
    fn the_query_string_repeats_the_search() {
        let s = search(&[("reference", "A&B"), ("currency", "JPY")]);
        assert_eq!(s.query_string(), "reference=A%26B&currency=JPY");
    }
}
