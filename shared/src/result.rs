//! The result token: how the origin tells the edge what to show after a payment, without the
//! edge calling back. The origin redirects the buyer to `/r/<token>` on the edge, sealed with
//! the edge channel secret under its own domain, so it cannot be forged or replayed as a link.

use crate::secret::SecretKey;
use crate::{Currency, Locale, sealed};
use serde::{Deserialize, Serialize};

const DOMAIN: &[u8] = b"linkpay/result/v1\0";
const MAX_LEN: usize = 3072;
/// A result page stays viewable this long after the payment (a receipt the buyer may reload).
pub const VALID_SECS: i64 = 24 * 3600;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Paid,
    Declined,
    Failed,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaymentResult {
    pub charge_id: String,
    pub link_id: String,
    pub outcome: Outcome,
    pub amount: i64,
    pub currency: Currency,
    pub title: String,
    pub merchant_name: String,
    /// Provider's reason code when not paid, e.g. `card_declined`, `insufficient_funds`.
    pub failure_code: Option<String>,
    pub card_brand: Option<String>,
    pub card_last4: Option<String>,
    pub locale: Locale,
    pub issued_at: i64,
}

impl PaymentResult {
    pub fn seal(&self, key: &SecretKey) -> String {
        // Serializing a plain struct of strings and numbers cannot fail.
        let json = serde_json::to_vec(self).unwrap_or_default();
        sealed::seal(key, DOMAIN, &json)
    }

    /// Opens a result token; `None` if forged, malformed or older than [`VALID_SECS`].
    pub fn open(key: &SecretKey, token: &[u8], now: i64) -> Option<PaymentResult> {
        let json = sealed::open(key, DOMAIN, token, MAX_LEN)?;
        let r: PaymentResult = serde_json::from_slice(&json).ok()?;
        (now - r.issued_at <= VALID_SECS && r.issued_at <= now + 60).then_some(r)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> PaymentResult {
        PaymentResult {
            charge_id: "ch_1".into(),
            link_id: "lnk_1".into(),
            outcome: Outcome::Paid,
            amount: 1500,
            currency: Currency::Jpy,
            title: "Order".into(),
            merchant_name: "Demo".into(),
            failure_code: None,
            card_brand: Some("visa".into()),
            card_last4: Some("4242".into()),
            locale: Locale::En,
            issued_at: 1000,
        }
    }

    #[test]
    fn round_trips_and_refuses_forgery_and_age() {
        let key = SecretKey::new(vec![1; 32]).expect("key");
        let token = sample().seal(&key);
        assert_eq!(
            PaymentResult::open(&key, token.as_bytes(), 1000),
            Some(sample())
        );
        assert_eq!(
            PaymentResult::open(&key, token.as_bytes(), 1000 + VALID_SECS + 1),
            None
        );
        let other = SecretKey::new(vec![2; 32]).expect("key");
        assert_eq!(PaymentResult::open(&other, token.as_bytes(), 1000), None);
        let mut flipped = token.into_bytes();
        flipped[3] ^= 1;
        assert_eq!(PaymentResult::open(&key, &flipped, 1000), None);
    }

    #[test]
    fn a_link_token_mac_is_not_a_result_mac() {
        // Same key, same bytes, different domain: must not open.
        let key = SecretKey::new(vec![1; 32]).expect("key");
        let json = serde_json::to_vec(&sample()).expect("json");
        let as_link = sealed::seal(&key, crate::token::DOMAIN, &json);
        assert_eq!(PaymentResult::open(&key, as_link.as_bytes(), 1000), None);
    }
}
