//! The signed link token: `base64url(payload) "." base64url(HMAC-SHA256(key[kid], DOMAIN || payload))`.
//!
//! Payload layout (all integers big-endian; see docs/token-format.md):
//!
//! ```text
//! version:u8 (=1) | kid_len:u8 | kid (1..=32 bytes, [A-Za-z0-9_-])
//! then claims, each  tag:u8 | len:u16 | value,  in strictly ascending tag order
//! ```
//!
//! The encoding is canonical (one byte string per claim set): strictly ascending tags, no
//! duplicates, fixed-width integers, strict base64 with no padding and no stray bits. Unknown
//! tags are rejected rather than skipped, so an old verifier never shows a link whose terms it
//! does not understand. Only the version and kid are read before the MAC is checked.

use crate::money::{Currency, Money};
use crate::secret::SecretKey;
use crate::{Locale, sealed};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use wire::{decode_claims, encode_payload, read_header};

mod wire;

pub const VERSION: u8 = 1;
/// Domain separation: a MAC made for a link can never pass as any other linkpay signature.
pub const DOMAIN: &[u8] = b"linkpay/link/v1\0";
/// Longest token accepted, in bytes of its text form. Checked before any decoding.
pub const MAX_TOKEN_LEN: usize = 3072;

pub const MAX_TITLE_CHARS: usize = 100;
pub const MAX_DESCRIPTION_CHARS: usize = 300;
pub const MAX_REFERENCE_CHARS: usize = 64;
pub const MAX_MERCHANT_NAME_CHARS: usize = 80;
pub const MAX_FREE_CHARS: usize = 100;
/// Most completed payments a limited multi-use link may take.
pub const MAX_USE_LIMIT: u32 = 1_000_000;
const MAX_ID_LEN: usize = 64;
const MAX_KID_LEN: usize = 32;

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Usage {
    SingleUse,
    MultiUse,
    /// Multi use up to this many completed payments (2..=`MAX_USE_LIMIT`).
    Limited(u32),
}

impl Usage {
    /// How many completed payments the link may take; `None` is unlimited.
    pub fn limit(self) -> Option<u32> {
        match self {
            Usage::SingleUse => Some(1),
            Usage::MultiUse => None,
            Usage::Limited(n) => Some(n),
        }
    }
}

/// What the buyer pays: a fixed amount, or one they choose within bounds (donations, tips,
/// "pay what you owe"). Bounds are inclusive and always explicit in the token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Amount {
    Fixed(Money),
    BuyerChosen {
        currency: Currency,
        min: i64,
        max: i64,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AmountChoiceError {
    #[error("the amount must be at least {}", .0.format(Locale::En))]
    BelowMinimum(Money),
    #[error("the amount must be at most {}", .0.format(Locale::En))]
    AboveMaximum(Money),
    #[error("this link has a fixed amount")]
    Fixed,
    #[error("enter the amount to pay")]
    Missing,
}

impl Amount {
    pub fn currency(&self) -> Currency {
        match self {
            Amount::Fixed(m) => m.currency(),
            Amount::BuyerChosen { currency, .. } => *currency,
        }
    }

    pub fn fixed(&self) -> Option<Money> {
        match self {
            Amount::Fixed(m) => Some(*m),
            Amount::BuyerChosen { .. } => None,
        }
    }

    /// Checks a buyer's chosen amount (minor units) against the bounds.
    pub fn choose(&self, minor: i64) -> Result<Money, AmountChoiceError> {
        let Amount::BuyerChosen { currency, min, max } = *self else {
            return Err(AmountChoiceError::Fixed);
        };
        let money = |m| Money::new(m, currency).expect("bounds are valid amounts");
        if minor < min {
            return Err(AmountChoiceError::BelowMinimum(money(min)));
        }
        if minor > max {
            return Err(AmountChoiceError::AboveMaximum(money(max)));
        }
        Ok(money(minor))
    }

    /// The amount to charge: the fixed amount, or the buyer's choice checked against the bounds.
    pub fn resolve(&self, chosen: Option<i64>) -> Result<Money, AmountChoiceError> {
        match (self, chosen) {
            (Amount::Fixed(m), None) => Ok(*m),
            (Amount::Fixed(m), Some(c)) if c == m.minor() => Ok(*m),
            (Amount::Fixed(_), Some(_)) => Err(AmountChoiceError::Fixed),
            (Amount::BuyerChosen { .. }, None) => Err(AmountChoiceError::Missing),
            (Amount::BuyerChosen { .. }, Some(c)) => self.choose(c),
        }
    }
}

/// What a link promises. Everything the pay page shows comes from here, so the edge needs no
/// database to render it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkClaims {
    pub link_id: String,
    pub merchant_id: String,
    pub merchant_name: String,
    pub amount: Amount,
    /// Unix seconds. The link is refused from this instant on.
    pub expires_at: i64,
    pub usage: Usage,
    pub title: String,
    pub description: Option<String>,
    pub reference: Option<String>,
    pub locale: Locale,
    /// Merchant's free text fields. Links made through the API keep these in the database;
    /// only offline-signed links carry them here, where whoever holds the link can read them.
    pub free: [Option<String>; 3],
    /// Key–value pairs, keys strictly ascending (see `metadata`). Offline-signed links only,
    /// for the same reason as `free`.
    pub metadata: Vec<(String, String)>,
    /// A live link takes real money; a test link only test payments. Only a key of the same
    /// mode signs it (see [`Keyring`]).
    pub livemode: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    #[error("token is longer than {MAX_TOKEN_LEN} bytes")]
    TooLong,
    #[error("token is not two base64url parts")]
    BadEncoding,
    #[error("token version {0} is not supported")]
    UnsupportedVersion(u8),
    #[error("token was signed with an unknown key")]
    UnknownKey,
    #[error("token signature does not match")]
    BadSignature,
    #[error("token claims are malformed: {0}")]
    BadClaims(&'static str),
    #[error("token currency is not supported")]
    UnsupportedCurrency,
    #[error("token amount is out of range")]
    AmountOutOfRange,
    #[error("link has expired")]
    Expired,
    #[error("the key ring has no {} key to sign with", mode_name(*.0))]
    NoSigningKey(bool),
    #[error("token is a {} link but its key signs {} links", mode_name(*.claims), mode_name(!*.claims))]
    ModeMismatch { claims: bool },
}

/// `live` or `test`, as keys, links and messages name a mode.
pub fn mode_name(livemode: bool) -> &'static str {
    if livemode { "live" } else { "test" }
}

impl TokenError {
    /// A stable machine-readable name, used in test vectors and error responses.
    pub fn code(&self) -> &'static str {
        match self {
            TokenError::TooLong => "too_long",
            TokenError::BadEncoding => "bad_encoding",
            TokenError::UnsupportedVersion(_) => "unsupported_version",
            TokenError::UnknownKey => "unknown_key",
            TokenError::BadSignature => "bad_signature",
            TokenError::BadClaims(_) => "bad_claims",
            TokenError::UnsupportedCurrency => "unsupported_currency",
            TokenError::AmountOutOfRange => "amount_out_of_range",
            TokenError::Expired => "expired",
            TokenError::NoSigningKey(_) => "no_signing_key",
            TokenError::ModeMismatch { .. } => "mode_mismatch",
        }
    }
}

/// Signing keys by key id, each of one mode: test keys sign and verify test links, live keys
/// live ones, so a test key that leaks cannot make a link that takes real money. The first key
/// of each mode signs new links of that mode; every key in the ring verifies, so a rotated-out
/// key keeps old links working until it is removed (retired).
#[derive(Debug, Clone)]
pub struct Keyring {
    keys: Vec<RingKey>,
    current_test: Option<String>,
    current_live: Option<String>,
}

#[derive(Debug, Clone)]
pub struct RingKey {
    pub kid: String,
    pub key: SecretKey,
    pub livemode: bool,
}

impl Keyring {
    /// A ring of `keys` in order; the first key of each mode signs that mode's links.
    pub fn new(keys: Vec<RingKey>) -> Result<Keyring, String> {
        for (i, k) in keys.iter().enumerate() {
            if !valid_kid(k.kid.as_bytes()) {
                return Err(format!(
                    "{}: the key id must be 1-32 characters of A-Z a-z 0-9 _ -",
                    entry_name(&k.kid, i)
                ));
            }
            if keys[..i].iter().any(|other| other.kid == k.kid) {
                return Err(format!("key id {:?} appears twice", k.kid));
            }
        }
        if keys.is_empty() {
            return Err("no keys given".into());
        }
        let first = |live: bool| {
            keys.iter()
                .find(|k| k.livemode == live)
                .map(|k| k.kid.clone())
        };
        Ok(Keyring {
            current_test: first(false),
            current_live: first(true),
            keys,
        })
    }

    /// The same ring with `kid` signing its mode's links instead of that mode's first key.
    pub fn signing_with(mut self, kid: &str) -> Result<Keyring, String> {
        let live = self
            .keys
            .iter()
            .find(|k| k.kid == kid)
            .map(|k| k.livemode)
            .ok_or_else(|| format!("key id {kid:?} is not in the key ring"))?;
        let current = if live {
            &mut self.current_live
        } else {
            &mut self.current_test
        };
        *current = Some(kid.to_owned());
        Ok(self)
    }

    /// Parses `kid:base64urlkey[:live][,…]`: a key is a test key unless it ends in `:live`.
    /// The first key of each mode is the current one.
    pub fn parse(spec: &str) -> Result<Keyring, String> {
        let mut keys = Vec::new();
        for (i, entry) in spec
            .split(',')
            .map(str::trim)
            .filter(|e| !e.is_empty())
            .enumerate()
        {
            let mut parts = entry.split(':');
            let (Some(kid), Some(key)) = (parts.next(), parts.next()) else {
                return Err(
                    "each key must be written kid:base64urlkey (or kid:base64urlkey:live)".into(),
                );
            };
            let name = entry_name(kid, i);
            let livemode = match parts.next() {
                None | Some("test") => false,
                Some("live") => true,
                Some(_) => {
                    return Err(format!(
                        "{name}: the mode after the key must be live or test"
                    ));
                }
            };
            if parts.next().is_some() {
                return Err(format!("{name}: expected kid:base64urlkey[:live]"));
            }
            let key = SecretKey::from_base64url(key).map_err(|e| format!("{name}: {e}"))?;
            keys.push(RingKey {
                kid: kid.to_owned(),
                key,
                livemode,
            });
        }
        Keyring::new(keys)
    }

    /// The key that signs new links of this mode, if the ring has one.
    pub fn current_kid(&self, livemode: bool) -> Option<&str> {
        if livemode {
            self.current_live.as_deref()
        } else {
            self.current_test.as_deref()
        }
    }

    fn key(&self, kid: &[u8]) -> Option<&RingKey> {
        self.keys.iter().find(|k| k.kid.as_bytes() == kid)
    }

    /// Signs claims with the current key of their mode.
    pub fn sign(&self, claims: &LinkClaims) -> Result<String, TokenError> {
        validate(claims)?;
        let kid = self
            .current_kid(claims.livemode)
            .ok_or(TokenError::NoSigningKey(claims.livemode))?;
        let key = self.key(kid.as_bytes()).ok_or(TokenError::UnknownKey)?;
        let token = sign_payload(&key.key, &encode_payload(kid, claims));
        if token.len() > MAX_TOKEN_LEN {
            return Err(TokenError::TooLong);
        }
        Ok(token)
    }

    /// Verifies a token as presented (any bytes), returning its claims if it is genuine,
    /// well formed and not expired at `now` (unix seconds).
    pub fn verify(&self, token: &[u8], now: i64) -> Result<LinkClaims, TokenError> {
        if token.len() > MAX_TOKEN_LEN {
            return Err(TokenError::TooLong);
        }
        let (payload, mac) = sealed::split(token).ok_or(TokenError::BadEncoding)?;
        let (kid, claims_bytes) = read_header(&payload)?;
        let key = self.key(kid).ok_or(TokenError::UnknownKey)?;
        if !sealed::mac_matches(&key.key, DOMAIN, &payload, &mac) {
            return Err(TokenError::BadSignature);
        }
        let claims = decode_claims(claims_bytes)?;
        if claims.livemode != key.livemode {
            return Err(TokenError::ModeMismatch {
                claims: claims.livemode,
            });
        }
        if now >= claims.expires_at {
            return Err(TokenError::Expired);
        }
        Ok(claims)
    }
}

/// Key ids as the format allows them: 1-32 of `A-Z a-z 0-9 _ -`.
/// How an error names a ring's entry: by its key id when that is well-formed, else by its
/// place, since a malformed one may be a secret written where the id belongs.
fn entry_name(kid: &str, index: usize) -> String {
    if valid_kid(kid.as_bytes()) {
        format!("key {kid:?}")
    } else {
        format!("entry {}", index + 1)
    }
}

pub fn valid_kid(kid: &[u8]) -> bool {
    (1..=MAX_KID_LEN).contains(&kid.len())
        && kid
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || *b == b'_' || *b == b'-')
}

fn valid_id(id: &str) -> bool {
    (1..=MAX_ID_LEN).contains(&id.len())
        && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

/// The rules every signed link obeys; also what the origin checks before it signs.
pub fn validate(c: &LinkClaims) -> Result<(), TokenError> {
    if !valid_id(&c.link_id) {
        return Err(TokenError::BadClaims("link_id"));
    }
    if !valid_id(&c.merchant_id) {
        return Err(TokenError::BadClaims("merchant_id"));
    }
    if !c.merchant_name.is_empty() {
        check_text(&c.merchant_name, MAX_MERCHANT_NAME_CHARS, "merchant_name")?;
    }
    if let Amount::BuyerChosen { currency, min, max } = c.amount
        && !(1 <= min && min <= max && max <= currency.max_minor())
    {
        return Err(TokenError::AmountOutOfRange);
    }
    if let Usage::Limited(n) = c.usage
        && !(2..=MAX_USE_LIMIT).contains(&n)
    {
        return Err(TokenError::BadClaims("usage"));
    }
    check_text(&c.title, MAX_TITLE_CHARS, "title")?;
    let optional = [
        (&c.description, MAX_DESCRIPTION_CHARS, "description"),
        (&c.reference, MAX_REFERENCE_CHARS, "reference"),
        (&c.free[0], MAX_FREE_CHARS, "free1"),
        (&c.free[1], MAX_FREE_CHARS, "free2"),
        (&c.free[2], MAX_FREE_CHARS, "free3"),
    ];
    for (value, max, field) in optional {
        if let Some(v) = value {
            check_text(v, max, field)?;
        }
    }
    crate::metadata::validate(&c.metadata).map_err(|_| TokenError::BadClaims("metadata"))?;
    // Canonical order, so one claim set has one encoding.
    if c.metadata.windows(2).any(|w| w[0].0 >= w[1].0) {
        return Err(TokenError::BadClaims("metadata"));
    }
    if c.expires_at <= 0 {
        return Err(TokenError::BadClaims("expires_at"));
    }
    Ok(())
}

/// Required text: not blank, at most `max` characters, no control characters.
fn check_text(s: &str, max: usize, field: &'static str) -> Result<(), TokenError> {
    let n = s.chars().count();
    if s.trim().is_empty() || n > max || s.chars().any(char::is_control) {
        return Err(TokenError::BadClaims(field));
    }
    Ok(())
}

fn sign_payload(key: &SecretKey, payload: &[u8]) -> String {
    let mac = sealed::mac(key, DOMAIN, payload);
    format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(payload),
        URL_SAFE_NO_PAD.encode(mac)
    )
}

/// The key id a token names, read without verifying it: for recording which key signed a
/// token that `Keyring::verify` has already accepted.
pub fn key_id(token: &str) -> Option<String> {
    let (payload, _) = sealed::split(token.as_bytes())?;
    let (kid, _) = read_header(&payload).ok()?;
    std::str::from_utf8(kid).ok().map(str::to_owned)
}

/// Building blocks for test vectors and fuzzing: signs an arbitrary payload, bypassing claim
/// validation, so that tests can produce genuinely signed tokens with bad contents.
#[doc(hidden)]
pub mod raw {
    use super::*;

    pub fn encode_payload(kid: &str, claims: &LinkClaims) -> Vec<u8> {
        super::encode_payload(kid, claims)
    }

    pub fn sign_payload(key: &SecretKey, payload: &[u8]) -> String {
        super::sign_payload(key, payload)
    }
}

#[cfg(test)]
mod tests;
