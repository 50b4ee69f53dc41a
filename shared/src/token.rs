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

use crate::money::{Currency, Money, MoneyError};
use crate::secret::SecretKey;
use crate::{Locale, sealed};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

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

mod tag {
    pub const LINK_ID: u8 = 1;
    pub const MERCHANT_ID: u8 = 2;
    pub const MERCHANT_NAME: u8 = 3;
    pub const CURRENCY: u8 = 4;
    pub const AMOUNT: u8 = 5;
    pub const EXPIRES_AT: u8 = 6;
    pub const USAGE: u8 = 7;
    pub const TITLE: u8 = 8;
    pub const DESCRIPTION: u8 = 9;
    pub const REFERENCE: u8 = 10;
    pub const LOCALE: u8 = 11;
    pub const AMOUNT_MIN: u8 = 12;
    pub const AMOUNT_MAX: u8 = 13;
    pub const USE_LIMIT: u8 = 14;
    pub const FREE1: u8 = 15;
    pub const FREE2: u8 = 16;
    pub const FREE3: u8 = 17;
    pub const METADATA: u8 = 18;
    /// One past the highest tag this version understands.
    pub const END: usize = 19;
}

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
        }
    }
}

/// Signing keys by key id. `current` signs new links; every key in the ring verifies, so a
/// rotated-out key keeps old links working until it is removed (retired).
#[derive(Debug, Clone)]
pub struct Keyring {
    keys: Vec<(String, SecretKey)>,
    current: String,
}

impl Keyring {
    pub fn new(current: &str, keys: Vec<(String, SecretKey)>) -> Result<Keyring, String> {
        for (kid, _) in &keys {
            if !valid_kid(kid.as_bytes()) {
                return Err(format!(
                    "key id {kid:?} must be 1-32 characters of A-Z a-z 0-9 _ -"
                ));
            }
        }
        if !keys.iter().any(|(kid, _)| kid == current) {
            return Err(format!("current key id {current:?} is not in the key ring"));
        }
        Ok(Keyring {
            keys,
            current: current.to_owned(),
        })
    }

    /// Parses `kid:base64urlkey[,kid:base64urlkey…]`; the first entry is the current key.
    pub fn parse(spec: &str) -> Result<Keyring, String> {
        let mut keys = Vec::new();
        for entry in spec.split(',').map(str::trim).filter(|e| !e.is_empty()) {
            let (kid, key) = entry
                .split_once(':')
                .ok_or_else(|| "each key must be written kid:base64urlkey".to_owned())?;
            let key = SecretKey::from_base64url(key).map_err(|e| format!("key {kid:?}: {e}"))?;
            keys.push((kid.to_owned(), key));
        }
        let current = keys
            .first()
            .map(|(kid, _)| kid.clone())
            .ok_or_else(|| "no keys given".to_owned())?;
        Keyring::new(&current, keys)
    }

    pub fn current_kid(&self) -> &str {
        &self.current
    }

    fn key(&self, kid: &[u8]) -> Option<&SecretKey> {
        self.keys
            .iter()
            .find(|(k, _)| k.as_bytes() == kid)
            .map(|(_, key)| key)
    }

    /// Signs claims with the current key.
    pub fn sign(&self, claims: &LinkClaims) -> Result<String, TokenError> {
        validate(claims)?;
        let key = self
            .key(self.current.as_bytes())
            .ok_or(TokenError::UnknownKey)?;
        let token = sign_payload(key, &encode_payload(&self.current, claims));
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
        if !sealed::mac_matches(key, DOMAIN, &payload, &mac) {
            return Err(TokenError::BadSignature);
        }
        let claims = decode_claims(claims_bytes)?;
        if now >= claims.expires_at {
            return Err(TokenError::Expired);
        }
        Ok(claims)
    }
}

/// Key ids as the format allows them: 1-32 of `A-Z a-z 0-9 _ -`.
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

fn encode_payload(kid: &str, c: &LinkClaims) -> Vec<u8> {
    let mut out = vec![VERSION, kid.len() as u8];
    out.extend_from_slice(kid.as_bytes());
    let mut put = |tag: u8, value: &[u8]| {
        out.push(tag);
        out.extend_from_slice(&(value.len() as u16).to_be_bytes());
        out.extend_from_slice(value);
    };
    put(tag::LINK_ID, c.link_id.as_bytes());
    put(tag::MERCHANT_ID, c.merchant_id.as_bytes());
    if !c.merchant_name.is_empty() {
        put(tag::MERCHANT_NAME, c.merchant_name.as_bytes());
    }
    put(tag::CURRENCY, c.amount.currency().code().as_bytes());
    if let Amount::Fixed(m) = c.amount {
        put(tag::AMOUNT, &m.minor().to_be_bytes());
    }
    put(tag::EXPIRES_AT, &c.expires_at.to_be_bytes());
    put(
        tag::USAGE,
        &[match c.usage {
            Usage::SingleUse => 0,
            Usage::MultiUse => 1,
            Usage::Limited(_) => 2,
        }],
    );
    put(tag::TITLE, c.title.as_bytes());
    if let Some(d) = &c.description {
        put(tag::DESCRIPTION, d.as_bytes());
    }
    if let Some(r) = &c.reference {
        put(tag::REFERENCE, r.as_bytes());
    }
    put(tag::LOCALE, c.locale.tag().as_bytes());
    if let Amount::BuyerChosen { min, max, .. } = c.amount {
        put(tag::AMOUNT_MIN, &min.to_be_bytes());
        put(tag::AMOUNT_MAX, &max.to_be_bytes());
    }
    if let Usage::Limited(n) = c.usage {
        put(tag::USE_LIMIT, &n.to_be_bytes());
    }
    for (i, tag) in [tag::FREE1, tag::FREE2, tag::FREE3].into_iter().enumerate() {
        if let Some(f) = &c.free[i] {
            put(tag, f.as_bytes());
        }
    }
    if !c.metadata.is_empty() {
        put(tag::METADATA, &encode_metadata(&c.metadata));
    }
    out
}

/// `key_len:u8 key value_len:u16 value`, repeated, keys strictly ascending.
fn encode_metadata(pairs: &[(String, String)]) -> Vec<u8> {
    let mut out = Vec::new();
    for (k, v) in pairs {
        out.push(k.len() as u8);
        out.extend_from_slice(k.as_bytes());
        out.extend_from_slice(&(v.len() as u16).to_be_bytes());
        out.extend_from_slice(v.as_bytes());
    }
    out
}

fn decode_metadata(mut bytes: &[u8]) -> Result<Vec<(String, String)>, TokenError> {
    const BAD: TokenError = TokenError::BadClaims("metadata");
    let mut pairs = Vec::new();
    while !bytes.is_empty() {
        let (&klen, rest) = bytes.split_first().ok_or(BAD)?;
        let key = rest.get(..klen as usize).ok_or(BAD)?;
        let rest = &rest[klen as usize..];
        let vlen = rest.get(..2).ok_or(BAD)?;
        let vlen = u16::from_be_bytes([vlen[0], vlen[1]]) as usize;
        let value = rest.get(2..2 + vlen).ok_or(BAD)?;
        let text = |b: &[u8]| std::str::from_utf8(b).map(str::to_owned).map_err(|_| BAD);
        pairs.push((text(key)?, text(value)?));
        bytes = &rest[2 + vlen..];
    }
    if pairs.is_empty() {
        return Err(BAD);
    }
    Ok(pairs)
}

fn sign_payload(key: &SecretKey, payload: &[u8]) -> String {
    let mac = sealed::mac(key, DOMAIN, payload);
    format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(payload),
        URL_SAFE_NO_PAD.encode(mac)
    )
}

fn read_header(payload: &[u8]) -> Result<(&[u8], &[u8]), TokenError> {
    let (&version, rest) = payload.split_first().ok_or(TokenError::BadEncoding)?;
    if version != VERSION {
        return Err(TokenError::UnsupportedVersion(version));
    }
    let (&kid_len, rest) = rest.split_first().ok_or(TokenError::BadEncoding)?;
    let kid_len = kid_len as usize;
    if rest.len() < kid_len || !valid_kid(&rest[..kid_len]) {
        return Err(TokenError::BadEncoding);
    }
    Ok(rest.split_at(kid_len))
}

/// The key id a token names, read without verifying it: for recording which key signed a
/// token that `Keyring::verify` has already accepted.
pub fn key_id(token: &str) -> Option<String> {
    let (payload, _) = sealed::split(token.as_bytes())?;
    let (kid, _) = read_header(&payload).ok()?;
    std::str::from_utf8(kid).ok().map(str::to_owned)
}

fn decode_claims(mut bytes: &[u8]) -> Result<LinkClaims, TokenError> {
    let mut fields: [Option<&[u8]>; tag::END] = [None; tag::END];
    let mut last_tag = 0u8;
    while !bytes.is_empty() {
        if bytes.len() < 3 {
            return Err(TokenError::BadClaims("truncated claim"));
        }
        let tag = bytes[0];
        let len = u16::from_be_bytes([bytes[1], bytes[2]]) as usize;
        if tag <= last_tag {
            return Err(TokenError::BadClaims("claims out of order"));
        }
        if tag as usize >= fields.len() {
            return Err(TokenError::BadClaims("unknown claim"));
        }
        let value = bytes
            .get(3..3 + len)
            .ok_or(TokenError::BadClaims("truncated claim"))?;
        fields[tag as usize] = Some(value);
        last_tag = tag;
        bytes = &bytes[3 + len..];
    }
    let text = |t: u8, name: &'static str| -> Result<Option<String>, TokenError> {
        fields[t as usize]
            .map(|v| {
                std::str::from_utf8(v)
                    .map(str::to_owned)
                    .map_err(|_| TokenError::BadClaims(name))
            })
            .transpose()
    };
    let required = |t: u8, name: &'static str| -> Result<String, TokenError> {
        text(t, name)?.ok_or(TokenError::BadClaims(name))
    };
    let int = |t: u8, name: &'static str| -> Result<Option<i64>, TokenError> {
        fields[t as usize]
            .map(|v| {
                let arr: [u8; 8] = v.try_into().map_err(|_| TokenError::BadClaims(name))?;
                Ok(i64::from_be_bytes(arr))
            })
            .transpose()
    };

    let currency = Currency::from_code(&required(tag::CURRENCY, "currency")?)
        .filter(|c| {
            // Only the exact upper-case code is canonical.
            fields[tag::CURRENCY as usize] == Some(c.code().as_bytes())
        })
        .ok_or(TokenError::UnsupportedCurrency)?;
    let amount = match (
        int(tag::AMOUNT, "amount")?,
        int(tag::AMOUNT_MIN, "amount_min")?,
        int(tag::AMOUNT_MAX, "amount_max")?,
    ) {
        (Some(minor), None, None) => {
            Amount::Fixed(Money::new(minor, currency).map_err(|e| match e {
                MoneyError::NotPositive | MoneyError::OverMaximum { .. } => {
                    TokenError::AmountOutOfRange
                }
            })?)
        }
        (None, Some(min), Some(max)) => Amount::BuyerChosen { currency, min, max },
        _ => return Err(TokenError::BadClaims("amount")),
    };
    let usage = match (fields[tag::USAGE as usize], fields[tag::USE_LIMIT as usize]) {
        (Some([0]), None) => Usage::SingleUse,
        (Some([1]), None) => Usage::MultiUse,
        (Some([2]), Some(&[a, b, c, d])) => Usage::Limited(u32::from_be_bytes([a, b, c, d])),
        _ => return Err(TokenError::BadClaims("usage")),
    };
    let locale = match fields[tag::LOCALE as usize] {
        Some(b"ja") => Locale::Ja,
        Some(b"en") => Locale::En,
        _ => return Err(TokenError::BadClaims("locale")),
    };
    let merchant_name = text(tag::MERCHANT_NAME, "merchant_name")?;
    if merchant_name.as_deref() == Some("") {
        return Err(TokenError::BadClaims("merchant_name"));
    }
    let metadata = match fields[tag::METADATA as usize] {
        Some(bytes) => decode_metadata(bytes)?,
        None => Vec::new(),
    };
    let claims = LinkClaims {
        link_id: required(tag::LINK_ID, "link_id")?,
        merchant_id: required(tag::MERCHANT_ID, "merchant_id")?,
        merchant_name: merchant_name.unwrap_or_default(),
        amount,
        expires_at: int(tag::EXPIRES_AT, "expires_at")?
            .ok_or(TokenError::BadClaims("expires_at"))?,
        usage,
        title: required(tag::TITLE, "title")?,
        description: text(tag::DESCRIPTION, "description")?,
        reference: text(tag::REFERENCE, "reference")?,
        locale,
        free: [
            text(tag::FREE1, "free1")?,
            text(tag::FREE2, "free2")?,
            text(tag::FREE3, "free3")?,
        ],
        metadata,
    };
    // Empty optional claims are encoded by omission, so an empty value is non-canonical.
    let optional = [&claims.description, &claims.reference]
        .into_iter()
        .chain(claims.free.iter());
    for value in optional {
        if value.as_deref() == Some("") {
            return Err(TokenError::BadClaims("empty optional claim"));
        }
    }
    validate(&claims)?;
    Ok(claims)
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
