//! GMO Payment Gateway's `ErrInfo` codes sorted into what linkpay does with them. Sources and
//! the full table: docs/providers/gmo-pg.md. Several codes can come back at once; the most
//! telling class wins (a decline over an invalid request over a transient fault).

/// What an error means for the payment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Class {
    /// GMO-PG itself is busy, down or unsure (the request may or may not have taken effect):
    /// ask again later, after a search.
    Transient,
    /// Our request or the shop's set-up is wrong, or the transaction is not in a state for
    /// it: retrying the same request cannot help.
    Invalid,
    /// The card company or 3-D Secure turned the card down.
    Declined,
}

pub fn classify(err_info: &str) -> Class {
    let code = err_info.trim();
    let prefix = |p: &str| code.starts_with(p);
    if prefix("42G") {
        // 42G67–42G81: product code, amount, tax, instalment fields — our request.
        return match code.get(3..5).and_then(|n| n.parse::<u8>().ok()) {
            Some(67..=81) => Class::Invalid,
            _ => Class::Declined,
        };
    }
    if prefix("E21") || matches!(code, "E41170002" | "E41170099" | "E11010099") {
        return Class::Declined;
    }
    if prefix("42C") || prefix("E90") || prefix("E92") || prefix("E82") || prefix("M91") {
        return Class::Transient;
    }
    if prefix("E91") {
        return match code {
            // The link type's template setting, and an API that does not exist: ours to fix.
            "E91050001" | "E91099997" => Class::Invalid,
            _ => Class::Transient,
        };
    }
    Class::Invalid
}

/// The class of an answer's errors: the most telling one.
pub fn worst(errors: &[(String, String)]) -> Class {
    errors
        .iter()
        .map(|(_, info)| classify(info))
        .max()
        .unwrap_or(Class::Invalid)
}

/// linkpay's decline code for an issuer's answer, where one fits; else GMO-PG's own code.
pub fn decline_code(err_info: &str) -> String {
    match err_info.get(..5) {
        Some("42G02" | "42G04" | "42G06") => "insufficient_funds".into(),
        Some("42G03" | "42G05" | "42G07" | "42G55") => "card_velocity_exceeded".into(),
        Some("42G44" | "42G45") => "incorrect_cvc".into(),
        Some("42G65") => "incorrect_number".into(),
        Some("42G83") => "expired_card".into(),
        Some("E2101" | "E2102") => "authentication_failed".into(),
        Some(p) if p.starts_with("42G") => "card_declined".into(),
        _ => format!("gmopg_{}", err_info.to_ascii_lowercase()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_fall_into_the_documented_classes() {
        for declined in [
            "42G020000",
            "42G120000",
            "42G650000",
            "42G990000",
            "E21010001",
            "E41170002",
        ] {
            assert_eq!(classify(declined), Class::Declined, "{declined}");
        }
        for invalid in [
            "E01040010",
            "M01004002",
            "E11010002",
            "E61010001",
            "42G700000",
            "E91099997",
        ] {
            assert_eq!(classify(invalid), Class::Invalid, "{invalid}");
        }
        for transient in [
            "E90010001",
            "E91019999",
            "E92000001",
            "42C010000",
            "E82010001",
            "M91099999",
        ] {
            assert_eq!(classify(transient), Class::Transient, "{transient}");
        }
        let mixed = [
            ("E92".to_owned(), "E92000001".to_owned()),
            ("G02".to_owned(), "42G020000".to_owned()),
        ];
        assert_eq!(worst(&mixed), Class::Declined);
        assert_eq!(decline_code("42G020000"), "insufficient_funds");
        assert_eq!(decline_code("42G300000"), "card_declined");
        assert_eq!(decline_code("E21010001"), "authentication_failed");
    }
}
