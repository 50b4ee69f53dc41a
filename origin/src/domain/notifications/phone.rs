//! Phone numbers in E.164, the only form SMS gateways accept: `+`, a country code that does
//! not start with 0, and at most 15 digits in all.

/// The E.164 form of a number a person typed, or why it is not one. Spaces, hyphens, dots and
/// parentheses are dropped ("+81 90-1234-5678" → "+819012345678"); a national number
/// ("090-1234-5678") is refused rather than guessed at, since its country is unknown.
pub fn parse_e164(s: &str) -> Result<String, &'static str> {
    let typed: String = s
        .chars()
        .filter(|c| !matches!(c, ' ' | '-' | '(' | ')' | '.' | '\u{3000}'))
        .collect();
    if typed.is_empty() {
        return Err("is empty; give the number in E.164 form, like +819012345678");
    }
    let Some(digits) = typed.strip_prefix('+') else {
        return Err(
            if typed.starts_with("00") && typed.bytes().all(|b| b.is_ascii_digit()) {
                "must start with + instead of the international prefix 00, like +819012345678"
            } else if typed.bytes().all(|b| b.is_ascii_digit()) {
                "is not in E.164 form: add + and the country code and drop the leading 0 of a \
             national number, like +81 90-1234-5678 for 090-1234-5678"
            } else {
                "must be in E.164 form: + and the country code, then digits, like +819012345678"
            },
        );
    };
    if !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(
            "may contain only digits after the + (spaces, hyphens and parentheses are ignored)",
        );
    }
    if digits.starts_with('0') {
        return Err(
            "has a country code starting with 0; E.164 numbers are + then the country code, like +81",
        );
    }
    if !(8..=15).contains(&digits.len()) {
        return Err("must have 8 to 15 digits after the +, country code included");
    }
    Ok(typed)
}

#[cfg(test)]
mod tests {
    use super::parse_e164;

    #[test]
    fn accepts_and_normalizes_what_people_type() {
        for (typed, want) in [
            ("+819012345678", "+819012345678"),
            ("+81 90-1234-5678", "+819012345678"),
            (" +1 (415) 555-0100 ", "+14155550100"),
            ("+44 20.7946.0958", "+442079460958"),
            ("+81\u{3000}90 1234 5678", "+819012345678"),
            ("+12345678", "+12345678"),
            ("+123456789012345", "+123456789012345"),
        ] {
            assert_eq!(parse_e164(typed).as_deref(), Ok(want), "{typed:?}");
        }
    }

    #[test]
    fn refuses_with_a_reason() {
        let err = |s| parse_e164(s).expect_err(s);
        assert!(err("090-1234-5678").contains("add + and the country code"));
        assert!(err("00819012345678").contains("instead of the international prefix 00"));
        assert!(err("").contains("empty"));
        assert!(err(" - ").contains("empty"));
        assert!(err("+81 90 1234 567x").contains("only digits"));
        assert!(err("++819012345678").contains("only digits"));
        assert!(
            err("+０９０").contains("only digits"),
            "full-width digits are not taken as digits"
        );
        assert!(err("+0819012345678").contains("starting with 0"));
        assert!(err("+1234567").contains("8 to 15"));
        assert!(err("+1234567890123456").contains("8 to 15"));
        assert!(err("tel:+819012345678").contains("E.164"));
    }
}
