//! Test vectors for return-URL signatures, in a file that other languages' SDKs can use:
//! `shared/testdata/redirect-signature-vectors.json`. Regenerate after a deliberate change only:
//! `cargo test -p linkpay-shared regenerate_redirect_vectors -- --ignored`.

use super::*;
use serde::{Deserialize, Serialize};

type Vectors = crate::vectors::Vectors<Received>;
type Case = crate::vectors::Case<Received>;

#[derive(Serialize, Deserialize, Clone)]
struct Received {
    /// The query string (GET) or form body (POST) as the merchant's server received it.
    received: String,
    /// The canonical string of the signed fields, for implementers to compare against;
    /// `null` where the fields are not all there.
    canonical: Option<String>,
}

fn check(v: &Vectors, c: &Case) -> Option<String> {
    let secret = match ReturnSecret::parse(&c.secret) {
        Ok(s) => s,
        Err(e) => return Some(e.code().into()),
    };
    let params = parse_form(&c.input.received);
    verify(
        &secret,
        params.iter().map(|(n, v)| (n.as_str(), v.as_str())),
        v.now,
        v.tolerance_secs,
    )
    .err()
    .map(|e| e.code().into())
}

#[test]
fn every_vector_verifies_or_fails_as_stated() {
    let v = Vectors::read("redirect");
    v.assert_as_stated(
        check,
        &[
            "bad_secret",
            "missing_field",
            "duplicate_field",
            "bad_timestamp",
            "timestamp_out_of_tolerance",
            "no_matching_signature",
        ],
    );
    for c in &v.cases {
        if let Some(expected) = &c.input.canonical {
            let params = parse_form(&c.input.received);
            let signed: Vec<(&str, String)> = params
                .iter()
                .filter(|(n, _)| FIELDS.contains(&n.as_str()))
                .map(|(n, v)| (n.as_str(), v.clone()))
                .collect();
            assert_eq!(&canonical(&signed), expected, "{}", c.name);
        }
    }
}

type Pairs = Vec<(&'static str, String)>;

/// As a browser sends a form: `application/x-www-form-urlencoded`, space as `+`.
fn form(pairs: &[(&str, String)]) -> String {
    pairs
        .iter()
        .map(|(n, v)| {
            format!(
                "{}={}",
                percent_encode(n),
                percent_encode(v).replace("%20", "+")
            )
        })
        .collect::<Vec<_>>()
        .join("&")
}

#[test]
#[ignore]
fn regenerate_redirect_vectors() {
    let now = 1_767_225_600; // 2026-01-01T00:00:00Z
    let secret = ReturnSecret::from_random_bytes(core::array::from_fn(|i| i as u8));
    let other = ReturnSecret::from_random_bytes(core::array::from_fn(|i| 200 - i as u8));
    let paid = ReturnFields {
        rc: ResultCode::Ok,
        reference: "ORDER-1001".into(),
        link_id: "lnk_0001".into(),
        charge_id: "ch_0001".into(),
        amount: 1500,
        currency: "JPY".into(),
        email: "buyer+shop@example.com".into(),
        free: ["member 42".into(), String::new(), "お会計".into()],
        timestamp: now,
    };
    let case = |name: &str, fields: &ReturnFields, with: &dyn Fn(&mut Pairs)| {
        let mut pairs = fields.signed_pairs(&secret);
        with(&mut pairs);
        let received = form(&pairs);
        let all_there = FIELDS
            .iter()
            .all(|f| pairs.iter().filter(|(n, _)| n == f).count() == 1);
        let canonical = all_there.then(|| {
            let signed: Vec<(&str, String)> = pairs
                .iter()
                .filter(|(n, _)| FIELDS.contains(n))
                .cloned()
                .collect();
            canonical(&signed)
        });
        let mut c = Case {
            name: name.into(),
            secret: secret.expose().into(),
            input: Received {
                received,
                canonical,
            },
            error: None,
        };
        if let Some(e) = ReturnSecret::parse(&c.secret).err() {
            c.error = Some(e.code().into());
        }
        c
    };
    let set = |name: &'static str, value: String| {
        move |p: &mut Vec<(&str, String)>| {
            for pair in p.iter_mut().filter(|(n, _)| *n == name) {
                pair.1 = value.clone();
            }
        }
    };
    let failed = ReturnFields {
        rc: ResultCode::Failed,
        email: String::new(),
        ..paid.clone()
    };
    let usd = ReturnFields {
        amount: 1999,
        currency: "USD".into(),
        reference: String::new(),
        free: Default::default(),
        ..paid.clone()
    };
    let old = ReturnFields {
        timestamp: now - 300,
        ..paid.clone()
    };
    let stale = ReturnFields {
        timestamp: now - 301,
        ..paid.clone()
    };
    let ahead = ReturnFields {
        timestamp: now + 301,
        ..paid.clone()
    };
    let err = |mut c: Case, code: &str| {
        c.error = Some(code.into());
        c
    };
    let mut cases = vec![
        case("paid (rc=0), as posted by the browser", &paid, &|_| {}),
        case(
            "not paid (rc=9), no buyer email: empty fields are still sent and signed",
            &failed,
            &|_| {},
        ),
        case("USD, no reference and no free fields", &usd, &|_| {}),
        case(
            "the merchant's own query parameters are not signed and are ignored",
            &paid,
            &|p| {
                p.insert(0, ("session", "abc 123".into()));
                p.push(("utm_source", "mail".into()));
            },
        ),
        case("fields in another order", &paid, &|p| p.reverse()),
        case(
            "timestamp 5 minutes old: still inside the tolerance",
            &old,
            &|_| {},
        ),
        err(
            case("amount changed", &paid, &set("amount", "150".into())),
            "no_matching_signature",
        ),
        err(
            case("rc changed from 9 to 0", &failed, &set("rc", "0".into())),
            "no_matching_signature",
        ),
        err(
            case(
                "email changed",
                &paid,
                &set("email", "thief@example.com".into()),
            ),
            "no_matching_signature",
        ),
        err(
            case(
                "signed with another secret",
                &paid,
                &set("signature", other.sign(&paid.pairs())),
            ),
            "no_matching_signature",
        ),
        err(
            case("signature without its v1= prefix", &paid, &|p| {
                for pair in p.iter_mut().filter(|(n, _)| *n == "signature") {
                    pair.1 = pair.1.trim_start_matches("v1=").to_owned();
                }
            }),
            "no_matching_signature",
        ),
        err(
            case("free3 missing", &paid, &|p| {
                p.retain(|(n, _)| *n != "free3")
            }),
            "missing_field",
        ),
        err(
            case("signature missing", &paid, &|p| {
                p.retain(|(n, _)| *n != "signature")
            }),
            "missing_field",
        ),
        err(
            case("rc sent twice", &paid, &|p| p.push(("rc", "9".into()))),
            "duplicate_field",
        ),
        err(
            case(
                "timestamp is not a number",
                &paid,
                &set("timestamp", "soon".into()),
            ),
            "bad_timestamp",
        ),
        err(
            case(
                "timestamp more than 5 minutes old (replay)",
                &stale,
                &|_| {},
            ),
            "timestamp_out_of_tolerance",
        ),
        err(
            case("timestamp more than 5 minutes ahead", &ahead, &|_| {}),
            "timestamp_out_of_tolerance",
        ),
    ];
    let mut no_prefix = case("secret without the rsec_ prefix", &paid, &|_| {});
    no_prefix.secret = no_prefix.secret.trim_start_matches("rsec_").to_owned();
    cases.push(err(no_prefix, "bad_secret"));
    let v = Vectors {
        description: "linkpay return-URL signature test vectors (v1). A verifier given `secret` \
                      and `received` (the query string or form body, decoded as \
                      application/x-www-form-urlencoded), with its clock at `now` and a \
                      tolerance of `tolerance_secs`, must accept each case whose `error` is null \
                      and reject the others with that error. `canonical` is the string that is \
                      signed, or null where there is none (a signed field missing or given \
                      twice). See docs/redirects.md."
            .into(),
        now,
        tolerance_secs: DEFAULT_TOLERANCE_SECS,
        cases,
    };
    v.write("redirect");
}
