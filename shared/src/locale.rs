//! The buyer-facing languages and how a request picks one.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Locale {
    Ja,
    En,
}

impl Locale {
    pub fn from_tag(tag: &str) -> Option<Locale> {
        let primary = tag.split(['-', '_']).next().unwrap_or("");
        if primary.eq_ignore_ascii_case("ja") {
            Some(Locale::Ja)
        } else if primary.eq_ignore_ascii_case("en") {
            Some(Locale::En)
        } else {
            None
        }
    }

    pub fn tag(self) -> &'static str {
        match self {
            Locale::Ja => "ja",
            Locale::En => "en",
        }
    }

    /// Picks the supported language the buyer ranks highest in `Accept-Language`
    /// (RFC 9110 q-values; ties keep header order), or `fallback` when none is supported.
    pub fn negotiate(accept_language: Option<&str>, fallback: Locale) -> Locale {
        let Some(header) = accept_language else {
            return fallback;
        };
        let mut best: Option<(u16, Locale)> = None;
        for item in header.split(',') {
            let mut parts = item.trim().split(';');
            let Some(locale) = parts.next().and_then(|t| Locale::from_tag(t.trim())) else {
                continue;
            };
            let q = parts
                .find_map(|p| p.trim().strip_prefix("q="))
                .map_or(1000, parse_qvalue);
            if q > 0 && best.is_none_or(|(bq, _)| q > bq) {
                best = Some((q, locale));
            }
        }
        best.map_or(fallback, |(_, l)| l)
    }
}

/// q-value in thousandths; malformed values count as 0 (not acceptable).
fn parse_qvalue(s: &str) -> u16 {
    let s = s.trim();
    let (int, frac) = s.split_once('.').unwrap_or((s, ""));
    let whole = match int {
        "0" => 0,
        "1" => 1000,
        _ => return 0,
    };
    let mut thousandths = 0u16;
    for (i, ch) in frac.chars().take(3).enumerate() {
        let Some(d) = ch.to_digit(10) else { return 0 };
        thousandths += d as u16 * [100, 10, 1][i];
    }
    (whole + thousandths).min(1000)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn negotiates_by_quality() {
        use Locale::{En, Ja};
        for (header, default, chosen) in [
            (Some("ja-JP,ja;q=0.9"), En, Ja),
            (Some("en-US,en;q=0.9,ja;q=0.8"), Ja, En),
            (Some("fr, ja;q=0.5, en;q=0.7"), Ja, En),
            (Some("fr-FR"), Ja, Ja),
            (None, En, En),
            (Some("ja;q=0, en;q=0.1"), Ja, En),
            (Some("ja;q=bogus"), En, En),
        ] {
            assert_eq!(Locale::negotiate(header, default), chosen, "{header:?}");
        }
    }
}
