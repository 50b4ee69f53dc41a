//! The sandbox's test cards and the checks a card form makes before a provider sees a number.

/// What paying with a test card does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CardOutcome {
    Approve,
    Decline(&'static str),
    /// 3-D Secure: the buyer is sent to a challenge page first, then approved.
    Challenge,
    /// 3-D Secure passes, and the card is declined afterwards.
    ChallengeThenDecline(&'static str),
}

/// The published test cards (see docs/sandbox.md).
pub const TEST_CARDS: &[(&str, CardOutcome, &str)] = &[
    ("4242424242424242", CardOutcome::Approve, "Succeeds"),
    (
        "4000000000000002",
        CardOutcome::Decline("card_declined"),
        "Declined",
    ),
    (
        "4000000000009995",
        CardOutcome::Decline("insufficient_funds"),
        "Declined: insufficient funds",
    ),
    (
        "4000000000003220",
        CardOutcome::Challenge,
        "3-D Secure: succeeds if the challenge is passed",
    ),
    (
        "4000008400001629",
        CardOutcome::ChallengeThenDecline("card_declined"),
        "3-D Secure, then declined",
    ),
];

pub fn decline_message(code: &str) -> &'static str {
    match code {
        "insufficient_funds" => "The card has insufficient funds.",
        "expired_card" => "The card has expired.",
        "authentication_failed" => "The buyer did not pass 3-D Secure authentication.",
        "payment_canceled" => "The buyer canceled the payment on the wallet page.",
        _ => "The card was declined.",
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CardError {
    pub field: &'static str,
    pub message: &'static str,
}

/// A card the buyer typed, checked for shape. Holds the number only while the form is handled.
pub struct CardInput {
    digits: String,
}

/// Masked, so a stray `{:?}` can never put a card number in a log.
impl std::fmt::Debug for CardInput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "CardInput(****{})", self.last4())
    }
}

impl CardInput {
    /// Checks number (Luhn), expiry (MM/YY, not past at `now_year`/`now_month`) and CVC.
    pub fn parse(
        number: &str,
        expiry: &str,
        cvc: &str,
        now: (i32, u8),
    ) -> Result<CardInput, CardError> {
        let digits: String = number
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '-')
            .collect();
        if !(12..=19).contains(&digits.len())
            || !digits.bytes().all(|b| b.is_ascii_digit())
            || !luhn(&digits)
        {
            return Err(CardError {
                field: "number",
                message: "Enter a valid card number.",
            });
        }
        let (mm, yy) = expiry
            .trim()
            .split_once('/')
            .and_then(|(m, y)| Some((m.trim().parse::<u8>().ok()?, y.trim().parse::<i32>().ok()?)))
            .filter(|(m, _)| (1..=12).contains(m))
            .ok_or(CardError {
                field: "expiry",
                message: "Enter the expiry date as MM/YY.",
            })?;
        let year = if yy < 100 { 2000 + yy } else { yy };
        if (year, mm) < now {
            return Err(CardError {
                field: "expiry",
                message: "This card has expired.",
            });
        }
        let cvc = cvc.trim();
        if !(3..=4).contains(&cvc.len()) || !cvc.bytes().all(|b| b.is_ascii_digit()) {
            return Err(CardError {
                field: "cvc",
                message: "Enter the 3 or 4 digit security code.",
            });
        }
        Ok(CardInput { digits })
    }

    pub fn last4(&self) -> String {
        self.digits[self.digits.len() - 4..].to_owned()
    }

    pub fn brand(&self) -> &'static str {
        let d = self.digits.as_bytes();
        let prefix2: u32 = self.digits[..2].parse().unwrap_or(0);
        let prefix4: u32 = self.digits[..4].parse().unwrap_or(0);
        match d[0] {
            b'4' => "visa",
            b'5' if (51..=55).contains(&prefix2) => "mastercard",
            b'2' if (2221..=2720).contains(&prefix4) => "mastercard",
            b'3' if prefix2 == 34 || prefix2 == 37 => "amex",
            b'3' if (3528..=3589).contains(&prefix4) => "jcb",
            _ => "unknown",
        }
    }

    /// Test cards behave as published; any other valid number is refused, as a test-mode
    /// provider does, so a real card number is never "paid" here by mistake.
    pub fn outcome(&self) -> Option<CardOutcome> {
        TEST_CARDS
            .iter()
            .find(|(n, _, _)| *n == self.digits)
            .map(|(_, o, _)| *o)
    }
}

fn luhn(digits: &str) -> bool {
    let sum: u32 = digits
        .bytes()
        .rev()
        .enumerate()
        .map(|(i, b)| {
            let d = u32::from(b - b'0');
            if i % 2 == 1 {
                let x = d * 2;
                if x > 9 { x - 9 } else { x }
            } else {
                d
            }
        })
        .sum();
    sum.is_multiple_of(10)
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: (i32, u8) = (2026, 11);

    #[test]
    fn test_cards_decide_the_outcome() {
        let card = |n| CardInput::parse(n, "12/30", "123", NOW).expect("valid");
        assert_eq!(
            card("4242 4242 4242 4242").outcome(),
            Some(CardOutcome::Approve)
        );
        assert_eq!(
            card("4000 0000 0000 0002").outcome(),
            Some(CardOutcome::Decline("card_declined"))
        );
        assert_eq!(
            card("4000-0000-0000-9995").outcome(),
            Some(CardOutcome::Decline("insufficient_funds"))
        );
        assert_eq!(card("5555555555554444").outcome(), None);
        assert_eq!(card("4242424242424242").last4(), "4242");
        assert_eq!(card("4242424242424242").brand(), "visa");
        assert_eq!(card("5555555555554444").brand(), "mastercard");
        assert_eq!(card("378282246310005").brand(), "amex");
        assert_eq!(card("3530111333300000").brand(), "jcb");
    }

    #[test]
    fn bad_input_names_the_field() {
        let field = |n, e, c| CardInput::parse(n, e, c, NOW).err().map(|e| e.field);
        assert_eq!(field("4242424242424241", "12/30", "123"), Some("number"));
        assert_eq!(field("4242", "12/30", "123"), Some("number"));
        assert_eq!(field("4242x24242424242", "12/30", "123"), Some("number"));
        assert_eq!(field("4242424242424242", "13/30", "123"), Some("expiry"));
        assert_eq!(field("4242424242424242", "10/26", "123"), Some("expiry"));
        assert_eq!(field("4242424242424242", "1230", "123"), Some("expiry"));
        assert_eq!(field("4242424242424242", "11/26", "12"), Some("cvc"));
        assert_eq!(field("4242424242424242", "11/26", "12a"), Some("cvc"));
        assert_eq!(field("4242424242424242", "11/26", "1234"), None);
    }

    #[test]
    fn debug_masks_the_number() {
        let c = CardInput::parse("4000000000009995", "12/30", "123", NOW).expect("valid");
        assert_eq!(format!("{c:?}"), "CardInput(****9995)");
    }
}
