//! `base64url(payload) "." base64url(mac)`: the envelope shared by link and result tokens.

use crate::secret::SecretKey;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

pub(crate) fn hmac(key: &SecretKey) -> HmacSha256 {
    // HMAC accepts keys of any length, so this cannot fail.
    <HmacSha256 as Mac>::new_from_slice(key.expose()).expect("HMAC takes any key length")
}

pub fn mac(key: &SecretKey, domain: &[u8], payload: &[u8]) -> [u8; 32] {
    let mut m = hmac(key);
    m.update(domain);
    m.update(payload);
    m.finalize().into_bytes().into()
}

/// Constant-time comparison through `Mac::verify_slice`.
pub fn mac_matches(key: &SecretKey, domain: &[u8], payload: &[u8], mac: &[u8]) -> bool {
    let mut m = hmac(key);
    m.update(domain);
    m.update(payload);
    m.verify_slice(mac).is_ok()
}

/// Splits `payload.mac` and decodes both halves with strict base64url (no padding, no stray
/// trailing bits), so that each token has exactly one text form.
pub fn split(token: &[u8]) -> Option<(Vec<u8>, Vec<u8>)> {
    let dot = token.iter().position(|&b| b == b'.')?;
    let (p, m) = (&token[..dot], &token[dot + 1..]);
    let payload = URL_SAFE_NO_PAD.decode(p).ok()?;
    let mac = URL_SAFE_NO_PAD.decode(m).ok()?;
    if payload.is_empty() || mac.len() != 32 {
        return None;
    }
    Some((payload, mac))
}

/// Seals `payload` under `domain`.
pub fn seal(key: &SecretKey, domain: &[u8], payload: &[u8]) -> String {
    format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(payload),
        URL_SAFE_NO_PAD.encode(mac(key, domain, payload))
    )
}

/// Opens a sealed value; `None` if it is malformed, too long, or not sealed by `key` for `domain`.
pub fn open(key: &SecretKey, domain: &[u8], token: &[u8], max_len: usize) -> Option<Vec<u8>> {
    if token.len() > max_len {
        return None;
    }
    let (payload, mac) = split(token)?;
    mac_matches(key, domain, &payload, &mac).then_some(payload)
}
