//! `Stripe-Signature: t=<unix>,v1=<hex>[,v1=<hex>…]`: HMAC-SHA256, keyed with the endpoint's
//! whole `whsec_…` secret, of `"{t}.{raw body}"`. Any `v1` may match (Stripe sends two while a
//! secret is rolled); other schemes are ignored. A timestamp more than [`TOLERANCE_SECS`] old
//! is refused, so a captured delivery cannot be replayed later.

use hmac::{Hmac, Mac};
use sha2::Sha256;

/// As Stripe's libraries default to.
pub const TOLERANCE_SECS: i64 = 300;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    #[error("no Stripe-Signature header with a timestamp and a v1 signature")]
    Malformed,
    #[error("no v1 signature matches the body")]
    Mismatch,
    #[error("the signature's timestamp is {0} s old, more than {TOLERANCE_SECS} s")]
    TooOld(i64),
}

/// Checks a delivery's signature header against its raw body at `now` (unix seconds).
pub fn verify(header: &str, body: &[u8], secret: &str, now: i64) -> Result<(), SignatureError> {
    let mut timestamp = None;
    let mut signatures = Vec::new();
    for part in header.split(',') {
        match part.trim().split_once('=') {
            Some(("t", t)) => timestamp = t.parse::<i64>().ok(),
            Some(("v1", sig)) => signatures.extend(linkpay_shared::hex::decode(sig)),
            _ => {}
        }
    }
    let t = timestamp.ok_or(SignatureError::Malformed)?;
    if signatures.is_empty() {
        return Err(SignatureError::Malformed);
    }
    let mac = |sig: &[u8]| {
        let mut m = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("any key length");
        m.update(t.to_string().as_bytes());
        m.update(b".");
        m.update(body);
        m.verify_slice(sig).is_ok()
    };
    if !signatures.iter().any(|s| mac(s)) {
        return Err(SignatureError::Mismatch);
    }
    if now - t > TOLERANCE_SECS {
        return Err(SignatureError::TooOld(now - t));
    }
    Ok(())
}

/// The header for `body` at `t`, as Stripe makes it (for tests and the fake's checks).
pub fn sign(body: &[u8], secret: &str, t: i64) -> String {
    let mut m = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("any key length");
    m.update(t.to_string().as_bytes());
    m.update(b".");
    m.update(body);
    format!(
        "t={t},v1={}",
        linkpay_shared::hex::encode(&m.finalize().into_bytes())
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "whsec_test_secret";
    const BODY: &[u8] = br#"{"id":"evt_1","type":"checkout.session.completed"}"#;

    #[test]
    fn a_fresh_signature_over_the_exact_body_verifies_and_nothing_else_does() {
        let header = sign(BODY, SECRET, 1_000);
        assert_eq!(
            verify(&header, BODY, SECRET, 1_000 + TOLERANCE_SECS),
            Ok(())
        );
        assert_eq!(
            verify(&header, BODY, SECRET, 1_001 + TOLERANCE_SECS),
            Err(SignatureError::TooOld(TOLERANCE_SECS + 1))
        );
        assert_eq!(
            verify(&header, b"{}", SECRET, 1_000),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(
            verify(&header, BODY, "whsec_other", 1_000),
            Err(SignatureError::Mismatch)
        );
        // Keyed with the whole secret, prefix included.
        assert_eq!(
            verify(&sign(BODY, "test_secret", 1_000), BODY, SECRET, 1_000),
            Err(SignatureError::Mismatch)
        );
        // A re-signed timestamp does not carry an old signature along.
        let v1 = header.split_once(",v1=").expect("v1").1;
        let moved = format!("t=2000,v1={v1}");
        assert_eq!(
            verify(&moved, BODY, SECRET, 2_000),
            Err(SignatureError::Mismatch)
        );
    }

    #[test]
    fn any_v1_may_match_and_other_schemes_are_ignored() {
        let good = sign(BODY, SECRET, 1_000);
        let v1 = good.split_once(",v1=").expect("v1").1;
        let header = format!("t=1000,v0=00ff,v1={},v1={v1}", "ab".repeat(32));
        assert_eq!(verify(&header, BODY, SECRET, 1_000), Ok(()));
        for malformed in ["", "t=1000", "v1=abcd", "t=x,v1=abcd", "t=1000,v0=abcd"] {
            assert_eq!(
                verify(malformed, BODY, SECRET, 1_000),
                Err(SignatureError::Malformed),
                "{malformed:?}"
            );
        }
    }
}
