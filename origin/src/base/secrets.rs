//! Secrets at rest. What linkpay must read back in plain text later (webhook and return-URL
//! signing secrets, and any credential it stores) goes into the database sealed with
//! XChaCha20-Poly1305 under a master key that lives outside it (`LINKPAY_MASTER_KEYS`), so a
//! copy of the database file or a backup reveals none of them.
//!
//! A sealed value is `lps1:<kid>:<base64url(nonce ‖ ciphertext ‖ tag)>`. The key id says which
//! master key sealed it, so keys rotate without downtime: a new key goes first in the list and
//! seals from then on, the old ones still open what they sealed, and `linkpay secrets rotate`
//! re-seals everything under the new one before the old key is dropped. Each value is sealed
//! for its place (`table/row id`, the associated data), so a sealed value copied into another
//! row does not open there.
//!
//! XChaCha20-Poly1305 (RustCrypto's `chacha20poly1305`) rather than AES-GCM: its 192-bit
//! nonces can be drawn at random for every seal with no risk of repeating, and it is
//! constant-time in software on machines without AES instructions.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use std::fmt;
use std::sync::Arc;

/// What every sealed value starts with.
pub const PREFIX: &str = "lps1:";
const NONCE_LEN: usize = 24;
const KEY_LEN: usize = 32;

/// The master keys, the first of which seals. Cheap to clone; never printed.
#[derive(Clone)]
pub struct MasterKeys {
    keys: Arc<[(String, XChaCha20Poly1305)]>,
}

impl fmt::Debug for MasterKeys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kids: Vec<&str> = self.keys.iter().map(|(kid, _)| kid.as_str()).collect();
        f.debug_struct("MasterKeys").field("kids", &kids).finish()
    }
}

/// Why a stored value does not open. The messages name the key id, never a secret.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OpenError {
    #[error("the value is not sealed (it does not start with {PREFIX})")]
    NotSealed,
    #[error("sealed under master key {0:?}, which LINKPAY_MASTER_KEYS does not hold")]
    UnknownKey(String),
    #[error("does not open under master key {0:?}: damaged, or sealed for another place")]
    Damaged(String),
}

impl MasterKeys {
    /// `kid:base64urlkey[,kid:base64urlkey…]`, each key exactly 32 random bytes; the first
    /// seals. Errors name the entry, never its key.
    pub fn parse(spec: &str) -> Result<MasterKeys, String> {
        let mut keys: Vec<(String, XChaCha20Poly1305)> = Vec::new();
        for (i, entry) in spec.split(',').map(str::trim).enumerate() {
            let n = i + 1;
            let (kid, key) = entry
                .split_once(':')
                .ok_or_else(|| format!("entry {n} must be written kid:base64urlkey"))?;
            check_kid(kid).map_err(|e| format!("entry {n}: {e}"))?;
            if keys.iter().any(|(k, _)| k == kid) {
                return Err(format!("key id {kid:?} is given twice"));
            }
            let key = URL_SAFE_NO_PAD
                .decode(key.trim())
                .ok()
                .filter(|k| k.len() == KEY_LEN)
                .ok_or_else(|| {
                    format!(
                        "key {kid:?} must be base64url (no padding) of exactly {KEY_LEN} random bytes; \
                         `linkpay secrets new-key` makes one"
                    )
                })?;
            let cipher = XChaCha20Poly1305::new_from_slice(&key)
                .map_err(|_| format!("key {kid:?} is not {KEY_LEN} bytes"))?;
            keys.push((kid.to_owned(), cipher));
        }
        Ok(MasterKeys { keys: keys.into() })
    }

    /// A new master key entry, `kid:base64urlkey`, from the operating system's randomness.
    pub fn new_entry(kid: &str) -> Result<String, String> {
        check_kid(kid)?;
        let key: [u8; KEY_LEN] = crate::base::ids::random_bytes();
        Ok(format!("{kid}:{}", URL_SAFE_NO_PAD.encode(key)))
    }

    /// The id of the key that seals.
    pub fn current_kid(&self) -> &str {
        &self.keys[0].0
    }

    /// Seals `plaintext` for `place` (`table/row id`) under the current key.
    pub fn seal(&self, place: &str, plaintext: &str) -> String {
        let (kid, cipher) = &self.keys[0];
        let nonce: [u8; NONCE_LEN] = crate::base::ids::random_bytes();
        let aad = associated_data(kid, place);
        let payload = Payload {
            msg: plaintext.as_bytes(),
            aad: aad.as_bytes(),
        };
        // Encryption fails only for messages beyond 256 GiB.
        let ciphertext = cipher
            .encrypt(XNonce::from_slice(&nonce), payload)
            .expect("XChaCha20-Poly1305 seals any secret of a sane size");
        let mut sealed = nonce.to_vec();
        sealed.extend_from_slice(&ciphertext);
        format!("{PREFIX}{kid}:{}", URL_SAFE_NO_PAD.encode(sealed))
    }

    /// Opens a value [`MasterKeys::seal`] made for the same `place`.
    pub fn open(&self, place: &str, stored: &str) -> Result<String, OpenError> {
        let (kid, body) = stored
            .strip_prefix(PREFIX)
            .and_then(|rest| rest.split_once(':'))
            .ok_or(OpenError::NotSealed)?;
        let cipher = self
            .keys
            .iter()
            .find(|(k, _)| k == kid)
            .map(|(_, c)| c)
            .ok_or_else(|| OpenError::UnknownKey(kid.to_owned()))?;
        let damaged = || OpenError::Damaged(kid.to_owned());
        let bytes = URL_SAFE_NO_PAD.decode(body).map_err(|_| damaged())?;
        if bytes.len() < NONCE_LEN {
            return Err(damaged());
        }
        let (nonce, ciphertext) = bytes.split_at(NONCE_LEN);
        let aad = associated_data(kid, place);
        let payload = Payload {
            msg: ciphertext,
            aad: aad.as_bytes(),
        };
        let plain = cipher
            .decrypt(XNonce::from_slice(nonce), payload)
            .map_err(|_| damaged())?;
        String::from_utf8(plain).map_err(|_| damaged())
    }

    /// Whether `stored` is sealed under the current key (so rotation can leave it alone).
    pub fn is_current(&self, stored: &str) -> bool {
        stored
            .strip_prefix(PREFIX)
            .and_then(|rest| rest.split_once(':'))
            .is_some_and(|(kid, _)| kid == self.current_kid())
    }
}

fn check_kid(kid: &str) -> Result<(), String> {
    let ok = !kid.is_empty()
        && kid.len() <= 32
        && kid
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
    if ok {
        Ok(())
    } else {
        Err("the key id must be 1-32 letters, digits, '_' or '-'".into())
    }
}

/// Whether a stored value is sealed at all (values written before sealing existed are not).
pub fn is_sealed(stored: &str) -> bool {
    stored.starts_with(PREFIX)
}

/// The key id is bound too, so a value cannot be relabelled with another key's id.
fn associated_data(kid: &str, place: &str) -> String {
    format!("{PREFIX}{kid}:{place}")
}

#[cfg(test)]
mod tests {
    use super::*;

    const K1: &str = "k1:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8";
    const K2: &str = "k2:ICEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6Ozw9Pj8";

    #[test]
    fn a_sealed_secret_opens_for_its_place_only() {
        let keys = MasterKeys::parse(K1).expect("keys");
        let sealed = keys.seal("webhook_endpoints/we_1", "whsec_abc");
        assert!(sealed.starts_with("lps1:k1:"), "{sealed}");
        assert!(!sealed.contains("whsec_abc"));
        assert_eq!(
            keys.open("webhook_endpoints/we_1", &sealed).as_deref(),
            Ok("whsec_abc")
        );
        assert_eq!(
            keys.open("webhook_endpoints/we_2", &sealed),
            Err(OpenError::Damaged("k1".into()))
        );
        // A fresh nonce every time: the same secret never seals the same way twice.
        assert_ne!(sealed, keys.seal("webhook_endpoints/we_1", "whsec_abc"));
    }

    #[test]
    fn tampering_relabelling_and_plain_text_are_refused() {
        let keys = MasterKeys::parse(&format!("{K1},{K2}")).expect("keys");
        let sealed = keys.seal("return_urls/ru_1", "rsec_x");
        let mut flipped = sealed.clone().into_bytes();
        let last = flipped.len() - 2;
        flipped[last] = if flipped[last] == b'A' { b'B' } else { b'A' };
        let flipped = String::from_utf8(flipped).expect("ascii");
        assert_eq!(
            keys.open("return_urls/ru_1", &flipped),
            Err(OpenError::Damaged("k1".into()))
        );
        let relabelled = sealed.replacen("lps1:k1:", "lps1:k2:", 1);
        assert_eq!(
            keys.open("return_urls/ru_1", &relabelled),
            Err(OpenError::Damaged("k2".into()))
        );
        assert_eq!(
            keys.open("return_urls/ru_1", "rsec_x"),
            Err(OpenError::NotSealed)
        );
        let only_k2 = MasterKeys::parse(K2).expect("keys");
        assert_eq!(
            only_k2.open("return_urls/ru_1", &sealed),
            Err(OpenError::UnknownKey("k1".into()))
        );
    }

    #[test]
    fn an_older_key_opens_what_it_sealed_and_the_first_one_seals() {
        let old = MasterKeys::parse(K1).expect("keys");
        let sealed = old.seal("t/1", "s");
        let rotated = MasterKeys::parse(&format!("{K2},{K1}")).expect("keys");
        assert_eq!(rotated.current_kid(), "k2");
        assert!(!rotated.is_current(&sealed));
        assert_eq!(rotated.open("t/1", &sealed).as_deref(), Ok("s"));
        assert!(rotated.is_current(&rotated.seal("t/1", "s")));
    }

    #[test]
    fn bad_key_lists_are_named_without_their_keys() {
        let short = "k1:AAECAwQ";
        for (spec, says) in [
            ("", "entry 1 must be written kid:base64urlkey"),
            (short, "key \"k1\" must be base64url"),
            (
                "k 1:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8",
                "entry 1: the key id",
            ),
            (&format!("{K1},{K1}"), "key id \"k1\" is given twice"),
            (&format!("{K1},oops"), "entry 2 must be written"),
        ] {
            let e = MasterKeys::parse(spec).expect_err(spec);
            assert!(e.contains(says), "{spec}: {e}");
            assert!(!e.contains("AAECAwQ"), "{e}");
        }
        let keys = MasterKeys::parse(K1).expect("keys");
        assert_eq!(format!("{keys:?}"), "MasterKeys { kids: [\"k1\"] }");
        let entry = MasterKeys::new_entry("k3").expect("entry");
        assert!(MasterKeys::new_entry("k 3").is_err());
        assert_eq!(
            MasterKeys::parse(&entry).expect("new entry").current_kid(),
            "k3"
        );
    }
}
