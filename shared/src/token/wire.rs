//! The payload's bytes: the version, the key id and the claims as tag-length-value
//! fields in strictly ascending tag order (see the layout in `token.rs`).

use super::{Amount, LinkClaims, TokenError, Usage, VERSION, valid_kid, validate};
use crate::Locale;
use crate::money::{Currency, Money, MoneyError};

pub(super) mod tag {
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
    /// Present, as the one byte 1, on live links only.
    pub const LIVEMODE: u8 = 19;
    /// One past the highest tag this version understands.
    pub const END: usize = 20;
}

pub(super) fn encode_payload(kid: &str, c: &LinkClaims) -> Vec<u8> {
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
    if c.livemode {
        put(tag::LIVEMODE, &[1]);
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

pub(super) fn read_header(payload: &[u8]) -> Result<(&[u8], &[u8]), TokenError> {
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

pub(super) fn decode_claims(mut bytes: &[u8]) -> Result<LinkClaims, TokenError> {
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
    // Test links leave the claim out, so only the one byte 1 is canonical.
    let livemode = match fields[tag::LIVEMODE as usize] {
        None => false,
        Some([1]) => true,
        Some(_) => return Err(TokenError::BadClaims("livemode")),
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
        livemode,
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
