//! The authenticated channel from the edge worker to the origin.
//!
//! Every edge → origin request carries
//! `linkpay-edge-timestamp: <unix seconds>` and
//! `linkpay-edge-signature: v1=<base64url(HMAC-SHA256(secret, DOMAIN || ts "\n" method "\n" path "\n" body))>`.
//! The origin refuses requests whose timestamp is more than [`TOLERANCE_SECS`] away from its
//! clock, which bounds replay; the operations behind the channel are safe to repeat.

use crate::secret::SecretKey;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::Mac;

pub const TIMESTAMP_HEADER: &str = "linkpay-edge-timestamp";
pub const SIGNATURE_HEADER: &str = "linkpay-edge-signature";
pub const TOLERANCE_SECS: i64 = 300;
const DOMAIN: &[u8] = b"linkpay/edge-channel/v1\0";

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ChannelError {
    #[error("edge request is missing its timestamp or signature")]
    Missing,
    #[error("edge request timestamp is outside the allowed window")]
    Stale,
    #[error("edge request signature does not match")]
    BadSignature,
}

fn mac(
    secret: &SecretKey,
    ts: i64,
    method: &str,
    path: &str,
    body: &[u8],
) -> hmac::Hmac<sha2::Sha256> {
    let mut m = crate::sealed::hmac(secret);
    m.update(DOMAIN);
    m.update(format!("{ts}\n{method}\n{path}\n").as_bytes());
    m.update(body);
    m
}

/// The value of the signature header for one request.
pub fn sign(secret: &SecretKey, ts: i64, method: &str, path: &str, body: &[u8]) -> String {
    let tag = mac(secret, ts, method, path, body).finalize().into_bytes();
    format!("v1={}", URL_SAFE_NO_PAD.encode(tag))
}

/// Checks the two headers of a request received at `now`.
pub fn verify(
    secret: &SecretKey,
    timestamp: Option<&str>,
    signature: Option<&str>,
    method: &str,
    path: &str,
    body: &[u8],
    now: i64,
) -> Result<(), ChannelError> {
    let (Some(ts), Some(sig)) = (timestamp, signature) else {
        return Err(ChannelError::Missing);
    };
    let ts: i64 = ts.trim().parse().map_err(|_| ChannelError::Missing)?;
    if (now - ts).abs() > TOLERANCE_SECS {
        return Err(ChannelError::Stale);
    }
    let tag = sig
        .strip_prefix("v1=")
        .and_then(|b| URL_SAFE_NO_PAD.decode(b).ok())
        .ok_or(ChannelError::BadSignature)?;
    mac(secret, ts, method, path, body)
        .verify_slice(&tag)
        .map_err(|_| ChannelError::BadSignature)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signed_requests_verify_and_any_change_is_refused() {
        let key = SecretKey::new(vec![5; 32]).expect("key");
        let sig = sign(&key, 1000, "POST", "/internal/checkout", b"{}");
        let ok = |ts: &str, s: &str, path: &str, body: &[u8], now| {
            verify(&key, Some(ts), Some(s), "POST", path, body, now)
        };
        assert_eq!(ok("1000", &sig, "/internal/checkout", b"{}", 1000), Ok(()));
        assert_eq!(ok("1000", &sig, "/internal/checkout", b"{}", 1300), Ok(()));
        assert_eq!(
            ok("1000", &sig, "/internal/checkout", b"{}", 1301),
            Err(ChannelError::Stale)
        );
        // Another timestamp, path or body than was signed.
        for (ts, path, body) in [
            ("1001", "/internal/checkout", &b"{}"[..]),
            ("1000", "/internal/other", b"{}"),
            ("1000", "/internal/checkout", b"{ }"),
        ] {
            assert_eq!(
                ok(ts, &sig, path, body, 1000),
                Err(ChannelError::BadSignature),
                "{ts} {path}"
            );
        }
        assert_eq!(
            verify(&key, None, Some(&sig), "POST", "/", b"", 1000),
            Err(ChannelError::Missing)
        );
        let other = SecretKey::new(vec![6; 32]).expect("key");
        assert_eq!(
            verify(
                &other,
                Some("1000"),
                Some(&sig),
                "POST",
                "/internal/checkout",
                b"{}",
                1000
            ),
            Err(ChannelError::BadSignature)
        );
    }
}
