//! The payment methods a merchant's pay pages offer, as the origin pushes them to KV
//! (`m:{merchant_id}` = `{"payment_methods": ["card", "wallet"]}`). Without a value the page
//! offers cards, the origin's default. Display only: the origin checks the buyer's choice.

use serde::Deserialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Card,
    Wallet,
}

impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Card => "card",
            Method::Wallet => "wallet",
        }
    }
}

/// What a merchant without settings offers.
pub const DEFAULT: &[Method] = &[Method::Card];

#[derive(Deserialize)]
struct Stored {
    payment_methods: Vec<String>,
}

/// The methods in a stored value, in the origin's order; unknown names (from a newer origin)
/// are skipped. An error for a value that is not the expected JSON, or names none we know.
pub fn parse(value: &str) -> Result<Vec<Method>, String> {
    let stored: Stored =
        serde_json::from_str(value).map_err(|e| format!("payment methods are not JSON: {e}"))?;
    let methods: Vec<Method> = stored
        .payment_methods
        .iter()
        .filter_map(|m| match m.as_str() {
            "card" => Some(Method::Card),
            "wallet" => Some(Method::Wallet),
            _ => None,
        })
        .collect();
    if methods.is_empty() {
        return Err("no payment method this worker knows".into());
    }
    Ok(methods)
}

/// The buyer's choice from the pay form, if it is one of the methods offered.
pub fn chosen(offered: &[Method], field: Option<&str>) -> Option<Method> {
    match field {
        None | Some("") => offered.first().copied(),
        Some(f) => offered.iter().copied().find(|m| m.as_str() == f),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_methods_parse_in_order_and_unknown_ones_are_skipped() {
        assert_eq!(
            parse(r#"{"payment_methods":["wallet","paypay","card"]}"#),
            Ok(vec![Method::Wallet, Method::Card])
        );
        assert!(parse(r#"{"payment_methods":[]}"#).is_err());
        assert!(parse("card").is_err());
    }

    #[test]
    fn the_choice_must_be_offered() {
        let both = [Method::Card, Method::Wallet];
        assert_eq!(chosen(&both, Some("wallet")), Some(Method::Wallet));
        assert_eq!(chosen(&both, None), Some(Method::Card));
        assert_eq!(chosen(&[Method::Card], Some("wallet")), None);
        assert_eq!(chosen(&[Method::Wallet], Some("")), Some(Method::Wallet));
    }
}
