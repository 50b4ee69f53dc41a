//! What the fake keeps per account, and the errors its operations answer.

use serde_json::{Map, Value, json};
use std::collections::{BTreeMap, HashMap};

/// Currencies whose smallest unit is the major unit, from Stripe's currencies page.
const ZERO_DECIMAL: &[&str] = &[
    "bif", "clp", "djf", "gnf", "jpy", "kmf", "krw", "mga", "pyg", "rwf", "ugx", "vnd", "vuv",
    "xaf", "xof", "xpf",
];

/// Currencies the fake takes (linkpay's eight and a few more), lowercase as Stripe wants.
const CURRENCIES: &[&str] = &[
    "jpy", "usd", "eur", "gbp", "thb", "sgd", "myr", "krw", "aud", "cad", "chf", "hkd", "nzd",
];

/// Stripe's minimum charge amounts in minor units, for the currencies the fake enforces one.
const MINIMUMS: &[(&str, i64)] = &[("jpy", 50), ("usd", 50), ("eur", 50), ("gbp", 30)];

pub fn is_currency(code: &str) -> bool {
    CURRENCIES.contains(&code)
}

pub fn minimum_amount(currency: &str) -> Option<i64> {
    MINIMUMS
        .iter()
        .find(|(c, _)| *c == currency)
        .map(|(_, m)| *m)
}

/// `¥50`, `$0.50 usd`: an amount as Stripe's messages show it.
pub fn display_amount(minor: i64, currency: &str) -> String {
    if ZERO_DECIMAL.contains(&currency) {
        let symbol = if currency == "jpy" { "¥" } else { "" };
        format!("{symbol}{minor} {currency}")
    } else {
        let symbol = match currency {
            "usd" | "sgd" | "aud" | "cad" | "hkd" | "nzd" => "$",
            "eur" => "€",
            "gbp" => "£",
            _ => "",
        };
        format!("{symbol}{}.{:02} {currency}", minor / 100, minor % 100)
    }
}

/// An error answer: the HTTP status and the `error` object.
#[derive(Debug, Clone)]
pub struct ApiError {
    pub status: u16,
    pub error: Value,
}

impl ApiError {
    pub fn new(
        status: u16,
        kind: &str,
        code: Option<&str>,
        param: Option<&str>,
        message: &str,
    ) -> ApiError {
        let mut error = json!({"type": kind, "message": message});
        if let Some(code) = code {
            error["code"] = json!(code);
            error["doc_url"] = json!(format!(
                "https://stripe.com/docs/error-codes/{}",
                code.replace('_', "-")
            ));
        }
        if let Some(param) = param {
            error["param"] = json!(param);
        }
        ApiError { status, error }
    }

    /// 400 `invalid_request_error`.
    pub fn invalid(code: Option<&str>, param: Option<&str>, message: &str) -> ApiError {
        ApiError::new(400, "invalid_request_error", code, param, message)
    }

    /// 404 `resource_missing` for an id in the path (`param` names the path parameter).
    pub fn missing(object: &str, id: &str, param: &str) -> ApiError {
        let message = format!("No such {object}: '{id}'");
        ApiError::new(
            404,
            "invalid_request_error",
            Some("resource_missing"),
            Some(param),
            &message,
        )
    }

    /// 400 `payment_intent_unexpected_state`.
    pub fn unexpected_state(message: &str) -> ApiError {
        ApiError::invalid(Some("payment_intent_unexpected_state"), None, message)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionStatus {
    Open,
    Complete,
    Expired,
}

#[derive(Debug, Clone)]
pub struct LineItem {
    pub name: String,
    pub unit_amount: i64,
    pub quantity: i64,
}

#[derive(Debug, Clone)]
pub struct Session {
    pub id: String,
    pub created: i64,
    pub expires_at: i64,
    pub status: SessionStatus,
    pub currency: String,
    pub amount_total: i64,
    pub line_items: Vec<LineItem>,
    pub success_url: String,
    pub cancel_url: Option<String>,
    pub client_reference_id: Option<String>,
    pub customer_email: Option<String>,
    /// The email the buyer gave on the page (or `customer_email`), once complete.
    pub buyer_email: Option<String>,
    pub locale: Option<String>,
    pub metadata: Map<String, Value>,
    pub payment_method_types: Vec<String>,
    /// `payment_intent_data`: capture method, metadata, description.
    pub capture_method: String,
    pub intent_metadata: Map<String, Value>,
    pub intent_description: Option<String>,
    /// Null until the buyer first submits a card, as Stripe creates it then.
    pub payment_intent: Option<String>,
}

/// A card as the buyer typed it, with what Stripe's test card of that number does.
#[derive(Debug, Clone)]
pub struct Card {
    pub last4: String,
    pub brand: &'static str,
    pub exp_month: u32,
    pub exp_year: u32,
    pub behaviour: Behaviour,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Behaviour {
    Succeeds,
    /// 3-D Secure first, then it succeeds if the buyer completes the challenge.
    ThreeDSecure,
    /// Declined: `(code, decline_code, message)`.
    Declined(&'static str, &'static str, &'static str),
}

#[derive(Debug, Clone)]
pub struct Intent {
    pub id: String,
    pub created: i64,
    pub session: String,
    pub amount: i64,
    pub currency: String,
    pub capture_method: String,
    pub status: &'static str,
    pub amount_capturable: i64,
    pub amount_received: i64,
    pub latest_charge: Option<String>,
    pub payment_method: Option<String>,
    pub metadata: Map<String, Value>,
    pub description: Option<String>,
    pub canceled_at: Option<i64>,
    pub cancellation_reason: Option<String>,
    pub last_payment_error: Option<Value>,
    /// The card waiting on its 3-D Secure challenge.
    pub challenged: Option<Card>,
}

#[derive(Debug, Clone)]
pub struct Charge {
    pub id: String,
    pub created: i64,
    pub payment_intent: String,
    pub amount: i64,
    pub currency: String,
    pub amount_captured: i64,
    pub amount_refunded: i64,
    pub captured: bool,
    pub succeeded: bool,
    pub failure: Option<(&'static str, &'static str, &'static str)>,
    pub card: Card,
    pub payment_method: String,
    pub three_d_secure: bool,
    pub metadata: Map<String, Value>,
    pub description: Option<String>,
    pub billing_email: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Refund {
    pub id: String,
    pub created: i64,
    pub amount: i64,
    pub currency: String,
    pub charge: String,
    pub payment_intent: String,
    pub reason: Option<String>,
    pub metadata: Map<String, Value>,
}

/// A merchant's webhook endpoint: where events go, signed with `secret`.
#[derive(Debug, Clone)]
pub struct Endpoint {
    pub url: String,
    pub secret: String,
}

/// An idempotent request's first answer, with what it was asked.
#[derive(Debug, Clone)]
pub struct Stored {
    pub method: String,
    pub path: String,
    pub params: Value,
    pub status: u16,
    pub body: Value,
    pub request_id: String,
}

#[derive(Debug, Default)]
pub struct Account {
    pub id: String,
    pub secret_key: String,
    pub created: i64,
    pub sessions: BTreeMap<String, Session>,
    pub intents: BTreeMap<String, Intent>,
    pub charges: BTreeMap<String, Charge>,
    pub refunds: BTreeMap<String, Refund>,
    pub idempotency: HashMap<String, Stored>,
    pub endpoints: Vec<Endpoint>,
    pub events: Vec<Value>,
}

impl Account {
    pub fn session(&self, id: &str, param: &str) -> Result<&Session, ApiError> {
        self.sessions
            .get(id)
            .ok_or_else(|| ApiError::missing("checkout.session", id, param))
    }

    pub fn intent(&self, id: &str, param: &str) -> Result<&Intent, ApiError> {
        self.intents
            .get(id)
            .ok_or_else(|| ApiError::missing("payment_intent", id, param))
    }

    /// Money this account holds: captured minus refunded, per currency.
    pub fn pending_balance(&self) -> BTreeMap<String, i64> {
        let mut by_currency = BTreeMap::new();
        for c in self.charges.values() {
            *by_currency.entry(c.currency.clone()).or_insert(0) +=
                c.amount_captured - c.amount_refunded;
        }
        by_currency
    }
}

/// Stripe's test cards (docs.stripe.com/testing): what each number does.
pub fn test_card(number: &str) -> Option<(&'static str, Behaviour)> {
    const DECLINED: &str = "Your card was declined.";
    let b = match number {
        "4242424242424242" | "4000056655665556" => ("visa", Behaviour::Succeeds),
        "5555555555554444" => ("mastercard", Behaviour::Succeeds),
        "378282246310005" => ("amex", Behaviour::Succeeds),
        "3566002020360505" => ("jcb", Behaviour::Succeeds),
        "4000002500003155" | "4000000000003220" | "4000002760003184" => {
            ("visa", Behaviour::ThreeDSecure)
        }
        "4000000000000002" => (
            "visa",
            Behaviour::Declined("card_declined", "generic_decline", DECLINED),
        ),
        "4000000000009995" => (
            "visa",
            Behaviour::Declined(
                "card_declined",
                "insufficient_funds",
                "Your card has insufficient funds.",
            ),
        ),
        "4000000000009987" => (
            "visa",
            Behaviour::Declined("card_declined", "lost_card", DECLINED),
        ),
        "4000000000009979" => (
            "visa",
            Behaviour::Declined("card_declined", "stolen_card", DECLINED),
        ),
        "4000000000000069" => (
            "visa",
            Behaviour::Declined("expired_card", "expired_card", "Your card has expired."),
        ),
        "4000000000000127" => (
            "visa",
            Behaviour::Declined(
                "incorrect_cvc",
                "incorrect_cvc",
                "Your card's security code is incorrect.",
            ),
        ),
        "4000000000000119" => (
            "visa",
            Behaviour::Declined(
                "processing_error",
                "processing_error",
                "An error occurred while processing your card. Try again in a little bit.",
            ),
        ),
        _ => return None,
    };
    Some(b)
}

/// A card number that passes the Luhn check.
pub fn luhn_ok(digits: &str) -> bool {
    let sum: u32 = digits
        .chars()
        .rev()
        .filter_map(|c| c.to_digit(10))
        .enumerate()
        .map(|(i, d)| {
            if i % 2 == 1 {
                if d * 2 > 9 { d * 2 - 9 } else { d * 2 }
            } else {
                d
            }
        })
        .sum();
    (12..=19).contains(&digits.len())
        && digits.chars().all(|c| c.is_ascii_digit())
        && sum.is_multiple_of(10)
}

/// The card a buyer typed: spaces allowed in the number, expiry `MM/YY` or `MM / YYYY`.
/// `Err` holds what Checkout would say under the field.
pub fn read_card(number: &str, expiry: &str, cvc: &str, now: i64) -> Result<Card, &'static str> {
    let digits: String = number.chars().filter(|c| !c.is_whitespace()).collect();
    if !luhn_ok(&digits) {
        return Err("Your card number is invalid.");
    }
    let expiry: String = expiry.chars().filter(|c| !c.is_whitespace()).collect();
    let (month, year) = expiry
        .split_once('/')
        .ok_or("Your card's expiration date is incomplete.")?;
    let month: u32 = month
        .parse()
        .map_err(|_| "Your card's expiration date is incomplete.")?;
    let year: u32 = year
        .parse()
        .map_err(|_| "Your card's expiration date is incomplete.")?;
    let year = if year < 100 { 2000 + year } else { year };
    if !(1..=12).contains(&month) {
        return Err("Your card's expiration date is invalid.");
    }
    let (this_year, this_month) = year_month(now);
    if (year, month) < (this_year, this_month) {
        return Err("Your card's expiration year is in the past.");
    }
    if !(3..=4).contains(&cvc.trim().len()) || !cvc.trim().chars().all(|c| c.is_ascii_digit()) {
        return Err("Your card's security code is incomplete.");
    }
    let (brand, behaviour) = test_card(&digits).unwrap_or((
        "visa",
        Behaviour::Declined(
            "card_declined",
            "test_mode_live_card",
            "Your card was declined. Your request was in test mode, but used a non test card. \
             For a list of valid test cards, visit: https://stripe.com/docs/testing.",
        ),
    ));
    Ok(Card {
        last4: digits[digits.len() - 4..].to_owned(),
        brand,
        exp_month: month,
        exp_year: year,
        behaviour,
    })
}

/// The (year, month) of unix seconds `t`, UTC.
fn year_month(t: i64) -> (u32, u32) {
    let z = t.div_euclid(86_400) + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year as u32, month as u32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_cards_with_spaces_and_knows_the_test_numbers() {
        let now = 1_796_302_351; // 2026-12
        let card = read_card("4000 0025 0000 3155", "12 / 30", "123", now).expect("valid");
        assert_eq!(
            (card.last4.as_str(), card.behaviour),
            ("3155", Behaviour::ThreeDSecure)
        );
        let declined = read_card("4000000000009995", "01/2031", "1234", now).expect("valid");
        assert!(matches!(
            declined.behaviour,
            Behaviour::Declined("card_declined", "insufficient_funds", _)
        ));
        assert!(read_card("4242 4242 4242 4241", "12/30", "123", now).is_err());
        assert!(read_card("4242424242424242", "11/26", "123", now).is_err());
        assert!(read_card("4242424242424242", "12/30", "1", now).is_err());
        assert_eq!(display_amount(50, "jpy"), "¥50 jpy");
        assert_eq!(display_amount(50, "usd"), "$0.50 usd");
    }
}
