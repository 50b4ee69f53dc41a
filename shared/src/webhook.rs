//! Standard Webhooks signatures (<https://www.standardwebhooks.com>): what the origin signs
//! deliveries with, and what a merchant's Rust code can verify them with.
//!
//! `webhook-signature: v1,<base64(HMAC-SHA256(key, "{id}.{timestamp}.{body}"))>` where the key
//! is the base64 part of the endpoint secret `whsec_<base64>`.

use crate::secret::SecretKey;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::Mac;

pub const SECRET_PREFIX: &str = "whsec_";
/// How far a delivery's timestamp may be from the receiver's clock, as the spec recommends.
pub const DEFAULT_TOLERANCE_SECS: i64 = 5 * 60;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WebhookError {
    #[error("webhook secret must be whsec_ followed by base64 of at least 24 bytes")]
    BadSecret,
    #[error("webhook-timestamp is missing or not a number")]
    BadTimestamp,
    #[error("webhook-timestamp is outside the tolerance")]
    TimestampOutOfTolerance,
    #[error("no webhook-signature matches")]
    NoMatchingSignature,
}

impl WebhookError {
    /// A stable name, used in the test vectors (`shared/testdata/webhook-signature-vectors.json`).
    pub fn code(&self) -> &'static str {
        match self {
            WebhookError::BadSecret => "bad_secret",
            WebhookError::BadTimestamp => "bad_timestamp",
            WebhookError::TimestampOutOfTolerance => "timestamp_out_of_tolerance",
            WebhookError::NoMatchingSignature => "no_matching_signature",
        }
    }
}

/// An endpoint secret, `whsec_<base64>`. Its `Debug` hides the key.
#[derive(Debug, Clone)]
pub struct WebhookSecret(SecretKey);

impl WebhookSecret {
    pub fn parse(s: &str) -> Result<WebhookSecret, WebhookError> {
        let b64 = s
            .strip_prefix(SECRET_PREFIX)
            .ok_or(WebhookError::BadSecret)?;
        let bytes = STANDARD.decode(b64).map_err(|_| WebhookError::BadSecret)?;
        if bytes.len() < 24 {
            return Err(WebhookError::BadSecret);
        }
        // SecretKey wants 32 bytes for link keys; webhook secrets follow the spec's 24+.
        Ok(WebhookSecret(SecretKey::new_unchecked(bytes)))
    }

    /// Makes a secret from random bytes supplied by the caller (this crate has no RNG).
    pub fn from_random_bytes(bytes: [u8; 32]) -> WebhookSecret {
        WebhookSecret(SecretKey::new_unchecked(bytes.to_vec()))
    }

    pub fn to_whsec(&self) -> String {
        format!("{SECRET_PREFIX}{}", STANDARD.encode(self.0.expose()))
    }

    /// The `webhook-signature` value for one message: `v1,<base64>`.
    pub fn sign(&self, msg_id: &str, timestamp: i64, body: &[u8]) -> String {
        let mut m = crate::sealed::hmac(&self.0);
        m.update(format!("{msg_id}.{timestamp}.").as_bytes());
        m.update(body);
        format!("v1,{}", STANDARD.encode(m.finalize().into_bytes()))
    }

    /// Verifies the three headers against `body`. `signatures` is the header as sent: a
    /// space-separated list, any one of which may match (secret rotation sends two).
    pub fn verify(
        &self,
        msg_id: &str,
        timestamp: &str,
        signatures: &str,
        body: &[u8],
        now: i64,
        tolerance_secs: i64,
    ) -> Result<(), WebhookError> {
        let ts: i64 = timestamp
            .trim()
            .parse()
            .map_err(|_| WebhookError::BadTimestamp)?;
        if (now - ts).abs() > tolerance_secs {
            return Err(WebhookError::TimestampOutOfTolerance);
        }
        let mut m = crate::sealed::hmac(&self.0);
        m.update(format!("{msg_id}.{ts}.").as_bytes());
        m.update(body);
        for sig in signatures.split_whitespace() {
            let Some(b64) = sig.strip_prefix("v1,") else {
                continue;
            };
            let Ok(candidate) = STANDARD.decode(b64) else {
                continue;
            };
            if m.clone().verify_slice(&candidate).is_ok() {
                return Ok(());
            }
        }
        Err(WebhookError::NoMatchingSignature)
    }
}

#[cfg(test)]
mod vectors;

#[cfg(test)]
mod tests {
    use super::*;

    // The example from the Standard Webhooks specification's reference test suite.
    const SPEC_SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    const SPEC_ID: &str = "msg_p5jXN8AQM9LWM0D4loKWxJek";
    const SPEC_TS: i64 = 1614265330;
    const SPEC_BODY: &[u8] = br#"{"test": 2432232314}"#;
    const SPEC_SIG: &str = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";

    #[test]
    fn matches_the_specification_example() {
        let s = WebhookSecret::parse(SPEC_SECRET).expect("secret");
        assert_eq!(s.sign(SPEC_ID, SPEC_TS, SPEC_BODY), SPEC_SIG);
        assert_eq!(
            s.verify(
                SPEC_ID,
                &SPEC_TS.to_string(),
                SPEC_SIG,
                SPEC_BODY,
                SPEC_TS + 10,
                300
            ),
            Ok(())
        );
    }

    #[test]
    fn rejects_tampering_stale_timestamps_and_other_secrets() {
        let s = WebhookSecret::parse(SPEC_SECRET).expect("secret");
        let ts = SPEC_TS.to_string();
        assert_eq!(
            s.verify(SPEC_ID, &ts, SPEC_SIG, br#"{"test": 1}"#, SPEC_TS, 300),
            Err(WebhookError::NoMatchingSignature)
        );
        assert_eq!(
            s.verify("msg_other", &ts, SPEC_SIG, SPEC_BODY, SPEC_TS, 300),
            Err(WebhookError::NoMatchingSignature)
        );
        assert_eq!(
            s.verify(SPEC_ID, &ts, SPEC_SIG, SPEC_BODY, SPEC_TS + 301, 300),
            Err(WebhookError::TimestampOutOfTolerance)
        );
        assert_eq!(
            s.verify(SPEC_ID, "soon", SPEC_SIG, SPEC_BODY, SPEC_TS, 300),
            Err(WebhookError::BadTimestamp)
        );
        let other = WebhookSecret::from_random_bytes([9; 32]);
        assert_eq!(
            other.verify(SPEC_ID, &ts, SPEC_SIG, SPEC_BODY, SPEC_TS, 300),
            Err(WebhookError::NoMatchingSignature)
        );
        // Any one of several signatures may match (rotation overlap).
        let both = format!("{} {SPEC_SIG}", other.sign(SPEC_ID, SPEC_TS, SPEC_BODY));
        assert_eq!(
            s.verify(SPEC_ID, &ts, &both, SPEC_BODY, SPEC_TS, 300),
            Ok(())
        );
    }

    #[test]
    fn secrets_round_trip_and_bad_ones_are_refused() {
        let s = WebhookSecret::from_random_bytes([3; 32]);
        let text = s.to_whsec();
        assert!(text.starts_with("whsec_"));
        assert!(WebhookSecret::parse(&text).is_ok());
        assert_eq!(
            WebhookSecret::parse("sk_nope").err(),
            Some(WebhookError::BadSecret)
        );
        assert_eq!(
            WebhookSecret::parse("whsec_AAAA").err(),
            Some(WebhookError::BadSecret)
        );
        assert!(!format!("{s:?}").contains(&text[6..]));
    }
}
