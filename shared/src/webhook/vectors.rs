//! Test vectors for webhook signatures, in a file that other languages' SDKs can use:
//! `shared/testdata/webhook-signature-vectors.json`. Regenerate after a deliberate change only:
//! `cargo test -p linkpay-shared regenerate_webhook_vectors -- --ignored`.

use super::*;
use serde::{Deserialize, Serialize};

type Vectors = crate::vectors::Vectors<Delivery>;
type Case = crate::vectors::Case<Delivery>;

#[derive(Serialize, Deserialize, Clone)]
struct Delivery {
    /// The three headers as sent.
    webhook_id: String,
    webhook_timestamp: String,
    webhook_signature: String,
    body: String,
}

fn check(v: &Vectors, c: &Case) -> Option<String> {
    let secret = match WebhookSecret::parse(&c.secret) {
        Ok(s) => s,
        Err(e) => return Some(e.code().into()),
    };
    secret
        .verify(
            &c.input.webhook_id,
            &c.input.webhook_timestamp,
            &c.input.webhook_signature,
            c.input.body.as_bytes(),
            v.now,
            v.tolerance_secs,
        )
        .err()
        .map(|e| e.code().into())
}

#[test]
fn every_vector_verifies_or_fails_as_stated() {
    let v = Vectors::read("webhook");
    v.assert_as_stated(
        check,
        &[
            "bad_secret",
            "bad_timestamp",
            "timestamp_out_of_tolerance",
            "no_matching_signature",
        ],
    );
}

#[test]
#[ignore]
fn regenerate_webhook_vectors() {
    let now = 1_767_225_600; // 2026-01-01T00:00:00Z
    let old = WebhookSecret::from_random_bytes(core::array::from_fn(|i| i as u8));
    let new = WebhookSecret::from_random_bytes(core::array::from_fn(|i| 200 - i as u8));
    let body = r#"{"id":"evt_0001","type":"charge.complete","timestamp":"2026-01-01T00:00:00Z","data":{"id":"ch_0001","object":"charge","amount":1500,"currency":"JPY","status":"succeeded"}}"#;
    let id = "evt_0001";
    let sig = |s: &WebhookSecret, ts: i64, b: &str| s.sign(id, ts, b.as_bytes());
    let base = Case {
        name: String::new(),
        secret: old.to_whsec(),
        input: Delivery {
            webhook_id: id.into(),
            webhook_timestamp: now.to_string(),
            webhook_signature: sig(&old, now, body),
            body: body.into(),
        },
        error: None,
    };
    let case = |name: &str, f: &dyn Fn(&mut Case)| {
        let mut c = base.clone();
        c.name = name.into();
        f(&mut c);
        c
    };
    let cases = vec![
        case("a delivery as sent", &|_| {}),
        case("Japanese text in the body (UTF-8 bytes are signed)", &|c| {
            c.input.body = r#"{"title":"お会計"}"#.into();
            c.input.webhook_signature = sig(&old, now, &c.input.body);
        }),
        case(
            "during secret rotation: two signatures, the second matches",
            &|c| {
                c.input.webhook_signature =
                    format!("{} {}", sig(&new, now, body), sig(&old, now, body));
            },
        ),
        case(
            "signed with the new secret, verified with the new one",
            &|c| {
                c.secret = new.to_whsec();
                c.input.webhook_signature = sig(&new, now, body);
            },
        ),
        case(
            "timestamp 5 minutes old: still inside the tolerance",
            &|c| {
                c.input.webhook_timestamp = (now - 300).to_string();
                c.input.webhook_signature = sig(&old, now - 300, body);
            },
        ),
        case("unknown signature versions are skipped", &|c| {
            c.input.webhook_signature = format!("v2,abc {}", c.input.webhook_signature);
        }),
        case("body changed after signing", &|c| {
            c.input.body = c.input.body.replace("1500", "15000");
            c.error = Some("no_matching_signature".into());
        }),
        case("id changed", &|c| {
            c.input.webhook_id = "evt_0002".into();
            c.error = Some("no_matching_signature".into());
        }),
        case("timestamp changed", &|c| {
            c.input.webhook_timestamp = (now + 1).to_string();
            c.error = Some("no_matching_signature".into());
        }),
        case("signed with another secret", &|c| {
            c.input.webhook_signature = sig(&new, now, body);
            c.error = Some("no_matching_signature".into());
        }),
        case("signature without its v1, prefix", &|c| {
            c.input.webhook_signature = c
                .input
                .webhook_signature
                .trim_start_matches("v1,")
                .to_owned();
            c.error = Some("no_matching_signature".into());
        }),
        case("timestamp more than 5 minutes old (replay)", &|c| {
            c.input.webhook_timestamp = (now - 301).to_string();
            c.input.webhook_signature = sig(&old, now - 301, body);
            c.error = Some("timestamp_out_of_tolerance".into());
        }),
        case("timestamp more than 5 minutes ahead", &|c| {
            c.input.webhook_timestamp = (now + 301).to_string();
            c.input.webhook_signature = sig(&old, now + 301, body);
            c.error = Some("timestamp_out_of_tolerance".into());
        }),
        case("timestamp is not a number", &|c| {
            c.input.webhook_timestamp = "yesterday".into();
            c.error = Some("bad_timestamp".into());
        }),
        case("secret without the whsec_ prefix", &|c| {
            c.secret = c.secret.trim_start_matches("whsec_").to_owned();
            c.error = Some("bad_secret".into());
        }),
    ];
    let v = Vectors {
        description: "linkpay webhook signature test vectors (Standard Webhooks, v1). A verifier \
                      given `secret`, the three headers and `body` (as UTF-8 bytes), with its \
                      clock at `now` and a tolerance of `tolerance_secs`, must accept each case \
                      whose `error` is null and reject the others with that error. See \
                      docs/webhooks.md#signatures-standard-webhooks."
            .into(),
        now,
        tolerance_secs: DEFAULT_TOLERANCE_SECS,
        cases,
    };
    v.write("webhook");
}
