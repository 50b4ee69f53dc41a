//! The sandbox's signed notifications: after the buyer decides, the sandbox tells the
//! merchant (linkpay) on its own, as card gateways and wallets do, in case the buyer never
//! comes back. `Sandbox-Signature: t=<unix>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`.
//! The secret is derived from the edge secret, so there is nothing more to configure.

use super::store::Payment;
use hmac::{Hmac, Mac};
use linkpay_shared::SecretKey;
use serde::{Deserialize, Serialize};
use sha2::Sha256;

pub const SIGNATURE_HEADER: &str = "Sandbox-Signature";
/// Notifications older than this are refused, so a captured one cannot be replayed later.
pub const TOLERANCE_SECS: i64 = 300;

/// What a notification says: the payment as the sandbox holds it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Body {
    pub payment_id: String,
    pub status: String,
    pub amount_captured: i64,
    pub decline_code: Option<String>,
    pub card_brand: Option<String>,
    pub card_last4: Option<String>,
    pub authorized_until: Option<i64>,
}

impl Body {
    pub fn of(p: &Payment, now: i64) -> Body {
        Body {
            payment_id: p.id.clone(),
            status: p.status_at(now).to_owned(),
            amount_captured: p.amount_captured,
            decline_code: p.decline_code.clone(),
            card_brand: p.card_brand.clone(),
            card_last4: p.card_last4.clone(),
            authorized_until: p.authorized_until,
        }
    }
}

/// The key both sides derive from the edge secret.
pub fn secret(edge_secret: &SecretKey) -> Vec<u8> {
    mac(edge_secret.expose(), b"linkpay sandbox notifications v1")
}

fn mac(key: &[u8], msg: &[u8]) -> Vec<u8> {
    let mut m = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes any key length");
    m.update(msg);
    m.finalize().into_bytes().to_vec()
}

pub fn sign(secret: &[u8], ts: i64, body: &[u8]) -> String {
    let mut msg = format!("{ts}.").into_bytes();
    msg.extend_from_slice(body);
    format!(
        "t={ts},v1={}",
        linkpay_shared::hex::encode(&mac(secret, &msg))
    )
}

#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum VerifyError {
    #[error("missing or malformed {SIGNATURE_HEADER} header")]
    Malformed,
    #[error("signature timestamp outside the {TOLERANCE_SECS} s tolerance")]
    Stale,
    #[error("signature does not match")]
    Mismatch,
}

pub fn verify(
    secret: &[u8],
    header: Option<&str>,
    body: &[u8],
    now: i64,
) -> Result<(), VerifyError> {
    let header = header.ok_or(VerifyError::Malformed)?;
    let mut ts = None;
    let mut sig = None;
    for part in header.split(',') {
        match part.trim().split_once('=') {
            Some(("t", v)) => ts = v.parse::<i64>().ok(),
            Some(("v1", v)) => sig = linkpay_shared::hex::decode(v),
            _ => {}
        }
    }
    let (ts, sig) = ts.zip(sig).ok_or(VerifyError::Malformed)?;
    if (now - ts).abs() > TOLERANCE_SECS {
        return Err(VerifyError::Stale);
    }
    let mut m = Hmac::<Sha256>::new_from_slice(secret).expect("HMAC takes any key length");
    m.update(format!("{ts}.").as_bytes());
    m.update(body);
    m.verify_slice(&sig).map_err(|_| VerifyError::Mismatch)
}

/// One HTTP client for every notification of the process (it holds the connection pool).
fn client() -> &'static reqwest::Client {
    static CLIENT: std::sync::OnceLock<reqwest::Client> = std::sync::OnceLock::new();
    CLIENT.get_or_init(|| {
        reqwest::Client::builder()
            .timeout(std::time::Duration::from_secs(10))
            .build()
            .expect("a client with static settings")
    })
}

/// Sends the notification for `p` in the background; a lost one costs nothing, because the
/// buyer's return and the origin's sweeper both ask the sandbox anyway.
pub fn send(url: String, now: i64, secret: Vec<u8>, p: &Payment) {
    let body = match serde_json::to_vec(&Body::of(p, now)) {
        Ok(b) => b,
        Err(_) => return,
    };
    tokio::spawn(async move {
        let sent = client()
            .post(&url)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .header(SIGNATURE_HEADER, sign(&secret, now, &body))
            .body(body)
            .send()
            .await;
        if let Err(e) = sent {
            tracing::debug!(error = %e, "sandbox notification not delivered");
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signature_verifies_only_for_its_body_secret_and_time() {
        let secret = b"secret".to_vec();
        let sig = sign(&secret, 1_000, b"{}");
        assert_eq!(verify(&secret, Some(&sig), b"{}", 1_010), Ok(()));
        assert_eq!(
            verify(&secret, Some(&sig), b"{ }", 1_010),
            Err(VerifyError::Mismatch)
        );
        assert_eq!(
            verify(b"other", Some(&sig), b"{}", 1_010),
            Err(VerifyError::Mismatch)
        );
        assert_eq!(
            verify(&secret, Some(&sig), b"{}", 1_000 + TOLERANCE_SECS + 1),
            Err(VerifyError::Stale)
        );
        assert_eq!(
            verify(&secret, None, b"{}", 1_000),
            Err(VerifyError::Malformed)
        );
        assert_eq!(
            verify(&secret, Some("t=1000,v1=zz"), b"{}", 1_000),
            Err(VerifyError::Malformed)
        );
    }

    #[test]
    fn the_signature_is_hmac_sha256_of_timestamp_dot_body() {
        // printf '1700000000.{"a":1}' | openssl dgst -sha256 -hmac key
        assert_eq!(
            sign(b"key", 1_700_000_000, br#"{"a":1}"#),
            "t=1700000000,v1=a438e398bfafc57e4396bb7fc2304422f0f768e965d073ca313cb52e22e6ad03"
        );
    }
}
