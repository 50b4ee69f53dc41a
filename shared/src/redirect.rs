//! The signed redirect back to a merchant's registered return URL: the fields the buyer's
//! browser carries there after paying (by GET query or auto-submitted POST form), and how the
//! merchant's server checks they came from linkpay.
//!
//! Signature v1:
//! - the fields are [`FIELDS`]: every one is always sent, empty when there is no value;
//! - the canonical string is the fields sorted by name (bytewise), each `name=value` with the
//!   value's UTF-8 bytes percent-encoded per RFC 3986 (everything but `A-Z a-z 0-9 - . _ ~`
//!   becomes `%XX`, upper-case hex), joined by `&`;
//! - `signature = "v1=" + lowercase hex(HMAC-SHA256(key, canonical))`, where the key is the
//!   return URL's whole secret string `rsec_…` as UTF-8 bytes.
//!
//! Other parameters (the merchant's own query on the URL) are not signed and are ignored by
//! [`verify`]. See docs/redirects.md.

use crate::secret::SecretKey;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::Mac;

pub const SECRET_PREFIX: &str = "rsec_";
/// How far the `timestamp` may be from the merchant's clock. The browser follows the redirect
/// within seconds; the rest is clock skew.
pub const DEFAULT_TOLERANCE_SECS: i64 = 5 * 60;
pub const SIGNATURE_FIELD: &str = "signature";
/// The signed fields of v1, in canonical (sorted) order.
pub const FIELDS: [&str; 11] = [
    "amount",
    "charge_id",
    "currency",
    "email",
    "free1",
    "free2",
    "free3",
    "link_id",
    "rc",
    "reference",
    "timestamp",
];

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RedirectError {
    #[error("return URL secret must be rsec_ followed by at least 32 base64url characters")]
    BadSecret,
    #[error("the redirect has no {0} field")]
    MissingField(&'static str),
    #[error("the redirect has the {0} field more than once")]
    DuplicateField(&'static str),
    #[error("timestamp is not a number")]
    BadTimestamp,
    #[error("timestamp is outside the tolerance")]
    TimestampOutOfTolerance,
    #[error("the signature does not match")]
    NoMatchingSignature,
}

impl RedirectError {
    /// A stable name, used in the test vectors (`shared/testdata/redirect-signature-vectors.json`).
    pub fn code(&self) -> &'static str {
        match self {
            RedirectError::BadSecret => "bad_secret",
            RedirectError::MissingField(_) => "missing_field",
            RedirectError::DuplicateField(_) => "duplicate_field",
            RedirectError::BadTimestamp => "bad_timestamp",
            RedirectError::TimestampOutOfTolerance => "timestamp_out_of_tolerance",
            RedirectError::NoMatchingSignature => "no_matching_signature",
        }
    }
}

/// `rc`: what happened to the payment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResultCode {
    /// `0`: paid.
    Ok,
    /// `9`: not paid (declined, failed or expired).
    Failed,
}

impl ResultCode {
    pub fn as_str(self) -> &'static str {
        match self {
            ResultCode::Ok => "0",
            ResultCode::Failed => "9",
        }
    }
}

/// What the buyer's browser carries back, before signing and after verifying.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReturnFields {
    pub rc: ResultCode,
    /// The link's reference (the merchant's order number); empty if it has none.
    pub reference: String,
    pub link_id: String,
    pub charge_id: String,
    /// Minor units.
    pub amount: i64,
    /// ISO 4217, upper case.
    pub currency: String,
    /// The buyer's email from the pay page; empty if none was given.
    pub email: String,
    pub free: [String; 3],
    /// Unix seconds, when the origin sent the buyer back.
    pub timestamp: i64,
}

impl ReturnFields {
    /// `(name, value)` for every signed field, in canonical order.
    pub fn pairs(&self) -> [(&'static str, String); 11] {
        let [free1, free2, free3] = self.free.clone();
        [
            ("amount", self.amount.to_string()),
            ("charge_id", self.charge_id.clone()),
            ("currency", self.currency.clone()),
            ("email", self.email.clone()),
            ("free1", free1),
            ("free2", free2),
            ("free3", free3),
            ("link_id", self.link_id.clone()),
            ("rc", self.rc.as_str().to_owned()),
            ("reference", self.reference.clone()),
            ("timestamp", self.timestamp.to_string()),
        ]
    }

    /// The signed fields plus `signature`, ready for a query string or a form.
    pub fn signed_pairs(&self, secret: &ReturnSecret) -> Vec<(&'static str, String)> {
        let mut out = self.pairs().to_vec();
        out.push((SIGNATURE_FIELD, secret.sign(&self.pairs())));
        out
    }
}

/// A return URL's signing secret, `rsec_<base64url>`. Its `Debug` hides it.
#[derive(Debug, Clone)]
pub struct ReturnSecret(SecretKey);

impl ReturnSecret {
    pub fn parse(s: &str) -> Result<ReturnSecret, RedirectError> {
        let body = s
            .strip_prefix(SECRET_PREFIX)
            .ok_or(RedirectError::BadSecret)?;
        let base64url = |b: u8| b.is_ascii_alphanumeric() || b == b'-' || b == b'_';
        if body.len() < 32 || !body.bytes().all(base64url) {
            return Err(RedirectError::BadSecret);
        }
        // The whole text is the key, so that a merchant can use it as it is shown.
        Ok(ReturnSecret(SecretKey::new_unchecked(
            s.as_bytes().to_vec(),
        )))
    }

    /// Makes a secret from random bytes supplied by the caller (this crate has no RNG).
    pub fn from_random_bytes(bytes: [u8; 32]) -> ReturnSecret {
        let text = format!("{SECRET_PREFIX}{}", URL_SAFE_NO_PAD.encode(bytes));
        ReturnSecret(SecretKey::new_unchecked(text.into_bytes()))
    }

    /// The secret as shown to the merchant once.
    pub fn expose(&self) -> &str {
        // Built only from ASCII text above.
        std::str::from_utf8(self.0.expose()).unwrap_or_default()
    }

    fn mac(&self, canonical: &str) -> hmac::Hmac<sha2::Sha256> {
        let mut m = crate::sealed::hmac(&self.0);
        m.update(canonical.as_bytes());
        m
    }

    /// `v1=<hex>` over the canonical string of `pairs` (which need not be sorted).
    pub fn sign(&self, pairs: &[(&str, String)]) -> String {
        let tag = self.mac(&canonical(pairs)).finalize().into_bytes();
        format!("v1={}", crate::hex::encode(&tag))
    }
}

/// The string that is signed: pairs sorted by name, `name=value` percent-encoded, joined by `&`.
pub fn canonical(pairs: &[(&str, String)]) -> String {
    let mut sorted: Vec<&(&str, String)> = pairs.iter().collect();
    sorted.sort_by(|a, b| a.0.cmp(b.0));
    sorted
        .iter()
        .map(|(name, value)| format!("{}={}", percent_encode(name), percent_encode(value)))
        .collect::<Vec<_>>()
        .join("&")
}

/// RFC 3986 percent-encoding of UTF-8: only unreserved characters stay as they are.
pub fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Checks a redirect as the merchant's server received it: `params` are the decoded
/// `(name, value)` pairs of the query string or the POST form, in any order, including any
/// of the merchant's own (ignored). Returns the fields once the signature and timestamp pass.
pub fn verify<'a>(
    secret: &ReturnSecret,
    params: impl IntoIterator<Item = (&'a str, &'a str)>,
    now: i64,
    tolerance_secs: i64,
) -> Result<ReturnFields, RedirectError> {
    let mut values: [Option<&str>; 11] = [None; 11];
    let mut signature = None;
    for (name, value) in params {
        let slot = if name == SIGNATURE_FIELD {
            &mut signature
        } else if let Some(i) = FIELDS.iter().position(|f| *f == name) {
            &mut values[i]
        } else {
            continue;
        };
        if slot.replace(value).is_some() {
            let name = FIELDS
                .iter()
                .find(|f| **f == name)
                .copied()
                .unwrap_or(SIGNATURE_FIELD);
            return Err(RedirectError::DuplicateField(name));
        }
    }
    let mut got = [""; 11];
    for (i, v) in values.iter().enumerate() {
        got[i] = v.ok_or(RedirectError::MissingField(FIELDS[i]))?;
    }
    let signature = signature.ok_or(RedirectError::MissingField(SIGNATURE_FIELD))?;
    let field = |name: &str| {
        FIELDS
            .iter()
            .position(|f| *f == name)
            .map_or("", |i| got[i])
    };
    let timestamp: i64 = field("timestamp")
        .parse()
        .map_err(|_| RedirectError::BadTimestamp)?;
    if (now - timestamp).abs() > tolerance_secs {
        return Err(RedirectError::TimestampOutOfTolerance);
    }
    let pairs: Vec<(&str, String)> = FIELDS
        .iter()
        .zip(got)
        .map(|(n, v)| (*n, v.to_owned()))
        .collect();
    let expected = secret.mac(&canonical(&pairs));
    let tag = signature
        .strip_prefix("v1=")
        .and_then(crate::hex::decode)
        .ok_or(RedirectError::NoMatchingSignature)?;
    expected
        .verify_slice(&tag)
        .map_err(|_| RedirectError::NoMatchingSignature)?;
    // Signed by linkpay, so these parse; anything else is a signature made by other code.
    let rc = match field("rc") {
        "0" => ResultCode::Ok,
        "9" => ResultCode::Failed,
        _ => return Err(RedirectError::NoMatchingSignature),
    };
    let amount = field("amount")
        .parse()
        .map_err(|_| RedirectError::NoMatchingSignature)?;
    Ok(ReturnFields {
        rc,
        reference: field("reference").into(),
        link_id: field("link_id").into(),
        charge_id: field("charge_id").into(),
        amount,
        currency: field("currency").into(),
        email: field("email").into(),
        free: [
            field("free1").into(),
            field("free2").into(),
            field("free3").into(),
        ],
        timestamp,
    })
}

/// Decodes an `application/x-www-form-urlencoded` string (a POST body or a query string
/// without its `?`) into `(name, value)` pairs: `+` is a space, `%XX` a byte. Pairs that are
/// not UTF-8 after decoding are skipped.
pub fn parse_form(s: &str) -> Vec<(String, String)> {
    s.split('&')
        .filter(|p| !p.is_empty())
        .filter_map(|pair| {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            Some((form_decode(name)?, form_decode(value)?))
        })
        .collect()
}

fn form_decode(s: &str) -> Option<String> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < b.len() => {
                match (crate::hex::digit(b[i + 1]), crate::hex::digit(b[i + 2])) {
                    (Some(hi), Some(lo)) => {
                        out.push(hi << 4 | lo);
                        i += 2;
                    }
                    _ => out.push(b'%'),
                }
            }
            c => out.push(c),
        }
        i += 1;
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod vectors;

#[cfg(test)]
mod tests {
    use super::*;

    fn secret() -> ReturnSecret {
        ReturnSecret::from_random_bytes(core::array::from_fn(|i| i as u8))
    }

    fn fields() -> ReturnFields {
        ReturnFields {
            rc: ResultCode::Ok,
            reference: "order 42/α".into(),
            link_id: "lnk_1".into(),
            charge_id: "ch_1".into(),
            amount: 1500,
            currency: "JPY".into(),
            email: "buyer+1@example.com".into(),
            free: ["a&b=c".into(), String::new(), "お会計".into()],
            timestamp: 1_767_225_600,
        }
    }

    fn as_refs<'a>(pairs: &'a [(&'static str, String)]) -> Vec<(&'static str, &'a str)> {
        pairs.iter().map(|(n, v)| (*n, v.as_str())).collect()
    }

    #[test]
    fn canonical_string_is_sorted_and_percent_encoded() {
        let c = canonical(&fields().pairs());
        assert_eq!(
            c,
            "amount=1500&charge_id=ch_1&currency=JPY&email=buyer%2B1%40example.com&free1=a%26b%3Dc\
             &free2=&free3=%E3%81%8A%E4%BC%9A%E8%A8%88&link_id=lnk_1&rc=0&reference=order%2042%2F%CE%B1\
             &timestamp=1767225600"
        );
        // Order of the input does not matter.
        let mut reversed = fields().pairs().to_vec();
        reversed.reverse();
        assert_eq!(canonical(&reversed), c);
        assert_eq!(percent_encode("Az09-._~ +"), "Az09-._~%20%2B");
    }

    #[test]
    fn signed_fields_verify_and_come_back_typed() {
        let s = secret();
        let signed = fields().signed_pairs(&s);
        assert_eq!(signed.len(), 12);
        let sig = &signed[11].1;
        assert!(sig.starts_with("v1=") && sig.len() == 3 + 64, "{sig}");
        let mut params = as_refs(&signed);
        params.insert(0, ("session", "merchant's own"));
        assert_eq!(
            verify(&s, params, 1_767_225_600 + 60, DEFAULT_TOLERANCE_SECS),
            Ok(fields())
        );
    }

    #[test]
    fn tampering_missing_duplicate_and_stale_fields_are_refused() {
        let s = secret();
        let now = 1_767_225_600;
        let signed = fields().signed_pairs(&s);
        let with = |name: &str, value: &'static str| {
            let mut p = as_refs(&signed);
            for pair in p.iter_mut().filter(|(n, _)| *n == name) {
                pair.1 = value;
            }
            p
        };
        let check = |p: Vec<(&str, &str)>| verify(&s, p, now, 300).map(drop);
        for (name, value, error) in [
            ("amount", "15000", RedirectError::NoMatchingSignature),
            ("rc", "9", RedirectError::NoMatchingSignature),
            ("signature", "v1=00", RedirectError::NoMatchingSignature),
            ("timestamp", "x", RedirectError::BadTimestamp),
        ] {
            assert_eq!(check(with(name, value)), Err(error), "{name}={value}");
        }
        let mut missing = as_refs(&signed);
        missing.retain(|(n, _)| *n != "email");
        assert_eq!(check(missing), Err(RedirectError::MissingField("email")));
        let mut twice = as_refs(&signed);
        twice.push(("rc", "0"));
        assert_eq!(check(twice), Err(RedirectError::DuplicateField("rc")));
        assert_eq!(
            verify(&s, as_refs(&signed), now + 301, 300).map(drop),
            Err(RedirectError::TimestampOutOfTolerance)
        );
        let other = ReturnSecret::from_random_bytes([7; 32]);
        assert_eq!(
            verify(&other, as_refs(&signed), now, 300).map(drop),
            Err(RedirectError::NoMatchingSignature)
        );
    }

    #[test]
    fn secrets_parse_and_hide() {
        let s = secret();
        assert!(s.expose().starts_with("rsec_"));
        assert_eq!(
            ReturnSecret::parse(s.expose()).map(|p| p.sign(&[])),
            Ok(s.sign(&[]))
        );
        assert!(ReturnSecret::parse("rsec_short").is_err());
        assert!(ReturnSecret::parse("whsec_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA").is_err());
        assert!(!format!("{s:?}").contains(&s.expose()[5..]));
    }

    #[test]
    fn form_bodies_decode_as_browsers_send_them() {
        assert_eq!(
            parse_form("a=1&b=x+y%2Bz&c&email=b%40x.jp&bad=%FF"),
            vec![
                ("a".to_owned(), "1".to_owned()),
                ("b".to_owned(), "x y+z".to_owned()),
                ("c".to_owned(), String::new()),
                ("email".to_owned(), "b@x.jp".to_owned()),
            ]
        );
        assert_eq!(parse_form("p=100%"), vec![("p".into(), "100%".into())]);
    }
}
