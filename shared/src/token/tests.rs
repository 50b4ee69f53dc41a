use super::wire::tag;
use super::*;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

const VECTORS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/testdata/link-token-vectors.json"
);

#[derive(Serialize, Deserialize)]
struct Vectors {
    description: String,
    domain: String,
    now: i64,
    /// kid → base64url key. The first test key in `key_order` is the current test key, the
    /// first live one the current live key.
    keys: BTreeMap<String, String>,
    key_order: Vec<String>,
    /// The kids of live-mode keys; the others are test-mode keys.
    #[serde(default)]
    live_kids: Vec<String>,
    valid: Vec<ValidVector>,
    invalid: Vec<InvalidVector>,
}

#[derive(Serialize, Deserialize)]
struct ValidVector {
    name: String,
    kid: String,
    claims: JsonClaims,
    token: String,
}

#[derive(Serialize, Deserialize)]
struct InvalidVector {
    name: String,
    token: String,
    error: String,
}

#[derive(Serialize, Deserialize, Clone)]
struct JsonClaims {
    link_id: String,
    merchant_id: String,
    merchant_name: String,
    /// A fixed amount, or absent with `amount_min` and `amount_max` for a buyer-chosen one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    amount: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    amount_min: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    amount_max: Option<i64>,
    currency: String,
    expires_at: i64,
    usage: Usage,
    title: String,
    description: Option<String>,
    reference: Option<String>,
    locale: Locale,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    free1: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    free2: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    free3: Option<String>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    metadata: BTreeMap<String, String>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    livemode: bool,
}

impl JsonClaims {
    fn to_claims(&self) -> LinkClaims {
        let currency = Currency::from_code(&self.currency).expect("vector currency");
        LinkClaims {
            link_id: self.link_id.clone(),
            merchant_id: self.merchant_id.clone(),
            merchant_name: self.merchant_name.clone(),
            amount: match (self.amount, self.amount_min, self.amount_max) {
                (Some(a), _, _) => Amount::Fixed(Money::new(a, currency).expect("vector amount")),
                (None, Some(min), Some(max)) => Amount::BuyerChosen { currency, min, max },
                _ => panic!("vector {} has no amount", self.link_id),
            },
            expires_at: self.expires_at,
            usage: self.usage,
            title: self.title.clone(),
            description: self.description.clone(),
            reference: self.reference.clone(),
            locale: self.locale,
            free: [self.free1.clone(), self.free2.clone(), self.free3.clone()],
            metadata: self.metadata.clone().into_iter().collect(),
            livemode: self.livemode,
        }
    }
}

fn load() -> (Vectors, Keyring) {
    let text = std::fs::read_to_string(VECTORS).expect("read test vectors");
    let v: Vectors = serde_json::from_str(&text).expect("parse test vectors");
    let ring = Keyring::new(
        v.key_order
            .iter()
            .map(|kid| RingKey {
                kid: kid.clone(),
                key: SecretKey::from_base64url(&v.keys[kid]).expect("vector key"),
                livemode: v.live_kids.contains(kid),
            })
            .collect(),
    )
    .expect("vector key ring");
    (v, ring)
}

#[test]
fn valid_vectors_verify_and_sign_to_the_same_bytes() {
    let (v, ring) = load();
    assert!(!v.valid.is_empty());
    for case in &v.valid {
        let claims = case.claims.to_claims();
        assert_eq!(
            ring.verify(case.token.as_bytes(), v.now).as_ref(),
            Ok(&claims),
            "{}",
            case.name
        );
        let key = ring.key(case.kid.as_bytes()).expect("kid in ring");
        let resigned = raw::sign_payload(&key.key, &raw::encode_payload(&case.kid, &claims));
        assert_eq!(
            resigned, case.token,
            "{}: signing is deterministic",
            case.name
        );
    }
}

#[test]
fn invalid_vectors_are_rejected_for_the_stated_reason() {
    let (v, ring) = load();
    let mut reasons: Vec<&str> = Vec::new();
    for case in &v.invalid {
        let err = ring
            .verify(case.token.as_bytes(), v.now)
            .expect_err(&case.name);
        assert_eq!(err.code(), case.error, "{}", case.name);
        reasons.push(err.code());
    }
    for required in [
        "bad_encoding",
        "unsupported_version",
        "unknown_key",
        "bad_signature",
        "too_long",
        "expired",
        "unsupported_currency",
        "amount_out_of_range",
        "bad_claims",
        "mode_mismatch",
    ] {
        assert!(reasons.contains(&required), "no vector for {required}");
    }
}

#[test]
fn flipping_any_single_bit_of_a_valid_token_is_rejected() {
    let (v, ring) = load();
    for case in &v.valid {
        let token = case.token.as_bytes();
        for i in 0..token.len() {
            for bit in 0..8 {
                let mut t = token.to_vec();
                t[i] ^= 1 << bit;
                assert!(
                    ring.verify(&t, v.now).is_err(),
                    "{}: flipping bit {bit} of byte {i} was accepted",
                    case.name
                );
            }
        }
    }
}

#[test]
fn every_truncation_of_a_valid_token_is_rejected() {
    let (v, ring) = load();
    let token = v.valid[0].token.as_bytes();
    for len in 0..token.len() {
        assert!(
            ring.verify(&token[..len], v.now).is_err(),
            "prefix of {len} bytes"
        );
    }
}

#[test]
fn expiry_is_exclusive() {
    let (v, ring) = load();
    let case = &v.valid[0];
    let exp = case.claims.expires_at;
    assert!(ring.verify(case.token.as_bytes(), exp - 1).is_ok());
    assert_eq!(
        ring.verify(case.token.as_bytes(), exp),
        Err(TokenError::Expired)
    );
}

#[test]
fn a_retired_key_no_longer_verifies() {
    let (v, ring) = load();
    let old = v
        .valid
        .iter()
        .find(|c| c.kid != v.key_order[0])
        .expect("a vector signed with a non-current key");
    assert!(ring.verify(old.token.as_bytes(), v.now).is_ok());
    let current = v.key_order[0].clone();
    let retired = Keyring::new(vec![RingKey {
        kid: current.clone(),
        key: SecretKey::from_base64url(&v.keys[&current]).expect("key"),
        livemode: false,
    }])
    .expect("ring");
    assert_eq!(
        retired.verify(old.token.as_bytes(), v.now),
        Err(TokenError::UnknownKey)
    );
}

#[test]
fn signing_refuses_claims_that_would_not_verify() {
    let (v, ring) = load();
    let mut claims = v.valid[0].claims.to_claims();
    claims.title = "x".repeat(MAX_TITLE_CHARS + 1);
    assert_eq!(ring.sign(&claims), Err(TokenError::BadClaims("title")));
    claims.title = "   ".into();
    assert_eq!(ring.sign(&claims), Err(TokenError::BadClaims("title")));
    claims.title = "ok".into();
    claims.link_id = "has space".into();
    assert_eq!(ring.sign(&claims), Err(TokenError::BadClaims("link_id")));
}

#[test]
fn the_longest_allowed_claims_fit_in_a_token() {
    let (v, ring) = load();
    let mut claims = v.valid[0].claims.to_claims();
    claims.title = "あ".repeat(MAX_TITLE_CHARS);
    claims.description = Some("説".repeat(MAX_DESCRIPTION_CHARS));
    claims.reference = Some("R".repeat(MAX_REFERENCE_CHARS));
    claims.merchant_name = "店".repeat(MAX_MERCHANT_NAME_CHARS);
    claims.link_id = "l".repeat(64);
    claims.merchant_id = "m".repeat(64);
    let token = ring.sign(&claims).expect("sign");
    assert!(token.len() <= MAX_TOKEN_LEN, "{} bytes", token.len());
    assert_eq!(ring.verify(token.as_bytes(), v.now), Ok(claims));
}

#[test]
fn signing_refuses_claims_too_big_for_a_token() {
    let (v, ring) = load();
    let mut claims = v.valid[0].claims.to_claims();
    claims.metadata = (0..20)
        .map(|i| (format!("k{i:02}"), "v".repeat(400)))
        .collect();
    assert_eq!(ring.sign(&claims), Err(TokenError::TooLong));
}

#[test]
fn buyer_chosen_amounts_are_checked_against_the_bounds() {
    let amount = Amount::BuyerChosen {
        currency: Currency::Jpy,
        min: 500,
        max: 50_000,
    };
    assert_eq!(amount.resolve(Some(500)).map(|m| m.minor()), Ok(500));
    assert_eq!(amount.resolve(Some(50_000)).map(|m| m.minor()), Ok(50_000));
    assert!(matches!(
        amount.resolve(Some(499)),
        Err(AmountChoiceError::BelowMinimum(m)) if m.minor() == 500
    ));
    assert!(matches!(
        amount.resolve(Some(50_001)),
        Err(AmountChoiceError::AboveMaximum(m)) if m.minor() == 50_000
    ));
    assert_eq!(amount.resolve(None), Err(AmountChoiceError::Missing));
    let fixed = Amount::Fixed(Money::new(1500, Currency::Jpy).expect("money"));
    assert_eq!(fixed.resolve(None).map(|m| m.minor()), Ok(1500));
    assert_eq!(fixed.resolve(Some(1500)).map(|m| m.minor()), Ok(1500));
    assert_eq!(fixed.resolve(Some(1)), Err(AmountChoiceError::Fixed));
}

#[test]
fn key_id_reads_the_header() {
    let (v, _) = load();
    for case in &v.valid {
        assert_eq!(key_id(&case.token).as_deref(), Some(case.kid.as_str()));
    }
    assert_eq!(key_id("not a token"), None);
}

#[test]
fn keyring_parse_names_the_problem() {
    assert!(
        Keyring::parse("")
            .expect_err("an error")
            .contains("no keys")
    );
    assert!(
        Keyring::parse("k1")
            .expect_err("an error")
            .contains("kid:base64urlkey")
    );
    assert!(
        Keyring::parse("k1:short")
            .expect_err("an error")
            .contains("k1")
    );
    let key = SecretKey::new(vec![1; 32]).expect("key").to_base64url();
    assert!(
        Keyring::parse(&format!("bad kid:{key}"))
            .expect_err("an error")
            .contains("key id")
    );
    // A secret written where the key id belongs is never repeated in the error.
    for spec in [
        format!("k1:{key}, {key}:x"),
        format!("k1:{key}, {key}:{key}"),
        format!("{key}:{key}:sometimes"),
    ] {
        let e = Keyring::parse(&spec).expect_err("an error");
        assert!(!e.contains(&key[..16]), "{e}");
        assert!(e.starts_with("entry "), "{e}");
    }
    let ring = Keyring::parse(&format!("new:{key}, old:{key}")).expect("ring");
    assert_eq!(ring.current_kid(false), Some("new"));
    assert_eq!(ring.current_kid(true), None, "no live key");
    let ring = Keyring::parse(&format!("t1:{key}, l2:{key}:live, l1:{key}:live")).expect("ring");
    assert_eq!(
        (ring.current_kid(false), ring.current_kid(true)),
        (Some("t1"), Some("l2"))
    );
    assert!(
        Keyring::parse(&format!("k1:{key}:prod"))
            .expect_err("an error")
            .contains("live or test")
    );
    assert!(
        Keyring::parse(&format!("k1:{key},k1:{key}:live"))
            .expect_err("an error")
            .contains("twice")
    );
}

#[test]
fn each_mode_signs_with_its_own_key_and_a_key_of_the_other_mode_is_refused() {
    let (v, ring) = load();
    let mut claims = v.valid[0].claims.to_claims();
    let test_token = ring.sign(&claims).expect("test link");
    assert_eq!(key_id(&test_token).as_deref(), Some("k1"));
    claims.livemode = true;
    let live_token = ring.sign(&claims).expect("live link");
    assert_eq!(key_id(&live_token).as_deref(), Some("k3"));
    assert_eq!(
        ring.verify(live_token.as_bytes(), v.now),
        Ok(claims.clone())
    );
    let test_only = ring.clone().signing_with("k2").expect("k2 is in the ring");
    let ring_without_live = Keyring::new(vec![RingKey {
        kid: "k1".into(),
        key: SecretKey::from_base64url(&v.keys["k1"]).expect("key"),
        livemode: false,
    }])
    .expect("ring");
    assert_eq!(
        ring_without_live.sign(&claims),
        Err(TokenError::NoSigningKey(true))
    );
    claims.livemode = false;
    assert_eq!(
        key_id(&test_only.sign(&claims).expect("signed")).as_deref(),
        Some("k2")
    );
}

// ---- vector generation -------------------------------------------------------------------

/// Rewrites testdata/link-token-vectors.json. Run after a deliberate format change only:
/// `cargo test -p linkpay-shared regenerate_token_vectors -- --ignored`.
#[test]
#[ignore]
fn regenerate_token_vectors() {
    let now = 1_767_225_600; // 2026-01-01T00:00:00Z
    let k1 = SecretKey::new((0u8..32).collect()).expect("key");
    let k2 = SecretKey::new((100u8..132).collect()).expect("key");
    let k3 = SecretKey::new((200u8..232).collect()).expect("key");
    let stranger = SecretKey::new(vec![0xAB; 32]).expect("key");
    let base = JsonClaims {
        link_id: "lnk_0001".into(),
        merchant_id: "mch_demo".into(),
        merchant_name: "Demo Shop".into(),
        amount: Some(1500),
        amount_min: None,
        amount_max: None,
        currency: "JPY".into(),
        expires_at: now + 86_400,
        usage: Usage::SingleUse,
        title: "Order #1001".into(),
        description: Some("Two coffees".into()),
        reference: Some("INV-1001".into()),
        locale: Locale::Ja,
        free1: None,
        free2: None,
        free3: None,
        metadata: BTreeMap::new(),
        livemode: false,
    };
    let usd = JsonClaims {
        link_id: "lnk_0002".into(),
        amount: Some(1500),
        currency: "USD".into(),
        usage: Usage::MultiUse,
        title: "Workshop ticket".into(),
        description: None,
        reference: None,
        locale: Locale::En,
        ..base.clone()
    };
    let ja = JsonClaims {
        link_id: "lnk_0003".into(),
        merchant_name: "デモ商店".into(),
        title: "お会計".into(),
        description: Some("ご利用ありがとうございます".into()),
        amount: Some(99_999_999),
        ..base.clone()
    };
    let donation = JsonClaims {
        link_id: "lnk_0004".into(),
        amount: None,
        amount_min: Some(500),
        amount_max: Some(50_000),
        usage: Usage::Limited(10),
        title: "Donation".into(),
        reference: None,
        ..base.clone()
    };
    let offline = JsonClaims {
        link_id: "lnk_offline_0005".into(),
        amount: Some(2500),
        currency: "EUR".into(),
        usage: Usage::MultiUse,
        locale: Locale::En,
        free1: Some("customer 42".into()),
        free3: Some("branch: Osaka".into()),
        metadata: [("cart", "c_991"), ("channel", "sms")]
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect(),
        ..base.clone()
    };
    let live = JsonClaims {
        link_id: "lnk_live_0006".into(),
        livemode: true,
        ..base.clone()
    };
    let sign = |kid: &str, key: &SecretKey, c: &JsonClaims| {
        raw::sign_payload(key, &raw::encode_payload(kid, &c.to_claims()))
    };
    let vector = |name: &str, kid: &str, key: &SecretKey, claims: &JsonClaims| ValidVector {
        name: name.into(),
        kid: kid.into(),
        token: sign(kid, key, claims),
        claims: claims.clone(),
    };
    let valid = vec![
        vector("jpy single use", "k1", &k1, &base),
        vector("usd multi use, no optional claims", "k1", &k1, &usd),
        vector("japanese text at the jpy maximum", "k1", &k1, &ja),
        vector(
            "buyer-chosen jpy 500..50000, up to 10 payments",
            "k1",
            &k1,
            &donation,
        ),
        vector(
            "offline-signed eur with free fields and metadata",
            "k1",
            &k1,
            &offline,
        ),
        vector("signed with the previous key k2", "k2", &k2, &base),
        vector("a live link, signed with the live key k3", "k3", &k3, &live),
    ];

    let good_payload = raw::encode_payload("k1", &base.to_claims());
    let with_payload = |mutate: &dyn Fn(&mut Vec<u8>)| {
        let mut p = good_payload.clone();
        mutate(&mut p);
        raw::sign_payload(&k1, &p)
    };
    // Offset of the first claim: version, kid length, "k1".
    let claims_at = 4;
    // Replaces the value of claim `tag` (same length) in the good payload.
    let replace_claim = |tag: u8, value: &[u8]| {
        let mut p = good_payload[..claims_at].to_vec();
        let mut rest = &good_payload[claims_at..];
        while !rest.is_empty() {
            let len = u16::from_be_bytes([rest[1], rest[2]]) as usize;
            p.push(rest[0]);
            if rest[0] == tag {
                p.extend_from_slice(&(value.len() as u16).to_be_bytes());
                p.extend_from_slice(value);
            } else {
                p.extend_from_slice(&rest[1..3 + len]);
            }
            rest = &rest[3 + len..];
        }
        raw::sign_payload(&k1, &p)
    };
    let good = sign("k1", &k1, &base);
    let (good_p, good_m) = good.split_once('.').expect("dot");
    let expired = JsonClaims {
        expires_at: now,
        ..base.clone()
    };
    let invalid = vec![
        InvalidVector {
            name: "not base64".into(),
            token: format!("{good_p}!.{good_m}"),
            error: "bad_encoding".into(),
        },
        InvalidVector {
            name: "padding is not allowed".into(),
            token: format!("{good_p}=.{good_m}"),
            error: "bad_encoding".into(),
        },
        InvalidVector {
            name: "no separator".into(),
            token: good.replace('.', ""),
            error: "bad_encoding".into(),
        },
        InvalidVector {
            name: "truncated signature".into(),
            token: good[..good.len() - 2].to_string(),
            error: "bad_encoding".into(),
        },
        InvalidVector {
            name: "version 2".into(),
            token: with_payload(&|p| p[0] = 2),
            error: "unsupported_version".into(),
        },
        InvalidVector {
            name: "unknown key id k9".into(),
            token: sign("k9", &stranger, &base),
            error: "unknown_key".into(),
        },
        InvalidVector {
            name: "kid k1 but signed with another key".into(),
            token: sign("k1", &stranger, &base),
            error: "bad_signature".into(),
        },
        InvalidVector {
            name: "amount changed after signing".into(),
            token: format!(
                "{}.{good_m}",
                URL_SAFE_NO_PAD.encode(raw::encode_payload(
                    "k1",
                    &JsonClaims {
                        amount: Some(1),
                        ..base.clone()
                    }
                    .to_claims()
                ))
            ),
            error: "bad_signature".into(),
        },
        InvalidVector {
            name: "oversized".into(),
            token: format!("{good_p}{}.{good_m}", "A".repeat(MAX_TOKEN_LEN)),
            error: "too_long".into(),
        },
        InvalidVector {
            name: "expired at exactly now".into(),
            token: sign("k1", &k1, &expired),
            error: "expired".into(),
        },
        InvalidVector {
            name: "currency XXX".into(),
            token: replace_claim(tag::CURRENCY, b"XXX"),
            error: "unsupported_currency".into(),
        },
        InvalidVector {
            name: "lower-case currency is not canonical".into(),
            token: replace_claim(tag::CURRENCY, b"jpy"),
            error: "unsupported_currency".into(),
        },
        InvalidVector {
            name: "amount zero".into(),
            token: replace_claim(tag::AMOUNT, &0i64.to_be_bytes()),
            error: "amount_out_of_range".into(),
        },
        InvalidVector {
            name: "amount negative".into(),
            token: replace_claim(tag::AMOUNT, &(-1500i64).to_be_bytes()),
            error: "amount_out_of_range".into(),
        },
        InvalidVector {
            name: "amount over the JPY maximum".into(),
            token: replace_claim(tag::AMOUNT, &100_000_000i64.to_be_bytes()),
            error: "amount_out_of_range".into(),
        },
        InvalidVector {
            name: "unknown claim tag".into(),
            token: with_payload(&|p| p.extend_from_slice(&[200, 0, 1, b'x'])),
            error: "bad_claims".into(),
        },
        InvalidVector {
            name: "duplicate claim".into(),
            token: with_payload(&|p| p.extend_from_slice(&[tag::LOCALE, 0, 2, b'e', b'n'])),
            error: "bad_claims".into(),
        },
        InvalidVector {
            name: "truncated claim".into(),
            token: with_payload(&|p| {
                p.pop();
            }),
            error: "bad_claims".into(),
        },
        InvalidVector {
            name: "usage byte 7".into(),
            token: replace_claim(tag::USAGE, &[7]),
            error: "bad_claims".into(),
        },
        InvalidVector {
            name: "usage limited but no use limit claim".into(),
            token: replace_claim(tag::USAGE, &[2]),
            error: "bad_claims".into(),
        },
        InvalidVector {
            name: "use limit 1 is single use, not limited".into(),
            token: raw::sign_payload(
                &k1,
                &raw::encode_payload(
                    "k1",
                    &JsonClaims {
                        usage: Usage::Limited(1),
                        ..base.clone()
                    }
                    .to_claims(),
                ),
            ),
            error: "bad_claims".into(),
        },
        InvalidVector {
            name: "both a fixed amount and bounds".into(),
            token: with_payload(&|p| {
                // Locale (tag 11) is the last claim of `base`; bounds follow it.
                p.extend_from_slice(&[tag::AMOUNT_MIN, 0, 8]);
                p.extend_from_slice(&1i64.to_be_bytes());
                p.extend_from_slice(&[tag::AMOUNT_MAX, 0, 8]);
                p.extend_from_slice(&9i64.to_be_bytes());
            }),
            error: "bad_claims".into(),
        },
        InvalidVector {
            name: "buyer-chosen minimum above maximum".into(),
            token: raw::sign_payload(
                &k1,
                &raw::encode_payload(
                    "k1",
                    &JsonClaims {
                        amount_min: Some(50_001),
                        ..donation.clone()
                    }
                    .to_claims(),
                ),
            ),
            error: "amount_out_of_range".into(),
        },
        InvalidVector {
            name: "buyer-chosen maximum over the JPY maximum".into(),
            token: raw::sign_payload(
                &k1,
                &raw::encode_payload(
                    "k1",
                    &JsonClaims {
                        amount_max: Some(100_000_000),
                        ..donation.clone()
                    }
                    .to_claims(),
                ),
            ),
            error: "amount_out_of_range".into(),
        },
        InvalidVector {
            name: "a live link signed with the test key k1".into(),
            token: sign("k1", &k1, &live),
            error: "mode_mismatch".into(),
        },
        InvalidVector {
            name: "a test link signed with the live key k3".into(),
            token: sign("k3", &k3, &base),
            error: "mode_mismatch".into(),
        },
        InvalidVector {
            name: "livemode claim 0 is not canonical".into(),
            token: with_payload(&|p| p.extend_from_slice(&[tag::LIVEMODE, 0, 1, 0])),
            error: "bad_claims".into(),
        },
        InvalidVector {
            name: "metadata keys out of order".into(),
            token: {
                let mut claims = offline.to_claims();
                claims.metadata.reverse();
                raw::sign_payload(&k1, &raw::encode_payload("k1", &claims))
            },
            error: "bad_claims".into(),
        },
    ];
    let vectors = Vectors {
        description: "linkpay link token test vectors. See docs/token-format.md. A verifier \
                      given `keys` (current first in key_order; the kids in live_kids are \
                      live-mode keys, the others test-mode keys) and the clock at `now` (unix \
                      seconds) must accept every `valid` token with exactly `claims`, and \
                      reject every `invalid` token with `error`."
            .into(),
        domain: String::from_utf8_lossy(DOMAIN).into_owned(),
        now,
        keys: [("k1", &k1), ("k2", &k2), ("k3", &k3)]
            .into_iter()
            .map(|(kid, k)| (kid.to_string(), k.to_base64url()))
            .collect(),
        key_order: vec!["k1".into(), "k2".into(), "k3".into()],
        live_kids: vec!["k3".into()],
        valid,
        invalid,
    };
    let json = serde_json::to_string_pretty(&vectors).expect("json");
    std::fs::write(VECTORS, json + "\n").expect("write vectors");
}
